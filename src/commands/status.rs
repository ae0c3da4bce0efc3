//! `taskwatch status`: one request, the task's state and latest lines.

use serde::Serialize;
use serde_json::Value;

use crate::api::wire::{epoch_seconds, TaskStatus};
use crate::api::Client;
use crate::commands::session::Session;
use crate::config::{OutputFormat, Presentation, StatusRequest};
use crate::events::Followed;
use crate::fraction::{Progress, Snapshot};
use crate::line::LogLine;
use crate::messages;
use crate::outcome::Outcome;
use crate::render::format::{self, ProgressFields, Record};
use crate::render::markers;
use crate::sanitize;
use crate::secret::{self, Secret};

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

/// `task_id` is the id `args` names (an `@name` resolved).
pub async fn run(
    args: &StatusRequest,
    task: &Followed,
    client: &Client,
    session: &Session,
) -> Outcome {
    let task_id = task.id.as_str();
    let display = &session.presentation;
    let secrets = session.resolved.connection.secrets();
    let token: Vec<&Secret> = secrets.iter().collect();
    let clean = |text: &str| sanitize::line(&secret::scrub(text, &token));
    let fetched = client
        .fetch(&client.task_urls(task_id), args.logs_count)
        .await;
    if display.verbose > 0 {
        for note in &fetched.notes {
            messages::note(clean(note));
        }
    }
    let status = match fetched.result {
        Ok(s) => s,
        Err(e) => {
            messages::error(&clean(&e.to_string()));
            if let Some(hint) = markers::first_hint(&e) {
                messages::hint(&hint);
            }
            return Outcome::from(&e);
        }
    };
    let progress = progress(args, &status);
    let text = match display.format {
        OutputFormat::Json => json(task, &status, progress.as_ref(), &secrets),
        OutputFormat::Human | OutputFormat::Plain => {
            let label = progress.as_ref().map(|p| clean(&p.label));
            text(
                &crate::render::label(task),
                &status,
                progress.as_ref(),
                label,
                display,
                &secrets,
            )
        }
    };
    match messages::print(&text) {
        Outcome::Finished if !status.is_processing => Outcome::NotSeen,
        written => written,
    }
}

/// The progress the latest lines show (the first label among them is followed).
fn progress(args: &StatusRequest, s: &TaskStatus) -> Option<Snapshot> {
    if !s.is_processing {
        return None;
    }
    let mut progress = Progress::new(args.progress.clone().unwrap_or_default());
    let (lines, _) = s.window();
    let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
    for line in &lines {
        progress.observe(&line.message, line.epoch_seconds().unwrap_or(now));
    }
    progress.snapshot()
}

/// The lines of the window, any holding the token (or the URL's password) masked.
fn window(s: &TaskStatus, secrets: &[Secret]) -> (Vec<LogLine>, u64) {
    let masker = secret::Masker::new(secrets);
    let (lines, total) = s.window();
    let lines = lines
        .into_iter()
        .map(|l| match masker.mask(&l.message) {
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
    secrets: &[Secret],
) -> String {
    let (task_id, profile) = (task.id.as_str(), task.profile.as_deref());
    let (lines, total) = window(s, secrets);
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
        crate::render::duration(ago)
    )
}

/// `shown`: the task as it is named (`@handle`, else its id), already escaped.
fn text(
    shown: &str,
    s: &TaskStatus,
    progress: Option<&Snapshot>,
    label: Option<String>,
    display: &Presentation,
    secrets: &[Secret],
) -> String {
    let id = shown;
    if !s.is_processing {
        return format!(
            "{id}: not processing (it has finished, or the id is unknown: the API cannot tell which)\n"
        );
    }
    let (lines, total) = window(s, secrets);
    let mut out = format!(
        "{id}: processing (status: {})\n  started   {}\n  updated   {}\n  lines     {} in total\n",
        sanitize::line(s.status.as_deref().unwrap_or("unknown")),
        when(&s.started_at, display),
        when(&s.updated_at, display),
        total,
    );
    if let (Some(p), Some(label)) = (progress, label) {
        let shown = crate::render::progress::fraction(p, &label);
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

/// The command as the dispatcher calls it: resolves what it needs, then runs.
pub async fn command(
    args: &StatusRequest,
    given: crate::config::Given<'_>,
) -> Result<Outcome, Outcome> {
    let session = Session::open(&args.access, &args.output, given, false)?;
    session.token_expiry()?;
    let client = session.client()?;
    let owned = session.resolved.connection.secrets();
    let secrets: Vec<&Secret> = owned.iter().collect();
    let verbose = session.presentation.verbose;
    let named = crate::commands::session::name_tasks(
        &client,
        std::slice::from_ref(&args.task_id),
        &[],
        verbose,
        &secrets,
        None,
    )
    .await?;
    let task = named
        .into_iter()
        .next()
        .unwrap_or_else(|| Followed::id(args.task_id.clone()));
    Ok(run(args, &task, &client, &session).await)
}
