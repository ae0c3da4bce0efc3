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

use std::sync::Arc;

use cli::{Cli, Command, PollArgs};
use config::{OutputFlags, Polling};
use outcome::Outcome;
use render::{Mode, Setup};
use secret::Secret;
use session::Session;

/// Runs a parsed command line; `main` turns the outcome into the exit code.
pub async fn run(cli: Cli, matches: &clap::ArgMatches) -> Outcome {
    let given = cli::given_by_user(matches);
    let result = match &cli.command {
        Command::Completions { shell } => Ok(help::completions(*shell)),
        Command::Man => Ok(help::man()),
        // Only a token given for this run (--token or TASKWATCH_TOKEN), never a profile's: the
        // simulator must not start wanting a production token.
        #[cfg(feature = "sim")]
        Command::Serve(cmd) => Ok(sim::serve(&cmd.args, cmd.token.clone()).await),
        #[cfg(feature = "sim")]
        Command::Demo(cmd) => {
            let presentation = config::Presentation::from_env(&cmd.output.flags());
            Ok(sim::demo::run(&cmd.args, presentation).await)
        }
        Command::Watch(args) => follow(Mode::Watch, args, &given).await,
        Command::Wait(args) => follow(Mode::Wait, args, &given).await,
        Command::Status(args) => status(args, &given).await,
        Command::Ls(args) => ls(args, &given).await,
        Command::Config(args) => Ok(account::show(&args.connection, &given)),
        Command::Login(args) => login(args, &given).await,
        Command::Logout(args) => Ok(account::logout(args.profile.as_deref())),
    };
    result.unwrap_or_else(|outcome| outcome)
}

async fn follow(
    mode: Mode,
    args: &PollArgs,
    given: &dyn Fn(&str) -> Option<String>,
) -> Result<Outcome, Outcome> {
    let session = Session::open(&args.connection, &args.output.flags(), given, false)?;
    let token_expiry = session.token_expiry()?;
    let flags = args.flags();
    let profile = session.profile.as_ref();
    let polling =
        Polling::resolve(&flags, given, profile).map_err(|e| messages::usage(&e.to_string()))?;
    let highlight =
        Polling::highlight(&flags, profile).map_err(|e| messages::usage(&e.to_string()))?;
    let client = session.client()?;
    let owned = session.resolved.connection.secrets();
    let secrets: Vec<&Secret> = owned.iter().collect();
    let tasks = list::name_tasks(
        &client,
        &args.task_ids,
        &args.projects,
        session.presentation.verbose,
        &secrets,
    )
    .await?;
    let setup = Setup {
        mode,
        presentation: session.presentation.clone(),
        tasks: Arc::from(tasks),
        open: args.all,
        secrets: session.resolved.connection.secrets(),
        resume_hint: true,
        highlight,
    };
    let all = args.all.then(|| all::All {
        every: args.discover_interval,
        follow_new: mode == Mode::Watch || args.follow_new,
        until_idle: mode == Mode::Wait,
        projects: args.projects.clone(),
    });
    Ok(watch::run(watch::Run {
        setup,
        polling,
        client,
        token_expiry,
        all,
    })
    .await)
}

async fn ls(
    args: &cli::LsArgs,
    given: &dyn Fn(&str) -> Option<String>,
) -> Result<Outcome, Outcome> {
    let session = Session::open(&args.connection, &args.output.flags(), given, false)?;
    session.token_expiry()?;
    let client = session.client()?;
    let owned = session.resolved.connection.secrets();
    let ls = list::Ls {
        processing_only: args.processing,
        projects: &args.projects,
        presentation: &session.presentation,
        secrets: owned.iter().collect(),
    };
    Ok(list::run(ls, client).await)
}

async fn status(
    args: &cli::StatusArgs,
    given: &dyn Fn(&str) -> Option<String>,
) -> Result<Outcome, Outcome> {
    let session = Session::open(&args.connection, &args.output.flags(), given, false)?;
    session.token_expiry()?;
    let client = session.client()?;
    let owned = session.resolved.connection.secrets();
    let secrets: Vec<&Secret> = owned.iter().collect();
    let verbose = session.presentation.verbose;
    let named = list::name_tasks(
        &client,
        std::slice::from_ref(&args.task_id),
        &[],
        verbose,
        &secrets,
    )
    .await?;
    let task_id = named
        .into_iter()
        .next()
        .map_or_else(|| args.task_id.clone(), |t| t.id);
    Ok(status::run(args, &task_id, &client, &session).await)
}

async fn login(
    args: &cli::LoginArgs,
    given: &dyn Fn(&str) -> Option<String>,
) -> Result<Outcome, Outcome> {
    let session = Session::open(&args.connection, &OutputFlags::default(), given, true)?;
    let client = session.client()?;
    // A base URL given now is remembered with the token.
    let url = given("base_url").map(|_| session.resolved.connection.base_url.to_string());
    let name = session.profile_name(&args.connection);
    let path = session.config_path.as_deref();
    Ok(account::login(args, &client, path, &name, url.as_deref()).await)
}
