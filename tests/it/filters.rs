//! `--include`, `--exclude` and `--highlight` through the binary: every format, gap markers
//! kept, hidden lines counted, `--fail-on` still seeing hidden lines, and highlighting that can
//! never let an escape from the server through.

use crate::common::*;
use regex::Regex;
use serde_json::Value;

/// A task with a burst past a 10-line window between ordinary polls: lines to keep, lines to
/// skip, and one to keep that --exclude drops. Returns the lines the client can see (the
/// burst's last 10 only) and the number missed.
fn mixed_task(server: &Server, id: &str) -> (Vec<String>, u64) {
    let first: Vec<String> = [
        "keep a 0",
        "skip a 1",
        "keep drop a 2",
        "keep a 3",
        "skip a 4",
        "keep a 5",
    ]
    .map(String::from)
    .to_vec();
    let burst: Vec<String> = (0..55)
        .map(|i| {
            if i % 2 == 0 {
                format!("keep b {i}")
            } else {
                format!("skip b {i}")
            }
        })
        .collect();
    let last: Vec<String> = vec!["keep c 0".into(), "skip c 1".into()];
    server.task(
        id,
        Task::new([
            Step::Grow(first.clone()),
            Step::Grow(burst.clone()),
            Step::Grow(last.clone()),
            Step::End,
        ]),
    );
    let mut seen = first;
    seen.extend(burst[45..].iter().cloned());
    seen.extend(last);
    (seen, 45)
}

const FILTERS: [&str; 4] = ["--include", "^keep", "--exclude", "drop"];

fn shown_by_filters(seen: &[String]) -> Vec<String> {
    seen.iter()
        .filter(|l| l.starts_with("keep") && !l.contains("drop"))
        .cloned()
        .collect()
}

/// The message of a plain or human line: what follows the first space (the time).
fn message(line: &str) -> String {
    line.split_once(' ').map_or("", |(_, m)| m).to_string()
}

#[test]
fn filters_apply_in_every_format_keep_gaps_and_count_hidden_lines() {
    for format in ["json", "plain", "human"] {
        let server = Server::start(Api::V7);
        let (seen, missed) = mixed_task(&server, "f");
        let want = shown_by_filters(&seen);
        let hidden = (seen.len() - want.len()) as u64;
        assert!(hidden > 0 && !want.is_empty());
        let mut args = vec!["-o", format, "--color", "never", "-n", "10"];
        args.extend(FILTERS);
        args.push("f");
        let run = against(&server, "watch", &args);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        if format == "json" {
            let records = run.records();
            let logs: Vec<String> = records
                .iter()
                .filter(|r| r["type"] == "log")
                .map(|r| r["message"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(logs, want, "json");
            let gaps: Vec<&Value> = records.iter().filter(|r| r["type"] == "gap").collect();
            assert_eq!(gaps.len(), 1, "the gap is never filtered");
            assert_eq!(gaps[0]["missed"], missed);
            let end = records.last().unwrap();
            assert_eq!(end["type"], "end");
            assert_eq!(end["hidden"], hidden);
            assert_eq!(end["lines"], want.len() as u64);
            assert_eq!(end["missed"], missed);
        } else {
            let shown: Vec<String> = run.stdout_lines().iter().map(|l| message(l)).collect();
            assert_eq!(shown, want, "{format}");
            assert!(
                run.stderr
                    .contains(&format!("gap: {missed} lines scrolled past")),
                "{format}: {}",
                run.stderr
            );
            assert!(
                run.stderr.contains(&format!(
                    "{} lines shown ({hidden} hidden), {missed} missed",
                    want.len()
                )),
                "{format}: {}",
                run.stderr
            );
        }
    }
}

#[test]
fn restarts_are_never_filtered() {
    let server = Server::start(Api::V7);
    server.task(
        "r",
        Task::new([
            Step::Grow(lines("skip", 0..4)),
            Step::Restart(lines("skip again", 0..2)),
            Step::Grow(lines("keep", 0..2)),
            Step::End,
        ]),
    );
    let run = against(&server, "watch", &["-o", "json", "--exclude", "skip", "r"]);
    run.assert_code(0);
    let records = run.records();
    let types: Vec<&str> = records
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["restart", "log", "log", "end"], "{records:?}");
    assert_eq!(records[3]["hidden"], 6);
}

#[test]
fn fail_on_fires_on_a_hidden_line() {
    let server = Server::start(Api::V7);
    server.task(
        "x",
        Task::new([
            Step::Grow(vec!["working".into(), "ERROR: quota exceeded".into()]),
            Step::Grow(vec!["still working".into()]),
            Step::End,
        ]),
    );
    let run = against(
        &server,
        "watch",
        &[
            "-o",
            "plain",
            "--exclude",
            "ERROR",
            "--fail-on",
            "^ERROR",
            "x",
        ],
    );
    run.assert_code(1);
    run.assert_stdout_lacks("ERROR");
    assert_eq!(run.stdout_lines().len(), 2);
    assert!(
        run.stderr
            .contains("line 2 matched --fail-on: ERROR: quota exceeded"),
        "{}",
        run.stderr
    );
    run.assert_stderr_has("(1 hidden)");
}

/// Every escape in `text` is a colour or style sequence (`ESC [ digits ; m`).
fn only_styles(text: &str) -> bool {
    let style = Regex::new(r"^\x1b\[[0-9;]*m").unwrap();
    text.match_indices('\u{1b}')
        .all(|(i, _)| style.is_match(&text[i..]))
}

#[test]
fn highlight_marks_matches_in_human_output_and_never_lets_a_server_escape_through() {
    let hostile = "scraper said: \u{1b}[32mOK\u{1b}[0m \u{1b}]0;pwned\u{7} and \u{1b}[2J post 3";
    let server = Server::start(Api::V7);
    server.task(
        "h",
        Task::new([
            Step::Grow(vec![hostile.into(), "post 4 is fine".into()]),
            Step::End,
        ]),
    );
    // Patterns aimed at the escapes themselves: the raw ESC and BEL, the escaped text, and one
    // that matches everything.
    let patterns = [
        r"\x1b\[2J",
        r"\x07",
        r"\\e\[32m",
        "pwned",
        r"post \d+",
        "(?s).*",
    ];
    for all in [false, true] {
        let mut args = vec!["-o", "human", "--color", "always"];
        for p in &patterns[..if all { 6 } else { 5 }] {
            args.extend(["--highlight", p]);
        }
        args.push("h");
        let run = against(&server, "watch", &args);
        server.task(
            "h",
            Task::new([
                Step::Grow(vec![hostile.into(), "post 4 is fine".into()]),
                Step::End,
            ]),
        );
        run.assert_code(0);
        let out = &run.stdout;
        assert!(only_styles(out), "a raw escape got through: {out:?}");
        assert!(!out.contains('\u{7}'), "{out:?}");
        assert!(out.contains(r"\e[2J") && out.contains(r"\x07"), "{out:?}");
        let marked = "\u{1b}[1;7m";
        if !all {
            assert!(out.contains(&format!("{marked}pwned")), "{out:?}");
            assert!(out.contains(&format!("{marked}\\e[32m")), "{out:?}");
            assert!(out.contains(&format!("{marked}post 4")), "{out:?}");
        } else {
            assert!(out.contains(&format!("{marked}scraper said")), "{out:?}");
        }
    }
    // plain and json are unchanged by --highlight.
    for format in ["plain", "json"] {
        let run = against(
            &server,
            "watch",
            &[
                "-o",
                format,
                "--color",
                "always",
                "--highlight",
                "post",
                "h",
            ],
        );
        server.task(
            "h",
            Task::new([
                Step::Grow(vec![hostile.into(), "post 4 is fine".into()]),
                Step::End,
            ]),
        );
        run.assert_code(0);
        if format == "plain" {
            assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);
            assert!(run.stdout.contains(" post 4 is fine\n"));
        } else {
            assert_eq!(run.records()[0]["message"], hostile);
        }
    }
}

#[test]
fn invalid_regexes_are_usage_errors_naming_the_flag() {
    for flag in ["--include", "--exclude", "--highlight", "--progress"] {
        let run = run(&["watch", flag, "(unclosed", "t"]);
        assert_eq!(run.code, 2, "{flag}: {}", run.stderr);
        assert!(run.stderr.contains(flag), "{flag}: {}", run.stderr);
    }
    let run = run(&["watch", "--progress", r"step (\d+)", "t"]);
    assert_eq!(run.code, 2);
    run.assert_stderr_has("--progress");
    run.assert_stderr_has("two capture groups");
}

fn with_profile(text: &str, name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("taskwatch-filters-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn profiles_hold_filter_and_highlight_lists() {
    let server = Server::start(Api::V7);
    let steps = || {
        Task::new([
            Step::Grow(vec![
                "keep 1".into(),
                "skip 2".into(),
                "DEBUG keep 3".into(),
                "keep 4".into(),
            ]),
            Step::End,
        ])
    };
    server.task("p", steps());
    let config = with_profile(
        &format!(
            "default_profile = \"p\"\n[profiles.p]\nbase_url = \"{}\"\ninclude = [\"keep\"]\nexclude = [\"^DEBUG\"]\nhighlight = [\"4\"]\n",
            server.url
        ),
        "lists",
    );
    let mut cmd = bin();
    cmd.env("TASKWATCH_CONFIG", &config).args([
        "watch", "-i", "100ms", "-o", "human", "--color", "always", "p",
    ]);
    let run = run_with(&mut cmd);
    run.assert_code(0);
    let shown: Vec<String> = run.stdout_lines().iter().map(|l| message(l)).collect();
    assert_eq!(
        shown,
        ["keep 1", "keep \u{1b}[1;7m4\u{1b}[0m"],
        "{:?}",
        run.stdout
    );
    // A flag replaces the profile's list.
    server.task("p", steps());
    let mut cmd = bin();
    cmd.env("TASKWATCH_CONFIG", &config).args([
        "watch",
        "-i",
        "100ms",
        "-o",
        "plain",
        "--exclude",
        "skip",
        "p",
    ]);
    let run = run_with(&mut cmd);
    let shown: Vec<String> = run.stdout_lines().iter().map(|l| message(l)).collect();
    assert_eq!(shown, ["keep 1", "DEBUG keep 3", "keep 4"]);
    // A bad regex in the profile is a usage error naming the file, line and key.
    let bad = with_profile(
        &format!(
            "[profiles.b]\nbase_url = \"{}\"\nexclude = [\"ok\", \"(\"]\n",
            server.url
        ),
        "bad",
    );
    let mut cmd = bin();
    cmd.env("TASKWATCH_CONFIG", &bad)
        .args(["watch", "--profile", "b", "p"]);
    let run = run_with(&mut cmd);
    run.assert_code(2);
    run.assert_stderr_has("config.toml:3");
    run.assert_stderr_has("invalid `exclude`");
}
