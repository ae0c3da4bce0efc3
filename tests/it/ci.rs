//! CI and the operator: GitHub Actions and GitLab output, JUnit, heartbeats, notifications and
//! end hooks, through the real binary against a scripted server.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::*;

/// A directory of its own for each test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("taskwatch-ci-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `watch`/`wait` against the server with fast polling and extra environment.
fn against_env(server: &Server, command: &str, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = bin();
    cmd.args([command, "--base-url", &server.url, "--interval", "100ms"])
        .args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    run_with(&mut cmd)
}

/// A workflow command as GitHub's runner reads one from a line: `::name …::data` at the start
/// (after blanks), or the old `##[name …]data` anywhere. Returns the command's text.
fn command_in(line: &str) -> Option<String> {
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix("::") {
        if rest.contains("::") {
            return Some(trimmed.to_string());
        }
    }
    line.find("##[").map(|at| line[at..].to_string())
}

/// The commands the runner executes from `text`, honouring `::stop-commands::TOKEN`.
fn executed(text: &str) -> Vec<String> {
    let mut stopped: Option<String> = None;
    let mut run = Vec::new();
    for line in text.lines() {
        if let Some(token) = &stopped {
            if line.trim() == format!("::{token}::") {
                stopped = None;
            }
            continue;
        }
        let Some(command) = command_in(line) else {
            continue;
        };
        if let Some(token) = command.strip_prefix("::stop-commands::") {
            stopped = Some(token.to_string());
        }
        run.push(command);
    }
    run
}

/// Whether a command is one taskwatch writes (never one made of server text).
fn ours(command: &str) -> bool {
    [
        "::group::taskwatch ",
        "::endgroup::",
        "::error title=taskwatch",
        "::warning title=taskwatch",
        "::stop-commands::taskwatch-",
    ]
    .iter()
    .any(|p| command.starts_with(p))
        || (command.starts_with("::taskwatch-") && command.ends_with("::"))
}

#[test]
fn github_mode_groups_lines_annotates_the_failure_and_writes_the_step_summary() {
    let server = Server::start(Api::V7);
    server.task(
        "gh",
        Task::new([
            Step::Grow(lines("l", 0..3)),
            Step::Grow(vec!["ERROR disk | full *now*".into(), "after".into()]),
            Step::End,
        ]),
    );
    let dir = temp_dir("github");
    let summary = dir.join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let run = against_env(
        &server,
        "watch",
        &["--fail-on", "^ERROR", "gh"],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
    );
    run.assert_code(1);
    let commands = executed(&run.stdout);
    let visible: Vec<&String> = commands
        .iter()
        .filter(|c| !c.starts_with("::stop-commands::") && !c.starts_with("::taskwatch-"))
        .collect();
    assert_eq!(
        visible,
        [
            "::group::taskwatch gh",
            "::endgroup::",
            "::error title=taskwatch gh::line 4 matched --fail-on: ERROR disk | full *now*",
        ],
        "{}",
        run.stdout
    );
    assert!(commands.iter().all(|c| ours(c)), "{commands:?}");
    // The lines are inside the group, and command processing is on again at the end.
    let out = run.stdout_lines();
    let open = out
        .iter()
        .position(|l| *l == "::group::taskwatch gh")
        .unwrap();
    let close = out.iter().position(|l| *l == "::endgroup::").unwrap();
    let messages: Vec<&str> = out[open + 1..close]
        .iter()
        .filter(|l| !l.starts_with("::"))
        .map(|l| l.split_once(' ').unwrap().1)
        .collect();
    assert_eq!(messages, server.written("gh"));
    assert!(
        out.last().unwrap().starts_with("::taskwatch-"),
        "{}",
        run.stdout
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("earlier step\n### taskwatch"), "{md}");
    assert!(
        md.contains("| task | profile | outcome | duration | lines | missed | last progress |"),
        "{md}"
    );
    assert!(md.contains("| gh |  | failed | "), "{md}");
    assert!(md.contains(" | 5 | 0 |"), "{md}");
    assert!(
        md.contains("line 4 matched \\-\\-fail\\-on\\: ERROR disk \\| full \\*now\\*"),
        "{md}"
    );
}

#[test]
fn annotations_stop_at_ten_of_a_kind_then_one_says_how_many_more() {
    let server = Server::start(Api::V7);
    let ids: Vec<String> = (0..12).map(|i| format!("t{i:02}")).collect();
    for id in &ids {
        server.task(id, Task::new([Step::Grow(vec!["FATAL".into()]), Step::End]));
    }
    let mut args = vec!["--ci", "github", "--fail-on", "FATAL"];
    args.extend(ids.iter().map(String::as_str));
    let run = against(&server, "wait", &args);
    run.assert_code(1);
    let errors: Vec<String> = executed(&run.stdout)
        .into_iter()
        .filter(|c| c.starts_with("::error"))
        .collect();
    assert_eq!(errors.len(), 11, "{errors:?}");
    assert!(
        errors[10].contains("2 more errors not annotated"),
        "{errors:?}"
    );
}

#[test]
fn no_workflow_command_in_server_text_reaches_the_runner() {
    let hostile = [
        "::add-mask::hunter2",
        "::set-output name=x::y",
        "::stop-commands::abc",
        "::abc::",
        "::error::boom",
        "::warning file=a.rs,line=1::w",
        "   ::notice::indented",
        "two lines\n::add-mask::on-the-second",
        "x ##[error]old form",
        "##[set-output name=a;]b",
        "::endgroup::",
    ];
    let server = Server::start(Api::V7);
    let task = || {
        Task::new([
            Step::Grow(hostile.iter().map(|s| s.to_string()).collect()),
            Step::Grow(vec!["::error::fail-on match".into()]),
            Step::End,
        ])
    };
    for format in ["plain", "human", "json"] {
        server.task("h", task());
        let run = against(
            &server,
            "watch",
            &[
                "--ci",
                "github",
                "-o",
                format,
                "--fail-on",
                "fail-on match",
                "h",
            ],
        );
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        // With the pause as the runner honours it, only taskwatch's own commands run…
        let commands = executed(&run.stdout);
        assert!(commands.iter().all(|c| ours(c)), "{format}: {commands:?}");
        // …and without it (a stream read on its own, another reader) no line of server text
        // is a command either.
        for stream in [&run.stdout, &run.stderr] {
            for line in stream.lines() {
                if let Some(c) = command_in(line) {
                    assert!(ours(&c), "{format}: a command from server text: {line}");
                }
            }
        }
        // Every hostile line is still shown, as text.
        let shown = &run.stdout;
        assert!(shown.contains("add-mask::hunter2"), "{format}: {shown}");
        assert!(shown.contains("old form"), "{format}: {shown}");
    }
    server.task("h", task());
    let json = against(&server, "watch", &["--ci", "github", "-o", "json", "h"]);
    // JSON keeps the exact text (`\u005b` is `[` to any JSON reader) and has no commands.
    assert_eq!(json_messages(&json)[8], "x ##[error]old form");
    assert!(
        json.stdout.lines().all(|l| l.starts_with('{')),
        "{}",
        json.stdout
    );
}

#[test]
fn gitlab_sections_wrap_the_lines_and_a_fake_marker_is_escaped() {
    let server = Server::start(Api::V7);
    let fake = "\u{1b}[0Ksection_start:1:evil[collapsed=true]\r\u{1b}[0Kfake header";
    server.task(
        "gl",
        Task::new([
            Step::Grow(lines("l", 0..2)),
            Step::Grow(vec![fake.into()]),
            Step::End,
        ]),
    );
    let run = against_env(&server, "watch", &["gl"], &[("GITLAB_CI", "true")]);
    run.assert_code(0);
    let out = run.stdout_lines();
    assert!(
        out[0].starts_with("\u{1b}[0Ksection_start:")
            && out[0].ends_with(":taskwatch_0_0\r\u{1b}[0Ktaskwatch gl"),
        "{:?}",
        out[0]
    );
    assert!(
        out.last().unwrap().starts_with("\u{1b}[0Ksection_end:")
            && out.last().unwrap().ends_with(":taskwatch_0_0\r\u{1b}[0K"),
        "{out:?}"
    );
    // Exactly one real marker of each kind: the server's is shown, escaped.
    assert_eq!(run.stdout.matches("\u{1b}[0Ksection_start").count(), 1);
    assert_eq!(run.stdout.matches("\u{1b}[0Ksection_end").count(), 1);
    assert!(
        run.stdout
            .contains("\\e[0Ksection_start:1:evil[collapsed=true]\\r\\e[0Kfake header"),
        "{}",
        run.stdout
    );
    // Without the variable (or with --ci none), no section.
    let plain = against_env(
        &server,
        "watch",
        &["--ci", "none", "gl"],
        &[("GITLAB_CI", "true")],
    );
    plain.assert_stdout_lacks("section_start:1:");
    plain.assert_stdout_lacks("\u{1b}");
}

/// The `<testcase>`s of a JUnit file, parsed: (name, child element or "passed", its message).
fn junit_cases(path: &Path) -> (roxmltree::Document<'static>, Vec<(String, String, String)>) {
    let text: &'static str = Box::leak(std::fs::read_to_string(path).unwrap().into_boxed_str());
    let doc = roxmltree::Document::parse(text).expect("well-formed XML");
    let cases = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|case| {
            let child = case.children().find(|c| {
                c.is_element() && ["failure", "error", "skipped"].contains(&c.tag_name().name())
            });
            (
                case.attribute("name").unwrap_or_default().to_string(),
                child.map_or("passed".into(), |c| c.tag_name().name().to_string()),
                child
                    .and_then(|c| c.attribute("message"))
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    (doc, cases)
}

#[test]
fn junit_report_of_two_tasks_one_failed_one_finished() {
    let server = Server::start(Api::V7);
    server.task("ok", Task::new([Step::Grow(lines("l", 0..3)), Step::End]));
    server.task(
        "bad",
        Task::new([
            Step::Grow(vec!["ERROR <quota> & \"more\"".into()]),
            Step::End,
        ]),
    );
    let dir = temp_dir("junit");
    let path = dir.join("report.xml");
    std::fs::write(&path, "old").unwrap();
    let run = against(
        &server,
        "wait",
        &[
            "--junit",
            path.to_str().unwrap(),
            "--fail-on",
            "^ERROR",
            "ok",
            "bad",
        ],
    );
    run.assert_code(1);
    let (doc, cases) = junit_cases(&path);
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("name"), Some("taskwatch"));
    assert_eq!(suite.attribute("tests"), Some("2"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    assert_eq!(suite.attribute("errors"), Some("0"));
    assert_eq!(suite.attribute("skipped"), Some("0"));
    assert_eq!(cases[0].0, "ok");
    assert_eq!(cases[0].1, "passed");
    assert_eq!(cases[1].0, "bad");
    assert_eq!(cases[1].1, "failure");
    assert_eq!(
        cases[1].2,
        "line 1 matched --fail-on: ERROR <quota> & \"more\""
    );
    let time: f64 = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase"))
        .and_then(|c| c.attribute("time"))
        .unwrap()
        .parse()
        .unwrap();
    assert!(time > 0.0 && time < 30.0, "{time}");
    // Written through a temporary file in the same directory: none is left.
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn junit_marks_never_seen_as_skipped_and_api_errors_as_errors() {
    let server = Server::start(Api::V7).with_token("right-token");
    server.task("t", Task::new([Step::Grow(lines("l", 0..1)), Step::End]));
    let dir = temp_dir("junit-kinds");
    let path = dir.join("r.xml");
    let run = run(&[
        "wait",
        "--base-url",
        &server.url,
        "-i",
        "100ms",
        "--token",
        "wrong-token",
        "--junit",
        path.to_str().unwrap(),
        "t",
    ]);
    run.assert_code(4);
    let (_, cases) = junit_cases(&path);
    assert_eq!(cases[0].1, "error", "{cases:?}");
    let server = Server::start(Api::V7);
    let run = against(
        &server,
        "wait",
        &["--junit", path.to_str().unwrap(), "nobody"],
    );
    run.assert_code(3);
    let (_, cases) = junit_cases(&path);
    assert_eq!(cases[0].1, "skipped", "{cases:?}");
}

#[test]
fn junit_is_written_when_the_run_is_interrupted() {
    let server = Server::start(Api::V7);
    let steps: Vec<Step> = (0..2000)
        .map(|i| Step::Grow(lines("l", i * 3..i * 3 + 3)))
        .collect();
    server.task("endless", Task::new(steps));
    let dir = temp_dir("junit-int");
    let path = dir.join("report.xml");
    let child = bin()
        .args(["watch", "--base-url", &server.url, "-i", "100ms"])
        .args(["--junit", path.to_str().unwrap(), "endless"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while server.status_requests("endless").len() < 3 {
        assert!(started.elapsed() < Duration::from_secs(10), "no polls");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let run = finish(child, Duration::from_secs(10));
    run.assert_code(130);
    let (_, cases) = junit_cases(&path);
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].0, "endless");
    assert_eq!(cases[0].1, "error", "{cases:?}");
}

#[test]
fn a_junit_report_that_cannot_be_written_is_said_and_is_not_success() {
    let server = Server::start(Api::V7);
    server.task("j", Task::new([Step::Grow(lines("l", 0..1)), Step::End]));
    let run = against(
        &server,
        "wait",
        &["--junit", "/nonexistent/dir/report.xml", "j"],
    );
    run.assert_code(74);
    assert!(
        run.stderr
            .contains("cannot write the JUnit report to /nonexistent/dir/report.xml"),
        "{}",
        run.stderr
    );
}

#[test]
fn heartbeats_on_a_piped_wait_and_a_silent_watch() {
    let server = Server::start(Api::V7);
    let steps: Vec<Step> = (1..=30)
        .map(|i| Step::Grow(vec![format!("Processing post {i}/40")]))
        .chain([Step::End])
        .collect();
    server.task("slow", Task::new(steps.clone()));
    let run = against(&server, "wait", &["--heartbeat", "1s", "slow"]);
    run.assert_code(0);
    let beats: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("still processing after"))
        .collect();
    assert!(beats.len() >= 2, "{}", run.stderr);
    assert!(
        beats[0].starts_with("taskwatch: slow still processing after "),
        "{beats:?}"
    );
    assert!(
        beats
            .iter()
            .any(|b| b.contains(" lines seen, ") && b.contains("/40 posts")),
        "{beats:?}"
    );
    // Off with 0, and not at the default (5m) within a short run.
    for extra in [&["--heartbeat", "0"][..], &[]] {
        server.task("slow", Task::new(steps.clone()));
        let mut args = extra.to_vec();
        args.push("slow");
        let run = against(&server, "wait", &args);
        run.assert_stderr_lacks("still processing");
    }
    // A watch whose task says nothing gets them; lines are not heartbeats.
    let silent: Vec<Step> = std::iter::once(Step::Grow(lines("l", 0..1)))
        .chain((0..25).map(|_| Step::Same))
        .chain([Step::End])
        .collect();
    server.task("quiet", Task::new(silent));
    let run = against(&server, "watch", &["--heartbeat", "1s", "quiet"]);
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("taskwatch: quiet still processing after"),
        "{}",
        run.stderr
    );
    assert_eq!(plain_messages(&run), ["l 0"]);
}

#[test]
fn an_end_hook_gets_the_facts_in_its_environment_and_no_token() {
    let server = Server::start(Api::V7).with_token("hook-secret-token");
    server.task("hk", Task::new([Step::Grow(lines("l", 0..3)), Step::End]));
    let dir = temp_dir("hook-env");
    let out = dir.join("env.txt");
    let run = against_env(
        &server,
        "watch",
        &["--on-end", "sleep 0.3; env > \"$HOOK_OUT\"", "hk"],
        &[
            ("TASKWATCH_TOKEN", "hook-secret-token"),
            ("MY_CI_SECRET", "hook-secret-token"),
            ("HOOK_OUT", out.to_str().unwrap()),
        ],
    );
    run.assert_code(0);
    // taskwatch waited for the hook before it exited.
    let env = std::fs::read_to_string(&out).expect("the hook ran before taskwatch exited");
    for fact in [
        "TASKWATCH_TASK_ID=hk\n",
        "TASKWATCH_PROFILE=\n",
        "TASKWATCH_RUN=1\n",
        "TASKWATCH_OUTCOME=finished\n",
        "TASKWATCH_EXIT_CODE=0\n",
        "TASKWATCH_LINES=3\n",
        "TASKWATCH_MISSED=0\n",
        "TASKWATCH_RESUME_FROM_INDEX=3\n",
        &format!("TASKWATCH_BASE_URL={}", server.url.trim_end_matches('/')),
    ] {
        assert!(env.contains(fact), "{fact}: {env}");
    }
    assert!(env.contains("TASKWATCH_DURATION_S="), "{env}");
    assert!(!env.contains("hook-secret-token"), "{env}");
    assert!(!env.contains("TASKWATCH_TOKEN"), "{env}");
}

#[test]
fn a_hostile_task_id_reaches_the_hook_as_data_never_as_code() {
    let server = Server::start(Api::V7);
    let id = "x$(touch pwned)`touch pwned2`;touch pwned3";
    server.task(id, Task::new([Step::Grow(lines("l", 0..1)), Step::End]));
    let dir = temp_dir("hook-hostile");
    let mut cmd = bin();
    cmd.current_dir(&dir)
        .args(["wait", "--base-url", &server.url, "-i", "100ms"])
        .args([
            "--on-end",
            "printf '%s' \"$TASKWATCH_TASK_ID\" > id.txt",
            id,
        ]);
    let run = run_with(&mut cmd);
    run.assert_code(0);
    assert_eq!(std::fs::read_to_string(dir.join("id.txt")).unwrap(), id);
    for f in ["pwned", "pwned2", "pwned3"] {
        assert!(!dir.join(f).exists(), "{f} was created: the id ran");
    }
}

#[test]
fn a_failing_hook_is_reported_and_a_hanging_one_killed_without_changing_the_exit_code() {
    let server = Server::start(Api::V7);
    server.task("f", Task::new([Step::Grow(lines("l", 0..1)), Step::End]));
    let run = against(
        &server,
        "wait",
        &["--on-end", "echo from-the-hook; exit 3", "f"],
    );
    run.assert_code(0);
    run.assert_stderr_has("from-the-hook");
    assert!(
        run.stderr
            .contains("taskwatch: warning: [f] the --on-end command exited with 3"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
    server.task("f", Task::new([Step::Grow(lines("l", 0..1)), Step::End]));
    let run = against(
        &server,
        "wait",
        &[
            "--on-end",
            "sleep 60; echo too-late",
            "--on-end-timeout",
            "1s",
            "f",
        ],
    );
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("was still running after 1.0s (--on-end-timeout): killed"),
        "{}",
        run.stderr
    );
    // The hook's children went with it (they held stderr open), well before 60 s.
    assert!(run.elapsed < Duration::from_secs(15), "{:?}", run.elapsed);
    run.assert_stderr_lacks("too-late");
}

#[test]
fn notify_without_a_desktop_session_keeps_the_tasks_exit_code() {
    let server = Server::start(Api::V7);
    for (steps, code) in [
        (vec![Step::Grow(lines("l", 0..2)), Step::End], 0),
        (vec![Step::Grow(vec!["FAIL".into()]), Step::End], 1),
    ] {
        server.task("n", Task::new(steps));
        let mut cmd = bin();
        cmd.args(["wait", "--base-url", &server.url, "-i", "100ms"])
            .args(["--notify", "--fail-on", "FAIL", "n"])
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("XDG_RUNTIME_DIR")
            .env_remove("DISPLAY");
        let run = run_with(&mut cmd);
        assert_eq!(run.code, code, "{}", run.stderr);
        run.assert_stderr_lacks("error");
        run.assert_stderr_lacks("notif");
    }
}

#[test]
fn bad_values_name_the_flag_and_its_range() {
    for (args, words) in [
        (&["--heartbeat", "10ms"][..], "--heartbeat <D>"),
        (&["--heartbeat", "10ms"][..], "0 (off) or at least 1s"),
        (&["--ci", "jenkins"][..], "--ci <SYSTEM>"),
        (&["--on-end-timeout", "0s"][..], "--on-end-timeout <D>"),
    ] {
        let mut all = vec!["wait", "--base-url", "http://127.0.0.1:9"];
        all.extend(args);
        all.push("t");
        let run = run(&all);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(words), "{args:?}: {}", run.stderr);
        run.assert_stderr_lacks("panicked");
    }
}

#[test]
fn a_profile_turns_on_the_hook_and_ci_and_a_bad_value_is_a_usage_error() {
    let server = Server::start(Api::V7);
    server.task("p", Task::new([Step::Grow(lines("l", 0..1)), Step::End]));
    let dir = temp_dir("profile");
    let config = dir.join("config.toml");
    let marker = dir.join("ended.txt");
    std::fs::write(
        &config,
        format!(
            "default_profile = \"ci\"\n[profiles.ci]\nbase_url = \"{}\"\ninterval = \"100ms\"\nci = \"github\"\nnotify = true\non_end = \"echo $TASKWATCH_OUTCOME > '{}'\"\n",
            server.url,
            marker.display()
        ),
    )
    .unwrap();
    let mut cmd = bin();
    cmd.args(["watch", "p"])
        .env("TASKWATCH_CONFIG", &config)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("XDG_RUNTIME_DIR");
    let run = run_with(&mut cmd);
    run.assert_code(0);
    run.assert_stdout_has("::group::taskwatch p");
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "finished\n");
    // The flag wins over the profile.
    let mut cmd = bin();
    cmd.args(["watch", "--ci", "none", "p"])
        .env("TASKWATCH_CONFIG", &config);
    server.task("p", Task::new([Step::Grow(lines("l", 0..1)), Step::End]));
    let run = run_with(&mut cmd);
    run.assert_stdout_lacks("::group::");
    std::fs::write(
        &config,
        "default_profile = \"ci\"\n[profiles.ci]\nci = \"jenkins\"\n",
    )
    .unwrap();
    let mut cmd = bin();
    cmd.args(["wait", "p"]).env("TASKWATCH_CONFIG", &config);
    let run = run_with(&mut cmd);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("invalid `ci`: expected github, gitlab, none or auto"),
        "{}",
        run.stderr
    );
    // `config` shows it, marked, as `watch` would refuse it.
    let mut cmd = bin();
    cmd.arg("config").env("TASKWATCH_CONFIG", &config);
    let run = run_with(&mut cmd);
    run.assert_code(2);
    run.assert_stdout_has("ci           jenkins");
    run.assert_stdout_has("^ profile ci");
}

/// Waits for `condition` (at most `limit`).
fn wait_for(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    condition()
}

#[test]
fn notify_posts_to_the_session_bus_when_there_is_one() {
    let tools = ["dbus-daemon", "dbus-monitor"].iter().all(|t| {
        std::process::Command::new(t)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if !tools {
        eprintln!("skipped: dbus-daemon and dbus-monitor are not installed");
        return;
    }
    let mut bus = std::process::Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut address = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(bus.stdout.take().unwrap()),
        &mut address,
    )
    .unwrap();
    let address = address.trim().to_string();
    let dir = temp_dir("dbus");
    let seen = dir.join("monitor.txt");
    let mut monitor = std::process::Command::new("dbus-monitor")
        .args([
            "--address",
            &address,
            "interface='org.freedesktop.Notifications'",
        ])
        .stdout(std::fs::File::create(&seen).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let read = || std::fs::read_to_string(&seen).unwrap_or_default();
    assert!(wait_for(Duration::from_secs(10), || read().contains("NameAcquired")));
    let server = Server::start(Api::V7);
    server.task(
        "dn",
        Task::new([Step::Grow(vec!["FAIL now".into()]), Step::End]),
    );
    let mut cmd = bin();
    cmd.args(["wait", "--base-url", &server.url, "-i", "100ms"])
        .args(["--notify", "--fail-on", "FAIL", "dn"])
        .env("DBUS_SESSION_BUS_ADDRESS", &address);
    let run = run_with(&mut cmd);
    let posted = wait_for(Duration::from_secs(10), || read().contains("member=Notify"));
    let _ = monitor.kill();
    let _ = monitor.wait();
    let _ = bus.kill();
    let _ = bus.wait();
    // No notification server answers on this bus: that is not an error either.
    run.assert_code(1);
    assert!(posted, "{}", read());
    let text = read();
    assert!(text.contains("string \"taskwatch: dn failed\""), "{text}");
    assert!(text.contains("failed after "), "{text}");
    assert!(text.contains("(exit 1)"), "{text}");
}

#[test]
fn logs_writes_the_same_junit_report_for_a_recorded_run() {
    let server = Server::start(Api::V7);
    server.task(
        "rec",
        Task::new([
            Step::Grow(lines("l", 0..2)),
            Step::Grow(vec!["ERROR recorded".into()]),
            Step::End,
        ]),
    );
    let dir = temp_dir("logs-junit");
    let db = dir.join("archive.sqlite3");
    let live = dir.join("live.xml");
    let replayed = dir.join("replayed.xml");
    let mut cmd = bin();
    cmd.args([
        "wait",
        "--base-url",
        &server.url,
        "-i",
        "100ms",
        "--archive",
    ])
    .args([
        "--fail-on",
        "^ERROR",
        "--junit",
        live.to_str().unwrap(),
        "rec",
    ])
    .env("TASKWATCH_ARCHIVE_DB", &db);
    let run = run_with(&mut cmd);
    run.assert_code(1);
    let mut cmd = bin();
    cmd.args([
        "logs",
        "--fail-on",
        "^ERROR",
        "--junit",
        replayed.to_str().unwrap(),
        "rec",
    ])
    .env("TASKWATCH_ARCHIVE_DB", &db);
    let logs = run_with(&mut cmd);
    logs.assert_code(1);
    let (_, live) = junit_cases(&live);
    let (_, again) = junit_cases(&replayed);
    assert_eq!(live, again);
    assert_eq!(again[0].1, "failure");
    assert_eq!(again[0].2, "line 3 matched --fail-on: ERROR recorded");
}

/// A full disk, without filling one: the child may write files of at most `bytes`.
#[cfg(unix)]
fn file_size_limit(cmd: &mut std::process::Command, bytes: u64) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit and signal are async-signal-safe; nothing else runs in the child yet.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: bytes as libc::rlim_t,
                rlim_max: bytes as libc::rlim_t,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
}

#[cfg(unix)]
#[test]
fn a_junit_write_that_fails_midway_leaves_the_old_report_whole() {
    let server = Server::start(Api::V7);
    server.task("full", Task::new([Step::Grow(lines("l", 0..2)), Step::End]));
    let dir = temp_dir("junit-full");
    let path = dir.join("report.xml");
    std::fs::write(&path, "<old/>").unwrap();
    let mut cmd = bin();
    cmd.args(["wait", "--base-url", &server.url, "-i", "100ms"])
        .args(["--junit", path.to_str().unwrap(), "full"]);
    file_size_limit(&mut cmd, 100);
    let run = run_with(&mut cmd);
    run.assert_code(74);
    run.assert_stderr_has("(the file was left as it was)");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "<old/>");
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(left.len(), 1, "no temporary file is left: {left:?}");
}
