//! The backend's JSON, as every server version sends it (Update 6, 7 and 8), and its
//! normalisation into log lines. Deserialising is tolerant: unknown fields are ignored, numbers
//! may be integers or floats, and a field of an unexpected type is treated as absent rather than
//! failing the whole response. The simulator serialises the same types.
//!
//! Here: the envelope every answer comes in and the field readers the shapes share. Each shape
//! has its own file: `status` (a task's status and its window of lines), `event` (one log
//! entry, whatever JSON it is); `repair` turns a body that is not quite JSON into JSON.

mod event;
mod repair;
mod status;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

pub use crate::line::{epoch_seconds, LogLine};
pub use event::LogEvent;
pub use repair::parse;
pub use status::TaskStatus;

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

/// A JSON value as text: a string as it is, anything else as JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
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
}
