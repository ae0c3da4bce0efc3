//! The loop that follows one task: polls on a fixed schedule, adapts the window, retries with
//! backoff, enforces the timeouts, and reports what it sees as typed `Event`s. It words nothing
//! and escapes nothing: that is the renderer's job.
//!
//! `Follow` is one task's watch: this file holds its state, its loop and what it does on each
//! answer or error (`on_status`, `on_error`); `answer.rs` feeds an answer's lines to the
//! tracker and sends what it adds; `requests.rs` the requests besides the poll (trigger, a
//! fuller window, the confirmation of an end); `retry.rs` counts failures in a row;
//! `window.rs` sizes the window and paces the polls.

mod answer;
mod requests;
mod retry;
pub mod window;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::api::client::TaskUrls;
use crate::api::wire::TaskStatus;
use crate::api::{ApiError, Client};
use crate::config::Polling;
use crate::events::{End, Event, Report};
use crate::fraction::Progress;
use crate::tracker::Tracker;
use requests::{lines_in, Confirmed};
pub(crate) use retry::Retry;
pub use window::{backoff, catch_up, Window, MAX_WINDOW};

/// How long an `Ended` event may wait for room in the channel once the run is stopping.
const ENDED_GRACE: Duration = Duration::from_millis(300);

/// Why pollers are asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Running,
    /// Ctrl-C or SIGTERM.
    Interrupted,
    /// Nobody can read the output any more (a closed pipe, a full disk).
    OutputClosed,
}

/// Everything a poller needs besides its task.
#[derive(Clone)]
pub struct Shared {
    pub client: Arc<Client>,
    pub polling: Arc<Polling>,
    pub events: mpsc::Sender<Event>,
    pub stop: watch::Receiver<Stop>,
    /// The recorder, with `--archive`: every line of every poll, filters or not.
    pub archive: Option<crate::archive::recorder::Sink>,
    /// Per task id, the typical duration of its past runs (seconds, from the archive): the
    /// time left is estimated from it until the run's own rate is known.
    pub typical: Arc<std::collections::HashMap<String, f64>>,
}

impl Shared {
    /// Sends an event unless the run is stopping: a stalled renderer (a paused pager, a full
    /// pipe) must not hold a poller or the discovery once Ctrl-C or SIGTERM came.
    pub async fn send(&self, event: Event) {
        let mut stop = self.stop.clone();
        tokio::select! {
            biased;
            _ = self.events.send(event) => {}
            _ = stop.wait_for(|s| *s != Stop::Running) => {}
        }
    }
}

fn is_failure_status(status: &str) -> bool {
    ["failed", "failure", "error", "cancelled", "canceled"]
        .iter()
        .any(|s| status.eq_ignore_ascii_case(s))
}

/// Now in seconds since the epoch: the time of a line that carries none.
fn now_seconds() -> f64 {
    chrono::Utc::now().timestamp_millis() as f64 / 1000.0
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// Follows one task to its end and returns the report (also sent as `Event::Ended`). With
/// several tasks, the first poll is delayed by `stagger` so that their requests spread over the
/// interval instead of arriving at the server all at once.
pub async fn follow(task: usize, task_id: String, shared: Shared, stagger: Duration) -> Report {
    Follow::new(task, task_id, shared).run(stagger).await
}

/// One task's watch in progress.
struct Follow {
    task_id: String,
    shared: Shared,
    urls: TaskUrls,
    started: Instant,
    deadline: Option<Instant>,
    appear_by: Instant,
    tracker: Tracker,
    window: Window,
    report: Report,
    seen: bool,
    /// Why the task will count as failed when it ends (the first `--fail-on` match or a
    /// failure status).
    failure: Option<End>,
    /// Requests failing in a row.
    retry: Retry,
    /// Progress read from every line, shown or hidden, once its secrets are masked (a label
    /// is printed as it is, in JSON too).
    progress: Progress,
    /// The connection's secrets, masked in what progress reads.
    scrubber: crate::secret::Scrubber,
    /// When the last answer with lines arrived: the pace is measured between answers.
    last_answer: Option<Instant>,
    /// The run's start (seconds since the epoch): the server's, else when it was first seen.
    run_start: Option<f64>,
    /// When the recorder was last told that the task is still followed.
    told_alive: Option<Instant>,
}

/// What to do after an answer.
enum Next {
    PollAt(Instant),
    End(End),
}

impl Follow {
    fn new(task: usize, task_id: String, shared: Shared) -> Follow {
        let started = Instant::now();
        let polling = &shared.polling;
        Follow {
            urls: shared.client.task_urls(&task_id),
            deadline: polling.timeout.and_then(|t| started.checked_add(t)),
            appear_by: started
                .checked_add(polling.start_timeout.unwrap_or_default())
                .unwrap_or(started),
            tracker: Tracker::new(polling.start),
            window: Window::new(polling.logs_count),
            report: Report::new(task),
            progress: Progress::new(polling.progress.clone()),
            scrubber: shared.client.scrubber(),
            task_id,
            shared,
            started,
            seen: false,
            failure: None,
            retry: Retry::default(),
            last_answer: None,
            run_start: None,
            told_alive: None,
        }
    }

    fn task(&self) -> usize {
        self.report.task
    }

    /// Sends an event; gives up when the run is stopping, so that a stalled renderer (a full
    /// pipe) never keeps a poller from ending.
    async fn send(&self, event: Event) {
        self.shared.send(event).await;
    }

    async fn run(mut self, stagger: Duration) -> Report {
        let end = self.watch(stagger).await;
        let end = match (end, self.failure.take()) {
            (End::Finished, Some(failure)) => failure,
            (end, _) => end,
        };
        self.report.end = end;
        self.report.elapsed = self.started.elapsed();
        self.report.resume_from = self.tracker.next_index();
        // The end is worth a short wait even when stopping: the JSON `end` record needs it.
        let ended = Event::Ended(self.report.clone());
        let _ = self.shared.events.send_timeout(ended, ENDED_GRACE).await;
        self.report
    }

    async fn watch(&mut self, stagger: Duration) -> End {
        let mut stop = self.shared.stop.clone();
        tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s != Stop::Running) => return End::Interrupted,
            _ = tokio::time::sleep(stagger) => {}
        }
        if let Some(kind) = self.shared.polling.trigger {
            if let Err(end) = self.trigger(kind).await {
                return end;
            }
        }
        self.poll_loop().await
    }

    /// Polls keep to a fixed schedule (`interval` apart from the first), so that tasks started
    /// in the same slot stay together and the process wakes up once for all of them.
    async fn poll_loop(&mut self) -> End {
        let mut stop = self.shared.stop.clone();
        let mut scheduled = Instant::now();
        loop {
            let poll_started = Instant::now();
            let asked = self.window_now();
            let fetched = match self.fetch_status(asked, Duration::ZERO).await {
                Ok(fetched) => fetched,
                Err(end) => return end,
            };
            let next = match fetched {
                Ok(status) => {
                    let status = match self.fuller(&status, asked).await {
                        Some(Ok(fuller)) => fuller,
                        Some(Err(end)) => return end,
                        None => status,
                    };
                    self.on_status(status, poll_started, &mut scheduled).await
                }
                Err(e) => self.on_error(e, poll_started, &mut scheduled).await,
            };
            let next_poll = match next {
                Next::PollAt(at) => at,
                Next::End(end) => return end,
            };
            tokio::select! {
                biased;
                _ = stop.wait_for(|s| *s != Stop::Running) => return End::Interrupted,
                _ = sleep_until(self.deadline) => return End::TimedOut,
                _ = tokio::time::sleep_until(next_poll) => {}
            }
        }
    }

    async fn on_status(
        &mut self,
        status: TaskStatus,
        poll_started: Instant,
        scheduled: &mut Instant,
    ) -> Next {
        self.recovered().await;
        // A failure status counts once the answer is known not to be a flap.
        if status.is_processing || !self.seen {
            self.note_failure(&status);
        }
        if status.is_processing {
            let delay = self.ingest(status).await;
            if delay < self.shared.polling.interval {
                // Lines come faster than a window holds: poll sooner, off the fixed schedule.
                *scheduled = Instant::now() + delay;
                return Next::PollAt(*scheduled);
            }
        } else if self.seen {
            match self.confirm_end().await {
                Err(end) => return Next::End(end),
                Ok(Confirmed::Processing(again)) => {
                    self.report.flaps = self.report.flaps.saturating_add(1);
                    let (task, flaps) = (self.task(), self.report.flaps);
                    self.send(Event::Flapped { task, flaps }).await;
                    let delay = self.ingest(again).await;
                    *scheduled = Instant::now() + delay.min(self.shared.polling.interval);
                    return Next::PollAt(*scheduled);
                }
                Ok(Confirmed::Ended(last)) => {
                    // The final answers may still carry lines: those of the fuller one (the
                    // confirming request asks for the largest window) are shown and counted.
                    let last = last.filter(|l| lines_in(l) >= lines_in(&status));
                    let last = last.unwrap_or(status);
                    self.note_failure(&last);
                    if lines_in(&last) > 0 {
                        self.ingest(last).await;
                    }
                }
            }
            return Next::End(End::Finished);
        } else if self.failure.is_some() {
            return Next::End(End::Finished);
        } else if poll_started >= self.appear_by {
            return Next::End(End::NotSeen);
        }
        *scheduled = scheduled
            .checked_add(self.shared.polling.interval)
            .unwrap_or_else(Instant::now);
        if *scheduled < Instant::now() {
            // The answer took longer than the interval: start again from now.
            *scheduled = Instant::now();
        }
        Next::PollAt(*scheduled)
    }

    /// Remembers a failure status (`failed`, `error`, `cancelled`…) of an answer.
    fn note_failure(&mut self, status: &TaskStatus) {
        if let Some(s) = status.status.as_deref().filter(|s| is_failure_status(s)) {
            self.report
                .failed_status
                .get_or_insert_with(|| s.to_string());
            self.failure.get_or_insert_with(|| End::FailedStatus {
                status: s.to_string(),
            });
        }
    }

    /// How many lines to ask for now: the window, widened for a poll that comes late.
    fn window_now(&self) -> u8 {
        let elapsed = self.last_answer.map(|t| t.elapsed());
        self.window.size_after(elapsed)
    }

    async fn on_error(
        &mut self,
        e: ApiError,
        poll_started: Instant,
        scheduled: &mut Instant,
    ) -> Next {
        if e.is_auth() || !e.is_retryable() {
            return Next::End(End::Api(e));
        }
        let failing_for = self.retry.failed(poll_started, Instant::now());
        let give_up_after = self.shared.polling.give_up_after;
        if failing_for >= give_up_after {
            return Next::End(End::GaveUp {
                error: e,
                after: failing_for,
            });
        }
        // Lines keep coming while requests fail: ask for a full window next time.
        self.window.widen();
        if matches!(e, ApiError::TooLarge { .. }) {
            self.window.too_large();
        }
        let interval = self.shared.polling.interval;
        let delay = self
            .retry
            .delay(e.retry_after(), interval, failing_for, give_up_after);
        let (task, attempt, answered) = (self.task(), self.retry.failures(), self.report.answered);
        self.send(Event::Retrying {
            task,
            attempt,
            error: e,
            delay,
            answered,
        })
        .await;
        // The schedule starts again after the retry.
        let now = Instant::now();
        *scheduled = now.checked_add(delay).unwrap_or(now);
        Next::PollAt(*scheduled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_statuses() {
        assert!(is_failure_status("FAILED"));
        assert!(is_failure_status("Cancelled"));
        assert!(!is_failure_status("processing"));
    }
}
