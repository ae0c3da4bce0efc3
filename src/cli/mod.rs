//! Command-line syntax: clap derive types. Doc comments are the help text. Values are checked
//! here, at parse time, so a wrong flag is a usage error (exit 2) that names the flag and the
//! accepted range.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use reqwest::header::{HeaderName, HeaderValue};

use crate::api::TriggerKind;
use crate::config::{
    parse_api_path, parse_base_url, parse_duration, parse_heartbeat, parse_hook_timeout,
    parse_interval, parse_logs_count, parse_probe_rate, parse_request_timeout, parse_timeout,
    ArchiveFlags, ColorChoice, ConnectionFlags, LogsCount, OutputFlags, OutputFormat, PollingFlags,
    LINES_RANGE,
};
use crate::fraction::Pattern;
use crate::sanitize;
use crate::secret::Secret;

mod map;
mod values;
use values::*;
pub use values::{Checked, MAX_TASK_ID_BYTES};

const EXAMPLES: &str = "\
Examples:
  Try it:          taskwatch demo
  At a terminal:   taskwatch watch 8f14e45f
  In a script:     taskwatch wait -q 8f14e45f && echo done
                   taskwatch watch --output json 8f14e45f | jq -r 'select(.type==\"log\").message'
  In CI:           taskwatch wait --trigger profile --timeout 30m --fail-on '^ERROR' \"$TASK_ID\"

Exit codes: 0 finished, 1 failed, 2 usage error, 3 never seen processing, 4 authentication
rejected, 5 API unreachable or unusable, 70 internal error, 74 output could not be written,
124 timed out, 130 interrupted.";

// Each command's help ends with a few real invocations of it (also in its man page).
const WATCH_EXAMPLES: &str = "\
Examples:
  taskwatch watch 8f14e45f
  taskwatch watch --exclude '^Stored comment batch' --highlight 'ERROR|WARN' @bbcnews
  taskwatch watch --output json 8f14e45f | jq -r 'select(.type==\"log\").message'";
const WAIT_EXAMPLES: &str = "\
Examples:
  taskwatch wait -q 8f14e45f && echo done
  taskwatch wait --trigger profile --timeout 30m --fail-on '^ERROR' \"$TASK_ID\"
  taskwatch wait --all --follow-new";
const STATUS_EXAMPLES: &str = "\
Examples:
  taskwatch status 8f14e45f
  taskwatch status -n 3 @bbcnews
  taskwatch status -o json 8f14e45f | jq .is_processing";
const LS_EXAMPLES: &str = "\
Examples:
  taskwatch ls
  taskwatch ls --processing -o plain
  taskwatch ls --project launch-campaign -o json | jq -r .task_id";
#[cfg(feature = "sim")]
const SERVE_EXAMPLES: &str = "\
Examples:
  taskwatch serve --task t1
  taskwatch serve --profiles 3 --schedule 20s
  taskwatch serve --port 8090 --token secret --scenario flaky";
#[cfg(feature = "sim")]
const DEMO_EXAMPLES: &str = "\
Examples:
  taskwatch demo
  taskwatch demo --duration 8s | cat
  taskwatch demo --all";
const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  taskwatch completions bash > ~/.local/share/bash-completion/completions/taskwatch
  taskwatch completions zsh > ~/.zfunc/_taskwatch
  taskwatch completions fish > ~/.config/fish/completions/taskwatch.fish";
const MAN_EXAMPLES: &str = "\
Examples:
  taskwatch man | man -l -
  taskwatch man --dir ~/.cargo/share/man/man1";
const CONFIG_EXAMPLES: &str = "\
Examples:
  taskwatch config
  taskwatch config --profile staging
  TASKWATCH_URL=http://127.0.0.1:8090 taskwatch config";
const RECORD_EXAMPLES: &str = "\
Examples:
  taskwatch record
  taskwatch record --profile prod --project launch-campaign -v";
const HISTORY_EXAMPLES: &str = "\
Examples:
  taskwatch history
  taskwatch history --failed --since 7d
  taskwatch history -o json @bbcnews | jq .run_id";
const LOGS_EXAMPLES: &str = "\
Examples:
  taskwatch logs 8f14e45f
  taskwatch logs @bbcnews --run -2 --include ERROR
  taskwatch logs -f 8f14e45f";
const STATS_EXAMPLES: &str = "\
Examples:
  taskwatch stats
  taskwatch stats --last 10 @bbcnews";
const PRUNE_EXAMPLES: &str = "\
Examples:
  taskwatch prune --older-than 30d
  taskwatch prune --older-than 12h --archive-db /var/lib/taskwatch/archive.sqlite3";
const LOGIN_EXAMPLES: &str = "\
Examples:
  taskwatch login --email me@example.com
  printf '%s' \"$PASSWORD\" | taskwatch login --email ci@example.com --password-stdin --profile ci";
const LOGOUT_EXAMPLES: &str = "\
Examples:
  taskwatch logout
  taskwatch logout --profile ci";

/// Watch tasks on the Codvid AI Instagram-tracking backend and stream their logs live.
///
/// The backend only answers "the last N lines and the total"; taskwatch turns those snapshots into
/// a live stream where every line is shown exactly once, lines that scrolled past unseen are
/// counted, and the exit code says how the task ended.
#[derive(Debug, Parser)]
#[command(name = "taskwatch", version = env!("TASKWATCH_VERSION"), after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Stream new log lines of each task until it stops processing.
    #[command(after_help = WATCH_EXAMPLES)]
    Watch(WatchArgs),
    /// Poll like `watch` but print no log lines: the exit code tells the outcome.
    #[command(after_help = WAIT_EXAMPLES)]
    Wait(WaitArgs),
    /// Make one request and print the task's state and latest lines (exit 0 while processing,
    /// 3 when not).
    #[command(after_help = STATUS_EXAMPLES)]
    Status(StatusArgs),
    /// List your tasks (tracked profiles; with --project, a project's reels) and say which are
    /// processing now.
    #[command(visible_alias = "list", after_help = LS_EXAMPLES)]
    Ls(LsArgs),
    /// Run a local stand-in for the backend, for trying taskwatch and rehearsing CI gates.
    #[cfg(feature = "sim")]
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(ServeCmd),
    /// A guided tour: a simulated backend in this process, one task started and watched.
    #[cfg(feature = "sim")]
    #[command(after_help = DEMO_EXAMPLES)]
    Demo(DemoCmd),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        #[arg(value_enum, ignore_case = true)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into a directory.
    #[command(after_help = MAN_EXAMPLES)]
    Man(ManArgs),
    /// Show the resolved settings and where each one came from (the token masked); exit 2 when
    /// one is invalid or unreadable.
    #[command(after_help = CONFIG_EXAMPLES)]
    Config(ConfigArgs),
    /// Record every run of every task that is or starts processing into the archive, until
    /// Ctrl-C or SIGTERM (exit 0): the recorder, for a terminal or a service manager.
    #[command(after_help = RECORD_EXAMPLES)]
    Record(RecordArgs),
    /// List the recorded runs, newest first.
    #[command(after_help = HISTORY_EXAMPLES)]
    History(HistoryArgs),
    /// Print a recorded run (default: the task's latest) as `watch` printed it; -f follows a
    /// run another taskwatch is recording.
    #[command(after_help = LOGS_EXAMPLES)]
    Logs(LogsArgs),
    /// Per task: runs, outcomes, durations, and the time each phase takes, from the archive.
    #[command(after_help = STATS_EXAMPLES)]
    Stats(StatsArgs),
    /// Remove the recorded runs that ended before a time.
    #[command(after_help = PRUNE_EXAMPLES)]
    Prune(PruneArgs),
    /// Log in with email and password and store the token in the profile.
    #[command(after_help = LOGIN_EXAMPLES)]
    Login(LoginArgs),
    /// Remove the stored token from the profile.
    #[command(after_help = LOGOUT_EXAMPLES)]
    Logout(LogoutArgs),
}

/// `serve`: the simulator's own options, and the one token it may want.
#[cfg(feature = "sim")]
#[derive(Debug, Args)]
pub struct ServeCmd {
    #[command(flatten)]
    pub args: crate::sim::args::ServeArgs,

    /// Every ig-tracking route then answers 401 without `Authorization: Bearer TOKEN` (never
    /// taken from a profile).
    #[arg(
        long,
        env = "TASKWATCH_TOKEN",
        hide_env_values = true,
        value_parser = |s: &str| Ok::<_, String>(Secret::new(s))
    )]
    pub token: Option<Secret>,
}

/// `demo`: the tour's options and how to show it.
#[cfg(feature = "sim")]
#[derive(Debug, Args)]
pub struct DemoCmd {
    #[command(flatten)]
    pub args: crate::sim::args::DemoArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `--profile`: the one declaration of every command that reads the config file.
#[derive(Debug, Args)]
pub struct ProfileArg {
    /// Settings profile from the config file (default: its `default_profile`).
    #[arg(
        long,
        env = "TASKWATCH_PROFILE",
        hide_env_values = true,
        value_name = "NAME"
    )]
    pub profile: Option<String>,
}

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
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_interval)]
    pub discover_interval: Duration,

    /// Probes a second of the tasks that are not due by their schedule (see `watch --all`).
    #[arg(long, value_name = "R", default_value = "1", value_parser = Checked(parse_probe_rate))]
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

/// How each task is polled (`watch`, `wait`, `record`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Polling")]
pub struct PaceArgs {
    /// Time between polls of one task (at least 100ms).
    #[arg(short, long, value_name = "DURATION", default_value = "2s", value_parser = Checked(parse_interval))]
    pub interval: Duration,

    /// Shortest time between polls when lines come faster than a window holds (at least 100ms;
    /// equal to --interval turns catch-up off).
    #[arg(long, value_name = "DURATION", default_value = "250ms", value_parser = Checked(parse_interval))]
    pub min_interval: Duration,

    /// Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task's pace.
    #[arg(
        short = 'n',
        long,
        value_name = "N|auto",
        default_value = "auto",
        value_parser = Checked(parse_logs_count),
        allow_negative_numbers = true
    )]
    pub logs_count: LogsCount,

    /// End with exit 5 after failing requests for this long in a row (`record` stops following
    /// that task and goes on).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = Checked(parse_duration))]
    pub give_up_after: Duration,
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

#[derive(Debug, Args)]
pub struct LogoutArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
}

#[derive(Debug, Args)]
pub struct LsArgs {
    /// Show only the tasks that are processing now.
    #[arg(long)]
    pub processing: bool,

    /// Also list this project's reel tasks (repeatable).
    #[arg(long = "project", value_name = "NAME")]
    pub projects: Vec<String>,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub output: StatusOutputArgs,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Account email address.
    #[arg(long, value_name = "ADDRESS")]
    pub email: String,

    /// Read the password from standard input instead of asking at the terminal.
    #[arg(long)]
    pub password_stdin: bool,

    /// Where to log in: no status path and no token (the token is what login gets).
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `man`: one page, or all of them.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write taskwatch.1 and one page per command (taskwatch-watch.1, …) into this directory
    /// (created if missing) instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// The connection of every command that reads tasks: the server, then how tasks are asked for.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    #[command(flatten)]
    pub server: ServerArgs,

    #[command(flatten)]
    pub tasks: TaskAccessArgs,
}

/// Which server and how to reach it (also `login`'s).
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub struct ServerArgs {
    #[command(flatten)]
    pub profile: ProfileArg,

    /// Backend base URL; may carry a path prefix.
    #[arg(
        long,
        env = "TASKWATCH_URL",
        // `[env: TASKWATCH_URL=]` would read as "set to empty" when it is unset.
        hide_env_values = true,
        default_value = "http://localhost:8080",
        value_parser = Checked(parse_base_url)
    )]
    pub base_url: reqwest::Url,

    /// Extra request header, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "HEADER", value_parser = Checked(parse_header))]
    pub headers: Vec<(HeaderName, HeaderValue)>,

    /// Also trust the CA certificates in this PEM file (a private CA).
    #[arg(long, value_name = "PATH")]
    pub cacert: Option<PathBuf>,

    /// Time allowed for one request.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = Checked(parse_request_timeout))]
    pub request_timeout: Duration,
}

/// How the task routes are asked: their path and the bearer token (not `login`'s).
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub struct TaskAccessArgs {
    /// Status path template containing `{task_id}`, for deployments that route differently.
    /// Default: the Update 7 path, falling back to the Update 8 path on 404 (and back).
    #[arg(long, value_name = "TEMPLATE", value_parser = Checked(parse_api_path))]
    pub api_path: Option<String>,

    /// Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file.
    #[arg(
        long,
        env = "TASKWATCH_TOKEN",
        hide_env_values = true,
        conflicts_with = "token_file",
        value_parser = |s: &str| Ok::<_, String>(Secret::new(s))
    )]
    pub token: Option<Secret>,

    /// Read the bearer token from this file (surrounding whitespace is ignored).
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
}

/// The output of the commands that print log lines (`watch`, `demo`, `logs`).
#[derive(Debug, Args)]
pub struct OutputArgs {
    #[command(flatten)]
    pub quiet: QuietOutputArgs,

    /// In human output, show time since the task started (`+01:23`) instead of the clock.
    #[arg(long, help_heading = "Output")]
    pub relative: bool,
}

/// The output of `wait`: like `watch`'s, without what only log lines use.
#[derive(Debug, Args)]
pub struct QuietOutputArgs {
    #[command(flatten)]
    pub common: StatusOutputArgs,

    /// No summary, no progress: only log lines (and errors).
    #[arg(short, long, conflicts_with = "verbose", help_heading = "Output")]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Local HH:MM:SS and the message; colour and a status line on a terminal.
    Human,
    /// RFC 3339 timestamp and the message, no colour.
    Plain,
    /// One JSON object per line (NDJSON).
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
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
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_interval, requires = "all")]
    pub discover_interval: Duration,

    /// With --all, probes a second of the tasks that are not due by their schedule (paused,
    /// or next scrape later): a run started by hand is found within tasks ÷ rate seconds. Due
    /// tasks, and those without a schedule, are probed every round. 0 probes none of the others.
    #[arg(long, value_name = "R", default_value = "1", value_parser = Checked(parse_probe_rate), requires = "all")]
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

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The task to look at: its id, or @profile.
    #[arg(value_name = "TASK_ID", value_parser = Checked(parse_task_id))]
    pub task_id: String,

    /// How many of the latest lines to show (1 to 100).
    #[arg(
        short = 'n',
        long,
        value_name = "N",
        default_value = "10",
        value_parser = Checked(parse_status_lines),
        allow_negative_numbers = true
    )]
    pub logs_count: u8,

    /// How progress is read from lines: a regex with groups done and total (named, or the
    /// first two unnamed), or `none`. Default: `N/M` and the words before it.
    #[arg(long, value_name = "REGEX|none", value_parser = Checked(Pattern::parse))]
    pub progress: Option<Pattern>,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub output: StatusOutputArgs,
}

/// The output options that mean something to `status` (one answer, no status line).
#[derive(Debug, Args)]
#[command(next_help_heading = "Output")]
pub struct StatusOutputArgs {
    /// Output format [default: human on a terminal, plain otherwise].
    #[arg(long, short = 'o', value_enum, ignore_case = true)]
    pub output: Option<FormatArg>,

    /// When to use colour (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, ignore_case = true, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,

    /// Show times in UTC instead of local time.
    #[arg(long)]
    pub utc: bool,

    /// Request-level detail on stderr (-vv: also response excerpts).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// Removes the `TASKWATCH_*` variables that are set but empty (what CI makes of a missing
/// secret) from this process's environment, so that they count as unset rather than as an
/// empty URL or token; returns their names. Call it before anything reads the environment
/// (before the runtime starts, while the process has one thread).
pub fn drop_empty_env() -> Vec<String> {
    let empty: Vec<String> = std::env::vars_os()
        .filter_map(|(name, value)| {
            let name = name.into_string().ok()?;
            (name.starts_with("TASKWATCH_") && value.to_string_lossy().trim().is_empty())
                .then_some(name)
        })
        .collect();
    for name in &empty {
        std::env::remove_var(name);
    }
    empty
}

/// Which settings the user gave on the command line or in the environment (by argument id),
/// with the flag or variable that gave them, as the subcommand declares them; anything else a
/// profile may fill in.
pub fn given_by_user(matches: &clap::ArgMatches) -> impl Fn(&str) -> Option<String> + '_ {
    let command = <Cli as clap::CommandFactory>::command();
    let sub = matches.subcommand();
    let declared: Vec<clap::Arg> = sub
        .and_then(|(name, _)| command.find_subcommand(name))
        .map(|c| c.get_arguments().cloned().collect())
        .unwrap_or_default();
    move |id: &str| {
        let arg = declared.iter().find(|a| a.get_id() == id)?;
        let (_, m) = sub?;
        let known = m.ids().any(|i| i.as_str() == id);
        match known.then(|| m.value_source(id)).flatten() {
            Some(clap::parser::ValueSource::CommandLine) => {
                Some(format!("--{}", arg.get_long().unwrap_or(id)))
            }
            Some(clap::parser::ValueSource::EnvVariable) => {
                arg.get_env().map(|e| e.to_string_lossy().into_owned())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn headers_parse() {
        let (n, v) = parse_header("X-Trace:  abc ").unwrap();
        assert_eq!(n.as_str(), "x-trace");
        assert_eq!(v.to_str().unwrap(), "abc");
        assert!(parse_header("nocolon").is_err());
    }

    #[test]
    fn quoted_urls_hide_their_userinfo() {
        assert_eq!(
            without_userinfo("http://me:pw@[bad/x@y"),
            "http://***@[bad/x@y"
        );
        assert_eq!(without_userinfo("http://h/a@b"), "http://h/a@b");
        assert_eq!(without_userinfo("5s"), "5s");
    }

    #[test]
    fn task_ids_stay_one_segment() {
        for bad in [".", "..", "%2e", "%2E%2e", ".%2e", "%2e.", ""] {
            assert!(parse_task_id(bad).is_err(), "{bad}");
        }
        for good in ["...", "a..b", "8f14e45f", "a/b", "%2e%2e%2e", ".x"] {
            assert_eq!(parse_task_id(good).as_deref(), Ok(good));
        }
        assert!(parse_task_id(&"x".repeat(MAX_TASK_ID_BYTES)).is_ok());
        let e = parse_task_id(&"x".repeat(100_000)).unwrap_err();
        assert!(e.contains("at most 1024 bytes"), "{e}");
    }
}
