//! What reaches stdout while tasks are followed, task by task: log lines in the chosen format
//! (a line holding a secret masked), the markers between them on stderr in order with them,
//! the progress and end records of JSON output; and the record of what was written, which an
//! interrupted run's summary and resume index trust over what the pollers counted.

use std::io::{self, Write};
use std::time::Instant;

use colored::Colorize;

use super::format::{self, Record};
use super::{label, markers, summary, Mode, Renderer};
use crate::config::OutputFormat;
use crate::events::Report;
use crate::fraction::Snapshot;
use crate::line::LogLine;
use crate::tracker::Entry;

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

impl<O: Write, E: Write> Renderer<O, E> {
    /// The prefix of each line when several tasks are followed (built once per batch), padded
    /// to the longest task name so far so that the messages line up.
    pub(super) fn prefix(&self, task: usize) -> String {
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

    pub(super) fn line(&mut self, task: usize, prefix: &str, index: u64, item: &LogLine) -> String {
        // A log line that holds the token (or the URL's password) is shown with it masked.
        let masked = self
            .scrubber
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

    pub(super) fn batch(&mut self, task: usize, entries: Vec<Entry<LogLine>>) -> io::Result<()> {
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

    pub(super) fn progress(&mut self, task: usize, progress: Snapshot) -> io::Result<()> {
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

    pub(super) fn ended(&mut self, mut report: Report) -> io::Result<()> {
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
}
