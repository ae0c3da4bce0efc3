//! Value parsers of the flags that only the command line has (task ids, headers, regexes, line
//! counts), and `Checked`, which makes every parser's usage error quote a short, escaped
//! excerpt of the wrong value.

use reqwest::header::{HeaderName, HeaderValue};

use crate::config::{parse_logs_count, LogsCount, LINES_RANGE};
use crate::sanitize;

pub(super) fn parse_status_lines(s: &str) -> Result<u8, String> {
    match parse_logs_count(s) {
        Ok(LogsCount::Fixed(n)) => Ok(n),
        _ => Err(LINES_RANGE.into()),
    }
}

/// A count or an index: a whole number from 0 to 2^64 - 1.
pub(super) fn parse_count(s: &str) -> Result<u64, String> {
    s.parse()
        .map_err(|_| format!("expected a whole number from 0 to {}", u64::MAX))
}

/// A count of at least 1.
pub(super) fn parse_positive_count(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("expected a whole number from 1 to {}", u64::MAX)),
    }
}

/// `--run K`: 1 is a task's oldest recorded run, 2 the next; -1 the latest, -2 the one before.
pub(super) fn parse_run_number(s: &str) -> Result<i64, String> {
    match s.parse::<i64>() {
        Ok(n) if n != 0 => Ok(n),
        _ => Err("expected a run number: 1 is the oldest recorded, -1 the latest (not 0)".into()),
    }
}

/// The longest task id taken: real ids are short, and a much longer one cannot form a URL a
/// server accepts (percent-encoding may triple it).
pub const MAX_TASK_ID_BYTES: usize = 1024;

/// A task id travels as one path segment: `.` and `..` (in any percent-encoded form) would be
/// resolved away by the URL and address another resource, so they are refused.
pub(super) fn parse_task_id(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Err("a task id cannot be empty".into());
    }
    if s.len() > MAX_TASK_ID_BYTES {
        return Err(format!(
            "a task id is at most {MAX_TASK_ID_BYTES} bytes (this one has {})",
            s.len()
        ));
    }
    let decoded = percent_encoding::percent_decode_str(s).decode_utf8_lossy();
    if matches!(decoded.as_ref(), "." | "..") || matches!(s, "." | "..") {
        return Err("`.` and `..` are not task ids: they would address another path".into());
    }
    Ok(s.to_string())
}

/// The most characters of a wrong value quoted back in a usage error.
pub(super) const QUOTED_CHARS: usize = 60;
/// The most characters of the reason given for it.
pub(super) const REASON_CHARS: usize = 400;

/// A value parser whose usage error quotes a short, escaped excerpt of the value (clap's own
/// quotes all of it, raw: a 100,000-character id or a terminal escape would be printed back).
#[derive(Clone)]
pub struct Checked<T>(pub fn(&str) -> Result<T, String>);

impl<T: Clone + Send + Sync + 'static> clap::builder::TypedValueParser for Checked<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let name = arg.map_or_else(|| "the value".to_string(), |a| a.to_string());
        let fail = |message: String| {
            clap::Error::raw(clap::error::ErrorKind::ValueValidation, message)
                .format(&mut cmd.clone())
        };
        let Some(text) = value.to_str() else {
            return Err(fail(format!("the value for '{name}' is not valid UTF-8")));
        };
        (self.0)(text).map_err(|reason| {
            let mut reason = sanitize::lines(&reason).join("\n");
            if let Some((cut, _)) = reason.char_indices().nth(REASON_CHARS) {
                reason.truncate(cut);
                reason.push('…');
            }
            fail(format!(
                "invalid value '{}' for '{name}': {reason}",
                sanitize::excerpt(without_userinfo(text).as_bytes(), QUOTED_CHARS)
            ))
        })
    }
}

/// A value as it may be quoted back: a URL's `user:password@` is shown as `***@`, with a scheme
/// or without.
pub(super) fn without_userinfo(text: &str) -> String {
    crate::config::masked_url(text)
}

pub(super) fn parse_header(s: &str) -> Result<(HeaderName, HeaderValue), String> {
    let (name, value) = s
        .split_once(':')
        .ok_or("expected `Name: value`".to_string())?;
    let name = HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| format!("`{}` is not a valid header name", name.trim()))?;
    let value = HeaderValue::from_str(value.trim())
        .map_err(|_| "the header value has characters not allowed in HTTP".to_string())?;
    Ok((name, value))
}

pub(super) fn parse_regex(s: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(s).map_err(|e| sanitize::regex_error(&e))
}
