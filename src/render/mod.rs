//! Everything that is written while tasks are followed: log lines to stdout (human, plain or
//! json), and markers, the status lines and the summary to stderr. Every word, colour and
//! escape is decided here (and in the submodules); the pollers send facts.
//!
//! The renderer is generic over its writers so that it can be tested without a process, and it
//! runs on a thread of its own (see `watch`), so a stalled stdout never stops the pollers.

pub mod archive;
pub mod format;
pub mod github;
pub mod gitlab;
pub mod junit;
pub mod listing;
pub mod markers;
pub mod progress;
pub mod summary;

use std::io::{self, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use colored::Colorize;

use crate::config::{CiSystem, OutputFormat, Presentation};
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
    /// Whose log conventions to follow (`--ci`).
    pub ci: CiSystem,
    /// `--heartbeat`: say that tasks still run after this long without a line.
    pub heartbeat: Option<Duration>,
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

/// What a CI system's conventions need remembered: the group or section open on stdout, the
/// token that resumes GitHub's command processing, the annotations written and left out.
#[derive(Default)]
struct CiState {
    /// GitHub: commands are stopped until `::TOKEN::`.
    token: Option<String>,
    /// The task whose lines are in the open group or section, and the section's name.
    open: Option<(usize, String)>,
    /// Groups or sections opened so far, per task (a task's lines may come in several).
    opened: Vec<u32>,
    /// Annotations written and left out (over GitHub's cap): errors, warnings.
    annotated: [u32; 2],
    left_out: [u32; 2],
    /// Commands not yet written: consecutive ones share one resume and stop.
    pending: String,
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
            masker: secret::Masker::new(&setup.secrets),
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

    /// Whether stdout carries a CI system's groups or sections and commands (not JSON: a
    /// reader of records gets records only).
    fn decorated(&self) -> bool {
        self.setup.ci != CiSystem::None && self.setup.presentation.format != OutputFormat::Json
    }

    fn github(&self) -> bool {
        self.setup.ci == CiSystem::Github
    }

    /// Before any event: on GitHub, stops the runner's command processing until taskwatch's
    /// own commands (server text is then never read as one).
    pub fn start(&mut self) -> io::Result<()> {
        if self.github() && self.decorated() {
            let token = github::stop_token();
            let stop = github::stop(&token);
            self.ci.token = Some(token);
            self.raw(&stop)?;
        }
        Ok(())
    }

    /// Writes taskwatch's own text to stdout as it is.
    fn raw(&mut self, text: &str) -> io::Result<()> {
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

    /// A workflow command of taskwatch's own, written before the next text (or at the end of
    /// the event): processing resumed for it, then stopped again.
    fn command(&mut self, text: &str) -> io::Result<()> {
        if self.ci.token.is_none() {
            return self.raw(text);
        }
        self.ci.pending.push_str(text);
        Ok(())
    }

    /// Writes the commands waiting, framed by a resume and a stop.
    fn flush_commands(&mut self) -> io::Result<()> {
        if self.ci.pending.is_empty() {
            return Ok(());
        }
        let commands = std::mem::take(&mut self.ci.pending);
        match self.ci.token.clone() {
            Some(token) => {
                let framed = format!(
                    "{}{commands}{}",
                    github::resume(&token),
                    github::stop(&token)
                );
                self.raw(&framed)
            }
            None => self.raw(&commands),
        }
    }

    /// Opens the group (section) of `task`'s lines, closing another task's first: groups do
    /// not nest, so with several tasks each stretch of one task's lines is a group of its own.
    fn enter(&mut self, task: usize) -> io::Result<()> {
        if !self.decorated() || self.ci.open.as_ref().is_some_and(|(t, _)| *t == task) {
            return Ok(());
        }
        self.leave()?;
        if self.ci.opened.len() <= task {
            self.ci.opened.resize(task + 1, 0);
        }
        let opened = self.ci.opened[task];
        self.ci.opened[task] += 1;
        let mut title = github::task_title(&self.tasks[task]);
        if opened > 0 {
            title.push_str(" (continued)");
        }
        let name = gitlab::section_name(task, opened);
        match self.setup.ci {
            CiSystem::Github => self.command(&github::group(&title))?,
            _ => self.raw(&gitlab::start(&name, &title, false))?,
        }
        self.ci.open = Some((task, name));
        Ok(())
    }

    /// Closes the open group or section, if any.
    fn leave(&mut self) -> io::Result<()> {
        let Some((_, name)) = self.ci.open.take() else {
            return Ok(());
        };
        match self.setup.ci {
            CiSystem::Github => self.command(github::END_GROUP),
            _ => self.raw(&gitlab::end(&name)),
        }
    }

    /// An annotation, unless GitHub's cap for its kind was reached (then counted).
    fn annotate(&mut self, kind: github::Kind, title: &str, message: &str) -> io::Result<()> {
        let k = kind as usize;
        if self.ci.annotated[k] >= github::ANNOTATIONS_PER_KIND {
            self.ci.left_out[k] += 1;
            return Ok(());
        }
        self.ci.annotated[k] += 1;
        self.command(&github::annotation(kind, title, message))
    }

    /// The annotations of one task's end: an error for a failed, timed-out or unusable end, a
    /// warning for lines missed.
    fn annotate_end(&mut self, report: &Report, detail: Option<&str>) -> io::Result<()> {
        let title = github::task_title(&self.tasks[report.task]);
        if let Some(words) = github::error_words(&report.end, detail) {
            self.annotate(github::Kind::Error, &title, &words)?;
        }
        if report.missed > 0 {
            let words = format!(
                "{} (raise --logs-count or lower --interval)",
                markers::gap(Some(report.missed))
            );
            self.annotate(github::Kind::Warning, &title, &words)?;
        }
        Ok(())
    }

    /// `--heartbeat`: when no line reached stdout for a period, one line per running task.
    fn heartbeat(&mut self) {
        let Some(period) = self.setup.heartbeat else {
            return;
        };
        // Ticks come every period: a line a little less than a period ago counts as recent.
        if self.last_sign.elapsed() < period.mul_f64(0.9) {
            return;
        }
        self.last_sign = Instant::now();
        for task in 0..self.tasks.len() {
            let state = &self.state[task];
            if state.ended {
                continue;
            }
            let progress = state.progress.as_ref().map(|p| {
                let label = self.clean(&p.label);
                progress::fraction(p, &label)
            });
            let text = markers::heartbeat(
                state.seen_at.map(|at| at.elapsed()),
                self.started.elapsed(),
                state.lines,
                progress,
            );
            let who = if self.multi() {
                self.label(task)
            } else {
                format!("{}{} ", crate::messages::PREFIX, label(&self.tasks[task]))
            };
            self.say(&format!("{who}{text}"));
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
            format!("{}[{}] ", crate::messages::PREFIX, label(&self.tasks[task]))
        } else {
            crate::messages::PREFIX.to_string()
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
            Event::Heartbeat => self.heartbeat(),
        }
        self.flush_commands()?;
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
        let lines_in = entries.iter().any(|e| matches!(e, Entry::Line { .. }));
        if lines_in && self.setup.mode == Mode::Watch {
            self.enter(task)?;
            self.last_sign = Instant::now();
        }
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
        if self
            .ci
            .open
            .as_ref()
            .is_some_and(|(t, _)| *t == report.task)
        {
            self.leave()?;
        }
        if self.github() && self.decorated() {
            let detail = summary::detail(&report.end).map(|d| self.clean(&d));
            self.annotate_end(&report, detail.as_deref())?;
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
