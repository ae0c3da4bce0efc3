//! `taskwatch demo`: the simulator on a free loopback port in this process, one task triggered
//! and watched like any other.

use std::io::{self, Write};
use std::sync::Arc;
use std::time::Duration;

use super::args::DemoArgs;
use super::server::Sim;
use crate::api::{Client, Connection, TriggerKind};
use crate::config::{LogsCount, Polling, Presentation};
use crate::filter::Filter;
use crate::fraction::Pattern;
use crate::messages;
use crate::outcome::Outcome;
use crate::render::{Mode, Setup};
use crate::tracker::Start;

pub async fn run(args: &DemoArgs, presentation: Presentation) -> Outcome {
    let sim = Sim::new(super::demo_config(args));
    let (stop_server, stopped) = tokio::sync::oneshot::channel::<()>();
    let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let (addr, serving) = match super::bind(loopback, sim, async {
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
    let outcome = watch_one(args, presentation, addr).await;
    let _ = stop_server.send(());
    let _ = server.await;
    outcome
}

async fn watch_one(
    args: &DemoArgs,
    presentation: Presentation,
    addr: std::net::SocketAddr,
) -> Outcome {
    let Ok(base_url) = format!("http://{addr}").parse() else {
        return Outcome::Internal;
    };
    let connection = Connection::plain(base_url, Duration::from_secs(10));
    let client = match Client::new(&connection, presentation.verbose) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            messages::error(&e);
            return Outcome::Internal;
        }
    };
    let task_id = format!("demo-{:04x}", fastrand::u16(..));
    if !presentation.quiet {
        let _ = writeln!(
            io::stderr(),
            "taskwatch demo: a simulated backend listens on http://{addr}\n\
             (scenario {}); starting task {task_id} and following it until it ends.\n\
             Against your own backend:\n  \
             taskwatch watch --base-url URL --token-file PATH TASK_ID\n",
            super::scenario_name(args.scenario)
        );
    }
    let polling = Arc::new(Polling {
        interval: Duration::from_secs(1),
        min_interval: Duration::from_millis(250),
        logs_count: LogsCount::Auto,
        timeout: Some(args.duration.saturating_mul(3) + Duration::from_secs(30)),
        start_timeout: Some(Duration::from_secs(10)),
        fail_on: regex::Regex::new("^ERROR").into_iter().collect(),
        start: Start::default(),
        give_up_after: Duration::from_secs(60),
        trigger: Some(TriggerKind::Profile),
        filter: Filter::default(),
        progress: Pattern::BuiltIn,
    });
    let setup = Setup {
        mode: Mode::Watch,
        presentation,
        tasks: Arc::from(vec![task_id]),
        secrets: Vec::new(),
        resume_hint: false,
        highlight: Vec::new(),
    };
    crate::watch::run(crate::watch::Run {
        setup,
        polling,
        client,
        token_expiry: None,
    })
    .await
}
