//! What each command was asked, as plain values already checked by the command line's parsers:
//! `cli` fills these in from its syntax, each command resolves them against the profile and
//! the environment. No clap types, so commands never see the command line's shape.

use std::path::PathBuf;
use std::time::Duration;

use regex::Regex;

use super::{ArchiveFlags, ConnectionFlags, IntegrationFlags, OutputFlags, Polling};
use crate::fraction::Pattern;

/// Which backend, and through which profile (`--profile`, `TASKWATCH_PROFILE`).
#[derive(Debug, Clone)]
pub struct Access {
    pub profile: Option<String>,
    pub flags: ConnectionFlags,
}

/// `watch` and `wait`.
#[derive(Debug, Clone)]
pub struct FollowRequest {
    pub access: Access,
    pub output: OutputFlags,
    /// Ids or `@name`s; none (and no `--all`) at a terminal: the picker.
    pub task_ids: Vec<String>,
    /// `--all` and how tasks that start are looked for; `None` without `--all`.
    pub all: Option<Discovering>,
    /// The polling settings the command line gave; the profile fills in the rest.
    pub polling: Polling,
    /// `--highlight` (empty: the profile's list).
    pub highlight: Vec<Regex>,
    pub integration: IntegrationFlags,
    pub archive: ArchiveFlags,
}

/// How `watch --all`, `wait --all` and `record` look for tasks that start.
#[derive(Debug, Clone)]
pub struct Discovering {
    /// Time between looks (`--discover-interval`).
    pub every: Duration,
    /// `--probe-rate` as given (the profile's `probe_rate` otherwise).
    pub probe_rate: f64,
    /// `--project`, repeatable.
    pub projects: Vec<String>,
    /// `wait --follow-new` (`watch --all` and `record` always follow new tasks).
    pub follow_new: bool,
}

/// `record`.
#[derive(Debug, Clone)]
pub struct RecordRequest {
    pub access: Access,
    pub discovering: Discovering,
    /// Only the pace of the polling settings: `record` shows nothing and fails on nothing.
    pub polling: Polling,
    pub archive_db: Option<PathBuf>,
    /// `-v` counted: runs said from 1, request detail from 2.
    pub verbose: u8,
}

/// `status`.
#[derive(Debug, Clone)]
pub struct StatusRequest {
    pub access: Access,
    pub output: OutputFlags,
    pub task_id: String,
    /// `--logs-count`, 1 to 100.
    pub logs_count: u8,
    pub progress: Option<Pattern>,
}

/// `ls`.
#[derive(Debug, Clone)]
pub struct LsRequest {
    pub access: Access,
    pub output: OutputFlags,
    /// `--processing`.
    pub processing_only: bool,
    pub projects: Vec<String>,
}

/// `login`.
#[derive(Debug, Clone)]
pub struct LoginRequest {
    /// The server only: no status path, no token (the token is what login gets).
    pub access: Access,
    pub email: String,
    pub password_stdin: bool,
}

/// Where the archive is, for the commands that only read it (`history`, `logs`, `stats`,
/// `prune`): the profile is read only for `archive_db`.
#[derive(Debug, Clone, Default)]
pub struct ArchiveAt {
    pub path: Option<PathBuf>,
    pub profile: Option<String>,
}

/// `history`.
#[derive(Debug, Clone)]
pub struct HistoryRequest {
    pub archive: ArchiveAt,
    pub output: OutputFlags,
    pub task_ids: Vec<String>,
    pub since: Option<Duration>,
    pub failed: bool,
    pub limit: Option<u64>,
}

/// `logs`.
#[derive(Debug, Clone)]
pub struct LogsRequest {
    pub archive: ArchiveAt,
    pub output: OutputFlags,
    pub task_id: String,
    /// `--run K`: 1 the oldest recorded, -1 the latest.
    pub run: Option<i64>,
    /// `--run-id N`.
    pub run_id: Option<u64>,
    pub follow: bool,
    pub fail_on: Vec<Regex>,
    pub include: Vec<Regex>,
    pub exclude: Vec<Regex>,
    pub highlight: Vec<Regex>,
    pub junit: Option<PathBuf>,
}

/// `stats`.
#[derive(Debug, Clone)]
pub struct StatsRequest {
    pub archive: ArchiveAt,
    pub output: OutputFlags,
    pub task_ids: Vec<String>,
    /// `--last N`: only each task's last N runs.
    pub last: Option<u64>,
}

/// `prune`.
#[derive(Debug, Clone)]
pub struct PruneRequest {
    pub archive: ArchiveAt,
    pub older_than: Duration,
}
