use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use taskwatch::cli::Cli;

fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            taskwatch::error(&format!("cannot start the runtime: {e}"));
            return ExitCode::FAILURE;
        }
    };
    ExitCode::from(runtime.block_on(taskwatch::run(cli, &matches)))
}
