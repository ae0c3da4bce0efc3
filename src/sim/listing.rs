//! The simulator's listing routes, as each server version serves them (Update 8's
//! `get_profile_tracking_tasks`, Update 3–7's `get_tasks`, the detail routes, the projects and
//! their reel tasks), and what starts runs on their own: each tracked profile's scheduled run
//! when it is due (`--schedule`) and runs by hand outside the schedule (`--forced-runs`). What
//! the listings hold, and how runs move the schedule, is `catalog`'s.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::catalog::{list, now, record};
use super::script::Kind;
use super::server::{json_response, unauthorized, Sim};
use crate::api::client::{
    DETAIL_UPDATE7, DETAIL_UPDATE8, LIST_UPDATE7, LIST_UPDATE8, PROJECT_LIST, PROJECT_REEL_TASKS,
};
use crate::api::wire::Envelope;

async fn profile_tasks(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Response {
    if let Some(denied) = unauthorized(&sim, &headers) {
        return denied;
    }
    let mut inner = sim.listing.inner.lock().unwrap_or_else(|e| e.into_inner());
    inner.settle(now());
    json_response(StatusCode::OK, &list(&inner.profiles, sim.api()))
}

async fn profile_task(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(denied) = unauthorized(&sim, &headers) {
        return denied;
    }
    let mut inner = sim.listing.inner.lock().unwrap_or_else(|e| e.into_inner());
    inner.settle(now());
    match inner.profiles.iter().position(|e| e.id == id) {
        Some(n) => json_response(
            StatusCode::OK,
            &json!({"result": true, "response": {"task": record(&inner.profiles[n], n, sim.api(), true)}}),
        ),
        None => json_response(
            StatusCode::NOT_FOUND,
            &Envelope::<()>::failure("Task not found"),
        ),
    }
}

async fn project_list(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Response {
    if let Some(denied) = unauthorized(&sim, &headers) {
        return denied;
    }
    let mut inner = sim.listing.inner.lock().unwrap_or_else(|e| e.into_inner());
    inner.settle(now());
    let names: Vec<&str> = inner.projects.iter().map(|(p, _)| p.as_str()).collect();
    json_response(
        StatusCode::OK,
        &json!({"result": true, "response": {"project_list": names}}),
    )
}

/// `{"schema_version": "4.0", "data": {"project_name": "…"}}`.
async fn reel_tasks(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(denied) = unauthorized(&sim, &headers) {
        return denied;
    }
    let request: Value = serde_json::from_slice(&body).unwrap_or_default();
    let Some(name) = request["data"]["project_name"].as_str() else {
        return json_response(
            StatusCode::BAD_REQUEST,
            &Envelope::<()>::failure("Invalid request: data.project_name is required"),
        );
    };
    let mut inner = sim.listing.inner.lock().unwrap_or_else(|e| e.into_inner());
    inner.settle(now());
    match inner.projects.iter().find(|(p, _)| p == name) {
        Some((_, reels)) => {
            let tasks: Vec<Value> = reels
                .iter()
                .enumerate()
                .map(|(n, e)| record(e, n, sim.api(), false))
                .collect();
            json_response(
                StatusCode::OK,
                &json!({"result": true, "response": {"tasks": tasks, "total_tasks": reels.len()}}),
            )
        }
        None => json_response(
            StatusCode::NOT_FOUND,
            &Envelope::<()>::failure("Project not found"),
        ),
    }
}

/// The listing routes of server version `api`. The reel listing is POST on Update 8 (as the
/// demo client sends it) and GET with a body before (as the docs say); the other method is
/// answered 405.
pub fn routes(api: u8) -> Router<Arc<Sim>> {
    let (list_path, detail_path) = match api {
        8 => (LIST_UPDATE8, DETAIL_UPDATE8),
        _ => (LIST_UPDATE7, DETAIL_UPDATE7),
    };
    let reels = if api == 8 {
        post(reel_tasks)
    } else {
        get(reel_tasks)
    };
    Router::new()
        .route(list_path, get(profile_tasks))
        .route(detail_path, get(profile_task))
        .route(PROJECT_LIST, post(project_list))
        .route(PROJECT_REEL_TASKS, reels)
}

/// What starts runs on their own: the schedule's turns (set in the listing by
/// `Listing::tracked`) and runs by hand on a random idle profile every `forced_every`.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    /// Runs by hand outside the schedule this often (zero: none).
    pub forced_every: Duration,
    /// Stop after this many scheduled runs (`demo --all`).
    pub limit: Option<usize>,
    /// Say on stderr when each run starts (`serve`).
    pub announce: bool,
}

/// The longest the schedule sleeps without looking: profiles tracked meanwhile (a trigger of a
/// new id) get their turn no later than this after it comes.
const LOOK_AGAIN: Duration = Duration::from_millis(500);

/// Starts each tracked profile's scheduled run when it is due, and a run by hand every
/// `forced_every`, until the process ends (`serve`) or `limit` scheduled runs have started
/// (`demo --all`).
pub async fn schedule(sim: Arc<Sim>, plan: Schedule, seed: u64) {
    let mut rng = fastrand::Rng::with_seed(seed ^ 0x0053_4348_4544);
    let forced = u64::try_from(plan.forced_every.as_millis()).unwrap_or(u64::MAX);
    let mut next_forced = (forced > 0).then(|| now().saturating_add(forced));
    let mut started = 0usize;
    loop {
        let t = now();
        // A due profile that cannot start (already running outside the listing's knowledge)
        // is tried again soon, not at once.
        let mut blocked = false;
        for id in sim.listing.due(t) {
            if plan.limit.is_some_and(|l| started >= l) {
                break;
            }
            match sim.start_run(&id, Kind::Profile, true) {
                Some(run) => {
                    started += 1;
                    announce(plan.announce, &run, "scheduled run");
                }
                None => blocked = true,
            }
        }
        if plan.limit.is_some_and(|l| started >= l) && next_forced.is_none() {
            return;
        }
        if let Some(at) = next_forced.filter(|&at| at <= t) {
            let idle = sim.listing.idle_profiles(t);
            if !idle.is_empty() {
                let id = &idle[rng.usize(..idle.len())];
                if let Some(run) = sim.start_run(id, Kind::Profile, false) {
                    announce(plan.announce, &run, "run by hand (outside its schedule)");
                }
            }
            // The next one a period after this one's time, never in a burst to catch up.
            next_forced = Some(at.saturating_add(forced).max(t.saturating_add(1)));
        }
        let mut wake = t.saturating_add(u64::try_from(LOOK_AGAIN.as_millis()).unwrap_or(500));
        if let Some(at) = sim.listing.next_event(t) {
            wake = wake.min(at);
        }
        if let Some(at) = next_forced {
            wake = wake.min(at);
        }
        if blocked {
            wake = wake.max(t.saturating_add(50));
        }
        let sleep = Duration::from_millis(wake.saturating_sub(now()).max(1));
        tokio::time::sleep(sleep).await;
    }
}

/// `serve`'s line for a run it started: the time to the millisecond, so that a measurement
/// can tell when the run began.
fn announce(on: bool, run: &super::catalog::Started, what: &str) {
    if !on {
        return;
    }
    let at = chrono::DateTime::from_timestamp_millis(i64::try_from(run.at).unwrap_or(0))
        .unwrap_or_default()
        .format("%H:%M:%S%.3fZ");
    let name = run
        .handle
        .as_deref()
        .map_or(String::new(), |h| format!("@{h} "));
    let _ = writeln!(
        std::io::stderr(),
        "taskwatch serve: {at} {what} of {name}({}) started",
        run.id
    );
}
