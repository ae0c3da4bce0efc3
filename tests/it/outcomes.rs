//! Exit codes, faults, retries, auth, `wait`, `status` and flag errors, through the real binary.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use crate::common::*;

#[test]
fn server_hiccups_are_retried_without_loss_or_duplicates() {
    let server = Server::start(Api::V7);
    server.task(
        "f",
        Task::new([
            Step::Grow(lines("l", 0..3)),
            fault(
                500,
                "application/json",
                r#"{"result": false, "message": "Error retrieving task status: db down"}"#,
            ),
            Step::Grow(lines("l", 3..6)),
            fault(
                502,
                "text/html",
                "<html><body><h1>502 Bad Gateway</h1></body></html>",
            ),
            fault(
                200,
                "application/json",
                r#"{"result": true, "response": {"task_id": "f", "is_proc"#,
            ),
            Step::Grow(lines("l", 6..8)),
            Step::Fault {
                status: 429,
                content_type: "application/json",
                body: r#"{"result": false, "message": "slow down"}"#.into(),
                retry_after: Some(1),
            },
            fault(200, "text/html", "<html>maintenance</html>"),
            Step::Grow(lines("l", 8..9)),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["f"]);
    run.assert_code(0);
    assert_eq!(plain_messages(&run), server.written("f"));
    let err = &run.stderr;
    assert!(
        err.contains("HTTP 500 Internal Server Error: Error retrieving task status: db down"),
        "{err}"
    );
    assert!(
        err.contains("HTTP 502 Bad Gateway: <html><body><h1>502 Bad Gateway</h1></body></html>"),
        "{err}"
    );
    assert!(
        err.contains("HTTP 429 Too Many Requests: slow down"),
        "{err}"
    );
    assert!(err.contains("recovered after"), "{err}");
    assert!(
        run.elapsed >= Duration::from_secs(1),
        "Retry-After: 1 is honoured ({:?})",
        run.elapsed
    );
}

#[test]
fn truncated_and_non_json_bodies_are_named() {
    let server = Server::start(Api::V7);
    server.task(
        "t",
        Task::new([
            fault(200, "application/json", r#"{"result": true, "response": {"#),
            fault(200, "text/plain", "hello"),
            fault(200, "application/json", r#"{"result": true}"#),
            Step::Grow(lines("l", 0..1)),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["-v", "t"]);
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("HTTP 200 OK, but the JSON is truncated"),
        "{}",
        run.stderr
    );
    assert_eq!(plain_messages(&run), vec!["l 0"]);
}

#[test]
fn a_slow_answer_times_out_and_is_retried() {
    let server = Server::start(Api::V7);
    server.task(
        "s",
        Task::new([
            Step::Grow(lines("l", 0..2)),
            Step::Slow(Duration::from_millis(1500), lines("l", 2..4)),
            Step::Grow(lines("l", 4..5)),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["--request-timeout", "300ms", "s"]);
    run.assert_code(0);
    run.assert_stderr_has("the request timed out");
    assert_eq!(plain_messages(&run), server.written("s"));
}

#[test]
fn persistent_failure_gives_up_with_exit_5() {
    let server = Server::start(Api::V7);
    let steps: Vec<Step> = std::iter::once(Step::Grow(lines("l", 0..1)))
        .chain((0..100).map(|_| fault(503, "text/html", "<h1>Service Unavailable</h1>")))
        .collect();
    server.task("down", Task::new(steps));
    let run = against(&server, "watch", &["--give-up-after", "1500ms", "down"]);
    run.assert_code(5);
    run.assert_stderr_has("HTTP 503 Service Unavailable");
    run.assert_stderr_has("requests failing for");
    assert!(run.elapsed < Duration::from_secs(10));
}

#[test]
fn unreachable_server_is_exit_5() {
    // Nothing listens there, and no other test's server can take the port meanwhile.
    let refusing = refusing_port();
    let url = format!("http://127.0.0.1:{}", refusing.port);
    let run = run(&[
        "wait",
        "--base-url",
        &url,
        "-i",
        "100ms",
        "--give-up-after",
        "1s",
        "x",
    ]);
    run.assert_code(5);
    assert!(
        run.stderr.to_lowercase().contains("connect"),
        "{}",
        run.stderr
    );
}

#[test]
fn no_status_route_is_exit_5_at_once() {
    let server = Server::start(Api::V7);
    let base = format!("{}/wrong", server.url);
    let run = run(&["watch", "--base-url", &base, "x"]);
    run.assert_code(5);
    run.assert_stderr_has("HTTP 404 Not Found at");
    assert!(run.stderr.contains("--base-url"), "a hint: {}", run.stderr);
    assert_eq!(
        server.requests().len(),
        2,
        "both paths tried once, not retried"
    );
}

#[test]
fn auth_failures_are_exit_4_not_retried_and_never_leak_the_token() {
    let server = Server::start(Api::V7).with_token("s3cr3t-token-value");
    server.task("a", Task::new([Step::Grow(lines("l", 0..1)), Step::End]));
    let run = against(
        &server,
        "watch",
        &["--token", "wrong-t0ken-value", "-vv", "a"],
    );
    run.assert_code(4);
    run.assert_stderr_has("HTTP 401 Unauthorized");
    assert!(run
        .stderr
        .contains("Unauthorized: missing or invalid token"));
    assert!(
        run.stderr.contains("TASKWATCH_TOKEN"),
        "a hint: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("wrong-t0ken-value") && !run.stdout.contains("wrong-t0ken-value"));
    assert_eq!(server.status_requests("a").len(), 1);

    let quiet = against(&server, "wait", &["-q", "a"]);
    assert_eq!(quiet.code, 4);
    assert!(quiet.stderr.contains("401"), "errors are said even with -q");

    let message_shape = Server::start(Api::V8).with_token("t").auth_as_message();
    let run = against(&message_shape, "status", &["x"]);
    assert_eq!(run.code, 4);
    run.assert_stderr_has("Unauthorized: invalid token");
}

#[test]
fn the_token_is_sent_as_a_bearer_from_flag_env_or_file() {
    let server = Server::start(Api::V7).with_token("s3cr3t");
    server.task("a", Task::new([Step::Grow(lines("l", 0..1)), Step::End]));
    let run = against(&server, "watch", &["--token", "s3cr3t", "-vv", "a"]);
    run.assert_code(0);
    assert!(!run.stderr.contains("s3cr3t"));

    server.task("b", Task::new([Step::Grow(lines("l", 0..1)), Step::End]));
    let mut cmd = bin();
    cmd.args(["watch", "--base-url", &server.url, "-i", "100ms", "b"])
        .env("TASKWATCH_TOKEN", "s3cr3t");
    assert_eq!(run_with(&mut cmd).code, 0);

    let dir = std::env::temp_dir().join(format!("taskwatch-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("token");
    std::fs::write(&file, "s3cr3t\n").unwrap();
    server.task("c", Task::new([Step::Grow(lines("l", 0..1)), Step::End]));
    let run = against(
        &server,
        "watch",
        &["--token-file", file.to_str().unwrap(), "c"],
    );
    run.assert_code(0);
    let run = against(
        &server,
        "watch",
        &["--token-file", "/nonexistent/token", "c"],
    );
    assert_eq!(run.code, 2);
    assert!(run
        .stderr
        .contains("cannot read --token-file /nonexistent/token"));
}

#[test]
fn headers_are_sent() {
    let server = Server::start(Api::V7);
    let run = against(
        &server,
        "status",
        &["-H", "X-Team: growth", "-H", "X-Other:1", "x"],
    );
    assert_eq!(run.code, 3);
    let req = &server.requests()[0];
    assert_eq!(req.headers["x-team"], "growth");
    assert_eq!(req.headers["x-other"], "1");
    assert!(req.headers.get("authorization").is_none());
}

#[test]
fn a_task_never_seen_is_exit_3_with_an_explanation() {
    let server = Server::start(Api::V7);
    let run = against(&server, "watch", &["ghost"]);
    assert_eq!(run.code, 3);
    run.assert_stderr_has("finished already or the id is unknown");
    assert_eq!(server.status_requests("ghost").len(), 1);
}

#[test]
fn start_timeout_waits_for_the_task_to_appear() {
    let server = Server::start(Api::V7);
    server.task(
        "late",
        Task::new([
            Step::Absent,
            Step::Absent,
            Step::Absent,
            Step::Grow(lines("l", 0..2)),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["--start-timeout", "10s", "late"]);
    run.assert_code(0);
    assert_eq!(plain_messages(&run), vec!["l 0", "l 1"]);

    let run = against(&server, "wait", &["--start-timeout", "400ms", "never"]);
    assert_eq!(run.code, 3);
    assert!(server.status_requests("never").len() >= 3);
}

#[test]
fn timeout_is_exit_124_with_the_resume_index() {
    let server = Server::start(Api::V7);
    let steps: Vec<Step> = (0..200).map(|i| Step::Grow(lines("l", i..i + 1))).collect();
    server.task("long", Task::new(steps));
    let run = against(&server, "watch", &["--timeout", "700ms", "long"]);
    run.assert_code(124);
    let shown = plain_messages(&run).len();
    assert!(shown >= 3);
    assert!(
        run.stderr
            .contains(&format!("resume with --from-index {shown}")),
        "{}",
        run.stderr
    );
}

#[test]
fn fail_on_marks_failed_but_follows_to_the_end() {
    let server = Server::start(Api::V7);
    server.task(
        "f",
        Task::new([
            Step::Grow(vec!["starting".into()]),
            Step::Grow(vec!["ERROR: could not fetch profile".into()]),
            Step::Grow(vec!["cleaning up".into()]),
            Step::End,
        ]),
    );
    let run = against(
        &server,
        "watch",
        &["--fail-on", "^ERROR", "--fail-on", "Traceback", "f"],
    );
    run.assert_code(1);
    assert_eq!(
        plain_messages(&run),
        vec!["starting", "ERROR: could not fetch profile", "cleaning up"]
    );
    run.assert_stderr_has("matched --fail-on");
}

#[test]
fn a_failed_status_is_exit_1() {
    let server = Server::start(Api::V7);
    server.task(
        "s",
        Task::new([
            Step::Grow(lines("l", 0..1)),
            Step::Status("Failed".into()),
            Step::End,
        ]),
    );
    let run = against(&server, "wait", &["-o", "json", "s"]);
    run.assert_code(1);
    let records = run.records();
    assert_eq!(
        records.len(),
        1,
        "wait prints only the end record: {records:?}"
    );
    assert_eq!(records[0]["outcome"], "failed");
    assert_eq!(records[0]["exit_code"], 1);
    assert!(records[0]["error"].as_str().unwrap().contains("Failed"));
}

#[test]
fn wait_prints_no_lines_and_one_result() {
    let server = Server::start(Api::V7);
    server.task(
        "w",
        Task::new([
            Step::Grow(lines("l", 0..5)),
            Step::Grow(lines("l", 5..7)),
            Step::End,
        ]),
    );
    let run = against(&server, "wait", &["w"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "");
    run.assert_stderr_has("w finished after");
    run.assert_stderr_has("7 lines");

    server.task("q", Task::new([Step::Grow(lines("l", 0..5)), Step::End]));
    let quiet = against(&server, "wait", &["-q", "q"]);
    assert_eq!(
        (quiet.code, quiet.stdout.as_str(), quiet.stderr.as_str()),
        (0, "", "")
    );
}

/// `wait` with several tasks ends as the README says: no line on stdout, the summary table on
/// stderr (one row per task, lines counted as seen), not a result line per task.
#[test]
fn wait_with_several_tasks_ends_with_the_summary_table() {
    let server = Server::start(Api::V7);
    for (id, n) in [("wa", 4), ("wb", 6)] {
        server.task(id, Task::new([Step::Grow(lines(id, 0..n)), Step::End]));
    }
    let run = against(&server, "wait", &["wa", "wb"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    let table: Vec<&str> = run.stderr.lines().collect();
    assert!(
        table[0].starts_with("task  outcome") && table[0].contains("lines"),
        "{}",
        run.stderr
    );
    for (id, n) in [("wa", "4"), ("wb", "6")] {
        let row = table
            .iter()
            .find(|l| l.starts_with(&format!("{id} ")))
            .unwrap_or_else(|| panic!("no row for {id}:\n{}", run.stderr));
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!((cells[1], cells[3]), ("finished", n), "{row}");
    }
    run.assert_stderr_lacks("finished after");
}

#[test]
fn the_worst_outcome_decides_the_exit_code() {
    let server = Server::start(Api::V7);
    server.task("ok", Task::new([Step::Grow(lines("l", 0..1)), Step::End]));
    server.task(
        "bad",
        Task::new([Step::Grow(vec!["FATAL".into()]), Step::End]),
    );
    let run = against(
        &server,
        "wait",
        &["--fail-on", "FATAL", "ok", "ghost", "bad"],
    );
    assert_eq!(
        run.code, 1,
        "failed (1) outranks not seen (3) and finished (0): {}",
        run.stderr
    );
    for (task, outcome) in [
        ("ok", "finished"),
        ("ghost", "never seen"),
        ("bad", "failed"),
    ] {
        assert!(
            run.stderr
                .lines()
                .any(|l| l.starts_with(task) && l.contains(outcome)),
            "{task} {outcome}: {}",
            run.stderr
        );
    }
}

#[test]
fn status_prints_the_state_and_exits_0_or_3() {
    let server = Server::start(Api::V7);
    server.task("p", Task::new([Step::Grow(lines("l", 0..30))]));
    let run = against(&server, "status", &["-n", "5", "p"]);
    run.assert_code(0);
    run.assert_stdout_has("p: processing (status: processing)");
    assert!(run.stdout.contains("30 in total"));
    assert!(
        run.stdout.contains("l 29") && run.stdout.contains("l 25") && !run.stdout.contains("l 24")
    );
    assert_eq!(server.requests().len(), 1, "one request");

    let json = against(&server, "status", &["-o", "json", "-n", "2", "p"]);
    let v = &json.records()[0];
    assert_eq!(v["type"], "status");
    assert_eq!(v["task_id"], "p");
    assert_eq!(v["is_processing"], true);
    assert_eq!(v["logs_count"], 30);
    assert_eq!(v["logs"][1]["index"], 29);
    assert_eq!(v["logs"][1]["message"], "l 29");

    let gone = against(&server, "status", &["gone"]);
    assert_eq!(gone.code, 3);
    assert!(gone.stdout.contains("not processing"));
}

#[test]
fn flag_errors_name_the_flag_and_range() {
    for (args, needle) in [
        (vec!["watch", "-n", "0", "t"], "--logs-count"),
        (vec!["watch", "--logs-count", "101", "t"], "1 to 100"),
        (vec!["watch", "--interval", "50ms", "t"], "at least 100ms"),
        (vec!["watch", "--interval", "soon", "t"], "--interval"),
        (vec!["watch", "--timeout", "forever", "t"], "--timeout"),
        (vec!["watch", "-H", "nocolon", "t"], "Name: value"),
        (vec!["watch", "--fail-on", "(", "t"], "--fail-on"),
        (vec!["watch", "--base-url", "ftp://x", "t"], "scheme"),
        (
            vec!["watch", "--api-path", "/no/placeholder", "t"],
            "{task_id}",
        ),
        (vec!["watch", "--output", "xml", "t"], "--output"),
        (vec!["watch"], "TASK_ID"),
        (vec!["status", "-n", "200", "t"], "1 to 100"),
    ] {
        let run = run(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "");
    }
}

#[test]
fn help_has_examples_for_each_user() {
    let run = run(&["--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("At a terminal:") && run.stdout.contains("In CI:"));
}

/// Starts `taskwatch watch` on an endless task and waits for its first line.
fn endless_watch(
    server: &Server,
    extra: &[&str],
) -> (std::process::Child, BufReader<std::process::ChildStdout>) {
    let steps: Vec<Step> = (0..2000)
        .map(|i| Step::Grow(lines("l", i * 3..i * 3 + 3)))
        .collect();
    server.task("endless", Task::new(steps));
    let mut child = bin()
        .args(["watch", "--base-url", &server.url, "-i", "100ms"])
        .args(extra)
        .arg("endless")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.contains("l 0"), "{first:?}");
    (child, out)
}

#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    let server = Server::start(Api::V7);
    let (mut child, out) = endless_watch(&server, &[]);
    drop(out);
    let mut stderr = child.stderr.take().unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still running after the pipe closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut err).unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked") && !err.contains("error"), "{err}");
}

#[test]
fn interrupt_prints_the_summary_and_exits_130() {
    let server = Server::start(Api::V7);
    for signal in ["-INT", "-TERM"] {
        // The first line is out: the signal handlers are in place (they are before polling).
        let (mut child, out) = endless_watch(&server, &[]);
        let ok = std::process::Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        child.stdout = Some(out.into_inner());
        let run = finish(child, Duration::from_secs(10));
        assert_eq!(run.code, 130, "{signal}: {}", run.stderr);
        run.assert_stderr_has("interrupted after");
        run.assert_stderr_has("resume with --from-index");
    }
}

/// A task writing far more than a pipe holds; `stdout` is a pipe nobody reads.
fn stuck_watch(server: &Server, extra: &[&str]) -> std::process::Child {
    let steps: Vec<Step> = (0..50)
        .map(|i| Step::Grow(vec![format!("{i} {}", "z".repeat(4000)); 100]))
        .collect();
    server.task("stuck", Task::new(steps));
    bin()
        .args(["watch", "--base-url", &server.url, "-i", "100ms", "stuck"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn one_sigterm_ends_the_run_even_when_output_is_stuck() {
    let server = Server::start(Api::V7);
    for signal in ["-TERM", "-INT"] {
        let asked = server.status_requests("stuck").len();
        let mut child = stuck_watch(&server, &[]);
        // Two answers of 400 kB each are in: far more than a pipe holds, so output is stuck.
        eventually(Duration::from_secs(20), "two status requests", || {
            server.status_requests("stuck").len() >= asked + 3
        });
        assert!(
            child.try_wait().unwrap().is_none(),
            "blocked on the full pipe"
        );
        let pid = child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap();
        assert!(sent.success());
        let started = std::time::Instant::now();
        let mut stderr = child.stderr.take().unwrap();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "{signal}: one signal did not end the run within 2 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut err = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut err).unwrap();
        assert_eq!(status.code(), Some(130), "{signal}: {err}");
        assert!(err.contains("stuck interrupted after"), "{signal}: {err}");
        assert!(err.contains("resume with --from-index"), "{signal}: {err}");
        // What reached the pipe: the summary and the resume index claim no more than that,
        // so resuming from the index loses nothing.
        let mut out = String::new();
        std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
        let written = out.matches('\n').count() as u64;
        let number = |after: &str, until: char| -> u64 {
            let at = err
                .find(after)
                .unwrap_or_else(|| panic!("{after:?} in {err}"))
                + after.len();
            err[at..]
                .split(until)
                .next()
                .unwrap()
                .trim()
                .parse()
                .unwrap()
        };
        let shown = number("s: ", ' ');
        let resume = number("--from-index ", '\n');
        assert!(
            shown <= written,
            "{signal}: {shown} shown, {written} written: {err}"
        );
        assert!(
            resume <= written,
            "{signal}: resume at {resume}, {written} written"
        );
    }
}

/// Runs a command whose stdout is already set; returns its exit code and stderr.
fn to_full_disk(cmd: &mut std::process::Command) -> (Option<i32>, String) {
    let child = cmd.stderr(Stdio::piped()).spawn().unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn one_sigterm_ends_the_run_after_the_tasks_ended_with_output_stuck() {
    let server = Server::start(Api::V7);
    let mut steps: Vec<Step> = (0..5)
        .map(|i| Step::Grow(vec![format!("{i} {}", "z".repeat(4000)); 100]))
        .collect();
    steps.push(Step::End);
    server.task("stuck", Task::new(steps));
    let mut child = bin()
        .args(["watch", "--base-url", &server.url, "-i", "100ms", "stuck"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the task has ended (its state is gone), with output still stuck: five
    // answers with lines, the end, and the request that confirms it. Then a moment for that
    // last answer to be taken in (local work, no request left).
    eventually(Duration::from_secs(20), "the task's end confirmed", || {
        server.status_requests("stuck").len() >= 7
    });
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "blocked on the full pipe"
    );
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let run = finish(child, Duration::from_secs(5));
    run.assert_code(130);
    assert_eq!(
        run.stderr.matches("stuck finished after").count(),
        1,
        "one summary: {}",
        run.stderr
    );
}

#[test]
fn after_a_retry_the_schedule_continues_from_the_retry() {
    let server = Server::start(Api::V7);
    server.task(
        "t1",
        Task::new([
            Step::Grow(lines("l", 0..1)),
            Step::Fault {
                status: 503,
                content_type: "application/json",
                body: "{}".into(),
                retry_after: Some(2),
            },
            Step::Grow(lines("l", 1..2)),
            Step::Same,
            Step::End,
        ]),
    );
    let run = run(&["watch", "--base-url", &server.url, "-i", "1s", "t1"]);
    run.assert_code(0);
    let at: Vec<_> = server.status_requests("t1").iter().map(|r| r.at).collect();
    // Four polls, the end, and the request that confirms it one --min-interval later.
    assert_eq!(at.len(), 6);
    assert!(at[5] - at[4] >= Duration::from_millis(240), "{at:?}");
    // Lower bounds only: a loaded machine can make polls late, never early.
    assert!(at[2] - at[1] >= Duration::from_millis(1900), "{at:?}");
    assert!(
        at[3] - at[2] >= Duration::from_millis(900),
        "the poll after a recovery keeps the interval: {at:?}"
    );
}

#[test]
fn a_full_disk_is_not_success() {
    let server = Server::start(Api::V7);
    server.task("t1", Task::new([Step::Grow(lines("l", 0..5)), Step::End]));
    for format in ["plain", "json"] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let (code, err) = to_full_disk(
            bin()
                .args(["watch", "--base-url", &server.url, "-i", "100ms"])
                .args(["-o", format, "t1"])
                .stdout(full),
        );
        assert_eq!(code, Some(74), "{format}: {err}");
        assert_eq!(
            err.matches("cannot write output").count(),
            1,
            "{format}: reported once: {err}"
        );
    }
    for args in [&["completions", "bash"][..], &["man"]] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let run = to_full_disk(bin().args(args).stdout(full));
        assert_eq!(run.0, Some(74), "{args:?}: {}", run.1);
        assert!(run.1.contains("No space left"), "{}", run.1);
    }
}

#[test]
fn head_minus_one_is_success() {
    let server = Server::start(Api::V7);
    let steps: Vec<Step> = (0..300)
        .map(|i| Step::Grow(lines("l", i * 50..i * 50 + 50)))
        .collect();
    server.task("t1", Task::new(steps));
    let cmd = format!(
        "'{}' watch --base-url {} -i 100ms t1 | head -1; echo \"exit=${{PIPESTATUS[0]}}\"",
        env!("CARGO_BIN_EXE_taskwatch"),
        server.url
    );
    let run = run_with(isolate(&mut std::process::Command::new("bash")).args(["-c", &cmd]));
    assert!(run.stdout.starts_with("20"), "{}", run.stdout);
    assert!(
        run.stdout.contains("exit=0"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

/// One "not processing" answer between processing ones (a worker or replica that does not
/// know the task) is not the end: the end is confirmed by one more request, and a flap is
/// followed on, said with -v. A CI gate must not go green on it.
#[test]
fn a_single_not_processing_answer_is_a_flap_not_the_end() {
    let server = Server::start(Api::V7);
    let gone = r#"{"result": true, "response": {"task_id": "f", "is_processing": false, "logs": [], "logs_count": 0}}"#;
    server.task(
        "f",
        Task::new([
            Step::Grow(lines("l", 0..3)),
            Step::Raw(gone.into()),
            Step::Grow(lines("l", 3..6)),
            Step::Status("failed".into()),
            Step::End,
        ]),
    );
    let run = run(&[
        "watch",
        "--base-url",
        &server.url,
        "-i",
        "100ms",
        "-o",
        "json",
        "-v",
        "f",
    ]);
    assert_eq!(
        run.code, 1,
        "the task failed after the flap: {}",
        run.stderr
    );
    let shown: Vec<String> = run
        .records()
        .iter()
        .filter(|r| r["type"] == "log")
        .map(|r| r["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(shown, lines("l", 0..6));
    assert!(
        run.stderr
            .contains("still following (ends not confirmed: once)"),
        "{}",
        run.stderr
    );
}

/// A flap that says `failed` does not decide the exit code: the real end does.
#[test]
fn a_flaps_failed_status_is_not_the_outcome() {
    let server = Server::start(Api::V7);
    let flap = r#"{"result": true, "response": {"task_id": "f", "is_processing": false, "status": "failed", "logs": [], "logs_count": 0}}"#;
    server.task(
        "f",
        Task::new([
            Step::Grow(lines("l", 0..3)),
            Step::Raw(flap.into()),
            Step::Grow(lines("l", 3..6)),
            Step::End,
        ]),
    );
    let run = run(&["watch", "--base-url", &server.url, "-i", "100ms", "f"]);
    run.assert_code(0);
    assert_eq!(run.stdout.lines().count(), 6, "{}", run.stdout);
}

/// Values are case-insensitive where nothing is ambiguous.
#[test]
fn values_are_case_insensitive() {
    let server = Server::start(Api::V7);
    server.task("c", Task::new([Step::Grow(lines("l", 0..2)), Step::End]));
    let run = run(&[
        "watch",
        "--base-url",
        &server.url,
        "-i",
        "100ms",
        "--output",
        "JSON",
        "--color",
        "NEVER",
        "-n",
        "AUTO",
        "c",
    ]);
    run.assert_code(0);
    assert_eq!(
        run.records().iter().filter(|r| r["type"] == "log").count(),
        2
    );
    let shown = crate::common::run(&["completions", "BASH"]);
    shown.assert_code(0);
}
