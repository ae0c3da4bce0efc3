//! taskwatch: follow long-running tasks on the Codvid AI Instagram-tracking backend.
//!
//! `run` is a dispatcher: it matches the command first and hands it to its home in `commands/`,
//! which resolves only what that command needs. The data flows one way: cli → config → poller →
//! events → render → outcome.

pub mod api;
pub mod archive;
pub mod cli;
mod commands;
pub mod config;
pub mod discover;
pub mod events;
pub mod files;
pub mod filter;
pub mod fraction;
pub mod line;
pub mod messages;
pub mod outcome;
pub mod poller;
pub mod profile;
pub mod render;
pub mod sanitize;
pub mod secret;
mod signals;
#[cfg(feature = "sim")]
pub mod sim;
pub mod tracker;

use cli::{Cli, Command};
use outcome::Outcome;
use render::Mode;

/// What the completion scripts ask for in `_TASKWATCH_COMPLETE` (`profiles`: the config
/// file's profile names, one a line), answered instead of parsing the command line; `None`
/// when it is not set. Not a subcommand, which static completion scripts would offer.
pub fn completion_request() -> Option<Outcome> {
    let asked = std::env::var_os(cli::docs::COMPLETE_VAR)?;
    Some(match asked.to_str() {
        Some("profiles") => commands::help::profile_names(),
        _ => Outcome::Usage,
    })
}

/// Runs a parsed command line; `main` turns the outcome into the exit code.
pub async fn run(cli: Cli, matches: &clap::ArgMatches) -> Outcome {
    let given = cli::given_by_user(matches);
    let result = match &cli.command {
        Command::Completions { shell } => Ok(commands::help::completions(
            &cli::docs::completion_script(*shell),
        )),
        Command::Man(args) => {
            let pages = cli::docs::man_pages(args.dir.is_some());
            Ok(commands::help::man(args.dir.as_deref(), pages))
        }
        #[cfg(feature = "sim")]
        Command::Serve(cmd) => {
            let options = cmd.args.options();
            Ok(commands::serve::command(&options, cmd.token.clone(), &given).await)
        }
        #[cfg(feature = "sim")]
        Command::Demo(cmd) => {
            let presentation = config::Presentation::from_env(&cmd.output.flags());
            Ok(commands::demo::run(&cmd.args.options(), presentation).await)
        }
        Command::Watch(args) => commands::watch::command(Mode::Watch, args.request(), &given).await,
        Command::Wait(args) => commands::watch::command(Mode::Wait, args.request(), &given).await,
        Command::Status(args) => {
            signals::or_interrupted(commands::status::command(&args.request(), &given)).await
        }
        Command::Ls(args) => {
            signals::or_interrupted(commands::ls::command(args.request(), &given)).await
        }
        Command::Config(args) => Ok(commands::config::show(&args.connection.access(), &given)),
        Command::Record(args) => commands::record::command(args.request(), &given).await,
        Command::History(args) => commands::history::command(&args.request()),
        Command::Logs(args) => commands::logs::command(&args.request()).await,
        Command::Stats(args) => commands::stats::command(&args.request()),
        Command::Prune(args) => commands::prune::command(&args.request()),
        Command::Login(args) => commands::login::command(args.request(), &given).await,
        Command::Logout(args) => Ok(commands::login::logout(args.profile.profile.as_deref())),
    };
    result.unwrap_or_else(|outcome| outcome)
}
