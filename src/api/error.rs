//! Why a request did not give a usable answer, and which failures are retried. HTTP and JSON
//! terms only: what a person should do about it is the renderer's to say.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

use crate::outcome::Outcome;

/// Larger bodies are refused (`client::MAX_BODY` in bytes).
pub const MAX_BODY_MIB: usize = 4;

/// Why a request did not give a usable answer.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 401 or 403: not retried.
    Auth {
        status: u16,
        reason: Option<String>,
    },
    /// An HTTP error status; 408, 429 and 5xx are retried, other 4xx are final.
    Status {
        status: u16,
        excerpt: String,
        retry_after: Option<Duration>,
    },
    /// Every status path answered 404: the base URL or the API path is wrong.
    NoRoute {
        tried: Vec<String>,
    },
    /// A 2xx answer that is not the expected JSON (an HTML page, a truncated body, …).
    BadBody {
        status: u16,
        problem: String,
        excerpt: String,
    },
    TooLarge {
        status: u16,
    },
    /// A redirect to another origin, not followed.
    Redirect {
        status: u16,
        location: String,
    },
    Timeout,
    /// Connection refused or reset, DNS failure, a body cut short: retried. `url` without its
    /// query; `connect` when no connection could be made at all.
    Transport {
        url: String,
        connect: bool,
        detail: String,
    },
    /// The TLS handshake failed (an invalid certificate): final.
    Tls(String),
}

impl ApiError {
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Status { status, .. } => matches!(status, 408 | 429 | 500..=599),
            ApiError::BadBody { .. }
            | ApiError::TooLarge { .. }
            | ApiError::Timeout
            | ApiError::Transport { .. } => true,
            ApiError::Auth { .. }
            | ApiError::NoRoute { .. }
            | ApiError::Redirect { .. }
            | ApiError::Tls(_) => false,
        }
    }

    pub fn is_auth(&self) -> bool {
        matches!(self, ApiError::Auth { .. })
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// An API error ends a task as an authentication or an API failure.
impl From<&ApiError> for Outcome {
    fn from(e: &ApiError) -> Outcome {
        if e.is_auth() {
            Outcome::AuthError
        } else {
            Outcome::ApiError
        }
    }
}

impl ApiError {
    /// Where a connection could not be made (`scheme://host:port`), when that is the error.
    pub fn unreachable(&self) -> Option<String> {
        match self {
            ApiError::Transport {
                url, connect: true, ..
            } => Some(origin(url)),
            _ => None,
        }
    }
}

/// `scheme://host:port` of a URL (the URL itself if it does not parse).
fn origin(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => u.origin().ascii_serialization(),
        Err(_) => url.to_string(),
    }
}

fn status_text(status: u16) -> String {
    match StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("HTTP {status} {reason}"),
        None => format!("HTTP {status}"),
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Auth { status, reason } => {
                write!(f, "{}: authentication rejected", status_text(*status))?;
                if let Some(r) = reason {
                    write!(f, " ({r})")?;
                }
                Ok(())
            }
            ApiError::Status {
                status, excerpt, ..
            } => {
                write!(f, "{}", status_text(*status))?;
                if !excerpt.is_empty() {
                    write!(f, ": {excerpt}")?;
                }
                Ok(())
            }
            ApiError::NoRoute { tried } => {
                write!(f, "HTTP 404 Not Found at {}", tried.join(" and at "))
            }
            ApiError::BadBody {
                status,
                problem,
                excerpt,
            } => {
                write!(f, "{}, but {problem}", status_text(*status))?;
                if !excerpt.is_empty() {
                    write!(f, ": {excerpt}")?;
                }
                Ok(())
            }
            ApiError::TooLarge { status } => write!(
                f,
                "{}, but the body is over {} MiB: refused",
                status_text(*status),
                MAX_BODY_MIB
            ),
            ApiError::Redirect { status, location } => write!(
                f,
                "{}: redirected to another origin ({location}); not followed, so the token is not sent there",
                status_text(*status)
            ),
            ApiError::Timeout => f.write_str("the request timed out"),
            ApiError::Transport {
                url,
                connect: true,
                detail,
            } => write!(f, "cannot connect to {}: {detail}", origin(url)),
            ApiError::Transport { url, detail, .. } => {
                write!(f, "request to {url} failed: {detail}")
            }
            ApiError::Tls(detail) => write!(f, "TLS failure: {detail}"),
        }
    }
}
