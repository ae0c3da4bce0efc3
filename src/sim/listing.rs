//! The simulator's task listings: the tracked profiles (`serve --profiles N`, and every profile
//! task started), the projects and their reel tasks, served as each server version does
//! (Update 8's `get_profile_tracking_tasks` with `task_id`, some records `_id` only; Update 3–7's
//! `get_tasks` with `_id` and `total_tasks`), the detail routes, and the schedule that starts
//! tracked profiles on their own (`--schedule`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::script::{handle, Kind};
use super::server::{json_response, unauthorized, Sim};
use crate::api::client::{
    DETAIL_UPDATE7, DETAIL_UPDATE8, LIST_UPDATE7, LIST_UPDATE8, PROJECT_LIST, PROJECT_REEL_TASKS,
};
use crate::api::wire::Envelope;

/// The project that reel tasks started by a trigger are listed in.
pub const TRIGGERED_REELS: &str = "reels";
/// The project `--profiles` fills with a few reel tasks.
pub const CAMPAIGN: &str = "campaign";
/// Days between scheduled scrapes, as the listing reports.
const SCRAPE_DAYS: u64 = 1;

#[derive(Debug, Clone)]
struct Entry {
    id: String,
    handle: Option<String>,
    reel_url: Option<String>,
    created: u64,
    last_scraped: Option<u64>,
    is_competitor: bool,
}

#[derive(Default)]
struct Inner {
    profiles: Vec<Entry>,
    projects: Vec<(String, Vec<Entry>)>,
}

/// What the listings hold.
#[derive(Default)]
pub struct Listing {
    inner: Mutex<Inner>,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A Mongo-ObjectId-like id: 24 hex digits.
fn object_id(rng: &mut fastrand::Rng, n: u64) -> String {
    format!("6650{:04x}{:016x}", n & 0xffff, rng.u64(..))
}

impl Listing {
    /// `profiles` tracked profiles whose handles differ (`@natgeo`, `@nasa`, … then with a
    /// number), and with any, a project of a few reel tasks.
    pub fn tracked(profiles: usize, seed: u64) -> Listing {
        let mut rng = fastrand::Rng::with_seed(seed ^ 0x0074_7261_636b_6564);
        let created = now().saturating_sub(30 * 86_400);
        let mut used = std::collections::HashSet::new();
        let mut inner = Inner::default();
        for i in 0..profiles {
            // Ids whose handle (derived from the id, as the task's log lines say it) is new;
            // the first ones without a number. Gives up on uniqueness after a few tries.
            let mut id = object_id(&mut rng, i as u64);
            for attempt in 0..400 {
                let h = handle(&id);
                let plain = !h.contains('_') || attempt >= 200 || i >= 12;
                if plain && !used.contains(&h) {
                    break;
                }
                id = object_id(&mut rng, i as u64);
            }
            used.insert(handle(&id));
            inner.profiles.push(Entry {
                handle: Some(handle(&id)),
                reel_url: None,
                created: created + i as u64 * 60,
                last_scraped: Some(created + 86_400 * 29 + i as u64 * 60),
                is_competitor: i % 4 == 3,
                id,
            });
        }
        if profiles > 0 {
            let reels = (profiles / 10).clamp(1, 20);
            let entries = (0..reels)
                .map(|i| {
                    let id = object_id(&mut rng, (profiles + i) as u64);
                    Entry {
                        reel_url: Some(format!("https://www.instagram.com/reel/C{}/", &id[8..19])),
                        handle: None,
                        created: created + i as u64 * 60,
                        last_scraped: None,
                        is_competitor: false,
                        id,
                    }
                })
                .collect();
            inner.projects.push((CAMPAIGN.to_string(), entries));
        }
        Listing {
            inner: Mutex::new(inner),
        }
    }

    /// The tracked profiles' ids and handles.
    pub fn profiles(&self) -> Vec<(String, String)> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner
            .profiles
            .iter()
            .map(|e| (e.id.clone(), e.handle.clone().unwrap_or_default()))
            .collect()
    }

    /// A task was started: it is listed from now on (a profile's among the tracked profiles, a
    /// reel's in the `reels` project) with this scrape as its last.
    pub fn started(&self, id: &str, kind: Kind) {
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let inner = &mut *guard;
        let t = now();
        let listed = inner
            .profiles
            .iter_mut()
            .chain(inner.projects.iter_mut().flat_map(|(_, e)| e.iter_mut()))
            .find(|e| e.id == id);
        if let Some(e) = listed {
            e.last_scraped = Some(t);
            return;
        }
        let entry = Entry {
            id: id.to_string(),
            handle: (kind == Kind::Profile).then(|| handle(id)),
            reel_url: (kind == Kind::Reel).then(|| format!("https://www.instagram.com/reel/{id}/")),
            created: t,
            last_scraped: Some(t),
            is_competitor: false,
        };
        match kind {
            Kind::Profile => inner.profiles.push(entry),
            Kind::Reel => match inner
                .projects
                .iter_mut()
                .find(|(p, _)| p == TRIGGERED_REELS)
            {
                Some((_, reels)) => reels.push(entry),
                None => inner
                    .projects
                    .push((TRIGGERED_REELS.to_string(), vec![entry])),
            },
        }
    }
}

/// A time as Update 3–7 sends it (Python's `isoformat()` of a UTC time) or as Update 8 does
/// (seconds since the epoch, a float).
fn time(epoch: u64, api: u8) -> Value {
    if api == 8 {
        return json!(epoch as f64);
    }
    let t =
        chrono::DateTime::from_timestamp(i64::try_from(epoch).unwrap_or(0), 0).unwrap_or_default();
    json!(t.format("%Y-%m-%dT%H:%M:%S").to_string())
}

/// One listing record. Update 8 names the id `task_id`, except every third record, which has
/// only `_id` (as the backend's own demo client implies); Update 3–7 always `_id`.
fn record(e: &Entry, n: usize, api: u8, detail: bool) -> Value {
    let mut r = serde_json::Map::new();
    let key = if api == 8 && n % 3 != 2 {
        "task_id"
    } else {
        "_id"
    };
    r.insert(key.into(), json!(e.id));
    if let Some(h) = &e.handle {
        r.insert("target_profile".into(), json!(h));
        r.insert("is_competitor".into(), json!(e.is_competitor));
    }
    if let Some(url) = &e.reel_url {
        r.insert("reel_url".into(), json!(url));
    }
    r.insert("status".into(), json!("active"));
    r.insert("created_at".into(), time(e.created, api));
    let last = e.last_scraped;
    r.insert(
        "last_scraped".into(),
        last.map_or(Value::Null, |t| time(t, api)),
    );
    let due = last.unwrap_or(e.created) + SCRAPE_DAYS * 86_400;
    r.insert("next_scrape_due".into(), time(due, api));
    if detail {
        r.insert("scrape_interval_days".into(), json!(SCRAPE_DAYS));
    }
    Value::Object(r)
}

fn list(entries: &[Entry], api: u8) -> Value {
    let tasks: Vec<Value> = entries
        .iter()
        .enumerate()
        .map(|(n, e)| record(e, n, api, false))
        .collect();
    if api == 8 {
        json!({"result": true, "response": {"tasks": tasks}})
    } else {
        json!({"result": true, "response": {"tasks": tasks, "total_tasks": entries.len()}})
    }
}

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
