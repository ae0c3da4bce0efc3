//! The simulator's HTTP side: the backend's routes for one server version, its response shapes
//! (the client's own wire types), auth, triggers, and the scenario's faults.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;
use tokio::time::Instant;

use super::catalog::{Listing, Started};
use super::jwt::{Keys, Rejection};
use super::script::{Kind, Scenario, Script};
use crate::api::client::{
    LOGIN_PATH, TRIGGER_PROFILE_UPDATE7, TRIGGER_PROFILE_UPDATE8, TRIGGER_REEL, UPDATE7_PATH,
    UPDATE8_PATH,
};
use crate::api::wire::{Envelope, TaskStatus};

/// How the simulated backend behaves.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// 6, 7 or 8.
    pub api: u8,
    pub token: Option<String>,
    pub scenario: Scenario,
    pub duration: Duration,
    /// Lines kept by a trimming server.
    pub keep: usize,
    pub slow_delay: Duration,
    /// Share of status answers that fail (flaky) or are slow (slow), in percent.
    pub fault_percent: u8,
    pub seed: u64,
    /// Lines and lines a second of a `steady` task.
    pub steady_lines: u64,
    pub steady_rate: f64,
    /// Accounts for `POST /codvid-ai/auth/login`: (email, password).
    pub users: Vec<(String, String)>,
    /// How long a token from login stays valid.
    pub token_ttl: Duration,
}

struct Running {
    script: Arc<Script>,
    started: Instant,
    start_epoch: u64,
}

pub struct Sim {
    config: SimConfig,
    tasks: Mutex<HashMap<String, Running>>,
    rng: Mutex<fastrand::Rng>,
    /// This run's signing secret for the tokens login hands out.
    keys: Keys,
    /// The tracked profiles and projects the listing routes serve.
    pub listing: Listing,
}

impl Sim {
    pub fn new(config: SimConfig) -> Arc<Sim> {
        Sim::with_listing(config, Listing::default())
    }

    /// A simulator whose listings start with `listing` (`serve --profiles`).
    pub fn with_listing(config: SimConfig, listing: Listing) -> Arc<Sim> {
        Arc::new(Sim {
            rng: Mutex::new(fastrand::Rng::with_seed(config.seed)),
            keys: Keys::random(config.token_ttl),
            config,
            tasks: Mutex::new(HashMap::new()),
            listing,
        })
    }

    /// The server version imitated.
    pub fn api(&self) -> u8 {
        self.config.api
    }

    /// Starts a task by hand (a trigger, `--task`) and lists it; false if one with this id is
    /// running.
    pub fn start(&self, id: &str, kind: Kind) -> bool {
        self.start_run(id, kind, false).is_some()
    }

    /// Starts a task and lists it, as its schedule's run when `scheduled` (else by hand,
    /// outside the schedule); `None` if one with this id is running.
    pub fn start_run(&self, id: &str, kind: Kind, scheduled: bool) -> Option<Started> {
        let runs = self.start_unlisted(id, kind)?;
        Some(
            self.listing
                .started(id, kind, super::catalog::now(), runs, scheduled),
        )
    }

    /// How long the task started runs; `None` if one with this id is running.
    fn start_unlisted(&self, id: &str, kind: Kind) -> Option<Duration> {
        let script = if self.config.scenario == Scenario::Steady {
            let c = &self.config;
            Script::steady(c.steady_lines, c.steady_rate, id)
        } else {
            Script::build(
                kind,
                self.config.scenario,
                self.config.duration,
                id,
                self.config.seed,
            )
        };
        let runs = script.ends_at;
        self.start_script(id, script).then_some(runs)
    }

    pub fn start_script(&self, id: &str, script: Script) -> bool {
        let mut tasks = self.tasks.lock().unwrap();
        let now = Instant::now();
        if tasks
            .get(id)
            .is_some_and(|t| now.duration_since(t.started) < t.script.ends_at)
        {
            return false;
        }
        let start_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        tasks.insert(
            id.to_string(),
            Running {
                script: Arc::new(script),
                started: now,
                start_epoch,
            },
        );
        true
    }

    /// The task's state as the server would answer it now; a finished task is forgotten.
    fn status(&self, id: &str, logs_count: usize) -> TaskStatus {
        let mut tasks = self.tasks.lock().unwrap();
        let now = Instant::now();
        let Some(task) = tasks.get(id) else {
            return not_processing(id);
        };
        let elapsed = now.duration_since(task.started);
        if elapsed >= task.script.ends_at {
            // As on the real server: state disappears the moment a task ends.
            tasks.remove(id);
            return not_processing(id);
        }
        let mut stored = task.script.visible(elapsed);
        if self.config.scenario == Scenario::Trimmed {
            stored = &stored[stored.len().saturating_sub(self.config.keep)..];
        }
        let window = &stored[stored.len().saturating_sub(logs_count)..];
        let as_event = self.config.api == 6;
        let latest = stored
            .last()
            .map(|l| task.script.render(l, task.start_epoch, as_event));
        if as_event {
            return TaskStatus {
                task_id: id.to_string(),
                is_processing: true,
                status: Some("processing".into()),
                logs_count: Some(stored.len() as u64),
                latest_event: Some(latest),
                ..TaskStatus::default()
            };
        }
        let logs: Vec<_> = window
            .iter()
            .map(|l| task.script.render(l, task.start_epoch, false))
            .collect();
        TaskStatus {
            task_id: id.to_string(),
            is_processing: true,
            status: Some("processing".into()),
            started_at: Some(json!(task.start_epoch)),
            updated_at: Some(json!(
                task.start_epoch + stored.last().map_or(0, |l| l.at_ms / 1000)
            )),
            logs_count: Some(stored.len() as u64),
            requested_logs_count: Some(logs.len() as u64),
            latest_event: Some(logs.last().cloned()),
            logs: Some(logs),
        }
    }

    /// Whether this answer is one of the faulty share, and which fault.
    fn roll(&self) -> Option<Fault> {
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        (rng.u8(0..100) < self.config.fault_percent)
            .then(|| Fault::ALL[rng.usize(..Fault::ALL.len())])
    }
}

fn not_processing(id: &str) -> TaskStatus {
    TaskStatus {
        task_id: id.to_string(),
        is_processing: false,
        logs: Some(Vec::new()),
        logs_count: Some(0),
        ..TaskStatus::default()
    }
}

/// Flask's 404 page.
pub fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n",
    )
        .into_response()
}

pub(super) fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    (status, Json(body)).into_response()
}

/// With `--token` or `--user`, every ig-tracking route wants `Authorization: Bearer` with that
/// token (taken as-is, opaque) or a JWT this run signed whose `exp` has not passed.
pub(super) fn unauthorized(sim: &Sim, headers: &HeaderMap) -> Option<Response> {
    if sim.config.token.is_none() && sim.config.users.is_empty() {
        return None;
    }
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let reason = match sent {
        Some(sent) if sim.config.token.as_deref() == Some(sent) => return None,
        Some(sent) => match sim.keys.check(sent) {
            Ok(()) => return None,
            Err(Rejection::Expired) => "Unauthorized: token expired",
            Err(Rejection::Invalid) => "Unauthorized: missing or invalid token",
        },
        None => "Unauthorized: missing or invalid token",
    };
    Some(json_response(
        StatusCode::UNAUTHORIZED,
        &json!({ "error": reason }),
    ))
}

async fn status(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(denied) = unauthorized(&sim, &headers) {
        return denied;
    }
    let logs_count = query
        .get("logs_count")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(10)
        .clamp(1, 100) as usize;
    let answer = Envelope::ok(sim.status(&id, logs_count));
    let roll = match sim.config.scenario {
        Scenario::Flaky | Scenario::Slow => sim.roll(),
        _ => None,
    };
    match (sim.config.scenario, roll) {
        (Scenario::Flaky, Some(kind)) => return fault(kind, &answer),
        (Scenario::Slow, Some(_)) => tokio::time::sleep(sim.config.slow_delay).await,
        _ => {}
    }
    json_response(StatusCode::OK, &answer)
}

/// The ways a `flaky` server fails an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// 500 with the backend's JSON failure shape.
    ServerError,
    /// 502 with nginx's HTML page.
    BadGateway,
    /// 200 with the JSON cut in half.
    Truncated,
    /// 429 with `Retry-After: 1`.
    TooManyRequests,
}

impl Fault {
    const ALL: [Fault; 4] = [
        Fault::ServerError,
        Fault::BadGateway,
        Fault::Truncated,
        Fault::TooManyRequests,
    ];
}

fn fault(kind: Fault, answer: &Envelope<TaskStatus>) -> Response {
    match kind {
        Fault::ServerError => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &Envelope::<()>::failure("Error retrieving task status: simulated database timeout"),
        ),
        Fault::BadGateway => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
        )
            .into_response(),
        Fault::Truncated => {
            let full = serde_json::to_string(answer).unwrap_or_default();
            let cut = full.len() / 2;
            let cut = (0..=cut).rev().find(|&i| full.is_char_boundary(i)).unwrap_or(0);
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(full[..cut].to_string()))
                .expect("valid response")
        }
        Fault::TooManyRequests => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "1")],
            Json(Envelope::<()>::failure("Too many requests")),
        )
            .into_response(),
    }
}

async fn trigger(sim: Arc<Sim>, id: String, headers: HeaderMap, kind: Kind) -> Response {
    if let Some(denied) = unauthorized(&sim, &headers) {
        return denied;
    }
    if sim.start(&id, kind) {
        json_response(
            StatusCode::OK,
            &json!({"result": true, "message": "Scrape task started", "task_id": id}),
        )
    } else {
        json_response(
            StatusCode::CONFLICT,
            &Envelope::<()>::failure("Task is already being processed"),
        )
    }
}

/// `POST /codvid-ai/auth/login` with
/// `{"schema_version": "4.0", "data": {"auth_type": "email", "email", "password"}}`.
async fn login(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Response {
    let request: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let data = &request["data"];
    let (Some(email), Some(password)) = (data["email"].as_str(), data["password"].as_str()) else {
        return json_response(
            StatusCode::BAD_REQUEST,
            &Envelope::<()>::failure("Invalid request: email and password are required"),
        );
    };
    let known = sim
        .config
        .users
        .iter()
        .any(|(e, p)| e == email && p == password);
    if !known {
        return json_response(
            StatusCode::BAD_REQUEST,
            &Envelope::<()>::failure("Invalid email or password"),
        );
    }
    let Some(token) = sim.keys.mint(email) else {
        return json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &Envelope::<()>::failure("Could not sign a token"),
        );
    };
    json_response(
        StatusCode::CREATED,
        &json!({"result": true, "token": token}),
    )
}

async fn ping() -> Response {
    json_response(StatusCode::OK, &json!({"message": "pong"}))
}

/// The backend's routes for the configured server version.
/// `extra`: more routes on the same state (the listings).
pub fn router(sim: Arc<Sim>, extra: Router<Arc<Sim>>) -> Router {
    // The same path templates the client uses (`{task_id}` is axum's capture syntax too).
    let (status_path, profile_trigger) = match sim.config.api {
        8 => (UPDATE8_PATH, TRIGGER_PROFILE_UPDATE8),
        _ => (UPDATE7_PATH, TRIGGER_PROFILE_UPDATE7),
    };
    Router::new()
        .route(status_path, get(status))
        .route(
            profile_trigger,
            post(
                |State(sim): State<Arc<Sim>>, Path(id): Path<String>, headers: HeaderMap| {
                    trigger(sim, id, headers, Kind::Profile)
                },
            ),
        )
        .route(
            TRIGGER_REEL,
            post(
                |State(sim): State<Arc<Sim>>, Path(id): Path<String>, headers: HeaderMap| {
                    trigger(sim, id, headers, Kind::Reel)
                },
            ),
        )
        .route("/codvid-ai/ping", any(ping))
        .route(LOGIN_PATH, post(login))
        .merge(extra)
        .fallback(|| async { not_found() })
        .with_state(sim)
}
