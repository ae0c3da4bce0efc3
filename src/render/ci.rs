//! The conventions of a CI system on stdout, as the renderer keeps them: GitHub's pause of
//! command processing and its commands (groups, annotations within GitHub's cap), GitLab's
//! collapsible sections; a group or section per stretch of one task's lines. The words and
//! escapes of each are in `github.rs` and `gitlab.rs`.

use std::io::{self, Write};

use super::{github, gitlab, markers, Renderer};
use crate::config::{CiSystem, OutputFormat};
use crate::events::Report;

/// What a CI system's conventions need remembered: the group or section open on stdout, the
/// token that resumes GitHub's command processing, the annotations written and left out.
#[derive(Default)]
pub(super) struct CiState {
    /// GitHub: commands are stopped until `::TOKEN::`.
    pub(super) token: Option<String>,
    /// The task whose lines are in the open group or section, and the section's name.
    pub(super) open: Option<(usize, String)>,
    /// Groups or sections opened so far, per task (a task's lines may come in several).
    opened: Vec<u32>,
    /// Annotations written and left out (over GitHub's cap): errors, warnings.
    annotated: [u32; 2],
    pub(super) left_out: [u32; 2],
    /// Commands not yet written: consecutive ones share one resume and stop.
    pending: String,
}

impl<O: Write, E: Write> Renderer<O, E> {
    /// Whether stdout carries a CI system's groups or sections and commands (not JSON: a
    /// reader of records gets records only).
    pub(super) fn decorated(&self) -> bool {
        self.setup.ci != CiSystem::None && self.setup.presentation.format != OutputFormat::Json
    }

    pub(super) fn github(&self) -> bool {
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
    pub(super) fn raw(&mut self, text: &str) -> io::Result<()> {
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
    pub(super) fn command(&mut self, text: &str) -> io::Result<()> {
        if self.ci.token.is_none() {
            return self.raw(text);
        }
        self.ci.pending.push_str(text);
        Ok(())
    }

    /// Writes the commands waiting, framed by a resume and a stop.
    pub(super) fn flush_commands(&mut self) -> io::Result<()> {
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
    pub(super) fn enter(&mut self, task: usize) -> io::Result<()> {
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
    pub(super) fn leave(&mut self) -> io::Result<()> {
        let Some((_, name)) = self.ci.open.take() else {
            return Ok(());
        };
        match self.setup.ci {
            CiSystem::Github => self.command(github::END_GROUP),
            _ => self.raw(&gitlab::end(&name)),
        }
    }

    /// An annotation, unless GitHub's cap for its kind was reached (then counted).
    pub(super) fn annotate(
        &mut self,
        kind: github::Kind,
        title: &str,
        message: &str,
    ) -> io::Result<()> {
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
    pub(super) fn annotate_end(&mut self, report: &Report, detail: Option<&str>) -> io::Result<()> {
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
}
