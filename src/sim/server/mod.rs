//! The simulator's HTTP side: the backend's routes for one server version, its response shapes
//! (the client's own wire types), auth, triggers, and the scenario's faults.
//!
//! Here: how the simulated backend is configured and the state of its tasks (started, visible,
//! forgotten when they end), as the status route answers it; `routes` are the HTTP routes and
//! auth, `faults` the ways a flaky server fails an answer.

mod faults;
mod routes;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::json;
use tokio::time::Instant;

use super::catalog::{Listing, Started};
use super::jwt::Keys;
use super::script::{Kind, Scenario, Script};
use crate::api::wire::TaskStatus;
use faults::Fault;
pub(super) use routes::unauthorized;
pub use routes::{not_found, router};

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

/// A JSON answer with this status (every route's, the listings' too).
pub(super) fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    (status, Json(body)).into_response()
}
