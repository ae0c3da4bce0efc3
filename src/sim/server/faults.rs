//! The ways a `flaky` server fails a status answer: the backend's JSON 500, nginx's 502 page,
//! JSON cut in half, and 429 with `Retry-After`.

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::json_response;
use crate::api::wire::{Envelope, TaskStatus};

/// The ways a `flaky` server fails an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fault {
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
    pub(super) const ALL: [Fault; 4] = [
        Fault::ServerError,
        Fault::BadGateway,
        Fault::Truncated,
        Fault::TooManyRequests,
    ];
}

pub(super) fn fault(kind: Fault, answer: &Envelope<TaskStatus>) -> Response {
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
