//! The words of what comes of a listing besides `ls` itself: an `@name` that names no task or
//! several, `--project` names the server does not list, a listing that failed (and what to do
//! about it), and `--all`'s notes as the renderer writes them (a task picked up, a listing
//! retried, a probe refused).

use std::io;

use colored::Colorize;

use super::format::Record;
use super::{label, Renderer, TaskState};
use crate::config::OutputFormat;
use crate::discover::{ListError, Unresolved};
use crate::events::{Discovery, Followed};
use crate::messages;
use crate::sanitize;

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
            self.say(&messages::note_text(text.cyan()));
        }
        Ok(())
    }

    pub(super) fn discovery(&mut self, d: Discovery) {
        match d {
            Discovery::Request(detail) => {
                if self.setup.presentation.verbose > 0 {
                    let text = self.clean(&detail);
                    self.say(&messages::note_text(text.dimmed()));
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
                        self.say(&messages::warning_text(&text));
                    }
                    Some(_) => {}
                    None => {
                        let text = listing_failed(&error);
                        self.say(&messages::error_text(&text));
                    }
                }
            }
            Discovery::NothingProcessing { waiting } => {
                if !self.quiet() {
                    self.say(&messages::note_text(nothing_processing(waiting)));
                }
            }
            Discovery::ProbeRefused { id, error } => {
                let text = probe_refused(&sanitize::line(&id), &self.clean(&error.to_string()));
                self.say(&messages::warning_text(&text));
            }
        }
    }
}
