//! `completions` and `man`: generated from the command-line definition, written to stdout.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::messages;
use crate::outcome::Outcome;

pub fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut text = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "taskwatch", &mut text);
    messages::print(&String::from_utf8_lossy(&text))
}

pub fn man() -> Outcome {
    let mut text = Vec::new();
    match clap_mangen::Man::new(Cli::command()).render(&mut text) {
        Ok(()) => messages::print(&String::from_utf8_lossy(&text)),
        Err(e) => {
            messages::error(&format!("cannot render the man page: {e}"));
            Outcome::Internal
        }
    }
}
