//! Turning an HTTP answer into a value or an `ApiError`: the body's JSON, its size limit,
//! `Retry-After`, and the classification of transport failures. Server text that goes into an
//! error is scrubbed of the secrets before it is cut short.

use std::fmt;
use std::time::Duration;

use super::error::{ApiError, MAX_BODY_MIB};
use super::wire::{Envelope, TaskStatus};
use crate::sanitize;
use crate::secret::{Scrubber, Secret};

/// Larger bodies are refused: a status answer is a few KiB, 100 lines at most.
pub const MAX_BODY: usize = MAX_BODY_MIB * 1024 * 1024;
pub(super) const EXCERPT_CHARS: usize = 120;

/// A short excerpt of a server's text for a message: scrubbed of the secrets first (so that
/// cutting it short cannot leave part of one), then escaped and cut.
pub(super) fn excerpt(body: &[u8], max_chars: usize, secrets: &[&Secret]) -> String {
    Scrubber::new(secrets.iter().copied()).excerpt(body, max_chars)
}

/// Turns a status code and body into a task status or an error.
pub(super) fn interpret(
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
    secrets: &[&Secret],
) -> Result<TaskStatus, ApiError> {
    let expected = "`response` with `is_processing`";
    interpret_as(status, retry_after, body, expected, secrets)
}

/// Turns a status code and body into the `response` of an envelope, or an error; `expected`
/// says what a usable answer holds.
pub(super) fn interpret_as<T: serde::de::DeserializeOwned + Default>(
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
    expected: &str,
    secrets: &[&Secret],
) -> Result<T, ApiError> {
    let parsed: Result<Envelope<T>, _> = super::wire::parse(body);
    let excerpt = || excerpt(body, EXCERPT_CHARS, secrets);
    let reason = |p: &Result<Envelope<T>, _>| {
        p.as_ref()
            .ok()
            .and_then(|e: &Envelope<T>| e.reason())
            .map(|r| self::excerpt(r.as_bytes(), EXCERPT_CHARS, secrets))
    };
    let missing = || format!("the JSON has no {expected}");
    match status {
        200..=299 => match parsed {
            Ok(Envelope {
                response: Some(s), ..
            }) => Ok(s),
            Ok(env) => Err(ApiError::BadBody {
                status,
                problem: match env.reason() {
                    Some(_) => "the server reported a failure".into(),
                    None => missing(),
                },
                excerpt: excerpt(),
            }),
            Err(e) if e.is_eof() => Err(ApiError::BadBody {
                status,
                problem: "the JSON is truncated".into(),
                excerpt: excerpt(),
            }),
            Err(e) => Err(ApiError::BadBody {
                status,
                problem: if e.is_data() {
                    missing()
                } else {
                    "the body is not JSON".into()
                },
                excerpt: excerpt(),
            }),
        },
        401 | 403 => Err(ApiError::Auth {
            status,
            reason: reason(&parsed),
        }),
        _ => Err(ApiError::Status {
            status,
            excerpt: reason(&parsed).unwrap_or_else(excerpt),
            retry_after,
        }),
    }
}

pub(super) enum BodyError {
    TooLarge,
    Read(reqwest::Error),
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::TooLarge => write!(f, "body over {} bytes", MAX_BODY),
            BodyError::Read(e) => write!(f, "body unreadable: {}", error_chain(e)),
        }
    }
}

pub(super) async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `Retry-After` as seconds or an HTTP date (any of the three forms RFC 9110 allows, parsed by
/// `httpdate`, which hyper already uses); a date in the past means now.
pub(super) fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .map_or(Duration::ZERO, |d| Duration::from_secs(d.as_secs())),
    )
}

/// A URL as an error names it: without its query, and without any user name or password.
pub(super) fn error_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) => {
            u.set_query(None);
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => url.split('?').next().unwrap_or(url).to_string(),
    }
}

/// A failed request to `url` (its query is left out of what is said).
pub(super) fn classify(e: reqwest::Error, url: &str) -> ApiError {
    if e.is_timeout() {
        return ApiError::Timeout;
    }
    if caused_by_tls(&e) {
        return ApiError::Tls(error_chain(&e));
    }
    ApiError::Transport {
        url: sanitize::line(&error_url(url)),
        connect: e.is_connect(),
        detail: error_chain(&e),
    }
}

/// Was a TLS failure (an invalid certificate) behind this error? io::Errors hide the error they
/// wrap from `source()`, and hyper nests them, so each one is opened too.
pub(super) fn caused_by_tls(e: &reqwest::Error) -> bool {
    let mut current: &(dyn std::error::Error + 'static) = e;
    loop {
        if current.is::<rustls::Error>() {
            return true;
        }
        let inner = current
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|inner| inner as &(dyn std::error::Error + 'static));
        match inner.or_else(|| current.source()) {
            Some(next) => current = next,
            None => return false,
        }
    }
}

/// The innermost causes of an error, without the URL reqwest puts in front.
pub(super) fn error_chain(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    if parts.is_empty() {
        parts.push(e.without_url_ref());
    }
    sanitize::line(&parts.join(": "))
}

pub(super) trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let mut text = self.to_string();
        if let Some(url) = self.url() {
            text = text.replace(&format!(" ({url})"), "");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_names_the_url_without_query_or_credentials() {
        assert_eq!(
            error_url("http://me:pw@127.0.0.1:8080/a/t%2F1?logs_count=100"),
            "http://127.0.0.1:8080/a/t%2F1"
        );
        assert_eq!(error_url("not a url?x=1"), "not a url");
    }

    #[test]
    fn interpret_classifies() {
        let ok = br#"{"result":true,"response":{"task_id":"t","is_processing":false,"logs":[],"logs_count":0}}"#;
        assert!(!interpret(200, None, ok, &[]).unwrap().is_processing);
        let e = interpret(200, None, b"{\"result\":true,\"resp", &[]).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
        assert!(e.is_retryable());
        let e = interpret(502, None, b"<html><h1>Bad Gateway</h1></html>", &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "HTTP 502 Bad Gateway: <html><h1>Bad Gateway</h1></html>"
        );
        let e = interpret(401, None, br#"{"error":"Unauthorized: expired"}"#, &[]).unwrap_err();
        assert!(e.is_auth() && !e.is_retryable());
        assert!(e.to_string().contains("Unauthorized: expired"));
        let e = interpret(
            500,
            None,
            br#"{"result":false,"message":"Error retrieving task status: db"}"#,
            &[],
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "HTTP 500 Internal Server Error: Error retrieving task status: db"
        );
        assert!(!interpret(400, None, b"", &[]).unwrap_err().is_retryable());
        let e = interpret(200, None, b"{\"result\":true}", &[]).unwrap_err();
        assert!(e.to_string().contains("no `response`"), "{e}");
    }

    #[test]
    fn excerpts_are_scrubbed_before_they_are_cut() {
        let token = Secret::new("tok-0123456789abcdef");
        let body = format!("{}{}", "x".repeat(110), token.expose());
        let e = interpret(500, None, body.as_bytes(), &[&token]).unwrap_err();
        let text = e.to_string();
        assert!(!text.contains("tok-0123"), "{text}");
        assert!(text.contains("****"), "{text}");
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        // IMF-fixdate and the two obsolete forms, all in the past.
        for past in [
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Wednesday, 21-Oct-15 07:28:00 GMT",
            "Wed Oct 21 07:28:00 2015",
        ] {
            assert_eq!(parse_retry_after(past), Some(Duration::ZERO), "{past}");
        }
        let later = std::time::SystemTime::now() + Duration::from_secs(120);
        let wait = parse_retry_after(&httpdate::fmt_http_date(later)).unwrap();
        assert!((Duration::from_secs(100)..=Duration::from_secs(120)).contains(&wait));
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("Wed, 32 Oct 2015 07:28:00 GMT"), None);
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;
        use serde_json::Value;

        fn json_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                any::<u64>().prop_map(Value::from),
                any::<f64>().prop_map(
                    |f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
                ),
                ".{0,12}".prop_map(Value::from),
                prop_oneof![
                    Just("response"),
                    Just("is_processing"),
                    Just("logs"),
                    Just("logs_count"),
                    Just("latest_event"),
                    Just("message"),
                    Just("timestamp"),
                    Just("event")
                ]
                .prop_map(Value::from),
            ];
            leaf.prop_recursive(4, 64, 8, |inner| {
                let key = prop_oneof![
                    Just("result".to_string()),
                    Just("response".to_string()),
                    Just("is_processing".to_string()),
                    Just("logs".to_string()),
                    Just("logs_count".to_string()),
                    Just("latest_event".to_string()),
                    Just("message".to_string()),
                    Just("timestamp".to_string()),
                    Just("event".to_string()),
                    Just("status".to_string()),
                    "[a-z]{1,6}",
                ];
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                    proptest::collection::btree_map(key, inner, 0..6)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]

            /// Whatever the bytes, the answer is a status or an error, never a panic.
            #[test]
            fn arbitrary_bytes_never_panic(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..400)) {
                if let Ok(s) = interpret(status, None, &body, &[]) {
                    let _ = s.window();
                }
            }

            /// Arbitrary JSON, shaped like the real answers or not: never a panic, and a 2xx
            /// answer without a usable `response` is a retryable error.
            #[test]
            fn arbitrary_json_never_panics(status in prop_oneof![Just(200u16), 100u16..600], v in json_value()) {
                let body = serde_json::to_vec(&v).unwrap();
                match interpret(status, None, &body, &[]) {
                    Ok(s) => {
                        let (w, total) = s.window();
                        prop_assert!(total >= w.len() as u64);
                        for line in &w {
                            let _ = line.epoch_seconds();
                        }
                    }
                    Err(e) => {
                        let _ = e.to_string();
                        if (200..300).contains(&status) {
                            prop_assert!(e.is_retryable());
                        }
                    }
                }
            }

            /// Any text, and invalid UTF-8 (replaced), inside a plausible answer still parses.
            /// (Raw control bytes are not JSON; servers escape them.)
            #[test]
            fn hostile_messages_parse(text in "\\PC{0,40}", raw in proptest::collection::vec(any::<u8>(), 0..40)) {
                let mut body = format!(
                    r#"{{"result": true, "response": {{"is_processing": true, "logs_count": 2, "logs": [{{"timestamp": 1, "message": {}}}, {{"timestamp": 2, "message": "#,
                    serde_json::to_string(&text).unwrap()
                ).into_bytes();
                body.push(b'"');
                body.extend(raw.iter().filter(|&&b| b >= 0x20 && b != b'"' && b != b'\\'));
                body.extend_from_slice(b"\"}]}}");
                let s = interpret(200, None, &body, &[]).unwrap();
                prop_assert_eq!(&s.window().0[0].message, &text);
            }
        }
    }
}
