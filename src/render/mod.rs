//! Everything that is written while tasks are followed: log lines to stdout (human, plain or
//! json), and markers, the status lines and the summary to stderr. Every word, colour and
//! escape is decided here (and in the submodules); the pollers send facts.
//!
//! The renderer is generic over its writers so that it can be tested without a process, and it
//! runs on a thread of its own (see `watch`), so a stalled stdout never stops the pollers. Its
//! parts: `lines.rs` what reaches stdout, `ci.rs` a CI system's groups and commands,
//! `progress.rs` the status lines and heartbeats, `listing.rs` `--all`'s notes, `summary.rs`
//! the end. The words of the other commands live beside it: `status.rs`, `ls.rs`,
//! `archive.rs` (history, stats), `junit.rs`; `outcomes.rs` says every outcome. Server text
//! is made safe to print by the one `Scrubber` each output holds (`crate::secret`).

pub mod archive;
mod ci;
pub mod format;
pub mod github;
pub mod gitlab;
pub mod junit;
mod lines;
pub mod listing;
pub mod ls;
pub mod markers;
pub mod outcomes;
pub mod progress;
pub mod status;
pub mod summary;

use std::io::{self, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use colored::Colorize;

use crate::api::ApiError;
use crate::config::{CiSystem, OutputFormat, Presentation};
use crate::events::{Event, Followed, Report};
use crate::fraction::Snapshot;
use crate::messages;
use crate::sanitize;
use crate::secret::{Scrubber, Secret};
use ci::CiState;
pub use lines::WrittenLog;
use progress::StatusLines;

/// `12.3s`, `1m 53s`, `2h 05m`.
pub fn duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs < 60 {
        format!("{:.1}s", d.as_secs_f64())
    } else if secs < 3600 {
        format!("{}m {:02}s", secs / 60, secs % 60)
    } else {
        format!("{}h {:02}m", secs / 3600, secs % 3600 / 60)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Log lines to stdout.
    Watch,
    /// No log lines: only the outcome.
    Wait,
}

/// What the renderer needs to know besides the events.
#[derive(Debug, Clone)]
pub struct Setup {
    pub mode: Mode,
    pub presentation: Presentation,
    /// The tasks followed from the start.
    pub tasks: Arc<[Followed]>,
    /// More tasks may be added while running (`--all`): lines are always prefixed.
    pub open: bool,
    /// Text from the server is scrubbed of these before it is printed.
    pub secrets: Vec<Secret>,
    /// Whether an interrupted or timed-out task's summary says how to resume it (not in the
    /// demo, whose server is gone once it ends).
    pub resume_hint: bool,
    /// `--highlight`: in human output, what these match is shown bold and inverse.
    pub highlight: Vec<regex::Regex>,
    /// Whose log conventions to follow (`--ci`).
    pub ci: CiSystem,
    /// `--heartbeat`: say that tasks still run after this long without a line.
    pub heartbeat: Option<Duration>,
}

/// What a task is called in prefixes, notes and the summary: `@handle` when known, else its id;
/// escaped.
pub fn label(task: &Followed) -> String {
    match &task.profile {
        Some(p) => format!("@{}", sanitize::line(p)),
        None => sanitize::line(&task.id),
    }
}

#[derive(Default)]
struct TaskState {
    lines: u64,
    seen_at: Option<Instant>,
    /// The task's start as the server reports it (for `--relative`), else its first line's.
    started_at: Option<f64>,
    retry: Option<String>,
    /// When a person without a status line was last told that requests still fail.
    retry_said: Option<Instant>,
    ended: bool,
    progress: Option<Snapshot>,
}

/// Without a status line, "still retrying" is said at most this often.
const STILL_RETRYING_EVERY: Duration = Duration::from_secs(60);

/// Writes events to `out` (log lines, JSON records) and `err` (everything for a person).
pub struct Renderer<O: Write, E: Write> {
    setup: Setup,
    out: O,
    err: E,
    status_lines: Option<StatusLines>,
    /// The tasks followed so far (those of `setup`, then any added).
    tasks: Vec<Followed>,
    state: Vec<TaskState>,
    /// Whether the hint that the backend may not be running was given.
    hinted: bool,
    /// The longest task name as shown, in characters (it grows as tasks are added).
    prefix_width: usize,
    /// Server text and log lines lose their secrets here (built once, from `setup.secrets`).
    scrubber: Scrubber,
    written: Arc<WrittenLog>,
    ci: CiState,
    started: Instant,
    /// When a line last reached stdout (or a heartbeat was said).
    last_sign: Instant,
}

impl<O: Write, E: Write> Renderer<O, E> {
    /// `status_lines` draws on the terminal's stderr; pass `None` off a terminal and in tests.
    pub fn new(setup: Setup, out: O, err: E, status_lines: Option<StatusLines>) -> Self {
        let prefix_width = setup
            .tasks
            .iter()
            .map(|t| label(t).chars().count())
            .max()
            .unwrap_or(0);
        Renderer {
            state: setup.tasks.iter().map(|_| TaskState::default()).collect(),
            scrubber: Scrubber::new(&setup.secrets),
            written: Arc::default(),
            tasks: setup.tasks.to_vec(),
            out,
            err,
            status_lines,
            hinted: false,
            prefix_width,
            setup,
            ci: CiState::default(),
            started: Instant::now(),
            last_sign: Instant::now(),
        }
    }

    fn quiet(&self) -> bool {
        self.setup.presentation.quiet
    }

    fn multi(&self) -> bool {
        self.setup.open || self.tasks.len() > 1
    }

    /// Server text made safe to print: secrets masked, control characters escaped.
    fn clean(&self, text: &str) -> String {
        self.scrubber.clean(text)
    }

    /// Writes a line to stderr, around the status lines. Errors writing to stderr are
    /// ignored: there is nowhere left to report them.
    fn say(&mut self, text: &str) {
        // In order with the commands before it (a group opened); stdout errors are met later.
        let _ = self.flush_commands();
        let inert;
        let text = if self.github() {
            inert = github::inert(text);
            &inert
        } else {
            text
        };
        let err = &mut self.err;
        let mut write = || {
            let _ = writeln!(err, "{text}");
        };
        match &self.status_lines {
            Some(p) => p.suspend(write),
            None => write(),
        }
    }

    /// `taskwatch: ` plus the task id when several tasks are followed.
    fn label(&self, task: usize) -> String {
        if self.multi() {
            messages::task_prefix(&label(&self.tasks[task]))
        } else {
            messages::PREFIX.to_string()
        }
    }

    fn emit(&mut self, text: &str) -> io::Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        self.flush_commands()?;
        let inert;
        let text = match (self.github(), self.setup.presentation.format) {
            (false, _) => text,
            (true, OutputFormat::Json) => {
                inert = github::inert_json(text);
                &inert
            }
            (true, _) => {
                inert = github::inert(text);
                &inert
            }
        };
        self.raw(text)
    }

    /// Handles one event. An error means stdout cannot be written: stop.
    pub fn handle(&mut self, event: Event) -> io::Result<()> {
        let task = event.task();
        match event {
            Event::Batch { task, entries } => self.batch(task, entries)?,
            Event::Progress { task, progress } => self.progress(task, progress)?,
            Event::Seen { task, started_at } => {
                self.state[task].seen_at = Some(Instant::now());
                self.state[task].started_at = started_at;
            }
            Event::Retrying {
                task,
                attempt,
                error,
                delay,
                answered,
            } => self.retrying(task, attempt, &error, delay, answered),
            Event::Recovered { task, failures } => {
                self.state[task].retry = None;
                if !self.quiet() {
                    let text = markers::recovered(failures);
                    self.say(&format!("{}{text}", self.label(task)));
                }
            }
            Event::Triggered {
                task,
                already_running,
            } => {
                if !self.quiet() {
                    let id = label(&self.tasks[task]);
                    self.say(&messages::note_text(markers::triggered(
                        &id,
                        already_running,
                    )));
                }
            }
            Event::TokenExpired { at } => {
                if !self.quiet() {
                    let at = format::rfc3339(Some(at), self.setup.presentation.utc);
                    self.say(&messages::warning_text(&markers::token_expired(&at)));
                }
            }
            Event::Request { task, detail } => {
                if self.setup.presentation.verbose > 0 {
                    let text = self.clean(&detail);
                    self.say(&format!("{}{}", self.label(task), text.dimmed()));
                }
            }
            Event::Flapped { task, flaps } => {
                if self.setup.presentation.verbose > 0 {
                    let text = markers::flapped(flaps);
                    self.say(&format!("{}{}", self.label(task), text.dimmed()));
                }
            }
            Event::Ended(report) => self.ended(report)?,
            Event::Added {
                task,
                followed,
                run,
            } => self.added(task, followed, run)?,
            Event::Discovery(d) => self.discovery(d),
            Event::Heartbeat => self.heartbeat(),
        }
        self.flush_commands()?;
        self.refresh(task);
        Ok(())
    }

    /// A request failed and is tried again: said at the first failure (with, once a run, where
    /// the backend was looked for), then now and then when no status line shows the retries.
    fn retrying(
        &mut self,
        task: usize,
        attempt: u32,
        error: &ApiError,
        delay: Duration,
        answered: bool,
    ) {
        let text = self.clean(&error.to_string());
        let now = Instant::now();
        if attempt == 1 {
            self.state[task].retry_said = Some(now);
        } else if !self.setup.presentation.progress
            && !self.quiet()
            && self.state[task]
                .retry_said
                .is_none_or(|at| now.duration_since(at) >= STILL_RETRYING_EVERY)
        {
            // No status line shows the retries: say that they go on, now and then.
            self.state[task].retry_said = Some(now);
            let still = format!("still {}", markers::retry_status(attempt, &text));
            self.say(&format!("{}{}", self.label(task), still.yellow()));
        }
        if attempt == 1 && !self.quiet() {
            let retrying = markers::retrying(&text, delay);
            self.say(&format!("{}{}", self.label(task), retrying.yellow()));
            // Once a run: the backend is not where it was looked for.
            let origin = error.unreachable().filter(|_| !answered);
            if let Some(origin) = origin.filter(|_| !self.hinted) {
                self.hinted = true;
                let hint = markers::unreachable(&self.clean(&origin));
                self.say(&messages::note_text(format!("hint: {hint}")));
            }
        }
        self.state[task].retry = Some(markers::retry_status(attempt, &text));
    }

    /// Records what reaches stdout in `written` (shared with whoever may summarise instead).
    pub fn with_written(mut self, written: Arc<WrittenLog>) -> Self {
        self.written = written;
        self
    }

    /// Flushes stdout (`logs -f` between looks at the archive).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Clears the status lines, flushes stdout and, with `summary`, writes the summary of
    /// `reports` (every task's, in task order) to stderr.
    pub fn finish(mut self, reports: &[Report], summary: bool) -> io::Result<()> {
        if let Some(p) = self.status_lines.take() {
            p.finish();
        }
        let mut flushed = self.leave();
        for kind in [github::Kind::Error, github::Kind::Warning] {
            let n = self.ci.left_out[kind as usize];
            if n > 0 && flushed.is_ok() {
                flushed = self.command(&github::more(kind, n));
            }
        }
        flushed = flushed.and_then(|()| self.flush_commands());
        // Commands work again after taskwatch (a later line of the same step).
        if let Some(token) = self.ci.token.take() {
            flushed = flushed.and_then(|()| self.raw(&github::resume(&token)));
        }
        let flushed = flushed.and(self.out.flush());
        if summary {
            summary::write(&mut self.err, &self.setup, &self.tasks, reports);
        }
        flushed
    }
}

#[cfg(test)]
mod tests;
