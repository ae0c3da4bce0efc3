//! The binary: parse the command line, build the runtime, run, turn the outcome into the exit
//! code. Everything else lives in the library.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use taskwatch::cli::Cli;
use taskwatch::messages;
use taskwatch::outcome::Outcome;

fn main() -> ExitCode {
    for name in taskwatch::cli::drop_empty_env() {
        messages::warning(&format!(
            "{name} is set but empty (a missing secret in CI?): treated as unset"
        ));
    }
    if let Some(outcome) = taskwatch::completion_request() {
        return ExitCode::from(outcome.exit_code());
    }
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            let _ = e.print();
            // clap's own code: 0 for --help and --version, 2 for a usage error.
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let outcome = match runtime {
        Ok(rt) => rt.block_on(taskwatch::run(cli, &matches)),
        Err(e) => {
            messages::error(&format!("cannot start the runtime: {e}"));
            Outcome::Internal
        }
    };
    ExitCode::from(outcome.exit_code())
}
