//! Progress through the binary: JSON `progress` records against `taskwatch serve`, the bar and
//! ETA at a terminal (also in `demo`), `status`, custom patterns and `--progress none`.

use crate::common::*;
use serde_json::Value;

fn of_type<'a>(records: &'a [Value], t: &str) -> Vec<&'a Value> {
    records.iter().filter(|r| r["type"] == t).collect()
}

#[test]
fn json_progress_records_follow_the_outer_loop_of_the_simulator() {
    let serve = Serve::start_seeded("7", &["--duration", "4s"]);
    let run = run(&[
        "watch",
        "--base-url",
        &serve.url,
        "-i",
        "200ms",
        "-o",
        "json",
        "--trigger",
        "profile",
        // Hidden lines still count for progress.
        "--exclude",
        "^Processing post",
        "p1",
    ]);
    run.assert_code(0);
    let records = run.records();
    let logs = of_type(&records, "log");
    let messages: Vec<&str> = logs
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert!(!messages.iter().any(|m| m.starts_with("Processing post")));
    // The simulator says how many posts it will process.
    let posts: u64 = messages
        .iter()
        .find_map(|m| m.strip_prefix("Profile fetched: "))
        .and_then(|m| m.split(", ").nth(1))
        .and_then(|m| m.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the profile line");
    let progress = of_type(&records, "progress");
    assert!(progress.len() >= 2, "{records:?}");
    let mut last_done = 0;
    for p in &progress {
        assert_eq!(p["task_id"], "p1");
        assert_eq!(p["label"], "Processing post", "the outer loop: {p}");
        assert_eq!(p["total"], posts);
        let done = p["done"].as_u64().unwrap();
        assert!(done > last_done, "each record is a change: {progress:?}");
        last_done = done;
        assert!(p["eta_s"].is_null() || p["eta_s"].is_u64(), "{p}");
    }
    assert_eq!(last_done, posts);
    let last = progress.last().unwrap();
    assert_eq!(last["eta_s"], 0);
    assert!(
        progress[..progress.len() - 1]
            .iter()
            .any(|p| p["eta_s"].as_u64().is_some_and(|s| s > 0)),
        "an estimate before the end: {progress:?}"
    );
    let end = records.last().unwrap();
    assert_eq!(end["type"], "end");
    assert_eq!(
        end["progress"],
        serde_json::json!({"label": "Processing post", "done": posts, "total": posts, "eta_s": 0,
                      "eta_source": "rate"})
    );
    assert_eq!(end["hidden"], posts);
}

#[test]
fn a_restarting_label_starts_over_and_none_turns_it_off() {
    let server = Server::start(Api::V7);
    let task = || {
        Task::new([
            Step::Grow(vec![
                "Processing post 1/3".into(),
                "Stored batch 1/9".into(),
            ]),
            Step::Grow(vec![
                "Processing post 2/3".into(),
                "Stored batch 2/9".into(),
            ]),
            Step::Grow(vec!["Processing post 1/5".into()]),
            Step::Grow(vec!["Processing post 1/5 again".into()]),
            Step::End,
        ])
    };
    server.task("r", task());
    let run = against(&server, "watch", &["-o", "json", "r"]);
    run.assert_code(0);
    let records = run.records();
    let seen: Vec<(u64, u64)> = of_type(&records, "progress")
        .iter()
        .map(|p| (p["done"].as_u64().unwrap(), p["total"].as_u64().unwrap()))
        .collect();
    assert_eq!(seen, [(1, 3), (2, 3), (1, 5)]);
    let last = of_type(&records, "progress")[2];
    assert!(last["eta_s"].is_null(), "a new run has no rate yet: {last}");
    server.task("r", task());
    let run = against(&server, "watch", &["-o", "json", "--progress", "none", "r"]);
    assert_eq!(run.code, 0);
    let records = run.records();
    assert!(of_type(&records, "progress").is_empty());
    assert!(records.last().unwrap()["progress"].is_null());
}

#[test]
fn a_custom_pattern_names_its_groups() {
    let server = Server::start(Api::V7);
    server.task(
        "c",
        Task::new([
            Step::Grow(vec!["uploaded 2 of 8 files".into(), "ratio 1/2".into()]),
            Step::Grow(vec!["uploaded 6 of 8 files".into()]),
            Step::End,
        ]),
    );
    let run = against(
        &server,
        "watch",
        &[
            "-o",
            "json",
            "--progress",
            r"(?P<done>\d+) of (?P<total>\d+)",
            "c",
        ],
    );
    run.assert_code(0);
    let records = run.records();
    let progress = of_type(&records, "progress");
    assert_eq!(progress.len(), 2, "{records:?}");
    assert_eq!(progress[1]["label"], "uploaded");
    assert_eq!(progress[1]["done"], 6);
    assert_eq!(progress[1]["total"], 8);
}

#[test]
fn status_shows_the_progress_of_the_latest_lines() {
    let server = Server::start(Api::V7);
    let lines: Vec<String> = [
        "Processing post 1/12",
        "Stored comment batch 1/3",
        "Processing post 2/12",
        "Processing post 3/12",
    ]
    .map(String::from)
    .to_vec();
    server.task("s", Task::new([Step::Grow(lines.clone()), Step::Same]));
    let run = against(&server, "status", &["-o", "plain", "s"]);
    run.assert_code(0);
    // Three lines a second on the test server: two posts in one second, nine left.
    assert!(
        run.stdout
            .contains("  progress  3/12 posts · 25% · ETA 5s (Processing post)\n"),
        "{}",
        run.stdout
    );
    let run = against(&server, "status", &["-o", "json", "s"]);
    assert_eq!(run.code, 0);
    let record = &run.records()[0];
    assert_eq!(
        record["progress"],
        serde_json::json!({"label": "Processing post", "done": 3, "total": 12, "eta_s": 5,
                           "eta_source": "rate"})
    );
}

/// A task that processes `posts` posts, one a poll, with slower inner lines.
fn posts_task(posts: usize, upto: usize) -> Task {
    let mut steps: Vec<Step> = (1..=upto)
        .map(|i| {
            Step::Grow(vec![
                format!("Processing post {i}/{posts}"),
                format!("Stored comment batch {i}/40"),
                format!("Fetched {i} comments"),
            ])
        })
        .collect();
    steps.extend([Step::Same, Step::Same, Step::Same, Step::End]);
    Task::new(steps)
}

#[test]
fn a_terminal_shows_a_bar_with_the_count_percentage_and_eta() {
    let server = Server::start(Api::V7);
    server.task("bar", posts_task(12, 12));
    let run = on_a_terminal(&["watch", "--base-url", &server.url, "-i", "150ms", "bar"]);
    run.assert_code(0);
    let screen = &run.stdout;
    let bar = regex::Regex::new(r"bar · [█░]{16} \d+/12 posts · \d+% · ETA \d+s").unwrap();
    assert!(bar.is_match(screen), "{screen:?}");
    assert!(screen.contains("12/12 posts · 100%"), "{screen:?}");
}

#[test]
fn many_tasks_share_a_line_that_counts_those_past_half() {
    let server = Server::start(Api::V7);
    let ids: Vec<String> = (0..9).map(|i| format!("t{i}")).collect();
    for (i, id) in ids.iter().enumerate() {
        // Four tasks get past half of 10 posts, five do not.
        server.task(id, posts_task(10, if i < 4 { 8 } else { 3 }));
    }
    let mut args = vec!["watch", "--base-url", &server.url, "-i", "150ms"];
    args.extend(ids.iter().map(String::as_str));
    let run = on_a_terminal(&args);
    run.assert_code(0);
    assert!(run.stdout.contains("9 tasks · "), "{:?}", run.stdout);
    assert!(run.stdout.contains(" · 4 past half"), "{:?}", run.stdout);
}

#[test]
fn the_demo_shows_the_bar() {
    let run = on_a_terminal(&["demo", "--duration", "5s"]);
    run.assert_code(0);
    let bar = regex::Regex::new(r"[█░]{16} \d+/\d+ posts · \d+% · ETA \d+s").unwrap();
    assert!(bar.is_match(&run.stdout), "{:?}", run.stdout);
}
