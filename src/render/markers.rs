//! The words of the markers written between log lines and of the other notes on stderr: gaps,
//! restarts, retries, triggers, and the hints that go with API errors.

use std::time::Duration;

use super::duration;
use crate::api::ApiError;
use crate::tracker::RestartReason;

pub const NOT_PROCESSING: &str = "the task is not processing: it has either finished already or the id is unknown (the API cannot tell which); use --start-timeout to wait for a task that was just started, or --trigger profile to start it";

/// A task the listing holds (named by `@name`, or found there) is known: it is idle.
pub const LISTED_NOT_PROCESSING: &str = "the task is not processing now (the listing holds it: it has finished, or its next run has not started); use --start-timeout to wait for it to start, or --trigger profile to start it";

pub const LAST_MOMENTS: &str = "lines written in the last moments before the end may be missing: the server drops a task's log when it ends";

pub fn gap(missed: Option<u64>) -> String {
    match missed {
        Some(1) => "1 line scrolled past before it could be read".to_string(),
        Some(n) => format!("{n} lines scrolled past before they could be read"),
        None => "an unknown number of lines scrolled past before they could be read".to_string(),
    }
}

pub const AMBIGUOUS: &str = "identical lines make the server's window ambiguous: the lines that follow are those it surely holds, and an unknown number of lines (possibly none) may have been missed";

pub fn restart(reason: RestartReason) -> &'static str {
    match reason {
        RestartReason::Reset => "the task's log started over",
        RestartReason::Realigned => {
            "the server's line count no longer matches its lines; following them by content"
        }
    }
}

pub fn flapped(flaps: u32) -> String {
    let times = if flaps == 1 {
        "once".to_string()
    } else {
        format!("{flaps} times")
    };
    format!("an answer said the task had ended, the next that it is processing: still following (ends not confirmed: {times})")
}

pub fn retrying(error: &str, delay: Duration) -> String {
    format!("{error}; retrying in {}", duration(delay))
}

pub fn retry_status(attempt: u32, error: &str) -> String {
    format!("retrying (attempt {attempt}): {error}")
}

pub fn recovered(failures: u32) -> String {
    let s = if failures == 1 { "" } else { "s" };
    format!("recovered after {failures} failed request{s}")
}

pub fn triggered(id: &str, already_running: bool) -> String {
    if already_running {
        format!("{id} is already being processed: following it")
    } else {
        format!("started {id}")
    }
}

pub fn token_expired(at: &str) -> String {
    format!("the token expired at {at}: the server will reject requests from now on")
}

/// What to check when the very first request could not connect to `origin`.
pub fn unreachable(origin: &str) -> String {
    format!("is the backend running at {origin}? set --base-url or TASKWATCH_URL")
}

/// What a person can do about an error of a run's first request (no answer yet), if anything.
pub fn first_hint(e: &ApiError) -> Option<String> {
    match e.unreachable() {
        Some(origin) => Some(unreachable(&origin)),
        None => hint(e).map(str::to_string),
    }
}

/// What to do when `login` is refused.
pub const LOGIN_REJECTED: &str = "check the email and the password (the password is read from standard input with --password-stdin)";

/// What a person can do about an API error, if anything obvious.
pub fn hint(e: &ApiError) -> Option<&'static str> {
    match e {
        ApiError::Auth { .. } => {
            Some("check the token (--token-file PATH, TASKWATCH_TOKEN or --token): it may be missing, expired or for another server; `taskwatch login` stores a new one")
        }
        ApiError::NoRoute { .. } => Some("check --base-url, or pass --api-path"),
        // What rustls reads when the other end answers in plain HTTP.
        ApiError::Tls(detail) if detail.contains("InvalidContentType") => {
            Some("the server does not speak TLS: use http:// in --base-url")
        }
        ApiError::Tls(_) => Some("for a private CA, pass its certificate with --cacert PATH"),
        ApiError::Redirect { .. } => Some("point --base-url at the server that answers"),
        _ => None,
    }
}

/// A heartbeat: `still processing after 5m 00s: 120 lines seen, 3/12 posts · 25% · ETA 40s`
/// (`progress` already worded and safe), or, before the task was seen, how long it was waited for.
pub fn heartbeat(
    seen_for: Option<std::time::Duration>,
    waited: std::time::Duration,
    lines: u64,
    progress: Option<String>,
) -> String {
    let Some(seen_for) = seen_for else {
        return format!("not processing yet (waited {})", super::duration(waited));
    };
    let mut text = format!(
        "still processing after {}: {} seen",
        super::duration(seen_for),
        count(lines, "line")
    );
    if let Some(p) = progress {
        text.push_str(", ");
        text.push_str(&p);
    }
    text
}

/// `1 line`, `2 lines`.
pub fn count(n: u64, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}
