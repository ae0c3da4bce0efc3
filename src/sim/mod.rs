//! A local stand-in for the backend (`taskwatch serve`) and the guided tour (`taskwatch demo`):
//! a self-contained wing behind the default `sim` feature. A build without it has only the
//! client.

pub mod catalog;
pub mod jwt;
pub mod listing;
pub mod script;
pub mod server;

use std::future::IntoFuture;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::messages;
use crate::outcome::Outcome;
use crate::secret::Secret;
use script::{Kind, Scenario};
use server::{Sim, SimConfig};

/// What `taskwatch serve` was asked (see `cli::serve` for each option's meaning).
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub port: u16,
    pub bind: std::net::IpAddr,
    /// The server version imitated: 6, 7 or 8.
    pub api: u8,
    pub scenario: Scenario,
    /// Tasks started at launch.
    pub tasks: Vec<String>,
    pub duration: Duration,
    /// Lines kept in the `trimmed` scenario.
    pub keep: u16,
    pub slow_delay: Duration,
    pub fault_percent: u8,
    pub seed: Option<u64>,
    /// Accounts for login: email and password.
    pub users: Vec<(String, String)>,
    /// Tracked profiles in the listing.
    pub profiles: u16,
    pub schedule: Duration,
    pub forced_runs: Duration,
    pub token_ttl: Duration,
    /// A `steady` task's lines, and its lines a second.
    pub lines: u64,
    pub rate: f64,
}

/// What `taskwatch demo` was asked.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub scenario: Scenario,
    /// Tracked profiles that start on their own, followed with `watch --all`.
    pub all: bool,
    /// How long the simulated task runs.
    pub duration: Duration,
}

/// Binds the simulator and returns its address and the future that serves it until `shutdown`.
pub async fn bind(
    addr: SocketAddr,
    sim: Arc<Sim>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> io::Result<(
    SocketAddr,
    impl std::future::Future<Output = io::Result<()>>,
)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let listings = listing::routes(sim.api());
    let app = server::router(sim, listings);
    Ok((
        local,
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .into_future(),
    ))
}

/// `taskwatch serve`: runs until Ctrl-C or SIGTERM.
/// `token`: the token every route then wants, with the flag or variable that gave it.
pub async fn serve(args: &ServeOptions, token: Option<(Secret, String)>) -> Outcome {
    let args_token_origin = token.as_ref().map(|(_, origin)| origin.clone());
    let token = token.map(|(t, _)| t.expose().to_string());
    let seed = args.seed.unwrap_or_else(|| fastrand::u64(..));
    let listing = catalog::Listing::tracked(usize::from(args.profiles), seed, args.schedule);
    let sim = Sim::with_listing(
        SimConfig {
            api: args.api,
            token,
            scenario: args.scenario,
            duration: args.duration,
            keep: usize::from(args.keep),
            slow_delay: args.slow_delay,
            fault_percent: args.fault_percent,
            seed,
            steady_lines: args.lines,
            steady_rate: args.rate,
            users: args.users.clone(),
            token_ttl: args.token_ttl,
        },
        listing,
    );
    for id in &args.tasks {
        sim.start(id, Kind::Profile);
    }
    if args.profiles > 0 {
        let plan = listing::Schedule {
            forced_every: args.forced_runs,
            limit: None,
            announce: true,
        };
        tokio::spawn(listing::schedule(sim.clone(), plan, seed));
    }
    let addr = SocketAddr::new(args.bind, args.port);
    let mut signals = crate::signals::Signals::new();
    let shutdown = async move {
        signals.next().await;
    };
    let (local, serving) = match bind(addr, sim, shutdown).await {
        Ok(bound) => bound,
        Err(e) => {
            messages::error(&format!("cannot listen on {addr}: {e}"));
            return Outcome::Error;
        }
    };
    // The URL alone on stdout, so a script can read it; the rest on stderr.
    let _ = writeln!(io::stdout(), "http://{local}").and_then(|_| io::stdout().flush());
    let auth = match (&args_token_origin, args.users.is_empty()) {
        (Some(origin), _) => format!("; every route wants the token given by {origin}"),
        (None, false) => "; every route wants a token from login".to_string(),
        (None, true) => String::new(),
    };
    let _ = writeln!(
        io::stderr(),
        "taskwatch serve: API Update {}, scenario {}, tasks of {}{auth}; Ctrl-C stops",
        args.api,
        scenario_name(args.scenario),
        crate::render::duration(args.duration)
    );
    let _ = writeln!(io::stderr(), "{}", how_tasks_start(args, local));
    match serving.await {
        Ok(()) => Outcome::Finished,
        Err(e) => {
            messages::error(&format!("server failed: {e}"));
            Outcome::Error
        }
    }
}

/// The banner's second line: which tasks run, and how others start (the options given
/// repeated), so that `watch ID` against an idle simulator is not a riddle.
fn how_tasks_start(args: &ServeOptions, local: SocketAddr) -> String {
    let started = if args.tasks.is_empty() {
        "no task started at launch (--task ID starts one)".to_string()
    } else {
        format!("started at launch: {} (--task)", args.tasks.join(", "))
    };
    let profiles = match (args.profiles, args.schedule.is_zero()) {
        (0, _) => "no tracked profiles (--profiles N lists some)".to_string(),
        (n, true) => format!("{n} tracked profiles, none started on their own (--schedule 0s)"),
        (n, false) => format!(
            "{n} tracked profiles, one due every {} in turn (--schedule)",
            crate::render::duration(args.schedule)
        ),
    };
    let profiles = match (args.profiles, args.forced_runs.is_zero()) {
        (0, _) | (_, true) => profiles,
        (_, false) => format!(
            "{profiles}\ntaskwatch serve: a run by hand on a random profile every {} \
             (--forced-runs)",
            crate::render::duration(args.forced_runs)
        ),
    };
    format!(
        "taskwatch serve: {started}\ntaskwatch serve: {profiles}\ntaskwatch serve: start any \
         task with\n  taskwatch watch --base-url http://{local} --trigger profile ID"
    )
}

/// Settings for `demo`: a simulator in this process and one task to watch.
pub fn demo_config(args: &DemoOptions) -> SimConfig {
    SimConfig {
        api: 8,
        token: None,
        scenario: args.scenario,
        duration: args.duration,
        keep: 40,
        slow_delay: Duration::from_secs(15),
        fault_percent: 20,
        seed: fastrand::u64(..),
        steady_lines: 100,
        steady_rate: 5.0,
        users: Vec::new(),
        token_ttl: Duration::from_secs(3600),
    }
}

/// The scenario name as the command line spells it.
pub fn scenario_name(s: Scenario) -> String {
    s.name().to_string()
}
