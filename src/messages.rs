//! The only writers of `taskwatch: warning: …`, `taskwatch: error: …`, hints and notes outside
//! the renderer (which words its own through [`warning_text`], [`error_text`], [`note_text`]
//! and [`task_prefix`]), the only place `taskwatch: ` is spelled out, and the rule for output
//! that cannot be written.

use std::io::{self, Write};

use colored::Colorize;

use crate::outcome::Outcome;

/// The most characters of one line of a message (a config file's line, a server's words).
const MAX_LINE_CHARS: usize = 400;
/// The most lines of one message.
const MAX_LINES: usize = 20;

/// A message made safe and short: control characters escaped (config keys and values, file
/// names and errors may hold any), each line and the number of lines capped.
fn tidy(message: &str) -> String {
    let lines = crate::sanitize::lines(message);
    let mut out: Vec<String> = lines
        .iter()
        .take(MAX_LINES)
        .map(|line| match line.char_indices().nth(MAX_LINE_CHARS) {
            Some((cut, _)) => format!("{}…", &line[..cut]),
            None => line.clone(),
        })
        .collect();
    if lines.len() > MAX_LINES {
        out.push("…".into());
    }
    out.join("\n")
}

/// What every line taskwatch writes to stderr begins with.
pub const PREFIX: &str = "taskwatch: ";

/// `taskwatch: [LABEL] `: what a line about one of several tasks begins with (`label` already
/// escaped).
pub fn task_prefix(label: &str) -> String {
    format!("{PREFIX}[{label}] ")
}

/// `taskwatch: ` and the message (words made elsewhere, already safe).
pub fn note_text(message: impl std::fmt::Display) -> String {
    format!("{PREFIX}{message}")
}

pub fn warning_text(message: &str) -> String {
    format!("{PREFIX}{} {}", "warning:".yellow().bold(), tidy(message))
}

pub fn error_text(message: &str) -> String {
    format!("{PREFIX}{} {}", "error:".red().bold(), tidy(message))
}

/// Writes `taskwatch: warning: …` to stderr.
pub fn warning(message: &str) {
    let _ = writeln!(io::stderr(), "{}", warning_text(message));
}

/// Writes `taskwatch: error: …` to stderr.
pub fn error(message: &str) {
    let _ = writeln!(io::stderr(), "{}", error_text(message));
}

/// A plain note on stderr (`taskwatch: …`).
pub fn note(message: impl std::fmt::Display) {
    let _ = writeln!(io::stderr(), "{}", note_text(message));
}

/// Writes `taskwatch: hint: …` to stderr.
pub fn hint(message: &str) {
    let _ = writeln!(io::stderr(), "{PREFIX}hint: {}", tidy(message));
}

/// A usage error (exit 2) said on stderr.
pub fn usage(message: &str) -> Outcome {
    error(message);
    Outcome::Usage
}

/// What writing a command's output to stdout means for the run: a closed pipe means the reader
/// has what it wanted (success); any other failure (a full disk, an I/O error) is said once and
/// is not success.
pub fn written(result: io::Result<()>) -> Outcome {
    match result {
        Ok(()) => Outcome::Finished,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Outcome::Finished,
        Err(e) => {
            error(&format!("cannot write output: {e}"));
            Outcome::OutputFailed
        }
    }
}

/// Writes `text` to stdout and flushes it, with [`written`]'s rule.
pub fn print(text: &str) -> Outcome {
    let mut out = io::stdout().lock();
    written(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_escaped_and_capped() {
        colored::control::set_override(false);
        assert_eq!(
            warning_text("unknown key `a\u{1b}[31m\u{7}`"),
            "taskwatch: warning: unknown key `a\\e[31m\\x07`"
        );
        let long = error_text(&"x".repeat(1_000_000));
        assert!(long.chars().count() < MAX_LINE_CHARS + 40, "{}", long.len());
        let many = error_text(&"line\n".repeat(1000));
        assert_eq!(many.lines().count(), MAX_LINES + 1);
        assert_eq!(tidy("two\nlines"), "two\nlines");
    }
}
