//! End to end: `taskwatch serve` as a separate process, and `watch`, `wait`, `status` and `demo`
//! against it, for every server version and scenario.

use std::time::Duration;

use crate::common::*;
use serde_json::Value;
use taskwatch::sim::script::{Kind, Scenario, Script};

const SEED: &str = "7";

fn watch(serve: &Serve, args: &[&str]) -> Run {
    let mut all = vec![
        "watch",
        "--base-url",
        &serve.url,
        "-i",
        "200ms",
        "-o",
        "json",
    ];
    all.extend(args);
    run(&all)
}

/// The messages the simulator writes for a task, in order (one run of the log).
fn expected(scenario: Scenario, duration_s: u64, id: &str) -> Vec<String> {
    let script = Script::build(
        Kind::Profile,
        scenario,
        Duration::from_secs(duration_s),
        id,
        SEED.parse().unwrap(),
    );
    script
        .visible(script.ends_at)
        .iter()
        .map(|l| {
            script
                .render(l, 0, false)
                .message
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn logs(run: &Run) -> Vec<String> {
    run.records()
        .iter()
        .filter(|r| r["type"] == "log")
        .map(|r| r["message"].as_str().unwrap().to_string())
        .collect()
}

fn count(run: &Run, t: &str) -> usize {
    run.records().iter().filter(|r| r["type"] == t).count()
}

fn end(run: &Run) -> Value {
    run.records().last().cloned().unwrap()
}

/// Runs `f` for each server version at once.
fn each_api(f: impl Fn(&str) + Sync) {
    std::thread::scope(|s| {
        for api in ["6", "7", "8"] {
            let f = &f;
            s.spawn(move || f(api));
        }
    });
}

#[test]
fn normal_tasks_are_followed_exactly_on_every_version() {
    each_api(|api| {
        let serve = Serve::start_seeded(SEED, &["--api", api, "--duration", "2s"]);
        let id = format!("normal-{api}");
        let run = watch(&serve, &["--trigger", "profile", &id]);
        assert_eq!(run.code, 0, "api {api}: {}", run.stderr);
        run.assert_stderr_has(&format!("started {id}"));
        let want = expected(Scenario::Normal, 2, &id);
        if api == "6" {
            // Update 6 shows only the latest event: each one is seen at most once, in order.
            let shown = logs(&run);
            assert!(!shown.is_empty());
            let last = shown.last().unwrap();
            assert!(last.starts_with("task_completed"), "api 6: {shown:?}");
            let e = end(&run);
            assert_eq!(
                e["lines"].as_u64().unwrap() + e["missed"].as_u64().unwrap(),
                want.len() as u64,
                "api 6 counts every line it could not see"
            );
        } else {
            assert_eq!(logs(&run), want, "api {api}");
            assert_eq!(count(&run, "gap"), 0);
        }
    });
}

#[test]
fn reel_tasks_trigger_on_every_version() {
    each_api(|api| {
        let serve = Serve::start_seeded(SEED, &["--api", api, "--duration", "1s"]);
        let run = run(&[
            "wait",
            "--base-url",
            &serve.url,
            "-i",
            "200ms",
            "--trigger",
            "reel",
            "r1",
        ]);
        assert_eq!(run.code, 0, "api {api}: {}", run.stderr);
        run.assert_stderr_has("r1 finished");
    });
}

#[test]
fn bursts_are_counted_exactly() {
    each_api(|api| {
        let serve = Serve::start_seeded(
            SEED,
            &["--api", api, "--scenario", "burst", "--duration", "2s"],
        );
        let id = format!("burst-{api}");
        let run = watch(&serve, &["--trigger", "profile", &id]);
        run.assert_code(0);
        let e = end(&run);
        let total = expected(Scenario::Burst, 2, &id).len() as u64;
        assert!(count(&run, "gap") >= 1);
        assert_eq!(
            e["lines"].as_u64().unwrap() + e["missed"].as_u64().unwrap(),
            total,
            "api {api}"
        );
        if api != "6" {
            let shown = logs(&run);
            let want = expected(Scenario::Burst, 2, &id);
            let mut at = 0;
            for line in &shown {
                at += want[at..]
                    .iter()
                    .position(|w| w == line)
                    .expect("in order, no duplicate")
                    + 1;
            }
        }
    });
}

#[test]
fn trimming_servers_are_followed_exactly() {
    each_api(|api| {
        let serve = Serve::start_seeded(
            SEED,
            &[
                "--api",
                api,
                "--scenario",
                "trimmed",
                "--keep",
                "20",
                "--duration",
                "2s",
            ],
        );
        let id = format!("trim-{api}");
        let run = watch(&serve, &["--trigger", "profile", &id]);
        run.assert_code(0);
        if api != "6" {
            assert_eq!(logs(&run), expected(Scenario::Trimmed, 2, &id), "api {api}");
            assert_eq!(count(&run, "gap"), 0);
        }
    });
}

#[test]
fn restarts_are_marked() {
    each_api(|api| {
        let serve = Serve::start_seeded(
            SEED,
            &["--api", api, "--scenario", "restart", "--duration", "3s"],
        );
        let id = format!("restart-{api}");
        let run = watch(&serve, &["--trigger", "profile", &id]);
        run.assert_code(0);
        if api != "6" {
            assert!(count(&run, "restart") >= 1, "api {api}: {}", run.stdout);
            assert!(logs(&run).iter().any(|l| l.starts_with("Worker restarted")));
        }
    });
}

#[test]
fn failing_tasks_fail_the_gate() {
    each_api(|api| {
        let serve = Serve::start_seeded(
            SEED,
            &["--api", api, "--scenario", "failing", "--duration", "2s"],
        );
        let id = format!("fail-{api}");
        let run = run(&[
            "wait",
            "--base-url",
            &serve.url,
            "-i",
            "200ms",
            "--trigger",
            "profile",
            "--fail-on",
            "^ERROR|^error",
            &id,
        ]);
        assert_eq!(run.code, 1, "api {api}: {}", run.stderr);
        run.assert_stderr_has("matched --fail-on");
    });
}

#[test]
fn flaky_servers_are_survived() {
    each_api(|api| {
        let serve = Serve::start_seeded(
            SEED,
            &[
                "--api",
                api,
                "--scenario",
                "flaky",
                "--fault-percent",
                "30",
                "--duration",
                "3s",
            ],
        );
        let id = format!("flaky-{api}");
        let run = watch(&serve, &["--trigger", "profile", &id]);
        run.assert_code(0);
        let retried = ["HTTP 500", "HTTP 502", "HTTP 429", "truncated"]
            .iter()
            .any(|s| run.stderr.contains(s));
        assert!(retried, "api {api}: {}", run.stderr);
        if api != "6" {
            let shown = logs(&run);
            let want = expected(Scenario::Flaky, 3, &id);
            // In order, never twice, no silent hole: a prefix of the log. Only its end may be
            // lost, when the last polls fail and the task ends meanwhile (its log goes with it).
            assert!(shown.len() >= 5, "api {api}: {shown:?}");
            assert_eq!(shown[..], want[..shown.len()], "api {api}");
            assert_eq!(end(&run)["lines"], shown.len());
        }
    });
}

#[test]
fn slow_answers_are_timed_out_and_retried() {
    let serve = Serve::start_seeded(
        SEED,
        &[
            "--scenario",
            "slow",
            "--slow-delay",
            "2s",
            "--fault-percent",
            "25",
            "--duration",
            "3s",
        ],
    );
    let run = watch(
        &serve,
        &["--request-timeout", "400ms", "--trigger", "profile", "slow"],
    );
    run.assert_code(0);
    run.assert_stderr_has("the request timed out");
    let shown = logs(&run);
    let want = expected(Scenario::Slow, 3, "slow");
    assert!(shown.len() >= 5, "{shown:?}");
    assert_eq!(shown[..], want[..shown.len()]);
}

#[test]
fn tokens_are_required_when_set() {
    let serve = Serve::start_seeded(
        SEED,
        &["--token", "sim-token", "--task", "t1", "--duration", "2s"],
    );
    let denied = run(&["status", "--base-url", &serve.url, "t1"]);
    denied.assert_code(4);
    let (status, body) = serve.raw(
        "GET",
        "/codvid-ai/ig-tracking/profile_tracking_task_status/t1",
        None,
        "",
    );
    assert_eq!(status, 401);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        serde_json::json!({"error": "Unauthorized: missing or invalid token"})
    );
    let mut cmd = bin();
    cmd.args(["watch", "--base-url", &serve.url, "-i", "200ms", "t1"])
        .env("TASKWATCH_TOKEN", "sim-token");
    let run = run_with(&mut cmd);
    run.assert_code(0);
    assert!(run.stdout.contains("Task completed"));
}

#[test]
fn a_running_task_is_409_and_trigger_follows_it() {
    let serve = Serve::start_seeded(SEED, &["--task", "busy", "--duration", "2s"]);
    let (status, body) = serve.json(
        "POST",
        "/codvid-ai/ig-tracking/force_scrape_profile_tracking_task/busy",
        "",
    );
    assert_eq!(status, 409);
    assert_eq!(
        body,
        serde_json::json!({"result": false, "message": "Task is already being processed"})
    );
    let run = watch(&serve, &["--trigger", "profile", "busy"]);
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("busy is already being processed: following it"),
        "{}",
        run.stderr
    );
}

#[test]
fn trigger_failures_are_reported() {
    let serve = Serve::start_seeded(SEED, &["--token", "x"]);
    let run = watch(&serve, &["--trigger", "profile", "t"]);
    run.assert_code(4);
    run.assert_stderr_has("could not start the task: HTTP 401");
    let e = end(&run);
    assert_eq!(e["outcome"], "auth_error");
}

#[test]
fn status_against_the_simulator() {
    let serve = Serve::start_seeded(SEED, &["--api", "7", "--task", "s1", "--duration", "5s"]);
    serve.wait_for_lines("s1", 1);
    let run = run(&["status", "--base-url", &serve.url, "s1"]);
    run.assert_code(0);
    run.assert_stdout_has("s1: processing");
    let gone = run_status(&serve, "nobody");
    assert_eq!(gone, 3);
}

fn run_status(serve: &Serve, id: &str) -> i32 {
    run(&["status", "--base-url", &serve.url, id]).code
}

#[test]
fn the_wire_shapes_are_the_documented_ones() {
    let serve = Serve::start_seeded(SEED, &["--api", "7", "--task", "w", "--duration", "5s"]);
    serve.wait_for_lines("w", 2);
    let (status, v) = serve.json(
        "GET",
        "/codvid-ai/ig-tracking/task_status/w?logs_count=2",
        "",
    );
    assert_eq!(status, 200);
    assert_eq!(v["result"], true);
    let r = v["response"].as_object().unwrap();
    let mut keys: Vec<&str> = r.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "is_processing",
            "latest_event",
            "logs",
            "logs_count",
            "requested_logs_count",
            "started_at",
            "status",
            "task_id",
            "updated_at"
        ]
    );
    assert_eq!(r["is_processing"], true);
    assert_eq!(r["status"], "processing");
    assert!(r["started_at"].is_u64() && r["updated_at"].is_u64());
    let logs = r["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 2);
    assert_eq!(r["requested_logs_count"], 2);
    assert!(r["logs_count"].as_u64().unwrap() >= 2);
    let mut entry: Vec<&str> = logs[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    entry.sort_unstable();
    assert_eq!(entry, ["message", "timestamp"]);
    assert_eq!(r["latest_event"], logs[1]);

    for (q, n) in [("", 10), ("?logs_count=0", 1), ("?logs_count=500", 100)] {
        let (_, v) = serve.json(
            "GET",
            &format!("/codvid-ai/ig-tracking/task_status/w{q}"),
            "",
        );
        let want = n.min(v["response"]["logs_count"].as_u64().unwrap() as usize);
        assert_eq!(
            v["response"]["logs"].as_array().unwrap().len(),
            want,
            "logs_count clamped: {q}"
        );
    }

    let (status, v) = serve.json("GET", "/codvid-ai/ig-tracking/task_status/unknown", "");
    assert_eq!(status, 200);
    assert_eq!(
        v,
        serde_json::json!({"result": true, "response": {"task_id": "unknown", "is_processing": false, "logs": [], "logs_count": 0}})
    );
    let (status, body) = serve.raw(
        "GET",
        "/codvid-ai/ig-tracking/profile_tracking_task_status/w",
        None,
        "",
    );
    assert_eq!(status, 404);
    assert!(body.contains("<title>404 Not Found</title>"));
    assert_eq!(
        serve.json("GET", "/codvid-ai/ping", ""),
        (200, serde_json::json!({"message": "pong"}))
    );
    assert_eq!(serve.json("POST", "/codvid-ai/ping", "").0, 200);

    let v6 = Serve::start_seeded(SEED, &["--api", "6", "--task", "e", "--duration", "5s"]);
    v6.wait_for_lines("e", 1);
    let (_, v) = v6.json("GET", "/codvid-ai/ig-tracking/task_status/e", "");
    let r = v["response"].as_object().unwrap();
    let mut keys: Vec<&str> = r.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "is_processing",
            "latest_event",
            "logs_count",
            "status",
            "task_id"
        ]
    );
    assert!(r["latest_event"]["event"].is_string());
    assert!(r["latest_event"]["timestamp"].is_u64());
    assert!(r["latest_event"].get("message").is_none());
}

#[test]
fn the_demo_runs_to_completion() {
    let run = run(&["demo", "--duration", "3s"]);
    run.assert_code(0);
    run.assert_stdout_has("Task completed");
    assert!(
        run.stdout.contains("\\e[32mOK"),
        "escapes are shown, not obeyed"
    );
    assert!(
        run.stderr.contains("gap:"),
        "the burst shows gap handling: {}",
        run.stderr
    );
    assert!(run.stderr.contains("finished after"));
}

#[test]
fn serve_stops_cleanly_on_interrupt() {
    let mut serve = Serve::start_seeded(SEED, &[]);
    std::process::Command::new("kill")
        .args(["-INT", &serve.child.id().to_string()])
        .status()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = serve.child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(0));
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5));
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn steady_tasks_write_their_lines_at_their_rate() {
    let serve = Serve::start_seeded(
        SEED,
        &["--scenario", "steady", "--lines", "40", "--rate", "20"],
    );
    let run = watch(&serve, &["--trigger", "profile", "st"]);
    run.assert_code(0);
    let records = run.records();
    let indices: Vec<u64> = records
        .iter()
        .filter(|r| r["type"] == "log")
        .map(|r| r["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indices, (0..40).collect::<Vec<_>>());
    assert_eq!(logs(&run)[39], "Stored comment batch 40/40");
    assert!(
        run.elapsed > Duration::from_millis(1900),
        "40 lines at 20 a second take two seconds: {:?}",
        run.elapsed
    );
}

#[test]
fn serve_on_a_taken_port_says_so_and_exits_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = run(&["serve", "--port", &port]);
    run.assert_code(1);
    assert!(
        run.stderr
            .contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{}",
        run.stderr
    );
}

#[test]
fn serve_says_when_it_wants_a_token_and_where_it_came_from() {
    use std::io::BufRead;
    for (env, args, says) in [
        (
            Some("abc"),
            &[][..],
            "every route wants the token given by TASKWATCH_TOKEN",
        ),
        (
            None,
            &["--token", "abc"][..],
            "every route wants the token given by --token",
        ),
        (None, &[][..], "tasks of 30.0s; Ctrl-C stops"),
    ] {
        let mut cmd = bin();
        cmd.args(["serve", "--port", "0"]).args(args);
        if let Some(token) = env {
            cmd.env("TASKWATCH_TOKEN", token);
        }
        let mut child = cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut banner = String::new();
        std::io::BufReader::new(child.stderr.take().unwrap())
            .read_line(&mut banner)
            .unwrap();
        let _ = child.kill();
        let _ = child.wait();
        assert!(banner.contains(says), "{args:?}: {banner}");
    }
}

/// `serve` says which tasks run and how others start (the options given repeated), and
/// `watch ID` of a task that does not run says `--trigger profile` starts it.
#[test]
fn serve_says_how_tasks_start_and_watch_says_how_to_start_one() {
    use std::io::BufRead;
    let mut child = bin()
        .args([
            "serve",
            "--port",
            "0",
            "--task",
            "t1",
            "--profiles",
            "3",
            "--schedule",
            "0s",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut url = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let url = url.trim().to_string();
    let mut banner = String::new();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    while !banner.contains("--trigger profile ID") {
        let mut line = String::new();
        if err.read_line(&mut line).unwrap() == 0 {
            break;
        }
        banner.push_str(&line);
    }
    assert!(
        banner.contains("started at launch: t1 (--task)"),
        "{banner}"
    );
    assert!(
        banner.contains("3 tracked profiles, none started on their own"),
        "{banner}"
    );
    assert!(
        banner.contains(&format!(
            "taskwatch watch --base-url {url} --trigger profile ID"
        )),
        "{banner}"
    );
    for line in banner.lines() {
        assert!(line.chars().count() <= 80, "fits 80 columns: {line}");
    }
    let run = crate::common::run(&["watch", "--base-url", &url, "idle"]);
    run.assert_code(3);
    run.assert_stderr_has("--trigger profile");
    let _ = child.kill();
    let _ = child.wait();
}
