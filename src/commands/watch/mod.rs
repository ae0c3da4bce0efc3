//! `watch` and `wait`: one poller per task, a renderer on a thread of its own fed by a channel,
//! and the worst outcome of all tasks. Output never blocks the work: a paused pager or a full
//! pipe cannot stop the pollers, `--timeout` or Ctrl-C.

pub mod all;
pub mod ends;
pub mod followers;
mod output;
mod picker;
mod timers;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::api::Client;
use crate::commands::archived;
pub use crate::commands::archived::Archive;
use crate::commands::session::{self, Session};
use crate::config::{CiSystem, FollowRequest, Given, Integration, Polling};
use crate::events::{Followed, Report};
use crate::messages;
use crate::outcome::Outcome;
use crate::poller::{self, Shared, Stop};
use crate::render::Mode;
use crate::render::{self, Setup, WrittenLog};
use crate::signals;
use all::All;
use followers::Followers;
use output::{Ending, RenderThread};
use timers::{expiry_warning, heartbeats};

/// Everything `watch` and `wait` need.
pub struct Run {
    pub setup: Setup,
    pub polling: Arc<Polling>,
    pub client: Arc<Client>,
    /// The token's `exp`, when it is a JWT with a usable one.
    pub token_expiry: Option<f64>,
    /// `--all`: also follow every task seen processing.
    pub all: Option<All>,
    /// `--junit`, the step summary, `--notify`, `--on-end`.
    pub integration: Integration,
    /// The base URL, for `--on-end`'s `TASKWATCH_BASE_URL`.
    pub base_url: Option<reqwest::Url>,
    /// `--archive`: where every followed run is recorded.
    pub archive: Archive,
    /// Ctrl-C or SIGTERM is how this run ends (the recorder): exit 0, or 74 when the archive
    /// failed, instead of 130.
    pub stop_ends_well: bool,
    /// Per task id, the typical duration of its past runs (see `archive::typical_durations`).
    pub typical: std::collections::HashMap<String, f64>,
}

/// How long the archive may take, once every task has ended, to commit what it was sent (a
/// busy database is waited for up to its own timeout first).
const ARCHIVE_GRACE: Duration = Duration::from_secs(15);

/// How long taskwatch waits, past `--on-end-timeout`, for the hooks and notifications still
/// running when the tasks have ended.
const END_ACTIONS_GRACE: Duration = Duration::from_secs(2);

pub async fn run(run: Run) -> Outcome {
    let Run {
        setup,
        polling,
        client,
        token_expiry,
        all,
        integration,
        base_url,
        archive,
        stop_ends_well,
        typical,
    } = run;
    let (sink, recorder, mut archive_failed) = start_recorder(archive, &setup);
    let (events, inbox) = mpsc::channel(256);
    let (stop_tx, mut stop) = watch::channel(Stop::Running);
    signals::listen(stop_tx.clone());
    let mut output = RenderThread::spawn(setup.clone(), inbox, stop_tx);
    let timers = [
        token_expiry.map(|exp| expiry_warning(exp, &setup, &polling, &events)),
        setup.heartbeat.map(|period| heartbeats(period, &events)),
    ];
    let end_worker = start_end_actions(&integration, base_url.as_ref(), &setup, &output.written);
    let shared = Shared {
        client,
        polling,
        events: events.clone(),
        stop: stop.clone(),
        archive: sink,
        typical: Arc::new(typical),
    };
    let ended = end_worker.as_ref().map(|(ended, _)| ended.clone());
    let (mut reports, outcome, tasks) = follow(shared, &setup.tasks, all, ended, &stop).await;
    // Every poller is gone: the recorder commits what it was sent.
    if let Some(recorder) = recorder {
        archive_failed |= recorder.finish(ARCHIVE_GRACE).is_err();
    }
    let outcome = if archive_failed {
        Outcome::worst([outcome, Outcome::OutputFailed])
    } else {
        outcome
    };
    // The renderer summarises these, not what reached it: an event may have been given up.
    // When the run was stopped, they are first brought in line with what reached stdout.
    output.hand(reports.clone(), *stop.borrow() != Stop::Running);
    drop(events);
    for timer in timers.into_iter().flatten() {
        timer.abort();
    }
    let rendered = output.wait(&mut stop).await;
    let interrupted = *stop.borrow() == Stop::Interrupted;
    if setup.mode == Mode::Watch && *stop.borrow() != Stop::Running {
        output.written.reconcile(&mut reports);
    }
    let reported = write_reports(&integration, &setup, &tasks, &reports);
    // The hooks and notifications still running, each bounded by --on-end-timeout.
    if let Some((ended, worker)) = end_worker {
        drop(ended);
        let bound = integration.on_end_timeout.saturating_add(END_ACTIONS_GRACE);
        let _ = tokio::time::timeout(bound, worker).await;
    }
    // A report that could not be written counts as the archive does: output that failed.
    archive_failed |= reported.is_err();
    let outcome = match reported {
        Ok(()) => outcome,
        Err(failed) => Outcome::worst([outcome, failed]),
    };
    let ending = Ending {
        interrupted,
        stop_ends_well,
        archive_failed,
    };
    ending.outcome(rendered, outcome, || {
        output.write_summary(&setup, &tasks, &reports)
    })
}

/// The recorder's thread when the run records: the sink pollers send to, the recorder to
/// finish, and whether the archive has failed already.
fn start_recorder(
    archive: Archive,
    setup: &Setup,
) -> (
    Option<crate::archive::recorder::Sink>,
    Option<crate::archive::recorder::Recorder>,
    bool,
) {
    match archive {
        Archive::On {
            store,
            path,
            base_url,
        } => {
            let (sink, recorder) =
                crate::archive::recorder::Recorder::start(store, path, base_url, &setup.secrets);
            (Some(sink), Some(recorder), false)
        }
        Archive::Off => (None, None, false),
        Archive::Broken => (None, None, true),
    }
}

/// `--notify` and `--on-end`, on a worker of their own when asked for.
fn start_end_actions(
    integration: &Integration,
    base_url: Option<&reqwest::Url>,
    setup: &Setup,
    written: &Arc<WrittenLog>,
) -> Option<(EndsSender, tokio::task::JoinHandle<()>)> {
    let end_actions = ends::EndActions {
        notify: integration.notify,
        on_end: integration.on_end.clone(),
        on_end_timeout: integration.on_end_timeout,
        base_url: base_url.map(ends::public_url).unwrap_or_default(),
        secrets: setup.secrets.clone(),
        mode: setup.mode,
        written: written.clone(),
    };
    end_actions.wanted().then(|| ends::start(end_actions))
}

/// Where each task's end goes for `--notify` and `--on-end`.
type EndsSender = mpsc::UnboundedSender<(Followed, Report)>;

/// Follows the tasks (with `--all`, also those found) until every poller has ended; the
/// reports, the outcome and the tasks followed.
async fn follow(
    shared: Shared,
    tasks: &[Followed],
    all: Option<All>,
    ended: Option<EndsSender>,
    stop: &watch::Receiver<Stop>,
) -> (Vec<Report>, Outcome, Vec<Followed>) {
    let mut followers = Followers::new(shared, poller::follow);
    if let Some(ended) = ended {
        followers.on_end(ended);
    }
    start_all(&mut followers, tasks);
    let (reports, outcome) = match all {
        None => {
            let reports = followers.join_all().await;
            let outcome = Outcome::worst(reports.iter().map(Report::outcome));
            (reports, outcome)
        }
        Some(all) => all::run(all, &mut followers, stop.clone()).await,
    };
    (reports, outcome, std::mem::take(&mut followers.tasks))
}

/// `--junit` (replaced atomically) and GitHub's step summary (appended to: it is the runner's
/// file). A report that cannot be written is said; for `--junit`, the run is then not a
/// success (exit 74: output could not be written).
fn write_reports(
    integration: &Integration,
    setup: &Setup,
    tasks: &[Followed],
    reports: &[Report],
) -> Result<(), Outcome> {
    let mut result = Ok(());
    if let Some(path) = &integration.junit {
        let xml = render::junit::xml(tasks, reports, &setup.secrets);
        if let Err(e) = crate::files::write_atomic(path, xml.as_bytes()) {
            messages::error(&format!(
                "cannot write the JUnit report to {}: {e} (the file was left as it was)",
                path.display()
            ));
            result = Err(Outcome::OutputFailed);
        }
    }
    if let Some(path) = integration
        .step_summary
        .as_ref()
        .filter(|_| integration.ci == CiSystem::Github)
    {
        let markdown = render::github::step_summary(tasks, reports, &setup.secrets);
        if let Err(e) = crate::files::append(path, markdown.as_bytes()) {
            messages::warning(&format!(
                "cannot add to the step summary {} (GITHUB_STEP_SUMMARY): {e}",
                path.display()
            ));
        }
    }
    result
}

/// Starts a poller per task, spread over the interval.
fn start_all<F, Follow>(followers: &mut Followers<F>, tasks: &[Followed])
where
    F: Fn(usize, String, Shared, Duration) -> Follow,
    Follow: std::future::Future<Output = Report> + Send + 'static,
{
    let interval = followers.shared().polling.interval;
    for (k, task) in tasks.iter().enumerate() {
        followers.start(task.clone(), followers::stagger(k, tasks.len(), interval));
    }
}

/// The command as the dispatcher calls it: resolves what it needs, then runs.
pub async fn command(
    mode: Mode,
    request: FollowRequest,
    given: Given<'_>,
) -> Result<Outcome, Outcome> {
    let usage = |e: crate::profile::ConfigError| messages::usage(&e.to_string());
    let session = Session::open(&request.access, &request.output, given, false)?;
    let token_expiry = session.token_expiry()?;
    let profile = session.profile.as_ref();
    let polling = request
        .polling
        .with_profile(given, profile)
        .map_err(usage)?;
    let highlight = Polling::highlight(&request.highlight, profile).map_err(usage)?;
    let integration = Integration::resolve(
        &request.integration,
        given,
        profile,
        &|k| std::env::var(k).ok(),
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
    )
    .map_err(usage)?;
    let client = session.client()?;
    let scrubber = session.scrubber();
    let retry = session::ListingRetry {
        give_up_after: polling.give_up_after,
        interval: polling.interval,
    };
    let verbose = session.presentation.verbose;
    let task_ids = if request.task_ids.is_empty() && request.all.is_none() {
        picker::pick(&client, verbose, &scrubber, retry).await?
    } else {
        request.task_ids
    };
    let projects = request.all.as_ref().map_or(&[][..], |a| &a.projects);
    let tasks = session::name_tasks(
        &client,
        &task_ids,
        projects,
        verbose,
        &scrubber,
        Some(retry),
    )
    .await?;
    let setup = Setup {
        mode,
        presentation: session.presentation.clone(),
        tasks: Arc::from(tasks),
        open: request.all.is_some(),
        secrets: session.resolved.connection.secrets(),
        resume_hint: true,
        highlight,
        ci: integration.ci,
        heartbeat: integration.heartbeat,
    };
    let all = match request.all {
        Some(asked) => {
            Some(All::resolve(asked, mode == Mode::Wait, given, profile).map_err(usage)?)
        }
        None => None,
    };
    let settings = archived::resolve(&request.archive, profile)?;
    let base_url = &session.resolved.connection.base_url;
    let typical = archived::typical_durations(&settings, base_url, verbose);
    let archive = archived::open_for_recording(&settings, base_url);
    Ok(run(Run {
        setup,
        polling,
        client,
        token_expiry,
        all,
        integration,
        base_url: Some(base_url.clone()),
        archive,
        stop_ends_well: false,
        typical,
    })
    .await)
}

#[cfg(test)]
async fn follow_all<F, Follow>(tasks: &[Followed], shared: Shared, follow: F) -> Vec<Report>
where
    F: Fn(usize, String, Shared, Duration) -> Follow,
    Follow: std::future::Future<Output = Report> + Send + 'static,
{
    let mut followers = Followers::new(shared, follow);
    start_all(&mut followers, tasks);
    followers.join_all().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Connection;
    use crate::events::{End, Event};

    #[tokio::test]
    async fn a_panicking_poller_is_an_internal_error_not_dropped() {
        let url = "http://127.0.0.1:9".parse().unwrap();
        let client = Client::new(&Connection::plain(url, Duration::from_secs(1)), 0).unwrap();
        let polling = Polling {
            interval: Duration::from_millis(100),
            min_interval: Duration::from_millis(100),
            give_up_after: Duration::from_secs(1),
            ..Polling::default()
        };
        let (events, mut inbox) = mpsc::channel(8);
        let (_stop_tx, stop) = watch::channel(Stop::Running);
        let shared = Shared {
            client: Arc::new(client),
            polling: Arc::new(polling),
            events: events.clone(),
            stop,
            archive: None,
            typical: Default::default(),
        };
        let tasks = [Followed::id("ok"), Followed::id("boom")];
        let reports = follow_all(&tasks, shared, |task, _, _, _| async move {
            assert!(task != 1, "a bug in the poller of task {task}");
            Report::new(task)
        })
        .await;
        assert_eq!(reports.len(), 2);
        assert_eq!(reports[0].end, End::Finished);
        assert_eq!(reports[1].end, End::Internal);
        assert_eq!(
            Outcome::worst(reports.iter().map(Report::outcome)),
            Outcome::Internal
        );
        match inbox.try_recv() {
            Ok(Event::Ended(r)) => assert_eq!((r.task, r.end), (1, End::Internal)),
            other => panic!("the internal error is rendered too: {other:?}"),
        }
    }
}
