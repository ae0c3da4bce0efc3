//! The archive through the binary: `watch --archive` records, `logs` reads back exactly what
//! `watch` printed, two recorders and a killed one make one run, `logs -f` follows another
//! process's recording, an archive that cannot be written is exit 74 with stdout complete,
//! `record` records every run and ends with 0 on SIGTERM, `history`, `stats`, `prune` and the
//! time left estimated from past runs.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::*;
use serde_json::Value;

/// A fresh archive path in its own directory (kept alive by the returned guard).
fn archive() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/archive.sqlite3");
    (dir, path.to_string_lossy().into_owned())
}

/// `taskwatch ARGS` with the archive at `db`.
fn with_db(db: &str, args: &[&str]) -> Command {
    let mut cmd = bin();
    cmd.env("TASKWATCH_ARCHIVE_DB", db).args(args);
    cmd
}

fn run_db(db: &str, args: &[&str]) -> Run {
    run_with(&mut with_db(db, args))
}

fn spawn(mut cmd: Command) -> Child {
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs")
}

/// `history -o json` as records.
fn history(db: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["history", "-o", "json"];
    args.extend(extra);
    let run = run_db(db, &args);
    assert!(matches!(run.code, 0 | 3), "{}", run.stderr);
    run.records()
}

/// The `log`, `gap` and `restart` records of JSON output: what the archive must reproduce.
fn stream(run: &Run) -> Vec<Value> {
    run.records()
        .into_iter()
        .filter(|r| matches!(r["type"].as_str(), Some("log" | "gap" | "restart")))
        .collect()
}

fn indices(run: &Run) -> Vec<u64> {
    run.records()
        .iter()
        .filter(|r| r["type"] == "log")
        .map(|r| r["index"].as_u64().unwrap())
        .collect()
}

#[test]
fn a_recorded_run_reads_back_as_watch_printed_it() {
    let server = Server::start(Api::V8);
    server.task(
        "t1",
        Task::new([
            Step::Grow(lines("first", 0..3)),
            // More than the window of 5: a gap of 15.
            Step::Grow(lines("burst", 0..20)),
            Step::Same,
            Step::Restart(lines("again", 0..4)),
            Step::Grow(lines("late", 0..2)),
            Step::End,
        ]),
    );
    let (_dir, db) = archive();
    let mut args = vec!["watch", "t1", "--base-url", &server.url, "-i", "100ms"];
    args.extend(["-n", "5", "--archive", "-o", "json"]);
    let watched = run_db(&db, &args);
    watched.assert_code(0);
    let printed = stream(&watched);
    assert!(
        printed
            .iter()
            .any(|r| r["type"] == "gap" && r["missed"] == 15),
        "the script makes a gap: {printed:?}"
    );
    assert!(
        printed.iter().any(|r| r["type"] == "restart"),
        "and a restart: {printed:?}"
    );
    // The restart began a second run: the two read back in order are the stream printed.
    let runs = history(&db, &[]);
    assert_eq!(runs.len(), 2, "{runs:?}");
    let mut read_back = Vec::new();
    for k in ["1", "2"] {
        let logs = run_db(&db, &["logs", "t1", "--run", k, "-o", "json"]);
        logs.assert_code(0);
        read_back.extend(stream(&logs));
    }
    assert_eq!(read_back, printed);
    // The latest run's end record comes from the archive.
    let latest = run_db(&db, &["logs", "t1", "-o", "json"]);
    let end = latest.records().pop().unwrap();
    assert_eq!(
        (
            end["type"].as_str(),
            end["outcome"].as_str(),
            end["lines"].as_u64()
        ),
        (Some("end"), Some("finished"), Some(6))
    );
    // History's fields.
    let newest = &runs[0];
    assert_eq!(newest["type"], "run");
    assert_eq!(newest["task_id"], "t1");
    assert_eq!(newest["run"], 2);
    assert_eq!(newest["outcome"], "finished");
    assert_eq!(newest["exit_code"], 0);
    assert_eq!(newest["complete"], true);
    assert_eq!(newest["base_url"], server.url.trim_end_matches('/'));
    assert!(newest["started_at"].as_str().unwrap().ends_with('Z'));
    let oldest = &runs[1];
    assert_eq!(
        (oldest["outcome"].as_str(), oldest["missed"].as_u64()),
        (Some("restarted"), Some(15))
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&db).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the archive is private");
        let dir = std::path::Path::new(&db).parent().unwrap();
        let mode = std::fs::metadata(dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}

#[test]
fn filters_never_apply_to_the_archive_and_the_token_is_never_stored() {
    let token = "tok-9f8e7d6c5b4a";
    let server = Server::start(Api::V8).with_token(token);
    server.task(
        "t2",
        Task::new([
            Step::Grow(vec![
                "keep 1".into(),
                "noise 1".into(),
                format!("echo Bearer {token} from the server"),
            ]),
            Step::Grow(vec!["keep 2".into(), "noise 2".into()]),
            Step::End,
        ]),
    );
    let (_dir, db) = archive();
    let mut cmd = with_db(
        &db,
        &["watch", "t2", "--base-url", &server.url, "-i", "100ms"],
    );
    cmd.args(["--exclude", "noise", "--archive", "-o", "plain"])
        .env("TASKWATCH_TOKEN", token);
    let watched = run_with(&mut cmd);
    watched.assert_code(0);
    assert!(!watched.stdout.contains("noise"));
    let logs = run_db(&db, &["logs", "t2", "-o", "json"]);
    let messages = json_messages(&logs);
    assert_eq!(messages.len(), 5, "hidden lines are recorded: {messages:?}");
    assert!(messages.iter().any(|m| m == "noise 2"));
    assert!(
        messages
            .iter()
            .any(|m| m.contains("****") && !m.contains(token)),
        "{messages:?}"
    );
    // Nowhere in the files.
    let dir = std::path::Path::new(&db).parent().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(token));
        assert!(!text.contains("9f8e7d6c5b4a"));
    }
    // `logs` applies its own filters.
    let only = run_db(&db, &["logs", "t2", "-o", "json", "--include", "keep"]);
    assert_eq!(json_messages(&only), ["keep 1", "keep 2"]);
    let failing = run_db(&db, &["logs", "t2", "-o", "json", "--fail-on", "noise 2"]);
    failing.assert_code(1);
}

/// A task that writes `n` lines over about `steps` polls, then ends.
fn slow_task(steps: usize, per_step: usize) -> Task {
    let mut script: Vec<Step> = (0..steps)
        .map(|k| Step::Grow(lines("line", k * per_step..(k + 1) * per_step)))
        .collect();
    script.push(Step::End);
    Task::new(script)
}

fn watch_cmd(db: &str, server: &Server, id: &str) -> Command {
    with_db(
        db,
        &[
            "watch",
            id,
            "--base-url",
            &server.url,
            "-i",
            "100ms",
            "--archive",
            "-o",
            "json",
        ],
    )
}

#[test]
fn two_recorders_of_one_run_make_one_run_with_each_line_once() {
    let server = Server::start(Api::V8);
    server.task("t3", slow_task(40, 2));
    let (_dir, db) = archive();
    let a = spawn(watch_cmd(&db, &server, "t3"));
    let b = spawn(watch_cmd(&db, &server, "t3"));
    let a = finish(a, Duration::from_secs(30));
    let b = finish(b, Duration::from_secs(30));
    assert_eq!((a.code, b.code), (0, 0), "{}\n{}", a.stderr, b.stderr);
    let runs = history(&db, &[]);
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["lines"], 80);
    let logs = run_db(&db, &["logs", "t3", "-o", "json"]);
    assert_eq!(indices(&logs), (0..80).collect::<Vec<_>>());
}

#[test]
fn a_killed_recorder_leaves_an_incomplete_run_that_a_later_follow_continues() {
    let server = Server::start(Api::V8);
    server.task("t4", slow_task(60, 1));
    let (_dir, db) = archive();
    let mut first = spawn(watch_cmd(&db, &server, "t4"));
    eventually(Duration::from_secs(20), "lines recorded", || {
        history(&db, &[])
            .first()
            .is_some_and(|r| r["lines"].as_u64().unwrap_or(0) >= 10)
    });
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let runs = history(&db, &[]);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["complete"], false, "{runs:?}");
    assert!(runs[0]["outcome"].is_null());
    let logs = run_db(&db, &["logs", "t4", "-o", "json"]);
    assert_eq!(
        logs.code, 0,
        "an incomplete run reads back: {}",
        logs.stderr
    );
    logs.assert_stderr_has("incomplete");
    // A later follow of the same run continues it.
    let again = finish(
        spawn(watch_cmd(&db, &server, "t4")),
        Duration::from_secs(30),
    );
    again.assert_code(0);
    let runs = history(&db, &[]);
    assert_eq!(runs.len(), 1, "one run: {runs:?}");
    assert_eq!(runs[0]["complete"], true);
    assert_eq!(runs[0]["missed"], 0);
    let logs = run_db(&db, &["logs", "t4", "-o", "json"]);
    assert_eq!(
        indices(&logs),
        (0..60).collect::<Vec<_>>(),
        "no line twice, none lost"
    );
}

#[test]
fn logs_follow_prints_a_run_another_process_records() {
    let server = Server::start(Api::V8);
    server.task("t5", slow_task(30, 2));
    let (_dir, db) = archive();
    let recorder = spawn(watch_cmd(&db, &server, "t5"));
    // Once the run is in the archive, follow it from there.
    eventually(Duration::from_secs(20), "the run is recorded", || {
        !history(&db, &[]).is_empty()
    });
    let follower = spawn(with_db(&db, &["logs", "t5", "-f", "-o", "json"]));
    let recorded = finish(recorder, Duration::from_secs(30));
    let followed = finish(follower, Duration::from_secs(30));
    recorded.assert_code(0);
    followed.assert_code(0);
    assert_eq!(stream(&followed), stream(&recorded));
    let requests = server.status_requests("t5").len();
    assert!(requests > 0);
    // Nothing of `logs` reached the backend: all requests came from the recorder.
    assert_eq!(
        followed.records().last().unwrap()["requests"],
        0,
        "{}",
        followed.stdout
    );
}

#[test]
fn an_archive_that_cannot_be_written_is_exit_74_with_stdout_complete() {
    let server = Server::start(Api::V8);
    server.task("t6", slow_task(5, 3));
    // Its directory is a file: the archive cannot be created.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let db = file.join("archive.sqlite3");
    let run = run_db(
        db.to_str().unwrap(),
        &[
            "watch",
            "t6",
            "--base-url",
            &server.url,
            "-i",
            "100ms",
            "--archive",
            "-o",
            "plain",
        ],
    );
    run.assert_code(74);
    assert_eq!(run.stdout.lines().count(), 15, "{}", run.stdout);
    assert_eq!(
        run.stderr.lines().filter(|l| l.contains("archive")).count(),
        1,
        "said once: {}",
        run.stderr
    );
    // A failure severer in the table wins; a lesser one does not.
    let failing = Server::start(Api::V8);
    failing.task("t7", Task::new([Step::Grow(lines("x", 0..2)), Step::End]));
    let run = run_db(
        db.to_str().unwrap(),
        &[
            "watch",
            "t7",
            "--base-url",
            &failing.url,
            "-i",
            "100ms",
            "--archive",
            "--fail-on",
            "x 1",
        ],
    );
    run.assert_code(74);
}

/// The disk fills mid-run (a file-size limit, as a full disk answers): reported once, every
/// line still printed, exit 74, and the archive still opens with what was committed.
#[cfg(unix)]
#[test]
fn a_full_disk_mid_run_is_reported_once_and_stdout_goes_on() {
    use std::os::unix::process::CommandExt;
    let server = Server::start(Api::V8);
    let long = "x".repeat(200);
    let script: Vec<Step> = (0..30)
        .map(|k| Step::Grow((0..10).map(|i| format!("{k}.{i} {long}")).collect()))
        .chain([Step::End])
        .collect();
    server.task("t8", Task::new(script));
    let (_dir, db) = archive();
    let mut cmd = watch_cmd(&db, &server, "t8");
    cmd.arg("-n").arg("100");
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 96 * 1024,
                rlim_max: 96 * 1024,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let run = run_with(&mut cmd);
    run.assert_code(74);
    assert_eq!(json_messages(&run).len(), 300, "stdout complete");
    assert_eq!(
        run.stderr.matches("cannot write to the archive").count(),
        1,
        "{}",
        run.stderr
    );
    let runs = history(&db, &[]);
    assert_eq!(runs.len(), 1, "the archive opens: {runs:?}");
    let kept = runs[0]["lines"].as_u64().unwrap();
    assert!(kept > 0 && kept < 300, "{kept}");
}

#[cfg(unix)]
#[test]
fn record_records_every_run_and_ends_with_0_on_sigterm() {
    let server = Server::start(Api::V8);
    let profile = |id: &str, name: &str| serde_json::json!({"task_id": id, "target_profile": name, "status": "active"});
    server.listing(Listing {
        profiles: vec![
            profile("r1", "one"),
            profile("r2", "two"),
            profile("r3", "three"),
            profile("r4", "four"),
        ],
        ..Listing::default()
    });
    // Each starts after a different number of looks, writes its lines, and ends; r4 is still
    // running when the recorder stops.
    for (id, idle, n) in [("r1", 0, 6), ("r2", 4, 9), ("r3", 9, 3)] {
        let mut script = vec![Step::Absent; idle];
        script.extend((0..n).map(|k| Step::Grow(vec![format!("{id} line {k}")])));
        script.push(Step::End);
        server.task(id, Task::new(script));
    }
    let mut long = vec![Step::Absent; 2];
    long.extend((0..4).map(|k| Step::Grow(vec![format!("r4 line {k}")])));
    long.extend(vec![Step::Same; 10_000]);
    server.task("r4", Task::new(long));
    let (_dir, db) = archive();
    let mut cmd = with_db(
        &db,
        &[
            "record",
            "--base-url",
            &server.url,
            "-i",
            "100ms",
            "--discover-interval",
            "200ms",
        ],
    );
    cmd.env("RUST_BACKTRACE", "0");
    let recorder = spawn(cmd);
    eventually(Duration::from_secs(30), "three runs ended", || {
        history(&db, &[])
            .iter()
            .filter(|r| r["complete"] == true)
            .count()
            == 3
    });
    eventually(Duration::from_secs(10), "r4's lines recorded", || {
        history(&db, &["r4"])
            .first()
            .is_some_and(|r| r["lines"] == 4)
    });
    let sent = Command::new("kill")
        .args(["-TERM", &recorder.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let run = finish(recorder, Duration::from_secs(20));
    run.assert_code(0);
    assert!(run.stdout.is_empty(), "no log lines: {}", run.stdout);
    run.assert_stderr_has("recording every run");
    let runs = history(&db, &[]);
    let by_task: Vec<(String, u64, bool)> = runs
        .iter()
        .map(|r| {
            (
                r["profile"].as_str().unwrap_or_default().to_string(),
                r["lines"].as_u64().unwrap(),
                r["complete"].as_bool().unwrap(),
            )
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        by_task,
        [
            ("four".to_string(), 4, false),
            ("one".to_string(), 6, true),
            ("three".to_string(), 3, true),
            ("two".to_string(), 9, true),
        ],
        "{runs:?}"
    );
    // `@name` works from the archive alone.
    let two = run_db(&db, &["logs", "@TWO", "-o", "json"]);
    assert_eq!(json_messages(&two).len(), 9, "{}", two.stderr);
}

/// Three runs of one task in the archive: `stats` summarises them, and a fourth run's time
/// left is estimated from them until its own rate is known.
#[test]
fn stats_and_the_time_left_from_past_runs() {
    let serve = Serve::start_seeded("7", &["--task", "job", "--duration", "2s"]);
    let (_dir, db) = archive();
    for _ in 0..3 {
        let run = run_db(
            &db,
            &[
                "wait",
                "job",
                "--base-url",
                &serve.url,
                "-i",
                "200ms",
                "--archive",
                "--trigger",
                "profile",
            ],
        );
        run.assert_code(0);
        // A new run starts a second later at least (runs are told apart by their start).
        std::thread::sleep(Duration::from_millis(1100));
    }
    let stats = run_db(&db, &["stats", "-o", "json"]);
    stats.assert_code(0);
    let s = &stats.records()[0];
    assert_eq!(s["type"], "stats");
    assert_eq!(s["runs"], 3);
    assert_eq!(s["outcomes"]["finished"], 3);
    let median = s["duration_s"]["median"].as_f64().unwrap();
    assert!(median > 0.5 && median < 30.0, "{s}");
    assert!(s["duration_s"]["p90"].as_f64().unwrap() >= median);
    assert_eq!(s["phases"][0]["label"], "Processing post", "{s}");
    let human = run_db(&db, &["stats", "job"]);
    human.assert_stdout_has("3 runs");
    // The fourth run, followed without --archive: its first progress records' estimate comes
    // from the past runs, later ones from its own rate.
    let fourth = run_db(
        &db,
        &[
            "watch",
            "job",
            "--base-url",
            &serve.url,
            "-i",
            "200ms",
            "-o",
            "json",
            "--trigger",
            "profile",
        ],
    );
    fourth.assert_code(0);
    let sources: Vec<String> = fourth
        .records()
        .iter()
        .filter(|r| r["type"] == "progress" && !r["eta_s"].is_null())
        .map(|r| r["eta_source"].as_str().unwrap_or("none").to_string())
        .collect();
    assert_eq!(
        sources.first().map(String::as_str),
        Some("history"),
        "{sources:?}"
    );
    assert!(sources.iter().any(|s| s == "rate"), "{sources:?}");
    assert_eq!(history(&db, &[]).len(), 3, "not recorded without --archive");
}

#[test]
fn history_filters_and_prune_removes_what_ended_before() {
    let server = Server::start(Api::V8);
    server.task("ok", Task::new([Step::Grow(lines("a", 0..2)), Step::End]));
    server.task(
        "bad",
        Task::new([
            Step::Grow(vec!["ERROR boom".into()]),
            Step::Status("failed".into()),
            Step::End,
        ]),
    );
    let (_dir, db) = archive();
    for id in ["ok", "bad"] {
        let run = run_db(
            &db,
            &[
                "wait",
                id,
                "--base-url",
                &server.url,
                "-i",
                "100ms",
                "--archive",
                "--fail-on",
                "ERROR",
            ],
        );
        assert!(matches!(run.code, 0 | 1), "{}", run.stderr);
    }
    // `ok` matched no --fail-on; `bad` did, and its server said it failed. A follower's
    // --fail-on is its own judgement: only the server's failure makes the run failed.
    let failed = history(&db, &["--failed"]);
    assert_eq!(failed.len(), 1);
    assert_eq!(
        (
            failed[0]["task_id"].as_str(),
            failed[0]["exit_code"].as_u64()
        ),
        (Some("bad"), Some(1))
    );
    assert_eq!(history(&db, &["ok"]).len(), 1);
    // The server says these runs started in December 2023.
    assert_eq!(history(&db, &["--since", "1h"]).len(), 0);
    assert_eq!(history(&db, &["--since", "10y"]).len(), 2);
    // The failed run reads back as failed, with the matching line.
    let bad = run_db(&db, &["logs", "bad", "-o", "json"]);
    bad.assert_code(1);
    assert_eq!(bad.records().last().unwrap()["outcome"], "failed");
    // Nothing is old enough; then everything is.
    let kept = run_db(&db, &["prune", "--older-than", "1h"]);
    kept.assert_code(0);
    kept.assert_stderr_has("removed 0 runs");
    std::thread::sleep(Duration::from_millis(1100));
    let pruned = run_db(&db, &["prune", "--older-than", "1s"]);
    pruned.assert_stderr_has("removed 2 runs");
    assert!(history(&db, &[]).is_empty());
    // No such run: exit 3; no archive at all: exit 3 too, with a note.
    assert_eq!(run_db(&db, &["logs", "ok"]).code, 3);
    let nowhere = run_db("/nonexistent/taskwatch/archive.sqlite3", &["history"]);
    nowhere.assert_code(3);
    nowhere.assert_stderr_has("no archive here yet");
}

/// A `--fail-on` match is the follower's judgement: the run itself finished.
#[test]
fn a_fail_on_match_does_not_make_the_recorded_run_failed() {
    let server = Server::start(Api::V8);
    server.task("f", Task::new([Step::Grow(lines("line", 0..6)), Step::End]));
    let (_dir, db) = archive();
    let run = run_db(
        &db,
        &[
            "wait",
            "f",
            "--base-url",
            &server.url,
            "-i",
            "100ms",
            "--archive",
            "--fail-on",
            "line 5$",
        ],
    );
    run.assert_code(1);
    assert_eq!(history(&db, &[])[0]["outcome"], "finished");
    assert!(history(&db, &["--failed"]).is_empty());
    assert_eq!(run_db(&db, &["logs", "f"]).code, 0);
    assert_eq!(run_db(&db, &["logs", "f", "--fail-on", "line 5$"]).code, 1);
}

/// Numbers a server should never send (a total near 2^64) make no reading command panic.
#[test]
fn absurd_indices_do_not_break_the_archive() {
    let server = Server::start(Api::V8);
    let body = format!(
        r#"{{"result": true, "response": {{"task_id": "h", "is_processing": true,
        "started_at": {BASE_TS}, "logs_count": 9223372036854775818,
        "logs": [{{"timestamp": {BASE_TS}, "message": "a"}}, {{"timestamp": {BASE_TS}, "message": "b"}}]}}}}"#
    );
    server.task("h", Task::new([Step::Raw(body), Step::End]));
    let (_dir, db) = archive();
    let run = run_db(
        &db,
        &[
            "wait",
            "h",
            "--base-url",
            &server.url,
            "-i",
            "100ms",
            "--archive",
        ],
    );
    assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
    for args in [vec!["history"], vec!["stats"], vec!["logs", "h"]] {
        let out = run_db(&db, &args);
        assert!(matches!(out.code, 0 | 3), "{args:?}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{args:?}: {}", out.stderr);
    }
}

/// Another program's SQLite database named as the archive is refused, never taken over.
#[test]
fn another_programs_database_is_not_taken_over() {
    let server = Server::start(Api::V8);
    server.task("o", Task::new([Step::Grow(lines("x", 0..3)), Step::End]));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("theirs.sqlite3");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    drop(conn);
    let run = run_db(
        db.to_str().unwrap(),
        &[
            "watch",
            "o",
            "--base-url",
            &server.url,
            "-i",
            "100ms",
            "--archive",
            "-o",
            "plain",
        ],
    );
    run.assert_code(74);
    assert_eq!(run.stdout.lines().count(), 3);
    run.assert_stderr_has("not a taskwatch archive");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(tables, ["notes"]);
}

#[test]
fn wrong_archive_flags_name_themselves() {
    let (_dir, db) = archive();
    for (args, flag) in [
        (vec!["logs", "t", "--run", "0"], "--run"),
        (vec!["stats", "--last", "0"], "--last"),
        (vec!["history", "--since", "soon"], "--since"),
        (vec!["prune"], "--older-than"),
    ] {
        let run = run_db(&db, &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(flag), "{args:?}: {}", run.stderr);
    }
}

/// `record` over `serve --profiles 20` with scheduled runs starting every 250 ms: every run the
/// simulator started (up to two seconds before the recorder was stopped) is in the archive,
/// those that ended complete and with no line missed; SIGTERM ends the recorder with 0.
#[cfg(unix)]
#[test]
fn record_over_serve_records_every_scheduled_run() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let serve_log = dir.path().join("serve.err");
    let mut serve = bin()
        .args(["serve", "--port", "0", "--seed", "5", "--profiles", "20"])
        .args(["--schedule", "250ms", "--duration", "2s"])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&serve_log).unwrap())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(serve.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first.trim().to_string();
    let (_adir, db) = archive();
    let recorder = spawn(with_db(
        &db,
        &[
            "record",
            "--base-url",
            &url,
            "-i",
            "200ms",
            "--discover-interval",
            "300ms",
        ],
    ));
    eventually(Duration::from_secs(60), "eight runs ended", || {
        history(&db, &[])
            .iter()
            .filter(|r| r["complete"] == true)
            .count()
            >= 8
    });
    let stopped_at = chrono::Utc::now();
    let sent = Command::new("kill")
        .args(["-TERM", &recorder.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let run = finish(recorder, Duration::from_secs(20));
    let _ = serve.kill();
    let _ = serve.wait();
    run.assert_code(0);
    // The runs the simulator started, by task, up to two seconds before the stop.
    let log = std::fs::read_to_string(&serve_log).unwrap();
    let mut started: std::collections::BTreeMap<String, usize> = Default::default();
    for line in log.lines().filter(|l| l.contains(" run of @")) {
        let time = line
            .split_whitespace()
            .nth(2)
            .unwrap()
            .trim_end_matches('Z');
        let at = chrono::NaiveTime::parse_from_str(time, "%H:%M:%S%.3f").unwrap();
        let before = (stopped_at.time() - at).num_milliseconds();
        let id = line.rsplit('(').next().unwrap().split(')').next().unwrap();
        if (2_000..43_200_000).contains(&before) {
            *started.entry(id.to_string()).or_default() += 1;
        }
    }
    assert!(started.values().sum::<usize>() >= 8, "{log}");
    let runs = history(&db, &[]);
    for (id, n) in &started {
        let recorded: Vec<&Value> = runs
            .iter()
            .filter(|r| r["task_id"] == id.as_str())
            .collect();
        assert!(recorded.len() >= *n, "{id}: {n} started, {recorded:?}");
    }
    for r in runs.iter().filter(|r| r["complete"] == true) {
        assert_eq!(r["missed"], 0, "{r}");
        assert!(r["lines"].as_u64().unwrap() > 0, "{r}");
        assert_eq!(r["outcome"], "finished", "{r}");
    }
}

/// What stands at a path taskwatch cannot use is left exactly as it was: a directory named as
/// the archive keeps its mode; a report path that is a symbolic link is not replaced, and an
/// existing report keeps its mode when it is replaced.
#[cfg(unix)]
#[test]
fn paths_taskwatch_cannot_use_are_left_as_they_were() {
    use std::os::unix::fs::PermissionsExt;
    let server = Server::start(Api::V8);
    server.task("m", Task::new([Step::Grow(lines("x", 0..2)), Step::End]));
    let dir = tempfile::tempdir().unwrap();
    let not_a_file = dir.path().join("d");
    std::fs::create_dir(&not_a_file).unwrap();
    std::fs::set_permissions(&not_a_file, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = run_db(
        not_a_file.to_str().unwrap(),
        &[
            "watch",
            "m",
            "--base-url",
            &server.url,
            "-i",
            "100ms",
            "--archive",
        ],
    );
    out.assert_code(74);
    let mode = std::fs::metadata(&not_a_file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o755);
    // An existing report keeps its mode.
    server.task("r", Task::new([Step::Grow(lines("y", 0..2)), Step::End]));
    let report = dir.path().join("report.xml");
    std::fs::write(&report, "old").unwrap();
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o644)).unwrap();
    let junit = report.to_str().unwrap();
    let out = run(&[
        "wait",
        "r",
        "--base-url",
        &server.url,
        "-i",
        "100ms",
        "--junit",
        junit,
    ]);
    out.assert_code(0);
    let mode = std::fs::metadata(&report).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o644);
    // A symbolic link is refused and left alone.
    server.task("s", Task::new([Step::Grow(lines("z", 0..2)), Step::End]));
    let link = dir.path().join("link.xml");
    std::os::unix::fs::symlink(&report, &link).unwrap();
    let before = std::fs::read(&report).unwrap();
    let out = run(&[
        "wait",
        "s",
        "--base-url",
        &server.url,
        "-i",
        "100ms",
        "--junit",
        link.to_str().unwrap(),
    ]);
    out.assert_code(74);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read(&report).unwrap(), before);
}
