//! `watch --all` and `wait --all`: discovery rounds every `--discover-interval` (list the
//! tasks, probe each one not followed now) and a poller for every task seen processing. A task
//! that ends and starts again is picked up again, as a new run. `watch` keeps discovering until
//! Ctrl-C; `wait` follows what is processing at the first round (and, with `--follow-new`,
//! what starts meanwhile) and ends when nothing it follows is left.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::api::ApiError;
use crate::commands::watch::followers::{self, Followers};
use crate::config::{from_profile, parse_probe_rate, Discovering, Given};
use crate::discover::{self, Found, ListError, ProbePlan};
use crate::events::{Discovery, End, Event, Followed, Report};
use crate::outcome::Outcome;
use crate::poller::{self, Shared, Stop};
use crate::profile::{ConfigError, Profile};

/// How `--all` discovers.
#[derive(Debug, Clone)]
pub struct All {
    /// Time between discovery rounds (`--discover-interval`).
    pub every: Duration,
    /// Keep discovering after the first round (`watch`, or `wait --follow-new`).
    pub follow_new: bool,
    /// End once nothing is followed (`wait`); else run until stopped (`watch`).
    pub until_idle: bool,
    /// Also the reel tasks of these projects.
    pub projects: Vec<String>,
    /// Probes a second of the tasks that are not due (`--probe-rate`).
    pub probe_rate: f64,
}

impl All {
    /// `--all` as asked; the profile's `probe_rate` where `--probe-rate` was not given.
    /// `until_idle`: end once nothing is followed (`wait`).
    pub fn resolve(
        asked: Discovering,
        until_idle: bool,
        given: Given<'_>,
        profile: Option<&Profile>,
    ) -> Result<All, ConfigError> {
        let probe_rate = match given("probe_rate") {
            Some(_) => asked.probe_rate,
            None => from_profile(profile, "probe_rate", parse_probe_rate)?
                .map_or(asked.probe_rate, |(rate, _)| rate),
        };
        Ok(All {
            every: asked.every,
            follow_new: asked.follow_new,
            until_idle,
            projects: asked.projects,
            probe_rate,
        })
    }
}

/// What one round found.
enum Round {
    /// Tasks processing now that are not followed yet, and those whose probe was refused
    /// (403: that task's problem, not the run's).
    Processing {
        /// With whether each run began while watched (its lines from its beginning).
        found: Vec<(Found, bool)>,
        refused: Vec<(String, ApiError)>,
        skipped: Option<String>,
    },
    Failed(ListError),
    /// A probe was refused with 401: the token is no good, for pollers too.
    ProbeRefused(ApiError),
}

/// Runs the discovery alongside the pollers of `followers` (those already started are tasks
/// given on the command line) until it is done; the reports in task order, and the outcome of
/// the run. A task found processing that has ended by its first poll (`NotSeen`) is in the
/// summary but does not count towards the outcome: it did run, too briefly to be watched.
pub async fn run<F, Fut>(
    all: All,
    followers: &mut Followers<F>,
    stop: watch::Receiver<Stop>,
) -> (Vec<Report>, Outcome)
where
    F: Fn(usize, String, Shared, Duration) -> Fut,
    Fut: Future<Output = Report> + Send + 'static,
{
    let given = followers.tasks.len();
    let mut following: HashMap<usize, String> = followers
        .tasks
        .iter()
        .enumerate()
        .map(|(task, f)| (task, f.id.clone()))
        .collect();
    let mut runs: HashMap<String, u32> = HashMap::new();
    let mut reports = Vec::new();
    let mut failure = Outcome::Finished;
    let mut discovering = true;
    let mut first = true;
    let mut next_round = Instant::now();
    let mut failing_since: Option<Instant> = None;
    let mut failures = 0u32;
    // Once a listing has worked, a failure (but 401/403) is the server's passing trouble.
    let mut listed_once = false;
    // Tasks whose run timed out while still processing: not followed again until seen idle.
    let mut held: HashSet<String> = HashSet::new();
    // Tasks seen not processing (by a probe, or a followed run that ended): a run found later
    // is one that started while watched, followed from its beginning.
    let mut seen_idle: HashSet<String> = HashSet::new();
    // When watching began, to the second (as servers give `started_at`): a run the server says
    // started since then began while watched, also when no probe saw its task idle before.
    let since = chrono::Utc::now().timestamp() as f64;
    let mut warned: HashSet<String> = HashSet::new();
    let mut said_skipped = false;
    // `wait` must know what is processing at its first round: it probes every task then.
    let mut plan = ProbePlan::new(all.probe_rate, all.until_idle);
    let mut stopping = stop.clone();
    loop {
        if !discovering && followers.running() == 0 {
            break;
        }
        let running = followers.running();
        tokio::select! {
            biased;
            _ = stopping.wait_for(|s| *s != Stop::Running), if discovering => {
                discovering = false;
            }
            Some(report) = followers.next(), if running > 0 => {
                if let Some(id) = following.remove(&report.task) {
                    if report.end == End::TimedOut {
                        held.insert(id);
                    } else {
                        seen_idle.insert(id);
                    }
                }
                reports.push(report);
                if all.until_idle && following.is_empty() && !first {
                    discovering = false;
                }
            }
            _ = tokio::time::sleep_until(next_round), if discovering => {
                let shared = followers.shared().clone();
                let busy: Vec<&str> = following.values().map(String::as_str).collect();
                let mut stopped = stop.clone();
                let round = tokio::select! {
                    biased;
                    _ = stopped.wait_for(|s| *s != Stop::Running) => continue,
                    r = round(&shared, &all, &busy, &mut held, &mut seen_idle, since, &mut plan) => r,
                };
                let found = match round {
                    Round::Processing { found, refused, skipped } => {
                        failing_since = None;
                        failures = 0;
                        listed_once = true;
                        if let Some(note) = skipped.filter(|_| !said_skipped) {
                            said_skipped = true;
                            send(&shared, Discovery::Request(note)).await;
                        }
                        for (id, error) in refused {
                            if warned.insert(id.clone()) {
                                send(&shared, Discovery::ProbeRefused { id, error }).await;
                            }
                        }
                        found
                    }
                    Round::Failed(ListError::Api(e))
                        if (e.is_retryable() || (listed_once && !e.is_auth()))
                            && failing_since.get_or_insert_with(Instant::now).elapsed()
                                < shared.polling.give_up_after =>
                    {
                        // Tried again sooner than the next round when that is far: a `wait
                        // --all` must not end on a listing that failed once.
                        failures += 1;
                        let interval = shared.polling.interval;
                        let again_in =
                            poller::backoff(failures, e.retry_after(), interval).min(all.every);
                        next_round = Instant::now() + again_in;
                        let error = ListError::Api(e);
                        let again_in = Some(again_in);
                        send(&shared, Discovery::Failed { error, again_in }).await;
                        continue;
                    }
                    Round::Failed(error) => {
                        let outcome = match &error {
                            ListError::Api(e) => Outcome::from(e),
                            ListError::UnknownProjects { .. } => Outcome::Usage,
                        };
                        failure = Outcome::worst([failure, outcome]);
                        send(&shared, Discovery::Failed { error, again_in: None }).await;
                        discovering = false;
                        continue;
                    }
                    Round::ProbeRefused(e) => {
                        failure = Outcome::worst([failure, Outcome::from(&e)]);
                        let error = ListError::Api(e);
                        send(&shared, Discovery::Failed { error, again_in: None }).await;
                        discovering = false;
                        continue;
                    }
                };
                let interval = shared.polling.interval;
                let count = found.len();
                for (k, (f, watched)) in found.into_iter().enumerate() {
                    let run = runs.entry(f.id().to_string()).or_insert(0);
                    *run += 1;
                    let followed = Followed {
                        id: f.id().to_string(),
                        profile: f.profile().map(String::from),
                    };
                    let task = followers.tasks.len();
                    let added = Event::Added { task, followed: followed.clone(), run: *run };
                    send_event(&shared, added).await;
                    let stagger = followers::stagger(k, count, interval);
                    // A run that began while watched: what scrolled past its first window is
                    // a gap. One that began before (processing when first probed) has its
                    // earlier lines as history, as for `watch ID`.
                    if watched {
                        followers.start_from_its_beginning(followed, stagger);
                    } else {
                        followers.start(followed, stagger);
                    }
                    following.insert(task, f.id().to_string());
                }
                if first && following.is_empty() {
                    let waiting = all.follow_new && !all.until_idle;
                    send(&shared, Discovery::NothingProcessing { waiting }).await;
                    if all.until_idle {
                        discovering = false;
                    }
                }
                if !all.follow_new || (all.until_idle && following.is_empty()) {
                    discovering = false;
                }
                first = false;
                next_round += all.every;
                if next_round < Instant::now() {
                    next_round = Instant::now() + all.every;
                }
            }
            else => break,
        }
    }
    reports.sort_by_key(|r| r.task);
    let counted = reports
        .iter()
        .filter(|r| !(r.task >= given && r.end == End::NotSeen))
        .map(Report::outcome);
    let outcome = Outcome::worst(counted.chain([failure]));
    (reports, outcome)
}

/// Lists the tasks and probes those not followed now; the ones processing. A task in `held`
/// (its run timed out while processing) is not picked up again until a probe sees it idle;
/// one a probe sees idle is put in `seen_idle`. A run began while watched when its task was
/// seen idle before or the server says it started `since` watching began.
async fn round(
    shared: &Shared,
    all: &All,
    following: &[&str],
    held: &mut HashSet<String>,
    seen_idle: &mut HashSet<String>,
    since: f64,
    plan: &mut ProbePlan,
) -> Round {
    let client = &shared.client;
    let gathered = discover::gather(client, &all.projects).await;
    for note in gathered.notes {
        send(shared, Discovery::Request(note)).await;
    }
    let listed = match gathered.result {
        Ok(listed) => listed,
        Err(e) => return Round::Failed(e),
    };
    let skipped = listed.skipped_note();
    // Each task is listed once (the listing is made so); only those the schedule says may be
    // running, and a few others in the background, are probed.
    let chosen = plan.choose(&listed.found, following, chrono::Utc::now(), all.every);
    for id in chosen.unseen_runs {
        let note = format!(
            "task {id} ran since the last listing (its last_scraped moved), though no probe saw it"
        );
        send(shared, Discovery::Request(note)).await;
    }
    let mut found: Vec<Option<Found>> = listed.found.into_iter().map(Some).collect();
    let idle: Vec<Found> = chosen
        .probe
        .iter()
        .filter_map(|&i| found.get_mut(i).and_then(Option::take))
        .collect();
    let ids: Vec<String> = idle.iter().map(|f| f.id().to_string()).collect();
    let probes = discover::probe_all(client, &ids).await;
    let (mut processing, mut refused) = (Vec::new(), Vec::new());
    for (f, probe) in idle.into_iter().zip(probes) {
        for note in probe.notes {
            send(shared, Discovery::Request(note)).await;
        }
        match probe.result {
            Ok(p) if p.processing && held.contains(f.id()) => {}
            Ok(p) if p.processing => {
                let watched = seen_idle.remove(f.id()) || p.started_at.is_some_and(|t| t >= since);
                processing.push((f, watched));
            }
            Ok(_) => {
                held.remove(f.id());
                seen_idle.insert(f.id().to_string());
            }
            Err(e @ ApiError::Auth { status: 403, .. }) => refused.push((f.id().to_string(), e)),
            Err(e) if e.is_auth() => return Round::ProbeRefused(e),
            // Tried again at the next round.
            Err(_) => {}
        }
    }
    Round::Processing {
        found: processing,
        refused,
        skipped,
    }
}

async fn send(shared: &Shared, d: Discovery) {
    send_event(shared, Event::Discovery(d)).await;
}

/// Sends an event unless the run is stopping (a stalled renderer must not hold discovery).
async fn send_event(shared: &Shared, event: Event) {
    let mut stop = shared.stop.clone();
    tokio::select! {
        biased;
        _ = shared.events.send(event) => {}
        _ = stop.wait_for(|s| *s != Stop::Running) => {}
    }
}
