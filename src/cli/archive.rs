//! The options of the archive's commands: `record`, `history`, `logs`, `stats`, `prune`, and
//! `--archive-db` as each declares it.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::values::*;
use super::{ConnectionArgs, OutputArgs, PaceArgs, ProfileArg, ShownLinesArgs, StatusOutputArgs};
use crate::config::*;

/// `--archive-db`: the one declaration of every command that reads or writes the archive.
#[derive(Debug, Args)]
pub struct ArchiveDbPath {
    /// The archive's database file [default: the platform data directory's
    /// taskwatch/archive.sqlite3, or the profile's `archive_db`].
    #[arg(
        long,
        env = "TASKWATCH_ARCHIVE_DB",
        hide_env_values = true,
        value_name = "PATH"
    )]
    pub archive_db: Option<PathBuf>,
}

/// Where the archive is (every command that reads or writes it).
#[derive(Debug, Args)]
#[command(next_help_heading = "Archive")]
pub struct ArchiveDbArgs {
    #[command(flatten)]
    pub archive_db: ArchiveDbPath,

    #[command(flatten)]
    pub profile: ProfileArg,
}

/// `watch`/`wait`: whether to record.
#[derive(Debug, Args)]
#[command(next_help_heading = "Archive")]
pub struct ArchiveArgs {
    /// Record every followed run in the archive (every line, filters or not; the token
    /// masked). Read it back with `history`, `logs` and `stats`.
    #[arg(long, overrides_with = "no_archive")]
    pub archive: bool,

    /// Do not record, whatever the profile's `archive` says.
    #[arg(long, overrides_with = "archive")]
    pub no_archive: bool,

    #[command(flatten)]
    pub archive_db: ArchiveDbPath,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Also record this project's reel tasks (repeatable).
    #[arg(long = "project", value_name = "NAME")]
    pub projects: Vec<String>,

    /// Time between looks for tasks that started.
    #[arg(long, value_name = "DURATION", default_value = defaults::DISCOVER_INTERVAL, value_parser = parse_interval)]
    pub discover_interval: Duration,

    /// Probes a second of the tasks that are not due by their schedule (see `watch --all`).
    #[arg(long, value_name = "R", default_value = defaults::PROBE_RATE, value_parser = Checked(parse_probe_rate))]
    pub probe_rate: f64,

    #[command(flatten)]
    pub pace: PaceArgs,

    #[command(flatten)]
    pub archive_db: ArchiveDbPath,

    /// Say each run that starts and ends (-vv: request-level detail).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only these tasks: ids, or @profile names as recorded.
    #[arg(value_name = "TASK_ID")]
    pub task_ids: Vec<String>,

    /// Only runs started within this long (`24h`, `7d`).
    #[arg(long, value_name = "DURATION", value_parser = Checked(parse_duration))]
    pub since: Option<Duration>,

    /// Only failed runs.
    #[arg(long)]
    pub failed: bool,

    /// At most this many runs (the newest).
    #[arg(long, value_name = "N", value_parser = Checked(parse_count))]
    pub limit: Option<u64>,

    #[command(flatten)]
    pub archive: ArchiveDbArgs,

    #[command(flatten)]
    pub output: StatusOutputArgs,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The task: its id, or @profile as recorded.
    #[arg(value_name = "TASK_ID")]
    pub task_id: String,

    /// Which of the task's runs: 1 is the oldest recorded, -1 the latest (the default).
    #[arg(long, value_name = "K", allow_negative_numbers = true, conflicts_with = "run_id", value_parser = Checked(parse_run_number))]
    pub run: Option<i64>,

    /// A run by its archive id (`history -o json`'s `run_id`).
    #[arg(long, value_name = "N", value_parser = Checked(parse_count))]
    pub run_id: Option<u64>,

    /// Keep printing the run's lines as another taskwatch records them, until it ends; no
    /// request reaches the backend.
    #[arg(short, long)]
    pub follow: bool,

    /// A log line matching this regex marks the run failed (exit 1); repeatable.
    #[arg(long, value_name = "REGEX", value_parser = Checked(parse_regex))]
    pub fail_on: Vec<regex::Regex>,

    #[command(flatten)]
    pub lines: ShownLinesArgs,

    /// Write a JUnit XML report of the run here, as `watch --junit` would have.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,

    #[command(flatten)]
    pub archive: ArchiveDbArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Only these tasks: ids, or @profile names as recorded.
    #[arg(value_name = "TASK_ID")]
    pub task_ids: Vec<String>,

    /// Only each task's last N runs.
    #[arg(long, value_name = "N", value_parser = Checked(parse_positive_count))]
    pub last: Option<u64>,

    #[command(flatten)]
    pub archive: ArchiveDbArgs,

    #[command(flatten)]
    pub output: StatusOutputArgs,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Remove the runs that ended longer ago than this (`30d`, `12h`).
    #[arg(long, value_name = "DURATION", value_parser = Checked(parse_duration), required = true)]
    pub older_than: Option<Duration>,

    #[command(flatten)]
    pub archive: ArchiveDbArgs,
}
