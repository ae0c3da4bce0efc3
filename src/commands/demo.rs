//! `taskwatch demo`: the simulator on a free loopback port in this process, one task triggered
//! and watched like any other; with `--all`, tracked profiles that start on their own, found
//! and followed by `watch --all`.

use std::io::{self, Write};
use std::sync::Arc;
use std::time::Duration;

use crate::api::{Client, Connection, TriggerKind};
use crate::commands::watch::{self, all::All};
use crate::config::{Polling, Presentation};
use crate::events::Followed;
use crate::fraction::Pattern;
use crate::messages;
use crate::outcome::Outcome;
use crate::render::{Mode, Setup};
use crate::sim::catalog::Listing;
use crate::sim::listing::{schedule, Schedule};
use crate::sim::script::Kind;
use crate::sim::server::Sim;
use crate::sim::DemoOptions;

/// Tracked profiles in `demo --all`, how many start at once, and how many more start later.
const ALL_PROFILES: usize = 6;
const ALL_AT_ONCE: usize = 2;
const ALL_LATER: usize = 3;

pub async fn run(args: &DemoOptions, presentation: Presentation) -> Outcome {
    let config = crate::sim::demo_config(args);
    let seed = config.seed;
    let sim = if args.all {
        let every = (args.duration / 4).max(Duration::from_millis(200));
        let sim = Sim::with_listing(config, Listing::tracked(ALL_PROFILES, seed, every));
        // Started by hand: the two whose turns come last, after the scheduled runs shown.
        for (id, _) in sim.listing.profiles().iter().rev().take(ALL_AT_ONCE) {
            sim.start(id, Kind::Profile);
        }
        let plan = Schedule {
            forced_every: Duration::ZERO,
            limit: Some(ALL_LATER),
            announce: false,
        };
        tokio::spawn(schedule(sim.clone(), plan, seed));
        sim
    } else {
        Sim::new(config)
    };
    let (stop_server, stopped) = tokio::sync::oneshot::channel::<()>();
    let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let (addr, serving) = match crate::sim::bind(loopback, sim, async {
        let _ = stopped.await;
    })
    .await
    {
        Ok(bound) => bound,
        Err(e) => {
            messages::error(&format!("cannot start the simulated backend: {e}"));
            return Outcome::Error;
        }
    };
    let server = tokio::spawn(serving);
    let outcome = if args.all {
        watch_all(args, presentation, addr).await
    } else {
        watch_one(args, presentation, addr).await
    };
    let _ = stop_server.send(());
    let _ = server.await;
    outcome
}

async fn watch_one(
    args: &DemoOptions,
    presentation: Presentation,
    addr: std::net::SocketAddr,
) -> Outcome {
    let Some(client) = client_for(addr, presentation.verbose) else {
        return Outcome::Internal;
    };
    let task_id = format!("demo-{:04x}", fastrand::u16(..));
    if !presentation.quiet {
        let _ = writeln!(
            io::stderr(),
            "taskwatch demo: a simulated backend listens on http://{addr}\n\
             (scenario {}); starting task {task_id} and following it until it ends.\n\
             Against your own backend:\n  \
             taskwatch watch --base-url URL --token-file PATH TASK_ID\n",
            crate::sim::scenario_name(args.scenario)
        );
    }
    let polling = polling(args, Some(TriggerKind::Profile));
    follow(
        presentation,
        client,
        vec![Followed::id(task_id)],
        None,
        polling,
    )
    .await
}

/// How the demo polls: every second, `ERROR` lines failing the task, bounded by the run's
/// length; `trigger`: the task is started first (and may take 10 s to appear).
fn polling(args: &DemoOptions, trigger: Option<TriggerKind>) -> Arc<Polling> {
    Arc::new(Polling {
        interval: Duration::from_secs(1),
        timeout: Some(args.duration.saturating_mul(3) + Duration::from_secs(30)),
        start_timeout: trigger.map(|_| Duration::from_secs(10)),
        fail_on: regex::Regex::new("^ERROR").into_iter().collect(),
        give_up_after: Duration::from_secs(60),
        trigger,
        progress: Pattern::BuiltIn,
        ..Polling::default()
    })
}

/// Follows `tasks` (with `all`, also every task found processing) as `watch` does, recording
/// nothing.
async fn follow(
    presentation: Presentation,
    client: Arc<Client>,
    tasks: Vec<Followed>,
    all: Option<All>,
    polling: Arc<Polling>,
) -> Outcome {
    let setup = Setup {
        mode: Mode::Watch,
        presentation,
        tasks: Arc::from(tasks),
        open: all.is_some(),
        secrets: Vec::new(),
        resume_hint: false,
        highlight: Vec::new(),
        ci: Default::default(),
        heartbeat: None,
    };
    watch::run(watch::Run {
        setup,
        polling,
        client,
        token_expiry: None,
        all,
        integration: Default::default(),
        base_url: None,
        archive: watch::Archive::Off,
        stop_ends_well: false,
        typical: Default::default(),
    })
    .await
}

fn client_for(addr: std::net::SocketAddr, verbose: u8) -> Option<Arc<Client>> {
    let base_url = format!("http://{addr}").parse().ok()?;
    let connection = Connection::plain(base_url, Duration::from_secs(10));
    match Client::new(&connection, verbose) {
        Ok(c) => Some(Arc::new(c)),
        Err(e) => {
            messages::error(&e);
            None
        }
    }
}

/// `demo --all`: two tracked profiles processing, three more starting one after another;
/// `watch --all` finds each and follows it, and the demo ends when none is left.
async fn watch_all(
    args: &DemoOptions,
    presentation: Presentation,
    addr: std::net::SocketAddr,
) -> Outcome {
    let Some(client) = client_for(addr, presentation.verbose) else {
        return Outcome::Internal;
    };
    if !presentation.quiet {
        let _ = writeln!(
            io::stderr(),
            "taskwatch demo --all: a simulated backend listens on http://{addr} with \
             {ALL_PROFILES} tracked profiles; {ALL_AT_ONCE} are processing and {ALL_LATER} more \
             will start. Following every one that is processing, until none is left.\n\
             Against your own backend: taskwatch watch --all --base-url URL --token-file PATH\n"
        );
    }
    let all = All {
        probe_rate: 1.0,
        every: Duration::from_secs(1),
        follow_new: true,
        until_idle: true,
        projects: Vec::new(),
    };
    follow(
        presentation,
        client,
        Vec::new(),
        Some(all),
        polling(args, None),
    )
    .await
}
