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
    run.assert_stderr_has("bash");
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
        run.assert_code(0);
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

/// Every command that has a page of its own.
const COMMANDS: &[&str] = &[
    "watch",
    "wait",
    "status",
    "ls",
    "serve",
    "demo",
    "completions",
    "man",
    "config",
    "record",
    "history",
    "logs",
    "stats",
    "prune",
    "login",
    "logout",
];

/// A flag a command would ignore is not taken: `wait` shows no line, `login` sends no token
/// and asks no status path. Their help does not list them, and giving one is a usage error
/// naming it.
#[test]
fn each_command_takes_only_the_options_it_uses() {
    let refused: &[(&[&str], &[&str])] = &[
        (
            &["wait", "t1"],
            &[
                "--highlight=x",
                "--relative",
                "--tail=3",
                "--include=x",
                "--exclude=x",
            ],
        ),
        (
            &["login", "--email", "me@example.com"],
            &[
                "--token=t",
                "--token-file=/dev/null",
                "--api-path=/x/{task_id}",
            ],
        ),
        // `watch --all` always follows new tasks.
        (&["watch", "--all"], &["--follow-new"]),
    ];
    for (command, flags) in refused {
        let help = run(&[command[0], "--help"]);
        help.assert_code(0);
        for flag in *flags {
            let name = flag.split('=').next().unwrap();
            assert!(
                !help.stdout.contains(&format!("{name} "))
                    && !help.stdout.contains(&format!("{name}\n")),
                "`{} --help` lists {name}:\n{}",
                command[0],
                help.stdout
            );
            let mut args = command.to_vec();
            args.push(flag);
            let given = run(&args);
            assert_eq!(given.code, 2, "{args:?}: {}", given.stderr);
            assert!(
                given
                    .stderr
                    .contains(&format!("unexpected argument '{name}'")),
                "{args:?}: {}",
                given.stderr
            );
        }
    }
    // What they do use is still there.
    let watch = run(&["watch", "--help"]).stdout;
    for flag in [
        "--highlight",
        "--relative",
        "--tail",
        "--include",
        "--exclude",
    ] {
        assert!(watch.contains(flag), "watch lacks {flag}");
    }
    let wait = run(&["wait", "--help"]).stdout;
    for flag in [
        "--follow-new",
        "--fail-on",
        "--from-index",
        "--progress",
        "--quiet",
    ] {
        assert!(wait.contains(flag), "wait lacks {flag}");
    }
    let login = run(&["login", "--help"]).stdout;
    for flag in [
        "--base-url",
        "--profile",
        "--cacert",
        "--header",
        "--password-stdin",
    ] {
        assert!(login.contains(flag), "login lacks {flag}");
    }
}

/// Each command's help ends with examples of that command, which parse as its usage.
#[test]
fn each_commands_help_ends_with_its_examples() {
    for command in COMMANDS {
        for flag in ["-h", "--help"] {
            let help = run(&[command, flag]);
            assert_eq!(help.code, 0, "{command}: {}", help.stderr);
            let (_, examples) = help
                .stdout
                .rsplit_once("\nExamples:\n")
                .unwrap_or_else(|| panic!("`{command} {flag}` has no examples"));
            let lines: Vec<&str> = examples.lines().collect();
            assert!((2..=3).contains(&lines.len()), "{command}: {examples}");
            for line in lines {
                assert!(
                    line.contains(&format!("taskwatch {command}")),
                    "`{command}`'s example is of another command: {line}"
                );
            }
        }
    }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("taskwatch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// `man --dir` writes the main page and one per command (into a directory it creates): each
/// with its own options, its examples kept as written, and the others named.
#[test]
fn man_dir_writes_a_page_per_command() {
    let dir = temp_dir("man").join("man1");
    let run = run(&["man", "--dir", dir.to_str().unwrap()]);
    run.assert_code(0);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let page = |name: &str| {
        std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let main = page("taskwatch.1");
    assert!(main.contains(".TH taskwatch 1"));
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut expected: Vec<String> = COMMANDS
        .iter()
        .map(|c| format!("taskwatch-{c}.1"))
        .chain(["taskwatch.1".to_string()])
        .collect();
    expected.sort();
    assert_eq!(written, expected);
    for command in COMMANDS {
        let sub = page(&format!("taskwatch-{command}.1"));
        assert!(
            sub.contains(&format!(".TH taskwatch-{command} 1")),
            "{command}:\n{sub}"
        );
        // Examples are not filled into one paragraph.
        let examples = sub.split(".SH EXAMPLES\n.nf\n").nth(1).expect(command);
        assert!(
            examples.starts_with(&format!("taskwatch {command}")),
            "{command}: {examples}"
        );
        assert!(
            sub.contains("\\fB\\%taskwatch\\fR(1)"),
            "{command} names the main page"
        );
        assert!(
            main.contains(&format!("\\fB\\%taskwatch\\-{command}\\fR(1)")),
            "the main page names taskwatch-{command}(1)"
        );
    }
    let watch = page("taskwatch-watch.1");
    let wait = page("taskwatch-wait.1");
    assert!(watch.contains("\\-\\-highlight") && !wait.contains("\\-\\-highlight"));
    assert!(wait.contains("\\-\\-follow\\-new") && !watch.contains("\\-\\-follow\\-new"));
    assert!(!page("taskwatch-login.1").contains("\\-\\-token"));
    std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
}

/// The main page's ENVIRONMENT names every variable the command line reads (and NO_COLOR,
/// TERM, the proxies), FILES the config file, its lock and the archive, EXIT STATUS every
/// code of the README's table; `man` alone still prints it.
#[test]
fn the_main_man_page_has_environment_files_exit_status_and_examples() {
    let main = run(&["man"]);
    main.assert_code(0);
    let page = &main.stdout;
    let section = |name: &str| -> String {
        let start = format!(".SH {name}\n");
        let rest = page
            .split(&start)
            .nth(1)
            .unwrap_or_else(|| panic!("no {name}"));
        rest.split("\n.SH ").next().unwrap().to_string()
    };
    let environment = section("ENVIRONMENT");
    let root = env!("CARGO_MANIFEST_DIR");
    let mut read = Vec::new();
    // Every file under these folders, their subfolders' too (a module may be a folder).
    let mut dirs: Vec<std::path::PathBuf> = ["src/cli", "src/sim"]
        .iter()
        .map(|dir| std::path::Path::new(root).join(dir))
        .collect();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("env = \"").skip(1) {
                read.push(part.split('"').next().unwrap().to_string());
            }
        }
    }
    read.sort();
    read.dedup();
    assert!(read.len() >= 4, "{read:?}");
    for var in read.iter().map(String::as_str).chain([
        "TASKWATCH_CONFIG",
        "NO_COLOR",
        "TERM",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
    ]) {
        let roff = var.replace('-', "\\-");
        assert!(
            environment.contains(&roff),
            "ENVIRONMENT lacks {var}:\n{environment}"
        );
    }
    let files = section("FILES");
    for file in [
        "~/.config/taskwatch/config.toml",
        "config.toml.lock",
        "~/.local/share/taskwatch/archive.sqlite3",
    ] {
        assert!(files.contains(file), "FILES lacks {file}:\n{files}");
    }
    let exit = section("EXIT STATUS");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let table = readme.split("## Exit codes").nth(1).unwrap();
    let codes: Vec<&str> = table
        .lines()
        .skip_while(|l| !l.starts_with("|---"))
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.split('|').nth(1).unwrap().trim())
        .collect();
    assert!(codes.len() >= 10, "{codes:?}");
    for code in codes {
        assert!(
            exit.contains(&format!("\\fB{code}\\fR")),
            "EXIT STATUS lacks {code}:\n{exit}"
        );
    }
    let examples = section("EXAMPLES");
    assert!(examples.starts_with(".nf\n"), "{examples}");
    assert!(
        examples.contains("taskwatch wait \\-q 8f14e45f && echo done"),
        "{examples}"
    );
}

/// `--profile <Tab>` offers the config file's profile names: the committed bash script run by
/// bash, asking the binary; the zsh and fish scripts ask it for every `--profile`. A missing or
/// broken config file completes nothing and prints no error.
#[test]
fn profile_completes_the_config_files_profile_names() {
    let dir = temp_dir("complete");
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        "default_profile = \"prod\"\n[profiles.prod]\nbase_url = \"http://127.0.0.1:9\"\n\
         [profiles.staging]\n[profiles.\"ci-runner\"]\n",
    )
    .unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_taskwatch"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let complete = |words: &str, config: &std::path::Path| -> Vec<String> {
        let script = format!(
            "source {root}/completions/taskwatch.bash\n\
             COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))\n\
             _taskwatch taskwatch \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\""
        );
        let out = std::process::Command::new("bash")
            .args(["--norc", "-c", &script])
            .env("PATH", &path)
            .env("TASKWATCH_CONFIG", config)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()
    };
    assert_eq!(
        complete("taskwatch watch --profile ''", &config),
        ["prod", "staging", "ci-runner"]
    );
    assert_eq!(
        complete("taskwatch logout --profile s", &config),
        ["staging"]
    );
    assert_eq!(
        complete("taskwatch history --profile c", &config),
        ["ci-runner"]
    );
    // No config file, or one that does not parse: nothing offered, nothing said.
    assert!(complete("taskwatch ls --profile ''", &dir.join("none.toml")).is_empty());
    std::fs::write(&config, "[profiles.prod\n").unwrap();
    assert!(complete("taskwatch ls --profile ''", &config).is_empty());
    let asked = run_with(
        bin()
            .env("_TASKWATCH_COMPLETE", "profiles")
            .env("TASKWATCH_CONFIG", &config),
    );
    assert_eq!(
        (asked.code, asked.stdout.as_str(), asked.stderr.as_str()),
        (0, "", "")
    );
    // zsh and fish: every --profile asks the binary.
    for (file, option, hook) in [
        (
            "_taskwatch",
            "'--profile=[",
            "{compadd -- ${(f)\"$(_TASKWATCH_COMPLETE=profiles taskwatch",
        ),
        (
            "taskwatch.fish",
            " -l profile ",
            "-f -a \"(_TASKWATCH_COMPLETE=profiles taskwatch",
        ),
    ] {
        let script = std::fs::read_to_string(format!("{root}/completions/{file}")).unwrap();
        let lines: Vec<&str> = script.lines().filter(|l| l.contains(option)).collect();
        assert!(lines.len() >= 12, "{file}: {}", lines.len());
        for line in lines {
            assert!(line.contains(hook), "{file}: {line}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The README's shell blocks marked `sh test` run as written in POSIX `sh` (against the
/// `taskwatch serve` they start) and each `echo "exit $?"` prints the `# exit N` beside it.
#[test]
fn the_readmes_tested_shell_blocks_run_as_written() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let blocks: Vec<&str> = readme
        .split("```sh test\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap())
        .collect();
    assert!(!blocks.is_empty(), "no block is marked `sh test`");
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_taskwatch"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (k, block) in blocks.iter().enumerate() {
        let expected: Vec<String> = block
            .lines()
            .filter_map(|l| l.split("# exit ").nth(1))
            .map(|n| format!("exit {}", n.trim()))
            .collect();
        assert!(
            !expected.is_empty(),
            "block {k} checks no exit code:\n{block}"
        );
        let dir = temp_dir(&format!("readme-{k}"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut cmd = std::process::Command::new("sh");
        isolate(&mut cmd)
            .args(["-c", block])
            .current_dir(&dir)
            .env("PATH", &path)
            .env("TASKWATCH_CONFIG", dir.join("config.toml"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let run = finish(cmd.spawn().unwrap(), std::time::Duration::from_secs(60));
        assert_eq!(run.code, 0, "block {k}:\n{block}\nstderr:\n{}", run.stderr);
        let printed: Vec<&str> = run
            .stdout
            .lines()
            .filter(|l| l.starts_with("exit "))
            .collect();
        assert_eq!(
            printed, expected,
            "block {k}:\n{block}\nstderr:\n{}",
            run.stderr
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
