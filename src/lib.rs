//! taskwatch: follow long-running tasks on the Codvid AI Instagram-tracking backend.
//!
//! `run` is a dispatcher: it matches the command first, then resolves only what that command
//! needs. The data flows one way: cli → config → poller → events → render → outcome.

mod account;
mod all;
pub mod api;
pub mod cli;
pub mod config;
pub mod discover;
pub mod events;
pub mod files;
pub mod filter;
mod followers;
pub mod fraction;
mod help;
pub mod line;
mod list;
pub mod messages;
pub mod outcome;
pub mod poller;
pub mod profile;
pub mod render;
pub mod sanitize;
pub mod secret;
mod session;
mod signals;
#[cfg(feature = "sim")]
pub mod sim;
mod status;
pub mod tracker;
mod watch;

use cli::{Cli, Command};
use outcome::Outcome;
use render::Mode;

/// Runs a parsed command line; `main` turns the outcome into the exit code.
pub async fn run(cli: Cli, matches: &clap::ArgMatches) -> Outcome {
    let given = cli::given_by_user(matches);
    let result = match &cli.command {
        Command::Completions { shell } => Ok(help::completions(*shell)),
        Command::Man => Ok(help::man()),
        // Only a token given for this run (--token or TASKWATCH_TOKEN), never a profile's: the
        // simulator must not start wanting a production token.
        #[cfg(feature = "sim")]
        Command::Serve(cmd) => {
            let origin = given("token").unwrap_or_else(|| "--token".into());
            let token = cmd.token.clone().map(|t| (t, origin));
            Ok(sim::serve(&cmd.args, token).await)
        }
        #[cfg(feature = "sim")]
        Command::Demo(cmd) => {
            let presentation = config::Presentation::from_env(&cmd.output.flags());
            Ok(sim::demo::run(&cmd.args, presentation).await)
        }
        Command::Watch(args) => watch::command(Mode::Watch, args, &given).await,
        Command::Wait(args) => watch::command(Mode::Wait, args, &given).await,
        Command::Status(args) => signals::or_interrupted(status::command(args, &given)).await,
        Command::Ls(args) => signals::or_interrupted(list::command(args, &given)).await,
        Command::Config(args) => Ok(account::show(&args.connection, &given)),
        Command::Login(args) => account::command(args, &given).await,
        Command::Logout(args) => Ok(account::logout(args.profile.as_deref())),
    };
    result.unwrap_or_else(|outcome| outcome)
}
