//! A task's status, the answer to `task_status/<id>?logs_count=N`: its fields as every server
//! version sends them (counts that are floats or strings, ids that are numbers, `logs` that is
//! not an array, Update 6's single `latest_event`), and the window of lines it holds.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::{lenient, text, LogEvent, LogLine};

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
