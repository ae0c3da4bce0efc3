//! The options of `watch` and `wait`: which tasks, how each is polled (the pace `record`
//! shares), which lines are shown, CI output and end actions, and whether runs are recorded.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::values::*;
use super::{ArchiveArgs, ConnectionArgs, OutputArgs, QuietOutputArgs};
use crate::config::*;
use crate::fraction::Pattern;

/// How each task is polled (`watch`, `wait`, `record`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Polling")]
pub struct PaceArgs {
    /// Time between polls of one task (at least 100ms).
    #[arg(short, long, value_name = "DURATION", default_value = defaults::INTERVAL, value_parser = Checked(parse_interval))]
    pub interval: Duration,

    /// Shortest time between polls when lines come faster than a window holds (at least 100ms;
    /// equal to --interval turns catch-up off).
    #[arg(long, value_name = "DURATION", default_value = defaults::MIN_INTERVAL, value_parser = Checked(parse_interval))]
    pub min_interval: Duration,

    /// Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task's pace.
    #[arg(
        short = 'n',
        long,
        value_name = "N|auto",
        default_value = defaults::LOGS_COUNT,
        value_parser = Checked(parse_logs_count),
        allow_negative_numbers = true
    )]
    pub logs_count: LogsCount,

    /// End with exit 5 after failing requests for this long in a row (`record` stops following
    /// that task and goes on).
    #[arg(long, value_name = "DURATION", default_value = defaults::GIVE_UP_AFTER, value_parser = Checked(parse_duration))]
    pub give_up_after: Duration,
}

/// Which force-scrape endpoint `--trigger` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TriggerArg {
    /// A tracked profile's task.
    Profile,
    /// A tracked reel's task.
    Reel,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Polling")]
pub struct PollArgs {
    /// Task ids, or @profile names, to follow (several are followed concurrently). None at a
    /// terminal: pick among the tasks processing now.
    #[arg(value_name = "TASK_ID", value_parser = Checked(parse_task_id))]
    pub task_ids: Vec<String>,

    /// Follow every task that is processing: `watch` keeps looking for tasks that start until
    /// Ctrl-C; `wait` waits for those processing now.
    #[arg(long, conflicts_with_all = ["trigger", "from_index"])]
    pub all: bool,

    /// With --all, time between looks for tasks that started (a listing and a probe of each
    /// idle task).
    #[arg(long, value_name = "DURATION", default_value = defaults::DISCOVER_INTERVAL, value_parser = parse_interval, requires = "all")]
    pub discover_interval: Duration,

    /// With --all, probes a second of the tasks that are not due by their schedule (paused,
    /// or next scrape later): a run started by hand is found within tasks ÷ rate seconds. Due
    /// tasks, and those without a schedule, are probed every round. 0 probes none of the others.
    #[arg(long, value_name = "R", default_value = defaults::PROBE_RATE, value_parser = Checked(parse_probe_rate), requires = "all")]
    pub probe_rate: f64,

    /// With --all, also follow this project's reel tasks (repeatable).
    #[arg(long = "project", value_name = "NAME", requires = "all")]
    pub projects: Vec<String>,

    #[command(flatten)]
    pub pace: PaceArgs,

    /// Give up while the task is still processing (exit 124).
    #[arg(long, value_name = "DURATION", value_parser = Checked(parse_timeout))]
    pub timeout: Option<Duration>,

    /// Keep polling this long for a task that is not processing yet (just triggered).
    #[arg(long, value_name = "DURATION", value_parser = Checked(parse_duration))]
    pub start_timeout: Option<Duration>,

    /// A log line matching this regex marks the task failed (exit 1); repeatable.
    #[arg(long, value_name = "REGEX", value_parser = Checked(parse_regex))]
    pub fail_on: Vec<regex::Regex>,

    /// Treat lines before this index as already shown (resume an earlier run).
    #[arg(long, value_name = "N", value_parser = Checked(parse_count))]
    pub from_index: Option<u64>,

    /// Start each task first with its force-scrape endpoint (409, already running, is fine);
    /// then wait up to --start-timeout (default 60s) for it to appear.
    #[arg(long, value_enum, ignore_case = true, value_name = "KIND")]
    pub trigger: Option<TriggerArg>,

    /// How progress is read from lines: a regex with groups done and total (named, or the
    /// first two unnamed), or `none`. Default: `N/M` and the words before it
    /// ("Processing post 3/12").
    #[arg(long, value_name = "REGEX|none", value_parser = Checked(Pattern::parse), help_heading = "Lines")]
    pub progress: Option<Pattern>,

    #[command(flatten)]
    pub integration: IntegrationArgs,

    #[command(flatten)]
    pub archive: ArchiveArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `watch`: polling, and what is shown of the lines.
#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub poll: PollArgs,

    /// At start, show at most the last N lines of the history the first response holds.
    #[arg(long, value_name = "N", value_parser = Checked(parse_count), help_heading = "Lines")]
    pub tail: Option<u64>,

    #[command(flatten)]
    pub lines: ShownLinesArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// Which CI system's log conventions stdout follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CiArg {
    /// GITHUB_ACTIONS=true: github; GITLAB_CI=true: gitlab; else none.
    Auto,
    /// GitHub Actions: groups, annotations, the step summary.
    Github,
    /// GitLab CI: collapsible sections.
    Gitlab,
    /// Neither.
    None,
}

/// CI output, reports, heartbeats, notifications and end hooks.
#[derive(Debug, Args)]
#[command(next_help_heading = "CI and notifications")]
pub struct IntegrationArgs {
    /// Follow a CI system's log conventions (profile key `ci`).
    #[arg(long, value_enum, ignore_case = true, value_name = "SYSTEM", default_value_t = CiArg::Auto)]
    pub ci: CiArg,

    /// Write a JUnit XML report here: a test case per task (written also when interrupted).
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,

    /// When stderr is not a terminal and no lines are printed, say every D that the tasks
    /// still run (0: never).
    #[arg(long, value_name = "D", default_value = "5m", value_parser = Checked(parse_heartbeat))]
    pub heartbeat: Duration,

    /// When a task ends, ring the terminal bell and post a desktop notification (profile key
    /// `notify`).
    #[arg(long)]
    pub notify: bool,

    /// After each task ends, run this with `sh -c`, the facts in TASKWATCH_* variables
    /// (profile key `on_end`).
    #[arg(long, value_name = "CMD")]
    pub on_end: Option<String>,

    /// Kill an --on-end command still running after this long.
    #[arg(long, value_name = "D", default_value = "30s", value_parser = Checked(parse_hook_timeout))]
    pub on_end_timeout: Duration,
}

/// `wait`: polling, without anything about showing lines (it shows none).
#[derive(Debug, Args)]
pub struct WaitArgs {
    #[command(flatten)]
    pub poll: PollArgs,

    /// With --all, also follow the tasks that start while waiting (`watch --all` always does).
    #[arg(long, requires = "all", help_heading = "Polling")]
    pub follow_new: bool,

    #[command(flatten)]
    pub output: QuietOutputArgs,
}

/// Which lines `watch` and `logs` show and how: filters and highlighting (they change no
/// outcome).
#[derive(Debug, Args)]
#[command(next_help_heading = "Lines")]
pub struct ShownLinesArgs {
    /// Show only lines matching this regex; repeatable (any may match). Hidden lines still
    /// count for --fail-on, progress and the exit code.
    #[arg(long, value_name = "REGEX", value_parser = Checked(parse_regex))]
    pub include: Vec<regex::Regex>,

    /// Hide lines matching this regex; repeatable; wins over --include.
    #[arg(long, value_name = "REGEX", value_parser = Checked(parse_regex))]
    pub exclude: Vec<regex::Regex>,

    /// In human output, show what this regex matches bold and inverse; repeatable.
    #[arg(long, value_name = "REGEX", value_parser = Checked(parse_regex))]
    pub highlight: Vec<regex::Regex>,
}
