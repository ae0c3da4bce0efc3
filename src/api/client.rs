//! One shared HTTP client: URL building, auth, the Update 7/8 path fallback, body limits, and
//! the classification of every failure into retryable or final.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, RETRY_AFTER};

pub use super::error::ApiError;
use super::error::MAX_BODY_MIB;
use super::wire::{Envelope, TaskStatus};
use crate::sanitize;
use crate::secret::{self, Secret};

/// Update 7's status path.
pub const UPDATE7_PATH: &str = "/codvid-ai/ig-tracking/task_status/{task_id}";
/// Update 8 renamed it.
pub const UPDATE8_PATH: &str = "/codvid-ai/ig-tracking/profile_tracking_task_status/{task_id}";
/// Force-scrape endpoints that start a task.
pub const TRIGGER_PROFILE_UPDATE7: &str = "/codvid-ai/ig-tracking/force_scrape/{task_id}";
pub const TRIGGER_PROFILE_UPDATE8: &str =
    "/codvid-ai/ig-tracking/force_scrape_profile_tracking_task/{task_id}";
pub const TRIGGER_REEL: &str = "/codvid-ai/ig-tracking/force_scrape_reel/{task_id}";
/// Email and password login.
pub const LOGIN_PATH: &str = "/codvid-ai/auth/login";
const AUTO_PATHS: [(&str, &str); 2] = [("Update 7", UPDATE7_PATH), ("Update 8", UPDATE8_PATH)];

/// How to reach the backend: settings resolved from flags, environment and profile.
#[derive(Debug, Clone)]
pub struct Connection {
    pub base_url: reqwest::Url,
    pub api_path: Option<String>,
    pub token: Option<Secret>,
    pub headers: Vec<(reqwest::header::HeaderName, HeaderValue)>,
    pub request_timeout: Duration,
    /// Extra trusted CA certificates (`--cacert`).
    pub ca_certs: Vec<reqwest::Certificate>,
}

impl Connection {
    /// What a server's text is scrubbed of: the token, and a password in the base URL.
    pub fn secrets(&self) -> Vec<Secret> {
        self.token
            .iter()
            .cloned()
            .chain(url_secrets(&self.base_url))
            .collect()
    }

    /// A connection with no token, headers or extra CA: the demo's, and tests'.
    pub fn plain(base_url: reqwest::Url, request_timeout: Duration) -> Connection {
        Connection {
            base_url,
            api_path: None,
            token: None,
            headers: Vec::new(),
            request_timeout,
            ca_certs: Vec::new(),
        }
    }
}

/// Larger bodies are refused: a status answer is a few KiB, 100 lines at most.
pub const MAX_BODY: usize = MAX_BODY_MIB * 1024 * 1024;
const EXCERPT_CHARS: usize = 120;

/// Everything but unreserved characters is encoded, so an id is exactly one path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A task's status URL, or with the automatic path, one for each server version.
pub struct TaskUrls(Vec<String>);

/// A URL as it may be shown: a password in it is replaced by `***` (`user:***@host`).
pub fn shown_url(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown.to_string()
}

/// The credentials a URL carries (`user:password@`), as they may come back in a server's
/// text: the password, and the Basic authorization made of them.
fn url_secrets(url: &reqwest::Url) -> Vec<Secret> {
    use base64::Engine;
    let Some(password) = url.password() else {
        return Vec::new();
    };
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let (user, password) = (decode(url.username()), decode(password));
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    vec![Secret::new(password), Secret::new(basic)]
}

/// A short excerpt of a server's text for a message: scrubbed of the secrets first (so that
/// cutting it short cannot leave part of one), then escaped and cut.
fn excerpt(body: &[u8], max_chars: usize, secrets: &[&Secret]) -> String {
    let text = String::from_utf8_lossy(body);
    sanitize::excerpt(secret::scrub(&text, secrets).as_bytes(), max_chars)
}

/// The result of one logical request, with lines for `-v` and `-vv`.
pub struct Fetched<T> {
    pub result: Result<T, ApiError>,
    pub notes: Vec<String>,
    /// HTTP requests actually sent for it (the automatic path may take two).
    pub requests: u64,
}

/// What the requests of one logical request leave behind besides the answer.
#[derive(Default)]
struct Trail {
    notes: Vec<String>,
    requests: u64,
}

impl Trail {
    fn fetched<T>(self, result: Result<T, ApiError>) -> Fetched<T> {
        Fetched {
            result,
            notes: self.notes,
            requests: self.requests,
        }
    }
}

pub struct Client {
    http: reqwest::Client,
    base: String,
    /// `base` as it may be shown (a password in it masked).
    shown_base: String,
    /// What a server's text is scrubbed of before it goes into a message: the token and the
    /// URL's password.
    secrets: Vec<Secret>,
    fixed_path: Option<String>,
    /// Which of `AUTO_PATHS` answered last; shared by every task of the run.
    auto_path: AtomicUsize,
    auth: Option<HeaderValue>,
    verbose: u8,
    /// Requests in flight at once: many tasks share a few keep-alive connections.
    in_flight: tokio::sync::Semaphore,
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
            secrets: conn.secrets(),
            fixed_path: conn.api_path.clone(),
            auto_path: AtomicUsize::new(0),
            auth,
            verbose,
            in_flight: tokio::sync::Semaphore::new(MAX_IN_FLIGHT),
        })
    }

    /// A status URL without its query: the template with the id as one encoded segment.
    fn path_url(&self, template: &str, task_id: &str) -> String {
        let id = utf8_percent_encode(task_id, SEGMENT).to_string();
        let path = template.replace("{task_id}", &id);
        let slash = if path.starts_with('/') { "" } else { "/" };
        format!("{}{slash}{path}", self.base)
    }

    /// A URL of this client as it may be shown.
    fn shown(&self, url: &str) -> String {
        match url.strip_prefix(&self.base) {
            Some(rest) => format!("{}{rest}", self.shown_base),
            None => url.to_string(),
        }
    }

    fn secrets(&self) -> Vec<&Secret> {
        self.secrets.iter().collect()
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
            return trail.fetched(result);
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
                    return trail.fetched(other);
                }
            }
        }
        trail.fetched(Err(ApiError::NoRoute { tried }))
    }

    async fn get_status(&self, url: &str, trail: &mut Trail) -> Result<TaskStatus, ApiError> {
        let secrets = self.secrets();
        let raw = self
            .send(reqwest::Method::GET, url, None, trail, &secrets)
            .await?;
        interpret(raw.status, raw.retry_after, &raw.body, &secrets)
    }

    /// Starts a task with the matching force-scrape endpoint (Update 8's, then Update 7's on a
    /// 404, for profiles). A 409 means it is already running, which is as good.
    pub async fn trigger(&self, kind: TriggerKind, task_id: &str) -> Fetched<Triggered> {
        let mut trail = Trail::default();
        let templates: &[&str] = match kind {
            TriggerKind::Profile => &[TRIGGER_PROFILE_UPDATE8, TRIGGER_PROFILE_UPDATE7],
            TriggerKind::Reel => &[TRIGGER_REEL],
        };
        let secrets = self.secrets();
        let result = async {
            let mut tried = Vec::new();
            for template in templates {
                let url = self.path_url(template, task_id);
                let raw = self
                    .send(reqwest::Method::POST, &url, None, &mut trail, &secrets)
                    .await?;
                return match raw.status {
                    200..=299 => Ok(Triggered::Started),
                    409 => Ok(Triggered::AlreadyRunning),
                    404 => {
                        tried.push(self.shown(&url));
                        continue;
                    }
                    status => Err(interpret(status, raw.retry_after, &raw.body, &secrets)
                        .err()
                        .unwrap_or_else(|| ApiError::Status {
                            status,
                            excerpt: excerpt(&raw.body, EXCERPT_CHARS, &secrets),
                            retry_after: raw.retry_after,
                        })),
                };
            }
            Err(ApiError::NoRoute { tried })
        }
        .await;
        trail.fetched(result)
    }

    /// Logs in with email and password (`POST /codvid-ai/auth/login`) and returns the token.
    pub async fn login(&self, email: &str, password: &str) -> Fetched<String> {
        let mut trail = Trail::default();
        let body = serde_json::json!({
            "schema_version": "4.0",
            "data": {"auth_type": "email", "email": email, "password": password},
        });
        let url = format!("{}{LOGIN_PATH}", self.base);
        // Strings only: serialising cannot fail.
        let body = serde_json::to_vec(&body).unwrap_or_default();
        // The server's words may echo the password: everything shown is scrubbed of it.
        let password = Secret::new(password);
        let mut secrets = self.secrets();
        secrets.push(&password);
        let raw = self
            .send(
                reqwest::Method::POST,
                &url,
                Some(body),
                &mut trail,
                &secrets,
            )
            .await;
        let raw = match raw {
            Ok(raw) => raw,
            Err(e) => return trail.fetched(Err(e)),
        };
        #[derive(serde::Deserialize)]
        struct Answer {
            result: Option<bool>,
            token: Option<String>,
            message: Option<String>,
            error: Option<String>,
        }
        let answer: Option<Answer> = super::wire::parse(&raw.body).ok();
        let reason = answer
            .as_ref()
            .and_then(|a| a.message.as_deref().or(a.error.as_deref()))
            .map(|r| excerpt(r.as_bytes(), EXCERPT_CHARS, &secrets));
        let result = match (raw.status, answer) {
            (
                200..=299,
                Some(Answer {
                    result: Some(true),
                    token: Some(token),
                    ..
                }),
            ) if !token.is_empty() => Ok(token),
            (400 | 401 | 403, _) => Err(ApiError::Auth {
                status: raw.status,
                reason,
            }),
            (status, _) => Err(ApiError::Status {
                status,
                excerpt: reason.unwrap_or_else(|| excerpt(&raw.body, EXCERPT_CHARS, &secrets)),
                retry_after: None,
            }),
        };
        trail.fetched(result)
    }

    /// One request: the status, `Retry-After` and the body (capped), with a note for `-v`.
    async fn send(
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

struct Raw {
    status: u16,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

/// Which force-scrape endpoint `--trigger` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerKind {
    Profile,
    Reel,
}

/// What a trigger did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Triggered {
    Started,
    AlreadyRunning,
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

/// Turns a status code and body into a task status or an error.
fn interpret(
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
    secrets: &[&Secret],
) -> Result<TaskStatus, ApiError> {
    let parsed: Result<Envelope<TaskStatus>, _> = super::wire::parse(body);
    let excerpt = || excerpt(body, EXCERPT_CHARS, secrets);
    let reason = |p: &Result<Envelope<TaskStatus>, _>| {
        p.as_ref()
            .ok()
            .and_then(|e: &Envelope<TaskStatus>| e.reason())
            .map(|r| self::excerpt(r.as_bytes(), EXCERPT_CHARS, secrets))
    };
    match status {
        200..=299 => match parsed {
            Ok(Envelope {
                response: Some(s), ..
            }) => Ok(s),
            Ok(env) => Err(ApiError::BadBody {
                status,
                problem: match env.reason() {
                    Some(_) => "the server reported a failure".into(),
                    None => "the JSON has no `response` with `is_processing`".into(),
                },
                excerpt: excerpt(),
            }),
            Err(e) if e.is_eof() => Err(ApiError::BadBody {
                status,
                problem: "the JSON is truncated".into(),
                excerpt: excerpt(),
            }),
            Err(e) => Err(ApiError::BadBody {
                status,
                problem: if e.is_data() {
                    "the JSON has no `response` with `is_processing`".into()
                } else {
                    "the body is not JSON".into()
                },
                excerpt: excerpt(),
            }),
        },
        401 | 403 => Err(ApiError::Auth {
            status,
            reason: reason(&parsed),
        }),
        _ => Err(ApiError::Status {
            status,
            excerpt: reason(&parsed).unwrap_or_else(excerpt),
            retry_after,
        }),
    }
}

enum BodyError {
    TooLarge,
    Read(reqwest::Error),
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::TooLarge => write!(f, "body over {} bytes", MAX_BODY),
            BodyError::Read(e) => write!(f, "body unreadable: {}", error_chain(e)),
        }
    }
}

async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `Retry-After` as seconds or an HTTP date (any of the three forms RFC 9110 allows, parsed by
/// `httpdate`, which hyper already uses); a date in the past means now.
fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .map_or(Duration::ZERO, |d| Duration::from_secs(d.as_secs())),
    )
}

/// A URL as an error names it: without its query, and without any user name or password.
fn error_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) => {
            u.set_query(None);
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => url.split('?').next().unwrap_or(url).to_string(),
    }
}

/// A failed request to `url` (its query is left out of what is said).
fn classify(e: reqwest::Error, url: &str) -> ApiError {
    if e.is_timeout() {
        return ApiError::Timeout;
    }
    if caused_by_tls(&e) {
        return ApiError::Tls(error_chain(&e));
    }
    ApiError::Transport {
        url: sanitize::line(&error_url(url)),
        connect: e.is_connect(),
        detail: error_chain(&e),
    }
}

/// Was a TLS failure (an invalid certificate) behind this error? io::Errors hide the error they
/// wrap from `source()`, and hyper nests them, so each one is opened too.
fn caused_by_tls(e: &reqwest::Error) -> bool {
    let mut current: &(dyn std::error::Error + 'static) = e;
    loop {
        if current.is::<rustls::Error>() {
            return true;
        }
        let inner = current
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|inner| inner as &(dyn std::error::Error + 'static));
        match inner.or_else(|| current.source()) {
            Some(next) => current = next,
            None => return false,
        }
    }
}

/// The innermost causes of an error, without the URL reqwest puts in front.
fn error_chain(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    if parts.is_empty() {
        parts.push(e.without_url_ref());
    }
    sanitize::line(&parts.join(": "))
}

trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let mut text = self.to_string();
        if let Some(url) = self.url() {
            text = text.replace(&format!(" ({url})"), "");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_names_the_url_without_query_or_credentials() {
        assert_eq!(
            error_url("http://me:pw@127.0.0.1:8080/a/t%2F1?logs_count=100"),
            "http://127.0.0.1:8080/a/t%2F1"
        );
        assert_eq!(error_url("not a url?x=1"), "not a url");
    }

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

    #[test]
    fn interpret_classifies() {
        let ok = br#"{"result":true,"response":{"task_id":"t","is_processing":false,"logs":[],"logs_count":0}}"#;
        assert!(!interpret(200, None, ok, &[]).unwrap().is_processing);
        let e = interpret(200, None, b"{\"result\":true,\"resp", &[]).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
        assert!(e.is_retryable());
        let e = interpret(502, None, b"<html><h1>Bad Gateway</h1></html>", &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "HTTP 502 Bad Gateway: <html><h1>Bad Gateway</h1></html>"
        );
        let e = interpret(401, None, br#"{"error":"Unauthorized: expired"}"#, &[]).unwrap_err();
        assert!(e.is_auth() && !e.is_retryable());
        assert!(e.to_string().contains("Unauthorized: expired"));
        let e = interpret(
            500,
            None,
            br#"{"result":false,"message":"Error retrieving task status: db"}"#,
            &[],
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "HTTP 500 Internal Server Error: Error retrieving task status: db"
        );
        assert!(!interpret(400, None, b"", &[]).unwrap_err().is_retryable());
        let e = interpret(200, None, b"{\"result\":true}", &[]).unwrap_err();
        assert!(e.to_string().contains("no `response`"), "{e}");
    }

    #[test]
    fn excerpts_are_scrubbed_before_they_are_cut() {
        let token = Secret::new("tok-0123456789abcdef");
        let body = format!("{}{}", "x".repeat(110), token.expose());
        let e = interpret(500, None, body.as_bytes(), &[&token]).unwrap_err();
        let text = e.to_string();
        assert!(!text.contains("tok-0123"), "{text}");
        assert!(text.contains("****"), "{text}");
    }

    #[test]
    fn urls_are_shown_without_their_password() {
        let url: reqwest::Url = "http://me:p%40ss@127.0.0.1:9/x".parse().unwrap();
        assert_eq!(shown_url(&url), "http://me:***@127.0.0.1:9/x");
        let secrets = url_secrets(&url);
        assert_eq!(secrets[0].expose(), "p@ss");
        assert_eq!(secrets[1].expose(), "bWU6cEBzcw==");
        assert!(url_secrets(&"http://h/".parse().unwrap()).is_empty());
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        // IMF-fixdate and the two obsolete forms, all in the past.
        for past in [
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Wednesday, 21-Oct-15 07:28:00 GMT",
            "Wed Oct 21 07:28:00 2015",
        ] {
            assert_eq!(parse_retry_after(past), Some(Duration::ZERO), "{past}");
        }
        let later = std::time::SystemTime::now() + Duration::from_secs(120);
        let wait = parse_retry_after(&httpdate::fmt_http_date(later)).unwrap();
        assert!((Duration::from_secs(100)..=Duration::from_secs(120)).contains(&wait));
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("Wed, 32 Oct 2015 07:28:00 GMT"), None);
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;
        use serde_json::Value;

        fn json_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                any::<u64>().prop_map(Value::from),
                any::<f64>().prop_map(
                    |f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
                ),
                ".{0,12}".prop_map(Value::from),
                prop_oneof![
                    Just("response"),
                    Just("is_processing"),
                    Just("logs"),
                    Just("logs_count"),
                    Just("latest_event"),
                    Just("message"),
                    Just("timestamp"),
                    Just("event")
                ]
                .prop_map(Value::from),
            ];
            leaf.prop_recursive(4, 64, 8, |inner| {
                let key = prop_oneof![
                    Just("result".to_string()),
                    Just("response".to_string()),
                    Just("is_processing".to_string()),
                    Just("logs".to_string()),
                    Just("logs_count".to_string()),
                    Just("latest_event".to_string()),
                    Just("message".to_string()),
                    Just("timestamp".to_string()),
                    Just("event".to_string()),
                    Just("status".to_string()),
                    "[a-z]{1,6}",
                ];
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                    proptest::collection::btree_map(key, inner, 0..6)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]

            /// Whatever the bytes, the answer is a status or an error, never a panic.
            #[test]
            fn arbitrary_bytes_never_panic(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..400)) {
                if let Ok(s) = interpret(status, None, &body, &[]) {
                    let _ = s.window();
                }
            }

            /// Arbitrary JSON, shaped like the real answers or not: never a panic, and a 2xx
            /// answer without a usable `response` is a retryable error.
            #[test]
            fn arbitrary_json_never_panics(status in prop_oneof![Just(200u16), 100u16..600], v in json_value()) {
                let body = serde_json::to_vec(&v).unwrap();
                match interpret(status, None, &body, &[]) {
                    Ok(s) => {
                        let (w, total) = s.window();
                        prop_assert!(total >= w.len() as u64);
                        for line in &w {
                            let _ = line.epoch_seconds();
                        }
                    }
                    Err(e) => {
                        let _ = e.to_string();
                        if (200..300).contains(&status) {
                            prop_assert!(e.is_retryable());
                        }
                    }
                }
            }

            /// Any text, and invalid UTF-8 (replaced), inside a plausible answer still parses.
            /// (Raw control bytes are not JSON; servers escape them.)
            #[test]
            fn hostile_messages_parse(text in "\\PC{0,40}", raw in proptest::collection::vec(any::<u8>(), 0..40)) {
                let mut body = format!(
                    r#"{{"result": true, "response": {{"is_processing": true, "logs_count": 2, "logs": [{{"timestamp": 1, "message": {}}}, {{"timestamp": 2, "message": "#,
                    serde_json::to_string(&text).unwrap()
                ).into_bytes();
                body.push(b'"');
                body.extend(raw.iter().filter(|&&b| b >= 0x20 && b != b'"' && b != b'\\'));
                body.extend_from_slice(b"\"}]}}");
                let s = interpret(200, None, &body, &[]).unwrap();
                prop_assert_eq!(&s.window().0[0].message, &text);
            }
        }
    }
}
