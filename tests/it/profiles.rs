//! Profiles, `config`, `login` and `logout`, through the real binary.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::common::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// A config file of its own for each test.
fn config_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("taskwatch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn with_config(path: &Path, args: &[&str]) -> Command {
    let mut cmd = bin();
    cmd.args(args)
        .env("TASKWATCH_CONFIG", path)
        .env_remove("TASKWATCH_PROFILE");
    cmd
}

#[test]
fn a_profile_fills_in_what_flags_and_environment_do_not_give() {
    let server = Server::start(Api::V7);
    server.task("p", Task::new([Step::Grow(lines("l", 0..3)), Step::End]));
    let dir = config_dir("profile");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "# my settings\ndefault_profile = \"local\"\n\n[profiles.local]\nbase_url = \"{}\"\ninterval = \"100ms\"\nlogs_count = 40\n\n[profiles.nowhere]\nbase_url = \"http://127.0.0.1:9\"\n",
            server.url
        ),
    )
    .unwrap();

    // The default profile gives the URL, the interval and the window.
    let run = run_with(&mut with_config(&config, &["watch", "p"]));
    run.assert_code(0);
    assert_eq!(run.stdout_lines().len(), 3);
    assert_eq!(
        server.status_requests("p")[1].logs_count.as_deref(),
        Some("40")
    );

    // A flag beats the profile, and so does the environment.
    let shown = run_with(&mut with_config(
        &config,
        &["config", "--base-url", "http://127.0.0.1:1"],
    ));
    assert!(
        shown
            .stdout
            .contains("base_url     http://127.0.0.1:1/  [--base-url]"),
        "{}",
        shown.stdout
    );
    let mut cmd = with_config(&config, &["config"]);
    cmd.env("TASKWATCH_URL", "http://127.0.0.1:2");
    let shown = run_with(&mut cmd);
    assert!(
        shown
            .stdout
            .contains("http://127.0.0.1:2/  [TASKWATCH_URL]"),
        "{}",
        shown.stdout
    );

    // Without either, the profile, named by line.
    let shown = run_with(&mut with_config(&config, &["config"]));
    assert_eq!(shown.code, 0);
    assert!(
        shown
            .stdout
            .contains("profile      local [default_profile]"),
        "{}",
        shown.stdout
    );
    assert!(
        shown
            .stdout
            .contains(&format!("[profile local ({}:5)]", config.display())),
        "{}",
        shown.stdout
    );
    assert!(shown.stdout.contains("interval     100ms"));
    assert!(shown.stdout.contains("api_path     automatic"));
    assert!(shown.stdout.contains("[default]"));

    // --profile and TASKWATCH_PROFILE choose another.
    let shown = run_with(&mut with_config(
        &config,
        &["config", "--profile", "nowhere"],
    ));
    shown.assert_stdout_has("http://127.0.0.1:9/");
    let mut cmd = with_config(&config, &["config"]);
    cmd.env("TASKWATCH_PROFILE", "nowhere");
    let shown = run_with(&mut cmd);
    shown.assert_stdout_has("nowhere [TASKWATCH_PROFILE]");

    let missing = run_with(&mut with_config(&config, &["config", "--profile", "prod"]));
    assert_eq!(missing.code, 2);
    missing.assert_stderr_has("no profile `prod`");
    missing.assert_stderr_has("local, nowhere");
}

#[test]
fn a_malformed_config_names_the_file_line_and_key() {
    let dir = config_dir("malformed");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        "[profiles.a]\nbase_url = \"http://x\"\ninterval = \"fast\"\n",
    )
    .unwrap();
    let run = run_with(&mut with_config(&config, &["watch", "--profile", "a", "t"]));
    run.assert_code(2);
    run.assert_stderr_has(&format!(
        "profile a ({}:3): invalid `interval`",
        config.display()
    ));

    std::fs::write(&config, "[profiles.a\nbase_url = 1\n").unwrap();
    let run = run_with(&mut with_config(&config, &["config"]));
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&config.display().to_string()),
        "{}",
        run.stderr
    );
    run.assert_stderr_has("line 1");
    assert!(!run.stderr.contains("panicked"));

    std::fs::write(
        &config,
        "colour = 1\n[profiles.a]\nbase_url = \"http://x\"\nfavourite = 2\n",
    )
    .unwrap();
    let run = run_with(&mut with_config(&config, &["config", "--profile", "a"]));
    run.assert_code(0);
    assert!(run.stderr.contains("warning:") && run.stderr.contains("unknown key `colour`"));
    assert!(
        run.stderr
            .contains("unknown key `favourite` in profile `a`"),
        "{}",
        run.stderr
    );
}

#[test]
fn commands_that_need_no_profile_never_read_the_config_file() {
    let dir = config_dir("unread");
    let config = dir.join("config.toml");
    std::fs::write(&config, "[profiles.a\nbase_url = 1\n").unwrap();
    for args in [&["completions", "bash"][..], &["man"]] {
        let run = run_with(&mut with_config(&config, args));
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("config"), "{args:?}: {}", run.stderr);
    }
    let (mut child, url) = serve_with(&mut with_config(&config, &["serve", "--port", "0"]));
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    child.kill().unwrap();
    let _ = child.wait();
    let run = run_with(&mut with_config(
        &config,
        &["demo", "--duration", "1s", "-q"],
    ));
    run.assert_code(0);
}

/// Starts `taskwatch serve` from `cmd` and returns it with the URL it printed.
fn serve_with(cmd: &mut Command) -> (Child, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    (child, url.trim().to_string())
}

/// `taskwatch serve` with tasks lasting `duration`: long enough that a task started at launch
/// is still processing when a test reaches it on a loaded machine.
fn serve(duration: &str, args: &[&str]) -> (Child, String) {
    serve_with(
        bin()
            .args(["serve", "--port", "0", "--duration", duration])
            .args(args),
    )
}

fn login(config: &Path, url: &str, profile: &str, password: &str) -> Run {
    let mut child = with_config(
        config,
        &[
            "login",
            "--base-url",
            url,
            "--profile",
            profile,
            "--email",
            "ops@example.com",
            "--password-stdin",
        ],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    finish(child, std::time::Duration::from_secs(20))
}

#[test]
fn login_stores_a_private_token_that_watch_uses_and_logout_removes() {
    // Followed to its end below, after two logins: 10 s.
    let (mut sim, url) = serve(
        "10s",
        &["--user", "ops@example.com:hunter2", "--task", "t1"],
    );
    let dir = config_dir("login");
    let config = dir.join("nested/config.toml");

    let wrong = login(&config, &url, "sim", "wrong");
    wrong.assert_code(4);
    wrong.assert_stderr_has("Invalid email or password");
    assert!(
        wrong
            .stderr
            .contains("hint: check the email and the password"),
        "the hint is about the login, not about tokens: {}",
        wrong.stderr
    );
    assert!(!config.exists(), "nothing stored after a failed login");

    let ok = login(&config, &url, "sim", "hunter2");
    ok.assert_code(0);
    ok.assert_stderr_has("logged in as ops@example.com");
    assert!(!ok.stderr.contains("hunter2") && !ok.stdout.contains("hunter2"));
    for line in ok.stderr.lines() {
        assert!(line.chars().count() <= 80, "fits 80 columns: {line}");
    }
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("default_profile = \"sim\""), "{text}");
    assert!(text.contains("token = \"ey"), "{text}");
    assert!(text.contains(&format!("base_url = \"{url}/\"")), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&config).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    // The stored token and URL are used; the token is never shown.
    let run = run_with(&mut with_config(&config, &["watch", "-i", "200ms", "t1"]));
    run.assert_code(0);
    assert!(run.stdout.contains("Task completed"));
    let shown = run_with(&mut with_config(&config, &["config"]));
    shown.assert_stdout_has("token        set (");
    let token = text
        .split("token = \"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(!shown.stdout.contains(token));

    let out = run_with(&mut with_config(&config, &["logout"]));
    out.assert_code(0);
    assert!(!std::fs::read_to_string(&config)
        .unwrap()
        .contains("token ="));
    let denied = run_with(&mut with_config(&config, &["status", "t1"]));
    denied.assert_code(4);
    let _ = sim.kill();
    let _ = sim.wait();
}

#[test]
fn serve_never_takes_a_token_from_a_profile() {
    let dir = config_dir("serve");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        "default_profile = \"prod\"\n[profiles.prod]\ntoken = \"prod-token\"\n",
    )
    .unwrap();
    let (mut child, url) = serve_with(&mut with_config(
        &config,
        &["serve", "--port", "0", "--task", "t1", "--duration", "5s"],
    ));
    let run = run(&["status", "--base-url", &url, "t1"]);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(run.code, 0, "the simulator wanted a token: {}", run.stderr);
}

/// The token `login` stored in `config`.
fn stored_token(config: &Path) -> String {
    let text = std::fs::read_to_string(config).unwrap();
    let token = text.split("token = \"").nth(1).expect("a stored token");
    token.split('"').next().unwrap().to_string()
}

/// One part of a JWT, decoded the way any holder of the token can (no key).
fn jwt_part(token: &str, part: usize) -> serde_json::Value {
    let encoded = token.split('.').nth(part).expect("three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(encoded).expect("base64url")).expect("JSON")
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

#[test]
fn login_against_serve_gets_a_signed_jwt_that_the_server_verifies() {
    let user = ["--user", "ops@example.com:hunter2", "--task", "t1"];
    // Asked about (not followed to its end) after two logins: a minute.
    let (mut sim, url) = serve("1m", &[&user[..], &["--token-ttl", "10m"]].concat());
    let (mut other, other_url) = serve("1m", &user);
    let dir = config_dir("jwt");
    let (config, other_config) = (dir.join("a.toml"), dir.join("b.toml"));
    assert_eq!(login(&config, &url, "sim", "hunter2").code, 0);
    assert_eq!(login(&other_config, &other_url, "sim", "hunter2").code, 0);
    let token = stored_token(&config);

    // A JWT: HS256 header, the account as `sub`, a float `exp` --token-ttl away, a 32-byte
    // HMAC-SHA256 signature.
    assert_eq!(jwt_part(&token, 0)["alg"], "HS256");
    let claims = jwt_part(&token, 1);
    assert_eq!(claims["sub"], "ops@example.com");
    let exp = claims["exp"].as_f64().expect("a numeric exp");
    assert!((now() + 540.0..now() + 601.0).contains(&exp), "{claims}");
    let signature = token.rsplit('.').next().unwrap();
    assert_eq!(URL_SAFE_NO_PAD.decode(signature).unwrap().len(), 32);

    let status =
        |token: &str, url: &str| run(&["status", "--base-url", url, "--token", token, "t1"]);
    assert_eq!(
        status(&token, &url).code,
        0,
        "the server accepts its own token"
    );

    // The signature covers the claims: a later `exp` under the same signature is refused.
    let longer = serde_json::json!({"sub": "ops@example.com", "exp": exp + 86400.0});
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    parts[1] = URL_SAFE_NO_PAD.encode(longer.to_string());
    let forged = status(&parts.join("."), &url);
    forged.assert_code(4);
    assert!(
        forged
            .stderr
            .contains("Unauthorized: missing or invalid token"),
        "{}",
        forged.stderr
    );
    // Each run signs with its own secret: the other server's token is not valid here.
    let foreign = status(&stored_token(&other_config), &url);
    foreign.assert_code(4);
    for child in [&mut sim, &mut other] {
        let _ = child.kill();
        let _ = child.wait();
    }
}

#[test]
fn a_token_that_expires_mid_task_ends_the_run_with_exit_4() {
    let (mut sim, url) = serve_with(bin().args([
        "serve",
        "--port",
        "0",
        "--duration",
        "1m",
        "--user",
        "ops@example.com:hunter2",
        "--task",
        "t1",
        "--token-ttl",
        "2s",
    ]));
    let dir = config_dir("expiry");
    let config = dir.join("config.toml");
    let ok = login(&config, &url, "sim", "hunter2");
    ok.assert_code(0);

    let run = run_with(&mut with_config(
        &config,
        &["watch", "-i", "200ms", "--timeout", "1m", "t1"],
    ));
    let _ = sim.kill();
    let _ = sim.wait();
    run.assert_code(4);
    // The client warned up front, said so when the token expired, and the server's 401 says why.
    run.assert_stderr_has("before --timeout ends");
    assert!(
        run.stderr
            .contains("the server will reject requests from now on"),
        "{}",
        run.stderr
    );
    run.assert_stderr_has("Unauthorized: token expired");
}

#[test]
fn token_ttl_out_of_range_is_a_usage_error() {
    for bad in ["0s", "400days", "soon"] {
        let run = run(&["serve", "--port", "0", "--token-ttl", bad]);
        assert_eq!(run.code, 2, "{bad}: {}", run.stderr);
        run.assert_stderr_has("--token-ttl");
    }
    let run = run(&["serve", "--port", "0", "--token-ttl", "400days"]);
    run.assert_stderr_has("from 1s to 365d");
}

/// Linux's rules (the documented ones): `$XDG_CONFIG_HOME` when absolute, else `~/.config`;
/// `TASKWATCH_CONFIG` before either.
#[cfg(target_os = "linux")]
#[test]
fn the_config_file_lives_in_the_platform_config_directory() {
    let home = config_dir("home");
    let shown = |vars: &[(&str, &Path)]| {
        let mut cmd = bin();
        cmd.arg("config")
            .env_remove("TASKWATCH_CONFIG")
            .env_remove("TASKWATCH_PROFILE")
            .env_remove("XDG_CONFIG_HOME")
            .env("HOME", &home)
            .envs(vars.iter().copied());
        let run = run_with(&mut cmd);
        run.assert_code(0);
        run.stdout
    };
    let config_line = |path: &Path| format!("config file  {}", path.display());

    let in_home = home.join(".config/taskwatch/config.toml");
    assert!(
        shown(&[]).contains(&config_line(&in_home)),
        "{}",
        shown(&[])
    );
    // A relative XDG_CONFIG_HOME is ignored, as the XDG spec says.
    let relative = shown(&[("XDG_CONFIG_HOME", Path::new("relative/dir"))]);
    assert!(relative.contains(&config_line(&in_home)), "{relative}");
    let xdg = home.join("xdg");
    let by_xdg = shown(&[("XDG_CONFIG_HOME", &xdg)]);
    assert!(
        by_xdg.contains(&config_line(&xdg.join("taskwatch/config.toml"))),
        "{by_xdg}"
    );
    let explicit = home.join("elsewhere.toml");
    let first = shown(&[("XDG_CONFIG_HOME", &xdg), ("TASKWATCH_CONFIG", &explicit)]);
    assert!(first.contains(&config_line(&explicit)), "{first}");

    // The file found there is the one read.
    std::fs::create_dir_all(in_home.parent().unwrap()).unwrap();
    std::fs::write(&in_home, "default_profile = \"home\"\n[profiles.home]\n").unwrap();
    let read = shown(&[]);
    assert!(
        read.contains("profile      home [default_profile]"),
        "{read}"
    );
}

/// A config file of many profiles, as a team's would be.
fn many_profiles(n: usize) -> String {
    let mut text = String::from("default_profile = \"p0\"\n");
    for i in 0..n {
        text.push_str(&format!(
            "\n[profiles.p{i}]\nbase_url = \"http://backend-{i}.example.internal:8080/\"\ntoken = \"{}\"\n",
            "t".repeat(40)
        ));
    }
    text
}

fn login_to(config: &Path, url: &str, profile: &str) -> Command {
    let mut cmd = with_config(
        config,
        &[
            "login",
            "--base-url",
            url,
            "--profile",
            profile,
            "--email",
            "ops@example.com",
            "--password-stdin",
        ],
    );
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn spawn_login(mut cmd: Command) -> Child {
    let mut child = cmd.spawn().unwrap();
    writeln!(child.stdin.take().unwrap(), "pw").unwrap();
    child
}

/// `login` when the disk is full (a file-size limit makes every write past 4 KiB fail): the
/// 40-profile config is left exactly as it was, and the error says so.
#[cfg(unix)]
#[test]
fn a_failed_config_write_leaves_the_old_file_whole() {
    use std::os::unix::process::CommandExt;
    let server = Server::start(Api::V7).login_token("fresh-token");
    let dir = config_dir("fulldisk");
    let config = dir.join("config.toml");
    let before = many_profiles(40);
    assert!(before.len() > 4096);
    std::fs::write(&config, &before).unwrap();
    let mut cmd = login_to(&config, &server.url, "p7");
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 4096,
                rlim_max: 4096,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let run = finish(spawn_login(cmd), std::time::Duration::from_secs(20));
    run.assert_code(1);
    run.assert_stderr_has("the file was left as it was");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "config.toml" && n != "config.toml.lock")
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary file left: {leftovers:?}"
    );
}

/// Two `login`s at once, 25 times: each keeps its change and every other profile, and the
/// file always parses.
#[test]
fn concurrent_logins_lose_no_profile() {
    let server = Server::start(Api::V7).login_token("fresh-token");
    let dir = config_dir("concurrent");
    let config = dir.join("config.toml");
    std::fs::write(&config, many_profiles(3)).unwrap();
    for round in 0..25 {
        let (a, b) = (format!("a{round}"), format!("b{round}"));
        let first = spawn_login(login_to(&config, &server.url, &a));
        let second = spawn_login(login_to(&config, &server.url, &b));
        for child in [first, second] {
            let run = finish(child, std::time::Duration::from_secs(20));
            assert_eq!(run.code, 0, "round {round}: {}", run.stderr);
        }
        let text = std::fs::read_to_string(&config).unwrap();
        let doc: toml_edit::DocumentMut = text.parse().unwrap_or_else(|e| {
            panic!("round {round}: a torn file: {e}\n{text}");
        });
        let profiles = doc["profiles"].as_table().unwrap();
        for k in 0..=round {
            for name in [format!("a{k}"), format!("b{k}")] {
                assert_eq!(
                    profiles[name.as_str()]["token"].as_str(),
                    Some("fresh-token"),
                    "round {round}: profile {name} lost"
                );
            }
        }
        for k in 0..3 {
            assert!(profiles.contains_key(&format!("p{k}")), "round {round}");
        }
    }
}

/// A token that could not be read back or sent (too long for any header, or with characters
/// a header cannot carry) is refused; the file stays as it was.
#[test]
fn a_token_that_cannot_be_used_is_not_stored() {
    for (token, why) in [
        ("x".repeat(100 * 1024), "bytes long"),
        ("abc\ndef".to_string(), "cannot carry"),
        ("jeton-été".to_string(), "cannot carry"),
    ] {
        let server = Server::start(Api::V7).login_token(&token);
        let dir = config_dir("badtoken");
        let config = dir.join("config.toml");
        let before = many_profiles(2);
        std::fs::write(&config, &before).unwrap();
        let run = finish(
            spawn_login(login_to(&config, &server.url, "p1")),
            std::time::Duration::from_secs(20),
        );
        run.assert_code(1);
        run.assert_stderr_has(why);
        assert!(run.stderr.chars().count() < 2000, "a short error");
        assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
        // And every command still reads the file.
        let logout = run_with(&mut with_config(&config, &["logout", "--profile", "p1"]));
        logout.assert_code(0);
    }
}

/// `login --base-url http://user:pw@host` would store a profile every later command refuses:
/// refused up front, before any request.
#[test]
fn login_refuses_a_base_url_with_credentials() {
    let server = Server::start(Api::V7).login_token("t");
    let dir = config_dir("urlcreds");
    let config = dir.join("config.toml");
    let url = server.url.replace("http://", "http://user:pw@");
    let run = finish(
        spawn_login(login_to(&config, &url, "x")),
        std::time::Duration::from_secs(20),
    );
    run.assert_code(2);
    run.assert_stderr_has("user:password@");
    assert!(
        !run.stderr.contains("pw@"),
        "the password is not echoed: {}",
        run.stderr
    );
    assert!(server.requests().is_empty());
    assert!(!config.exists());
}

/// The directory taskwatch creates for the config is 700 and the file 600, whatever the umask.
#[cfg(unix)]
#[test]
fn the_config_directory_is_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let server = Server::start(Api::V7).login_token("t");
    let dir = config_dir("umask");
    let config = dir.join("new/nested/config.toml");
    let mut cmd = login_to(&config, &server.url, "x");
    // SAFETY: umask is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::umask(0);
            Ok(())
        });
    }
    let run = finish(spawn_login(cmd), std::time::Duration::from_secs(20));
    run.assert_code(0);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.join("new")), 0o700);
    assert_eq!(mode(&dir.join("new/nested")), 0o700);
    assert_eq!(mode(&config), 0o600);
}

/// Empty variables (what CI makes of a missing secret) count as unset, and say so:
/// `TASKWATCH_URL=` is not an invalid `--base-url`, `TASKWATCH_TOKEN=` does not replace the
/// profile's token with an empty one.
#[test]
fn empty_environment_variables_are_unset_and_said() {
    let server = Server::start(Api::V7).with_token("from-profile");
    server.task("t", Task::new([Step::Grow(lines("l", 0..2)), Step::End]));
    let dir = config_dir("emptyenv");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "default_profile = \"p\"\n[profiles.p]\nbase_url = \"{}\"\ntoken = \"from-profile\"\n",
            server.url
        ),
    )
    .unwrap();
    let shown = run_with(
        with_config(&config, &["config"])
            .env("TASKWATCH_URL", "")
            .env("TASKWATCH_TOKEN", ""),
    );
    shown.assert_code(0);
    shown.assert_stdout_has("[profile p");
    shown.assert_stdout_lacks("0 characters");
    shown.assert_stderr_has("TASKWATCH_TOKEN is set but empty");
    shown.assert_stderr_has("TASKWATCH_URL is set but empty");
    let run = run_with(
        with_config(&config, &["watch", "-i", "100ms", "t"])
            .env("TASKWATCH_URL", "")
            .env("TASKWATCH_TOKEN", " "),
    );
    assert_eq!(
        run.code, 0,
        "the profile's URL and token are used: {}",
        run.stderr
    );
    assert_eq!(run.stdout.lines().count(), 2);
}

/// `login` without a terminal and without `--password-stdin` says to use `--password-stdin`
/// (not "No such device or address"), before any request.
#[cfg(unix)]
#[test]
fn login_without_a_terminal_names_password_stdin() {
    use std::os::unix::process::CommandExt;
    let server = Server::start(Api::V7).login_token("t");
    let dir = config_dir("notty");
    let config = dir.join("config.toml");
    let mut cmd = with_config(
        &config,
        &[
            "login",
            "--base-url",
            &server.url,
            "--email",
            "ops@example.com",
        ],
    );
    // SAFETY: setsid is async-signal-safe; it leaves the controlling terminal of whoever runs
    // the tests, so that no password prompt can reach it.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let run = run_with(cmd.stdin(Stdio::null()));
    run.assert_code(2);
    run.assert_stderr_has("--password-stdin");
    assert!(server.requests().is_empty());
    assert!(!config.exists());
}

/// A write killed midway (kill -9) leaves its temporary file, which may hold a token: the next
/// write removes it.
#[test]
fn a_temporary_file_left_by_a_killed_write_is_removed() {
    let server = Server::start(Api::V7).login_token("t");
    let dir = config_dir("leftover");
    let config = dir.join("config.toml");
    let stale = dir.join(".taskwatch-config-Ab12Cd");
    std::fs::write(&stale, "token = \"old secret\"\n").unwrap();
    let run = finish(
        spawn_login(login_to(&config, &server.url, "p")),
        std::time::Duration::from_secs(20),
    );
    run.assert_code(0);
    assert!(!stale.exists(), "the stale temporary file is gone");
    assert!(std::fs::read_to_string(&config)
        .unwrap()
        .contains("[profiles.p]"));
}

/// `probe_rate` in a profile is read (and checked) like the flag; a password in a base URL that
/// does not parse is never quoted back, by `status` or `config`.
#[test]
fn probe_rate_is_a_profile_key_and_a_broken_url_keeps_its_password() {
    let dir = config_dir("proberate");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        "default_profile = \"p\"\n[profiles.p]\nprobe_rate = 0.5\n",
    )
    .unwrap();
    let shown = run_with(&mut with_config(&config, &["config"]));
    shown.assert_code(0);
    shown.assert_stderr_lacks("unknown key");
    shown.assert_stdout_has("probe_rate   0.5  [profile p");
    std::fs::write(
        &config,
        "default_profile = \"p\"\n[profiles.p]\nprobe_rate = 1001\nbase_url = \"ftp://u:S3CRET@h:1\"\n",
    )
    .unwrap();
    let shown = run_with(&mut with_config(&config, &["config"]));
    shown.assert_code(2);
    shown.assert_stdout_has("0 to 1000");
    assert!(!(shown.stdout + &shown.stderr).contains("S3CRET"));
    let run = run_with(&mut with_config(
        &config,
        &[
            "status",
            "--base-url",
            "u:S3CRET@127.0.0.1:1/codvid-ai",
            "t",
        ],
    ));
    run.assert_code(2);
    assert!(
        !(run.stdout + &run.stderr).contains("S3CRET"),
        "a password quoted back"
    );
}

/// `config` shows the archive's settings with where they came from, and an `archive` that is
/// not a boolean is marked and makes the exit code 2, as `watch` would refuse it.
#[test]
fn config_shows_the_archive_settings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "default_profile = \"p\"\n[profiles.p]\narchive = true\narchive_db = \"/srv/tw/a.sqlite3\"\n",
    )
    .unwrap();
    let run = run_with(with_config(&path, &["config"]).env_remove("TASKWATCH_ARCHIVE_DB"));
    run.assert_code(0);
    let line = |key: &str| {
        run.stdout
            .lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("no {key}: {}", run.stdout))
            .to_string()
    };
    assert!(
        line("archive ").contains("true  [profile p"),
        "{}",
        run.stdout
    );
    assert!(
        line("archive_db").contains("/srv/tw/a.sqlite3  [profile p"),
        "{}",
        run.stdout
    );
    let env = run_with(with_config(&path, &["config"]).env("TASKWATCH_ARCHIVE_DB", "/x/b.db"));
    env.assert_stdout_has("/x/b.db  [TASKWATCH_ARCHIVE_DB]");
    std::fs::write(
        &path,
        "default_profile = \"p\"\n[profiles.p]\narchive = \"maybe\"\n",
    )
    .unwrap();
    let bad = run_with(&mut with_config(&path, &["config"]));
    bad.assert_code(2);
    assert!(
        bad.stdout
            .contains("invalid `archive`: expected true or false"),
        "{}",
        bad.stdout
    );
}
