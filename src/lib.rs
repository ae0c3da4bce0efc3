//! taskwatch: follow long-running tasks on the Codvid AI Instagram-tracking backend.

pub mod api;
pub mod cli;
pub mod config;
pub mod outcome;
pub mod poller;
pub mod render;
mod status;
pub mod tracker;

use std::io::{self, Write};
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use cli::{Cli, Command, PollArgs};
use config::{Connection, Display, Polling};
use outcome::Outcome;
use render::{Mode, Renderer};

/// Runs a parsed command line and returns the process exit code.
pub async fn run(cli: Cli) -> u8 {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let display = Display::resolve(&cli, no_color);
    let connection = match Connection::resolve(&cli) {
        Ok(c) => c,
        Err(e) => return usage_error(&e.to_string()),
    };
    let client = match api::Client::new(&connection, display.verbose) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            error(&e);
            return Outcome::ApiError.exit_code();
        }
    };
    match cli.command {
        Command::Watch(args) => follow(Mode::Watch, args, client, display).await,
        Command::Wait(args) => follow(Mode::Wait, args, client, display).await,
        Command::Status(args) => status::run(&args, &client, &display).await,
    }
}

/// Writes `taskwatch: error: …` to stderr.
pub fn error(message: &str) {
    let _ = writeln!(io::stderr(), "taskwatch: error: {message}");
}

fn usage_error(message: &str) -> u8 {
    error(message);
    outcome::USAGE
}

/// `watch` and `wait`: one poller per task, one renderer, the worst outcome as the exit code.
async fn follow(mode: Mode, args: PollArgs, client: Arc<api::Client>, display: Display) -> u8 {
    let tasks: Arc<[String]> = args.task_ids.clone().into();
    let (events, mut inbox) = mpsc::channel(256);
    let (stop_tx, stop) = watch::channel(false);
    let shared = poller::Shared {
        client,
        polling: Polling::resolve(&args),
        events,
        stop,
    };
    let signals = tokio::spawn(on_signals(stop_tx.clone()));
    let handles: Vec<_> = tasks
        .iter()
        .enumerate()
        .map(|(task, id)| tokio::spawn(poller::follow(task, id.clone(), shared.clone())))
        .collect();
    drop(shared);

    let mut renderer = Renderer::new(mode, display, tasks);
    let mut output_closed = false;
    while let Some(event) = inbox.recv().await {
        if let Err(e) = renderer.handle(event) {
            if e.kind() != io::ErrorKind::BrokenPipe {
                error(&format!("cannot write output: {e}"));
            }
            output_closed = true;
            let _ = stop_tx.send(true);
            break;
        }
    }
    drop(inbox);
    let mut outcomes = Vec::new();
    for handle in handles {
        if let Ok(report) = handle.await {
            outcomes.push(report.outcome);
        }
    }
    signals.abort();
    if output_closed {
        // Whoever read our output has what they wanted (`| head -3`): end quietly.
        return 0;
    }
    renderer.finish();
    Outcome::worst(outcomes).exit_code()
}

/// The first Ctrl-C or SIGTERM stops polling (each task ends as interrupted, with the summary);
/// a second one exits at once.
async fn on_signals(stop: watch::Sender<bool>) {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    for round in 0..2 {
        #[cfg(unix)]
        let terminated = async {
            match term.as_mut() {
                Some(t) => {
                    t.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        #[cfg(not(unix))]
        let terminated = std::future::pending::<()>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminated => {}
        }
        if round == 0 {
            let _ = stop.send(true);
        }
    }
    // The only exit outside `main`: the user asked twice.
    std::process::exit(i32::from(Outcome::Interrupted.exit_code()));
}
