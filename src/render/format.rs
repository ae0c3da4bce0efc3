//! How one log line, marker or end record looks in each output format.

use chrono::{DateTime, Local, SecondsFormat, Utc};
use colored::{Color, Colorize};
use regex::Regex;
use serde::Serialize;
use serde_json::Value;

use crate::events::Report;
use crate::fraction::{EtaSource, Snapshot};
use crate::line::LogLine;
use crate::sanitize;
use crate::tracker::RestartReason;

/// A timestamp in seconds since the epoch, if it is one.
pub fn datetime(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() {
        return None;
    }
    let whole = seconds.floor();
    let nanos = ((seconds - whole) * 1e9).round().min(999_999_999.0) as u32;
    DateTime::from_timestamp(whole as i64, nanos)
}

/// `HH:MM:SS`, local or UTC.
pub fn clock(line: &LogLine, utc: bool) -> String {
    match line.epoch_seconds().and_then(datetime) {
        Some(t) if utc => t.format("%H:%M:%S").to_string(),
        Some(t) => t.with_timezone(&Local).format("%H:%M:%S").to_string(),
        None => "--:--:--".into(),
    }
}

/// RFC 3339 with the offset, local or UTC.
pub fn rfc3339(seconds: Option<f64>, utc: bool) -> String {
    match seconds.and_then(datetime) {
        Some(t) if utc => t.to_rfc3339_opts(SecondsFormat::AutoSi, false),
        Some(t) => t
            .with_timezone(&Local)
            .to_rfc3339_opts(SecondsFormat::AutoSi, false),
        None => "-".into(),
    }
}

/// A colour for a task id that stays the same from run to run.
pub fn task_color(task_id: &str) -> Color {
    const PALETTE: [Color; 6] = [
        Color::Cyan,
        Color::Magenta,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::BrightRed,
    ];
    let h = task_id
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    PALETTE[h as usize % PALETTE.len()]
}

/// The lines of a human-readable log entry; continuation lines are indented under the first.
pub fn human(prefix: &str, line: &LogLine, utc: bool) -> String {
    human_with(prefix, &clock(line, utc), line, &[])
}

/// Human output with a given stamp (a clock time, or a time since the task started); what
/// `highlight` matches in the escaped text is shown bold and inverse.
pub fn human_with(prefix: &str, stamp: &str, line: &LogLine, highlight: &[Regex]) -> String {
    let indent = " ".repeat(stamp.chars().count() + 1);
    join(
        prefix,
        &stamp.dimmed().to_string(),
        &indent,
        &line.message,
        highlight,
    )
}

/// `text` (already made safe to print) with what `patterns` match shown bold and inverse.
/// Matching the escaped text means a pattern can only ever select visible characters: the
/// escapes added here are the only ones in the result.
pub fn highlight(text: &str, patterns: &[Regex]) -> String {
    let mut spans: Vec<(usize, usize)> = patterns
        .iter()
        .flat_map(|re| re.find_iter(text))
        .filter(|m| !m.is_empty())
        .map(|m| (m.start(), m.end()))
        .collect();
    if spans.is_empty() {
        return text.to_string();
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len() + 16 * spans.len());
    let mut at = 0;
    let mut i = 0;
    while i < spans.len() {
        let (start, mut end) = spans[i];
        // Overlapping or touching matches are one span.
        while i + 1 < spans.len() && spans[i + 1].0 <= end {
            end = end.max(spans[i + 1].1);
            i += 1;
        }
        let start = start.max(at);
        out.push_str(&text[at..start]);
        out.push_str(&text[start..end].bold().reversed().to_string());
        at = end;
        i += 1;
    }
    out.push_str(&text[at..]);
    out
}

/// `+MM:SS` (or `+H:MM:SS`) from `origin` to the line's time.
pub fn since(line: &LogLine, origin: Option<f64>) -> String {
    match (line.epoch_seconds(), origin) {
        (Some(t), Some(o)) if t.is_finite() && o.is_finite() => {
            let secs = (t - o).clamp(0.0, 1e9) as u64;
            if secs >= 3600 {
                format!("+{}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
            } else {
                format!("+{:02}:{:02}", secs / 60, secs % 60)
            }
        }
        _ => "+--:--".into(),
    }
}

pub fn plain(prefix: &str, line: &LogLine, utc: bool) -> String {
    let stamp = rfc3339(line.epoch_seconds(), utc);
    let indent = " ".repeat(stamp.len() + 1);
    join(prefix, &stamp, &indent, &line.message, &[])
}

fn join(prefix: &str, stamp: &str, indent: &str, message: &str, marks: &[Regex]) -> String {
    let mut out = String::new();
    for (i, text) in sanitize::lines(message).iter().enumerate() {
        let text = if marks.is_empty() {
            text.clone()
        } else {
            highlight(text, marks)
        };
        out.push_str(prefix);
        if i == 0 {
            out.push_str(stamp);
            out.push(' ');
        } else {
            out.push_str(indent);
        }
        out.push_str(&text);
        out.push('\n');
    }
    out
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record<'a> {
    Log {
        task_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        profile: Option<&'a str>,
        index: u64,
        timestamp: &'a Option<Value>,
        time: Option<String>,
        message: &'a str,
    },
    Gap {
        task_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        profile: Option<&'a str>,
        missed: Option<u64>,
        /// Why the count is unknown, when it is not a plain scroll past: `ambiguous`.
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<&'static str>,
    },
    Restart {
        task_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        profile: Option<&'a str>,
        reason: &'static str,
    },
    Progress {
        task_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        profile: Option<&'a str>,
        #[serde(flatten)]
        progress: ProgressFields<'a>,
    },
    End {
        task_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        profile: Option<&'a str>,
        outcome: &'static str,
        exit_code: u8,
        lines: u64,
        missed: u64,
        unknown_gaps: u64,
        requests: u64,
        elapsed_s: f64,
        resume_from_index: u64,
        hidden: u64,
        progress: Option<ProgressFields<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<&'a str>,
    },
    /// `--all` started following a task; `run` counts its pick-ups.
    Follow {
        task_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        profile: Option<&'a str>,
        run: u32,
    },
}

/// A task's progress in a `progress` record and in the `end` record.
#[derive(Serialize)]
pub struct ProgressFields<'a> {
    label: &'a str,
    done: u64,
    total: u64,
    eta_s: Option<u64>,
    /// `rate` (this run's pace) or `history` (past runs' durations), with `eta_s`.
    eta_source: Option<&'static str>,
}

impl<'a> From<&'a Snapshot> for ProgressFields<'a> {
    fn from(p: &'a Snapshot) -> Self {
        ProgressFields {
            label: &p.label,
            done: p.done,
            total: p.total,
            eta_s: p.eta_s,
            eta_source: p.eta_s.and(p.eta_source).map(EtaSource::as_str),
        }
    }
}

impl<'a> Record<'a> {
    pub fn log(task_id: &'a str, index: u64, line: &'a LogLine) -> Self {
        Record::Log {
            task_id,
            profile: None,
            index,
            timestamp: &line.timestamp,
            time: line
                .epoch_seconds()
                .and_then(datetime)
                .map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            message: &line.message,
        }
    }

    pub fn gap(task_id: &'a str, missed: Option<u64>) -> Self {
        Record::Gap {
            task_id,
            profile: None,
            missed,
            reason: None,
        }
    }

    /// A window that could be read more than one way: lines may have been missed.
    pub fn ambiguous(task_id: &'a str) -> Self {
        Record::Gap {
            task_id,
            profile: None,
            missed: None,
            reason: Some("ambiguous"),
        }
    }

    pub fn restart(task_id: &'a str, reason: RestartReason) -> Self {
        Record::Restart {
            task_id,
            profile: None,
            reason: reason.as_str(),
        }
    }

    pub fn progress(task_id: &'a str, progress: &'a Snapshot) -> Self {
        Record::Progress {
            task_id,
            profile: None,
            progress: progress.into(),
        }
    }

    /// The end record; `error` is the worded, escaped reason (see `summary::detail`).
    pub fn end(task_id: &'a str, r: &'a Report, error: Option<&'a str>) -> Self {
        let outcome = r.outcome();
        Record::End {
            task_id,
            profile: None,
            outcome: outcome.as_str(),
            exit_code: outcome.exit_code(),
            lines: r.lines,
            missed: r.missed,
            unknown_gaps: r.unknown_gaps,
            requests: r.requests,
            elapsed_s: (r.elapsed.as_secs_f64() * 10.0).round() / 10.0,
            resume_from_index: r.resume_from,
            hidden: r.hidden,
            progress: r.progress.as_ref().map(ProgressFields::from),
            error,
        }
    }

    pub fn follow(task_id: &'a str, profile: Option<&'a str>, run: u32) -> Self {
        Record::Follow {
            task_id,
            profile,
            run,
        }
    }

    /// The record with the task's profile handle (`"profile"`, when known).
    pub fn profile(mut self, handle: Option<&'a str>) -> Self {
        match &mut self {
            Record::Log { profile, .. }
            | Record::Gap { profile, .. }
            | Record::Restart { profile, .. }
            | Record::End { profile, .. }
            | Record::Progress { profile, .. }
            | Record::Follow { profile, .. } => *profile = handle,
        }
        self
    }

    pub fn to_line(&self) -> String {
        // Records hold only strings and numbers: serialising cannot fail.
        let mut s = serde_json::to_string(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_log_keeps_the_exact_text_and_timestamp() {
        let line = LogLine::new(Some(json!(1703123456)), "a\u{1b}[2Jb\nc".into());
        let out = Record::log("t1", 17, &line).to_line();
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v,
            json!({"type":"log","task_id":"t1","index":17,"timestamp":1703123456,
                   "time":"2023-12-21T01:50:56Z","message":"a\u{1b}[2Jb\nc"})
        );
    }

    #[test]
    fn plain_escapes_and_indents() {
        let line = LogLine::new(Some(json!(1703123456.5)), "first\u{7}\nsecond".into());
        assert_eq!(
            plain("", &line, true),
            "2023-12-21T01:50:56.500+00:00 first\\x07\n                              second\n"
        );
    }

    #[test]
    fn relative_stamps() {
        let line = LogLine::new(Some(json!(1000)), "m".into());
        assert_eq!(since(&line, Some(917.0)), "+01:23");
        assert_eq!(since(&line, Some(1000.0 - 3725.0)), "+1:02:05");
        assert_eq!(since(&line, None), "+--:--");
        assert_eq!(since(&line, Some(2000.0)), "+00:00");
    }

    #[test]
    fn odd_timestamps() {
        assert!(datetime(f64::NAN).is_none());
        assert!(datetime(1e300).is_none());
        let line = LogLine::new(None, "m".into());
        assert_eq!(clock(&line, true), "--:--:--");
    }
}
