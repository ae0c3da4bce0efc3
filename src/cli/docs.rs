//! The documents generated from the command-line definition: the shell completion scripts
//! (with `--profile` completed from the config file) and the man pages (one for the program,
//! one per command). Text only; `commands::help` prints or writes them.

use std::io::Write;

use clap::CommandFactory;

use super::Cli;

/// The completion script for `shell`.
pub fn completion_script(shell: clap_complete::Shell) -> String {
    let mut text = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "taskwatch", &mut text);
    complete_profiles(shell, &String::from_utf8_lossy(&text))
}

/// The variable that asks the binary for completions instead of running a command.
pub const COMPLETE_VAR: &str = "_TASKWATCH_COMPLETE";

/// What a script runs to list the profile names (`commands::help::profile_names`).
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

/// The man pages: `taskwatch.1` first, then with `every` a `taskwatch-NAME.1` per command.
pub fn man_pages(every: bool) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut pages = Vec::new();
    let mut main = Vec::new();
    render_main(&mut main)?;
    pages.push(("taskwatch.1".to_string(), main));
    for sub in subcommands(&cmd).filter(|_| every) {
        let mut page = Vec::new();
        render_sub(&mut page, &cmd, sub)?;
        pages.push((format!("taskwatch-{}.1", sub.get_name()), page));
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scripts_ask_for_profiles_through_the_variable_the_binary_reads() {
        assert!(LIST_PROFILES.starts_with(&format!("{COMPLETE_VAR}=profiles ")));
        let bash = completion_script(clap_complete::Shell::Bash);
        assert!(bash.contains(LIST_PROFILES), "{bash}");
    }

    #[test]
    fn every_command_has_a_page() {
        let pages = man_pages(true).unwrap();
        assert_eq!(pages[0].0, "taskwatch.1");
        assert!(pages.iter().any(|(name, _)| name == "taskwatch-watch.1"));
        assert_eq!(man_pages(false).unwrap().len(), 1);
    }
}
