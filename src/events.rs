//! What a poller reports to the renderer: typed facts, never sentences. The renderer decides
//! how each reads; the exit code comes from `End::outcome`.

use std::time::Duration;

use crate::api::ApiError;
use crate::discover::ListError;
use crate::fraction::Snapshot;
use crate::line::LogLine;
use crate::outcome::Outcome;
use crate::tracker::Entry;

/// One fact about one task; `task` is the task's position on the command line.
#[derive(Debug)]
pub enum Event {
    /// New lines and markers from one poll, in order.
    Batch {
        task: usize,
        entries: Vec<Entry<LogLine>>,
    },
    /// The task's progress changed (after the batch of lines that changed it).
    Progress {
        task: usize,
        progress: Snapshot,
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
        error: ApiError,
        delay: Duration,
        /// Whether the server had answered any earlier request of this task.
        answered: bool,
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
    /// The token's `exp` has passed while tasks are still followed.
    TokenExpired {
        at: f64,
    },
    /// Request-level detail for `-v` (an HTTP exchange, a response excerpt).
    Request {
        task: usize,
        detail: String,
    },
    Ended(Report),
    /// An answer said the task was no longer processing and the next one that it was: the
    /// end was not believed (`flaps` so far).
    Flapped {
        task: usize,
        flaps: u32,
    },
    /// `--all` started following a task it saw processing; `task` is its new position. `run`
    /// counts the times this id was picked up (2 and more: it ended and started again).
    Added {
        task: usize,
        followed: Followed,
        run: u32,
    },
    /// What `--all`'s discovery did, when that needs saying.
    Discovery(Discovery),
    /// `--heartbeat`'s period passed: say that the tasks still run, if nothing else did.
    Heartbeat,
}

/// A task being followed: its id, and its profile's handle (without `@`) when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followed {
    pub id: String,
    pub profile: Option<String>,
}

impl Followed {
    /// A task known by its id only.
    pub fn id(id: impl Into<String>) -> Followed {
        Followed {
            id: id.into(),
            profile: None,
        }
    }
}

/// Facts about `--all`'s discovery rounds.
#[derive(Debug)]
pub enum Discovery {
    /// Request-level detail for `-v`.
    Request(String),
    /// The listing failed; `again_in` is when it is tried again (`None`: it is not).
    Failed {
        error: ListError,
        again_in: Option<Duration>,
    },
    /// The first round found nothing processing; `waiting`: later rounds will look again.
    NothingProcessing { waiting: bool },
    /// The probe of one listed task was refused (403): that task is not followed; said once.
    ProbeRefused { id: String, error: ApiError },
}

impl Event {
    /// The task an event is about, if one.
    pub fn task(&self) -> Option<usize> {
        match self {
            Event::Batch { task, .. }
            | Event::Seen { task, .. }
            | Event::Progress { task, .. }
            | Event::Retrying { task, .. }
            | Event::Recovered { task, .. }
            | Event::Triggered { task, .. }
            | Event::Request { task, .. }
            | Event::Flapped { task, .. } => Some(*task),
            Event::Ended(report) => Some(report.task),
            Event::Added { task, .. } => Some(*task),
            Event::TokenExpired { .. } | Event::Discovery(_) | Event::Heartbeat => None,
        }
    }
}

/// Why a task's watch ended.
#[derive(Debug, Clone, PartialEq)]
pub enum End {
    /// Seen processing, then not.
    Finished,
    /// Finished, but line `index` (0-based) matched `--fail-on`.
    FailOn {
        index: u64,
        line: String,
    },
    /// Finished, but the server reported a failure status.
    FailedStatus {
        status: String,
    },
    /// Never seen processing.
    NotSeen,
    TimedOut,
    Interrupted,
    /// A request failed in a way that is not retried (authentication, no route, TLS, …).
    Api(ApiError),
    /// Requests kept failing for `after`; the last error.
    GaveUp {
        error: ApiError,
        after: Duration,
    },
    /// `--trigger` could not start the task.
    TriggerFailed(ApiError),
    /// The task's poller stopped unexpectedly (a bug).
    Internal,
}

impl End {
    pub fn outcome(&self) -> Outcome {
        match self {
            End::Finished => Outcome::Finished,
            End::FailOn { .. } | End::FailedStatus { .. } => Outcome::Failed,
            End::NotSeen => Outcome::NotSeen,
            End::TimedOut => Outcome::TimedOut,
            End::Interrupted => Outcome::Interrupted,
            End::Api(e) | End::TriggerFailed(e) => Outcome::from(e),
            End::GaveUp { .. } => Outcome::ApiError,
            End::Internal => Outcome::Internal,
        }
    }
}

/// How one task's watch ended, and what it cost.
#[derive(Debug, Clone)]
pub struct Report {
    pub task: usize,
    pub end: End,
    /// Lines that passed `--include`/`--exclude` (shown by `watch`).
    pub lines: u64,
    /// Lines hidden by `--include`/`--exclude`.
    pub hidden: u64,
    pub missed: u64,
    /// Gaps whose size could not be known.
    pub unknown_gaps: u64,
    pub requests: u64,
    pub elapsed: Duration,
    /// Every line before this index was seen: pass it to `--from-index` to resume.
    pub resume_from: u64,
    /// The index of the first line shown, if any (where a resume must start when none of the
    /// shown lines could be written).
    pub first_shown: Option<u64>,
    /// Whether the server answered any request (a connection could be made).
    pub answered: bool,
    /// The last progress seen, if any.
    pub progress: Option<Snapshot>,
    /// Ends that were not confirmed (processing again one `--min-interval` later).
    pub flaps: u32,
    /// A failure status the server reported (`failed`, `error`…), whatever ended the watch
    /// (the archive records the run's own outcome, not a follower's `--fail-on`).
    pub failed_status: Option<String>,
}

impl Report {
    pub fn new(task: usize) -> Report {
        Report {
            task,
            end: End::Finished,
            lines: 0,
            hidden: 0,
            missed: 0,
            unknown_gaps: 0,
            requests: 0,
            elapsed: Duration::ZERO,
            resume_from: 0,
            first_shown: None,
            answered: false,
            progress: None,
            flaps: 0,
            failed_status: None,
        }
    }

    pub fn outcome(&self) -> Outcome {
        self.end.outcome()
    }
}
