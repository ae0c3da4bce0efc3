//! One discovery round: the listing, then a probe of each task not followed now that the
//! schedule says may be running (and a few others); what is processing is handed back.

use std::collections::HashSet;

use super::All;
use crate::api::ApiError;
use crate::discover::{self, Found, ListError, ProbePlan};
use crate::events::{Discovery, Event};
use crate::poller::Shared;

/// What one round found.
pub(super) enum Round {
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

/// Lists the tasks and probes those not followed now; the ones processing. A task in `held`
/// (its run timed out while processing) is not picked up again until a probe sees it idle;
/// one a probe sees idle is put in `seen_idle`. A run began while watched when its task was
/// seen idle before or the server says it started `since` watching began.
pub(super) async fn round(
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

pub(super) async fn send(shared: &Shared, d: Discovery) {
    shared.send(Event::Discovery(d)).await;
}
