//! The words of `taskwatch status`: the task's state, progress and latest lines as text, or as
//! one JSON object; lines holding a secret masked, server text escaped.

use serde::Serialize;
use serde_json::Value;

use super::format::{self, ProgressFields, Record};
use crate::api::wire::{epoch_seconds, TaskStatus};
use crate::config::{OutputFormat, Presentation};
use crate::events::Followed;
use crate::fraction::Snapshot;
use crate::line::LogLine;
use crate::sanitize;
use crate::secret::Scrubber;

#[derive(Serialize)]
struct StatusRecord<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    task_id: &'a str,
    /// The tracked profile's handle, when the task was named by it (`@name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<&'a str>,
    is_processing: bool,
    status: Option<&'a str>,
    started_at: &'a Option<Value>,
    updated_at: &'a Option<Value>,
    logs_count: u64,
    progress: Option<ProgressFields<'a>>,
    logs: Vec<Record<'a>>,
}

/// What `status` prints for the task: one JSON object, or its state and latest lines as text.
/// `progress`: what the latest lines show, when the task is processing.
pub fn report(
    task: &Followed,
    s: &TaskStatus,
    progress: Option<&Snapshot>,
    display: &Presentation,
    scrubber: &Scrubber,
) -> String {
    match display.format {
        OutputFormat::Json => json(task, s, progress, scrubber),
        OutputFormat::Human | OutputFormat::Plain => text(task, s, progress, display, scrubber),
    }
}

/// The lines of the window, any holding the token (or the URL's password) masked.
fn window(s: &TaskStatus, scrubber: &Scrubber) -> (Vec<LogLine>, u64) {
    let (lines, total) = s.window();
    let lines = lines
        .into_iter()
        .map(|l| match scrubber.mask(&l.message) {
            Some(m) => LogLine::new(l.timestamp, m),
            None => l,
        })
        .collect();
    (lines, total)
}

fn json(
    task: &Followed,
    s: &TaskStatus,
    progress: Option<&Snapshot>,
    scrubber: &Scrubber,
) -> String {
    let (task_id, profile) = (task.id.as_str(), task.profile.as_deref());
    let (lines, total) = window(s, scrubber);
    let first = total.saturating_sub(lines.len() as u64);
    let record = StatusRecord {
        kind: "status",
        task_id,
        profile,
        is_processing: s.is_processing,
        status: s.status.as_deref(),
        started_at: &s.started_at,
        updated_at: &s.updated_at,
        logs_count: total,
        progress: progress.map(ProgressFields::from),
        logs: lines
            .iter()
            .enumerate()
            .map(|(i, l)| Record::log(task_id, first.saturating_add(i as u64), l).profile(profile))
            .collect(),
    };
    // Strings and numbers only: serialising cannot fail.
    let mut out = serde_json::to_string(&record).unwrap_or_default();
    out.push('\n');
    out
}

fn when(v: &Option<Value>, display: &Presentation) -> String {
    let seconds = v.as_ref().and_then(epoch_seconds);
    let Some(t) = seconds.and_then(format::datetime) else {
        return "unknown".into();
    };
    let ago = (chrono::Utc::now() - t).to_std().unwrap_or_default();
    format!(
        "{} ({} ago)",
        format::rfc3339(seconds, display.utc),
        super::duration(ago)
    )
}

fn text(
    task: &Followed,
    s: &TaskStatus,
    progress: Option<&Snapshot>,
    display: &Presentation,
    scrubber: &Scrubber,
) -> String {
    // The task as it is named: `@handle`, else its id.
    let id = super::label(task);
    if !s.is_processing {
        return format!(
            "{id}: not processing (it has finished, or the id is unknown: the API cannot tell which)\n"
        );
    }
    let (lines, total) = window(s, scrubber);
    let mut out = format!(
        "{id}: processing (status: {})\n  started   {}\n  updated   {}\n  lines     {} in total\n",
        sanitize::line(s.status.as_deref().unwrap_or("unknown")),
        when(&s.started_at, display),
        when(&s.updated_at, display),
        total,
    );
    if let Some(p) = progress {
        let label = scrubber.clean(&p.label);
        let shown = super::progress::fraction(p, &label);
        let of = if label.is_empty() {
            String::new()
        } else {
            format!(" ({label})")
        };
        out.push_str(&format!("  progress  {shown}{of}\n"));
    }
    if !lines.is_empty() {
        out.push_str("  latest:\n");
        for line in &lines {
            let shown = match display.format {
                OutputFormat::Human => format::human("    ", line, display.utc),
                _ => format::plain("    ", line, display.utc),
            };
            out.push_str(&shown);
        }
    }
    out
}
