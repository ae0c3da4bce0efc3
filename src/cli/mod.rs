//! Command-line syntax: clap derive types. Doc comments are the help text. Values are checked
//! here, at parse time, so a wrong flag is a usage error (exit 2) that names the flag and the
//! accepted range. `map` turns the parsed options into `config`'s plain request types, so
//! nothing below this module sees clap: `connection`, `output`, `follow` (watch, wait), `archive`
//! (record, history, logs, stats, prune) and `commands` (the rest) hold the options by area.

use clap::{Parser, Subcommand};

mod archive;
mod commands;
mod connection;
pub mod docs;
mod examples;
mod follow;
mod map;
mod output;
#[cfg(feature = "sim")]
mod serve;
mod values;
pub use archive::*;
pub use commands::*;
pub use connection::*;
use examples::*;
pub use follow::*;
pub use output::*;
#[cfg(feature = "sim")]
pub use serve::*;
pub use values::{Checked, MAX_TASK_ID_BYTES};

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
    use super::values::*;
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
