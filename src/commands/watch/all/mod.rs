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
use crate::discover::{Found, ListError, ProbePlan};
use crate::events::{Discovery, End, Event, Followed, Report};
use crate::outcome::Outcome;
use crate::poller::{self, Retry, Shared, Stop};
use crate::profile::{ConfigError, Profile};

mod round;
use round::{round, send, Round};

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
    let mut discoverer = Discoverer::new(all, followers, stop);
    let mut stopping = discoverer.stop.clone();
    loop {
        if !discoverer.discovering && discoverer.followers.running() == 0 {
            break;
        }
        let running = discoverer.followers.running();
        let discovering = discoverer.discovering;
        tokio::select! {
            biased;
            _ = stopping.wait_for(|s| *s != Stop::Running), if discovering => {
                discoverer.discovering = false;
            }
            Some(report) = discoverer.followers.next(), if running > 0 => {
                discoverer.on_report(report);
            }
            _ = tokio::time::sleep_until(discoverer.next_round), if discovering => {
                discoverer.on_round_due().await;
            }
            else => break,
        }
    }
    discoverer.outcome()
}

/// The discovery loop's state: what is followed, what each task was last seen doing, and how
/// the listing has been going.
struct Discoverer<'a, F> {
    all: All,
    followers: &'a mut Followers<F>,
    stop: watch::Receiver<Stop>,
    /// How many tasks the command line gave (followed before the first round).
    given: usize,
    /// Per task number followed now, its id.
    following: HashMap<usize, String>,
    /// Per task id, the runs of it picked up so far.
    runs: HashMap<String, u32>,
    reports: Vec<Report>,
    /// The worst outcome of discovery itself (a listing that failed for good).
    failure: Outcome,
    /// Rounds go on (else the run ends with the last poller).
    discovering: bool,
    first: bool,
    next_round: Instant,
    listing: ListingTrouble,
    /// Tasks whose run timed out while still processing: not followed again until seen idle.
    held: HashSet<String>,
    /// Tasks seen not processing (by a probe, or a followed run that ended): a run found
    /// later is one that started while watched, followed from its beginning.
    seen_idle: HashSet<String>,
    /// When watching began, to the second (as servers give `started_at`): a run the server
    /// says started since then began while watched, also when no probe saw its task idle.
    since: f64,
    /// Tasks whose refused probe was said (once each).
    warned: HashSet<String>,
    said_skipped: bool,
    plan: ProbePlan,
}

/// How the listings have failed lately.
#[derive(Default)]
struct ListingTrouble {
    /// The listings failing in a row (the poller's bookkeeping).
    retry: Retry,
    /// Once a listing has worked, a failure (but 401/403) is the server's passing trouble.
    listed_once: bool,
}

impl<'a, F, Fut> Discoverer<'a, F>
where
    F: Fn(usize, String, Shared, Duration) -> Fut,
    Fut: Future<Output = Report> + Send + 'static,
{
    fn new(all: All, followers: &'a mut Followers<F>, stop: watch::Receiver<Stop>) -> Self {
        let following = followers
            .tasks
            .iter()
            .enumerate()
            .map(|(task, f)| (task, f.id.clone()))
            .collect();
        // `wait` must know what is processing at its first round: it probes every task then.
        let plan = ProbePlan::new(all.probe_rate, all.until_idle);
        Discoverer {
            given: followers.tasks.len(),
            all,
            followers,
            stop,
            following,
            runs: HashMap::new(),
            reports: Vec::new(),
            failure: Outcome::Finished,
            discovering: true,
            first: true,
            next_round: Instant::now(),
            listing: ListingTrouble::default(),
            held: HashSet::new(),
            seen_idle: HashSet::new(),
            since: chrono::Utc::now().timestamp() as f64,
            warned: HashSet::new(),
            said_skipped: false,
            plan,
        }
    }

    /// A poller ended.
    fn on_report(&mut self, report: Report) {
        if let Some(id) = self.following.remove(&report.task) {
            if report.end == End::TimedOut {
                self.held.insert(id);
            } else {
                self.seen_idle.insert(id);
            }
        }
        self.reports.push(report);
        if self.all.until_idle && self.following.is_empty() && !self.first {
            self.discovering = false;
        }
    }

    /// A round is due: list, probe, follow what was found.
    async fn on_round_due(&mut self) {
        let shared = self.followers.shared().clone();
        let busy: Vec<&str> = self.following.values().map(String::as_str).collect();
        let mut stopped = self.stop.clone();
        let round = tokio::select! {
            biased;
            _ = stopped.wait_for(|s| *s != Stop::Running) => return,
            r = round(&shared, &self.all, &busy, &mut self.held, &mut self.seen_idle, self.since, &mut self.plan) => r,
        };
        let found = match round {
            Round::Processing {
                found,
                refused,
                skipped,
            } => {
                self.on_listed(&shared, refused, skipped).await;
                found
            }
            Round::Failed(error) => return self.on_listing_failed(&shared, error).await,
            Round::ProbeRefused(e) => {
                self.failure = Outcome::worst([self.failure, Outcome::from(&e)]);
                let error = ListError::Api(e);
                send(
                    &shared,
                    Discovery::Failed {
                        error,
                        again_in: None,
                    },
                )
                .await;
                self.discovering = false;
                return;
            }
        };
        self.follow(&shared, found).await;
        self.after_round(&shared).await;
    }

    /// A listing that worked: its notes said, once each.
    async fn on_listed(
        &mut self,
        shared: &Shared,
        refused: Vec<(String, ApiError)>,
        skipped: Option<String>,
    ) {
        self.listing.retry.succeeded();
        self.listing.listed_once = true;
        if let Some(note) = skipped.filter(|_| !self.said_skipped) {
            self.said_skipped = true;
            send(shared, Discovery::Request(note)).await;
        }
        for (id, error) in refused {
            if self.warned.insert(id.clone()) {
                send(shared, Discovery::ProbeRefused { id, error }).await;
            }
        }
    }

    /// A listing that failed: tried again (sooner than the next round when that is far: a
    /// `wait --all` must not end on a listing that failed once) until `--give-up-after`, unless
    /// retrying cannot help.
    async fn on_listing_failed(&mut self, shared: &Shared, error: ListError) {
        let trouble = &mut self.listing;
        match error {
            ListError::Api(e)
                if (e.is_retryable() || (trouble.listed_once && !e.is_auth()))
                    && trouble.retry.failed(Instant::now(), Instant::now())
                        < shared.polling.give_up_after =>
            {
                let interval = shared.polling.interval;
                let failures = trouble.retry.failures();
                let again_in =
                    poller::backoff(failures, e.retry_after(), interval).min(self.all.every);
                self.next_round = Instant::now() + again_in;
                let error = ListError::Api(e);
                let again_in = Some(again_in);
                send(shared, Discovery::Failed { error, again_in }).await;
            }
            error => {
                let outcome = match &error {
                    ListError::Api(e) => Outcome::from(e),
                    ListError::UnknownProjects { .. } => Outcome::Usage,
                };
                self.failure = Outcome::worst([self.failure, outcome]);
                send(
                    shared,
                    Discovery::Failed {
                        error,
                        again_in: None,
                    },
                )
                .await;
                self.discovering = false;
            }
        }
    }

    /// Starts a poller for each run found, spread over the interval.
    async fn follow(&mut self, shared: &Shared, found: Vec<(Found, bool)>) {
        let interval = shared.polling.interval;
        let count = found.len();
        for (k, (f, watched)) in found.into_iter().enumerate() {
            let run = self.runs.entry(f.id().to_string()).or_insert(0);
            *run += 1;
            let followed = Followed {
                id: f.id().to_string(),
                profile: f.profile().map(String::from),
            };
            let task = self.followers.tasks.len();
            let added = Event::Added {
                task,
                followed: followed.clone(),
                run: *run,
            };
            shared.send(added).await;
            let stagger = followers::stagger(k, count, interval);
            // A run that began while watched: what scrolled past its first window is a gap.
            // One that began before (processing when first probed) has its earlier lines as
            // history, as for `watch ID`.
            if watched {
                self.followers.start_from_its_beginning(followed, stagger);
            } else {
                self.followers.start(followed, stagger);
            }
            self.following.insert(task, f.id().to_string());
        }
    }

    /// Whether rounds go on, and when the next one is.
    async fn after_round(&mut self, shared: &Shared) {
        let all = &self.all;
        if self.first && self.following.is_empty() {
            let waiting = all.follow_new && !all.until_idle;
            send(shared, Discovery::NothingProcessing { waiting }).await;
            if all.until_idle {
                self.discovering = false;
            }
        }
        if !all.follow_new || (all.until_idle && self.following.is_empty()) {
            self.discovering = false;
        }
        self.first = false;
        self.next_round += all.every;
        if self.next_round < Instant::now() {
            self.next_round = Instant::now() + all.every;
        }
    }

    /// The reports in task order, and the outcome of the run.
    fn outcome(mut self) -> (Vec<Report>, Outcome) {
        self.reports.sort_by_key(|r| r.task);
        let given = self.given;
        let counted = self
            .reports
            .iter()
            .filter(|r| !(r.task >= given && r.end == End::NotSeen))
            .map(Report::outcome);
        let outcome = Outcome::worst(counted.chain([self.failure]));
        (self.reports, outcome)
    }
}
