//! `completions` and `man`: generated from the command-line definition, written to stdout (or,
//! for `man --dir`, one page per command into a directory).

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::messages;
use crate::outcome::Outcome;

pub fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut text = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "taskwatch", &mut text);
    messages::print(&complete_profiles(shell, &String::from_utf8_lossy(&text)))
}

/// The variable that asks the binary for completions instead of running a command.
pub const COMPLETE_VAR: &str = "_TASKWATCH_COMPLETE";

/// What a script runs to list the profile names (see [`profile_names`]).
const LIST_PROFILES: &str = "_TASKWATCH_COMPLETE=profiles taskwatch 2>/dev/null";

/// The generated script with `--profile`'s value completed from the config file's profile
/// names, which `clap_complete`'s static scripts cannot know (they would offer file names):
/// bash, zsh and fish ask the binary at each Tab.
fn complete_profiles(shell: clap_complete::Shell, script: &str) -> String {
    use clap_complete::Shell;
    let mut out = String::with_capacity(script.len() + 1024);
    let mut after_profile = false;
    for line in script.split_inclusive('\n') {
        let trimmed = line.trim();
        let indent = &line[..line.len() - line.trim_start().len()];
        let replaced = match shell {
            Shell::Bash if after_profile && trimmed == r#"COMPREPLY=($(compgen -f "${cur}"))"# => {
                Some(format!(
                    "{indent}COMPREPLY=($(compgen -W \"$({LIST_PROFILES})\" -- \"${{cur}}\"))\n"
                ))
            }
            Shell::Zsh if trimmed.starts_with("'--profile=[") => {
                line.contains(":NAME:_default'").then(|| {
                    line.replace(
                        ":NAME:_default'",
                        &format!(":NAME:{{compadd -- ${{(f)\"$({LIST_PROFILES})\"}}}}'"),
                    )
                })
            }
            Shell::Fish if trimmed.contains(" -l profile ") && trimmed.ends_with(" -r") => {
                Some(format!("{} -f -a \"({LIST_PROFILES})\"\n", line.trim_end()))
            }
            _ => None,
        };
        after_profile = trimmed == "--profile)";
        out.push_str(replaced.as_deref().unwrap_or(line));
    }
    out
}

/// `_TASKWATCH_COMPLETE=profiles taskwatch`: the profile names of the config file, one a line; nothing
/// when there is none or it cannot be read (a completion never prints an error).
pub fn profile_names() -> Outcome {
    let names = crate::profile::default_path(&|k| std::env::var(k).ok())
        .and_then(|path| crate::profile::ConfigFile::load(&path).ok().flatten())
        .map(|file| file.profile_names())
        .unwrap_or_default();
    let mut text = String::new();
    for name in names {
        // One name a line, and nothing a shell would take for more than a word.
        if !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_graphic() && c != '\'' && c != '"')
        {
            text.push_str(&name);
            text.push('\n');
        }
    }
    messages::print(&text)
}

/// Text as roff reads it literally: backslashes and hyphens escaped, no line taken for a
/// request.
fn roff_text(text: &str) -> String {
    let text = text.replace('\\', "\\e").replace('-', "\\-");
    if text.starts_with(['.', '\'']) {
        format!("\\&{text}")
    } else {
        text
    }
}

/// A section of lines kept as written (no filling, no adjusting).
fn verbatim(text: &mut Vec<u8>, heading: &str, lines: &str) -> std::io::Result<()> {
    writeln!(text, ".SH {heading}")?;
    writeln!(text, ".nf")?;
    for line in lines.lines() {
        writeln!(text, "{}", roff_text(line))?;
    }
    writeln!(text, ".fi")
}

/// A section of tagged paragraphs: a term in bold, then what it means.
fn tagged(text: &mut Vec<u8>, heading: &str, items: &[(&str, &str)]) -> std::io::Result<()> {
    writeln!(text, ".SH {heading}")?;
    for (term, meaning) in items {
        writeln!(text, ".TP")?;
        writeln!(text, "\\fB{}\\fR", roff_text(term))?;
        writeln!(text, "{}", roff_text(meaning))?;
    }
    Ok(())
}

/// A command's `Examples:` epilogue, without its heading.
fn examples(cmd: &clap::Command) -> Option<String> {
    let after = cmd.get_after_help()?.to_string();
    let body = after.split_once("Examples:\n").map_or(&*after, |(_, b)| b);
    let body = body.split("\n\n").next().unwrap_or(body);
    Some(
        body.lines()
            .map(|l| l.strip_prefix("  ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// Every variable taskwatch reads, and what for.
const ENVIRONMENT: &[(&str, &str)] = &[
    ("TASKWATCH_URL", "The backend's base URL (--base-url)."),
    (
        "TASKWATCH_TOKEN",
        "The bearer token (--token); `serve` requires it of every request when set.",
    ),
    (
        "TASKWATCH_PROFILE",
        "The settings profile of the config file (--profile).",
    ),
    (
        "TASKWATCH_CONFIG",
        "The config file, instead of ~/.config/taskwatch/config.toml.",
    ),
    (
        "TASKWATCH_ARCHIVE_DB",
        "The archive's database file (--archive-db).",
    ),
    (
        "NO_COLOR",
        "Set and not empty: no colour with --color auto.",
    ),
    (
        "TERM",
        "dumb: no escape sequence at all (no colour, no status line).",
    ),
    (
        "HTTP_PROXY, HTTPS_PROXY, NO_PROXY",
        "Proxies for the requests to the backend, and the hosts reached without one.",
    ),
];

const ENVIRONMENT_NOTE: &str = "A TASKWATCH_* variable that is set but empty counts as unset. \
A flag wins over its variable, which wins over the profile.";

const FILES: &[(&str, &str)] = &[
    (
        "~/.config/taskwatch/config.toml",
        "The profiles (base_url, token, token_file, archive, …), written by login with mode 600 \
         (the platform's config directory; TASKWATCH_CONFIG overrides it).",
    ),
    (
        "~/.config/taskwatch/config.toml.lock",
        "Taken while the config file is rewritten, so that concurrent logins lose nothing.",
    ),
    (
        "~/.local/share/taskwatch/archive.sqlite3",
        "The run archive (the platform's data directory; --archive-db, TASKWATCH_ARCHIVE_DB or \
         a profile's archive_db overrides it), mode 600.",
    ),
];

const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", "Finished: seen processing, then not."),
    (
        "1",
        "Failed: a --fail-on line matched, or the server reported a failed status.",
    ),
    ("2", "Usage error: a wrong flag or value."),
    (
        "3",
        "Never seen processing: finished before the first poll, or an unknown id.",
    ),
    ("4", "Authentication rejected (401/403)."),
    (
        "5",
        "API unreachable or unusable past --give-up-after, or answering in a way retrying \
         cannot fix.",
    ),
    ("70", "Internal error (a bug; please report it)."),
    (
        "74",
        "Output or the archive could not be written; a closed pipe is not an error.",
    ),
    ("124", "--timeout reached while still processing."),
    ("130", "Interrupted by Ctrl-C or SIGTERM."),
];

const EXIT_NOTE: &str = "With several tasks the most severe wins, in the order 130, 74, 70, 5, \
4, 124, 1, 3, 0.";

/// The commands that get a page of their own.
fn subcommands(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands().filter(|s| s.get_name() != "help")
}

/// The page of the whole program: each command's options under its own heading (which
/// `clap_mangen` alone would leave out), then the environment, files, exit status and examples.
fn render_main(text: &mut Vec<u8>) -> std::io::Result<()> {
    let mut cmd = Cli::command();
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(text)?;
    man.render_name_section(text)?;
    man.render_synopsis_section(text)?;
    man.render_description_section(text)?;
    man.render_options_section(text)?;
    man.render_subcommands_section(text)?;
    for sub in subcommands(&cmd) {
        let mut section = Vec::new();
        clap_mangen::Man::new(sub.clone()).render_options_section(&mut section)?;
        writeln!(text, ".SH \"TASKWATCH {}\"", sub.get_name().to_uppercase())?;
        if let Some(about) = sub.get_about() {
            writeln!(text, "{}", roff_text(&about.to_string()))?;
        }
        // clap_mangen's headings become subsections; its preamble is already there.
        for line in String::from_utf8_lossy(&section).lines() {
            if line.starts_with(".ie ") || line.starts_with(".el ") {
                continue;
            }
            match line.strip_prefix(".SH ") {
                Some(heading) => writeln!(text, ".SS {heading}")?,
                None => writeln!(text, "{line}")?,
            }
        }
        writeln!(text, "See \\fBtaskwatch\\-{}\\fR(1).", sub.get_name())?;
    }
    tagged(text, "ENVIRONMENT", ENVIRONMENT)?;
    writeln!(text, ".PP\n{}", roff_text(ENVIRONMENT_NOTE))?;
    tagged(text, "FILES", FILES)?;
    tagged(text, "EXIT STATUS", EXIT_STATUS)?;
    writeln!(text, ".PP\n{}", roff_text(EXIT_NOTE))?;
    let epilogue = cmd
        .get_after_help()
        .map(|h| h.to_string())
        .unwrap_or_default();
    let examples = epilogue.split("\n\n").next().unwrap_or_default();
    let examples = examples.strip_prefix("Examples:\n").unwrap_or(examples);
    verbatim(text, "EXAMPLES", examples)?;
    see_also(text, &cmd, None)?;
    man.render_version_section(text)
}

/// `SEE ALSO`: every page but `skip`.
fn see_also(text: &mut Vec<u8>, cmd: &clap::Command, skip: Option<&str>) -> std::io::Result<()> {
    let mut pages: Vec<String> = Vec::new();
    if skip.is_some() {
        pages.push("\\fB\\%taskwatch\\fR(1)".into());
    }
    for sub in subcommands(cmd).filter(|s| Some(s.get_name()) != skip) {
        // `\%`: a page's name is never hyphenated.
        pages.push(format!("\\fB\\%taskwatch\\-{}\\fR(1)", sub.get_name()));
    }
    writeln!(text, ".SH \"SEE ALSO\"\n{}", pages.join(", "))
}

/// One command's page: `taskwatch-NAME(1)`, with its examples kept as written.
fn render_sub(text: &mut Vec<u8>, cmd: &clap::Command, sub: &clap::Command) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(sub.clone())
        .title(format!("taskwatch-{}", sub.get_name()))
        .section("1")
        .source(format!("taskwatch {}", env!("TASKWATCH_VERSION")));
    man.render_title(text)?;
    man.render_name_section(text)?;
    man.render_synopsis_section(text)?;
    man.render_description_section(text)?;
    man.render_options_section(text)?;
    if let Some(examples) = examples(sub) {
        verbatim(text, "EXAMPLES", &examples)?;
    }
    see_also(text, cmd, Some(sub.get_name()))
}

/// Writes `taskwatch.1` and `taskwatch-NAME.1` for each command into `dir`; the paths written.
fn write_all(dir: &Path) -> Result<Vec<std::path::PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut cmd = Cli::command();
    cmd.build();
    let mut pages = Vec::new();
    let mut main = Vec::new();
    render_main(&mut main).map_err(|e| format!("cannot render the man page: {e}"))?;
    pages.push(("taskwatch.1".to_string(), main));
    for sub in subcommands(&cmd) {
        let mut page = Vec::new();
        render_sub(&mut page, &cmd, sub).map_err(|e| format!("cannot render a man page: {e}"))?;
        pages.push((format!("taskwatch-{}.1", sub.get_name()), page));
    }
    let mut written = Vec::new();
    for (name, page) in pages {
        let path = dir.join(name);
        std::fs::write(&path, page).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// `taskwatch man`: the main page on stdout, or with `--dir` every page into a directory.
pub fn man(dir: Option<&Path>) -> Outcome {
    if let Some(dir) = dir {
        return match write_all(dir) {
            Ok(written) => {
                messages::note(format!(
                    "wrote {} man pages to {}",
                    written.len(),
                    dir.display()
                ));
                Outcome::Finished
            }
            Err(e) => {
                messages::error(&e);
                Outcome::Error
            }
        };
    }
    let mut text = Vec::new();
    match render_main(&mut text) {
        Ok(()) => messages::print(&String::from_utf8_lossy(&text)),
        Err(e) => {
            messages::error(&format!("cannot render the man page: {e}"));
            Outcome::Internal
        }
    }
}
