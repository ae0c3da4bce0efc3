//! The options of the simulator's commands, `serve` and `demo`, mapped into `sim`'s plain
//! option types.

use std::time::Duration;

use clap::Args;

use super::OutputArgs;
use crate::config::parse_duration;
use crate::secret::Secret;
use crate::sim::script::Scenario;
use crate::sim::{DemoOptions, ServeOptions};

/// `--scenario`: the simulator's scenarios as the command line lists them, each with its name
/// and help from `sim`.
#[derive(Debug, Clone, Copy)]
pub struct ScenarioArg(pub Scenario);

/// Every scenario, as clap wants them: a slice that lives as long as the program.
const SCENARIOS: [ScenarioArg; Scenario::ALL.len()] = {
    let mut all = [ScenarioArg(Scenario::Normal); Scenario::ALL.len()];
    let mut k = 0;
    while k < all.len() {
        all[k] = ScenarioArg(Scenario::ALL[k]);
        k += 1;
    }
    all
};

impl clap::ValueEnum for ScenarioArg {
    fn value_variants<'a>() -> &'a [Self] {
        &SCENARIOS
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.0.name()).help(self.0.help()))
    }
}

/// `serve`: the simulator's own options, and the one token it may want.
#[derive(Debug, Args)]
pub struct ServeCmd {
    #[command(flatten)]
    pub args: ServeArgs,

    /// Every ig-tracking route then answers 401 without `Authorization: Bearer TOKEN` (never
    /// taken from a profile).
    #[arg(
        long,
        env = "TASKWATCH_TOKEN",
        hide_env_values = true,
        value_parser = |s: &str| Ok::<_, String>(Secret::new(s))
    )]
    pub token: Option<Secret>,
}

/// `demo`: the tour's options and how to show it.
#[derive(Debug, Args)]
pub struct DemoCmd {
    #[command(flatten)]
    pub args: DemoArgs,

    #[command(flatten)]
    pub output: OutputArgs,
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
    #[arg(long, value_enum, ignore_case = true, default_value_t = ScenarioArg(Scenario::Normal))]
    pub scenario: ScenarioArg,

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

    /// Tracked profiles the listing holds (their tasks idle until started), and a project of
    /// a few reel tasks.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=10_000))]
    pub profiles: u16,

    /// With --profiles, the schedule: the profiles take turns this often (in a random order),
    /// so one scheduled run starts every DURATION and each profile is due again after
    /// profiles × DURATION. The listing's next_scrape_due says when; last_scraped moves when a
    /// run ends. 0s: no schedule, every profile due a day after its last scrape.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub schedule: Duration,

    /// With --profiles, start a run by hand on a random idle profile this often, outside its
    /// schedule: its next_scrape_due stays, its last_scraped moves when the run ends (0s: never).
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_duration)]
    pub forced_runs: Duration,

    /// How long a token from login stays valid; after that every route answers 401, as the
    /// backend does (rehearse an expiry mid-task with e.g. `--token-ttl 30s`).
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_token_ttl)]
    pub token_ttl: Duration,

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

/// Token lifetimes from a second to a year.
fn parse_token_ttl(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if (Duration::from_secs(1)..=Duration::from_secs(365 * 24 * 3600)).contains(&d) {
        Ok(d)
    } else {
        Err("expected a duration from 1s to 365d".into())
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
    #[arg(long, value_enum, ignore_case = true, default_value_t = ScenarioArg(Scenario::Demo))]
    pub scenario: ScenarioArg,

    /// Tracked profiles that start on their own, followed with `watch --all`.
    #[arg(long)]
    pub all: bool,

    /// How long the simulated task runs.
    #[arg(long, value_name = "DURATION", default_value = "20s", value_parser = parse_duration)]
    pub duration: Duration,
}

impl ServeArgs {
    pub fn options(&self) -> ServeOptions {
        ServeOptions {
            port: self.port,
            bind: self.bind,
            api: self.api,
            scenario: self.scenario.0,
            tasks: self.tasks.clone(),
            duration: self.duration,
            keep: self.keep,
            slow_delay: self.slow_delay,
            fault_percent: self.fault_percent,
            seed: self.seed,
            users: self.users.clone(),
            profiles: self.profiles,
            schedule: self.schedule,
            forced_runs: self.forced_runs,
            token_ttl: self.token_ttl,
            lines: self.lines,
            rate: self.rate,
        }
    }
}

impl DemoArgs {
    pub fn options(&self) -> DemoOptions {
        DemoOptions {
            scenario: self.scenario.0,
            all: self.all,
            duration: self.duration,
        }
    }
}
