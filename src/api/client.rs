//! One shared HTTP client: URL building, auth, bounded concurrency, one request sent and read
//! (capped, with notes for `-v`), and the task status with the Update 7/8 path fallback. What an
//! answer means is `response`'s to say; the listings' requests are in `listing`, triggers and
//! login in `actions`.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, RETRY_AFTER};

pub use super::actions::{TriggerKind, Triggered};
pub use super::connection::{shown_url, Connection};
pub use super::error::ApiError;
pub use super::paths::*;
pub use super::response::MAX_BODY;
use super::response::{
    classify, error_chain, excerpt, interpret, parse_retry_after, read_capped, BodyError,
    EXCERPT_CHARS,
};
use super::wire::TaskStatus;
use crate::secret::Secret;

/// Everything but unreserved characters is encoded, so an id is exactly one path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A task's status URL, or with the automatic path, one for each server version.
pub struct TaskUrls(Vec<String>);

/// The result of one logical request, with lines for `-v` and `-vv`.
pub struct Fetched<T> {
    pub result: Result<T, ApiError>,
    pub notes: Vec<String>,
    /// HTTP requests actually sent for it (the automatic path may take two).
    pub requests: u64,
}

/// What the requests of one logical request leave behind besides the answer.
#[derive(Default)]
pub(super) struct Trail {
    pub(super) notes: Vec<String>,
    pub(super) requests: u64,
}

impl Trail {
    pub(super) fn fetched<T>(self, result: Result<T, ApiError>) -> Fetched<T> {
        Fetched {
            result,
            notes: self.notes,
            requests: self.requests,
        }
    }
}

pub struct Client {
    pub(super) http: reqwest::Client,
    pub(super) base: String,
    /// `base` as it may be shown (a password in it masked).
    pub(super) shown_base: String,
    /// What a server's text is scrubbed of before it goes into a message: the token and the
    /// URL's password.
    pub(super) secrets: Vec<Secret>,
    /// Masks `secrets` in the text fields of an answer (its status, its times): built once.
    masker: crate::secret::Scrubber,
    pub(super) fixed_path: Option<String>,
    /// Which of `AUTO_PATHS` answered last; shared by every task of the run.
    pub(super) auto_path: AtomicUsize,
    /// Which of `LIST_PATHS` answered last.
    pub(super) list_path: AtomicUsize,
    /// The reel listing answered 405 to POST: it is asked with GET from then on.
    pub(super) reels_by_get: AtomicBool,
    pub(super) auth: Option<HeaderValue>,
    pub(super) verbose: u8,
    /// Requests in flight at once: many tasks share a few keep-alive connections.
    pub(super) in_flight: tokio::sync::Semaphore,
}

/// The most requests in flight at once, and so the most connections to the server.
pub const MAX_IN_FLIGHT: usize = 8;

impl Client {
    pub fn new(conn: &Connection, verbose: u8) -> Result<Client, String> {
        // reqwest is built without a default crypto provider; `Err` means one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut headers = HeaderMap::new();
        for (name, value) in &conn.headers {
            headers.append(name.clone(), value.clone());
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("taskwatch/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .timeout(conn.request_timeout)
            .connect_timeout(conn.request_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(MAX_IN_FLIGHT)
            .tls_certs_merge(conn.ca_certs.iter().cloned())
            .redirect(reqwest::redirect::Policy::custom(same_origin_only))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {}", error_chain(&e)))?;
        let auth = match &conn.token {
            None => None,
            Some(t) => {
                let mut v = HeaderValue::from_str(&format!("Bearer {}", t.expose()))
                    .map_err(|_| "the token has characters not allowed in an HTTP header")?;
                v.set_sensitive(true);
                Some(v)
            }
        };
        Ok(Client {
            http,
            base: conn.base_url.as_str().trim_end_matches('/').to_string(),
            shown_base: shown_url(&conn.base_url).trim_end_matches('/').to_string(),
            masker: crate::secret::Scrubber::new(&conn.secrets()),
            secrets: conn.secrets(),
            fixed_path: conn.api_path.clone(),
            auto_path: AtomicUsize::new(0),
            list_path: AtomicUsize::new(0),
            reels_by_get: AtomicBool::new(false),
            auth,
            verbose,
            in_flight: tokio::sync::Semaphore::new(MAX_IN_FLIGHT),
        })
    }

    /// A status URL without its query: the template with the id as one encoded segment.
    pub(super) fn path_url(&self, template: &str, task_id: &str) -> String {
        let id = utf8_percent_encode(task_id, SEGMENT).to_string();
        let path = template.replace("{task_id}", &id);
        let slash = if path.starts_with('/') { "" } else { "/" };
        format!("{}{slash}{path}", self.base)
    }

    /// A URL of this client as it may be shown.
    pub(super) fn shown(&self, url: &str) -> String {
        match url.strip_prefix(&self.base) {
            Some(rest) => format!("{}{rest}", self.shown_base),
            None => url.to_string(),
        }
    }

    pub(super) fn secrets(&self) -> Vec<&Secret> {
        self.secrets.iter().collect()
    }

    /// What masks this connection's secrets (the token, the URL's password) in server text.
    pub fn scrubber(&self) -> crate::secret::Scrubber {
        self.masker.clone()
    }

    /// The answer with the secrets masked in its status and times (printed as they are, in
    /// JSON too). Its lines are left whole: they are a run's identity, masked where shown.
    fn masked(&self, mut s: TaskStatus) -> TaskStatus {
        if let Some(status) = s.status.as_mut() {
            if let Some(m) = self.masker.mask(status) {
                *status = m;
            }
        }
        for time in [&mut s.started_at, &mut s.updated_at].into_iter().flatten() {
            if let Some(m) = time.as_str().and_then(|t| self.masker.mask(t)) {
                *time = serde_json::Value::String(m);
            }
        }
        s
    }

    /// The status URLs of one task, built once and reused by every poll.
    pub fn task_urls(&self, task_id: &str) -> TaskUrls {
        match &self.fixed_path {
            Some(template) => TaskUrls(vec![self.path_url(template, task_id)]),
            None => TaskUrls(
                AUTO_PATHS
                    .iter()
                    .map(|(_, template)| self.path_url(template, task_id))
                    .collect(),
            ),
        }
    }

    /// GET the task's status with its latest `logs_count` lines.
    pub async fn fetch(&self, urls: &TaskUrls, logs_count: u8) -> Fetched<TaskStatus> {
        let mut trail = Trail::default();
        if let [url] = &urls.0[..] {
            let url = format!("{url}?logs_count={logs_count}");
            let result = self.get_status(&url, &mut trail).await;
            return trail.fetched(result.map(|s| self.masked(s)));
        }
        let first = self.auto_path.load(Ordering::Relaxed);
        let mut tried = Vec::new();
        for attempt in 0..AUTO_PATHS.len() {
            let which = (first + attempt) % AUTO_PATHS.len();
            let url = format!("{}?logs_count={logs_count}", urls.0[which]);
            match self.get_status(&url, &mut trail).await {
                Err(ApiError::Status { status: 404, .. }) => tried.push(self.shown(&urls.0[which])),
                other => {
                    if which != first {
                        self.auto_path.store(which, Ordering::Relaxed);
                        if self.verbose > 0 {
                            let (name, template) = AUTO_PATHS[which];
                            trail
                                .notes
                                .push(format!("using the {name} status path ({template})"));
                        }
                    }
                    return trail.fetched(other.map(|s| self.masked(s)));
                }
            }
        }
        trail.fetched(Err(ApiError::NoRoute { tried }))
    }

    pub(super) async fn get_status(
        &self,
        url: &str,
        trail: &mut Trail,
    ) -> Result<TaskStatus, ApiError> {
        let secrets = self.secrets();
        let raw = self
            .send(reqwest::Method::GET, url, None, trail, &secrets)
            .await?;
        interpret(raw.status, raw.retry_after, &raw.body, &secrets)
    }

    /// A cheap look at a task: its status with one line (`logs_count=1`).
    pub async fn probe(&self, urls: &TaskUrls) -> Fetched<TaskStatus> {
        self.fetch(urls, 1).await
    }

    /// One request: the status, `Retry-After` and the body (capped), with a note for `-v`.
    pub(super) async fn send(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<Vec<u8>>,
        trail: &mut Trail,
        secrets: &[&Secret],
    ) -> Result<Raw, ApiError> {
        let _permit = self.in_flight.acquire().await;
        let started = Instant::now();
        trail.requests += 1;
        let mut request = self.http.request(method.clone(), url);
        if let Some(auth) = &self.auth {
            request = request.header(AUTHORIZATION, auth.clone());
        }
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let response = request.send().await.map_err(|e| classify(e, url))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|v| excerpt(v.as_bytes(), EXCERPT_CHARS, secrets));
        let body = read_capped(response).await;
        if self.verbose > 0 {
            let size = match &body {
                Ok(b) => format!("{} bytes", b.len()),
                Err(e) => e.to_string(),
            };
            trail.notes.push(format!(
                "{method} {} → {status} ({size}, {} ms)",
                self.shown(url),
                started.elapsed().as_millis()
            ));
            if self.verbose > 1 {
                if let Ok(b) = &body {
                    trail.notes.push(format!("  {}", excerpt(b, 300, secrets)));
                }
            }
        }
        if let (300..=399, Some(location)) = (status, location) {
            return Err(ApiError::Redirect { status, location });
        }
        let body = body.map_err(|e| match e {
            BodyError::TooLarge => ApiError::TooLarge { status },
            BodyError::Read(e) => classify(e, url),
        })?;
        Ok(Raw {
            status,
            retry_after,
            body,
        })
    }
}

pub(super) struct Raw {
    pub(super) status: u16,
    pub(super) retry_after: Option<Duration>,
    pub(super) body: Vec<u8>,
}

/// Redirects are followed within the origin of the first URL only, so the bearer token is never
/// sent to another host (the redirect is reported instead).
fn same_origin_only(attempt: reqwest::redirect::Attempt) -> reqwest::redirect::Action {
    let first = attempt.previous().first().map(|u| u.origin());
    if attempt.previous().len() > 5 {
        attempt.error("more than 5 redirects")
    } else if first == Some(attempt.url().origin()) {
        attempt.follow()
    } else {
        attempt.stop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_one_path_segment() {
        let conn = Connection::plain(
            "http://127.0.0.1:9/prefix/".parse().unwrap(),
            Duration::from_secs(1),
        );
        let c = Client::new(&conn, 0).unwrap();
        assert_eq!(
            c.path_url(UPDATE7_PATH, "a/b?c#d%e f"),
            "http://127.0.0.1:9/prefix/codvid-ai/ig-tracking/task_status/a%2Fb%3Fc%23d%25e%20f"
        );
        assert_eq!(
            c.path_url("api/{task_id}/status", "x"),
            "http://127.0.0.1:9/prefix/api/x/status"
        );
    }
}
