//! A log line as the rest of the program sees it, and its identity: the exactly-once tracker
//! compares lines by a key made once from the timestamp and the text.

use std::hash::{Hash, Hasher};

use serde_json::Value;

/// Below this, every integer is an f64 exactly (2^53).
const EXACT: f64 = 9_007_199_254_740_992.0;

/// The most lines the API returns in one answer (`logs_count` is 1 to 100).
pub const MAX_LOGS_COUNT: u8 = 100;

/// Something that can be compared with lines seen before: equal keys mean "the same line".
pub trait Keyed {
    fn key(&self) -> u64;

    /// The line's own time (seconds since the epoch), when it carries one: a log's lines are
    /// written in time order, so a line older than the newest one shown cannot be new.
    fn time(&self) -> Option<f64> {
        None
    }
}

impl Keyed for u64 {
    fn key(&self) -> u64 {
        *self
    }
}

/// One log line: its timestamp exactly as received, and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// The timestamp exactly as received (seconds since the epoch, integer or float).
    pub timestamp: Option<Value>,
    /// The text to show: the message, or for an event its name followed by its fields.
    pub message: String,
    /// Identity for the exactly-once tracker: timestamp and text, hashed once.
    key: u64,
    /// The timestamp as seconds since the epoch, read once.
    time: Option<f64>,
}

impl LogLine {
    pub fn new(timestamp: Option<Value>, message: String) -> LogLine {
        let mut h = std::hash::DefaultHasher::new();
        match &timestamp {
            // The same time written `1011` or `1011.0` is the same line: numbers an f64 holds
            // exactly are hashed as one.
            Some(Value::Number(n)) => match (n.as_f64(), n.as_u64(), n.as_i64()) {
                (Some(f), _, _) if f.is_finite() && f.abs() < EXACT => {
                    (f + 0.0).to_bits().hash(&mut h)
                }
                (_, Some(u), _) => u.hash(&mut h),
                (_, _, Some(i)) => i.hash(&mut h),
                (f, _, _) => f.map(f64::to_bits).hash(&mut h),
            },
            Some(other) => other.to_string().hash(&mut h),
            None => 0u8.hash(&mut h),
        }
        message.hash(&mut h);
        let time = timestamp.as_ref().and_then(epoch_seconds);
        LogLine {
            timestamp,
            message,
            key: h.finish(),
            time,
        }
    }

    /// Seconds since the epoch, when the timestamp is a number.
    pub fn epoch_seconds(&self) -> Option<f64> {
        self.time
    }
}

impl Keyed for LogLine {
    fn key(&self) -> u64 {
        self.key
    }

    fn time(&self) -> Option<f64> {
        self.time
    }
}

/// Seconds since the epoch from a JSON number or a numeric string; only finite values.
pub fn epoch_seconds(v: &Value) -> Option<f64> {
    let seconds = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }?;
    seconds.is_finite().then_some(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn same_text_same_key_different_time_different_key() {
        let a = LogLine::new(Some(json!(1)), "m".into());
        let b = LogLine::new(Some(json!(1)), "m".into());
        let c = LogLine::new(Some(json!(2)), "m".into());
        assert_eq!(a.key(), b.key());
        assert_ne!(a.key(), c.key());
        // One time, two spellings.
        let int = LogLine::new(Some(json!(1011)), "m".into());
        let float = LogLine::new(Some(json!(1011.0)), "m".into());
        assert_eq!(int.key(), float.key());
        let negative_zero = LogLine::new(Some(json!(-0.0)), "m".into());
        assert_eq!(
            negative_zero.key(),
            LogLine::new(Some(json!(0)), "m".into()).key()
        );
        assert_ne!(
            int.key(),
            LogLine::new(Some(json!(1011.5)), "m".into()).key()
        );
    }
}
