//! Shell integration: committed completion scripts match the CLI, the man page renders.

use crate::common::*;

#[test]
fn committed_completions_match_the_cli() {
    for (shell, file) in [
        ("bash", "taskwatch.bash"),
        ("zsh", "_taskwatch"),
        ("fish", "taskwatch.fish"),
        ("elvish", "taskwatch.elv"),
        ("powershell", "_taskwatch.ps1"),
    ] {
        let run = run(&["completions", shell]);
        assert_eq!(run.code, 0);
        let path = format!("{}/completions/{file}", env!("CARGO_MANIFEST_DIR"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            run.stdout == committed,
            "completions/{file} is out of date with the CLI: run scripts/gen-completions.sh and commit the result"
        );
        assert!(run.stdout.contains("logs-count"), "{shell}");
    }
}

#[test]
fn the_man_page_renders() {
    let run = run(&["man"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with(".ie"), "roff: {}", &run.stdout[..40]);
    assert!(run.stdout.contains(".TH taskwatch 1"));
    assert!(run.stdout.contains("\\-\\-base\\-url"));
    // Each subcommand's options are under its own heading.
    for heading in [
        ".SH \"TASKWATCH WATCH\"",
        ".SH \"TASKWATCH SERVE\"",
        ".SS CONNECTION",
    ] {
        assert!(run.stdout.contains(heading), "{heading}");
    }
    let serve = run.stdout.split(".SH \"TASKWATCH SERVE\"").nth(1).unwrap();
    let serve = serve.split(".SH ").next().unwrap();
    assert!(serve.contains("\\-\\-scenario") && !serve.contains("\\-\\-cacert"));
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let run = run(&["completions", "tcsh"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bash"), "{}", run.stderr);
}

/// `--version` names the version, and the commit when the binary was built in a git checkout
/// (not in a packaged copy of the crate, which has no `.git`).
#[test]
fn version_names_the_release_and_the_commit_of_a_checkout() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let commit = std::path::Path::new(dir)
        .join(".git")
        .exists()
        .then(|| {
            std::process::Command::new("git")
                .args(["-C", dir, "rev-parse", "--short", "HEAD"])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        })
        .flatten();
    let expected = match commit {
        Some(commit) => format!("taskwatch {} ({commit})\n", env!("CARGO_PKG_VERSION")),
        None => format!("taskwatch {}\n", env!("CARGO_PKG_VERSION")),
    };
    for flag in ["--version", "-V"] {
        let run = run(&[flag]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout, expected);
    }
}

/// The README's completion install lines work on a fresh home (the directories are created).
#[test]
fn the_readmes_completion_install_lines_work_on_a_fresh_home() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let block = readme
        .split("To install:")
        .nth(1)
        .and_then(|rest| rest.split("```sh\n").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("the install block");
    let home = std::env::temp_dir().join(format!("taskwatch-home-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_taskwatch"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = std::process::Command::new("sh")
        .args(["-ec", block])
        .env("HOME", &home)
        .env("PATH", path)
        .status()
        .unwrap();
    assert!(status.success(), "{block}");
    for file in [
        ".local/share/bash-completion/completions/taskwatch",
        ".zfunc/_taskwatch",
        ".config/fish/completions/taskwatch.fish",
    ] {
        let written = std::fs::metadata(home.join(file))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(written > 1000, "{file}: {written} bytes");
    }
    std::fs::remove_dir_all(&home).unwrap();
}
