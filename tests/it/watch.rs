//! `watch` through the real binary against a scripted server: exactly-once output, gaps,
//! restarts, every server version and the output formats.

use crate::common::*;
use serde_json::{json, Value};

fn of_type<'a>(records: &'a [Value], t: &str) -> Vec<&'a Value> {
    records.iter().filter(|r| r["type"] == t).collect()
}

#[test]
fn every_line_once_in_order() {
    let server = Server::start(Api::V7);
    server.task(
        "t1",
        Task::new([
            Step::Grow(lines("line", 0..3)),
            Step::Same,
            Step::Grow(lines("line", 3..4)),
            Step::Grow(lines("line", 4..9)),
            Step::Same,
            Step::Grow(lines("line", 9..12)),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["--utc", "t1"]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(plain_messages(&run), server.written("t1"));
    assert!(run.stdout_lines()[0].starts_with("2023-12-21T01:50:56+00:00 line 0"));
    run.assert_stderr_has("t1 finished after");
    run.assert_stderr_has("12 lines shown, 0 missed");
    assert!(run
        .stderr
        .contains("may be missing: the server drops a task's log"));
}

#[test]
fn identical_lines_all_print() {
    let server = Server::start(Api::V7);
    let same = vec!["same".to_string(); 4];
    server.task(
        "dup",
        Task::new([Step::Grow(same.clone()), Step::Grow(same), Step::End]),
    );
    let run = against(&server, "watch", &["dup"]);
    assert_eq!(run.code, 0);
    assert_eq!(plain_messages(&run), vec!["same"; 8]);
}

#[test]
fn json_lines_follow_the_schema() {
    let server = Server::start(Api::V7);
    server.task(
        "t1",
        Task::new([
            Step::Grow(lines("a", 0..2)),
            Step::Grow(lines("a", 2..3)),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["--output", "json", "t1"]);
    assert_eq!(run.code, 0);
    let records = run.records();
    assert_eq!(
        records[0],
        json!({"type": "log", "task_id": "t1", "index": 0, "timestamp": BASE_TS,
               "time": "2023-12-21T01:50:56Z", "message": "a 0"})
    );
    assert_eq!(records[2]["index"], 2);
    let end = records.last().unwrap();
    assert_eq!(end["type"], "end");
    assert_eq!(end["outcome"], "finished");
    assert_eq!(end["exit_code"], 0);
    assert_eq!(end["lines"], 3);
    assert_eq!(end["missed"], 0);
    assert_eq!(end["resume_from_index"], 3);
    assert!(end["requests"].as_u64().unwrap() >= 3);
    assert!(end["elapsed_s"].is_number());
}

#[test]
fn float_timestamps_are_kept_as_received() {
    let server = Server::start(Api::V7);
    server.task(
        "f",
        Task::new([Step::Grow(lines("x", 0..2)), Step::End]).float_timestamps(),
    );
    let run = against(&server, "watch", &["-o", "json", "f"]);
    let records = run.records();
    assert_eq!(records[1]["timestamp"], json!(1703123456.25));
    assert_eq!(records[1]["time"], "2023-12-21T01:50:56.250Z");
}

#[test]
fn a_burst_past_the_window_is_an_exact_gap() {
    let server = Server::start(Api::V7);
    server.task(
        "b",
        Task::new([
            Step::Grow(lines("l", 0..5)),
            Step::Grow(lines("l", 5..60)),
            Step::Grow(lines("l", 60..62)),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["-o", "json", "-n", "10", "b"]);
    run.assert_code(0);
    let records = run.records();
    let gaps = of_type(&records, "gap");
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0]["missed"], 45);
    let logs = of_type(&records, "log");
    let shown: Vec<&str> = logs
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = lines("l", 0..5);
    expected.extend(lines("l", 50..62));
    assert_eq!(shown, expected);
    assert_eq!(logs[5]["index"], 50, "indices skip the missed lines");
    let end = records.last().unwrap();
    assert_eq!(end["missed"], 45);
    assert_eq!(end["lines"], 17);
}

#[test]
fn gaps_are_marked_on_stderr_in_plain_output() {
    let server = Server::start(Api::V7);
    server.task(
        "b",
        Task::new([
            Step::Grow(lines("l", 0..2)),
            Step::Grow(lines("l", 2..30)),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["-n", "5", "b"]);
    run.assert_stderr_has("gap: 23 lines scrolled past");
    run.assert_stderr_has("23 missed");
    assert_eq!(plain_messages(&run).len(), 7);

    server.task(
        "q",
        Task::new([
            Step::Grow(lines("l", 0..2)),
            Step::Grow(lines("l", 2..30)),
            Step::End,
        ]),
    );
    let quiet = against(&server, "watch", &["-q", "-n", "5", "q"]);
    assert_eq!((quiet.code, quiet.stderr.as_str()), (0, ""));
    assert_eq!(plain_messages(&quiet).len(), 7);
}

#[test]
fn auto_window_asks_for_100_then_adapts_then_widens_after_a_gap() {
    let server = Server::start(Api::V7);
    let mut steps = vec![Step::Grow(lines("l", 0..3))];
    for i in 0..10 {
        steps.push(Step::Grow(lines("l", 3 + i..4 + i)));
    }
    steps.push(Step::Grow(lines("m", 0..150)));
    steps.push(Step::Same);
    steps.push(Step::End);
    server.task("a", Task::new(steps));
    let run = against(&server, "watch", &["-o", "json", "a"]);
    assert_eq!(run.code, 0);
    let asked: Vec<u32> = server
        .status_requests("a")
        .iter()
        .map(|r| r.logs_count.as_deref().unwrap().parse().unwrap())
        .collect();
    assert_eq!(asked[0], 100, "the first request asks for a full window");
    assert_eq!(
        asked[1], 100,
        "and the second, until the pace is measured between two answers: {asked:?}"
    );
    assert!(
        asked[6..11].iter().all(|&n| n < 10),
        "steady growth asks for little: {asked:?}"
    );
    assert_eq!(
        asked[12], 100,
        "after a gap the window jumps to 100: {asked:?}"
    );
    let gaps = of_type(&run.records(), "gap").len();
    assert_eq!(gaps, 1);
}

#[test]
fn a_trimming_server_is_followed_exactly_while_kept_up_with() {
    let server = Server::start(Api::V7);
    let mut steps = vec![Step::Grow(lines("t", 0..8))];
    for i in 0..10 {
        steps.push(Step::Grow(lines("t", 8 + 3 * i..11 + 3 * i)));
    }
    steps.push(Step::End);
    server.task("trim", Task::new(steps).trimmed(10));
    let run = against(&server, "watch", &["-o", "json", "trim"]);
    run.assert_code(0);
    let records = run.records();
    let shown: Vec<&str> = of_type(&records, "log")
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert_eq!(shown, server.written("trim"));
    assert!(of_type(&records, "gap").is_empty());
    let restarts = of_type(&records, "restart");
    assert_eq!(restarts.len(), 1);
    assert_eq!(restarts[0]["reason"], "realigned");
    let indices: Vec<u64> = of_type(&records, "log")
        .iter()
        .map(|r| r["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indices, (0..38).collect::<Vec<_>>());
}

#[test]
fn a_restarted_log_is_marked_and_followed() {
    let server = Server::start(Api::V7);
    server.task(
        "r",
        Task::new([
            Step::Grow(lines("old", 0..20)),
            Step::Restart(lines("new", 0..3)),
            Step::Grow(lines("new", 3..5)),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["-o", "json", "r"]);
    assert_eq!(run.code, 0);
    let records = run.records();
    let restart = records.iter().position(|r| r["type"] == "restart").unwrap();
    assert_eq!(records[restart]["reason"], "reset");
    assert_eq!(records[restart - 1]["message"], "old 19");
    assert_eq!(records[restart + 1]["message"], "new 0");
    assert_eq!(records[restart + 1]["index"], 0);
    assert_eq!(of_type(&records, "log").len(), 25);

    let plain = {
        server.task(
            "r2",
            Task::new([
                Step::Grow(lines("old", 0..20)),
                Step::Restart(lines("new", 0..3)),
                Step::End,
            ]),
        );
        against(&server, "watch", &["r2"])
    };
    assert!(
        plain
            .stderr
            .contains("restart: the task's log started over"),
        "{}",
        plain.stderr
    );
}

#[test]
fn update6_events_show_name_and_fields() {
    let server = Server::start(Api::V6);
    server.task(
        "v6",
        Task::new([
            Step::Grow(vec!["fetching_profile".into()]),
            Step::Grow(vec!["processing_reels".into()]),
            Step::Grow(vec!["saving".into(), "done_saving".into()]),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["v6"]);
    run.assert_code(0);
    assert_eq!(
        plain_messages(&run),
        vec![
            "fetching_profile count=1",
            "processing_reels count=2",
            "done_saving count=4"
        ]
    );
    run.assert_stderr_has("1 line scrolled past");
}

#[test]
fn update8_path_is_found_after_a_404_and_kept() {
    let server = Server::start(Api::V8);
    server.task(
        "t8",
        Task::new([
            Step::Grow(lines("x", 0..2)),
            Step::Grow(lines("x", 2..4)),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["-v", "t8"]);
    run.assert_code(0);
    assert_eq!(plain_messages(&run).len(), 4);
    run.assert_stderr_has("using the Update 8 status path");
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.raw_path.clone())
        .collect();
    assert!(paths[0].ends_with("/task_status/t8"));
    assert!(paths[1].ends_with("/profile_tracking_task_status/t8"));
    assert!(
        paths[2..].iter().all(|p| p.contains("profile_tracking")),
        "the path that answered is kept: {paths:?}"
    );
}

#[test]
fn api_path_template_and_base_url_prefix() {
    let server = Server::start(Api::V7).with_prefix("/behind/proxy");
    server.task("p", Task::new([Step::Grow(lines("x", 0..1)), Step::End]));
    let base = format!("{}/behind/proxy", server.url);
    let run = run(&[
        "watch",
        "--base-url",
        &base,
        "--api-path",
        "/codvid-ai/ig-tracking/task_status/{task_id}",
        "-i",
        "100ms",
        "p",
    ]);
    run.assert_code(0);
    assert!(server.requests()[0]
        .raw_path
        .starts_with("/behind/proxy/codvid-ai/ig-tracking/task_status/p"));
}

#[test]
fn odd_task_ids_reach_the_server_intact() {
    let server = Server::start(Api::V7);
    let id = "a/b?c#d%e f";
    server.task(id, Task::new([Step::Grow(lines("x", 0..1)), Step::End]));
    let run = against(&server, "watch", &[id]);
    run.assert_code(0);
    let req = &server.requests()[0];
    assert_eq!(req.task_id.as_deref(), Some(id));
    assert!(
        req.raw_path.ends_with("/a%2Fb%3Fc%23d%25e%20f"),
        "{}",
        req.raw_path
    );
}

#[test]
fn several_tasks_at_once_are_prefixed() {
    let server = Server::start(Api::V7);
    server.task(
        "one",
        Task::new([
            Step::Grow(lines("a", 0..2)),
            Step::Grow(lines("a", 2..3)),
            Step::End,
        ]),
    );
    server.task(
        "two",
        Task::new([Step::Grow(lines("b", 0..1)), Step::Same, Step::End]),
    );
    let run = against(&server, "watch", &["one", "two"]);
    run.assert_code(0);
    let mut one: Vec<&str> = Vec::new();
    let mut two: Vec<&str> = Vec::new();
    for l in run.stdout_lines() {
        if let Some(rest) = l.strip_prefix("one | ") {
            one.push(rest.split_once(' ').unwrap().1);
        } else if let Some(rest) = l.strip_prefix("two | ") {
            two.push(rest.split_once(' ').unwrap().1);
        } else {
            panic!("unprefixed line {l:?}");
        }
    }
    assert_eq!(one, vec!["a 0", "a 1", "a 2"]);
    assert_eq!(two, vec!["b 0"]);
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with("task ") && l.contains("outcome")),
        "a summary table: {}",
        run.stderr
    );
    assert!(run
        .stderr
        .lines()
        .any(|l| l.starts_with("one ") && l.contains("finished")));
}

#[test]
fn hostile_text_is_escaped_in_plain_and_exact_in_json() {
    let hostile = "ok\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\rfake\u{8}\u{9b}31m\u{202e}txt";
    let server = Server::start(Api::V7);
    server.task(
        "h",
        Task::new([
            Step::Grow(vec![hostile.into(), "two\nlines".into()]),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["--utc", "h"]);
    assert_eq!(run.code, 0);
    for c in run.stdout.chars() {
        assert!(
            c == '\n' || !(c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "raw control {c:?} in {:?}",
            run.stdout
        );
    }
    assert!(run
        .stdout
        .contains("ok\\e]52;c;ZXZpbA==\\x07\\e[2J\\rfake\\x08\\x9b31m\\u{202e}txt"));
    let out = run.stdout_lines();
    assert!(out[1].ends_with(" two"));
    assert_eq!(out[2].trim_start(), "lines");
    assert!(
        out[2].starts_with("                          "),
        "continuation is indented"
    );

    server.task(
        "h2",
        Task::new([Step::Grow(vec![hostile.into()]), Step::End]),
    );
    let json = against(&server, "watch", &["-o", "json", "h2"]);
    assert_eq!(json.records()[0]["message"], hostile);
}

#[test]
fn tail_and_from_index_choose_where_to_start() {
    let server = Server::start(Api::V7);
    server.task(
        "t",
        Task::new([
            Step::Grow(lines("l", 0..10)),
            Step::Grow(lines("l", 10..12)),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["--tail", "3", "t"]);
    assert_eq!(
        plain_messages(&run),
        vec!["l 7", "l 8", "l 9", "l 10", "l 11"]
    );

    server.task(
        "f",
        Task::new([
            Step::Grow(lines("l", 0..10)),
            Step::Grow(lines("l", 10..11)),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["--from-index", "8", "f"]);
    assert_eq!(plain_messages(&run), vec!["l 8", "l 9", "l 10"]);
}

#[test]
fn human_output_colours_on_request_only() {
    let server = Server::start(Api::V7);
    server.task("c", Task::new([Step::Grow(lines("x", 0..1)), Step::End]));
    let coloured = against(&server, "watch", &["-o", "human", "--color", "always", "c"]);
    assert!(coloured.stdout.contains("\u{1b}["), "{:?}", coloured.stdout);
    assert!(coloured.stdout.contains("x 0"));

    server.task("n", Task::new([Step::Grow(lines("x", 0..1)), Step::End]));
    let plain = against(&server, "watch", &["-o", "human", "--color", "never", "n"]);
    assert!(!plain.stdout.contains('\u{1b}'));
    assert!(!plain.stderr.contains('\u{1b}'));

    server.task("e", Task::new([Step::Grow(lines("x", 0..1)), Step::End]));
    let mut cmd = bin();
    cmd.args([
        "watch",
        "--base-url",
        &server.url,
        "-i",
        "100ms",
        "-o",
        "human",
        "e",
    ]);
    cmd.env("NO_COLOR", "1");
    let no_color = run_with(&mut cmd);
    assert!(!no_color.stdout.contains('\u{1b}'));
    let line = no_color.stdout_lines()[0].to_string();
    assert_eq!(line.len(), "HH:MM:SS x 0".len(), "{line:?}");
}

#[test]
fn relative_time_counts_from_the_task_start() {
    let server = Server::start(Api::V7);
    let many: Vec<String> = lines("l", 0..200);
    server.task("rel", Task::new([Step::Grow(many), Step::End]));
    let run = against(
        &server,
        "watch",
        &["-o", "human", "--color", "never", "--relative", "rel"],
    );
    run.assert_code(0);
    let out = run.stdout_lines();
    // Lines of the test server are three to a second from its start.
    assert_eq!(out[0], "+00:33 l 100", "{out:?}");
    assert_eq!(out[99], "+01:06 l 199");
}

#[test]
fn a_person_at_a_terminal_gets_colour_status_lines_and_a_table() {
    let server = Server::start(Api::V7);
    let steps = |p: &str| {
        let mut s: Vec<Step> = (0..12).map(|i| Step::Grow(lines(p, i..i + 1))).collect();
        s.push(Step::End);
        s
    };
    server.task("alpha", Task::new(steps("a")));
    server.task("beta", Task::new(steps("b")));
    let run = on_a_terminal(&[
        "watch",
        "--base-url",
        &server.url,
        "-i",
        "100ms",
        "alpha",
        "beta",
    ]);
    run.assert_code(0);
    let screen = run.stdout;
    assert!(screen.contains("\u{1b}["), "colour on a terminal");
    assert!(
        screen.contains("lines/s") || screen.contains("lines ·"),
        "status lines: {screen:?}"
    );
    assert!(
        screen.contains("alpha") && screen.contains(" │ "),
        "task prefixes"
    );
    assert!(screen.contains("outcome"), "the summary table");
    // Log lines are whole: the status line never lands inside one.
    for n in 0..12 {
        assert!(screen.contains(&format!("a {n}")) && screen.contains(&format!("b {n}")));
    }
}

#[test]
fn no_status_line_when_stderr_is_not_a_terminal() {
    let server = Server::start(Api::V7);
    server.task(
        "s",
        Task::new([Step::Grow(lines("l", 0..3)), Step::Same, Step::End]),
    );
    let run = against(&server, "watch", &["-o", "human", "s"]);
    assert_eq!(run.code, 0);
    assert!(
        !run.stderr.contains("lines/s") && !run.stderr.contains('\r'),
        "{:?}",
        run.stderr
    );
}
