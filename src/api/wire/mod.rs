//! The backend's JSON, as every server version sends it (Update 6, 7 and 8), and its
//! normalisation into log lines. Deserialising is tolerant: unknown fields are ignored, numbers
//! may be integers or floats, and a field of an unexpected type is treated as absent rather than
//! failing the whole response. The simulator serialises the same types.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

pub use crate::line::{epoch_seconds, LogLine};

/// `{"result": …, "response": …}` or `{"result": false, "message": …}` / `{"error": …}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Envelope<T> {
    #[serde(default, deserialize_with = "lenient")]
    pub result: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<T>,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub message: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub error: Option<String>,
}

impl<T> Envelope<T> {
    pub fn ok(response: T) -> Self {
        Envelope {
            result: Some(true),
            response: Some(response),
            message: None,
            error: None,
        }
    }

    pub fn failure(message: impl Into<String>) -> Self {
        Envelope {
            result: Some(false),
            response: None,
            message: Some(message.into()),
            error: None,
        }
    }

    /// The server's own words about a failure, if it sent any.
    pub fn reason(&self) -> Option<&str> {
        self.message.as_deref().or(self.error.as_deref())
    }
}

/// The `response` of a task-status request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskStatus {
    #[serde(default, deserialize_with = "id_text")]
    pub task_id: String,
    pub is_processing: bool,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Value>,
    #[serde(
        default,
        deserialize_with = "count",
        skip_serializing_if = "Option::is_none"
    )]
    pub logs_count: Option<u64>,
    #[serde(
        default,
        deserialize_with = "count",
        skip_serializing_if = "Option::is_none"
    )]
    pub requested_logs_count: Option<u64>,
    #[serde(
        default,
        deserialize_with = "lenient_logs",
        skip_serializing_if = "Option::is_none"
    )]
    pub logs: Option<Vec<LogEvent>>,
    /// Present (possibly `null`) on Update 6 and later.
    #[serde(
        default,
        deserialize_with = "nullable_event",
        skip_serializing_if = "Option::is_none"
    )]
    pub latest_event: Option<Option<LogEvent>>,
}

/// One entry of `logs` (`timestamp`, `message`) or an Update 6 event (`timestamp`, `event`, …).
/// Any JSON value deserialises: an object gives its fields; anything else is taken as the
/// message, so that an odd entry never shifts the window against the server's total.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LogEvent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl LogEvent {
    pub fn into_line(self) -> LogLine {
        let message = match (self.message, &self.event) {
            (Some(Value::String(m)), _) => m,
            (Some(m), _) => text(&m),
            (None, Some(event)) => {
                let mut out = text(event);
                for (k, v) in &self.extra {
                    out.push(' ');
                    out.push_str(k);
                    out.push('=');
                    out.push_str(&text(v));
                }
                out
            }
            (None, None) => Value::Object(self.extra).to_string(),
        };
        LogLine::new(self.timestamp, message)
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl TaskStatus {
    /// The window of lines this response holds, oldest first, and the total the server
    /// claims. Update 6 servers send only the latest event, which is a window of one.
    pub fn into_window(self) -> (Vec<LogLine>, u64) {
        let lines: Vec<LogLine> = match (self.logs, self.latest_event) {
            (Some(logs), _) => logs.into_iter().map(LogEvent::into_line).collect(),
            (None, Some(Some(latest))) => vec![latest.into_line()],
            _ => Vec::new(),
        };
        // A total below the window's own length is impossible; the window is the better
        // witness. This is the one place that rule is applied.
        let total = self.logs_count.unwrap_or(0).max(lines.len() as u64);
        (lines, total)
    }

    /// Whether the server's total is possible: present and not below the window's length.
    pub fn total_is_credible(&self) -> bool {
        let window = match (&self.logs, &self.latest_event) {
            (Some(logs), _) => logs.len() as u64,
            (None, Some(Some(_))) => 1,
            _ => 0,
        };
        self.logs_count.is_some_and(|t| t >= window)
    }

    /// [`TaskStatus::into_window`] of a copy.
    pub fn window(&self) -> (Vec<LogLine>, u64) {
        self.clone().into_window()
    }
}

/// Parses a response body. Invalid UTF-8 and unpaired UTF-16 surrogate escapes (which Python's
/// `json.dumps` can produce) become U+FFFD, the `NaN`, `Infinity` and `-Infinity` literals it
/// writes by default (so Flask's `jsonify` too) become `null`, and so do numbers beyond what an
/// f64 holds (`1e400`, a 400-digit integer: valid JSON): a field that needs the number treats it
/// as absent, and the rest of the answer is used instead of failing the whole response.
pub fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> serde_json::Result<T> {
    let text = String::from_utf8_lossy(body);
    match serde_json::from_str(&text) {
        Err(e) if e.is_syntax() => {
            let mut fixed = std::borrow::Cow::Borrowed(text.as_ref());
            if fixed.contains("\\u") {
                fixed = replace_lone_surrogates(&fixed).into();
            }
            if fixed.contains("NaN") || fixed.contains("Infinity") {
                fixed = replace_non_finite(&fixed).into();
            }
            if e.to_string().contains("number out of range") {
                fixed = replace_huge_numbers(&fixed).into();
            }
            match fixed {
                std::borrow::Cow::Borrowed(_) => Err(e),
                std::borrow::Cow::Owned(json) => serde_json::from_str(&json),
            }
        }
        result => result,
    }
}

/// Rewrites the `NaN`, `Infinity` and `-Infinity` literals outside strings as `null`.
fn replace_non_finite(json: &str) -> String {
    rewrite_outside_strings(json, |rest| {
        ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|w| rest.starts_with(w))
            .map(|word| (word.len(), "null"))
    })
}

/// Rewrites the number literals outside strings that no f64 holds as `null`.
fn replace_huge_numbers(json: &str) -> String {
    rewrite_outside_strings(json, |rest| {
        if !rest.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            return None;
        }
        let len = rest
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
            .unwrap_or(rest.len());
        let literal = &rest[..len];
        let huge = literal.parse::<f64>().is_ok_and(|f| !f.is_finite());
        Some((len, if huge { "null" } else { literal }))
    })
}

/// Copies `json`, letting `at` replace what starts at each place outside strings: it returns
/// how many bytes it consumed and what to write instead.
fn rewrite_outside_strings<'a>(
    json: &'a str,
    at: impl Fn(&'a str) -> Option<(usize, &'a str)>,
) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut rest = json;
    while let Some(c) = rest.chars().next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if let Some((len, with)) = at(rest) {
            out.push_str(with);
            rest = &rest[len..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Rewrites `\uD800`-style escapes that are not part of a surrogate pair as `\uFFFD`.
fn replace_lone_surrogates(json: &str) -> String {
    let hex = |s: &str| -> Option<u32> {
        s.get(..4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
    };
    let mut out = String::with_capacity(json.len());
    let mut rest = json;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(code) = rest.strip_prefix("\\u").and_then(hex) else {
            // Another escape (or a lone backslash): copy it and the character it escapes.
            let len = rest[1..].chars().next().map_or(1, |c| 1 + c.len_utf8());
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        };
        let low = rest
            .get(6..)
            .and_then(|r| r.strip_prefix("\\u"))
            .and_then(hex);
        match code {
            0xD800..=0xDBFF if matches!(low, Some(0xDC00..=0xDFFF)) => {
                out.push_str(&rest[..12]);
                rest = &rest[12..];
            }
            0xD800..=0xDFFF => {
                out.push_str("\\ufffd");
                rest = &rest[6..];
            }
            _ => {
                out.push_str(&rest[..6]);
                rest = &rest[6..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The fields of a log entry, told apart without allocating for the known ones.
enum Key {
    Timestamp,
    Message,
    Event,
    Other(String),
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
                Ok(match s {
                    "timestamp" => Key::Timestamp,
                    "message" => Key::Message,
                    "event" => Key::Event,
                    other => Key::Other(other.to_string()),
                })
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for LogEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<LogEvent, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LogEvent;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a log entry")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LogEvent, A::Error> {
                let mut event = LogEvent::default();
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Timestamp => event.timestamp = Some(map.next_value()?),
                        Key::Message => event.message = Some(map.next_value()?),
                        Key::Event => event.event = Some(map.next_value()?),
                        Key::Other(k) => {
                            event.extra.insert(k, map.next_value()?);
                        }
                    }
                }
                Ok(event)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<LogEvent, A::Error> {
                let v = Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                Ok(LogEvent::message_only(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<LogEvent, E> {
                Ok(LogEvent::message_only(Value::from(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LogEvent, E> {
                Ok(LogEvent::message_only(Value::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LogEvent, E> {
                Ok(LogEvent::message_only(Value::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<LogEvent, E> {
                Ok(LogEvent::message_only(Value::from(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LogEvent, E> {
                Ok(LogEvent::message_only(Value::from(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LogEvent, E> {
                Ok(LogEvent::message_only(Value::Null))
            }
        }
        d.deserialize_any(V)
    }
}

impl LogEvent {
    fn message_only(message: Value) -> LogEvent {
        LogEvent {
            message: Some(message),
            ..LogEvent::default()
        }
    }
}

/// `logs`: an array of entries; anything else counts as absent.
fn lenient_logs<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<LogEvent>>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<Vec<LogEvent>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of log entries")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut logs = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(128));
            while let Some(event) = seq.next_element()? {
                logs.push(event);
            }
            Ok(Some(logs))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map
                .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                .is_some()
            {}
            Ok(None)
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

/// `latest_event`: `null` is kept as `Some(None)`.
fn nullable_event<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<LogEvent>>, D::Error> {
    Ok(Some(Option::<LogEvent>::deserialize(d)?))
}

/// Accepts a value of the wrong type as absent instead of failing the whole response.
fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let v = Value::deserialize(d)?;
    Ok(serde_json::from_value(v).ok())
}

/// A count: a non-negative integer, or a float or numeric string that can be read as one.
fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(match v {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Task ids are strings, but a server may echo a number.
fn id_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(match v {
        Value::Null => String::new(),
        other => text(&other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_beyond_f64_are_absent_not_a_broken_answer() {
        let digits = "9".repeat(400);
        let body = format!(
            r#"{{"result": true, "response": {{"is_processing": true, "started_at": 1e400,
            "updated_at": -{digits}, "logs_count": 2, "extra": [1e999, "1e400 in text"], "logs": [
            {{"timestamp": {digits}, "message": "a"}}, {{"timestamp": 5, "message": "b", "n": 1E+400}}]}}}}"#
        );
        let s: Envelope<TaskStatus> = super::parse(body.as_bytes()).unwrap();
        let s = s.response.unwrap();
        assert_eq!(s.started_at, None);
        assert_eq!(s.updated_at, None);
        let (lines, total) = s.window();
        assert_eq!(total, 2);
        assert_eq!(lines[0].epoch_seconds(), None);
        assert_eq!(lines[0].message, "a");
        assert_eq!(lines[1].message, "b");
        assert!(
            replace_huge_numbers(r#"["1e400", 1e400, -2.5e3]"#) == r#"["1e400", null, -2.5e3]"#
        );
    }
    use serde_json::json;

    fn parse(v: Value) -> TaskStatus {
        let env: Envelope<TaskStatus> = serde_json::from_value(v).unwrap();
        env.response.unwrap()
    }

    #[test]
    fn update7_processing() {
        let s = parse(json!({"result": true, "response": {
            "task_id": "t1", "is_processing": true, "status": "processing",
            "started_at": 1703123400, "updated_at": 1703123456.5,
            "logs_count": 12, "requested_logs_count": 2,
            "logs": [{"timestamp": 1703123455, "message": "a"}, {"timestamp": 1703123456.25, "message": "b"}],
            "latest_event": {"timestamp": 1703123456.25, "message": "b"}
        }}));
        let (w, total) = s.window();
        assert_eq!(w.len(), 2);
        assert_eq!(w[1].message, "b");
        assert_eq!(w[1].epoch_seconds(), Some(1703123456.25));
        assert_eq!(total, 12);
    }

    #[test]
    fn update6_events_render_their_fields() {
        let s = parse(json!({"result": true, "response": {
            "task_id": 42, "is_processing": true, "logs_count": 3,
            "latest_event": {"timestamp": 1755620289, "event": "processing_reels", "count": 8}
        }}));
        assert_eq!(s.task_id, "42");
        assert_eq!(s.window().0[0].message, "processing_reels count=8");
    }

    #[test]
    fn not_processing_and_null_latest() {
        let s = parse(json!({"result": true, "response": {
            "task_id": "x", "is_processing": false, "logs": [], "logs_count": 0, "latest_event": null}}));
        assert!(!s.is_processing);
        assert!(s.window().0.is_empty());
        assert_eq!(s.latest_event, Some(None));
    }

    #[test]
    fn odd_types_are_absent_not_fatal() {
        let s = parse(json!({"response": {
            "is_processing": true, "logs_count": "7", "status": 5, "logs": "nope"}}));
        assert_eq!(s.logs_count, Some(7));
        assert_eq!(s.status, None);
        assert_eq!(s.logs, None);
        let odd = parse(json!({"response": {"is_processing": true, "logs_count": 3,
            "logs": ["plain", 7, {"message": "ok", "level": "info"}]}}));
        let texts: Vec<String> = odd.window().0.into_iter().map(|l| l.message).collect();
        assert_eq!(
            texts,
            vec!["plain", "7", "ok"],
            "odd entries keep their place"
        );
        let huge = parse(
            json!({"response": {"is_processing": true, "logs_count": 9223372036854775808u64}}),
        );
        assert_eq!(huge.logs_count, Some(1 << 63));
    }

    #[test]
    fn error_envelopes_carry_a_reason() {
        let e: Envelope<TaskStatus> =
            serde_json::from_value(json!({"error": "Unauthorized: no token"})).unwrap();
        assert_eq!(e.reason(), Some("Unauthorized: no token"));
        let e: Envelope<TaskStatus> = serde_json::from_value(
            json!({"result": false, "message": "Error retrieving task status: boom"}),
        )
        .unwrap();
        assert_eq!(e.reason(), Some("Error retrieving task status: boom"));
    }

    #[test]
    fn bad_text_is_replaced_not_fatal() {
        let body = b"{\"response\": {\"is_processing\": true, \"logs\": [{\"message\": \"a\\ud800b \\ud83d\\ude00 \\\\ud800 \xff\"}]}}";
        let env: Envelope<TaskStatus> = super::parse(body).unwrap();
        let line = &env.response.unwrap().window().0[0];
        assert_eq!(line.message, "a\u{fffd}b \u{1f600} \\ud800 \u{fffd}");
    }

    #[test]
    fn non_finite_numbers_are_null_not_fatal() {
        let body = br#"{"result": true, "response": {"is_processing": true, "started_at": NaN,
            "updated_at": Infinity, "logs_count": 3, "logs": [
            {"timestamp": -Infinity, "message": "NaN and Infinity stay in text"},
            {"timestamp": NaN, "message": "b", "score": [NaN, 1.5]},
            {"timestamp": 1703123456, "message": "c \"NaN\""}]}}"#;
        let env: Envelope<TaskStatus> = super::parse(body).unwrap();
        let s = env.response.unwrap();
        assert_eq!(s.started_at, None);
        let (lines, total) = s.window();
        assert_eq!(total, 3);
        assert_eq!(lines[0].message, "NaN and Infinity stay in text");
        assert_eq!(lines[0].timestamp, Some(Value::Null));
        assert_eq!(lines[2].message, "c \"NaN\"");
        assert!(super::parse::<Value>(b"{\"a\": NaNa}").is_err());
    }
}
