//! One log entry: `logs`' `{timestamp, message}`, or Update 6's `{timestamp, event, …fields}`.
//! Any JSON value is one entry (a string, a number, an array: taken as the message), so an odd
//! entry never shifts the window against the server's total.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::{text, LogLine};

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
