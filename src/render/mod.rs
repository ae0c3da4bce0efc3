//! Everything that is written while tasks are followed: log lines to stdout (human, plain or
//! json), and markers, the status lines and the summary to stderr. Every word, colour and
//! escape is decided here (and in the submodules); the pollers send facts.
//!
//! The renderer is generic over its writers so that it can be tested without a process, and it
//! runs on a thread of its own (see `watch`), so a stalled stdout never stops the pollers.

pub mod archive;
pub mod format;
pub mod listing;
pub mod markers;
pub mod progress;
pub mod summary;

use std::io::{self, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use colored::Colorize;

use crate::config::{OutputFormat, Presentation};
use crate::events::{Event, Followed, Report};
use crate::fraction::Snapshot;
use crate::line::LogLine;
use crate::sanitize;
use crate::secret::{self, Secret};
use crate::tracker::Entry;
use format::Record;
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
}

/// What reached stdout, task by task: lines written and the index just past the last one. When a
/// run is stopped, lines the pollers counted may still be queued (or lost) behind a stalled
/// stdout: the summary and the resume index then say what was written, never more.
#[derive(Debug, Default)]
pub struct WrittenLog(std::sync::Mutex<Vec<Option<(u64, u64)>>>);

impl WrittenLog {
    fn record(&self, task: usize, lines: u64, next_index: u64) {
        let mut tasks = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if tasks.len() <= task {
            tasks.resize(task + 1, None);
        }
        let (written, _) = tasks[task].unwrap_or((0, 0));
        tasks[task] = Some((written.saturating_add(lines), next_index));
    }

    /// `reports` brought in line with what was written (for `watch`, when the run was stopped).
    pub fn reconcile(&self, reports: &mut [Report]) {
        let tasks = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for r in reports {
            match tasks.get(r.task).copied().flatten() {
                Some((lines, next)) => {
                    r.lines = r.lines.min(lines);
                    r.resume_from = r.resume_from.min(next);
                }
                None => {
                    r.lines = 0;
                    if let Some(first) = r.first_shown {
                        r.resume_from = r.resume_from.min(first);
                    }
                }
            }
        }
    }
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
    masker: secret::Masker,
    written: Arc<WrittenLog>,
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
            masker: secret::Masker::new(&setup.secrets),
            written: Arc::default(),
            tasks: setup.tasks.to_vec(),
            out,
            err,
            status_lines,
            hinted: false,
            prefix_width,
            setup,
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
        let secrets: Vec<&Secret> = self.setup.secrets.iter().collect();
        sanitize::line(&secret::scrub(text, &secrets))
    }

    /// Writes a line to stderr, around the status lines. Errors writing to stderr are
    /// ignored: there is nowhere left to report them.
    fn say(&mut self, text: &str) {
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
            format!("{}[{}] ", crate::messages::PREFIX, label(&self.tasks[task]))
        } else {
            crate::messages::PREFIX.to_string()
        }
    }

    fn emit(&mut self, text: &str) -> io::Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        let out = &mut self.out;
        let mut write = || {
            out.write_all(text.as_bytes())?;
            out.flush()
        };
        match &self.status_lines {
            Some(p) => p.suspend(write),
            None => write(),
        }
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
            } => {
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
                        self.say(&crate::messages::note_text(format!("hint: {hint}")));
                    }
                }
                self.state[task].retry = Some(markers::retry_status(attempt, &text));
            }
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
                    self.say(&crate::messages::note_text(markers::triggered(
                        &id,
                        already_running,
                    )));
                }
            }
            Event::TokenExpired { at } => {
                if !self.quiet() {
                    let at = format::rfc3339(Some(at), self.setup.presentation.utc);
                    self.say(&crate::messages::warning_text(&markers::token_expired(&at)));
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
        }
        self.refresh(task);
        Ok(())
    }

    /// The prefix of each line when several tasks are followed (built once per batch), padded
    /// to the longest task name so far so that the messages line up.
    fn prefix(&self, task: usize) -> String {
        let t = &self.tasks[task];
        let width = self.prefix_width;
        match (self.multi(), self.setup.presentation.format) {
            (false, _) | (true, OutputFormat::Json) => String::new(),
            (true, OutputFormat::Human) => {
                let padded = format!("{:<width$}", label(t));
                format!("{} │ ", padded.color(format::task_color(&t.id)))
            }
            (true, OutputFormat::Plain) => format!("{:<width$} | ", label(t)),
        }
    }

    fn line(&mut self, task: usize, prefix: &str, index: u64, item: &LogLine) -> String {
        // A log line that holds the token (or the URL's password) is shown with it masked.
        let masked = self
            .masker
            .mask(&item.message)
            .map(|m| LogLine::new(item.timestamp.clone(), m));
        let item = masked.as_ref().unwrap_or(item);
        let p = &self.setup.presentation;
        match p.format {
            OutputFormat::Json => {
                let t = &self.tasks[task];
                Record::log(&t.id, index, item)
                    .profile(t.profile.as_deref())
                    .to_line()
            }
            OutputFormat::Human => {
                let stamp = if p.relative {
                    let origin = self.state[task].started_at.or(item.epoch_seconds());
                    self.state[task].started_at = origin;
                    format::since(item, origin)
                } else {
                    format::clock(item, p.utc)
                };
                format::human_with(prefix, &stamp, item, &self.setup.highlight)
            }
            OutputFormat::Plain => format::plain(prefix, item, p.utc),
        }
    }

    fn batch(&mut self, task: usize, entries: Vec<Entry<LogLine>>) -> io::Result<()> {
        let prefix = self.prefix(task);
        let json = self.setup.presentation.format == OutputFormat::Json;
        let mut text = String::new();
        let (mut lines, mut next) = (0u64, None);
        for entry in &entries {
            match entry {
                Entry::Line { index, item } => {
                    self.state[task].lines += 1;
                    if self.setup.mode == Mode::Watch {
                        text.push_str(&self.line(task, &prefix, *index, item));
                        lines += 1;
                        next = Some(index.saturating_add(1));
                    }
                }
                _ if self.setup.mode == Mode::Wait => {}
                Entry::Gap { missed } if json => {
                    let t = &self.tasks[task];
                    let record = Record::gap(&t.id, *missed).profile(t.profile.as_deref());
                    text.push_str(&record.to_line());
                }
                Entry::Ambiguous if json => {
                    let t = &self.tasks[task];
                    let record = Record::ambiguous(&t.id).profile(t.profile.as_deref());
                    text.push_str(&record.to_line());
                }
                Entry::Restart { reason } if json => {
                    let t = &self.tasks[task];
                    let record = Record::restart(&t.id, *reason).profile(t.profile.as_deref());
                    text.push_str(&record.to_line());
                }
                _ if self.quiet() => {}
                Entry::Gap { missed } => {
                    // Markers go to stderr, in order with the lines around them.
                    self.emit(&std::mem::take(&mut text))?;
                    let what = format!("gap: {}", markers::gap(*missed));
                    self.say(&format!("{}{}", self.label(task), what.yellow()));
                }
                Entry::Ambiguous => {
                    self.emit(&std::mem::take(&mut text))?;
                    let what = format!("gap: {}", markers::AMBIGUOUS);
                    self.say(&format!("{}{}", self.label(task), what.yellow()));
                }
                Entry::Restart { reason } => {
                    self.emit(&std::mem::take(&mut text))?;
                    let what = format!("restart: {}", markers::restart(*reason));
                    self.say(&format!("{}{}", self.label(task), what.cyan()));
                }
            }
        }
        self.emit(&text)?;
        // Only once the whole batch is out: a batch cut short counts as not written.
        if let Some(next) = next {
            self.written.record(task, lines, next);
        }
        Ok(())
    }

    /// Records what reaches stdout in `written` (shared with whoever may summarise instead).
    pub fn with_written(mut self, written: Arc<WrittenLog>) -> Self {
        self.written = written;
        self
    }

    fn progress(&mut self, task: usize, progress: Snapshot) -> io::Result<()> {
        let json = self.setup.presentation.format == OutputFormat::Json;
        if json && self.setup.mode == Mode::Watch {
            let t = &self.tasks[task];
            let record = Record::progress(&t.id, &progress)
                .profile(t.profile.as_deref())
                .to_line();
            self.emit(&record)?;
        }
        self.state[task].progress = Some(progress);
        Ok(())
    }

    fn ended(&mut self, mut report: Report) -> io::Result<()> {
        self.state[report.task].ended = true;
        if report.end == crate::events::End::Interrupted && self.setup.mode == Mode::Watch {
            self.written.reconcile(std::slice::from_mut(&mut report));
        }
        if self.setup.presentation.format == OutputFormat::Json {
            let t = &self.tasks[report.task];
            let detail = summary::detail(&report.end).map(|d| self.clean(&d));
            let record = Record::end(&t.id, &report, detail.as_deref())
                .profile(t.profile.as_deref())
                .to_line();
            self.emit(&record)?;
        }
        Ok(())
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
        let flushed = self.out.flush();
        if summary {
            summary::write(&mut self.err, &self.setup, &self.tasks, reports);
        }
        flushed
    }
}

#[cfg(test)]
mod tests;
