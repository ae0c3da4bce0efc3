//! Everything that is written: log lines to stdout (human, plain or json), and markers, the
//! status line and the summary to stderr.

pub mod format;
pub mod progress;
pub mod sanitize;

use std::io::{self, BufWriter, Stdout, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use colored::Colorize;

use crate::cli::OutputFormat;
use crate::config::Display;
use crate::outcome::Outcome;
use crate::poller::{Event, Report};
use crate::tracker::{self, RestartReason};
use format::Record;
use progress::Progress;

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

#[derive(Default)]
struct TaskState {
    lines: u64,
    seen_at: Option<Instant>,
    /// The task's start as the server reports it (for `--relative`), else its first line's.
    started_at: Option<f64>,
    retry: Option<String>,
    ended: bool,
}

pub struct Renderer {
    mode: Mode,
    display: Display,
    tasks: Arc<[String]>,
    out: BufWriter<Stdout>,
    progress: Option<Progress>,
    state: Vec<TaskState>,
    reports: Vec<Report>,
}

impl Renderer {
    pub fn new(mode: Mode, display: Display, tasks: Arc<[String]>) -> Renderer {
        let progress = display.progress.then(|| Progress::start(tasks.len()));
        Renderer {
            mode,
            state: tasks.iter().map(|_| TaskState::default()).collect(),
            display,
            tasks,
            out: BufWriter::with_capacity(64 * 1024, io::stdout()),
            progress,
            reports: Vec::new(),
        }
    }

    fn multi(&self) -> bool {
        self.tasks.len() > 1
    }

    /// Writes a line to stderr, around the status line. Errors writing to stderr are ignored:
    /// there is nowhere left to report them.
    fn note(&self, text: &str) {
        let write = || {
            let _ = writeln!(io::stderr().lock(), "{text}");
        };
        match &self.progress {
            Some(p) => p.suspend(write),
            None => write(),
        }
    }

    /// `taskwatch: ` plus the task id when several tasks are followed.
    fn label(&self, task: usize) -> String {
        if self.multi() {
            format!("taskwatch: [{}] ", sanitize::line(&self.tasks[task]))
        } else {
            "taskwatch: ".to_string()
        }
    }

    fn emit(&mut self, text: &str) -> io::Result<()> {
        let out = &mut self.out;
        let mut write = || {
            out.write_all(text.as_bytes())?;
            out.flush()
        };
        match &self.progress {
            Some(p) => p.suspend(write),
            None => write(),
        }
    }

    /// Handles one event. An error means stdout is gone (a closed pipe): stop.
    pub fn handle(&mut self, event: Event) -> io::Result<()> {
        let task = event.task();
        match event {
            Event::Batch { task, events } => self.batch(task, events)?,
            Event::Seen { task, started_at } => {
                self.state[task].seen_at = Some(Instant::now());
                self.state[task].started_at = started_at;
            }
            Event::Retrying {
                task,
                attempt,
                error,
                delay,
            } => {
                let error = sanitize::line(&error);
                if attempt == 1 && !self.display.quiet {
                    self.note(&format!(
                        "{}{}",
                        self.label(task),
                        format!("{error}; retrying in {}", duration(delay)).yellow()
                    ));
                }
                self.state[task].retry = Some(format!("retrying (attempt {attempt}): {error}"));
            }
            Event::Recovered { task, failures } => {
                self.state[task].retry = None;
                if !self.display.quiet {
                    let s = if failures == 1 { "" } else { "s" };
                    self.note(&format!(
                        "{}recovered after {failures} failed request{s}",
                        self.label(task)
                    ));
                }
            }
            Event::Triggered {
                task,
                already_running,
            } => {
                if !self.display.quiet {
                    let id = sanitize::line(&self.tasks[task]);
                    self.note(&if already_running {
                        format!("taskwatch: {id} is already being processed: following it")
                    } else {
                        format!("taskwatch: started {id}")
                    });
                }
            }
            Event::Warning(text) => {
                if !self.display.quiet {
                    self.note(&format!("taskwatch: {} {text}", "warning:".yellow().bold()));
                }
            }
            Event::Note { task, text } => {
                if self.display.verbose > 0 {
                    let text = sanitize::line(&text);
                    self.note(&format!("{}{}", self.label(task), text.dimmed()));
                }
            }
            Event::Ended(report) => self.ended(report)?,
        }
        self.refresh(task);
        Ok(())
    }

    fn batch(
        &mut self,
        task: usize,
        events: Vec<tracker::Event<crate::api::wire::LogLine>>,
    ) -> io::Result<()> {
        let id = self.tasks[task].clone();
        // With several tasks, each line starts with its task's id (once per batch, not per line).
        let prefix = match (self.multi(), self.display.format) {
            (false, _) | (true, OutputFormat::Json) => String::new(),
            (true, OutputFormat::Human) => {
                format!("{} │ ", sanitize::line(&id).color(format::task_color(&id)))
            }
            (true, OutputFormat::Plain) => format!("{} | ", sanitize::line(&id)),
        };
        let mut text = String::new();
        for event in &events {
            match event {
                tracker::Event::Line { index, item } => {
                    self.state[task].lines += 1;
                    if self.mode == Mode::Wait {
                        continue;
                    }
                    match self.display.format {
                        OutputFormat::Json => {
                            text.push_str(&Record::log(&id, *index, item).to_line())
                        }
                        OutputFormat::Human => {
                            let stamp = if self.display.relative {
                                let origin = self.state[task].started_at.or(item.epoch_seconds());
                                self.state[task].started_at = origin;
                                format::since(item, origin)
                            } else {
                                format::clock(item, self.display.utc)
                            };
                            text.push_str(&format::human_with(&prefix, &stamp, item));
                        }
                        OutputFormat::Plain => {
                            text.push_str(&format::plain(&prefix, item, self.display.utc));
                        }
                    }
                }
                tracker::Event::Gap { missed } if self.mode == Mode::Watch => {
                    if self.display.format == OutputFormat::Json {
                        text.push_str(
                            &Record::Gap {
                                task_id: &id,
                                missed: *missed,
                            }
                            .to_line(),
                        );
                    } else if !self.display.quiet {
                        // Markers go to stderr, in order with the lines around them.
                        self.emit(&std::mem::take(&mut text))?;
                        let what = match missed {
                            Some(1) => "1 line scrolled past before it could be read".to_string(),
                            Some(n) => format!("{n} lines scrolled past before they could be read"),
                            None => {
                                "an unknown number of lines scrolled past before they could be read"
                                    .to_string()
                            }
                        };
                        self.note(&format!(
                            "{}{}",
                            self.label(task),
                            format!("gap: {what}").yellow()
                        ));
                    }
                }
                tracker::Event::Restart { reason } if self.mode == Mode::Watch => {
                    if self.display.format == OutputFormat::Json {
                        text.push_str(&Record::restart(&id, *reason).to_line());
                    } else if !self.display.quiet {
                        self.emit(&std::mem::take(&mut text))?;
                        let what = match reason {
                            RestartReason::Reset => "the task's log started over",
                            RestartReason::Realigned => {
                                "the server's line count no longer matches its lines; following them by content"
                            }
                        };
                        self.note(&format!(
                            "{}{}",
                            self.label(task),
                            format!("restart: {what}").cyan()
                        ));
                    }
                }
                _ => {}
            }
        }
        self.emit(&text)
    }

    fn ended(&mut self, report: Report) -> io::Result<()> {
        self.state[report.task].ended = true;
        if self.display.format == OutputFormat::Json {
            let id = self.tasks[report.task].clone();
            self.emit(&Record::end(&id, &report).to_line())?;
        }
        self.reports.push(report);
        Ok(())
    }

    /// What a task's status line says: id, lines so far, lines a second, any retry.
    fn status_of(&self, task: usize) -> String {
        let state = &self.state[task];
        let id = sanitize::line(&self.tasks[task]);
        match (&state.retry, state.seen_at) {
            _ if state.ended => format!("{id} · {} lines · ended", state.lines),
            (Some(retry), _) => format!("{id} · {} lines · {retry}", state.lines),
            (None, None) => format!("{id} · waiting for the task to be processing"),
            (None, Some(at)) => {
                let secs = at.elapsed().as_secs_f64().max(1.0);
                format!(
                    "{id} · {} lines · {:.1} lines/s",
                    state.lines,
                    state.lines as f64 / secs
                )
            }
        }
    }

    fn refresh(&self, task: Option<usize>) {
        let Some(progress) = &self.progress else {
            return;
        };
        if progress.per_task(self.tasks.len()) {
            // Only the task the event was about changed.
            for t in task.map_or(0..self.tasks.len(), |t| t..t + 1) {
                progress.set(t, self.status_of(t));
            }
            return;
        }
        let ended = self.state.iter().filter(|s| s.ended).count();
        let retrying = self.state.iter().filter(|s| s.retry.is_some()).count();
        let lines: u64 = self.state.iter().map(|s| s.lines).sum();
        let mut m = format!(
            "{} tasks · {} running · {ended} ended · {lines} lines",
            self.state.len(),
            self.state.len() - ended
        );
        if retrying > 0 {
            m.push_str(&format!(" · {retrying} retrying"));
        }
        progress.set(0, m);
    }

    /// Clears the status line and writes the summary to stderr.
    pub fn finish(&mut self) {
        if let Some(p) = self.progress.take() {
            p.finish();
        }
        let _ = self.out.flush();
        self.reports.sort_by_key(|r| r.task);
        if self.display.quiet {
            // Errors are still said: a script needs to know why it got a non-zero code.
            for r in &self.reports {
                if matches!(r.outcome, Outcome::AuthError | Outcome::ApiError) {
                    self.error_line(r);
                }
            }
            return;
        }
        if self.multi() {
            self.table();
        }
        for r in &self.reports {
            if !self.multi() {
                self.note(&self.summary_line(r));
            }
            self.explain(r);
        }
        let ended = self
            .reports
            .iter()
            .any(|r| matches!(r.outcome, Outcome::Finished | Outcome::Failed));
        if ended && self.mode == Mode::Watch {
            self.note(&format!(
                "taskwatch: {}",
                "lines written in the last moments before the end may be missing: the server drops a task's log when it ends".dimmed()
            ));
        }
    }

    fn summary_line(&self, r: &Report) -> String {
        let id = sanitize::line(&self.tasks[r.task]);
        let what = match r.outcome {
            Outcome::Finished => "finished".green().to_string(),
            Outcome::Failed => "failed".red().to_string(),
            Outcome::NotSeen => "was not processing".yellow().to_string(),
            Outcome::TimedOut => "timed out".red().to_string(),
            Outcome::AuthError => "could not authenticate".red().to_string(),
            Outcome::ApiError => "could not be followed".red().to_string(),
            Outcome::Interrupted => "interrupted".yellow().to_string(),
        };
        let mut line = format!(
            "taskwatch: {id} {what} after {}: {} lines shown, {} missed",
            duration(r.elapsed),
            r.lines,
            r.missed
        );
        if r.unknown_gaps > 0 {
            line.push_str(&format!(" (+{} gaps of unknown size)", r.unknown_gaps));
        }
        line.push_str(&format!(", {} requests", r.requests));
        line
    }

    fn error_line(&self, r: &Report) {
        if let Some(detail) = &r.detail {
            self.note(&format!(
                "{}{} {}",
                self.label(r.task),
                "error:".red().bold(),
                sanitize::line(detail)
            ));
        }
        if let Some(hint) = r.hint {
            self.note(&format!("{}hint: {hint}", self.label(r.task)));
        }
    }

    /// What the outcome means and what to do next.
    fn explain(&self, r: &Report) {
        let label = self.label(r.task);
        match r.outcome {
            Outcome::Finished | Outcome::Failed => {
                if let Some(detail) = &r.detail {
                    self.note(&format!("{label}{}", sanitize::line(detail).red()));
                }
            }
            Outcome::NotSeen => self.note(&format!(
                "{label}the task is not processing: it has either finished already or the id is unknown (the API cannot tell which); use --start-timeout to wait for a task that was just started"
            )),
            Outcome::Interrupted | Outcome::TimedOut => {
                self.note(&format!("{label}resume with --from-index {}", r.resume_from))
            }
            Outcome::AuthError | Outcome::ApiError => self.error_line(r),
        }
    }

    fn table(&self) {
        let width = self
            .tasks
            .iter()
            .map(|t| sanitize::line(t).chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        self.note(&format!(
            "{:<width$}  {:<11}  {:>9}  {:>7}  {:>6}  {:>8}",
            "task", "outcome", "duration", "lines", "missed", "requests"
        ));
        for r in &self.reports {
            self.note(&format!(
                "{:<width$}  {:<11}  {:>9}  {:>7}  {:>6}  {:>8}",
                sanitize::line(&self.tasks[r.task]),
                r.outcome.as_str(),
                duration(r.elapsed),
                r.lines,
                r.missed,
                r.requests
            ));
        }
    }
}
