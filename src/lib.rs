//! taskwatch: follow long-running tasks on the Codvid AI Instagram-tracking backend.

mod account;
pub mod api;
pub mod cli;
pub mod config;
pub mod outcome;
pub mod poller;
pub mod profile;
pub mod render;
pub mod sim;
mod status;
pub mod tracker;

use std::io::{self, Write};
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use cli::{Cli, Command, DemoArgs, LogsCount};
use config::{Connection, Display, Polling};
use outcome::Outcome;
use render::{Mode, Renderer};

/// Which settings the user gave on the command line or in the environment (by argument id),
/// with the flag or variable that gave them, as the CLI declares them; anything else a profile
/// may fill in.
fn given_by_user(matches: &clap::ArgMatches) -> impl Fn(&str) -> Option<String> + '_ {
    let command = <Cli as clap::CommandFactory>::command();
    move |id: &str| {
        let arg = command
            .get_arguments()
            .chain(command.get_subcommands().flat_map(|s| s.get_arguments()))
            .find(|a| a.get_id() == id)?;
        let sub = matches.subcommand().map(|(_, m)| m);
        [Some(matches), sub].into_iter().flatten().find_map(|m| {
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
        })
    }
}

/// Runs a parsed command line and returns the process exit code.
pub async fn run(cli: Cli, matches: &clap::ArgMatches) -> u8 {
    match &cli.command {
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut command, "taskwatch", &mut io::stdout());
            return 0;
        }
        Command::Man => {
            let page = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command());
            return match page.render(&mut io::stdout()) {
                Ok(()) => 0,
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
                Err(e) => {
                    error(&format!("cannot write the man page: {e}"));
                    1
                }
            };
        }
        _ => {}
    }
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let display = Display::resolve(&cli, no_color);
    let given = given_by_user(matches);
    let config_path = profile::default_path(&|k| std::env::var(k).ok());
    let mut warnings = Vec::new();
    let profile = match select_profile(&cli, config_path.as_deref(), &mut warnings) {
        Ok(p) => p,
        Err(e) => return usage_error(&e.to_string()),
    };
    for w in &warnings {
        warning(w);
    }
    let connection = match Connection::resolve(&cli, &given, profile.as_ref()) {
        Ok(c) => c,
        Err(e) => return usage_error(&e.to_string()),
    };
    for w in &connection.warnings {
        warning(w);
    }
    let expiry = connection.token.as_ref().and_then(|t| t.jwt_expiry());
    if let (Some(exp), Command::Watch(_) | Command::Wait(_) | Command::Status(_)) =
        (expiry, &cli.command)
    {
        let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
        if exp <= now {
            error(&format!(
                "the token expired at {} ({} ago); get a new one",
                render::format::rfc3339(Some(exp), display.utc),
                render::duration(std::time::Duration::from_secs_f64(now - exp))
            ));
            return Outcome::AuthError.exit_code();
        }
    }
    let client = match api::Client::new(&connection, display.verbose) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            error(&e);
            return Outcome::ApiError.exit_code();
        }
    };
    let name = profile_name(&cli, profile.as_ref());
    let mode = match cli.command {
        Command::Wait(_) => Mode::Wait,
        _ => Mode::Watch,
    };
    match cli.command {
        Command::Watch(args) | Command::Wait(args) => {
            let polling = match Polling::resolve(&args, &given, profile.as_ref()) {
                Ok(p) => p,
                Err(e) => return usage_error(&e.to_string()),
            };
            follow(mode, args.task_ids, polling, client, display, expiry).await
        }
        Command::Status(args) => status::run(&args, &client, &display).await,
        Command::Serve(args) => {
            // Only a token given for this run (--token or TASKWATCH_TOKEN), never a profile's:
            // the simulator must not start wanting a production token.
            let token = cli
                .connection
                .token
                .as_ref()
                .map(|t| t.expose().to_string());
            sim::serve(&args, token).await
        }
        Command::Demo(args) => demo(&args, display).await,
        Command::Config => {
            let mut settings = connection.shown.clone();
            settings.extend(Polling::shown(profile.as_ref()));
            let line = match (&profile, given("profile")) {
                (Some(p), Some(origin)) => format!("{} [{origin}]", p.name),
                (Some(p), None) => format!("{} [default_profile]", p.name),
                (None, _) => "none".to_string(),
            };
            account::show(config_path.as_deref(), &line, &settings)
        }
        Command::Login(args) => {
            // A base URL given now is remembered with the token.
            let url = given("base_url").map(|_| connection.base_url.to_string());
            account::login(
                &args,
                &client,
                config_path.as_deref(),
                &name,
                url.as_deref(),
            )
            .await
        }
        Command::Logout => account::logout(config_path.as_deref(), &name),
        Command::Completions { .. } | Command::Man => unreachable!("handled above"),
    }
}

/// The profile named with --profile (or TASKWATCH_PROFILE), else the file's default_profile.
fn select_profile(
    cli: &Cli,
    path: Option<&std::path::Path>,
    warnings: &mut Vec<String>,
) -> Result<Option<profile::Profile>, config::ConfigError> {
    let named = cli.connection.profile.as_deref();
    // login and logout create what they name; they need no existing profile.
    if matches!(cli.command, Command::Login(_) | Command::Logout) {
        let file = path.map(profile::ConfigFile::load).transpose()?.flatten();
        return Ok(file.and_then(|f| f.profile(named, warnings).ok().flatten()));
    }
    match path.map(profile::ConfigFile::load).transpose()?.flatten() {
        Some(file) => file.profile(named, warnings),
        None => match (named, path) {
            (Some(name), Some(p)) => Err(config::ConfigError(format!(
                "--profile {name}: there is no config file at {}",
                p.display()
            ))),
            (Some(name), None) => Err(config::ConfigError(format!(
                "--profile {name}: no config file (set HOME or TASKWATCH_CONFIG)"
            ))),
            (None, _) => Ok(None),
        },
    }
}

fn profile_name(cli: &Cli, profile: Option<&profile::Profile>) -> String {
    cli.connection
        .profile
        .clone()
        .or_else(|| profile.map(|p| p.name.clone()))
        .unwrap_or_else(|| "default".into())
}

/// Writes `taskwatch: warning: …` to stderr.
pub fn warning(message: &str) {
    let _ = writeln!(io::stderr(), "taskwatch: warning: {message}");
}

/// Writes `taskwatch: error: …` to stderr.
pub fn error(message: &str) {
    let _ = writeln!(io::stderr(), "taskwatch: error: {message}");
}

fn usage_error(message: &str) -> u8 {
    error(message);
    outcome::USAGE
}

/// How many start times the tasks of one run are spread over.
const STAGGER_SLOTS: usize = 20;

/// `watch` and `wait`: one poller per task, one renderer, the worst outcome as the exit code.
async fn follow(
    mode: Mode,
    task_ids: Vec<String>,
    polling: Arc<Polling>,
    client: Arc<api::Client>,
    display: Display,
    token_expiry: Option<f64>,
) -> u8 {
    let tasks: Arc<[String]> = task_ids.into();
    let (events, mut inbox) = mpsc::channel(256);
    let (stop_tx, stop) = watch::channel(false);
    let shared = poller::Shared {
        client,
        polling,
        events,
        stop,
    };
    watch_signals(stop_tx.clone());
    let expiry_warning = token_expiry.map(|exp| {
        let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
        let left = std::time::Duration::from_secs_f64((exp - now).max(0.0));
        let at = render::format::rfc3339(Some(exp), display.utc);
        if shared.polling.timeout.is_some_and(|t| t > left) {
            warning(&format!(
                "the token expires at {at} (in {}), before --timeout ends",
                render::duration(left)
            ));
        }
        // A weak sender: the warning must not keep the event stream open.
        let events = shared.events.downgrade();
        tokio::spawn(async move {
            tokio::time::sleep(left).await;
            if let Some(events) = events.upgrade() {
                let text = format!(
                    "the token expired at {at}: the server will reject requests from now on"
                );
                let _ = events.send(poller::Event::Warning(text)).await;
            }
        })
    });
    let handles: Vec<_> = tasks
        .iter()
        .enumerate()
        .map(|(task, id)| {
            // Spread the tasks over the interval in a few slots: the server sees an even
            // load, and each slot's polls share one wake-up of this process.
            let slots = tasks.len().min(STAGGER_SLOTS);
            let stagger = shared
                .polling
                .interval
                .mul_f64((task % slots) as f64 / slots as f64);
            tokio::spawn(poller::follow(task, id.clone(), shared.clone(), stagger))
        })
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
    if let Some(timer) = expiry_warning {
        timer.abort();
    }
    if output_closed {
        // Whoever read our output has what they wanted (`| head -3`): end quietly.
        return 0;
    }
    renderer.finish();
    Outcome::worst(outcomes).exit_code()
}

/// `demo`: the simulator on a free loopback port, one task triggered and watched.
async fn demo(args: &DemoArgs, display: Display) -> u8 {
    let sim = sim::server::Sim::new(sim::demo_config(args));
    let (stop_server, stopped) = tokio::sync::oneshot::channel::<()>();
    let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let (addr, serving) = match sim::bind(loopback, sim, async {
        let _ = stopped.await;
    })
    .await
    {
        Ok(bound) => bound,
        Err(e) => {
            error(&format!("cannot start the simulated backend: {e}"));
            return Outcome::ApiError.exit_code();
        }
    };
    let server = tokio::spawn(serving);
    let base_url = format!("http://{addr}").parse().expect("a loopback URL");
    let connection = Connection::plain(base_url, std::time::Duration::from_secs(10));
    let client = match api::Client::new(&connection, display.verbose) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            error(&e);
            return Outcome::ApiError.exit_code();
        }
    };
    let task_id = format!("demo-{:04x}", fastrand::u16(..));
    if !display.quiet {
        let _ = writeln!(
            io::stderr(),
            "taskwatch demo: a simulated backend listens on http://{addr} (scenario {}); \
             starting task {task_id} and following it until it ends.\n\
             Against your own backend: taskwatch watch --base-url URL --token-file PATH TASK_ID\n",
            sim::scenario_name(args.scenario)
        );
    }
    let polling = Arc::new(Polling {
        interval: std::time::Duration::from_secs(1),
        logs_count: LogsCount::Auto,
        timeout: Some(args.duration * 3 + std::time::Duration::from_secs(30)),
        start_timeout: Some(std::time::Duration::from_secs(10)),
        fail_on: vec![regex::Regex::new("^ERROR").expect("a valid regex")],
        start: tracker::Start::default(),
        give_up_after: std::time::Duration::from_secs(60),
        trigger: Some(api::TriggerKind::Profile),
    });
    let code = follow(Mode::Watch, vec![task_id], polling, client, display, None).await;
    let _ = stop_server.send(());
    let _ = server.await;
    code
}

/// The first Ctrl-C or SIGTERM stops polling (each task ends as interrupted, with the summary);
/// a second one exits at once. Signals are awaited on a thread of their own, so that they are
/// heard even while the main thread is blocked writing to a stalled stdout.
fn watch_signals(stop: watch::Sender<bool>) {
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(on_signals(stop));
            }
        });
    if let Err(e) = spawned {
        warning(&format!("Ctrl-C will not be handled gracefully: {e}"));
    }
}

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
