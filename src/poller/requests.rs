//! The requests of one task's watch besides the poll itself: starting the task (`--trigger`),
//! asking again for a fuller window before lines are declared missed, and confirming an end.
//! Each request is counted, its notes sent, and given up when the run stops or the deadline
//! passes.

use std::time::Duration;

use tokio::time::Instant;

use super::{sleep_until, Follow, Next, Stop};
use crate::api::wire::{epoch_seconds, TaskStatus};
use crate::api::{ApiError, Triggered};
use crate::events::{End, Event};

/// What the request that confirms an end found.
pub(super) enum Confirmed {
    /// The task is processing after all: the end was a flap.
    Processing(TaskStatus),
    /// It has ended; the answer, when there was one.
    Ended(Option<TaskStatus>),
}

/// How many lines an answer carries.
pub(super) fn lines_in(status: &TaskStatus) -> usize {
    status.logs.as_ref().map_or(0, Vec::len)
}

/// Whether `again` is older than `first` by what they say: a lower total or an earlier
/// `updated_at` (a replica behind answered the second request).
fn behind(again: &TaskStatus, first: &TaskStatus) -> bool {
    let updated = |s: &TaskStatus| s.updated_at.as_ref().and_then(epoch_seconds);
    let earlier = matches!((updated(again), updated(first)), (Some(a), Some(b)) if a < b);
    let lower = matches!((again.logs_count, first.logs_count), (Some(a), Some(b)) if a < b);
    earlier || lower
}

impl Follow {
    /// Starts the task, retrying like a status request (429 with `Retry-After`, 5xx,
    /// timeouts) for up to `--give-up-after`; a duplicate trigger answers 409, which is as good.
    pub(super) async fn trigger(&mut self, kind: crate::api::TriggerKind) -> Result<(), End> {
        let mut stop = self.shared.stop.clone();
        let client = self.shared.client.clone();
        loop {
            let attempt_started = Instant::now();
            let fetched = tokio::select! {
                biased;
                _ = stop.wait_for(|s| *s != Stop::Running) => return Err(End::Interrupted),
                _ = sleep_until(self.deadline) => return Err(End::TimedOut),
                f = client.trigger(kind, &self.task_id) => f,
            };
            self.report.requests = self.report.requests.saturating_add(fetched.requests);
            self.note_answer(&fetched.result);
            self.send_requests(fetched.notes).await;
            let retry_at = match fetched.result {
                Ok(t) => {
                    self.recovered().await;
                    let (task, already_running) = (self.task(), t == Triggered::AlreadyRunning);
                    self.send(Event::Triggered {
                        task,
                        already_running,
                    })
                    .await;
                    // The task may take a moment to appear: --start-timeout counts from here.
                    self.appear_by = Instant::now()
                        .checked_add(self.shared.polling.start_timeout.unwrap_or_default())
                        .unwrap_or(self.appear_by);
                    return Ok(());
                }
                Err(e) => match self.on_error(e, attempt_started, &mut Instant::now()).await {
                    Next::PollAt(at) => at,
                    Next::End(End::Api(e)) => return Err(End::TriggerFailed(e)),
                    Next::End(end) => return Err(end),
                },
            };
            tokio::select! {
                biased;
                _ = stop.wait_for(|s| *s != Stop::Running) => return Err(End::Interrupted),
                _ = sleep_until(self.deadline) => return Err(End::TimedOut),
                _ = tokio::time::sleep_until(retry_at) => {}
            }
        }
    }

    /// A request succeeded: says so when earlier ones had failed.
    pub(super) async fn recovered(&mut self) {
        if let Some(failures) = self.retry.succeeded() {
            let task = self.task();
            self.send(Event::Recovered { task, failures }).await;
        }
    }

    /// A window smaller than the largest that would be read as skipping lines (every line
    /// new) is asked again at once at the largest: a full window may still hold what lies
    /// between. One request per burst, so that `auto` never misses what a full window would
    /// not have. `None` when the answer stands as it is.
    pub(super) async fn fuller(
        &mut self,
        status: &TaskStatus,
        asked: u8,
    ) -> Option<Result<TaskStatus, End>> {
        let largest = self.window.largest();
        if !status.is_processing || asked >= largest {
            return None;
        }
        let credible = status.total_is_credible();
        let total = status.logs_count.filter(|_| credible);
        let skips = match self.tracker.would_skip_by_count(total, lines_in(status)) {
            Some(skips) => skips,
            None => {
                let (lines, total) = status.window();
                self.tracker.would_skip(credible.then_some(total), &lines)
            }
        };
        if !skips {
            return None;
        }
        let fetched = match self.fetch_status(largest, Duration::ZERO).await {
            Ok(fetched) => fetched,
            Err(end) => return Some(Err(end)),
        };
        // A failed second request, or one answered by a replica behind the first (a lower
        // total, an earlier `updated_at`), leaves the first answer as it was.
        fetched
            .ok()
            .filter(|again| again.is_processing && !behind(again, status))
            .map(Ok)
    }

    /// One status request for `n` lines, `pause` from now; given up when the run stops or the
    /// deadline passes (the `End` to end with). Its requests are counted and its notes sent.
    pub(super) async fn fetch_status(
        &mut self,
        n: u8,
        pause: Duration,
    ) -> Result<Result<TaskStatus, ApiError>, End> {
        let mut stop = self.shared.stop.clone();
        let client = self.shared.client.clone();
        let fetched = tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s != Stop::Running) => return Err(End::Interrupted),
            _ = sleep_until(self.deadline) => return Err(End::TimedOut),
            f = async {
                // No timer in the poll loop's own requests.
                if !pause.is_zero() {
                    tokio::time::sleep(pause).await;
                }
                client.fetch(&self.urls, n).await
            } => f,
        };
        self.report.requests = self.report.requests.saturating_add(fetched.requests);
        self.note_answer(&fetched.result);
        self.send_requests(fetched.notes).await;
        Ok(fetched.result)
    }

    /// One answer said the task is no longer processing. A worker or replica that does not
    /// know the task says so too: ask once more after `--min-interval`, for the largest window.
    /// A confirming request that fails leaves the end as it was.
    pub(super) async fn confirm_end(&mut self) -> Result<Confirmed, End> {
        let pause = self.shared.polling.min_interval;
        let fetched = self.fetch_status(self.window.largest(), pause).await?;
        Ok(match fetched {
            Ok(s) if s.is_processing => Confirmed::Processing(s),
            Ok(s) => Confirmed::Ended(Some(s)),
            Err(_) => Confirmed::Ended(None),
        })
    }

    /// Remembers whether the server has answered at all (a connection could be made).
    fn note_answer<T>(&mut self, result: &Result<T, ApiError>) {
        if result
            .as_ref()
            .err()
            .and_then(ApiError::unreachable)
            .is_none()
        {
            self.report.answered = true;
        }
    }

    async fn send_requests(&self, notes: Vec<String>) {
        for detail in notes {
            let task = self.task();
            self.send(Event::Request { task, detail }).await;
        }
    }
}
