//! The only writers of `taskwatch: warning: …` and `taskwatch: error: …` outside the renderer
//! (which words its own through [`warning_text`] and [`error_text`]), and the rule for output
//! that cannot be written.

use std::io::{self, Write};

use colored::Colorize;

use crate::outcome::Outcome;

pub fn warning_text(message: &str) -> String {
    format!("taskwatch: {} {message}", "warning:".yellow().bold())
}

pub fn error_text(message: &str) -> String {
    format!("taskwatch: {} {message}", "error:".red().bold())
}

/// Writes `taskwatch: warning: …` to stderr.
pub fn warning(message: &str) {
    let _ = writeln!(io::stderr(), "{}", warning_text(message));
}

/// Writes `taskwatch: error: …` to stderr.
pub fn error(message: &str) {
    let _ = writeln!(io::stderr(), "{}", error_text(message));
}

/// Writes `taskwatch: hint: …` to stderr.
pub fn hint(message: &str) {
    let _ = writeln!(io::stderr(), "taskwatch: hint: {message}");
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
