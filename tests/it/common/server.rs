//! The scripted backend: a real HTTP server on 127.0.0.1:0 whose tasks advance one scripted
//! step per status request, so every edge case is reachable and timing does not matter.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use std::future::IntoFuture;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::http::{HeaderMap, Method, Response, StatusCode, Uri};
use axum::Router;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use serde_json::{json, Value};

pub const BASE_TS: u64 = 1_703_123_456;

/// Which server version to imitate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    V6,
    V7,
    V8,
}

/// One step of a task's script, taken by one status request.
#[derive(Debug, Clone)]
pub enum Step {
    /// Append these lines, then answer.
    Grow(Vec<String>),
    /// Answer with the state as it is.
    Same,
    /// Answer "not processing" without changing anything (not registered yet).
    Absent,
    /// Answer with this instead, leaving the task as it is.
    Fault {
        status: u16,
        content_type: &'static str,
        body: String,
        retry_after: Option<u64>,
    },
    /// Append these lines, then answer after a delay.
    Slow(Duration, Vec<String>),
    /// The task's log starts over with these lines.
    Restart(Vec<String>),
    /// Set the reported `status`.
    Status(String),
    /// The task ends: its state disappears.
    End,
    /// Start a 200 answer, then close the connection mid-body.
    CutBody,
    /// Answer 307 to this location.
    Redirect(String),
    /// Answer as a replica this many answers behind would: with the lines stored then.
    Stale(usize),
    /// A transient processing answer with `logs: []` and `logs_count: 0`; the task is unchanged.
    Empty,
    /// Rewrite the last stored line's message in place (a progress line), then answer.
    Edit(String),
    /// Answer 200 with this JSON body exactly (e.g. with `NaN` literals), leaving the task as it is.
    Raw(String),
    /// Append these lines, then answer "not processing" with the window and the total (a
    /// final answer that still carries lines).
    EndWith(Vec<String>),
    /// Answer with this status and a body that echoes the request's `Authorization` header
    /// (JSON-escaped as some servers do, `/` as `\/`; with `bare`, without its `Bearer `) after
    /// `pad` characters: a JSON error for a 4xx/5xx, the usual answer with an extra first field
    /// for a 2xx.
    Echo { status: u16, pad: usize, bare: bool },
    /// Answer 429 with this `Retry-After` value, as sent.
    RetryAfter(&'static str),
}

/// A body that sends a few bytes of the promised length, then fails: the connection is closed
/// mid-body.
struct CutBody {
    sent: bool,
}

impl http_body::Body for CutBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if self.sent {
            return Poll::Ready(Some(Err(std::io::Error::other("cut mid-body"))));
        }
        self.sent = true;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(
            b"{\"result\": true, \"response\": {\"task_id\"",
        )))))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(4096)
    }
}

/// HTTPS for the test server: TLS on top of the TCP listener.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            // A client that rejects the certificate fails the handshake: wait for the next.
            if let Ok(stream) = self.acceptor.accept(tcp).await {
                return (stream, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}

pub fn lines(prefix: &str, range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("{prefix} {i}")).collect()
}

#[derive(Debug, Default, Clone)]
pub struct Task {
    /// Lines as stored by the server: (timestamp, message).
    stored: Vec<(Value, String)>,
    /// Every line ever written, in order (what an exactly-once client should print).
    pub written: Vec<String>,
    processing: bool,
    status: Option<String>,
    steps: VecDeque<Step>,
    /// Keep only the last K lines; the total is then the number kept.
    trim: Option<usize>,
    float_ts: bool,
    /// Every line in the same second.
    same_second: bool,
    serial: u64,
    /// The lines stored at each answer so far, for `Step::Stale`.
    served: Vec<Vec<(Value, String)>>,
    /// Answer "not processing" with the window (`Step::EndWith`).
    final_window: bool,
    /// Growth held back while the client is behind (see [`Task::paced`]).
    paced: Option<Paced>,
}

/// How many lines the client has shown (counted by the test from its output), and how many
/// written lines may be unshown at most.
#[derive(Debug, Clone)]
struct Paced {
    shown: Arc<AtomicUsize>,
    window: usize,
}

impl Task {
    pub fn new(steps: impl IntoIterator<Item = Step>) -> Task {
        Task {
            processing: true,
            steps: steps.into_iter().collect(),
            ..Task::default()
        }
    }

    pub fn trimmed(mut self, keep: usize) -> Task {
        self.trim = Some(keep);
        self
    }

    pub fn float_timestamps(mut self) -> Task {
        self.float_ts = true;
        self
    }

    pub fn same_second(mut self) -> Task {
        self.same_second = true;
        self
    }

    /// A `Grow` step waits (the task answers as it is instead, without taking the step) until
    /// the lines written then would leave at most `window` of them unshown by the client, as
    /// counted in `shown`. An answer the client gave up on (a request timeout) then cannot
    /// make lines scroll out of the window unseen: any line missed is the client's fault.
    pub fn paced(mut self, shown: Arc<AtomicUsize>, window: usize) -> Task {
        self.paced = Some(Paced { shown, window });
        self
    }

    /// Whether the next step is a growth that [`Task::paced`] holds back for now.
    fn growth_held(&self) -> bool {
        match (self.steps.front(), &self.paced) {
            (Some(Step::Grow(new)), Some(p)) => {
                self.written.len() + new.len() > p.shown.load(Ordering::SeqCst) + p.window
            }
            _ => false,
        }
    }

    /// Lines stored before the first answer.
    pub fn prefilled(mut self, lines: Vec<String>) -> Task {
        self.append(lines);
        self
    }

    fn append(&mut self, new: Vec<String>) {
        for message in new {
            let ts = if self.same_second {
                json!(BASE_TS)
            } else if self.float_ts {
                json!(BASE_TS as f64 + self.serial as f64 / 4.0)
            } else {
                json!(BASE_TS + self.serial / 3)
            };
            self.serial += 1;
            self.written.push(message.clone());
            self.stored.push((ts, message));
        }
        if let Some(k) = self.trim {
            let excess = self.stored.len().saturating_sub(k);
            self.stored.drain(..excess);
        }
    }
}

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path as sent, percent-encoding included.
    pub raw_path: String,
    pub task_id: Option<String>,
    pub logs_count: Option<String>,
    pub headers: HeaderMap,
    /// When it arrived.
    pub at: Instant,
}

#[derive(Default)]
struct State {
    tasks: HashMap<String, Task>,
    /// Answers to the force-scrape triggers of a task, one per POST (then 200).
    triggers: HashMap<String, VecDeque<Step>>,
    requests: Vec<Request>,
    listing: Listing,
}

/// What the listing routes answer: the profile listing at the path of the server's version
/// (`get_profile_tracking_tasks` on V8, `get_tasks` before), the project list, and each
/// project's reel tasks (POST, or GET with a body when `reels_by_get`: POST is then 405).
#[derive(Debug, Default, Clone)]
pub struct Listing {
    /// The `tasks` entries exactly as sent.
    pub profiles: Vec<Value>,
    pub projects: Vec<(String, Vec<Value>)>,
    pub reels_by_get: bool,
    /// Answer the profile listing with this status and an error body instead…
    pub fail_with: Option<u16>,
    /// …this many times only (0: always)…
    pub fail_times: usize,
    /// …after answering this many times as usual.
    pub fail_after: usize,
}

#[derive(Clone)]
struct Config {
    api: Api,
    token: Option<String>,
    /// 401 as `{"result": false, "message": …}` instead of `{"error": …}`.
    auth_as_message: bool,
    /// A path prefix the server sits behind (a reverse proxy's).
    prefix: String,
    /// `POST /codvid-ai/auth/login` succeeds with this token (else it rejects every password).
    login_token: Option<String>,
}

pub struct Server {
    pub url: String,
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    config: Arc<Mutex<Config>>,
    /// Pauses for the serving thread; dropped with the server, which then stops.
    control: tokio::sync::mpsc::UnboundedSender<Duration>,
}

impl Server {
    pub fn start(api: Api) -> Server {
        Server::launch(api, None)
    }

    /// A server speaking HTTPS with a certificate for 127.0.0.1 from a CA of its own; returns
    /// the CA's certificate (PEM) too.
    pub fn start_tls(api: Api) -> (Server, String) {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "taskwatch test CA");
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
        let cert = params.signed_by(&key, &ca).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            )
            .unwrap();
        let server = Server::launch(api, Some(Arc::new(config)));
        let url = server.url.replace("http://", "https://");
        (Server { url, ..server }, ca.pem())
    }

    fn launch(api: Api, tls: Option<Arc<rustls::ServerConfig>>) -> Server {
        let state = Arc::new(Mutex::new(State::default()));
        let config = Arc::new(Mutex::new(Config {
            api,
            token: None,
            auth_as_message: false,
            prefix: String::new(),
            login_token: None,
        }));
        let (s, c) = (state.clone(), config.clone());
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (control, mut commands) = tokio::sync::mpsc::unbounded_channel::<Duration>();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let app = Router::new().fallback(
                    move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                        let (s, c) = (s.clone(), c.clone());
                        async move { handle(s, c, method, uri, headers, body).await }
                    },
                );
                let mut bind_to: SocketAddr = "127.0.0.1:0".parse().unwrap();
                loop {
                    let listener = tokio::net::TcpListener::bind(bind_to).await.unwrap();
                    if bind_to.port() == 0 {
                        bind_to = listener.local_addr().unwrap();
                        addr_tx.send(bind_to).unwrap();
                    }
                    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
                    let shutdown = async {
                        let _ = stopped.await;
                    };
                    let serving = match &tls {
                        None => tokio::spawn(
                            axum::serve(listener, app.clone())
                                .with_graceful_shutdown(shutdown)
                                .into_future(),
                        ),
                        Some(config) => {
                            let tls = TlsListener {
                                tcp: listener,
                                acceptor: tokio_rustls::TlsAcceptor::from(config.clone()),
                            };
                            tokio::spawn(
                                axum::serve(tls, app.clone())
                                    .with_graceful_shutdown(shutdown)
                                    .into_future(),
                            )
                        }
                    };
                    // A command is a pause: the port goes away for that long, then answers
                    // again with the same state. No command left: the server is dropped.
                    let pause = commands.recv().await;
                    let _ = stop.send(());
                    let _ = serving.await;
                    match pause {
                        Some(d) => tokio::time::sleep(d).await,
                        None => break,
                    }
                }
            });
        });
        let addr = addr_rx.recv().unwrap();
        Server {
            url: format!("http://{addr}"),
            addr,
            state,
            config,
            control,
        }
    }

    /// Closes the port for `pause`, then serves again with the same tasks.
    pub fn bounce(&self, pause: Duration) {
        self.control.send(pause).unwrap();
    }

    pub fn with_token(self, token: &str) -> Server {
        self.config.lock().unwrap().token = Some(token.to_string());
        self
    }

    pub fn with_prefix(self, prefix: &str) -> Server {
        self.config.lock().unwrap().prefix = prefix.to_string();
        self
    }

    /// Every login succeeds and gets this token.
    pub fn login_token(self, token: &str) -> Server {
        self.config.lock().unwrap().login_token = Some(token.to_string());
        self
    }

    pub fn auth_as_message(self) -> Server {
        self.config.lock().unwrap().auth_as_message = true;
        self
    }

    pub fn task(&self, id: &str, task: Task) -> &Server {
        self.state
            .lock()
            .unwrap()
            .tasks
            .insert(id.to_string(), task);
        self
    }

    /// Scripts the answers to the task's force-scrape POSTs: `Fault`, `RetryAfter`, `Echo` and
    /// `Slow` (a 200 after a delay) are answered as such, one per POST; after them, 200.
    pub fn trigger(&self, id: &str, answers: impl IntoIterator<Item = Step>) -> &Server {
        self.state
            .lock()
            .unwrap()
            .triggers
            .insert(id.to_string(), answers.into_iter().collect());
        self
    }

    /// The force-scrape POSTs the server received for a task.
    pub fn trigger_requests(&self, id: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.raw_path.contains("/force_scrape"))
            .filter(|r| r.raw_path.rsplit('/').next() == Some(id))
            .collect()
    }

    /// Every line the task wrote, in order.
    pub fn written(&self, id: &str) -> Vec<String> {
        self.state.lock().unwrap().tasks[id].written.clone()
    }

    pub fn listing(&self, listing: Listing) -> &Server {
        self.state.lock().unwrap().listing = listing;
        self
    }

    /// The requests to paths ending in `suffix` (a listing route).
    pub fn requests_to(&self, suffix: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.raw_path.ends_with(suffix))
            .collect()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn status_requests(&self, id: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.task_id.as_deref() == Some(id))
            .collect()
    }
}

fn html(status: StatusCode, text: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "text/html; charset=utf-8")
        .body(Body::from(format!(
            "<!doctype html>\n<html lang=en>\n<title>{text}</title>\n<h1>{text}</h1>\n"
        )))
        .unwrap()
}

fn json_response(status: u16, body: &Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

async fn handle(
    state: Arc<Mutex<State>>,
    config: Arc<Mutex<Config>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let config = config.lock().unwrap().clone();
    let raw_path = uri.path().to_string();
    let query: HashMap<String, String> = uri
        .query()
        .map(|q| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let root = format!("{}/codvid-ai/ig-tracking/", config.prefix);
    let (route, id) = match raw_path.strip_prefix(&root) {
        Some(rest) => match rest.split_once('/') {
            Some((route, id)) if !id.contains('/') => (
                route.to_string(),
                Some(
                    percent_encoding::percent_decode_str(id)
                        .decode_utf8_lossy()
                        .into_owned(),
                ),
            ),
            _ => (String::new(), None),
        },
        None => (String::new(), None),
    };
    let served = match config.api {
        Api::V6 | Api::V7 => "task_status",
        Api::V8 => "profile_tracking_task_status",
    };
    {
        let mut st = state.lock().unwrap();
        st.requests.push(Request {
            method: method.to_string(),
            raw_path: raw_path.clone(),
            task_id: if route == served { id.clone() } else { None },
            logs_count: query.get("logs_count").cloned(),
            headers: headers.clone(),
            at: Instant::now(),
        });
    }
    if method == Method::POST && raw_path == format!("{}/codvid-ai/auth/login", config.prefix) {
        if let Some(token) = &config.login_token {
            return json_response(200, &json!({"result": true, "token": token}));
        }
        return login_echo(&body);
    }
    let trigger = match config.api {
        Api::V6 | Api::V7 => "force_scrape",
        Api::V8 => "force_scrape_profile_tracking_task",
    };
    if let (true, Some(id)) = (
        method == Method::POST && (route == trigger || route == "force_scrape_reel"),
        &id,
    ) {
        let step = state
            .lock()
            .unwrap()
            .triggers
            .get_mut(id)
            .and_then(|q| q.pop_front());
        return match step {
            Some(Step::Slow(d, _)) => {
                tokio::time::sleep(d).await;
                json_response(200, &json!({"result": true, "message": "started"}))
            }
            Some(step @ (Step::Fault { .. } | Step::RetryAfter(_) | Step::Echo { .. })) => {
                special(step, &headers, None).unwrap()
            }
            _ => json_response(200, &json!({"result": true, "message": "started"})),
        };
    }
    let listing_route = if route.is_empty() {
        listed(&raw_path, &config.prefix)
    } else {
        None
    };
    if listing_route.is_none() && id.as_ref().is_none_or(|_| route != served) {
        return html(StatusCode::NOT_FOUND, "404 Not Found");
    }
    if let Some(token) = &config.token {
        let expected = format!("Bearer {token}");
        if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&expected) {
            let body = if config.auth_as_message {
                json!({"result": false, "message": "Unauthorized: invalid token"})
            } else {
                json!({"error": "Unauthorized: missing or invalid token"})
            };
            return json_response(401, &body);
        }
    }
    if let Some(which) = listing_route {
        let (mut listing, asked) = {
            let st = state.lock().unwrap();
            let asked = st
                .requests
                .iter()
                .filter(|r| {
                    matches!(
                        listed(&r.raw_path, &config.prefix),
                        Some(Listed::ProfilesV8 | Listed::ProfilesV7)
                    )
                })
                .count();
            (st.listing.clone(), asked)
        };
        let failing = asked > listing.fail_after
            && (listing.fail_times == 0 || asked <= listing.fail_after + listing.fail_times);
        if !failing {
            listing.fail_with = None;
        }
        return answer_listing(which, &listing, config.api, &method, &body);
    }
    let id = id.unwrap_or_default();
    let n: usize = query
        .get("logs_count")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(10)
        .clamp(1, 100) as usize;

    let (response, delay) = {
        let mut st = state.lock().unwrap();
        let Some(task) = st.tasks.get_mut(&id) else {
            return json_response(200, &not_processing(&id));
        };
        let mut delay = None;
        let mut absent = false;
        let step = if task.growth_held() {
            Some(Step::Same)
        } else {
            task.steps.pop_front()
        };
        if let Some(step @ (Step::Fault { .. } | Step::RetryAfter(_) | Step::Echo { .. })) = &step {
            let answer = processing(&id, &task.stored, task, n, config.api);
            if let Some(r) = special(step.clone(), &headers, Some(answer)) {
                return r;
            }
        }
        match step.clone() {
            Some(Step::Grow(new)) => task.append(new),
            Some(Step::Stale(_)) | Some(Step::Empty) => {}
            Some(Step::Edit(message)) => {
                if let Some(last) = task.stored.last_mut() {
                    last.1 = message.clone();
                }
                task.written.push(message);
            }
            Some(Step::Raw(body)) => {
                return Response::builder()
                    .status(200)
                    .header("content-type", "application/json")
                    .body(Body::from(body))
                    .unwrap();
            }
            Some(Step::EndWith(new)) => {
                task.append(new);
                task.processing = false;
                task.final_window = true;
            }
            Some(Step::Same) | None => {}
            Some(Step::Absent) => absent = true,
            // Answered above.
            Some(Step::Fault { .. } | Step::Echo { .. } | Step::RetryAfter(_)) => {}
            Some(Step::Slow(d, new)) => {
                task.append(new);
                delay = Some(d);
            }
            Some(Step::Restart(new)) => {
                task.stored.clear();
                task.append(new);
            }
            Some(Step::Status(s)) => task.status = Some(s),
            Some(Step::End) => task.processing = false,
            Some(Step::CutBody) => {
                return Response::builder()
                    .status(200)
                    .header("content-type", "application/json")
                    .body(Body::new(CutBody { sent: false }))
                    .unwrap();
            }
            Some(Step::Redirect(location)) => {
                return Response::builder()
                    .status(307)
                    .header("location", location)
                    .body(Body::empty())
                    .unwrap();
            }
        }
        let mut stored = task.stored.clone();
        let mut empty = false;
        match &step {
            Some(Step::Stale(k)) => {
                let at = task.served.len().saturating_sub(*k);
                if let Some(past) = task.served.get(at) {
                    stored = past.clone();
                }
            }
            Some(Step::Empty) => empty = true,
            _ => {}
        }
        let body = if task.final_window {
            let mut answer = processing(&id, &stored, task, n, config.api);
            answer["response"]["is_processing"] = json!(false);
            answer["response"]["status"] = json!("completed");
            answer
        } else if absent || !task.processing {
            not_processing(&id)
        } else if empty {
            json!({"result": true, "response": {"task_id": id, "is_processing": true,
                "status": "processing", "logs": [], "logs_count": 0}})
        } else {
            task.served.push(stored.clone());
            processing(&id, &stored, task, n, config.api)
        };
        (body, delay)
    };
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    json_response(200, &response)
}

/// The answers to `Fault`, `RetryAfter` and `Echo` (a 2xx `Echo` wraps `answer`).
fn special(step: Step, headers: &HeaderMap, answer: Option<Value>) -> Option<Response<Body>> {
    match step {
        Step::Fault {
            status,
            content_type,
            body,
            retry_after,
        } => {
            let mut r = Response::builder()
                .status(status)
                .header("content-type", content_type);
            if let Some(s) = retry_after {
                r = r.header("retry-after", s.to_string());
            }
            Some(r.body(Body::from(body)).unwrap())
        }
        Step::RetryAfter(value) => Some(
            Response::builder()
                .status(429)
                .header("content-type", "application/json")
                .header("retry-after", value)
                .body(Body::from(r#"{"result": false, "message": "slow down"}"#))
                .unwrap(),
        ),
        Step::Echo { status, pad, bare } => {
            let mut auth = headers
                .get("authorization")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .unwrap_or_default();
            if bare {
                auth = auth.trim_start_matches("Bearer ").to_string();
            }
            let echoed = format!("{} Authorization: {auth}", "p".repeat(pad)).replace('/', "\\/");
            let body = match (status, answer) {
                (200..=299, Some(Value::Object(fields))) => {
                    let rest = serde_json::to_string(&Value::Object(fields)).unwrap();
                    format!("{{\"a_echo\": \"{echoed}\", {}", &rest[1..])
                }
                _ => format!(r#"{{"result": false, "message": "{echoed} was not accepted"}}"#),
            };
            Some(
                Response::builder()
                    .status(status)
                    .header("content-type", "application/json")
                    .body(Body::from(body))
                    .unwrap(),
            )
        }
        _ => None,
    }
}

/// `POST /codvid-ai/auth/login` that rejects every password and says which one it got.
fn login_echo(body: &[u8]) -> Response<Body> {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let password = v["data"]["password"].as_str().unwrap_or_default();
    json_response(
        401,
        &json!({"result": false, "message": format!("wrong password {password:?}, try again")}),
    )
}

/// The listing routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listed {
    ProfilesV8,
    ProfilesV7,
    Projects,
    Reels,
}

fn listed(raw_path: &str, prefix: &str) -> Option<Listed> {
    let path = raw_path.strip_prefix(prefix)?;
    match path {
        "/codvid-ai/ig-tracking/get_profile_tracking_tasks" => Some(Listed::ProfilesV8),
        "/codvid-ai/ig-tracking/get_tasks" => Some(Listed::ProfilesV7),
        "/codvid-ai/project/get-project-list" => Some(Listed::Projects),
        "/codvid-ai/ig-tracking/get_project_reel_tasks" => Some(Listed::Reels),
        _ => None,
    }
}

fn answer_listing(
    which: Listed,
    listing: &Listing,
    api: Api,
    method: &Method,
    body: &[u8],
) -> Response<Body> {
    let on_v8 = api == Api::V8;
    match which {
        Listed::ProfilesV8 | Listed::ProfilesV7 if (which == Listed::ProfilesV8) != on_v8 => {
            html(StatusCode::NOT_FOUND, "404 Not Found")
        }
        Listed::ProfilesV8 | Listed::ProfilesV7 => match listing.fail_with {
            Some(status) => json_response(status, &json!({"error": "listing failed"})),
            None => json_response(
                200,
                &json!({"result": true, "response": {
                    "tasks": listing.profiles, "total_tasks": listing.profiles.len()}}),
            ),
        },
        Listed::Projects => {
            let names: Vec<&str> = listing.projects.iter().map(|(p, _)| p.as_str()).collect();
            json_response(
                200,
                &json!({"result": true, "response": {"project_list": names}}),
            )
        }
        Listed::Reels => {
            let wanted = if listing.reels_by_get {
                Method::GET
            } else {
                Method::POST
            };
            if *method != wanted {
                return html(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed");
            }
            let request: Value = serde_json::from_slice(body).unwrap_or_default();
            if request["schema_version"] != "4.0" {
                return json_response(400, &json!({"result": false, "message": "bad envelope"}));
            }
            let name = request["data"]["project_name"].as_str().unwrap_or_default();
            match listing.projects.iter().find(|(p, _)| p == name) {
                Some((_, reels)) => json_response(
                    200,
                    &json!({"result": true, "response": {"tasks": reels, "total_tasks": reels.len()}}),
                ),
                None => json_response(
                    404,
                    &json!({"result": false, "message": "Project not found"}),
                ),
            }
        }
    }
}

fn not_processing(id: &str) -> Value {
    json!({"result": true, "response": {"task_id": id, "is_processing": false, "logs": [], "logs_count": 0}})
}

fn processing(id: &str, stored: &[(Value, String)], task: &Task, n: usize, api: Api) -> Value {
    let window = &stored[stored.len().saturating_sub(n)..];
    let entries: Vec<Value> = window
        .iter()
        .map(|(ts, m)| json!({"timestamp": ts, "message": m}))
        .collect();
    let status = task.status.clone().unwrap_or_else(|| "processing".into());
    if api == Api::V6 {
        let latest = stored
            .last()
            .map(|(ts, m)| json!({"timestamp": ts, "event": m, "count": stored.len()}));
        return json!({"result": true, "response": {
            "task_id": id, "is_processing": true, "status": status,
            "logs_count": stored.len(), "latest_event": latest}});
    }
    json!({"result": true, "response": {
        "task_id": id, "is_processing": true, "status": status,
        "started_at": BASE_TS, "updated_at": BASE_TS + task.serial / 3,
        "logs_count": stored.len(), "requested_logs_count": entries.len(),
        "logs": entries, "latest_event": entries.last().cloned()}})
}

/// A faulty answer that leaves the task as it is.
pub fn fault(status: u16, content_type: &'static str, body: &str) -> Step {
    Step::Fault {
        status,
        content_type,
        body: body.into(),
        retry_after: None,
    }
}
