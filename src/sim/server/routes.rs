//! The simulated backend's routes for the configured server version: the task status (with the
//! scenario's faults and delays), the force-scrape triggers, login, ping and Flask's 404 page;
//! and the bearer-token check every ig-tracking route makes.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use serde_json::json;

use super::faults::fault;
use super::{json_response, Sim};
use crate::api::client::{
    LOGIN_PATH, TRIGGER_PROFILE_UPDATE7, TRIGGER_PROFILE_UPDATE8, TRIGGER_REEL, UPDATE7_PATH,
    UPDATE8_PATH,
};
use crate::api::wire::Envelope;
use crate::sim::jwt::Rejection;
use crate::sim::script::{Kind, Scenario};

/// Flask's 404 page.
pub fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n",
    )
        .into_response()
}

/// With `--token` or `--user`, every ig-tracking route wants `Authorization: Bearer` with that
/// token (taken as-is, opaque) or a JWT this run signed whose `exp` has not passed.
pub(in crate::sim) fn unauthorized(sim: &Sim, headers: &HeaderMap) -> Option<Response> {
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
