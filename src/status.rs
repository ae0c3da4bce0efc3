//! `taskwatch status`: one request, the task's state and latest lines.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

use crate::api::wire::{epoch_seconds, TaskStatus};
use crate::api::Client;
use crate::cli::{OutputFormat, StatusArgs};
use crate::config::Display;
use crate::outcome::Outcome;
use crate::render::format::{self, Record};
use crate::render::sanitize;

#[derive(Serialize)]
struct StatusRecord<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    task_id: &'a str,
    is_processing: bool,
    status: Option<&'a str>,
    started_at: &'a Option<Value>,
    updated_at: &'a Option<Value>,
    logs_count: u64,
    logs: Vec<Record<'a>>,
}

pub async fn run(args: &StatusArgs, client: &Client, display: &Display) -> u8 {
    let fetched = client
        .fetch(&client.task_urls(&args.task_id), args.logs_count)
        .await;
    if display.verbose > 0 {
        for note in &fetched.notes {
            let _ = writeln!(io::stderr(), "taskwatch: {}", sanitize::line(note));
        }
    }
    let status = match fetched.result {
        Ok(s) => s,
        Err(e) => {
            crate::error(&e.to_string());
            if let Some(hint) = e.hint() {
                let _ = writeln!(io::stderr(), "taskwatch: hint: {hint}");
            }
            return if e.is_auth() {
                Outcome::AuthError.exit_code()
            } else {
                Outcome::ApiError.exit_code()
            };
        }
    };
    let text = match display.format {
        OutputFormat::Json => json(&args.task_id, &status),
        OutputFormat::Human | OutputFormat::Plain => text(&args.task_id, &status, display),
    };
    let mut out = io::stdout().lock();
    // A closed pipe is not an error worth a message.
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
    if status.is_processing {
        0
    } else {
        Outcome::NotSeen.exit_code()
    }
}

fn json(task_id: &str, s: &TaskStatus) -> String {
    let lines = s.window();
    let total = s.total(lines.len()).max(lines.len() as u64);
    let first = total - lines.len() as u64;
    let record = StatusRecord {
        kind: "status",
        task_id,
        is_processing: s.is_processing,
        status: s.status.as_deref(),
        started_at: &s.started_at,
        updated_at: &s.updated_at,
        logs_count: s.total(lines.len()),
        logs: lines
            .iter()
            .enumerate()
            .map(|(i, l)| Record::log(task_id, first + i as u64, l))
            .collect(),
    };
    let mut out = serde_json::to_string(&record).expect("records always serialise");
    out.push('\n');
    out
}

fn when(v: &Option<Value>, display: &Display) -> String {
    let seconds = v.as_ref().and_then(epoch_seconds);
    let Some(t) = seconds.and_then(format::datetime) else {
        return "unknown".into();
    };
    let ago = (chrono::Utc::now() - t).to_std().unwrap_or_default();
    format!(
        "{} ({} ago)",
        format::rfc3339(seconds, display.utc),
        crate::render::duration(ago)
    )
}

fn text(task_id: &str, s: &TaskStatus, display: &Display) -> String {
    let id = sanitize::line(task_id);
    if !s.is_processing {
        return format!(
            "{id}: not processing (it has finished, or the id is unknown: the API cannot tell which)\n"
        );
    }
    let lines = s.window();
    let mut out = format!(
        "{id}: processing (status: {})\n  started   {}\n  updated   {}\n  lines     {} in total\n",
        sanitize::line(s.status.as_deref().unwrap_or("unknown")),
        when(&s.started_at, display),
        when(&s.updated_at, display),
        s.total(lines.len()),
    );
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
