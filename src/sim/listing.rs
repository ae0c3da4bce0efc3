//! The simulator's listing routes, as each server version serves them (Update 8's
//! `get_profile_tracking_tasks`, Update 3–7's `get_tasks`, the detail routes, the projects and
//! their reel tasks), and the schedule that starts tracked profiles on their own
//! (`--schedule`). What the listings hold is `catalog`'s.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::catalog::{list, record};
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
    let inner = sim.listing.inner.lock().unwrap_or_else(|e| e.into_inner());
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
    let inner = sim.listing.inner.lock().unwrap_or_else(|e| e.into_inner());
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
    let inner = sim.listing.inner.lock().unwrap_or_else(|e| e.into_inner());
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
    let inner = sim.listing.inner.lock().unwrap_or_else(|e| e.into_inner());
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

/// Starts one tracked profile that is not processing every `every`, at random, until the
/// process ends (`serve --schedule`) or `limit` have been started (`demo --all`).
pub async fn schedule(sim: Arc<Sim>, every: Duration, seed: u64, limit: Option<usize>) {
    if every.is_zero() {
        return;
    }
    let mut rng = fastrand::Rng::with_seed(seed ^ 0x0053_4348_4544);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    let mut started = 0usize;
    while limit.is_none_or(|l| started < l) {
        tick.tick().await;
        let profiles = sim.listing.profiles();
        if profiles.is_empty() {
            continue;
        }
        let first = rng.usize(..profiles.len());
        // The first one that is idle, from a random place.
        for k in 0..profiles.len() {
            let (id, _) = &profiles[(first + k) % profiles.len()];
            if sim.start(id, Kind::Profile) {
                started += 1;
                break;
            }
        }
    }
}
