//! Every line exactly once with the default flags, through the ways a real server misbehaves:
//! the binary against the scripted server, one test per way (issue 10).

use crate::common::*;
use serde_json::{json, Value};

fn of_type<'a>(records: &'a [Value], t: &str) -> Vec<&'a Value> {
    records.iter().filter(|r| r["type"] == t).collect()
}

fn shown(records: &[Value]) -> Vec<String> {
    of_type(records, "log")
        .iter()
        .map(|r| r["message"].as_str().unwrap().to_string())
        .collect()
}

/// A processing answer of task `id` as JSON text: the last 10 of `count` lines (`line i`) with
/// the timestamps `ts` writes, and `extra` fields before the total.
fn raw_window(id: &str, count: u64, ts: impl Fn(u64) -> String, extra: &str) -> String {
    let logs: Vec<String> = (count.saturating_sub(10)..count)
        .map(|i| format!(r#"{{"timestamp": {}, "message": "line {i}"}}"#, ts(i)))
        .collect();
    format!(
        r#"{{"result": true, "response": {{"task_id": "{id}", "is_processing": true, {extra}
        "logs_count": {count}, "logs": [{}]}}}}"#,
        logs.join(",")
    )
}

fn end(records: &[Value]) -> &Value {
    records.last().filter(|r| r["type"] == "end").unwrap()
}

/// Case 1: the second request used to be sized from whole-second timestamps (4 lines "in 1 s"
/// at a 100 ms interval: 7 lines), so 15 new lines made a gap a full window would have avoided.
#[test]
fn auto_asks_for_a_full_window_until_the_pace_is_measured() {
    let server = Server::start(Api::V7);
    let mut steps = vec![
        Step::Grow(lines("l", 0..4)),
        Step::Grow(lines("l", 4..19)),
        Step::Grow(lines("l", 19..22)),
    ];
    for k in 0..8 {
        steps.push(Step::Grow(lines("l", 22 + 2 * k..24 + 2 * k)));
    }
    steps.push(Step::End);
    server.task("a", Task::new(steps));
    let run = against(&server, "watch", &["-o", "json", "a"]);
    run.assert_code(0);
    let records = run.records();
    assert_eq!(shown(&records), server.written("a"));
    assert!(of_type(&records, "gap").is_empty(), "{}", run.stdout);
    let asked: Vec<String> = server
        .status_requests("a")
        .iter()
        .map(|r| r.logs_count.clone().unwrap_or_default())
        .collect();
    assert_eq!(asked[..2], ["100", "100"], "{asked:?}");
    // Once measured, the window follows the pace (bytes matter on long tasks).
    let last: u32 = asked[asked.len() - 2].parse().unwrap();
    assert!(last < 100, "{asked:?}");
}

/// Case 2: a task writing faster than a window holds per interval is polled sooner, down to
/// --min-interval; with --min-interval equal to --interval it is not. (The only timing here is
/// a generous limit: 12 polls at 1 s would take 11 s; catching up, about 3 s.)
#[test]
fn fast_tasks_are_caught_up_with_down_to_min_interval() {
    let steps = || {
        let mut steps: Vec<Step> = (0..12)
            .map(|k| Step::Grow(lines("f", 80 * k..80 * k + 80)))
            .collect();
        steps.push(Step::End);
        steps
    };
    let server = Server::start(Api::V7);
    server.task("fast", Task::new(steps()));
    let args = |min: &'static str| {
        vec![
            "watch",
            "--base-url",
            &server.url,
            "-o",
            "json",
            "-i",
            "1s",
            "--min-interval",
            min,
            "--timeout",
            "7s",
            "fast",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let run = run_with(bin().args(args("100ms")));
    assert_eq!(
        run.code, 0,
        "catching up ends within the timeout: {}",
        run.stderr
    );
    let records = run.records();
    assert!(of_type(&records, "gap").is_empty(), "{}", run.stdout);
    assert_eq!(shown(&records), server.written("fast"));

    server.task("fast", Task::new(steps()));
    let run = run_with(bin().args(args("1s")));
    assert_eq!(run.code, 124, "no catch-up: one poll a second");
}

#[test]
fn min_interval_below_100ms_is_a_usage_error() {
    let run = run(&["watch", "--min-interval", "50ms", "t"]);
    assert_eq!(run.code, 2);
    run.assert_stderr_has("--min-interval");
    run.assert_stderr_has("at least 100ms");
}

/// Case 3: a server keeping its last 5 lines (total stuck at 5), all in the same second.
/// The realignment must explain the whole window; identical lines make it ambiguous, which is
/// said, and no line is silently skipped.
#[test]
fn identical_lines_on_a_trimming_server_are_shown_and_the_doubt_is_said() {
    let server = Server::start(Api::V7);
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    server.task(
        "trim",
        Task::new([
            Step::Grow(words(&["A", "B", "C", "retrying", "retrying"])),
            Step::Grow(words(&["Y important", "retrying", "retrying"])),
            Step::End,
        ])
        .trimmed(5)
        .same_second(),
    );
    let run = against(&server, "watch", &["-o", "json", "trim"]);
    run.assert_code(0);
    let records = run.records();
    assert_eq!(shown(&records), server.written("trim"));
    let gaps = of_type(&records, "gap");
    assert_eq!(gaps.len(), 1, "{}", run.stdout);
    assert_eq!(
        *gaps[0],
        json!({"type": "gap", "task_id": "trim", "missed": null, "reason": "ambiguous"})
    );
    let end = end(&records);
    assert_eq!(end["lines"], 8);
    assert_eq!(end["unknown_gaps"], 1);

    // In human output the doubt is a marker on stderr.
    server.task(
        "trim",
        Task::new([
            Step::Grow(words(&["A", "B", "C", "retrying", "retrying"])),
            Step::Grow(words(&["Y important", "retrying", "retrying"])),
            Step::End,
        ])
        .trimmed(5)
        .same_second(),
    );
    let run = against(&server, "watch", &["-o", "plain", "trim"]);
    assert_eq!(run.stdout_lines().len(), 8, "{}", run.stdout);
    run.assert_stderr_has("ambiguous");
}

/// Case 4: behind a load balancer every other answer comes from a replica two answers
/// behind, and one is a transient empty processing answer: nothing is printed twice and
/// nothing is announced.
#[test]
fn stale_and_empty_answers_add_and_announce_nothing() {
    let server = Server::start(Api::V7);
    let mut steps = Vec::new();
    for k in 0..11 {
        steps.push(Step::Grow(lines("s", 3 * k..3 * k + 3)));
        steps.push(if k == 5 { Step::Empty } else { Step::Stale(2) });
    }
    steps.push(Step::End);
    server.task("lb", Task::new(steps));
    let run = against(&server, "watch", &["-o", "json", "lb"]);
    run.assert_code(0);
    let records = run.records();
    assert_eq!(shown(&records), server.written("lb"));
    assert_eq!(shown(&records).len(), 33);
    assert!(of_type(&records, "restart").is_empty(), "{}", run.stdout);
    assert!(of_type(&records, "gap").is_empty(), "{}", run.stdout);
    let indices: Vec<u64> = of_type(&records, "log")
        .iter()
        .map(|r| r["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indices, (0..33).collect::<Vec<_>>());
    assert_eq!(end(&records)["resume_from_index"], 33);
}

/// Case 5: a progress line rewritten in place is shown once per change, at its own index,
/// with no gap marker and no repeated window.
#[test]
fn a_line_edited_in_place_is_shown_once_per_change() {
    let server = Server::start(Api::V7);
    server.task(
        "p",
        Task::new([
            Step::Grow(lines("step", 0..3)),
            Step::Grow(vec!["progress 10%".into()]),
            Step::Same,
            Step::Edit("progress 50%".into()),
            Step::Edit("progress 90%".into()),
            Step::Same,
            Step::Grow(vec!["done".into()]),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["-o", "json", "p"]);
    run.assert_code(0);
    let records = run.records();
    assert_eq!(shown(&records), server.written("p"));
    assert!(of_type(&records, "gap").is_empty(), "{}", run.stdout);
    assert!(of_type(&records, "restart").is_empty(), "{}", run.stdout);
    let indices: Vec<u64> = of_type(&records, "log")
        .iter()
        .map(|r| r["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indices, vec![0, 1, 2, 3, 3, 3, 4]);
}

/// Case 6: `NaN`, `Infinity` and `-Infinity` (Python's `json.dumps`, so Flask's `jsonify`)
/// never cost an answer.
#[test]
fn nan_and_infinity_literals_never_drop_an_answer() {
    let server = Server::start(Api::V7);
    let body = |total: u64, logs: &str| {
        format!(
            r#"{{"result": true, "response": {{"task_id": "n", "is_processing": true,
            "status": "processing", "started_at": {BASE_TS}, "updated_at": Infinity,
            "logs_count": {total}, "logs": [{logs}]}}}}"#
        )
    };
    let line = |ts: &str, m: &str| format!(r#"{{"timestamp": {ts}, "message": "{m}"}}"#);
    let first = [
        line(&BASE_TS.to_string(), "a"),
        line("NaN", "b NaN"),
        line("-Infinity", "c"),
    ]
    .join(",");
    let second = [
        line("-Infinity", "c"),
        line(&BASE_TS.to_string(), "d"),
        line("NaN", "e"),
    ]
    .join(",");
    server.task(
        "n",
        Task::new([
            Step::Raw(body(3, &first)),
            Step::Raw(body(5, &second)),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["-o", "json", "n"]);
    run.assert_code(0);
    let records = run.records();
    assert_eq!(shown(&records), vec!["a", "b NaN", "c", "d", "e"]);
    assert_eq!(of_type(&records, "log")[1]["timestamp"], Value::Null);
    assert!(of_type(&records, "gap").is_empty(), "{}", run.stdout);
    assert_eq!(end(&records)["lines"], 5);
}

/// Case 6: lines carried by the final `is_processing: false` answer are shown and counted.
#[test]
fn lines_of_the_final_answer_are_shown_and_counted() {
    let server = Server::start(Api::V7);
    server.task(
        "fin",
        Task::new([
            Step::Grow(lines("f", 0..3)),
            Step::EndWith(lines("f", 3..6)),
        ]),
    );
    let run = against(&server, "watch", &["-o", "json", "fin"]);
    run.assert_code(0);
    let records = run.records();
    assert_eq!(shown(&records), lines("f", 0..6));
    let end = end(&records);
    assert_eq!(end["lines"], 6);
    assert_eq!(end["resume_from_index"], 6);
}

/// Case 6: a first processing answer with no lines but a total of 50: the 50 lines are history
/// not shown; indices stay true, there is no false gap, and resuming works.
#[test]
fn a_first_empty_answer_keeps_indices_true() {
    let server = Server::start(Api::V7);
    let empty_of_50 = r#"{"result": true, "response": {"task_id": "e", "is_processing": true,
        "status": "processing", "logs": [], "logs_count": 50}}"#;
    server.task(
        "e",
        Task::new([
            Step::Raw(empty_of_50.into()),
            Step::Grow(lines("x", 50..52)),
            Step::End,
        ])
        .prefilled(lines("x", 0..50)),
    );
    let run = against(&server, "watch", &["-o", "json", "e"]);
    run.assert_code(0);
    let records = run.records();
    assert!(of_type(&records, "gap").is_empty(), "{}", run.stdout);
    let logs = of_type(&records, "log");
    assert_eq!(logs.len(), 2);
    assert_eq!(logs[0]["index"], 50);
    assert_eq!(logs[0]["message"], "x 50");
    assert_eq!(end(&records)["resume_from_index"], 52);
    assert_eq!(end(&records)["missed"], 0);
}

/// One answer whose total is impossible (0, null or negative under a full window) in the
/// middle of a burst must not pass for a reset: the next, truthful answer would then show its
/// lines a second time.
#[test]
fn an_impossible_total_is_no_reset_and_shows_nothing_twice() {
    for lie in ["0", "null", "-5"] {
        let server = Server::start(Api::V7);
        let body = |total: &str, from: u64| {
            let logs: Vec<String> = (from..from + 10)
                .map(|i| format!(r#"{{"timestamp": {BASE_TS}, "message": "line {i}"}}"#))
                .collect();
            format!(
                r#"{{"result": true, "response": {{"task_id": "z", "is_processing": true,
                "logs_count": {total}, "logs": [{}]}}}}"#,
                logs.join(",")
            )
        };
        server.task(
            "z",
            Task::new([
                Step::Raw(body("50", 40)),
                Step::Raw(body(lie, 60)),
                Step::Raw(body("70", 60)),
                Step::End,
            ]),
        );
        let run = against(&server, "watch", &["-n", "10", "-o", "json", "z"]);
        assert_eq!(run.code, 0, "{lie}: {}", run.stderr);
        let shown = json_messages(&run);
        let mut unique = shown.clone();
        unique.dedup();
        unique.sort();
        unique.dedup();
        assert_eq!(
            shown.len(),
            unique.len(),
            "{lie}: a line shown twice: {shown:?}"
        );
        assert_eq!(shown.len(), 20, "{lie}: {shown:?}");
        assert!(
            !run.records()
                .iter()
                .any(|r| r["type"] == "restart" && r["reason"] == "reset"),
            "{lie}: no reset: {}",
            run.stdout
        );
    }
}

/// A replica behind a gap (after the gap emptied the remembered lines) answers with the log's
/// first window: stale, not a reset. Lines 0–9 and 35–39 were printed twice before.
#[test]
fn a_replica_behind_a_gap_prints_nothing_twice() {
    let server = Server::start(Api::V7);
    server.task(
        "r",
        Task::new([
            Step::Grow(lines("l", 0..10)),
            Step::Grow(lines("l", 10..40)),
            Step::Stale(1),
            Step::Grow(lines("l", 40..45)),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["-n", "10", "-o", "json", "r"]);
    run.assert_code(0);
    let records = run.records();
    let mut want = lines("l", 0..10);
    want.extend(lines("l", 30..45));
    assert_eq!(shown(&records), want);
    let gaps = of_type(&records, "gap");
    assert_eq!(gaps.len(), 1, "{}", run.stdout);
    assert_eq!(gaps[0]["missed"], 20);
    assert!(of_type(&records, "restart").is_empty(), "{}", run.stdout);
    assert_eq!(end(&records)["missed"], 20);
}

/// `auto` on a burst asks again at the largest window before declaring a gap: it never
/// misses what a full window would have caught.
#[test]
fn auto_asks_again_with_a_full_window_before_declaring_a_gap() {
    let server = Server::start(Api::V7);
    let mut steps = vec![Step::Grow(lines("l", 0..2))];
    // A calm start measures a slow pace: the window shrinks.
    for k in 0..6 {
        steps.push(Step::Grow(lines("l", 2 + k..3 + k)));
    }
    // Then a burst of 80 lines between two polls: more than the small window, less than 100.
    steps.push(Step::Grow(lines("l", 8..88)));
    steps.push(Step::Same);
    steps.push(Step::End);
    server.task("b", Task::new(steps));
    let run = against(&server, "watch", &["-o", "json", "b"]);
    run.assert_code(0);
    let records = run.records();
    assert_eq!(shown(&records), lines("l", 0..88));
    assert!(of_type(&records, "gap").is_empty(), "{}", run.stdout);
    let asked: Vec<String> = server
        .status_requests("b")
        .iter()
        .filter_map(|r| r.logs_count.clone())
        .collect();
    assert!(
        asked.iter().any(|n| n != "100"),
        "the window shrank first: {asked:?}"
    );
}

/// The answer that confirms an end can hold the last lines (after a worker that did not know
/// the task said "not processing" with none): they are shown and counted.
#[test]
fn lines_in_the_answer_that_confirms_the_end_are_shown() {
    let server = Server::start(Api::V7);
    let gone = r#"{"result": true, "response": {"task_id": "c", "is_processing": false, "logs": [], "logs_count": 0}}"#;
    server.task(
        "c",
        Task::new([
            Step::Grow(lines("l", 0..50)),
            Step::Raw(gone.into()),
            Step::EndWith(lines("l", 50..60)),
        ]),
    );
    let run = against(&server, "watch", &["-o", "json", "c"]);
    run.assert_code(0);
    let records = run.records();
    assert_eq!(shown(&records), lines("l", 0..60));
    assert_eq!(end(&records)["missed"], 0);
}

/// `auto` on a burst in the final answer: the request that confirms the end asks for the
/// largest window, and its lines are the ones shown: nothing missed that `-n 100` catches.
#[test]
fn a_final_burst_is_read_from_the_confirming_full_window() {
    let server = Server::start(Api::V7);
    let mut steps = vec![Step::Grow(lines("l", 0..2))];
    for k in 0..6 {
        steps.push(Step::Grow(lines("l", 2 + k..3 + k)));
    }
    steps.push(Step::EndWith(lines("l", 8..68)));
    server.task("f", Task::new(steps));
    let run = against(&server, "watch", &["-o", "json", "f"]);
    run.assert_code(0);
    let records = run.records();
    assert_eq!(shown(&records), lines("l", 0..68));
    assert!(of_type(&records, "gap").is_empty(), "{}", run.stdout);
}

/// A re-ask at the largest window answered by a replica behind (a lower total) does not
/// replace the fresh answer: its gap is said at once and the next poll asks a full window,
/// instead of the window shrinking on answers that add nothing.
#[test]
fn a_stale_answer_to_the_full_window_re_ask_is_not_taken() {
    let server = Server::start(Api::V7);
    let mut steps = vec![Step::Grow(lines("l", 0..2))];
    for k in 0..6 {
        steps.push(Step::Grow(lines("l", 2 + k..3 + k)));
    }
    steps.push(Step::Grow(lines("l", 8..188)));
    steps.push(Step::Stale(2));
    steps.push(Step::Grow(lines("l", 188..190)));
    steps.push(Step::End);
    server.task("s", Task::new(steps));
    let run = against(&server, "watch", &["-o", "json", "s"]);
    run.assert_code(0);
    let records = run.records();
    let shown = shown(&records);
    let mut sorted = shown.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), shown.len(), "nothing twice");
    assert!(shown.ends_with(&lines("l", 180..190)), "{shown:?}");
    let missed: u64 = of_type(&records, "gap")
        .iter()
        .map(|g| g["missed"].as_u64().unwrap())
        .sum();
    assert_eq!(missed as usize + shown.len(), 190, "{}", run.stdout);
    let asked: Vec<String> = server
        .status_requests("s")
        .iter()
        .filter_map(|r| r.logs_count.clone())
        .collect();
    let re_ask = asked.iter().position(|n| n == "100").unwrap();
    assert!(asked.len() > 10, "{asked:?}");
    // After the burst: the small answer, the re-ask (stale), then a full window.
    let after: Vec<&String> = asked[8..].iter().collect();
    assert_eq!(
        after.get(2).map(|s| s.as_str()),
        Some("100"),
        "{asked:?} ({re_ask})"
    );
}

/// A clock that steps back (lines older than the newest shown) with a truthful total and a
/// rising `updated_at`: the lines are new, and shown.
#[test]
fn a_clock_stepping_back_loses_nothing_when_updated_at_says_the_answer_is_new() {
    let server = Server::start(Api::V7);
    let body = |count: u64, updated: u64| {
        let ts = |i: u64| (if i < 20 { 1_000 + i } else { 900 + i }).to_string();
        raw_window("k", count, ts, &format!(r#""updated_at": {updated},"#))
    };
    let steps: Vec<Step> = (1..=6)
        .map(|k| Step::Raw(body(k * 10, 5_000 + k)))
        .chain([Step::End])
        .collect();
    server.task("k", Task::new(steps));
    let run = against(&server, "watch", &["-n", "10", "-o", "json", "k"]);
    run.assert_code(0);
    let records = run.records();
    let want: Vec<String> = (0..60).map(|i| format!("line {i}")).collect();
    assert_eq!(shown(&records), want);
    assert!(of_type(&records, "gap").is_empty(), "{}", run.stdout);
}

/// The same time written `1011` or `1011.0` is the same line: nothing twice, indices true.
#[test]
fn a_time_written_as_int_or_float_is_one_line() {
    let server = Server::start(Api::V7);
    let body = |count: u64, float: bool| {
        let ts = |i: u64| {
            let t = 1_000 + i;
            if float {
                format!("{t}.0")
            } else {
                t.to_string()
            }
        };
        raw_window("f", count, ts, "")
    };
    let steps: Vec<Step> = (1..=6)
        .map(|k| Step::Raw(body(k * 5 + 5, k % 2 == 0)))
        .chain([Step::End])
        .collect();
    server.task("f", Task::new(steps));
    let run = against(&server, "watch", &["-n", "10", "-o", "json", "f"]);
    run.assert_code(0);
    let records = run.records();
    let want: Vec<String> = (0..35).map(|i| format!("line {i}")).collect();
    assert_eq!(shown(&records), want);
    assert_eq!(end(&records)["resume_from_index"], 35);
}
