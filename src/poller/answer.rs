//! What one answer with lines does to a task's watch: the tracker reads it, the window and the
//! catch-up adapt to its pace, the recorder gets every entry, `--fail-on`, progress and the
//! filters see each line, and what is to be shown is sent as one `Event::Batch`.

use std::time::Duration;

use tokio::time::Instant;

use super::{catch_up, now_seconds, Follow};
use crate::api::wire::{epoch_seconds, TaskStatus};
use crate::archive::recorder::Note;
use crate::events::{End, Event};
use crate::line::LogLine;
use crate::tracker::{Answer, Batch, Entry, Stamps};

/// How often a silent task's recorder is told that the task is still followed.
const ALIVE_EVERY: Duration = Duration::from_secs(30);

impl Follow {
    /// Feeds an answer to the tracker and sends what it adds; returns the time until the next
    /// poll.
    pub(super) async fn ingest(&mut self, status: TaskStatus) -> Duration {
        if !self.seen {
            self.first_seen(&status).await;
        }
        let credible = status.total_is_credible();
        let stamps = Stamps {
            started_at: status.started_at.as_ref().and_then(epoch_seconds),
            updated_at: status.updated_at.as_ref().and_then(epoch_seconds),
        };
        let (window, total) = status.into_window();
        let batch = self.tracker.ingest_answer(Answer {
            total: credible.then_some(total),
            window,
            stamps,
        });
        let now = Instant::now();
        let since = self.last_answer.replace(now).map(|t| now - t);
        let polling = &self.shared.polling;
        let pace = since.map(|s| batch.growth as f64 / s.as_secs_f64().max(0.001));
        let delay = catch_up(pace, polling.interval, polling.min_interval);
        self.window.observe(&batch, since, delay);
        self.record(&batch, stamps.started_at);
        let (shown, progressed) = self.account(batch);
        if !shown.is_empty() {
            let task = self.task();
            let entries = shown;
            self.send(Event::Batch { task, entries }).await;
        }
        if progressed {
            self.send_progress().await;
        }
        delay
    }

    /// The first answer that says the task exists: the run's start is known from here.
    async fn first_seen(&mut self, status: &TaskStatus) {
        self.seen = true;
        let started_at = status.started_at.as_ref().and_then(epoch_seconds);
        self.run_start = Some(started_at.unwrap_or_else(now_seconds));
        let task = self.task();
        if let Some(archive) = &self.shared.archive {
            archive.send(Note::Seen {
                task,
                started_at,
                at: now_seconds(),
            });
        }
        self.send(Event::Seen { task, started_at }).await;
    }

    /// Hands the recorder every entry of the batch, filters or not; a batch with none tells it
    /// now and then that the task is still followed.
    fn record(&mut self, batch: &Batch<LogLine>, started_at: Option<f64>) {
        let Some(archive) = &self.shared.archive else {
            return;
        };
        let task = self.task();
        if !batch.entries.is_empty() {
            archive.send(Note::Batch {
                task,
                started_at,
                entries: batch.entries.clone(),
            });
        } else if self.told_alive.is_none_or(|at| at.elapsed() >= ALIVE_EVERY) {
            self.told_alive = Some(Instant::now());
            archive.send(Note::Alive { task });
        }
    }

    /// Counts the batch into the report (lines shown and hidden, gaps), checks each line
    /// against `--fail-on` and reads progress from it; returns the entries to show (hidden
    /// lines left out) and whether the progress changed.
    fn account(&mut self, batch: Batch<LogLine>) -> (Vec<Entry<LogLine>>, bool) {
        let polling = self.shared.polling.clone();
        let report = &mut self.report;
        let mut shown = Vec::with_capacity(batch.entries.len());
        let mut progressed = false;
        for entry in batch.entries {
            match &entry {
                Entry::Line { index, item } => {
                    if self.failure.is_none()
                        && polling.fail_on.iter().any(|re| re.is_match(&item.message))
                    {
                        self.failure = Some(End::FailOn {
                            index: *index,
                            line: item.message.clone(),
                        });
                    }
                    let at = item.epoch_seconds().unwrap_or_else(now_seconds);
                    let masked = self.scrubber.mask(&item.message);
                    let message = masked.as_deref().unwrap_or(&item.message);
                    progressed |= self.progress.observe(message, at);
                    if !polling.filter.shows(&item.message) {
                        report.hidden = report.hidden.saturating_add(1);
                        continue;
                    }
                    report.lines = report.lines.saturating_add(1);
                    report.first_shown.get_or_insert(*index);
                }
                Entry::Gap { missed: Some(n) } => report.missed = report.missed.saturating_add(*n),
                Entry::Gap { missed: None } | Entry::Ambiguous => {
                    report.unknown_gaps = report.unknown_gaps.saturating_add(1)
                }
                Entry::Restart { .. } => {}
            }
            shown.push(entry);
        }
        (shown, progressed)
    }

    /// Sends the progress as it now stands, its time left estimated from the task's typical
    /// duration until the run's own rate is known.
    async fn send_progress(&mut self) {
        let Some(mut progress) = self.progress.snapshot() else {
            return;
        };
        if let Some(typical) = self.shared.typical.get(&self.task_id) {
            let elapsed = now_seconds() - self.run_start.unwrap_or_else(now_seconds);
            progress = progress.with_history(*typical, elapsed);
        }
        self.report.progress = Some(progress.clone());
        let task = self.task();
        self.send(Event::Progress { task, progress }).await;
    }
}
