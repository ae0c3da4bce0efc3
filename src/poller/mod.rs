//! The loop that follows one task: polls on a fixed schedule, adapts the window, retries with
//! backoff, enforces the timeouts, and reports what it sees as typed `Event`s. It words nothing
//! and escapes nothing: that is the renderer's job.

pub mod window;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::api::client::TaskUrls;
use crate::api::wire::{epoch_seconds, TaskStatus};
use crate::api::{ApiError, Client, Triggered};
use crate::archive::recorder::Note;
use crate::config::Polling;
use crate::events::{End, Event, Report};
use crate::fraction::Progress;
use crate::tracker::{Answer, Entry, Stamps, Tracker};
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
    failing_since: Option<Instant>,
    failures: u32,
    /// Progress read from every line, shown or hidden.
    progress: Progress,
    /// When the last answer with lines arrived: the pace is measured between answers.
    last_answer: Option<Instant>,
    /// The run's start (seconds since the epoch): the server's, else when it was first seen.
    run_start: Option<f64>,
}

/// What the request that confirms an end found.
enum Confirmed {
    /// The task is processing after all: the end was a flap.
    Processing(TaskStatus),
    /// It has ended; the answer, when there was one.
    Ended(Option<TaskStatus>),
}

/// How many lines an answer carries.
fn lines_in(status: &TaskStatus) -> usize {
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
            task_id,
            shared,
            started,
            seen: false,
            failure: None,
            failing_since: None,
            failures: 0,
            last_answer: None,
            run_start: None,
        }
    }

    fn task(&self) -> usize {
        self.report.task
    }

    /// Sends an event; gives up when the run is stopping, so that a stalled renderer (a full
    /// pipe) never keeps a poller from ending.
    async fn send(&self, event: Event) {
        let mut stop = self.shared.stop.clone();
        tokio::select! {
            biased;
            _ = self.shared.events.send(event) => {}
            _ = stop.wait_for(|s| *s != Stop::Running) => {}
        }
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

    /// Starts the task, retrying like a status request (429 with `Retry-After`, 5xx,
    /// timeouts) for up to `--give-up-after`; a duplicate trigger answers 409, which is as good.
    async fn trigger(&mut self, kind: crate::api::TriggerKind) -> Result<(), End> {
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
    async fn recovered(&mut self) {
        if self.failing_since.take().is_some() {
            let (task, failures) = (self.task(), self.failures);
            self.send(Event::Recovered { task, failures }).await;
            self.failures = 0;
        }
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

    /// A window smaller than the largest that would be read as skipping lines (every line
    /// new) is asked again at once at the largest: a full window may still hold what lies
    /// between. One request per burst, so that `auto` never misses what a full window would
    /// not have. `None` when the answer stands as it is.
    async fn fuller(&mut self, status: &TaskStatus, asked: u8) -> Option<Result<TaskStatus, End>> {
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
    async fn fetch_status(
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
    async fn confirm_end(&mut self) -> Result<Confirmed, End> {
        let pause = self.shared.polling.min_interval;
        let fetched = self.fetch_status(self.window.largest(), pause).await?;
        Ok(match fetched {
            Ok(s) if s.is_processing => Confirmed::Processing(s),
            Ok(s) => Confirmed::Ended(Some(s)),
            Err(_) => Confirmed::Ended(None),
        })
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

    /// Feeds an answer to the tracker and sends what it adds; returns the time until the next
    /// poll.
    async fn ingest(&mut self, status: TaskStatus) -> Duration {
        let first = !self.seen;
        if first {
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
        let credible = status.total_is_credible();
        let stamps = Stamps {
            started_at: status.started_at.as_ref().and_then(epoch_seconds),
            updated_at: status.updated_at.as_ref().and_then(epoch_seconds),
        };
        let answer_start = stamps.started_at;
        let (window, total) = status.into_window();
        let batch = self.tracker.ingest_answer(Answer {
            total: credible.then_some(total),
            window,
            stamps,
        });
        let now = Instant::now();
        let since = self.last_answer.replace(now).map(|t| now - t);
        let polling = self.shared.polling.clone();
        let pace = since.map(|s| batch.growth as f64 / s.as_secs_f64().max(0.001));
        let delay = catch_up(pace, polling.interval, polling.min_interval);
        self.window.observe(&batch, since, delay);
        if let Some(archive) = self
            .shared
            .archive
            .as_ref()
            .filter(|_| !batch.entries.is_empty())
        {
            archive.send(Note::Batch {
                task: self.task(),
                started_at: answer_start,
                entries: batch.entries.clone(),
            });
        }
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
                    progressed |= self.progress.observe(&item.message, at);
                    if !polling.filter.shows(&item.message) {
                        self.report.hidden = self.report.hidden.saturating_add(1);
                        continue;
                    }
                    self.report.lines = self.report.lines.saturating_add(1);
                    self.report.first_shown.get_or_insert(*index);
                }
                Entry::Gap { missed: Some(n) } => {
                    self.report.missed = self.report.missed.saturating_add(*n)
                }
                Entry::Gap { missed: None } | Entry::Ambiguous => {
                    self.report.unknown_gaps = self.report.unknown_gaps.saturating_add(1)
                }
                Entry::Restart { .. } => {}
            }
            shown.push(entry);
        }
        let task = self.task();
        if !shown.is_empty() {
            self.send(Event::Batch {
                task,
                entries: shown,
            })
            .await;
        }
        if progressed {
            if let Some(mut progress) = self.progress.snapshot() {
                if let Some(typical) = self.shared.typical.get(&self.task_id) {
                    let elapsed = now_seconds() - self.run_start.unwrap_or_else(now_seconds);
                    progress = progress.with_history(*typical, elapsed);
                }
                self.report.progress = Some(progress.clone());
                self.send(Event::Progress { task, progress }).await;
            }
        }
        delay
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
        let since = *self.failing_since.get_or_insert(poll_started);
        self.failures = self.failures.saturating_add(1);
        let failing_for = since.elapsed();
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
        let delay = backoff(self.failures, e.retry_after(), self.shared.polling.interval).min(
            give_up_after
                .saturating_sub(failing_for)
                .saturating_add(Duration::from_millis(10)),
        );
        let (task, attempt, answered) = (self.task(), self.failures, self.report.answered);
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
