//! The end of a run on stderr: one summary line (or a table for several tasks), what each
//! outcome means and what to do next. Also the words for how a task ended, used by the JSON
//! `end` record.

use std::io::Write;

use colored::Colorize;

use super::{duration, markers, outcomes, Mode, Setup};
use crate::events::{End, Followed, Report};
use crate::messages;
use crate::outcome::Outcome;
use crate::sanitize;
use crate::secret::Scrubber;

/// Why a task ended, when that needs saying (the error, the failing line); unescaped.
pub fn detail(end: &End) -> Option<String> {
    match end {
        // People count lines from 1; `index` counts from 0.
        End::FailOn { index, line } => Some(format!(
            "line {} matched --fail-on: {line}",
            index.saturating_add(1)
        )),
        End::FailedStatus { status } => Some(format!("the server reported status `{status}`")),
        End::Api(e) => Some(e.to_string()),
        End::GaveUp { error, after } => Some(format!(
            "{error} (requests failing for {})",
            duration(*after)
        )),
        End::TriggerFailed(e) => Some(format!("could not start the task: {e}")),
        End::Internal => Some("internal error: the task's poller stopped unexpectedly".into()),
        End::Finished | End::NotSeen | End::TimedOut | End::Interrupted => None,
    }
}

/// What a person can do about how the task ended, if anything obvious; where the server never
/// answered, whether it runs where it was looked for.
pub fn hint(r: &Report) -> Option<String> {
    match &r.end {
        End::Api(e) | End::TriggerFailed(e) | End::GaveUp { error: e, .. } if !r.answered => {
            markers::first_hint(e)
        }
        End::Api(e) | End::TriggerFailed(e) | End::GaveUp { error: e, .. } => {
            markers::hint(e).map(str::to_string)
        }
        _ => None,
    }
}

pub use super::markers::count;

struct Summary<'a, E: Write> {
    err: &'a mut E,
    scrubber: Scrubber,
    setup: &'a Setup,
    tasks: &'a [Followed],
}

impl<E: Write> Summary<'_, E> {
    fn say(&mut self, text: &str) {
        let _ = writeln!(self.err, "{text}");
    }

    fn multi(&self) -> bool {
        self.setup.open || self.tasks.len() > 1
    }

    fn id(&self, r: &Report) -> String {
        self.tasks
            .get(r.task)
            .map_or_else(|| "?".into(), super::label)
    }

    fn label(&self, r: &Report) -> String {
        if self.multi() {
            messages::task_prefix(&self.id(r))
        } else {
            messages::PREFIX.into()
        }
    }

    fn clean(&self, text: &str) -> String {
        self.scrubber.clean(text)
    }

    fn line(&self, r: &Report) -> String {
        // `wait` shows no line: it has seen them.
        let shown = match self.setup.mode {
            Mode::Watch => "shown",
            Mode::Wait => "seen",
        };
        let mut line = format!(
            "{}{} {} after {}: {} {shown}",
            messages::PREFIX,
            self.id(r),
            outcomes::sentence(r.outcome()),
            duration(r.elapsed),
            count(r.lines, "line"),
        );
        if r.hidden > 0 {
            line.push_str(&format!(" ({} hidden)", r.hidden));
        }
        line.push_str(&format!(", {} missed", r.missed));
        if r.unknown_gaps > 0 {
            let gaps = count(r.unknown_gaps, "gap");
            line.push_str(&format!(" (+{gaps} of unknown size)"));
        }
        line.push_str(&format!(", {}", count(r.requests, "request")));
        line
    }

    fn error_line(&mut self, r: &Report) {
        let label = self.label(r);
        if let Some(detail) = detail(&r.end) {
            let text = format!("{label}{} {}", "error:".red().bold(), self.clean(&detail));
            self.say(&text);
        }
        if let Some(hint) = hint(r) {
            self.say(&format!("{label}hint: {hint}"));
        }
    }

    /// What the outcome means and what to do next.
    fn explain(&mut self, r: &Report) {
        let label = self.label(r);
        match r.outcome() {
            Outcome::Finished | Outcome::Failed => {
                if let Some(detail) = detail(&r.end) {
                    let text = format!("{label}{}", self.clean(&detail).red());
                    self.say(&text);
                }
            }
            Outcome::NotSeen => {
                let listed = self.tasks.get(r.task).is_some_and(|t| t.profile.is_some());
                let words = if listed {
                    markers::LISTED_NOT_PROCESSING
                } else {
                    markers::NOT_PROCESSING
                };
                self.say(&format!("{label}{words}"));
            }
            // After no line at all there is nothing to resume from.
            Outcome::Interrupted | Outcome::TimedOut
                if self.setup.resume_hint && (r.resume_from > 0 || r.first_shown.is_some()) =>
            {
                if self.multi() {
                    // --from-index takes one index: with several tasks, one command each.
                    let command = match self.setup.mode {
                        Mode::Watch => "watch",
                        Mode::Wait => "wait",
                    };
                    let id = self
                        .tasks
                        .get(r.task)
                        .map_or_else(|| "?".into(), |t| sanitize::line(&t.id));
                    self.say(&format!(
                        "{label}resume with: taskwatch {command} --from-index {} {id}",
                        r.resume_from
                    ))
                } else {
                    self.say(&format!(
                        "{label}resume with --from-index {}",
                        r.resume_from
                    ))
                }
            }
            Outcome::Interrupted | Outcome::TimedOut => {}
            _ => self.error_line(r),
        }
    }

    fn table(&mut self, reports: &[Report]) {
        let width = self
            .tasks
            .iter()
            .map(|t| super::label(t).chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        let words = reports
            .iter()
            .map(|r| outcomes::short(r.outcome()).len())
            .max()
            .unwrap_or(0)
            .max("outcome".len());
        // The hidden column only when filters hid something.
        let hidden = reports.iter().any(|r| r.hidden > 0);
        let mut head = format!(
            "{:<width$}  {:<words$}  {:>9}  {:>7}",
            "task", "outcome", "duration", "lines"
        );
        if hidden {
            head.push_str(&format!("  {:>6}", "hidden"));
        }
        head.push_str(&format!("  {:>6}  {:>8}", "missed", "requests"));
        self.say(&head);
        for r in reports {
            let mut row = format!(
                "{:<width$}  {:<words$}  {:>9}  {:>7}",
                self.id(r),
                outcomes::short(r.outcome()),
                duration(r.elapsed),
                r.lines,
            );
            if hidden {
                row.push_str(&format!("  {:>6}", r.hidden));
            }
            row.push_str(&format!("  {:>6}  {:>8}", r.missed, r.requests));
            self.say(&row);
        }
    }
}

/// Writes the summary of `reports` (in task order) to `err`. Errors writing to stderr are
/// ignored: there is nowhere left to report them. On GitHub, no line of it can be a command.
pub fn write<E: Write>(err: &mut E, setup: &Setup, tasks: &[Followed], reports: &[Report]) {
    if setup.ci == crate::config::CiSystem::Github {
        let mut text = Vec::new();
        write_to(&mut text, setup, tasks, reports);
        let text = sanitize::inert(&String::from_utf8_lossy(&text));
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
        return;
    }
    write_to(err, setup, tasks, reports);
}

fn write_to<E: Write>(err: &mut E, setup: &Setup, tasks: &[Followed], reports: &[Report]) {
    let mut s = Summary {
        err,
        scrubber: Scrubber::new(&setup.secrets),
        setup,
        tasks,
    };
    if setup.presentation.quiet {
        // Errors are still said: a script needs to know why it got a non-zero code.
        for r in reports {
            if matches!(
                r.outcome(),
                Outcome::AuthError | Outcome::ApiError | Outcome::Internal
            ) {
                s.error_line(r);
            }
        }
        return;
    }
    if s.multi() {
        s.table(reports);
    }
    for r in reports {
        if !s.multi() {
            let line = s.line(r);
            s.say(&line);
        }
        s.explain(r);
    }
    let ended = reports
        .iter()
        .any(|r| matches!(r.outcome(), Outcome::Finished | Outcome::Failed));
    if ended && setup.mode == Mode::Watch {
        s.say(&messages::note_text(markers::LAST_MOMENTS.dimmed()));
    }
    let _ = s.err.flush();
}
