//! The process runner: the real binary with the environment of whoever runs the tests
//! cleared (`bin`, `terminal`), run to its end within a time limit (`finish`, `run`), at a
//! pseudo-terminal (`on_a_terminal`), or as a `taskwatch serve` on a free port (`Serve`); and
//! what a run produced (`Run`), with assertions that print all of it when they fail.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::server::Server;

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    /// Asserts the exit code; on failure prints everything the run wrote.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "exit code\n{}", self.dump());
        self
    }

    /// Asserts that stderr contains `text`; on failure prints everything the run wrote.
    #[track_caller]
    pub fn assert_stderr_has(&self, text: &str) -> &Run {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}\n{}",
            self.dump()
        );
        self
    }

    /// Asserts that stderr does not contain `text`.
    #[track_caller]
    pub fn assert_stderr_lacks(&self, text: &str) -> &Run {
        assert!(
            !self.stderr.contains(text),
            "stderr has {text:?}\n{}",
            self.dump()
        );
        self
    }

    /// Asserts that stdout contains `text`; on failure prints everything the run wrote.
    #[track_caller]
    pub fn assert_stdout_has(&self, text: &str) -> &Run {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}\n{}",
            self.dump()
        );
        self
    }

    /// Asserts that stdout does not contain `text`.
    #[track_caller]
    pub fn assert_stdout_lacks(&self, text: &str) -> &Run {
        assert!(
            !self.stdout.contains(text),
            "stdout has {text:?}\n{}",
            self.dump()
        );
        self
    }

    /// The exit code, stdout and stderr, for a failure message.
    pub fn dump(&self) -> String {
        format!(
            "exit code {} after {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.elapsed, self.stdout, self.stderr
        )
    }

    pub fn stdout_lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// stdout parsed as JSON lines.
    pub fn records(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect()
    }
}

/// The variables of whoever runs the tests that would change what taskwatch does.
const CLEARED: &[&str] = &[
    "TASKWATCH_PROFILE",
    "TASKWATCH_URL",
    "TASKWATCH_TOKEN",
    "NO_COLOR",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    // Tests run in CI too: `--ci auto` must not switch to the runner's conventions there.
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
    "GITLAB_CI",
];

/// Gives `cmd` the environment every test runs taskwatch in: no config file of the person
/// running the tests, none of the variables above.
pub fn isolate(cmd: &mut Command) -> &mut Command {
    // Tests never read the config file of whoever runs them.
    cmd.env(
        "TASKWATCH_CONFIG",
        "/nonexistent/taskwatch-tests/config.toml",
    );
    for var in CLEARED {
        cmd.env_remove(var);
    }
    cmd
}

/// The binary, isolated, with stdin empty.
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_taskwatch"));
    isolate(&mut cmd);
    cmd.stdin(Stdio::null());
    cmd
}

/// `script` (util-linux) running `shell_line` under a pseudo-terminal, `TERM=xterm`, in the
/// same environment as [`bin`]: every terminal test starts from here. `-e`: the child's exit
/// code; `-f`: output flushed as it comes.
pub fn terminal(shell_line: &str) -> Command {
    let mut cmd = Command::new("script");
    cmd.args(["-qefc", shell_line, "/dev/null"]);
    isolate(&mut cmd).env("TERM", "xterm");
    cmd
}

/// The binary and `args`, quoted for `sh -c` (no argument may hold a `'`).
pub fn shell_line(args: &[&str]) -> String {
    std::iter::once(env!("CARGO_BIN_EXE_taskwatch"))
        .chain(args.iter().copied())
        .map(|a| {
            assert!(!a.contains('\''), "{a:?} cannot be quoted");
            format!("'{a}'")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Waits for a child with a time limit, so a hanging binary fails the test instead of CI.
pub fn finish(mut child: Child, limit: Duration) -> Run {
    let started = Instant::now();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).ok();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).ok();
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().ok();
            let _ = child.wait();
            panic!(
                "taskwatch did not finish within {limit:?}; stderr:\n{}",
                err.join().unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        elapsed: started.elapsed(),
    }
}

/// Runs `taskwatch ARGS` to completion (30 s at most).
pub fn run(args: &[&str]) -> Run {
    run_with(bin().args(args))
}

pub fn run_with(cmd: &mut Command) -> Run {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    finish(child, Duration::from_secs(30))
}

/// `watch`/`wait`/`status` against the server with fast polling.
pub fn against(server: &Server, command: &str, extra: &[&str]) -> Run {
    let mut args = vec![command, "--base-url", &server.url];
    if command != "status" {
        args.extend(["--interval", "100ms"]);
    }
    args.extend(extra);
    run(&args)
}

/// The messages of plain output (the text after the timestamp).
pub fn plain_messages(run: &Run) -> Vec<String> {
    run.stdout_lines()
        .iter()
        .map(|l| l.split_once(' ').map(|(_, m)| m).unwrap_or("").to_string())
        .collect()
}

/// The messages of the `log` records of JSON output.
pub fn json_messages(run: &Run) -> Vec<String> {
    run.records()
        .iter()
        .filter(|r| r["type"] == "log")
        .map(|r| r["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// A running `taskwatch serve` on a free port, stopped when dropped.
pub struct Serve {
    pub child: Child,
    pub url: String,
}

impl Serve {
    /// `taskwatch serve --port 0 --seed SEED ARGS`, once it has printed its URL.
    pub fn start_seeded(seed: &str, args: &[&str]) -> Serve {
        let mut child = bin()
            .args(["serve", "--port", "0", "--seed", seed])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary runs");
        let mut first = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().expect("piped")),
            &mut first,
        )
        .expect("serve prints its URL");
        let url = first.trim().to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url:?}");
        Serve { child, url }
    }

    /// One raw HTTP/1.1 request with an optional bearer token and JSON body: the status code
    /// and the body.
    pub fn raw(&self, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
        use std::io::{Read, Write};
        let addr = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr).expect("serve listens");
        let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("the request is sent");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("an answer");
        let (head, body) = response.split_once("\r\n\r\n").expect("HTTP");
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status");
        (status, body.to_string())
    }

    /// Waits until the simulator's task `id` is processing with at least `n` lines (asked for
    /// over HTTP, without a token, at the status path of Updates 6 and 7).
    pub fn wait_for_lines(&self, id: &str, n: u64) {
        super::eventually(
            Duration::from_secs(20),
            &format!("{id} processing with {n} lines"),
            || {
                let (_, v) = self.json(
                    "GET",
                    &format!("/codvid-ai/ig-tracking/task_status/{id}"),
                    "",
                );
                v["response"]["is_processing"] == true
                    && v["response"]["logs_count"].as_u64().unwrap_or(0) >= n
            },
        );
    }

    /// [`Serve::raw`] without a token, the body parsed as JSON (a string when it is not).
    pub fn json(&self, method: &str, path: &str, body: &str) -> (u16, Value) {
        let (status, body) = self.raw(method, path, None, body);
        (
            status,
            serde_json::from_str(&body).unwrap_or(Value::String(body)),
        )
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `taskwatch ARGS` under a pseudo-terminal (util-linux `script`), as a person would.
pub fn on_a_terminal(args: &[&str]) -> Run {
    run_with(&mut terminal(&shell_line(args)))
}

/// A running taskwatch whose stdout and stderr are read as they come, so a test can wait for
/// what it printed (instead of sleeping a fixed time) before acting on it. Killed when dropped.
pub struct Live {
    child: Option<Child>,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
    started: Instant,
}

impl Live {
    pub fn spawn(cmd: &mut Command) -> Live {
        Live::spawn_with(cmd, |_| {})
    }

    /// [`Live::spawn`], with `on_line` called for each stdout line as it arrives.
    pub fn spawn_with(cmd: &mut Command, on_line: impl FnMut(&str) + Send + 'static) -> Live {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let (stdout, stderr) = (Arc::default(), Arc::default());
        let readers = vec![
            read_lines(child.stdout.take().unwrap(), Arc::clone(&stdout), on_line),
            read_lines(child.stderr.take().unwrap(), Arc::clone(&stderr), |_| {}),
        ];
        Live {
            child: Some(child),
            stdout,
            stderr,
            readers,
            started: Instant::now(),
        }
    }

    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until `condition(stdout, stderr)` holds; fails after `limit` with both.
    #[track_caller]
    pub fn wait_for(&self, limit: Duration, what: &str, condition: impl Fn(&str, &str) -> bool) {
        let start = Instant::now();
        while !condition(&self.stdout.lock().unwrap(), &self.stderr.lock().unwrap()) {
            assert!(
                start.elapsed() < limit,
                "not within {limit:?}: {what}\n--- stdout ---\n{}\n--- stderr ---\n{}",
                self.stdout(),
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends `signal` (`-INT`, `-TERM`) with kill(1).
    pub fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().unwrap().id().to_string();
        let sent = Command::new("kill").args([signal, &pid]).status().unwrap();
        assert!(sent.success(), "kill {signal} {pid}");
    }

    /// Waits for the end (killing it after `limit`, which fails the test) and returns the run.
    pub fn finish(mut self, limit: Duration) -> Run {
        let mut child = self.child.take().unwrap();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if self.started.elapsed() > limit {
                child.kill().ok();
                let _ = child.wait();
                panic!(
                    "taskwatch did not finish within {limit:?}; stderr:\n{}",
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        for reader in self.readers.drain(..) {
            reader.join().unwrap();
        }
        Run {
            code: status.code().unwrap_or(-1),
            stdout: self.stdout(),
            stderr: self.stderr(),
            elapsed: self.started.elapsed(),
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn read_lines(
    from: impl std::io::Read + Send + 'static,
    into: Arc<Mutex<String>>,
    mut on_line: impl FnMut(&str) + Send + 'static,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut from = std::io::BufReader::new(from);
        let mut bytes = Vec::new();
        loop {
            bytes.clear();
            match std::io::BufRead::read_until(&mut from, b'\n', &mut bytes) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&bytes);
                    on_line(line.trim_end_matches('\n'));
                    into.lock().unwrap().push_str(&line);
                }
            }
        }
    })
}
