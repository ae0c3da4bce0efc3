//! The pollers of one `watch` or `wait` run: the tasks given are started at once, and `--all`
//! adds more while the run goes on. Each has a position (`task`) in the order it was started;
//! a poller that panicked is reported as an internal error of its task, never dropped.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use tokio::task::{Id, JoinSet};

use crate::archive::recorder::Note;
use crate::events::{End, Event, Followed, Report};
use crate::poller::Shared;

/// How long an internal error's `Ended` event may wait for room in the channel.
const ENDED_GRACE: Duration = Duration::from_millis(300);
/// How many start times the tasks of one run are spread over.
pub const STAGGER_SLOTS: usize = 20;

/// The delay of the `k`th task of a batch started at once: spread over the interval in a few
/// slots, so that the server sees an even load and each slot's polls share one wake-up.
pub fn stagger(k: usize, of: usize, interval: Duration) -> Duration {
    let slots = of.clamp(1, STAGGER_SLOTS);
    interval.mul_f64((k % slots) as f64 / slots as f64)
}

pub struct Followers<F> {
    shared: Shared,
    follow: F,
    set: JoinSet<Report>,
    which: HashMap<Id, usize>,
    /// Every task started so far, by position.
    pub tasks: Vec<Followed>,
    /// Where each task's end is also sent as it happens (`--notify`, `--on-end`).
    ended: Option<tokio::sync::mpsc::UnboundedSender<(Followed, Report)>>,
}

impl<F, Fut> Followers<F>
where
    F: Fn(usize, String, Shared, Duration) -> Fut,
    Fut: Future<Output = Report> + Send + 'static,
{
    pub fn new(shared: Shared, follow: F) -> Self {
        Followers {
            shared,
            follow,
            set: JoinSet::new(),
            which: HashMap::new(),
            tasks: Vec::new(),
            ended: None,
        }
    }

    /// Also sends each task's end, as it happens, to `ended`.
    pub fn on_end(&mut self, ended: tokio::sync::mpsc::UnboundedSender<(Followed, Report)>) {
        self.ended = Some(ended);
    }

    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// Starts a poller after `stagger`; returns the task's position.
    pub fn start(&mut self, followed: Followed, stagger: Duration) -> usize {
        let shared = self.shared.clone();
        self.spawn(followed, stagger, shared)
    }

    /// Starts a poller for a run `--all` saw start (its task was seen idle before): the lines
    /// it wrote before its first window was read were missed, and are reported as a gap, not
    /// left out as history (as `--from-index 0` does). With `--tail`, the tail asked for is
    /// kept instead.
    pub fn start_from_its_beginning(&mut self, followed: Followed, stagger: Duration) -> usize {
        let mut shared = self.shared.clone();
        if shared.polling.start.tail.is_none() && shared.polling.start.from_index.is_none() {
            let mut polling = (*shared.polling).clone();
            polling.start.from_index = Some(0);
            shared.polling = std::sync::Arc::new(polling);
        }
        self.spawn(followed, stagger, shared)
    }

    fn spawn(&mut self, followed: Followed, stagger: Duration, shared: Shared) -> usize {
        let task = self.tasks.len();
        if let Some(archive) = &self.shared.archive {
            archive.send(Note::Named {
                task,
                followed: followed.clone(),
            });
        }
        let poller = (self.follow)(task, followed.id.clone(), shared, stagger);
        let handle = self.set.spawn(poller);
        self.which.insert(handle.id(), task);
        self.tasks.push(followed);
        task
    }

    /// Pollers still running.
    pub fn running(&self) -> usize {
        self.set.len()
    }

    /// The report of the next poller to end; `None` when none is running.
    pub async fn next(&mut self) -> Option<Report> {
        let joined = self.set.join_next_with_id().await?;
        let report = match joined {
            Ok((id, report)) => {
                self.which.remove(&id);
                report
            }
            Err(e) => {
                let task = self.which.remove(&e.id()).unwrap_or_default();
                let mut report = Report::new(task);
                report.end = End::Internal;
                let ended = Event::Ended(report.clone());
                let _ = self.shared.events.send_timeout(ended, ENDED_GRACE).await;
                report
            }
        };
        if let (Some(ended), Some(task)) = (&self.ended, self.tasks.get(report.task)) {
            let _ = ended.send((task.clone(), report.clone()));
        }
        if let Some(archive) = &self.shared.archive {
            archive.send(Note::Ended {
                task: report.task,
                end: report.end.clone(),
                failed_status: report.failed_status.clone(),
                at: crate::archive::now(),
            });
        }
        Some(report)
    }

    /// Waits for every poller; the reports in task order.
    pub async fn join_all(&mut self) -> Vec<Report> {
        let mut reports = Vec::with_capacity(self.set.len());
        while let Some(report) = self.next().await {
            reports.push(report);
        }
        reports.sort_by_key(|r| r.task);
        reports
    }
}
