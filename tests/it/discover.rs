//! `taskwatch ls`, `@name` and `watch`/`wait --all`, through the binary: against the scripted
//! server (listing versions, the 404 switch, exact rows, names, auth) and against
//! `taskwatch serve` (a task that starts while `watch --all` runs).

use std::process::Stdio;
use std::time::Duration;

use crate::common::*;
use serde_json::{json, Value};
use taskwatch::sim::script::{Kind, Scenario, Script};

const LIST_V8: &str = "/get_profile_tracking_tasks";
const LIST_V7: &str = "/get_tasks";

/// Three tracked profiles: `a` as Update 8's docs name the id, `b` as its demo client reads it,
/// `c` with both (`task_id` wins).
fn profiles() -> Vec<Value> {
    vec![
        json!({"task_id": "a", "target_profile": "bbcnews", "status": "active",
               "created_at": BASE_TS, "last_scraped": BASE_TS, "next_scrape_due": BASE_TS + 86_400,
               "is_competitor": false}),
        json!({"_id": "b", "target_profile": "@NatGeo", "status": "active",
               "last_scraped": "2023-12-21T01:50:56", "next_scrape_due": null}),
        json!({"task_id": "c", "_id": "ignored", "target_profile": "nasa", "status": "paused"}),
    ]
}

fn listing() -> Listing {
    Listing {
        profiles: profiles(),
        ..Listing::default()
    }
}

/// `a` processing for a while, `b` and `c` idle.
fn server(api: Api) -> Server {
    let server = Server::start(api);
    server.listing(listing());
    server.task("a", Task::new(vec![Step::Same; 50]));
    server
}

fn ls(server: &Server, extra: &[&str]) -> Run {
    let mut args = vec!["ls", "--base-url", &server.url, "--utc"];
    args.extend(extra);
    run(&args)
}

fn ids(records: &[Value]) -> Vec<&str> {
    records
        .iter()
        .map(|r| r["task_id"].as_str().unwrap())
        .collect()
}

#[test]
fn ls_rows_on_update_8() {
    let server = server(Api::V8);
    let out = ls(&server, &["-o", "plain"]);
    out.assert_code(0);
    assert_eq!(
        out.stdout,
        [
            "TASK  NAME      STATUS  LAST SCRAPED       NEXT DUE           NOW",
            "a     @bbcnews  active  2023-12-21 01:50Z  2023-12-22 01:50Z  PROCESSING",
            "b     @NatGeo   active  2023-12-21 01:50Z  -",
            "c     @nasa     paused  -                  -",
            "",
        ]
        .join("\n")
    );
    // One listing request; the probes went straight to Update 8's status path, one line each.
    assert_eq!(server.requests_to(LIST_V8).len(), 1);
    assert!(server.requests_to(LIST_V7).is_empty());
    let probes: Vec<Request> = server
        .requests()
        .into_iter()
        .filter(|r| r.task_id.is_some())
        .collect();
    assert_eq!(probes.len(), 3, "{probes:?}");
    assert!(probes.iter().all(|r| r.logs_count.as_deref() == Some("1")));
    assert!(
        server
            .requests()
            .iter()
            .all(|r| !r.raw_path.contains("/task_status/")),
        "no Update 7 status request on an Update 8 server"
    );
}

#[test]
fn ls_json_on_update_7_after_the_404_switch() {
    let server = server(Api::V7);
    let out = ls(&server, &["-o", "json"]);
    out.assert_code(0);
    let records = out.records();
    assert_eq!(ids(&records), ["a", "b", "c"]);
    assert_eq!(
        records[0],
        json!({"type": "task", "task_id": "a", "task_kind": "profile", "profile": "bbcnews",
               "reel_url": null, "project": null, "status": "active", "created_at": BASE_TS,
               "last_scraped": BASE_TS, "next_scrape_due": BASE_TS + 86_400,
               "is_processing": true})
    );
    assert_eq!(records[1]["profile"], "NatGeo");
    assert_eq!(records[1]["last_scraped"], "2023-12-21T01:50:56");
    assert_eq!(records[1]["next_scrape_due"], Value::Null);
    assert_eq!(records[2]["is_processing"], false);
    let listings: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| r.raw_path.ends_with(LIST_V8) || r.raw_path.ends_with(LIST_V7))
        .map(|r| r.raw_path)
        .collect();
    assert_eq!(
        listings,
        [
            "/codvid-ai/ig-tracking/get_profile_tracking_tasks",
            "/codvid-ai/ig-tracking/get_tasks"
        ],
        "Update 8's listing first, Update 3-7's on the 404"
    );
}

#[test]
fn the_listing_that_answered_is_kept_for_the_run() {
    // `wait --all --follow-new` lists at every round: only the first round tries Update 8's.
    let server = server(Api::V7);
    server.task(
        "a",
        Task::new(vec![Step::Same; 12].into_iter().chain([Step::End])),
    );
    let out = run(&[
        "wait",
        "--all",
        "--follow-new",
        "--discover-interval",
        "200ms",
        "--base-url",
        &server.url,
        "-i",
        "100ms",
    ]);
    out.assert_code(0);
    assert!(server.requests_to(LIST_V7).len() >= 2, "several rounds");
    assert_eq!(server.requests_to(LIST_V8).len(), 1);
}

#[test]
fn ls_processing_shows_only_those() {
    let server = server(Api::V8);
    server.task("c", Task::new(vec![Step::Same; 5]));
    let out = ls(&server, &["-o", "json", "--processing"]);
    out.assert_code(0);
    assert_eq!(ids(&out.records()), ["a", "c"]);
    let idle = Server::start(Api::V8);
    idle.listing(listing());
    let none = ls(&idle, &["--processing", "-o", "plain"]);
    assert_eq!((none.code, none.stdout.as_str()), (0, ""));
    none.assert_stderr_has("no task is processing");
}

#[test]
fn project_reels_by_post_or_get_on_405() {
    for by_get in [false, true] {
        let server = Server::start(Api::V8);
        server.listing(Listing {
            profiles: profiles(),
            projects: vec![(
                "summer".into(),
                vec![
                    json!({"_id": "r1", "reel_url": "https://www.instagram.com/reel/C1/",
                             "status": "active", "created_at": BASE_TS}),
                ],
            )],
            reels_by_get: by_get,
            ..Listing::default()
        });
        let out = ls(&server, &["-o", "json", "--project", "summer"]);
        out.assert_code(0);
        let records = out.records();
        assert_eq!(ids(&records), ["a", "b", "c", "r1"]);
        assert_eq!(records[3]["task_kind"], "reel");
        assert_eq!(records[3]["project"], "summer");
        assert_eq!(records[3]["reel_url"], "https://www.instagram.com/reel/C1/");
        let methods: Vec<String> = server
            .requests_to("/get_project_reel_tasks")
            .into_iter()
            .map(|r| r.method)
            .collect();
        let expected: &[&str] = if by_get { &["POST", "GET"] } else { &["POST"] };
        assert_eq!(methods, expected);
        let unknown = ls(&server, &["--project", "winter"]);
        assert_eq!(unknown.code, 2);
        unknown.assert_stderr_has("`winter`");
        unknown.assert_stderr_has("`summer`");
    }
}

#[test]
fn a_rejected_listing_is_exit_4() {
    let server = Server::start(Api::V8).with_token("right");
    server.listing(listing());
    for args in [vec!["ls"], vec!["watch", "--all"], vec!["wait", "@bbcnews"]] {
        let mut all = args.clone();
        all.extend(["--base-url", &server.url, "--token", "wrong"]);
        let out = run(&all);
        assert_eq!(out.code, 4, "{args:?}: {}", out.stderr);
        out.assert_stderr_has("401");
    }
    let failing = Server::start(Api::V8);
    failing.listing(Listing {
        fail_with: Some(403),
        ..listing()
    });
    assert_eq!(ls(&failing, &[]).code, 4);
    failing.listing(Listing {
        fail_with: Some(503),
        ..listing()
    });
    assert_eq!(ls(&failing, &[]).code, 5);
}

#[test]
fn names_resolve_to_one_task() {
    let server = server(Api::V8);
    let status = run(&["status", "--base-url", &server.url, "@BBCNEWS"]);
    status.assert_code(0);
    assert_eq!(
        server
            .status_requests("a")
            .last()
            .unwrap()
            .logs_count
            .as_deref(),
        Some("10")
    );
    let shown = run(&[
        "status",
        "--base-url",
        &server.url,
        "-o",
        "plain",
        "@BBCNEWS",
    ]);
    assert!(shown.stdout.starts_with("@bbcnews: "), "{}", shown.stdout);
    let json = run(&[
        "status",
        "--base-url",
        &server.url,
        "-o",
        "json",
        "@bbcnews",
    ]);
    let record = &json.records()[0];
    assert_eq!(record["task_id"], "a");
    assert_eq!(record["profile"], "bbcnews");
    for log in record["logs"].as_array().unwrap() {
        assert_eq!(log["profile"], "bbcnews", "{log}");
    }
    server.task(
        "b",
        Task::new([
            Step::Grow(lines("b", 0..2)),
            Step::Grow(lines("b", 2..3)),
            Step::End,
        ]),
    );
    server.task(
        "a",
        Task::new([Step::Grow(lines("a", 0..1)), Step::Same, Step::End]),
    );
    let json = against(&server, "watch", &["-o", "json", "natgeo"]);
    assert_eq!(json.code, 3, "an id is an id: `natgeo` is not a name");
    let json = against(&server, "watch", &["-o", "json", "@natgeo"]);
    json.assert_code(0);
    assert_eq!(json_messages(&json), ["b 0", "b 1", "b 2"]);
    for r in json.records() {
        assert_eq!(
            (r["task_id"].as_str(), r["profile"].as_str()),
            (Some("b"), Some("NatGeo"))
        );
    }
    server.task("a", Task::new([Step::Grow(lines("a", 0..2)), Step::End]));
    server.task("c", Task::new([Step::Grow(lines("c", 0..1)), Step::End]));
    // Named and plain ids together; the id `c` is shown by its name too, as the listing says.
    let plain = against(&server, "watch", &["-o", "plain", "@bbcnews", "c"]);
    plain.assert_code(0);
    let mut prefixes: Vec<&str> = plain
        .stdout_lines()
        .iter()
        .map(|l| l.split(" | ").next().unwrap())
        .collect();
    prefixes.sort();
    assert_eq!(
        prefixes,
        ["@bbcnews", "@bbcnews", "@nasa   "],
        "padded to line up"
    );
}

#[test]
fn a_name_that_matches_none_or_several_is_a_usage_error() {
    let server = Server::start(Api::V8);
    let mut profiles = profiles();
    profiles.push(json!({"task_id": "d", "target_profile": "NASA"}));
    server.listing(Listing {
        profiles,
        ..Listing::default()
    });
    let none = against(&server, "watch", &["@wwf"]);
    assert_eq!(none.code, 2);
    assert!(
        none.stderr
            .contains("no tracked profile is named @wwf; tracked: @bbcnews, @nasa, @NASA, @NatGeo"),
        "{}",
        none.stderr
    );
    let several = against(&server, "wait", &["@Nasa"]);
    assert_eq!(several.code, 2);
    assert!(
        several
            .stderr
            .contains("@Nasa names 2 tasks: c (@nasa), d (@NASA)"),
        "{}",
        several.stderr
    );
    assert!(
        server.requests().iter().all(|r| r.task_id.is_none()),
        "nothing is polled after a usage error"
    );
}

#[test]
fn wait_all_waits_for_what_is_processing_and_exits_with_the_worst() {
    let server = server(Api::V8);
    server.task(
        "a",
        Task::new([Step::Grow(lines("a", 0..2)), Step::Same, Step::End]),
    );
    server.task(
        "c",
        Task::new([
            Step::Grow(vec!["ERROR: boom".into()]),
            Step::Same,
            Step::End,
        ]),
    );
    let out = against(
        &server,
        "wait",
        &["--all", "--fail-on", "^ERROR", "-o", "json"],
    );
    out.assert_code(1);
    let records = out.records();
    let follows: Vec<(&str, &str)> = records
        .iter()
        .filter(|r| r["type"] == "follow")
        .map(|r| {
            (
                r["task_id"].as_str().unwrap(),
                r["profile"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(follows, [("a", "bbcnews"), ("c", "nasa")]);
    let ends: Vec<(&str, &str)> = records
        .iter()
        .filter(|r| r["type"] == "end")
        .map(|r| {
            (
                r["task_id"].as_str().unwrap(),
                r["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(ends.len(), 2);
    assert!(ends.contains(&("a", "finished")) && ends.contains(&("c", "failed")));
    // Nothing processing: nothing to wait for.
    let idle = Server::start(Api::V8);
    idle.listing(listing());
    let out = against(&idle, "wait", &["--all"]);
    out.assert_code(0);
    out.assert_stderr_has("no task is processing");
}

#[test]
fn a_listing_that_fails_for_a_while_is_tried_again() {
    let server = server(Api::V8);
    server.listing(Listing {
        fail_with: Some(503),
        fail_times: 2,
        ..listing()
    });
    server.task(
        "a",
        Task::new([Step::Same, Step::Grow(lines("a", 0..3)), Step::End]),
    );
    // `wait` would end at once on a first round that found nothing: it waits for the listing.
    let out = against(&server, "wait", &["--all", "-o", "json"]);
    out.assert_code(0);
    let end = out
        .records()
        .into_iter()
        .find(|r| r["type"] == "end")
        .unwrap();
    assert_eq!(
        (&end["task_id"], &end["outcome"], &end["lines"]),
        (&json!("a"), &json!("finished"), &json!(3))
    );
    assert_eq!(
        out.stderr
            .matches("cannot list the tasks: HTTP 503")
            .count(),
        2,
        "{}",
        out.stderr
    );
    assert_eq!(server.requests_to(LIST_V8).len(), 3);
}

// Against `taskwatch serve`.

const SEED: &str = "11";

#[test]
fn serve_lists_tasks_as_each_version_does() {
    for api in ["6", "7", "8"] {
        let serve =
            Serve::start_seeded(SEED, &["--api", api, "--profiles", "5", "--schedule", "0s"]);
        let out = run(&[
            "ls",
            "--base-url",
            &serve.url,
            "-o",
            "json",
            "--project",
            "campaign",
        ]);
        assert_eq!(out.code, 0, "{api}: {}", out.stderr);
        let records = out.records();
        assert_eq!(records.len(), 6, "{api}: five profiles and a reel");
        let mut handles: Vec<&str> = records[..5]
            .iter()
            .map(|r| r["profile"].as_str().unwrap())
            .collect();
        handles.sort();
        handles.dedup();
        assert_eq!(handles.len(), 5, "{api}: the handles differ");
        assert!(records.iter().all(|r| r["is_processing"] == false));
        assert_eq!(records[5]["task_kind"], "reel");
        let (path, detail) = if api == "8" {
            ("get_profile_tracking_tasks", "get_profile_tracking_task")
        } else {
            ("get_tasks", "get_task")
        };
        let (status, raw) = serve.json("GET", &format!("/codvid-ai/ig-tracking/{path}"), "");
        assert_eq!(status, 200);
        let tasks = raw["response"]["tasks"].as_array().unwrap();
        let with_task_id = tasks.iter().filter(|t| t.get("task_id").is_some()).count();
        if api == "8" {
            assert!(
                with_task_id > 0 && with_task_id < 5,
                "some records `_id` only"
            );
        } else {
            assert_eq!(with_task_id, 0);
            assert_eq!(raw["response"]["total_tasks"], 5);
        }
        let id = records[0]["task_id"].as_str().unwrap();
        let (status, one) = serve.json("GET", &format!("/codvid-ai/ig-tracking/{detail}/{id}"), "");
        assert_eq!(status, 200);
        assert_eq!(
            one["response"]["task"]["target_profile"],
            records[0]["profile"]
        );
        assert_eq!(one["response"]["task"]["scrape_interval_days"], 1);
        // The reel listing: POST on Update 8, GET with the body before (POST is 405).
        let body = r#"{"schema_version": "4.0", "data": {"project_name": "campaign"}}"#;
        let reels = "/codvid-ai/ig-tracking/get_project_reel_tasks";
        let (post, _) = serve.json("POST", reels, body);
        let (get, _) = serve.json("GET", reels, body);
        assert_eq!(
            (post, get),
            if api == "8" { (200, 405) } else { (405, 200) }
        );
    }
}

/// The messages the simulator writes for a task.
fn expected(duration_s: u64, id: &str) -> Vec<String> {
    let script = Script::build(
        Kind::Profile,
        Scenario::Normal,
        Duration::from_secs(duration_s),
        id,
        SEED.parse().unwrap(),
    );
    script
        .visible(script.ends_at)
        .iter()
        .map(|l| {
            let m = script.render(l, 0, false).message.unwrap();
            m.as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn watch_all_picks_up_a_task_that_starts_later_with_exact_lines() {
    let serve = Serve::start_seeded(
        SEED,
        &["--profiles", "3", "--schedule", "0s", "--duration", "3s"],
    );
    let listed = run(&["ls", "--base-url", &serve.url, "-o", "json"]).records();
    let id = listed[1]["task_id"].as_str().unwrap().to_string();
    let handle = listed[1]["profile"].as_str().unwrap().to_string();
    // -v: each request is noted on stderr, so the test sees the first listing go out.
    let watch = Live::spawn(bin().args([
        "watch",
        "--all",
        "--base-url",
        &serve.url,
        "--discover-interval",
        "500ms",
        "-i",
        "200ms",
        "-o",
        "json",
        "-v",
    ]));
    let limit = Duration::from_secs(30);
    // Started once watching has begun: after the first listing request.
    watch.wait_for(limit, "a first listing", |_, err| {
        err.contains("get_profile_tracking_tasks") || err.contains("get_tasks")
    });
    let ends = |out: &str| {
        out.lines()
            .filter(|l| serde_json::from_str::<Value>(l).is_ok_and(|r| r["type"] == "end"))
            .count()
    };
    let trigger = format!("/codvid-ai/ig-tracking/force_scrape_profile_tracking_task/{id}");
    assert_eq!(serve.json("POST", &trigger, "").0, 200);
    // The task runs 3 s; once it has ended, it is started again and picked up as a second run.
    watch.wait_for(limit, "the first run's end", |out, _| ends(out) == 1);
    assert_eq!(serve.json("POST", &trigger, "").0, 200);
    watch.wait_for(limit, "the second run's end", |out, _| ends(out) == 2);
    watch.signal("-INT");
    let out = watch.finish(Duration::from_secs(120));
    out.assert_code(130);
    let records = out.records();
    let follows: Vec<&Value> = records.iter().filter(|r| r["type"] == "follow").collect();
    assert_eq!(
        follows,
        [
            &json!({"type": "follow", "task_id": id, "profile": handle, "run": 1}),
            &json!({"type": "follow", "task_id": id, "profile": handle, "run": 2}),
        ]
    );
    let ends: Vec<&Value> = records.iter().filter(|r| r["type"] == "end").collect();
    assert_eq!(ends.len(), 2, "{}", out.stdout);
    assert!(ends
        .iter()
        .all(|e| e["outcome"] == "finished" && e["missed"] == 0));
    // Every line of each run exactly once, in order, named by the profile.
    let logs: Vec<&Value> = records.iter().filter(|r| r["type"] == "log").collect();
    assert!(logs
        .iter()
        .all(|r| r["task_id"] == id.as_str() && r["profile"] == handle.as_str()));
    let messages: Vec<String> = logs
        .iter()
        .map(|r| r["message"].as_str().unwrap().to_string())
        .collect();
    let one = expected(3, &id);
    assert_eq!(
        one[0],
        format!("Starting profile tracking task for @{handle}")
    );
    assert_eq!(messages, [one.clone(), one].concat());
}

#[test]
fn demo_all_follows_every_profile_that_starts() {
    let out = run(&[
        "demo",
        "--all",
        "--duration",
        "2s",
        "--scenario",
        "normal",
        "-o",
        "json",
    ]);
    out.assert_code(0);
    let records = out.records();
    let follows: Vec<&str> = records
        .iter()
        .filter(|r| r["type"] == "follow")
        .map(|r| r["profile"].as_str().unwrap())
        .collect();
    assert_eq!(follows.len(), 5, "two at once and three later: {follows:?}");
    let ends: Vec<&Value> = records.iter().filter(|r| r["type"] == "end").collect();
    assert_eq!(ends.len(), 5);
    assert!(
        ends.iter().all(|e| e["outcome"] == "finished"),
        "a fast task may scroll lines past at the demo's 1 s interval: they are counted"
    );
    for r in records.iter().filter(|r| r["type"] == "log").take(1) {
        let handle = r["profile"].as_str().unwrap();
        let first = records
            .iter()
            .find(|l| l["type"] == "log" && l["task_id"] == r["task_id"])
            .unwrap();
        assert_eq!(
            first["message"],
            format!("Starting profile tracking task for @{handle}")
        );
    }
}

#[test]
fn all_flags_that_do_not_fit_are_usage_errors() {
    for args in [
        &["wait", "--follow-new", "t1"][..],
        &["watch", "--discover-interval", "5s", "t1"],
        &["watch", "--project", "summer", "t1"],
        &["watch", "--all", "--trigger", "profile"],
        &["watch", "--all", "--from-index", "3"],
        &["watch", "--all", "--discover-interval", "10ms"],
        &["ls", "t1"],
    ] {
        let out = run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("--") || out.stderr.contains("unexpected"),
            "{}",
            out.stderr
        );
    }
    let bad = run(&["watch", "--all", "--discover-interval", "10ms"]);
    assert!(bad.stderr.contains("--discover-interval") && bad.stderr.contains("at least 100ms"));
}

#[test]
fn wait_all_with_a_project_follows_its_processing_reels_too() {
    let server = Server::start(Api::V8);
    server.listing(Listing {
        profiles: profiles(),
        projects: vec![(
            "summer".into(),
            vec![json!({"task_id": "r1", "reel_url": "https://www.instagram.com/reel/C1/"})],
        )],
        ..Listing::default()
    });
    server.task(
        "r1",
        Task::new([Step::Grow(lines("r", 0..2)), Step::Same, Step::End]),
    );
    let out = against(
        &server,
        "wait",
        &["--all", "--project", "summer", "-o", "json"],
    );
    out.assert_code(0);
    let records = out.records();
    assert_eq!(
        records[0],
        json!({"type": "follow", "task_id": "r1", "run": 1}),
        "a reel has no profile"
    );
    let end = records.iter().find(|r| r["type"] == "end").unwrap();
    assert_eq!((&end["task_id"], &end["lines"]), (&json!("r1"), &json!(2)));
}

#[test]
fn a_server_without_listings_is_exit_5_with_a_hint() {
    let server = Server::start(Api::V8).with_prefix("/api");
    let out = run(&["ls", "--base-url", &server.url]);
    out.assert_code(5);
    out.assert_stderr_has("404");
    out.assert_stderr_has("hint: check --base-url");
    assert_eq!(server.requests().len(), 2, "both listings, no probe");
}

/// Listed ids are the server's words: `.`, `..` (also percent-encoded) and ids over 1 KiB are
/// never requested (the bearer token would go to another route); a task listed many times is
/// one row and one probe, and `@name` of a repeated entry resolves to it.
#[test]
fn listed_ids_are_untrusted_and_a_repeated_entry_is_one_task() {
    let server = Server::start(Api::V8);
    let mut profiles = vec![
        json!({"task_id": "a", "target_profile": "bbcnews", "status": "active"}),
        json!({"task_id": "..", "target_profile": "dots", "status": "active"}),
        json!({"task_id": ".", "target_profile": "dot", "status": "active"}),
        json!({"task_id": "%2e%2E", "target_profile": "encoded", "status": "active"}),
        json!({"task_id": "x".repeat(2000), "target_profile": "long", "status": "active"}),
    ];
    for _ in 0..50 {
        profiles.push(json!({"task_id": "dup", "target_profile": "dupe", "status": "active"}));
    }
    server.listing(Listing {
        profiles,
        ..Listing::default()
    });
    server.task("a", Task::new(vec![Step::Same; 50]));
    let out = ls(&server, &["-o", "json"]);
    out.assert_code(0);
    assert_eq!(ids(&out.records()), ["a", "dup"]);
    out.assert_stderr_has("4 listed tasks skipped");
    assert!(out.stderr.len() < 1000, "a short note: {}", out.stderr);
    let status: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| !r.raw_path.contains("get_profile_tracking_tasks"))
        .map(|r| r.raw_path.clone())
        .collect();
    assert_eq!(status.len(), 2, "one probe each for a and dup: {status:?}");
    assert!(
        status
            .iter()
            .all(|p| p.ends_with("/a") || p.ends_with("/dup")),
        "{status:?}"
    );

    let named = against(&server, "status", &["@dupe"]);
    assert_eq!(named.code, 3, "dup is idle: {}", named.stderr);
    named.assert_stderr_lacks("names 2 tasks");
}

/// A probe refused (403) for one task while the listing works is that task's problem: a
/// warning naming it, and the other tasks are followed.
#[test]
fn a_probe_refused_for_one_task_is_that_tasks_problem() {
    let server = server(Api::V8);
    server.task(
        "a",
        Task::new([Step::Grow(lines("a", 0..2)), Step::Same, Step::End]),
    );
    server.task(
        "c",
        Task::new([fault(403, "application/json", r#"{"error": "not yours"}"#)]),
    );
    let out = against(&server, "wait", &["--all", "-o", "json"]);
    out.assert_code(0);
    out.assert_stderr_has("task c is not followed");
    out.assert_stderr_lacks("cannot list the tasks");
    let ends: Vec<Value> = out
        .records()
        .into_iter()
        .filter(|r| r["type"] == "end")
        .collect();
    assert_eq!(ends.len(), 1);
    assert_eq!(ends[0]["task_id"], "a");
}

/// Polls `condition` until it holds (at most `limit`).
fn wait_until(limit: Duration, condition: impl Fn() -> bool) {
    let until = std::time::Instant::now() + limit;
    while !condition() && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(condition(), "not within {limit:?}");
}

fn interrupt(child: &std::process::Child) {
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

fn watch_all(server: &Server, extra: &[&str]) -> std::process::Child {
    bin()
        .args(["watch", "--base-url", &server.url, "--all", "-o", "json"])
        .args(["--discover-interval", "200ms", "-i", "100ms"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Once a listing has worked, any failure but 401/403 (a 404 from a proxy here) is retried:
/// `watch --all` keeps going and follows a task that starts later.
#[test]
fn after_a_listing_has_worked_its_failures_are_retried() {
    let server = server(Api::V8);
    server.listing(Listing {
        fail_with: Some(404),
        fail_after: 1,
        fail_times: 1,
        ..listing()
    });
    // `a` idle at the first rounds, then processing.
    server.task(
        "a",
        Task::new([
            Step::Absent,
            Step::Absent,
            Step::Grow(lines("a", 0..3)),
            Step::Same,
            Step::End,
        ]),
    );
    let child = watch_all(&server, &[]);
    wait_until(Duration::from_secs(20), || {
        server.status_requests("a").len() >= 6
    });
    interrupt(&child);
    let out = finish(child, Duration::from_secs(10));
    assert!(
        out.stderr.contains("cannot list the tasks: HTTP 404"),
        "the failure was said: {}",
        out.stderr
    );
    let shown = out
        .records()
        .into_iter()
        .filter(|r| r["type"] == "log")
        .count();
    assert_eq!(shown, 3, "{}\n{}", out.stdout, out.stderr);
}

/// `watch @name`: a listing that fails once (502) is retried like a status request.
#[test]
fn a_name_is_resolved_through_a_listing_that_failed_once() {
    let server = server(Api::V8);
    server.listing(Listing {
        fail_with: Some(502),
        fail_times: 1,
        ..listing()
    });
    server.task(
        "a",
        Task::new([Step::Grow(lines("a", 0..2)), Step::Same, Step::End]),
    );
    let out = against(&server, "watch", &["@bbcnews"]);
    out.assert_code(0);
    assert_eq!(out.stdout.lines().count(), 2, "{}", out.stdout);
    out.assert_stderr_has("cannot list the tasks: HTTP 502");
    // A one-shot command fails at once.
    server.listing(Listing {
        fail_with: Some(502),
        fail_times: 0,
        ..listing()
    });
    let out = against(&server, "status", &["@bbcnews"]);
    out.assert_code(5);
}

/// `watch --all --timeout`: a task still processing at its timeout is not followed again (its
/// lines would be printed again as "run 2"); it is once it has been seen idle and starts anew.
#[test]
fn a_timed_out_run_is_not_followed_again() {
    let server = server(Api::V8);
    let mut steps = vec![Step::Grow(lines("a", 0..3))];
    steps.extend(vec![Step::Same; 40]);
    server.task("a", Task::new(steps));
    let child = watch_all(&server, &["--timeout", "1s"]);
    // Rounds well after the timeout.
    wait_until(Duration::from_secs(20), || {
        server.requests_to(LIST_V8).len() >= 10
    });
    interrupt(&child);
    let out = finish(child, Duration::from_secs(10));
    let records = out.records();
    let follows = records.iter().filter(|r| r["type"] == "follow").count();
    assert_eq!(follows, 1, "followed once: {}", out.stdout);
    let logs = records.iter().filter(|r| r["type"] == "log").count();
    assert_eq!(logs, 3, "each line once: {}", out.stdout);
}

/// Schedule-aware probing: a task whose scrape is due, and one the listing gives no schedule
/// for, are probed every round; the others (not due, or paused) at `--probe-rate`, round
/// robin; a `last_scraped` that moved gets its task probed at the next round, and `-v` says so.
#[test]
fn probes_follow_the_schedule_and_the_budget() {
    let now = chrono::Utc::now().timestamp();
    let mut profiles = vec![
        json!({"task_id": "due", "target_profile": "due", "status": "active",
               "last_scraped": now - 86_400, "next_scrape_due": now - 5}),
        json!({"task_id": "unscheduled", "target_profile": "unscheduled", "status": "active"}),
        json!({"task_id": "paused", "target_profile": "paused", "status": "paused",
               "last_scraped": now - 86_400, "next_scrape_due": now - 5}),
    ];
    for k in 0..20 {
        profiles.push(
            json!({"task_id": format!("q{k}"), "target_profile": format!("q{k}"),
            "status": "active", "last_scraped": now - 3_600, "next_scrape_due": now + 86_400}),
        );
    }
    let server = Server::start(Api::V8);
    server.listing(Listing {
        profiles: profiles.clone(),
        ..Listing::default()
    });
    let child = watch_all(&server, &["--probe-rate", "2", "-v"]);
    wait_until(Duration::from_secs(20), || {
        server.requests_to(LIST_V8).len() >= 6
    });
    // q3 ran meanwhile: its last_scraped moved.
    profiles[6]["last_scraped"] = json!(now);
    server.listing(Listing {
        profiles,
        ..Listing::default()
    });
    let rounds_before = server.requests_to(LIST_V8).len();
    let q3_before = server.status_requests("q3").len();
    wait_until(Duration::from_secs(20), || {
        server.requests_to(LIST_V8).len() >= rounds_before + 5
    });
    interrupt(&child);
    let out = finish(child, Duration::from_secs(10));
    let rounds = server.requests_to(LIST_V8).len();
    let probes = |id: &str| server.status_requests(id).len();
    assert!(
        probes("due") + 1 >= rounds,
        "due: {} of {rounds}",
        probes("due")
    );
    assert!(probes("unscheduled") + 1 >= rounds);
    let quiet: usize = (0..20).map(|k| probes(&format!("q{k}"))).sum::<usize>() + probes("paused");
    // 2 a second over rounds 200 ms apart: about 0.4 a round, round robin.
    assert!(
        quiet <= rounds.div_ceil(2) + 2,
        "{quiet} background probes in {rounds} rounds"
    );
    assert!(quiet >= 1, "the background probes go on");
    assert!(
        (0..20).all(|k| probes(&format!("q{k}")) <= 2),
        "round robin, none probed again and again"
    );
    assert!(probes("q3") > q3_before, "a moved last_scraped is probed");
    out.assert_stderr_has("task q3 ran since the last listing");
}

/// `@name` found in the listing but not processing: the hint does not say "or the id is
/// unknown" (the listing knows it) and names how to wait for it or start it.
#[test]
fn a_listed_task_that_is_not_processing_gets_a_hint_that_fits() {
    let server = server(Api::V8);
    let out = against(&server, "watch", &["@NatGeo"]);
    out.assert_code(3);
    out.assert_stderr_lacks("id is unknown");
    out.assert_stderr_has("the listing holds it");
    out.assert_stderr_has("--trigger profile");
    // An id the listing was not asked about keeps the general words.
    let out = against(&server, "watch", &["zz"]);
    out.assert_code(3);
    out.assert_stderr_has("id is unknown");
}

/// Lines of a child's output, each with the moment it arrived.
type Timed = std::sync::Arc<std::sync::Mutex<Vec<(std::time::Instant, String)>>>;

fn timed_lines(from: impl std::io::Read + Send + 'static) -> Timed {
    let lines: Timed = Default::default();
    let kept = lines.clone();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(from)) {
            let Ok(line) = line else { break };
            kept.lock().unwrap().push((std::time::Instant::now(), line));
        }
    });
    lines
}

/// `taskwatch serve --port 0 ARGS`: its URL, and its stderr lines (the runs it starts) as
/// they arrive.
fn serve_announcing(args: &[&str]) -> (Reaped, String, Timed) {
    let mut child = bin()
        .args(["serve", "--port", "0", "--seed", SEED])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut url = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut url,
    )
    .unwrap();
    let said = timed_lines(child.stderr.take().unwrap());
    (Reaped(child), url.trim().to_string(), said)
}

/// The runs `serve` announced as `what` ("scheduled run" or "run by hand"), after `since`:
/// their ids and when the line arrived.
fn announced(
    said: &Timed,
    what: &str,
    since: std::time::Instant,
) -> Vec<(String, std::time::Instant)> {
    said.lock()
        .unwrap()
        .iter()
        .filter(|(at, line)| *at >= since && line.contains(&format!(" {what} ")))
        .filter_map(|(at, line)| {
            let id = line.rsplit_once('(')?.1.split_once(')')?.0;
            Some((id.to_string(), *at))
        })
        .collect()
}

/// The JSON records `watch` printed for `id`, each with the moment it arrived.
fn records_of(out: &Timed, id: &str) -> Vec<(std::time::Instant, Value)> {
    out.lock()
        .unwrap()
        .iter()
        .filter_map(|(at, l)| Some((*at, serde_json::from_str::<Value>(l).ok()?)))
        .filter(|(_, r)| r["task_id"] == id)
        .collect()
}

fn listed_times(
    url: &str,
    id: &str,
) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let out = run(&["ls", "--base-url", url, "-o", "json"]);
    out.assert_code(0);
    let record = out
        .records()
        .into_iter()
        .find(|r| r["task_id"] == id)
        .unwrap();
    let at = |v: &Value| taskwatch::api::listing::listing_time(v).unwrap_or_else(|| panic!("{v}"));
    (at(&record["last_scraped"]), at(&record["next_scrape_due"]))
}

fn watch_all_timed(url: &str, extra: &[&str]) -> (Reaped, Timed, Timed) {
    let mut child = bin()
        .args([
            "watch",
            "--all",
            "--base-url",
            url,
            "-o",
            "json",
            "-i",
            "100ms",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = timed_lines(child.stdout.take().unwrap());
    let err = timed_lines(child.stderr.take().unwrap());
    (Reaped(child), out, err)
}

/// A child killed when dropped, also when an assertion fails first.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn stop(child: Reaped) {
    drop(child);
}

/// A run the simulator starts when its profile is due is followed within one
/// `--discover-interval` of its start, from its first line (index 0, no gap), though no
/// background probe is allowed (`--probe-rate 0`): the listing's `next_scrape_due` is what
/// finds it. When it ends, the listing has moved `last_scraped` to its end and
/// `next_scrape_due` on by one period (40 profiles × 1 s), in Update 7's ISO times.
#[test]
fn a_scheduled_run_is_followed_from_index_0_within_one_round() {
    let every = Duration::from_millis(300);
    let (server, url, said) = serve_announcing(&[
        "--api",
        "7",
        "--profiles",
        "40",
        "--schedule",
        "1s",
        "--duration",
        "2s",
    ]);
    let before: Vec<Value> = run(&["ls", "--base-url", &url, "-o", "json"]).records();
    assert_eq!(before.len(), 40);
    let (watch, out, err) =
        watch_all_timed(&url, &["--discover-interval", "300ms", "--probe-rate", "0"]);
    let since = std::time::Instant::now() + Duration::from_millis(500);
    // Two scheduled runs that started once the watcher ran, each followed to its end.
    let ended = |id: &str| records_of(&out, id).iter().any(|(_, r)| r["type"] == "end");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let runs = loop {
        let runs: Vec<_> = announced(&said, "scheduled run", since)
            .into_iter()
            .take(2)
            .collect();
        if runs.len() == 2 && runs.iter().all(|(id, _)| ended(id)) {
            break runs;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not followed to their end: {runs:?}\n{:#?}\n{:#?}",
            out.lock().unwrap(),
            err.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    stop(watch);
    for (id, started) in &runs {
        let records = records_of(&out, id);
        let (followed, follow) = records.first().unwrap();
        assert_eq!(follow["type"], "follow", "{records:?}");
        let latency = followed.duration_since(*started);
        // One round, and room for a slow machine (a missed schedule would never be seen:
        // no background probe runs, and last_scraped moves only when the run has ended).
        assert!(
            latency <= every + Duration::from_millis(1200),
            "{id} followed {latency:?} after its start"
        );
        let first_log = records.iter().find(|(_, r)| r["type"] == "log").unwrap();
        assert_eq!(first_log.1["index"], 0, "{records:?}");
        assert!(
            records.iter().all(|(_, r)| r["type"] != "gap"),
            "{records:?}"
        );
        let end = &records.iter().find(|(_, r)| r["type"] == "end").unwrap().1;
        assert_eq!(
            (&end["outcome"], &end["missed"]),
            (&json!("finished"), &json!(0))
        );
        // The schedule moved: due a period (40 × 1 s) after the turn it took.
        let due_before = before.iter().find(|r| r["task_id"] == id.as_str()).unwrap();
        let due_before =
            taskwatch::api::listing::listing_time(&due_before["next_scrape_due"]).unwrap();
        let (last, due) = listed_times(&url, id);
        assert_eq!((due - due_before).num_milliseconds(), 40_000, "{id}");
        assert!(
            last > due_before,
            "last_scraped is the run's end: {last} {due_before}"
        );
    }
    stop(server);
}

/// A run started by hand outside the schedule (`serve --forced-runs`) is found by the
/// background probes within tasks ÷ `--probe-rate` seconds (12 ÷ 12 here), though its profile
/// is not due; when it ends, its `last_scraped` has moved and its `next_scrape_due` has not
/// (Update 8's float times).
#[test]
fn a_run_by_hand_is_found_within_the_probe_cycle() {
    let (server, url, said) = serve_announcing(&[
        "--api",
        "8",
        "--profiles",
        "12",
        "--schedule",
        "0s",
        "--forced-runs",
        "1500ms",
        "--duration",
        "3s",
    ]);
    let (watch, out, err) = watch_all_timed(
        &url,
        &["--discover-interval", "250ms", "--probe-rate", "12"],
    );
    let since = std::time::Instant::now() + Duration::from_millis(500);
    let before: Vec<Value> = run(&["ls", "--base-url", &url, "-o", "json"]).records();
    let ended = |id: &str| records_of(&out, id).iter().any(|(_, r)| r["type"] == "end");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let (id, started) = loop {
        if let Some(run) = announced(&said, "run by hand", since)
            .into_iter()
            .find(|(id, _)| ended(id))
        {
            break run;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no run by hand followed: {:#?}\n{:#?}\n{:#?}",
            said.lock().unwrap(),
            out.lock().unwrap(),
            err.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    stop(watch);
    let records = records_of(&out, &id);
    let (followed, follow) = records.iter().find(|(at, _)| *at >= started).unwrap();
    assert_eq!(follow["type"], "follow", "{records:?}");
    // The cycle (1 s) and a round, and room for a slow machine; the run lasts 4 s, and its
    // last_scraped moves only at its end: only the round robin finds it in time.
    let latency = followed.duration_since(started);
    assert!(
        latency <= Duration::from_millis(1000 + 250 + 1200),
        "{id} followed {latency:?} after its start"
    );
    let was = before.iter().find(|r| r["task_id"] == id.as_str()).unwrap();
    let at = |v: &Value| taskwatch::api::listing::listing_time(v).unwrap();
    let (last, due) = listed_times(&url, &id);
    assert_eq!(
        due,
        at(&was["next_scrape_due"]),
        "a run by hand keeps the schedule"
    );
    assert!(last > at(&was["last_scraped"]), "last_scraped moved");
    assert!(
        was["next_scrape_due"].is_f64(),
        "Update 8 sends floats: {was}"
    );
    stop(server);
}

/// A run of a task seen idle before started while the watcher was looking: the lines it wrote
/// before its first window was read are a gap (counted in `missed`), not history. A run already
/// processing when its task is first probed (here `c`, paused, so probed in the background
/// after the first round) keeps the history rule of `watch ID` (no gap).
#[test]
fn a_run_found_later_reports_the_lines_before_its_first_window_as_a_gap() {
    let server = server(Api::V8);
    // `a` idle for the first rounds, then 150 lines at once; `c` processing from the start.
    server.task(
        "a",
        Task::new([
            Step::Absent,
            Step::Absent,
            Step::Absent,
            Step::Grow(lines("a", 0..150)),
            Step::Same,
            Step::Same,
            Step::End,
        ]),
    );
    server.task(
        "c",
        Task::new([
            Step::Grow(lines("c", 0..150)),
            Step::Same,
            Step::Same,
            Step::End,
        ]),
    );
    let mut child = watch_all(&server, &[]);
    let out = timed_lines(child.stdout.take().unwrap());
    let _err = timed_lines(child.stderr.take().unwrap());
    let child = Reaped(child);
    let ended = |id: &str| records_of(&out, id).iter().any(|(_, r)| r["type"] == "end");
    wait_until(Duration::from_secs(20), || ended("a") && ended("c"));
    stop(child);
    for (id, missed) in [("a", 50), ("c", 0)] {
        let records: Vec<Value> = records_of(&out, id)
            .into_iter()
            .map(|(_, r)| r)
            .filter(|r| r["type"] != "log" || r["index"].as_u64() < Some(52))
            .collect();
        let gaps: Vec<&Value> = records.iter().filter(|r| r["type"] == "gap").collect();
        let first = records.iter().find(|r| r["type"] == "log").unwrap();
        assert_eq!(first["index"], 50, "{id}: {records:?}");
        let end = records.iter().find(|r| r["type"] == "end").unwrap();
        assert_eq!(end["missed"], missed, "{id}: {records:?}");
        if missed > 0 {
            assert_eq!(gaps.len(), 1, "{id}: {records:?}");
            assert_eq!(gaps[0]["missed"], missed);
        } else {
            assert!(gaps.is_empty(), "{id}: history is no gap: {records:?}");
        }
    }
}

/// Runs by hand writing 100 lines a second, found by the background probes seconds later: every
/// one began while watched (the server's `started_at` says so even when no probe had seen its
/// task idle yet), so the lines that scrolled out before it was found are one gap of exactly
/// the first index shown, never silently left out.
#[test]
fn a_fast_run_by_hand_found_late_reports_its_early_lines_as_a_gap() {
    let (server, url, said) = serve_announcing(&[
        "--profiles",
        "12",
        "--schedule",
        "0s",
        "--forced-runs",
        "700ms",
        "--scenario",
        "steady",
        "--lines",
        "3000",
        "--rate",
        "100",
    ]);
    let (watch, out, _err) =
        watch_all_timed(&url, &["--discover-interval", "250ms", "--probe-rate", "1"]);
    let since = std::time::Instant::now();
    let late = |id: &str| {
        records_of(&out, id)
            .iter()
            .find(|(_, r)| r["type"] == "log")
            .is_some_and(|(_, r)| r["index"].as_u64() > Some(0))
    };
    wait_until(Duration::from_secs(30), || {
        announced(&said, "run by hand", since)
            .iter()
            .filter(|(id, _)| late(id))
            .count()
            >= 3
    });
    stop(watch);
    for (id, _) in announced(&said, "run by hand", since) {
        let records: Vec<Value> = records_of(&out, &id).into_iter().map(|(_, r)| r).collect();
        let Some(first) = records.iter().position(|r| r["type"] == "log") else {
            continue;
        };
        let index = records[first]["index"].as_u64().unwrap();
        let missed: u64 = records[..first]
            .iter()
            .filter(|r| r["type"] == "gap")
            .map(|r| r["missed"].as_u64().unwrap())
            .sum();
        assert_eq!(
            missed, index,
            "{id}: lines 0..{index} not shown must be a gap"
        );
    }
    stop(server);
}
