//! Command-line syntax: clap derive types. Doc comments are the help text. Values are checked
//! here, at parse time, so a wrong flag is a usage error (exit 2) that names the flag and the
//! accepted range.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use reqwest::header::{HeaderName, HeaderValue};

use crate::config::Secret;
use crate::sim::script::Scenario;

const EXAMPLES: &str = "\
Examples:
  Try it:          taskwatch demo
  At a terminal:   taskwatch watch 8f14e45f
  In a script:     taskwatch wait -q 8f14e45f && echo done
                   taskwatch watch --output json 8f14e45f | jq -r 'select(.type==\"log\").message'
  In CI:           taskwatch wait --timeout 30m --fail-on 'ERROR' \"$TASK_ID\"

Exit codes: 0 finished, 1 failed, 2 usage error, 3 never seen processing, 4 authentication
rejected, 5 API unreachable or unusable, 124 timed out, 130 interrupted.";

/// Watch tasks on the Codvid AI Instagram-tracking backend and stream their logs live.
///
/// The backend only answers "the last N lines and the total"; taskwatch turns those snapshots into
/// a live stream where every line is shown exactly once, lines that scrolled past unseen are
/// counted, and the exit code says how the task ended.
#[derive(Debug, Parser)]
#[command(name = "taskwatch", version, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Stream new log lines of each task until it stops processing.
    Watch(PollArgs),
    /// Poll like `watch` but print no log lines: the exit code tells the outcome.
    Wait(PollArgs),
    /// Make one request and print the task's state and latest lines (exit 0 while processing,
    /// 3 when not).
    Status(StatusArgs),
    /// Run a local stand-in for the backend, for trying taskwatch and rehearsing CI gates.
    Serve(ServeArgs),
    /// A guided tour: a simulated backend in this process, one task started and watched.
    Demo(DemoArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
    /// Show the resolved settings and where each one came from (the token masked).
    Config,
    /// Log in with email and password and store the token in the profile.
    Login(LoginArgs),
    /// Remove the stored token from the profile.
    Logout,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Account email address.
    #[arg(long, value_name = "ADDRESS")]
    pub email: String,

    /// Read the password from standard input instead of asking at the terminal.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionArgs {
    /// Settings profile from the config file (default: its `default_profile`).
    #[arg(long, env = "TASKWATCH_PROFILE", value_name = "NAME", global = true)]
    pub profile: Option<String>,

    /// Backend base URL; may carry a path prefix.
    #[arg(
        long,
        env = "TASKWATCH_URL",
        default_value = "http://localhost:8080",
        value_parser = parse_base_url,
        global = true
    )]
    pub base_url: reqwest::Url,

    /// Status path template containing `{task_id}`, for deployments that route differently.
    /// Default: the Update 7 path, falling back to the Update 8 path on 404 (and back).
    #[arg(long, value_name = "TEMPLATE", value_parser = parse_api_path, global = true)]
    pub api_path: Option<String>,

    /// Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file.
    #[arg(
        long,
        env = "TASKWATCH_TOKEN",
        hide_env_values = true,
        global = true,
        conflicts_with = "token_file",
        value_parser = |s: &str| Ok::<_, String>(Secret::new(s))
    )]
    pub token: Option<Secret>,

    /// Read the bearer token from this file (surrounding whitespace is ignored).
    #[arg(long, value_name = "PATH", global = true)]
    pub token_file: Option<PathBuf>,

    /// Extra request header, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "HEADER", value_parser = parse_header, global = true)]
    pub headers: Vec<(HeaderName, HeaderValue)>,

    /// Also trust the CA certificates in this PEM file (a private CA).
    #[arg(long, value_name = "PATH", global = true)]
    pub cacert: Option<PathBuf>,

    /// Time allowed for one request.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_request_timeout, global = true)]
    pub request_timeout: Duration,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Output format [default: human on a terminal, plain otherwise].
    #[arg(long, short = 'o', value_enum, global = true)]
    pub output: Option<OutputFormat>,

    /// When to use colour (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// Show times in UTC instead of local time.
    #[arg(long, global = true)]
    pub utc: bool,

    /// In human output, show time since the task started (`+01:23`) instead of the clock.
    #[arg(long, global = true)]
    pub relative: bool,

    /// No summary, no progress: only log lines (and errors).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Request-level detail on stderr (-vv: also response excerpts).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Local HH:MM:SS and the message; colour and a status line on a terminal.
    Human,
    /// RFC 3339 timestamp and the message, no colour.
    Plain,
    /// One JSON object per line (NDJSON).
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Polling")]
pub struct PollArgs {
    /// Task ids to follow (several are followed concurrently).
    #[arg(required = true, value_name = "TASK_ID", value_parser = parse_task_id)]
    pub task_ids: Vec<String>,

    /// Time between polls of one task (at least 100ms).
    #[arg(short, long, value_name = "DURATION", default_value = "2s", value_parser = parse_interval)]
    pub interval: Duration,

    /// Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task's pace.
    #[arg(short = 'n', long, value_name = "N|auto", default_value = "auto", value_parser = parse_logs_count)]
    pub logs_count: LogsCount,

    /// Give up while the task is still processing (exit 124).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// Keep polling this long for a task that is not processing yet (just triggered).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub start_timeout: Option<Duration>,

    /// A log line matching this regex marks the task failed (exit 1); repeatable.
    #[arg(long, value_name = "REGEX", value_parser = parse_regex)]
    pub fail_on: Vec<regex::Regex>,

    /// At start, show at most the last N lines of the history the first response holds.
    #[arg(long, value_name = "N")]
    pub tail: Option<u64>,

    /// Treat lines before this index as already shown (resume an earlier run).
    #[arg(long, value_name = "N")]
    pub from_index: Option<u64>,

    /// Start each task first with its force-scrape endpoint (409, already running, is fine);
    /// then wait up to --start-timeout (default 60s) for it to appear.
    #[arg(long, value_enum, value_name = "KIND")]
    pub trigger: Option<crate::api::TriggerKind>,

    /// End with exit 5 after failing requests for this long in a row.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub give_up_after: Duration,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The task to look at.
    #[arg(value_name = "TASK_ID", value_parser = parse_task_id)]
    pub task_id: String,

    /// How many of the latest lines to show (1 to 100).
    #[arg(short = 'n', long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub logs_count: u8,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,

    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,

    /// Server version to imitate: 6 (latest_event only), 7 (task_status path) or 8
    /// (profile_tracking_task_status path).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u8).range(6..=8))]
    pub api: u8,

    /// Behaviour of simulated tasks and of the server.
    #[arg(long, value_enum, default_value_t = Scenario::Normal)]
    pub scenario: Scenario,

    /// Start a (profile) task with this id at launch (repeatable).
    #[arg(long = "task", value_name = "ID")]
    pub tasks: Vec<String>,

    /// How long a simulated task runs.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub duration: Duration,

    /// Lines the server keeps in the `trimmed` scenario.
    #[arg(long, value_name = "N", default_value_t = 40, value_parser = clap::value_parser!(u16).range(1..))]
    pub keep: u16,

    /// How long a slow answer takes in the `slow` scenario.
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = parse_duration)]
    pub slow_delay: Duration,

    /// Share of status answers that fail (`flaky`) or are slow (`slow`), in percent.
    #[arg(long, value_name = "PERCENT", default_value_t = 30, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub fault_percent: u8,

    /// Seed for the simulated content and faults (random by default).
    #[arg(long)]
    pub seed: Option<u64>,

    /// An account for `POST /codvid-ai/auth/login` (repeatable); with one, every ig-tracking
    /// route wants a token that login handed out (or --token's).
    #[arg(long = "user", value_name = "EMAIL:PASSWORD", value_parser = parse_user)]
    pub users: Vec<(String, String)>,

    /// Lines a `steady` task writes.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub lines: u64,

    /// Lines a second a `steady` task writes.
    #[arg(long, value_name = "PER_SECOND", default_value_t = 5.0, value_parser = parse_rate)]
    pub rate: f64,
}

fn parse_user(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((email, password)) if !email.is_empty() && !password.is_empty() => {
            Ok((email.to_string(), password.to_string()))
        }
        _ => Err("expected EMAIL:PASSWORD".into()),
    }
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if (0.001..=1_000_000.0).contains(&r) => Ok(r),
        _ => Err("expected a number of lines a second from 0.001 to 1000000".into()),
    }
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Behaviour of the simulated task.
    #[arg(long, value_enum, default_value_t = Scenario::Demo)]
    pub scenario: Scenario,

    /// How long the simulated task runs.
    #[arg(long, value_name = "DURATION", default_value = "20s", value_parser = parse_duration)]
    pub duration: Duration,
}

/// `--logs-count`: a fixed window or one that adapts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogsCount {
    Fixed(u8),
    Auto,
}

pub(crate) fn parse_logs_count(s: &str) -> Result<LogsCount, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(LogsCount::Auto);
    }
    match s.parse::<u64>() {
        Ok(n @ 1..=100) => Ok(LogsCount::Fixed(n as u8)),
        _ => Err("expected `auto` or a whole number from 1 to 100".into()),
    }
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s)
        .map_err(|e| format!("{e}; expected a duration such as 500ms, 2s, 1m or 1h30m"))
}

fn parse_at_least(s: &str, min: Duration) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d < min {
        return Err(format!(
            "must be at least {}",
            humantime::format_duration(min)
        ));
    }
    Ok(d)
}

pub(crate) fn parse_interval(s: &str) -> Result<Duration, String> {
    parse_at_least(s, Duration::from_millis(100))
}

fn parse_request_timeout(s: &str) -> Result<Duration, String> {
    parse_at_least(s, Duration::from_millis(1))
}

pub(crate) fn parse_base_url(s: &str) -> Result<reqwest::Url, String> {
    let url =
        reqwest::Url::parse(s).map_err(|e| format!("{e}; expected e.g. http://localhost:8080"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "unsupported scheme `{}`; use http or https",
            url.scheme()
        ));
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err("expected a URL with a host, e.g. http://localhost:8080".into());
    }
    Ok(url)
}

pub(crate) fn parse_api_path(s: &str) -> Result<String, String> {
    if !s.contains("{task_id}") {
        return Err("the template must contain `{task_id}`".into());
    }
    Ok(s.to_string())
}

fn parse_task_id(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Err("a task id cannot be empty".into());
    }
    Ok(s.to_string())
}

fn parse_header(s: &str) -> Result<(HeaderName, HeaderValue), String> {
    let (name, value) = s
        .split_once(':')
        .ok_or("expected `Name: value`".to_string())?;
    let name = HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| format!("`{}` is not a valid header name", name.trim()))?;
    let value = HeaderValue::from_str(value.trim())
        .map_err(|_| "the header value has characters not allowed in HTTP".to_string())?;
    Ok((name, value))
}

fn parse_regex(s: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(s).map_err(|e| e.to_string())
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
    fn logs_count_accepts_auto_and_1_to_100() {
        assert_eq!(parse_logs_count("auto"), Ok(LogsCount::Auto));
        assert_eq!(parse_logs_count("1"), Ok(LogsCount::Fixed(1)));
        assert_eq!(parse_logs_count("100"), Ok(LogsCount::Fixed(100)));
        assert!(parse_logs_count("0").is_err());
        assert!(parse_logs_count("101").is_err());
        assert!(parse_logs_count("-3").is_err());
    }

    #[test]
    fn interval_has_a_floor() {
        assert_eq!(parse_interval("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_interval("1m"), Ok(Duration::from_secs(60)));
        assert!(parse_interval("99ms")
            .unwrap_err()
            .contains("at least 100ms"));
    }

    #[test]
    fn headers_parse() {
        let (n, v) = parse_header("X-Trace:  abc ").unwrap();
        assert_eq!(n.as_str(), "x-trace");
        assert_eq!(v.to_str().unwrap(), "abc");
        assert!(parse_header("nocolon").is_err());
    }
}
