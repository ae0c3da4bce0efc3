//! The first ten minutes at a terminal, through the real binary: what a newcomer reads must be
//! true and must say what to do (issue 12).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::common::*;

#[test]
fn a_connection_error_names_the_url_and_the_first_one_says_what_to_check() {
    // Nothing listens there, and no other test's server can take the port meanwhile.
    let refusing = refusing_port();
    let url = format!("http://127.0.0.1:{}", refusing.port);
    let hint = format!("hint: is the backend running at {url}? set --base-url or TASKWATCH_URL");
    let run = run(&[
        "watch",
        "--base-url",
        &url,
        "-i",
        "100ms",
        "--give-up-after",
        "1s",
        "t",
    ]);
    run.assert_code(5);
    run.assert_stderr_has(&format!("cannot connect to {url}: "));
    run.assert_stderr_has("retrying in");
    // Said when the first request fails, and again with the final error.
    assert_eq!(run.stderr.matches(&hint).count(), 2, "{}", run.stderr);

    // The default URL, as a newcomer without a backend meets it.
    let mut cmd = bin();
    cmd.args(["status", "t"]);
    let default = run_with(&mut cmd);
    default.assert_code(5);
    assert!(
        default
            .stderr
            .contains("cannot connect to http://localhost:8080: "),
        "{}",
        default.stderr
    );
    assert!(
        default.stderr.contains(
            "hint: is the backend running at http://localhost:8080? set --base-url or TASKWATCH_URL"
        ),
        "{}",
        default.stderr
    );

    // With --trigger the first request is the trigger's (retried like a status request, so
    // until --give-up-after).
    let run = run_with(bin().args([
        "wait",
        "--base-url",
        &url,
        "--trigger",
        "profile",
        "--give-up-after",
        "1s",
        "t",
    ]));
    run.assert_code(5);
    run.assert_stderr_has(&hint);
}

#[test]
fn no_hint_when_the_server_had_answered_before() {
    let server = Server::start(Api::V7);
    server.task(
        "r",
        Task::new([Step::Grow(lines("l", 0..2)), Step::Same, Step::Same]),
    );
    // The server goes away for longer than --give-up-after once it has answered.
    let mut child = bin()
        .args([
            "watch",
            "--base-url",
            &server.url,
            "-i",
            "100ms",
            "--give-up-after",
            "1s",
            "r",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut out, &mut first).unwrap();
    assert!(first.contains("l 0"), "{first:?}");
    server.bounce(Duration::from_secs(5));
    child.stdout = Some(out.into_inner());
    let run = finish(child, Duration::from_secs(30));
    run.assert_code(5);
    run.assert_stderr_has("cannot connect to");
    run.assert_stderr_lacks("is the backend running");
}

#[test]
fn a_base_url_without_a_scheme_gets_the_form_to_use() {
    for (given, suggested) in [
        ("localhost:8080", "http://localhost:8080"),
        ("127.0.0.1:8080", "http://127.0.0.1:8080"),
    ] {
        let run = run(&["status", "--base-url", given, "t"]);
        run.assert_code(2);
        assert!(
            run.stderr.contains("--base-url")
                && run
                    .stderr
                    .contains(&format!("has no scheme: did you mean {suggested}?")),
            "{given}: {}",
            run.stderr
        );
    }
}

#[test]
fn usage_errors_for_the_line_count_give_its_range_in_one_wording() {
    let range = "expected a whole number from 1 to 100";
    for args in [
        vec!["watch", "--logs-count", "-5", "t"],
        vec!["watch", "-n", "-5", "t"],
        vec!["wait", "-n", "0", "t"],
        vec!["status", "-n", "0", "t"],
        vec!["status", "-n", "-5", "t"],
        vec!["status", "--logs-count", "101", "t"],
    ] {
        let run = run(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(range) && run.stderr.contains("--logs-count"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("-- -5"), "{args:?}: {}", run.stderr);
    }
}

/// The options listed in `taskwatch SUBCOMMAND --help`.
fn options(subcommand: &str) -> String {
    let run = run(&[subcommand, "--help"]);
    assert_eq!(run.code, 0, "{subcommand}: {}", run.stderr);
    run.stdout
}

#[test]
fn help_lists_each_option_where_it_applies() {
    for sub in ["man", "completions", "serve", "logout"] {
        let help = options(sub);
        for foreign in [
            "--cacert",
            "--base-url",
            "--output",
            "--utc",
            "--relative",
            "--header",
        ] {
            assert!(
                !help.contains(foreign),
                "`{sub} --help` lists {foreign}:\n{help}"
            );
        }
    }
    for sub in ["watch", "wait"] {
        let help = options(sub);
        for option in ["--base-url", "--cacert", "--output", "--interval"] {
            assert!(
                help.contains(option),
                "`{sub} --help` lacks {option}:\n{help}"
            );
        }
    }
    let status = options("status");
    assert!(status.contains("--base-url") && status.contains("--output"));
    assert!(!status.contains("--relative") && !status.contains("--interval"));
    let demo = options("demo");
    assert!(demo.contains("--output") && !demo.contains("--base-url"));
    assert!(options("serve").contains("--token"));
    assert!(options("logout").contains("--profile"));
    let config = options("config");
    assert!(config.contains("--base-url") && !config.contains("--output"));

    // The CI example is the README's.
    let top = run(&["--help"]).stdout;
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let ci = top
        .lines()
        .find(|l| l.contains("In CI:"))
        .and_then(|l| l.split("In CI:").nth(1))
        .unwrap()
        .trim();
    assert!(ci.contains("--trigger"), "{ci}");
    assert!(readme.contains(ci), "README lacks the CI example `{ci}`");
}

#[test]
fn fail_on_counts_lines_from_1_for_people_and_the_requests_include_the_path_probe() {
    // An Update 8 server: the first poll tries the Update 7 path first (404).
    let server = Server::start(Api::V8);
    let mut steps: Vec<Step> = (0..3)
        .map(|i| Step::Grow(lines("l", i * 10..i * 10 + 10)))
        .collect();
    steps.push(Step::End);
    server.task("f", Task::new(steps));
    let run = against(&server, "watch", &["--fail-on", "^l 19$", "f"]);
    run.assert_code(1);
    run.assert_stderr_has("line 20 matched --fail-on: l 19");
    let sent = server.requests().len();
    assert!(
        run.stderr.contains(&format!(", {sent} requests\n")),
        "{sent} requests sent: {}",
        run.stderr
    );

    // JSON keeps `index` 0-based; its `error` words the line as people count.
    server.task("j", Task::new([Step::Grow(lines("l", 0..20)), Step::End]));
    let before = server.requests().len();
    let run = against(
        &server,
        "watch",
        &["-o", "json", "--fail-on", "^l 19$", "j"],
    );
    let records = run.records();
    let matched = records
        .iter()
        .find(|r| r["message"] == "l 19")
        .expect("the line");
    assert_eq!(matched["index"], 19);
    let end = records.last().unwrap();
    assert_eq!(end["error"], "line 20 matched --fail-on: l 19");
    assert_eq!(end["requests"], (server.requests().len() - before) as u64);
}

#[test]
fn wait_says_it_saw_the_lines_and_one_is_singular() {
    let server = Server::start(Api::V7);
    server.task("w", Task::new([Step::Grow(lines("l", 0..1)), Step::End]));
    let run = against(&server, "wait", &["w"]);
    run.assert_code(0);
    run.assert_stderr_has(": 1 line seen, 0 missed, 3 requests");
    run.assert_stderr_lacks("shown");
}

#[test]
fn several_tasks_line_up_and_the_table_says_outcomes_in_words() {
    let server = Server::start(Api::V7);
    server.task("m5", Task::new([Step::Grow(lines("a", 0..2)), Step::End]));
    server.task("m10", Task::new([Step::Grow(lines("b", 0..2)), Step::End]));
    let run = against(&server, "watch", &["m5", "m10", "gone"]);
    run.assert_code(3);
    for line in run.stdout_lines() {
        assert_eq!(line.find(" | "), Some(4), "aligned: {:?}", run.stdout);
    }
    run.assert_stderr_lacks("not_seen");
    run.assert_stderr_has("never seen");
}

fn config_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("taskwatch-newcomer-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn with_config(path: &Path, args: &[&str]) -> Command {
    let mut cmd = bin();
    cmd.args(args).env("TASKWATCH_CONFIG", path);
    cmd
}

#[test]
fn logout_says_what_it_did_and_never_creates_anything() {
    let dir = config_dir("logout");
    let config = dir.join("config.toml");
    let text = "# mine\ndefault_profile = \"prod\"\n\n[profiles.prod]\nbase_url = \"https://api.example.com\"\ntoken_file = \"/nonexistent/prod.token\"\n\n[profiles.dev]\ntoken = \"dev-token\"\n";
    std::fs::write(&config, text).unwrap();

    let nosuch = run_with(&mut with_config(
        &config,
        &["logout", "--profile", "nosuch"],
    ));
    nosuch.assert_code(2);
    nosuch.assert_stderr_has("no profile `nosuch`");
    nosuch.assert_stderr_has("prod, dev");
    nosuch.assert_stderr_lacks("removed the token");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text, "untouched");

    let none = run_with(&mut with_config(&config, &["logout"]));
    none.assert_code(0);
    assert!(
        none.stderr
            .contains("profile `prod` stores no token: nothing removed")
            && none.stderr.contains("token_file /nonexistent/prod.token"),
        "{}",
        none.stderr
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text, "untouched");

    let dev = run_with(&mut with_config(&config, &["logout", "--profile", "dev"]));
    dev.assert_code(0);
    dev.assert_stderr_has("removed the token of profile `dev`");
    let after = std::fs::read_to_string(&config).unwrap();
    assert!(
        !after.contains("dev-token")
            && after.contains("# mine")
            && after.contains("[profiles.dev]")
    );

    let missing = dir.join("absent.toml");
    let run = run_with(&mut with_config(&missing, &["logout"]));
    run.assert_code(2);
    assert!(!missing.exists());
}

#[test]
fn config_shows_every_setting_and_marks_the_ones_that_cannot_be_used() {
    let dir = config_dir("config");
    let config = dir.join("config.toml");
    // The README's own example: a token file that does not exist yet.
    std::fs::write(
        &config,
        "default_profile = \"prod\"\n\n[profiles.prod]\nbase_url = \"https://api.example.com\"\ntoken_file = \"/nonexistent/prod.token\"\ninterval = \"5s\"\nlogs_count = \"auto\"\n",
    )
    .unwrap();
    let run = run_with(&mut with_config(&config, &["config"]));
    run.assert_code(2);
    for key in ["base_url", "api_path", "token", "interval", "logs_count"] {
        assert!(
            run.stdout.lines().any(|l| l.starts_with(key)),
            "{key}: {}",
            run.stdout
        );
    }
    run.assert_stdout_has("https://api.example.com/");
    run.assert_stdout_has("^ cannot read token_file");
    run.assert_stdout_has("/nonexistent/prod.token");
    run.assert_stderr_has("token cannot be used");

    for (setting, reason) in [
        ("interval = \"soon\"", "invalid `interval`"),
        ("interval = \"10ms\"", "at least 100ms"),
        ("logs_count = 500", "expected a whole number from 1 to 100"),
        (
            "base_url = \"localhost:8080\"",
            "did you mean http://localhost:8080?",
        ),
    ] {
        std::fs::write(&config, format!("[profiles.p]\n{setting}\n")).unwrap();
        let run = run_with(&mut with_config(&config, &["config", "--profile", "p"]));
        assert_eq!(run.code, 2, "{setting}: {}{}", run.stdout, run.stderr);
        let key = setting.split(' ').next().unwrap();
        let shown = run.stdout.lines().position(|l| l.starts_with(key)).unwrap();
        let marked = run.stdout.lines().nth(shown + 1).unwrap();
        assert!(
            marked.trim_start().starts_with('^') && marked.contains(reason),
            "{setting}: {}",
            run.stdout
        );
        let watch = run_with(&mut with_config(&config, &["watch", "--profile", "p", "t"]));
        assert_eq!(
            watch.code, 2,
            "watch refuses what config marks: {}",
            watch.stderr
        );
    }

    std::fs::write(
        &config,
        "[profiles.p]\ninterval = \"5s\"\nlogs_count = 40\n",
    )
    .unwrap();
    let run = run_with(&mut with_config(&config, &["config", "--profile", "p"]));
    run.assert_code(0);
    assert!(!run.stdout.contains('^'), "{}", run.stdout);
}

#[test]
fn the_demo_banner_fits_80_columns_and_an_interrupted_demo_offers_no_resume() {
    let mut child = bin()
        .args(["demo", "--duration", "20s"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut out, &mut first).unwrap();
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    child.stdout = Some(out.into_inner());
    let run = finish(child, Duration::from_secs(20));
    run.assert_code(130);
    let banner: Vec<&str> = run
        .stderr
        .lines()
        .take_while(|l| !l.starts_with("taskwatch: started"))
        .collect();
    assert!(banner.len() >= 3, "{}", run.stderr);
    for line in &banner {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    run.assert_stderr_has("interrupted after");
    run.assert_stderr_lacks("--from-index");
}

/// Help names the environment variables without a value: `[env: TASKWATCH_URL=]` read as "set
/// to empty" when it was unset.
#[test]
fn help_names_environment_variables_without_a_value() {
    let help = run(&["watch", "--help"]).stdout;
    for name in ["TASKWATCH_URL", "TASKWATCH_PROFILE", "TASKWATCH_TOKEN"] {
        assert!(help.contains(&format!("[env: {name}]")), "{name}:\n{help}");
        assert!(!help.contains(&format!("[env: {name}=")), "{name}:\n{help}");
    }
}

/// An unreachable backend: one-shot commands fail at once, `watch @name` retries until
/// `--give-up-after`, and all of them give the same hint the first time.
#[test]
fn an_unreachable_backend_gets_the_same_hint_everywhere() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let hint = format!("hint: is the backend running at {url}?");
    for args in [
        vec!["ls"],
        vec!["status", "t1"],
        vec!["status", "@someone"],
        vec!["watch", "--give-up-after", "1s", "@someone"],
        vec!["watch", "--give-up-after", "1s", "t1"],
    ] {
        let mut all = args.clone();
        all.extend(["--base-url", &url]);
        let out = run(&all);
        assert_eq!(out.code, 5, "{args:?}: {}", out.stderr);
        // Said the first time (the summary of `watch` may say it again, far below).
        let first: String = out.stderr.lines().take(3).collect::<Vec<_>>().join("\n");
        assert!(first.contains(&hint), "{args:?}: {}", out.stderr);
    }
}
