//! The edges a hostile server or a careless flag can reach: no panic, no secret printed, no path
//! escape, no hot loop, no unbounded read. Every test runs the real binary against a real
//! server on 127.0.0.1.

use std::io::Write;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use base64::Engine;
use serde_json::{json, Value};

fn base64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWT whose `exp` claim is this JSON number, as written.
fn jwt_with_exp(exp: &str) -> String {
    format!(
        "{}.{}.c2lnbmF0dXJl",
        base64url(br#"{"alg":"HS256","typ":"JWT"}"#),
        base64url(format!(r#"{{"sub":"u1","exp":{exp}}}"#).as_bytes())
    )
}

fn assert_no_panic(what: &str, code: i32, stderr: &str) {
    assert!(
        code != 101 && code != 134 && code >= 0,
        "{what}: exit {code} (a panic or a signal): {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert!(!stderr.contains("RUST_BACKTRACE"), "{what}: {stderr}");
}

/// Every window of `n` characters of `secret`: none may appear in the output.
fn pieces(secret: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = secret.chars().collect();
    chars.windows(n).map(|w| w.iter().collect()).collect()
}

fn assert_hidden(what: &str, secret: &str, run: &Run) {
    for piece in pieces(secret, 8) {
        assert!(
            !run.stdout.contains(&piece) && !run.stderr.contains(&piece),
            "{what}: `{piece}` of the secret was printed\nstdout: {}\nstderr: {}",
            run.stdout,
            run.stderr
        );
    }
}

// ---- Panics ----------------------------------------------------------------------------------

#[test]
fn durations_beyond_the_clock_and_a_zero_timeout_are_usage_errors() {
    let server = Server::start(Api::V7);
    for flag in [
        "--timeout",
        "--start-timeout",
        "--interval",
        "--give-up-after",
        "--request-timeout",
    ] {
        for value in ["500000000000y", "101y", "18446744073709551615s"] {
            let arg = format!("{flag}={value}");
            let run = run(&["watch", "--base-url", &server.url, &arg, "t"]);
            assert_eq!(run.code, 2, "{arg}: {}", run.stderr);
            assert!(run.stderr.contains(flag), "{arg}: {}", run.stderr);
            run.assert_stderr_has("at most 100 years");
        }
    }
    let zero = run(&["wait", "--base-url", &server.url, "--timeout", "0s", "t"]);
    zero.assert_code(2);
    zero.assert_stderr_has("--timeout");
    zero.assert_stderr_has("at least 1ms");
    assert!(
        server.requests().is_empty(),
        "no usage error sends a request"
    );
    // The longest accepted durations run normally.
    server.task("t", Task::new([Step::Grow(lines("l", 0..2)), Step::End]));
    let run = against(
        &server,
        "watch",
        &["--timeout", "100y", "--give-up-after", "100y", "t"],
    );
    run.assert_code(0);
    assert_eq!(run.stdout_lines().len(), 2);
}

#[test]
fn an_absurd_jwt_expiry_is_ignored_with_a_warning() {
    for exp in ["1e300", "1.8446744073709552e19", "-1.9e19", "-5"] {
        let token = jwt_with_exp(exp);
        let server = Server::start(Api::V7).with_token(&token);
        server.task("t", Task::new([Step::Grow(lines("l", 0..2)), Step::End]));
        for command in ["watch", "wait", "status"] {
            let run = against(&server, command, &["--token", &token, "t"]);
            assert_no_panic(&format!("{command} exp={exp}"), run.code, &run.stderr);
            assert!(
                run.stderr.contains("`exp` claim is not a usable time"),
                "{command} exp={exp}: {}",
                run.stderr
            );
            assert!(matches!(run.code, 0 | 3), "{command} {exp}: {}", run.stderr);
        }
    }
}

/// A flag and the values it is tried with.
struct Sweep {
    command: &'static str,
    flag: &'static str,
    values: Vec<String>,
    /// Other arguments for the run.
    with: &'static [&'static str],
}

const EXTREME_NUMBERS: [&str; 9] = [
    "0",
    "1",
    "-1",
    "255",
    "65535",
    "4294967295",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999999999",
];
const EXTREME_DURATIONS: [&str; 10] = [
    "0s",
    "1ns",
    "1ms",
    "-1s",
    "100y",
    "101y",
    "500000000000y",
    "18446744073709551615s",
    "99999999999999999999999h",
    "1e300s",
];

fn sweeps() -> Vec<Sweep> {
    let numbers = || EXTREME_NUMBERS.iter().map(|s| s.to_string()).collect();
    let durations = || EXTREME_DURATIONS.iter().map(|s| s.to_string()).collect();
    let mut all = Vec::new();
    for command in ["watch", "wait"] {
        for flag in ["--tail", "--from-index", "--logs-count"] {
            // `wait` shows no line, so it takes no --tail.
            if command == "wait" && flag == "--tail" {
                continue;
            }
            all.push(Sweep {
                command,
                flag,
                values: numbers(),
                with: &[],
            });
        }
        for flag in [
            "--interval",
            "--min-interval",
            "--timeout",
            "--start-timeout",
            "--give-up-after",
            "--request-timeout",
        ] {
            all.push(Sweep {
                command,
                flag,
                values: durations(),
                with: &[],
            });
        }
    }
    all.push(Sweep {
        command: "status",
        flag: "--logs-count",
        values: numbers(),
        with: &[],
    });
    all.push(Sweep {
        command: "status",
        flag: "--request-timeout",
        values: durations(),
        with: &[],
    });
    for flag in [
        "--port",
        "--api",
        "--keep",
        "--fault-percent",
        "--seed",
        "--lines",
    ] {
        all.push(Sweep {
            command: "serve",
            flag,
            values: numbers(),
            with: &[],
        });
    }
    let mut rates: Vec<String> = numbers();
    rates.extend(["1e300", "NaN", "inf", "0.0001"].map(String::from));
    all.push(Sweep {
        command: "serve",
        flag: "--rate",
        values: rates,
        with: &[],
    });
    for scenario in [
        &["--scenario", "failing"],
        &["--scenario", "restart"],
        &["--scenario", "flaky"],
        &["--scenario", "trimmed"],
    ] {
        all.push(Sweep {
            command: "serve",
            flag: "--seed",
            values: numbers(),
            with: scenario,
        });
    }
    for flag in ["--duration", "--slow-delay"] {
        all.push(Sweep {
            command: "serve",
            flag,
            values: durations(),
            with: &[],
        });
    }
    for flag in ["--schedule", "--forced-runs"] {
        all.push(Sweep {
            command: "serve",
            flag,
            values: durations(),
            with: &["--profiles", "3"],
        });
    }
    all.push(Sweep {
        command: "demo",
        flag: "--duration",
        values: durations(),
        with: &[],
    });
    all
}

/// Runs until it ends or `limit` passes (then it is killed: a server or a long watch that
/// started fine). Returns the exit code (-9 when killed) and stderr.
fn run_for(mut child: Child, limit: Duration) -> (i32, String) {
    let started = Instant::now();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).ok();
        s
    });
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code().unwrap_or(-1);
        }
        if started.elapsed() > limit {
            child.kill().ok();
            let _ = child.wait();
            break -9;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (code, reader.join().unwrap())
}

/// Every numeric and duration flag of every command, with 0, 1, the largest values of each
/// integer type, beyond them, negative and absurd durations: a usage error or a normal run,
/// never a panic.
#[test]
fn every_numeric_flag_of_every_command_survives_extreme_values() {
    let server = Server::start(Api::V7);
    server.task("t", Task::new([Step::Grow(lines("l", 0..3)), Step::End]));
    let mut cases = Vec::new();
    for sweep in sweeps() {
        for value in &sweep.values {
            cases.push((sweep.command, sweep.flag, value.clone(), sweep.with));
        }
    }
    let count = cases.len();
    let results: Vec<(String, i32, String)> = std::thread::scope(|scope| {
        let chunks: Vec<_> = cases.chunks(count.div_ceil(6)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let url = server.url.clone();
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for (command, flag, value, with) in chunk {
                        let mut cmd = bin();
                        cmd.arg(command).arg(format!("{flag}={value}")).args(*with);
                        match *command {
                            "serve" if *flag != "--port" => {
                                cmd.args(["--port", "0", "--task", "s1"]);
                            }
                            "serve" => {
                                cmd.args(["--task", "s1"]);
                            }
                            "demo" => {}
                            _ => {
                                cmd.args(["--base-url", &url, "t"]);
                            }
                        }
                        let child = cmd
                            .stdout(Stdio::null())
                            .stderr(Stdio::piped())
                            .spawn()
                            .unwrap();
                        let (code, stderr) = run_for(child, Duration::from_millis(1500));
                        let what = format!("{command} {flag}={value} {}", with.join(" "));
                        out.push((what, code, stderr));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(results.len(), count);
    let mut usage_errors = 0;
    for (what, code, stderr) in &results {
        if *code != -9 {
            assert_no_panic(what, *code, stderr);
        } else {
            assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        }
        if *code == 2 {
            usage_errors += 1;
            let flag = what.split(' ').nth(1).unwrap().split('=').next().unwrap();
            assert!(
                stderr.contains(flag),
                "{what}: the error names the flag: {stderr}"
            );
        }
    }
    assert!(
        usage_errors > 0 && usage_errors < count,
        "{usage_errors} of {count}"
    );
}

// ---- Secrets ---------------------------------------------------------------------------------

/// A server that echoes the Authorization header (JSON-escaped, `/` as `\/`), or the token
/// alone, in its 4xx and 5xx error bodies and in 2xx answers shown by -vv, at positions where
/// the excerpt of an error (120 characters) or of `-vv` (300) would cut it in two.
#[test]
fn a_server_echoing_the_token_never_gets_it_printed() {
    const TOKEN: &str = "zq7Xk9/Tok3n+Secret-0123456789";
    for bare in [false, true] {
        for pad in [0, 85, 230, 260] {
            for (status, code) in [(400u16, 5), (401, 4), (500, 5), (200, 0)] {
                for (command, format) in [
                    ("watch", "plain"),
                    ("watch", "json"),
                    ("wait", "json"),
                    ("status", "plain"),
                ] {
                    let server = Server::start(Api::V7);
                    let mut steps = vec![Step::Grow(lines("l", 0..1))];
                    let repeat = if status == 500 { 12 } else { 1 };
                    steps.extend((0..repeat).map(|_| Step::Echo { status, pad, bare }));
                    steps.push(Step::End);
                    if command == "status" {
                        steps.remove(0);
                    }
                    server.task("t", Task::new(steps));
                    let mut args = vec![
                        command,
                        "--base-url",
                        &server.url,
                        "--token",
                        TOKEN,
                        "-vv",
                        "-o",
                        format,
                    ];
                    if command != "status" {
                        args.extend(["-i", "100ms", "--give-up-after", "300ms"]);
                    }
                    args.push("t");
                    let run = run(&args);
                    let what =
                        format!("{command} -o {format}, HTTP {status}, pad {pad}, bare {bare}");
                    assert_hidden(&what, TOKEN, &run);
                    if command != "status" && status != 200 {
                        assert_eq!(run.code, code, "{what}: {}", run.stderr);
                    }
                    if status != 200 && pad <= 85 {
                        // The server's words are there, the token masked.
                        let all = format!("{}{}", run.stdout, run.stderr);
                        assert!(
                            all.contains("Authorization: ****")
                                || all.contains("Authorization: Bearer ****"),
                            "{what}: {all}"
                        );
                    }
                    if format == "json" && command != "status" && status != 200 && pad <= 85 {
                        let end = run
                            .records()
                            .into_iter()
                            .find(|r| r["type"] == "end")
                            .unwrap();
                        let error = end["error"].as_str().unwrap_or_default();
                        let masked = if bare {
                            "Authorization: ****"
                        } else {
                            "Authorization: Bearer ****"
                        };
                        assert!(error.contains(masked), "{what}: {end}");
                    }
                }
            }
        }
    }
}

/// A task's log line that holds the token or the URL's password shows it masked, in every
/// output format; the rest of the line is kept. The line is also progress (`3/12`): the label
/// read from it (printed as it is in the JSON `progress` and `end` records) is masked too.
#[test]
fn log_lines_holding_a_secret_show_it_masked() {
    const TOKEN: &str = "zq7Xk9-LogLine-Secret-0123";
    const PASSWORD: &str = "Url-Pa55w0rd-In-Log";
    for (command, format) in [
        ("watch", "plain"),
        ("watch", "human"),
        ("watch", "json"),
        ("status", "plain"),
        ("status", "json"),
    ] {
        let server = Server::start(Api::V7);
        let line = format!("calling upstream with {TOKEN} as user:{PASSWORD} 3/12");
        server.task("t", Task::new([Step::Grow(vec![line]), Step::End]));
        // The token first; then the password in the URL (the two together are refused).
        let run = against(&server, command, &["--token", TOKEN, "-o", format, "t"]);
        assert!(matches!(run.code, 0), "{command} {format}: {}", run.stderr);
        assert_hidden(&format!("{command} -o {format}"), TOKEN, &run);
        run.assert_stdout_has("calling upstream with ****");
        let server = Server::start(Api::V7);
        let line = format!("calling upstream with {TOKEN} as user:{PASSWORD} 3/12");
        server.task("t", Task::new([Step::Grow(vec![line]), Step::End]));
        let url = server
            .url
            .replace("http://", &format!("http://me:{PASSWORD}@"));
        let mut args = vec![command, "--base-url", &url, "-o", format];
        if command != "status" {
            args.extend(["--interval", "100ms"]);
        }
        args.push("t");
        let run = crate::common::run(&args);
        assert_eq!(run.code, 0, "{command} {format}: {}", run.stderr);
        assert_hidden(&format!("{command} -o {format}, URL"), PASSWORD, &run);
        run.assert_stdout_has("as user:****");
    }
}

/// The task's `status` text holding the token (a server echoing it) is masked in `status`'s text
/// and JSON, as its log lines are (the client masks an answer's status and times).
#[test]
fn a_status_text_holding_the_token_shows_it_masked() {
    const TOKEN: &str = "zq7Xk9-StatusText-Secret-0123";
    for (command, format) in [("status", "plain"), ("status", "json")] {
        let server = Server::start(Api::V7);
        let steps = [
            Step::Status(format!("failed with {TOKEN}")),
            Step::Grow(vec!["working 1/2".into()]),
            Step::End,
        ];
        server.task("t", Task::new(steps));
        let run = against(&server, command, &["--token", TOKEN, "-o", format, "t"]);
        assert_hidden(&format!("{command} -o {format}"), TOKEN, &run);
        assert!(
            run.stdout.contains("failed with ****") || run.stderr.contains("failed with ****"),
            "{command} -o {format}: the status is shown, masked\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }
}

#[test]
fn the_trigger_answer_is_scrubbed_too() {
    const TOKEN: &str = "zq7Xk9-trigger-Secret-0123";
    let server = Server::start(Api::V8);
    server.trigger(
        "t",
        [Step::Echo {
            status: 400,
            pad: 85,
            bare: true,
        }],
    );
    let run = against(
        &server,
        "watch",
        &["--token", TOKEN, "-o", "json", "--trigger", "profile", "t"],
    );
    run.assert_code(5);
    assert_hidden("trigger", TOKEN, &run);
    assert!(run.stderr.contains("could not start the task: HTTP 400"));
}

#[test]
fn login_errors_never_echo_the_password() {
    const PASSWORD: &str = "Hunter2-Pa55word-Secret";
    let server = Server::start(Api::V8);
    let dir = std::env::temp_dir().join(format!("taskwatch-edges-login-{}", std::process::id()));
    let mut child = bin()
        .args([
            "login",
            "--base-url",
            &server.url,
            "--email",
            "me@example.com",
        ])
        .arg("--password-stdin")
        .env("TASKWATCH_CONFIG", dir.join("config.toml"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    let run = finish(child, Duration::from_secs(30));
    run.assert_code(4);
    run.assert_stderr_has("wrong password");
    assert_hidden("login", PASSWORD, &run);
    assert!(!dir.join("config.toml").exists(), "nothing stored");
}

#[test]
fn a_password_in_the_base_url_is_never_printed() {
    let server = Server::start(Api::V7).with_prefix("/api");
    let url = server
        .url
        .replace("http://", "http://me:Url-Pa55w0rd-Secret@");
    // The server sits under /api: both status paths answer 404, and the error lists them.
    for verbose in ["-v", "-vv"] {
        let run = run(&["status", "--base-url", &url, verbose, "t"]);
        run.assert_code(5);
        run.assert_stderr_has("404 Not Found at http://me:***@");
        assert_hidden("status", "Url-Pa55w0rd-Secret", &run);
    }
    let basic = server.requests()[0].headers["authorization"].clone();
    assert!(basic.to_str().unwrap().starts_with("Basic "), "{basic:?}");
    let config = run(&["config", "--base-url", &url]);
    config.assert_code(0);
    config.assert_stdout_has("http://me:***@127.0.0.1");
    assert_hidden("config", "Url-Pa55w0rd-Secret", &config);
    // With a token too, the server would get Basic and Bearer: refused, saying why.
    let requests = server.requests().len();
    let both = run(&["watch", "--base-url", &url, "--token", "tok-123456", "t"]);
    both.assert_code(2);
    both.assert_stderr_has("user name and password");
    both.assert_stderr_has("Basic and Bearer");
    assert_hidden("both", "Url-Pa55w0rd-Secret", &both);
    assert_eq!(server.requests().len(), requests, "no request sent");
    // A URL that does not parse is quoted back without its user name and password.
    let bad = run(&[
        "status",
        "--base-url",
        "http://me:Url-Pa55w0rd-Secret@[bad",
        "t",
    ]);
    bad.assert_code(2);
    bad.assert_stderr_has("'http://***@[bad'");
    assert_hidden("bad URL", "Url-Pa55w0rd-Secret", &bad);
}

// ---- Path escape -----------------------------------------------------------------------------

#[test]
fn dot_segment_ids_are_usage_errors_and_reach_no_server() {
    let server = Server::start(Api::V8);
    for id in [".", "..", "%2e%2e", "%2E.", ".%2e", "%2e"] {
        for args in [
            vec!["status", id],
            vec!["watch", id],
            vec!["wait", "--trigger", "profile", "ok", id],
            vec!["watch", "--trigger", "reel", id],
        ] {
            let mut full = vec![args[0], "--base-url", server.url.as_str()];
            full.extend(&args[1..]);
            let run = run(&full);
            assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
            run.assert_stderr_has("not task ids");
        }
    }
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    // Dots inside an id are fine, and travel as one segment.
    server.task("a..b", Task::new([Step::Grow(lines("l", 0..1)), Step::End]));
    let run = against(&server, "watch", &["a..b"]);
    run.assert_code(0);
}

/// A wrong value is quoted back short and escaped, whatever its length or content.
#[test]
fn usage_errors_quote_a_short_escaped_excerpt_of_the_value() {
    let long = "9".repeat(100_000);
    for args in [
        vec!["watch", "--tail", long.as_str(), "t"],
        vec!["watch", "--from-index", long.as_str(), "t"],
        vec!["watch", "--interval", long.as_str(), "t"],
        vec!["status", "--logs-count", long.as_str(), "t"],
        vec!["watch", "--interval", "\u{1b}]0;pwned\u{7}", "t"],
    ] {
        let run = run(&args);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.len() < 1000, "{}", run.stderr.len());
        assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
        let flag = args[1];
        run.assert_stderr_has(flag);
    }
}

#[test]
fn an_id_too_long_for_a_url_is_refused_at_once() {
    let server = Server::start(Api::V7);
    let id = "x".repeat(100_000);
    for command in ["watch", "wait", "status"] {
        let run = run(&[command, "--base-url", &server.url, &id]);
        assert_eq!(run.code, 2, "{}", &run.stderr[..run.stderr.len().min(500)]);
        assert!(
            run.stderr.contains("at most 1024 bytes"),
            "{}",
            run.stderr.len()
        );
        assert!(
            run.stderr.len() < 1000,
            "the id is not quoted whole: {}",
            run.stderr.len()
        );
    }
    assert!(server.requests().is_empty());
}

// ---- Hot loops and unretried requests --------------------------------------------------------

#[test]
fn retry_after_zero_or_in_the_past_never_retries_faster_than_the_backoff() {
    for value in ["0", "Wed, 21 Oct 2015 07:28:00 GMT"] {
        let server = Server::start(Api::V7);
        let mut steps = vec![Step::Grow(lines("l", 0..2))];
        steps.extend((0..5000).map(|_| Step::RetryAfter(value)));
        server.task("t", Task::new(steps));
        let run = against(&server, "watch", &["--timeout", "3s", "t"]);
        run.assert_code(124);
        // Backoff from 100ms doubling: about 6 retries in 3 s. A hot loop makes thousands.
        let requests = server.status_requests("t").len();
        assert!(
            (3..=20).contains(&requests),
            "Retry-After: {value}: {requests} requests in 3 s"
        );
    }
}

/// `Retry-After` values no clock can hold are survived: the wait is cut to what is left of
/// `--give-up-after`.
#[test]
fn absurd_retry_after_values_never_panic_or_hang() {
    for value in [
        "18446744073709551615",
        "99999999999999999999999",
        "-5",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "soon",
    ] {
        let server = Server::start(Api::V7);
        let mut steps = vec![Step::Grow(lines("l", 0..1))];
        steps.extend((0..200).map(|_| Step::RetryAfter(value)));
        server.task("t", Task::new(steps));
        server.trigger("t", [Step::RetryAfter(value)]);
        let run = against(
            &server,
            "watch",
            &["--trigger", "reel", "--give-up-after", "1s", "t"],
        );
        assert_no_panic(value, run.code, &run.stderr);
        assert_eq!(run.code, 5, "Retry-After: {value}: {}", run.stderr);
        run.assert_stderr_has("HTTP 429");
    }
}

#[test]
fn the_trigger_is_retried_like_a_status_request() {
    let server = Server::start(Api::V8);
    server.trigger(
        "t",
        [
            Step::Fault {
                status: 429,
                content_type: "application/json",
                body: r#"{"result": false, "message": "slow down"}"#.into(),
                retry_after: Some(1),
            },
            Step::Fault {
                status: 503,
                content_type: "text/html",
                body: "<h1>Service Unavailable</h1>".into(),
                retry_after: None,
            },
            Step::Slow(Duration::from_secs(3), Vec::new()),
            Step::Fault {
                status: 409,
                content_type: "application/json",
                body: r#"{"result": false, "message": "Task is already being processed"}"#.into(),
                retry_after: None,
            },
        ],
    );
    server.task(
        "t",
        Task::new([Step::Grow(lines("l", 0..3)), Step::Same, Step::End]),
    );
    let run = against(
        &server,
        "watch",
        &["--trigger", "profile", "--request-timeout", "500ms", "t"],
    );
    run.assert_code(0);
    assert_eq!(server.trigger_requests("t").len(), 4);
    run.assert_stderr_has("HTTP 429");
    run.assert_stderr_has("already being processed: following it");
    assert_eq!(run.stdout_lines().len(), 3);
}

#[test]
fn a_trigger_refused_for_good_is_not_retried() {
    let server = Server::start(Api::V8);
    server.trigger(
        "t",
        [Step::Fault {
            status: 400,
            content_type: "application/json",
            body: r#"{"result": false, "message": "no such profile"}"#.into(),
            retry_after: None,
        }],
    );
    let run = against(&server, "watch", &["--trigger", "profile", "t"]);
    run.assert_code(5);
    assert_eq!(server.trigger_requests("t").len(), 1);
    run.assert_stderr_has("no such profile");
    // Failing for --give-up-after ends it too.
    let server = Server::start(Api::V8);
    server.trigger("t", (0..200).map(|_| Step::RetryAfter("0")));
    let run = against(
        &server,
        "watch",
        &["--trigger", "profile", "--give-up-after", "1s", "t"],
    );
    run.assert_code(5);
    run.assert_stderr_has("requests failing for");
    assert!(server.trigger_requests("t").len() < 15);
}

// ---- Bounded input ---------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn endless_config_and_token_files_are_refused() {
    let server = Server::start(Api::V7);
    let config = run_with(
        bin()
            .args(["status", "--base-url", &server.url, "t"])
            .env("TASKWATCH_CONFIG", "/dev/zero"),
    );
    config.assert_code(2);
    config.assert_stderr_has("larger than 1 MiB");
    let run = crate::common::run(&[
        "status",
        "--base-url",
        &server.url,
        "--token-file",
        "/dev/zero",
        "t",
    ]);
    run.assert_code(2);
    run.assert_stderr_has("larger than 1 MiB");
    let run = crate::common::run(&[
        "status",
        "--base-url",
        &server.url,
        "--cacert",
        "/dev/zero",
        "t",
    ]);
    run.assert_code(2);
    assert!(server.requests().is_empty());
}

fn temp_config(name: &str, text: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "taskwatch-edges-{name}-{}.toml",
        std::process::id()
    ));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_huge_malformed_config_line_gives_a_short_error() {
    let mut text = b"[profiles.a]\nbase_url = \"".to_vec();
    text.extend(std::iter::repeat_n(b'x', 900_000));
    text.extend(b"\n");
    let path = temp_config("huge", &text);
    let run = run_with(bin().args(["config"]).env("TASKWATCH_CONFIG", &path));
    std::fs::remove_file(&path).unwrap();
    assert_eq!(run.code, 2, "{}", &run.stderr[..run.stderr.len().min(500)]);
    assert!(run.stderr.contains("line 2"), "{}", &run.stderr[..500]);
    assert!(run.stderr.len() < 4000, "{} bytes", run.stderr.len());
}

#[test]
fn config_keys_and_values_with_escapes_are_shown_escaped() {
    let path = temp_config(
        "escapes",
        br#"default_profile = "a\u001b]0;t\u0007"
"evil\u001b]0;pwned\u0007" = 1
[profiles."a\u001b]0;t\u0007"]
"k\u001b[31m" = "v"
api_path = "/x/{task_id}\u001b[2J\u0007"
"#,
    );
    let run = run_with(bin().args(["config"]).env("TASKWATCH_CONFIG", &path));
    std::fs::remove_file(&path).unwrap();
    run.assert_code(0);
    for raw in ['\u{1b}', '\u{7}'] {
        assert!(!run.stderr.contains(raw), "{:?}", run.stderr);
        assert!(!run.stdout.contains(raw), "{:?}", run.stdout);
    }
    run.assert_stderr_has(r"evil\e]0;pwned\x07");
    run.assert_stderr_has(r"k\e[31m");
    run.assert_stdout_has(r"a\e]0;t\x07 [default_profile]");
    run.assert_stdout_has(r"/x/{task_id}\e[2J\x07");
}

// ---- Terminal safety -------------------------------------------------------------------------

#[test]
fn invisible_format_characters_are_escaped_in_human_and_plain_output() {
    let hidden = [
        '\u{061c}',
        '\u{00ad}',
        '\u{180e}',
        '\u{206a}',
        '\u{206f}',
        '\u{fff9}',
        '\u{fffb}',
        '\u{e0001}',
        '\u{e0041}',
        '\u{e007f}',
        '\u{1d173}',
        '\u{1d17a}',
        '\u{e000}',
    ];
    let message: String = hidden.iter().map(|c| format!("<{c}>")).collect();
    for format in ["plain", "human"] {
        let server = Server::start(Api::V7);
        server.task(
            "t",
            Task::new([Step::Grow(vec![message.clone()]), Step::End]),
        );
        let run = against(&server, "watch", &["-o", format, "t"]);
        run.assert_code(0);
        for c in hidden {
            assert!(!run.stdout.contains(c), "{format}: U+{:04X} raw", c as u32);
            let escaped = match c as u32 {
                n if n < 0x100 => format!("<\\x{n:02x}>"),
                n => format!("<\\u{{{n:x}}}>"),
            };
            assert!(
                run.stdout.contains(&escaped),
                "{format}: {escaped} in {}",
                run.stdout
            );
        }
    }
    // json keeps the exact text.
    let server = Server::start(Api::V7);
    server.task(
        "t",
        Task::new([Step::Grow(vec![message.clone()]), Step::End]),
    );
    let run = against(&server, "watch", &["-o", "json", "t"]);
    let logs: Vec<Value> = run
        .records()
        .into_iter()
        .filter(|r| r["type"] == "log")
        .collect();
    assert_eq!(logs[0]["message"], json!(message));
}

/// A server that accepts connections and never answers.
fn silent_server() -> (std::net::TcpListener, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

/// SIGTERM while a one-shot command or `@name` resolution waits on a hanging server: exit 130
/// and a one-line note (the shell saw 143 and nothing was said).
#[test]
fn a_signal_during_a_hanging_request_is_exit_130_with_a_note() {
    let (listener, url) = silent_server();
    listener.set_nonblocking(true).unwrap();
    // The connections taken, held open (unanswered) until the end.
    let mut held = Vec::new();
    for (signal, args) in [
        ("-TERM", vec!["ls"]),
        ("-INT", vec!["status", "t1"]),
        ("-TERM", vec!["watch", "@someone"]),
    ] {
        let child = bin()
            .args(&args)
            .args(["--base-url", &url])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A request is out: the command waits on the server, its signal handlers in place.
        eventually(Duration::from_secs(20), "a connection", || {
            match listener.accept() {
                Ok((stream, _)) => {
                    held.push(stream);
                    true
                }
                Err(_) => false,
            }
        });
        let sent = std::process::Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let (code, stderr) = run_for(child, Duration::from_secs(10));
        assert_eq!(code, 130, "{args:?}: {stderr}");
        assert!(stderr.contains("interrupted"), "{args:?}: {stderr}");
        assert!(stderr.lines().count() <= 3, "{args:?}: {stderr}");
    }
}

/// Valid JSON with numbers beyond f64 (in any field, read or not) is not "not JSON": a field
/// that needs the number treats it as absent, the rest of the answer is used.
#[test]
fn numbers_beyond_f64_do_not_break_an_answer() {
    let server = Server::start(Api::V7);
    let digits = "9".repeat(400);
    let body = format!(
        r#"{{"result": true, "response": {{"task_id": "n", "is_processing": true,
        "started_at": 1e400, "updated_at": {digits}, "logs_count": 2, "odd": [-1e999],
        "logs": [{{"timestamp": 1e400, "message": "first"}},
                 {{"timestamp": {BASE_TS}, "message": "second", "n": {digits}}}]}}}}"#
    );
    server.task("n", Task::new([Step::Raw(body), Step::End]));
    let run = against(&server, "watch", &["-o", "plain", "n"]);
    run.assert_code(0);
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    assert!(run.stdout.contains("first") && run.stdout.contains("second"));
    run.assert_stderr_lacks("not JSON");
}

/// A usage error about a regex quotes a short excerpt, whatever its length (a 120 KB invalid
/// `--highlight` printed 360 KB; a 300 KB `include` in the config made `config` print 1.2 MB).
#[test]
fn regex_errors_quote_a_short_excerpt() {
    let long = format!("({}", "a".repeat(120_000));
    for flag in [
        "--highlight",
        "--include",
        "--exclude",
        "--fail-on",
        "--progress",
    ] {
        let run = run(&["watch", flag, &long, "t"]);
        assert_eq!(run.code, 2, "{flag}");
        assert!(run.stderr.contains(flag), "{flag}: {}", &run.stderr[..200]);
        assert!(
            run.stderr.len() < 2_000,
            "{flag}: {} bytes",
            run.stderr.len()
        );
    }
    let dir = std::env::temp_dir().join(format!("taskwatch-regex-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "default_profile = \"p\"\n[profiles.p]\ninclude = [\"({}\"]\n",
            "b".repeat(300_000)
        ),
    )
    .unwrap();
    let shown = run_with(bin().arg("config").env("TASKWATCH_CONFIG", &config));
    assert_eq!(shown.code, 2, "{}\n{}", shown.stdout, shown.stderr);
    assert!(
        shown.stdout.len() + shown.stderr.len() < 4_000,
        "{} + {} bytes",
        shown.stdout.len(),
        shown.stderr.len()
    );
    shown.assert_stdout_has("include");
}

/// An `https://` URL against a plain-HTTP server is told to use http://, not the private-CA
/// hint; a base URL that already holds the API prefix is refused with what to pass instead.
#[test]
fn tls_to_a_plain_server_and_a_doubled_prefix_say_what_to_pass() {
    let server = Server::start(Api::V7);
    let https = server.url.replace("http://", "https://");
    let run = crate::common::run(&["status", "--base-url", &https, "t"]);
    run.assert_code(5);
    run.assert_stderr_has("does not speak TLS: use http://");
    run.assert_stderr_lacks("--cacert");

    let doubled = format!("{}/codvid-ai", server.url);
    let run = crate::common::run(&["watch", "--base-url", &doubled, "t"]);
    run.assert_code(2);
    run.assert_stderr_has(&format!("pass {}", server.url));
    assert!(server.requests().is_empty());
}
