//! The loop that follows one task: polls at the interval, adapts the window, retries with
//! backoff, enforces the timeouts, and reports what it sees as `Event`s.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::api::wire::LogLine;
use crate::api::{ApiError, Client, Triggered};
use crate::cli::LogsCount;
use crate::config::Polling;
use crate::outcome::Outcome;
use crate::render::sanitize;
use crate::tracker::{self, Batch, Tracker};

/// What the pollers tell the renderer. `task` is the position of the task on the command line.
#[derive(Debug)]
pub enum Event {
    /// New lines and markers from one poll, in order.
    Batch {
        task: usize,
        events: Vec<tracker::Event<LogLine>>,
    },
    /// The task was seen processing for the first time; `started_at` as the server says.
    Seen {
        task: usize,
        started_at: Option<f64>,
    },
    /// A request failed and will be retried after `delay`.
    Retrying {
        task: usize,
        attempt: u32,
        error: String,
        delay: Duration,
    },
    /// A request succeeded after `failures` failed ones.
    Recovered {
        task: usize,
        failures: u32,
    },
    /// The task was started with `--trigger` (or was already running).
    Triggered {
        task: usize,
        already_running: bool,
    },
    /// Something the user should know that is not about one task.
    Warning(String),
    /// Request-level detail for `-v`.
    Note {
        task: usize,
        text: String,
    },
    Ended(Report),
}

impl Event {
    /// The task an event is about, if one.
    pub fn task(&self) -> Option<usize> {
        match self {
            Event::Batch { task, .. }
            | Event::Seen { task, .. }
            | Event::Retrying { task, .. }
            | Event::Recovered { task, .. }
            | Event::Triggered { task, .. }
            | Event::Note { task, .. } => Some(*task),
            Event::Ended(report) => Some(report.task),
            Event::Warning(_) => None,
        }
    }
}

/// How one task's watch ended, and what it cost.
#[derive(Debug, Clone)]
pub struct Report {
    pub task: usize,
    pub outcome: Outcome,
    pub lines: u64,
    pub missed: u64,
    /// Gaps whose size could not be known.
    pub unknown_gaps: u64,
    pub requests: u64,
    pub elapsed: Duration,
    /// Every line before this index was seen: pass it to `--from-index` to resume.
    pub resume_from: u64,
    /// Why it ended, when that needs saying (the error, the failing line).
    pub detail: Option<String>,
    pub hint: Option<&'static str>,
}

/// The most lines the server returns.
pub const MAX_WINDOW: u8 = 100;
/// Lines asked for beyond the expected growth, so that each window overlaps what was seen.
const OVERLAP: u64 = 5;
/// How many recent polls the adaptive window remembers.
const RECENT: usize = 8;

/// `--logs-count auto`: about twice the largest recent per-poll growth plus an overlap; a full
/// window at first and after any gap or restart, shrinking from there by halves at most.
#[derive(Debug)]
pub struct Window {
    fixed: Option<u8>,
    recent: VecDeque<u64>,
    size: u8,
    /// Lowered when an answer was too large to accept (very long lines).
    ceiling: u8,
}

impl Window {
    pub fn new(count: LogsCount) -> Window {
        Window {
            fixed: match count {
                LogsCount::Fixed(n) => Some(n),
                LogsCount::Auto => None,
            },
            recent: VecDeque::with_capacity(RECENT),
            size: MAX_WINDOW,
            ceiling: MAX_WINDOW,
        }
    }

    pub fn size(&self) -> u8 {
        self.fixed.unwrap_or(self.size).min(self.ceiling)
    }

    /// Sets the expected growth per poll before any has been seen (from the pace the server
    /// reports), so the second request need not ask for a full window.
    pub fn prime(&mut self, expected_growth: u64) {
        self.recent.clear();
        self.recent.push_back(expected_growth);
        self.size = (2 * expected_growth + OVERLAP).min(u64::from(MAX_WINDOW)) as u8;
    }

    pub fn widen(&mut self) {
        self.size = MAX_WINDOW;
    }

    /// The last answer was over the body limit: ask for a quarter as many lines from now on.
    pub fn too_large(&mut self) {
        self.ceiling = (self.size() / 4).max(1);
    }

    pub fn observe<T>(&mut self, batch: &Batch<T>) {
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(batch.growth);
        self.size = if batch.discontinuity {
            MAX_WINDOW
        } else {
            let peak = self.recent.iter().copied().max().unwrap_or(0);
            // Shrink by halves at most: a few polls to learn the pace before trusting it.
            (2 * peak + OVERLAP)
                .max(u64::from(self.size / 2))
                .min(u64::from(MAX_WINDOW)) as u8
        };
    }
}

/// Delay before retry `attempt` (1-based): exponential from the poll interval (at least 250 ms)
/// up to 30 s, with jitter, or what the server asked for with `Retry-After`. Starting from the
/// interval keeps the first retries quick: lines written meanwhile may scroll out of the window,
/// and the task's log disappears when it ends.
pub fn backoff(attempt: u32, retry_after: Option<Duration>, interval: Duration) -> Duration {
    if let Some(d) = retry_after {
        return d;
    }
    let base = interval
        .max(Duration::from_millis(250))
        .saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(Duration::from_secs(30));
    // Equal jitter: half fixed, half random, so many clients do not retry in step.
    base / 2 + base.mul_f64(fastrand::f64() / 2.0)
}

fn is_failure_status(status: &str) -> bool {
    ["failed", "failure", "error", "cancelled", "canceled"]
        .iter()
        .any(|s| status.eq_ignore_ascii_case(s))
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// Everything a poller needs besides its task.
#[derive(Clone)]
pub struct Shared {
    pub client: Arc<Client>,
    pub polling: Arc<Polling>,
    pub events: mpsc::Sender<Event>,
    pub stop: watch::Receiver<bool>,
}

/// Follows one task to its end and returns the report (also sent as `Event::Ended`). With
/// several tasks, the first poll is delayed by `stagger` so that their requests spread over the
/// interval instead of arriving at the server all at once.
pub async fn follow(task: usize, task_id: String, shared: Shared, stagger: Duration) -> Report {
    let Shared {
        client,
        polling,
        events,
        mut stop,
    } = shared;
    let urls = client.task_urls(&task_id);
    let started = Instant::now();
    let deadline = polling.timeout.map(|t| started + t);
    let appear_by = started + polling.start_timeout.unwrap_or_default();
    let mut tracker = Tracker::new(polling.start);
    let mut window = Window::new(polling.logs_count);
    let mut report = Report {
        task,
        outcome: Outcome::Finished,
        lines: 0,
        missed: 0,
        unknown_gaps: 0,
        requests: 0,
        elapsed: Duration::ZERO,
        resume_from: 0,
        detail: None,
        hint: None,
    };
    let mut seen = false;
    let mut failure: Option<String> = None;
    let mut failing_since: Option<Instant> = None;
    let mut failures = 0u32;
    // A send fails only when the renderer has stopped (a closed pipe); the stop signal follows.
    let send = |event: Event| {
        let events = events.clone();
        async move {
            let _ = events.send(event).await;
        }
    };

    let outcome = 'follow: {
        tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => break 'follow Outcome::Interrupted,
            _ = tokio::time::sleep(stagger) => {}
        }
        if let Some(kind) = polling.trigger {
            let fetched = tokio::select! {
                biased;
                _ = stop.wait_for(|s| *s) => break 'follow Outcome::Interrupted,
                f = client.trigger(kind, &task_id) => f,
            };
            report.requests += 1;
            for text in fetched.notes {
                send(Event::Note { task, text }).await;
            }
            match fetched.result {
                Ok(t) => {
                    send(Event::Triggered {
                        task,
                        already_running: t == Triggered::AlreadyRunning,
                    })
                    .await
                }
                Err(e) => {
                    report.detail = Some(format!("could not start the task: {e}"));
                    report.hint = e.hint();
                    break 'follow if e.is_auth() {
                        Outcome::AuthError
                    } else {
                        Outcome::ApiError
                    };
                }
            }
        }
        // Polls keep to a fixed schedule (`interval` apart from the first), so that tasks
        // started in the same slot stay together and the process wakes up once for all of them.
        let mut scheduled = Instant::now();
        'poll: loop {
            let poll_started = Instant::now();
            let fetched = tokio::select! {
                biased;
                _ = stop.wait_for(|s| *s) => break Outcome::Interrupted,
                _ = sleep_until(deadline) => break Outcome::TimedOut,
                f = client.fetch(&urls, window.size()) => f,
            };
            report.requests += 1;
            for text in fetched.notes {
                send(Event::Note { task, text }).await;
            }
            let next_poll = match fetched.result {
                Ok(status) => {
                    if failing_since.take().is_some() {
                        send(Event::Recovered { task, failures }).await;
                        failures = 0;
                    }
                    if let Some(s) = status.status.as_deref().filter(|s| is_failure_status(s)) {
                        failure.get_or_insert_with(|| {
                            format!("the server reported status `{}`", sanitize::line(s))
                        });
                    }
                    if status.is_processing {
                        let first = !seen;
                        if first {
                            seen = true;
                            let started_at = status
                                .started_at
                                .as_ref()
                                .and_then(crate::api::wire::epoch_seconds);
                            send(Event::Seen { task, started_at }).await;
                        }
                        let pace = first.then(|| status.lines_per_second()).flatten();
                        let lines = status.into_window();
                        let total = lines.1;
                        let batch = tracker.ingest(total, lines.0);
                        window.observe(&batch);
                        if let Some(rate) = pace {
                            window.prime((rate * polling.interval.as_secs_f64()).ceil() as u64);
                        }
                        for event in &batch.events {
                            match event {
                                tracker::Event::Line { index, item } => {
                                    report.lines += 1;
                                    if failure.is_none()
                                        && polling
                                            .fail_on
                                            .iter()
                                            .any(|re| re.is_match(&item.message))
                                    {
                                        failure = Some(format!(
                                            "line {index} matched --fail-on: {}",
                                            sanitize::line(&item.message)
                                        ));
                                    }
                                }
                                tracker::Event::Gap { missed: Some(n) } => {
                                    report.missed = report.missed.saturating_add(*n)
                                }
                                tracker::Event::Gap { missed: None } => report.unknown_gaps += 1,
                                tracker::Event::Restart { .. } => {}
                            }
                        }
                        if !batch.events.is_empty() {
                            send(Event::Batch {
                                task,
                                events: batch.events,
                            })
                            .await;
                        }
                    } else if seen || failure.is_some() {
                        break 'poll if failure.is_some() {
                            Outcome::Failed
                        } else {
                            Outcome::Finished
                        };
                    } else if poll_started >= appear_by {
                        break Outcome::NotSeen;
                    }
                    scheduled += polling.interval;
                    if scheduled < Instant::now() {
                        // The answer took longer than the interval: start again from now.
                        scheduled = Instant::now();
                    }
                    scheduled
                }
                Err(e) if e.is_auth() || !e.is_retryable() => {
                    report.detail = Some(e.to_string());
                    report.hint = e.hint();
                    break if e.is_auth() {
                        Outcome::AuthError
                    } else {
                        Outcome::ApiError
                    };
                }
                Err(e) => {
                    let since = *failing_since.get_or_insert(poll_started);
                    failures += 1;
                    let failing_for = since.elapsed();
                    if failing_for >= polling.give_up_after {
                        report.detail = Some(format!(
                            "{e} (requests failing for {})",
                            crate::render::duration(failing_for)
                        ));
                        break Outcome::ApiError;
                    }
                    // Lines keep coming while requests fail: ask for a full window next time.
                    window.widen();
                    if matches!(e, ApiError::TooLarge { .. }) {
                        window.too_large();
                    }
                    let delay = backoff(failures, e.retry_after(), polling.interval)
                        .min(polling.give_up_after - failing_for + Duration::from_millis(10));
                    send(Event::Retrying {
                        task,
                        attempt: failures,
                        error: e.to_string(),
                        delay,
                    })
                    .await;
                    scheduled = Instant::now() + delay;
                    scheduled
                }
            };
            tokio::select! {
                biased;
                _ = stop.wait_for(|s| *s) => break Outcome::Interrupted,
                _ = sleep_until(deadline) => break Outcome::TimedOut,
                _ = tokio::time::sleep_until(next_poll) => {}
            }
        }
    };

    report.outcome = outcome;
    if outcome == Outcome::Failed {
        report.detail = failure;
    }
    report.elapsed = started.elapsed();
    report.resume_from = tracker.next_index();
    send(Event::Ended(report.clone())).await;
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(growth: u64, discontinuity: bool) -> Batch<u64> {
        Batch {
            events: vec![],
            growth,
            discontinuity,
        }
    }

    #[test]
    fn auto_window_follows_growth() {
        let mut w = Window::new(LogsCount::Auto);
        assert_eq!(w.size(), 100, "the first request asks for a full window");
        let sizes: Vec<u8> = (0..6)
            .map(|_| {
                w.observe(&batch(3, false));
                w.size()
            })
            .collect();
        assert_eq!(
            sizes,
            vec![50, 25, 12, 11, 11, 11],
            "halving down to 2 x 3 + 5"
        );
        w.observe(&batch(1, false));
        assert_eq!(w.size(), 11, "the largest recent growth counts");
        w.observe(&batch(150, true));
        assert_eq!(w.size(), 100);
        for _ in 0..RECENT + 6 {
            w.observe(&batch(0, false));
        }
        assert_eq!(w.size(), 5);
        assert_eq!(Window::new(LogsCount::Fixed(7)).size(), 7);
        let mut w = Window::new(LogsCount::Auto);
        w.observe(&batch(0, false));
        w.prime(4);
        assert_eq!(w.size(), 13, "primed from the server's pace");
        w.observe(&batch(2, false));
        assert_eq!(w.size(), 13, "the primed growth counts as recent");
        let mut w = Window::new(LogsCount::Fixed(100));
        w.too_large();
        assert_eq!(w.size(), 25);
        w.too_large();
        w.widen();
        assert_eq!(w.size(), 6, "the ceiling stays");
    }

    #[test]
    fn backoff_grows_from_the_interval_and_is_capped() {
        let interval = Duration::from_secs(2);
        for attempt in 1..40 {
            let d = backoff(attempt, None, interval);
            let base = (interval * (1u32 << (attempt - 1).min(16))).min(Duration::from_secs(30));
            assert!(d >= base / 2 && d <= base, "attempt {attempt}: {d:?}");
        }
        let fast = backoff(1, None, Duration::from_millis(100));
        assert!(fast >= Duration::from_millis(125) && fast <= Duration::from_millis(250));
        assert_eq!(
            backoff(1, Some(Duration::from_secs(7)), interval),
            Duration::from_secs(7)
        );
    }

    #[test]
    fn failure_statuses() {
        assert!(is_failure_status("FAILED"));
        assert!(is_failure_status("Cancelled"));
        assert!(!is_failure_status("processing"));
    }
}
