//! Faults survived with nothing lost, bad input from the server, and secrets kept: through the
//! real binary against real servers on 127.0.0.1.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

/// A task of `lines` lines whose requests fail at random in every way a server or proxy can.
/// Lines are only added by answers that succeed, at most 80 at a time, and (the task is
/// `paced`) only while the client has shown all but 100 of them counting the new ones, so that
/// with a 100-line window no line can scroll away unseen, even when a loaded machine makes an
/// answer that added lines miss the request timeout: any loss or duplicate is taskwatch's fault.
fn soak_script(seed: u64, lines: usize) -> Vec<Step> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let (mut steps, mut written) = (Vec::new(), 0);
    let grow = |rng: &mut fastrand::Rng, written: &mut usize| {
        let n = rng.usize(0..=80).min(lines - *written);
        let new = crate::common::lines("soak", *written..*written + n);
        *written += n;
        new
    };
    while written < lines {
        let step = match rng.u8(0..100) {
            0..=54 => Step::Grow(grow(&mut rng, &mut written)),
            55..=61 => fault(
                500,
                "application/json",
                r#"{"result": false, "message": "Error retrieving task status: boom"}"#,
            ),
            62..=68 => fault(
                502,
                "text/html",
                "<html><body><h1>502 Bad Gateway</h1></body></html>",
            ),
            69..=74 => Step::Fault {
                status: 429,
                content_type: "application/json",
                body: r#"{"result": false, "message": "slow down"}"#.into(),
                retry_after: Some(0),
            },
            75..=81 => fault(
                200,
                "application/json",
                r#"{"result": true, "response": {"task_id": "s", "is_processing": true, "logs": [{"timest"#,
            ),
            82..=88 => Step::CutBody,
            89..=94 => Step::Slow(Duration::from_millis(700), Vec::new()),
            _ => fault(200, "text/html", "<html>maintenance</html>"),
        };
        steps.push(step);
    }
    steps.push(Step::Same);
    steps.push(Step::End);
    steps
}

#[test]
fn soak_every_line_exactly_once_through_random_faults() {
    std::thread::scope(|s| {
        for seed in std::env::var("SOAK_SEEDS")
            .ok()
            .map_or(1..=4u64, |n| 1..=n.parse().unwrap())
        {
            s.spawn(move || {
                let server = Server::start(Api::V8);
                let shown = Arc::new(AtomicUsize::new(0));
                server.task(
                    "soak",
                    Task::new(soak_script(seed, 2000)).paced(shown.clone(), 100),
                );
                let verbose = std::env::var("SOAK_VERBOSE").map_or("--color=never", |_| "-v");
                let child = Live::spawn_with(
                    bin()
                        .args(["watch", "--base-url", &server.url, "-i", "100ms"])
                        .args([
                            "--request-timeout",
                            "300ms",
                            "-n",
                            "100",
                            "-o",
                            "json",
                            verbose,
                            "soak",
                        ]),
                    move |line| {
                        let record: Value = serde_json::from_str(line).unwrap_or_default();
                        if record["type"] == "log" {
                            shown.fetch_add(1, Ordering::SeqCst);
                        }
                    },
                );
                let run = child.finish(Duration::from_secs(120));
                assert_eq!(run.code, 0, "seed {seed}: {}", run.stderr);
                let shown = json_messages(&run);
                let written = server.written("soak");
                if shown != written {
                    let missing: Vec<&String> =
                        written.iter().filter(|w| !shown.contains(w)).collect();
                    panic!(
                        "seed {seed}: {} shown of {}; missing {missing:?}\n{}",
                        shown.len(),
                        written.len(),
                        run.stderr
                    );
                }
                let end = run.records().last().cloned().unwrap();
                assert_eq!(end["missed"], 0);
                assert!(run.stderr.contains("recovered after"), "seed {seed}");
            });
        }
    });
}

#[test]
fn a_server_restart_mid_task_loses_nothing() {
    let server = Server::start(Api::V7);
    let steps: Vec<Step> = (0..40)
        .map(|i| Step::Grow(lines("l", i * 2..i * 2 + 2)))
        .chain([Step::End])
        .collect();
    server.task("r", Task::new(steps));
    let mut child = bin()
        .args(["watch", "--base-url", &server.url, "-i", "100ms", "r"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    server.bounce(Duration::from_secs(2));
    let buffered = String::from_utf8(out.buffer().to_vec()).unwrap();
    child.stdout = Some(out.into_inner());
    let run = finish(child, Duration::from_secs(30));
    run.assert_code(0);
    let text = format!("{first}{buffered}{}", run.stdout);
    let shown: Vec<&str> = text.lines().map(|l| l.split_once(' ').unwrap().1).collect();
    assert_eq!(shown, server.written("r"));
    assert!(
        run.stderr.to_lowercase().contains("connect"),
        "{}",
        run.stderr
    );
    run.assert_stderr_has("recovered after");
}

#[test]
fn redirects_stay_within_the_origin_and_never_carry_the_token_away() {
    let server = Server::start(Api::V7).with_token("tok");
    let here = format!(
        "{}/codvid-ai/ig-tracking/task_status/same?logs_count=100",
        server.url
    );
    server.task(
        "same",
        Task::new([
            Step::Redirect(here),
            Step::Grow(lines("l", 0..2)),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["--token", "tok", "same"]);
    run.assert_code(0);
    assert_eq!(run.stdout_lines().len(), 2);

    let elsewhere = Server::start(Api::V7);
    let away = format!("{}/codvid-ai/ig-tracking/task_status/away", elsewhere.url);
    server.task("away", Task::new([Step::Redirect(away)]));
    let run = against(&server, "watch", &["--token", "tok", "away"]);
    run.assert_code(5);
    run.assert_stderr_has("redirected to another origin");
    assert!(
        elsewhere.requests().is_empty(),
        "the other origin got a request"
    );
}

#[test]
fn http_proxy_is_honoured() {
    let proxy = Server::start(Api::V7);
    proxy.task("p", Task::new([Step::Grow(lines("l", 0..1)), Step::End]));
    let mut cmd = bin();
    cmd.args([
        "watch",
        "--base-url",
        "http://taskwatch.invalid",
        "-i",
        "100ms",
        "p",
    ])
    .env("HTTP_PROXY", &proxy.url);
    let run = run_with(&mut cmd);
    run.assert_code(0);
    // Two polls and the one that confirms the end.
    assert_eq!(proxy.status_requests("p").len(), 3);
}

#[test]
fn oversized_answers_are_refused_and_long_lines_handled() {
    let server = Server::start(Api::V7);
    let huge = " ".repeat(50 * 1024 * 1024);
    let long_line = "x".repeat(1024 * 1024);
    let big: Vec<String> = (0..100)
        .map(|i| format!("{i:03}{}", "y".repeat(100 * 1024)))
        .collect();
    server.task(
        "big",
        Task::new([
            Step::Grow(vec!["small".into()]),
            fault(200, "application/json", &huge),
            Step::Grow(vec![long_line.clone()]),
            Step::Grow(big),
            Step::Same,
            Step::Same,
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["-o", "json", "big"]);
    run.assert_code(0);
    run.assert_stderr_has("the body is over 4 MiB: refused");
    let records = run.records();
    let logs: Vec<&Value> = records.iter().filter(|r| r["type"] == "log").collect();
    assert_eq!(logs[1]["message"].as_str().unwrap().len(), 1024 * 1024);
    // 100 lines of 100 KiB do not fit: the window shrinks until they do, and the rest is a gap.
    let gap = records.iter().find(|r| r["type"] == "gap").unwrap();
    let shown_big = logs.len() - 2;
    assert!((1..100).contains(&shown_big));
    assert_eq!(gap["missed"].as_u64().unwrap() as usize + shown_big, 100);
    assert!(logs.last().unwrap()["message"]
        .as_str()
        .unwrap()
        .starts_with("099"));
}

#[test]
fn an_absurd_total_is_just_a_number() {
    let server = Server::start(Api::V7);
    let body = json!({"result": true, "response": {"task_id": "n", "is_processing": true,
        "logs_count": 9223372036854775808u64, "logs": [{"timestamp": 1, "message": "far"}]}});
    server.task(
        "n",
        Task::new([fault(200, "application/json", &body.to_string()), Step::End]),
    );
    let run = against(&server, "watch", &["-o", "json", "n"]);
    run.assert_code(0);
    assert_eq!(run.records()[0]["index"], json!(9223372036854775807u64));
}

const HOSTILE: &[&str] = &[
    "csi \u{1b}[2J\u{1b}[31mred",
    "osc52 \u{1b}]52;c;ZWNobyBwd25lZA==\u{7}",
    "title \u{1b}]0;owned\u{1b}\\",
    "overwrite 100%\rfake 0%",
    "back\u{8}\u{8}\u{8}space",
    "bell\u{7}",
    "c1 \u{9b}31m \u{85} \u{9d}",
    "bidi \u{202e}txt.exe\u{202c} \u{2067}x\u{2069}",
    "zero\u{200b}width\u{200d}joiner\u{feff}",
    "del\u{7f}ete",
    "nul\u{0}byte",
];

#[test]
fn hostile_messages_never_reach_the_terminal_raw() {
    let server = Server::start(Api::V7);
    let mut all: Vec<String> = HOSTILE.iter().map(|s| s.to_string()).collect();
    all.push("multi\nline \u{1b}[1mbold".into());
    for id in ["plain", "human", "json"] {
        server.task(id, Task::new([Step::Grow(all.clone()), Step::End]));
    }
    let forbidden = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    };
    for (id, format) in [("plain", "plain"), ("human", "human")] {
        let run = against(&server, "watch", &["-o", format, "--color", "never", id]);
        assert_eq!(run.code, 0);
        let bad: Vec<char> = run.stdout.chars().filter(|&c| forbidden(c)).collect();
        assert!(bad.is_empty(), "{format}: raw {bad:?} in {:?}", run.stdout);
        assert!(!run.stderr.chars().any(forbidden));
        assert!(run.stdout.contains("\\e]52;c;ZWNobyBwd25lZA==\\x07"));
        assert!(run.stdout.contains("\\u{202e}txt.exe"));
        assert!(run.stdout.contains("100%\\rfake 0%"));
    }
    let run = against(&server, "watch", &["-o", "json", "json"]);
    assert_eq!(json_messages(&run), all, "json keeps the exact text");
}

#[test]
fn invalid_text_from_the_server_is_replaced_not_fatal() {
    let server = Server::start(Api::V7);
    let body = "{\"result\": true, \"response\": {\"task_id\": \"u\", \"is_processing\": true, \"logs_count\": 1, \"logs\": [{\"timestamp\": 1, \"message\": \"lone \\udc80 surrogate\"}]}}";
    server.task(
        "u",
        Task::new([fault(200, "application/json", body), Step::End]),
    );
    let run = against(&server, "watch", &["-o", "json", "u"]);
    run.assert_code(0);
    assert_eq!(json_messages(&run), vec!["lone \u{fffd} surrogate"]);
}

#[test]
fn the_token_never_appears_in_any_output() {
    const TOKEN: &str = "SeCrEt-T0ken-d0-not-print";
    let guarded = Server::start(Api::V7).with_token("another-token");
    let failing = Server::start(Api::V7);
    failing.task(
        "t",
        Task::new(std::iter::repeat_with(|| fault(500, "text/html", "<h1>boom</h1>")).take(50)),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let nowhere = format!("http://127.0.0.1:{port}");
    for url in [&guarded.url, &failing.url, &nowhere] {
        for command in ["watch", "wait", "status"] {
            for verbose in ["-v", "-vv"] {
                let mut args = vec![command, "--base-url", url, "--token", TOKEN, verbose];
                if command != "status" {
                    args.extend(["-i", "100ms", "--give-up-after", "400ms"]);
                }
                args.push("t");
                let out = run(&args);
                assert!(out.code == 4 || out.code == 5, "{args:?}: {}", out.stderr);
                assert!(
                    !out.stdout.contains(TOKEN) && !out.stderr.contains(TOKEN),
                    "{args:?}"
                );
            }
        }
    }
    // A usage error after the token was read.
    let run = run(&["watch", "--token", TOKEN, "--interval", "1ms", "t"]);
    assert_eq!(run.code, 2);
    assert!(!run.stderr.contains(TOKEN));
}

#[test]
fn tls_with_an_unknown_ca_fails_and_cacert_trusts_it() {
    let (server, ca_pem) = Server::start_tls(Api::V7);
    server.task("t", Task::new([Step::Grow(lines("l", 0..2)), Step::End]));
    let untrusted = run(&["watch", "--base-url", &server.url, "-i", "100ms", "t"]);
    untrusted.assert_code(5);
    untrusted.assert_stderr_has("TLS failure");
    assert!(
        untrusted.stderr.to_lowercase().contains("certificate"),
        "{}",
        untrusted.stderr
    );
    untrusted.assert_stderr_has("--cacert");

    let dir = std::env::temp_dir().join(format!("taskwatch-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, ca_pem).unwrap();
    let trusted = run(&[
        "watch",
        "--base-url",
        &server.url,
        "-i",
        "100ms",
        "--cacert",
        ca.to_str().unwrap(),
        "t",
    ]);
    trusted.assert_code(0);
    assert_eq!(trusted.stdout_lines().len(), 2);
}

/// A JWT-shaped token with this `exp` (the signature is not checked by the client).
fn jwt(exp: f64) -> String {
    let claims = json!({"sub": "user@example.com", "exp": exp}).to_string();
    format!(
        "{}.{}.c2lnbmF0dXJl",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims)
    )
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

#[test]
fn an_expired_token_fails_fast_and_an_expiring_one_warns() {
    let expired = jwt(now() - 3600.5);
    let server = Server::start(Api::V7).with_token(&expired);
    let run = against(&server, "watch", &["--token", &expired, "t"]);
    run.assert_code(4);
    run.assert_stderr_has("the token expired at");
    run.assert_stderr_has("1h 00m ago");
    assert!(
        server.requests().is_empty(),
        "no request with an expired token"
    );

    let soon = jwt(now() + 1.5);
    let server = Server::start(Api::V7).with_token(&soon);
    let mut steps = vec![Step::Grow(lines("l", 0..1))];
    steps.extend((0..25).map(|_| Step::Same));
    steps.push(Step::End);
    server.task("t", Task::new(steps));
    let run = against(
        &server,
        "watch",
        &["--token", &soon, "--timeout", "1h", "t"],
    );
    run.assert_code(0);
    run.assert_stderr_has("before --timeout ends");
    assert!(
        run.stderr
            .contains("the server will reject requests from now on"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn a_token_file_others_can_read_gets_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let server = Server::start(Api::V7);
    let dir = std::env::temp_dir().join(format!("taskwatch-perm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("token");
    std::fs::write(&file, "tok\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let path = file.to_str().unwrap();
    let run = against(&server, "status", &["--token-file", path, "x"]);
    run.assert_stderr_has("can be read by other users (mode 644)");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let run = against(&server, "status", &["--token-file", path, "x"]);
    run.assert_stderr_lacks("warning");
}
