//! The words of `taskwatch ls` (a table, or one JSON object per task), of an `@name` that names
//! no task or several, and of a task picked up by `--all`.

use chrono::{DateTime, Utc};
use colored::Colorize;
use serde::Serialize;
use serde_json::Value;

use crate::discover::{Found, Unresolved};
use crate::sanitize;
use std::io;

use super::format::Record;
use super::{label, Renderer, TaskState};
use crate::config::OutputFormat;
use crate::discover::ListError;
use crate::events::{Discovery, Followed};

/// What the probe said about a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Now {
    Processing,
    Idle,
    /// The probe failed.
    Unknown,
}

/// One `ls` row as JSON.
#[derive(Serialize)]
struct TaskRecord<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    task_id: &'a str,
    /// `profile` or `reel`.
    task_kind: &'static str,
    profile: Option<&'a str>,
    reel_url: Option<&'a str>,
    project: Option<&'a str>,
    status: Option<&'a str>,
    created_at: &'a Option<Value>,
    last_scraped: &'a Option<Value>,
    next_scrape_due: &'a Option<Value>,
    is_processing: Option<bool>,
}

/// One JSON object per task, a line each.
pub fn json(rows: &[(&Found, Now)]) -> String {
    let mut out = String::new();
    for (found, now) in rows {
        let t = &found.task;
        let record = TaskRecord {
            kind: "task",
            task_id: &t.id,
            task_kind: if found.project.is_some() {
                "reel"
            } else {
                "profile"
            },
            profile: found.profile(),
            reel_url: t.reel_url.as_deref(),
            project: found.project.as_deref(),
            status: t.status.as_deref(),
            created_at: &t.created_at,
            last_scraped: &t.last_scraped,
            next_scrape_due: &t.next_scrape_due,
            is_processing: match now {
                Now::Processing => Some(true),
                Now::Idle => Some(false),
                Now::Unknown => None,
            },
        };
        // Strings, numbers and booleans only: serialising cannot fail.
        out.push_str(&serde_json::to_string(&record).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// What the name column shows: `@handle`, else the reel URL, else `-`.
pub fn name(found: &Found) -> String {
    match (found.profile(), &found.task.reel_url) {
        (Some(p), _) => format!("@{}", sanitize::line(p)),
        (None, Some(url)) => sanitize::line(url),
        (None, None) => "-".into(),
    }
}

/// A listing's time: seconds since the epoch, or an ISO 8601 string (UTC when it has no
/// offset, as Python's `isoformat()` of a UTC time); shown to the minute. Anything else is
/// shown as sent.
pub fn when(v: &Option<Value>, utc: bool) -> String {
    let Some(v) = v else {
        return "-".into();
    };
    let at: Option<DateTime<Utc>> = crate::api::listing::listing_time(v);
    match at {
        Some(t) if utc => t.format("%Y-%m-%d %H:%MZ").to_string(),
        Some(t) => t
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        None => {
            let raw = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            sanitize::line(&raw).chars().take(25).collect()
        }
    }
}

/// The `ls` table: a header and a row per task.
pub fn table(rows: &[(&Found, Now)], utc: bool) -> String {
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|(found, now)| {
            [
                sanitize::line(found.id()),
                name(found),
                sanitize::line(found.task.status.as_deref().unwrap_or("-")),
                when(&found.task.last_scraped, utc),
                when(&found.task.next_scrape_due, utc),
                match now {
                    Now::Processing => "PROCESSING".into(),
                    Now::Idle => String::new(),
                    Now::Unknown => "?".into(),
                },
            ]
        })
        .collect();
    let header = ["TASK", "NAME", "STATUS", "LAST SCRAPED", "NEXT DUE", "NOW"];
    let mut width = header.map(|h| h.chars().count());
    for row in &cells {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |row: &[String; 6]| {
        let mut out = String::new();
        for (i, (cell, w)) in row.iter().zip(width).enumerate() {
            if i == 5 {
                let shown = if cell == "PROCESSING" {
                    cell.green().bold().to_string()
                } else {
                    cell.clone()
                };
                out.push_str(&shown);
            } else {
                out.push_str(cell);
                out.push_str(&" ".repeat(w - cell.chars().count() + 2));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(&header.map(String::from));
    for row in &cells {
        out.push_str(&line(row));
    }
    out
}

/// `ls` with no row to show.
pub fn nothing(processing_only: bool) -> &'static str {
    if processing_only {
        "no task is processing"
    } else {
        "no task is listed"
    }
}

/// A usage error for an `@name` that names no task or several.
pub fn unresolved(name: &str, why: &Unresolved) -> String {
    let name = sanitize::line(name.trim_start_matches('@'));
    match why {
        Unresolved::NoMatch { candidates } if candidates.is_empty() => {
            format!("no tracked profile is named @{name}: the listing has no profile tasks")
        }
        Unresolved::NoMatch { candidates } => {
            let shown: Vec<String> = candidates
                .iter()
                .take(20)
                .map(|c| format!("@{}", sanitize::line(c)))
                .collect();
            let more = candidates.len().saturating_sub(shown.len());
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!(
                "no tracked profile is named @{name}; tracked: {}{more}",
                shown.join(", ")
            )
        }
        Unresolved::Several { matches } => {
            let shown: Vec<String> = matches
                .iter()
                .map(|(id, p)| format!("{} (@{})", sanitize::line(id), sanitize::line(p)))
                .collect();
            format!(
                "@{name} names {} tasks: {}; give the task id instead",
                matches.len(),
                shown.join(", ")
            )
        }
    }
}

/// `--project` names the server does not list.
pub fn unknown_projects(unknown: &[String], known: &[String]) -> String {
    let list = |v: &[String]| {
        v.iter()
            .map(|p| format!("`{}`", sanitize::line(p)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if known.is_empty() {
        return format!("--project {}: the server lists no projects", list(unknown));
    }
    format!(
        "--project {}: not a project of this account; its projects: {}",
        list(unknown),
        list(known)
    )
}

/// What a person can do about a listing that failed.
pub fn hint(e: &crate::api::ApiError) -> Option<&'static str> {
    match e {
        crate::api::ApiError::NoRoute { .. } => Some(
            "check --base-url: the server answers 404 to both task listings \
             (Update 8's get_profile_tracking_tasks and Update 3-7's get_tasks)",
        ),
        other => super::markers::hint(other),
    }
}

/// How many probes failed, and the first error.
pub fn probes_failed(failed: usize, of: usize, first: &str) -> String {
    format!("{failed} of {of} tasks could not be probed (their NOW is `?`): {first}")
}

/// A task `--all` starts following: `label` is `@handle` or the id.
pub fn picked_up(label: &str, id: &str, named: bool, run: u32) -> String {
    let which = if named {
        format!("{label} ({id})")
    } else {
        id.to_string()
    };
    if run > 1 {
        format!("{which} is processing again: following it (run {run})")
    } else {
        format!("{which} is processing: following it")
    }
}

/// The listing failed and is tried again at the next round.
pub fn listing_retry(error: &str, again_in: std::time::Duration) -> String {
    format!(
        "cannot list the tasks: {error}; trying again in {}",
        super::duration(again_in)
    )
}

/// One listed task's probe was refused: the others are followed.
pub fn probe_refused(id: &str, error: &str) -> String {
    format!("task {id} is not followed: its status was refused ({error}); the other tasks are")
}

/// The listing failed for good: no more tasks are picked up.
pub fn listing_failed(error: &str) -> String {
    format!("cannot list the tasks: {error}; no more tasks are picked up")
}

/// The first round of `--all` found nothing processing.
pub fn nothing_processing(waiting: bool) -> &'static str {
    if waiting {
        "no task is processing yet; waiting for one to start (Ctrl-C stops)"
    } else {
        "no task is processing"
    }
}

/// What the renderer says when discovery adds a task or has news.
impl<O: io::Write, E: io::Write> Renderer<O, E> {
    /// A task picked up by `--all`: its state, a note, and a JSON record.
    pub(super) fn added(&mut self, task: usize, followed: Followed, run: u32) -> io::Result<()> {
        if task >= self.tasks.len() {
            self.tasks.resize(task + 1, Followed::id(""));
            self.state.resize_with(task + 1, TaskState::default);
        }
        self.prefix_width = self.prefix_width.max(label(&followed).chars().count());
        self.tasks[task] = followed;
        let t = &self.tasks[task];
        if self.setup.presentation.format == OutputFormat::Json {
            let record = Record::follow(&t.id, t.profile.as_deref(), run).to_line();
            return self.emit(&record);
        }
        if !self.quiet() {
            let text = picked_up(&label(t), &sanitize::line(&t.id), t.profile.is_some(), run);
            self.say(&crate::messages::note_text(text.cyan()));
        }
        Ok(())
    }

    pub(super) fn discovery(&mut self, d: Discovery) {
        match d {
            Discovery::Request(detail) => {
                if self.setup.presentation.verbose > 0 {
                    let text = self.clean(&detail);
                    self.say(&crate::messages::note_text(text.dimmed()));
                }
            }
            Discovery::Failed { error, again_in } => {
                let error = match error {
                    ListError::Api(e) => self.clean(&e.to_string()),
                    ListError::UnknownProjects { unknown, known } => {
                        unknown_projects(&unknown, &known)
                    }
                };
                match again_in {
                    Some(d) if !self.quiet() => {
                        let text = listing_retry(&error, d);
                        self.say(&crate::messages::warning_text(&text));
                    }
                    Some(_) => {}
                    None => {
                        let text = listing_failed(&error);
                        self.say(&crate::messages::error_text(&text));
                    }
                }
            }
            Discovery::NothingProcessing { waiting } => {
                if !self.quiet() {
                    self.say(&crate::messages::note_text(nothing_processing(waiting)));
                }
            }
            Discovery::ProbeRefused { id, error } => {
                let text = probe_refused(&sanitize::line(&id), &self.clean(&error.to_string()));
                self.say(&crate::messages::warning_text(&text));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::listing::ListedTask;
    use serde_json::json;

    fn found(id: &str, profile: Option<&str>, last: Option<Value>) -> Found {
        Found {
            task: ListedTask {
                id: id.into(),
                target_profile: profile.map(String::from),
                reel_url: Some("https://www.instagram.com/reel/C1".into()),
                status: Some("active".into()),
                last_scraped: last,
                ..ListedTask::default()
            },
            project: None,
        }
    }

    #[test]
    fn times_of_every_shape() {
        assert_eq!(when(&Some(json!(1703123456)), true), "2023-12-21 01:50Z");
        assert_eq!(
            when(&Some(json!("2023-12-21T01:50:56.123456")), true),
            "2023-12-21 01:50Z"
        );
        assert_eq!(
            when(&Some(json!("2023-12-21T02:50:56+01:00")), true),
            "2023-12-21 01:50Z"
        );
        assert_eq!(
            when(&Some(json!("1703123456.5")), true),
            "2023-12-21 01:50Z"
        );
        assert_eq!(when(&Some(json!("soon\u{1b}[2J")), true), "soon\\e[2J");
        assert_eq!(when(&None, true), "-");
    }

    #[test]
    fn table_rows() {
        colored::control::set_override(false);
        let a = found("t1", Some("@bbcnews"), Some(json!(1703123456)));
        let b = found("t2-long-id", None, None);
        let out = table(&[(&a, Now::Processing), (&b, Now::Unknown)], true);
        assert_eq!(
            out,
            "TASK        NAME                               STATUS  LAST SCRAPED       NEXT DUE  NOW\n\
             t1          @bbcnews                           active  2023-12-21 01:50Z  -         PROCESSING\n\
             t2-long-id  https://www.instagram.com/reel/C1  active  -                  -         ?\n"
        );
    }
}
