use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match taskwatch::cli::Cli::try_parse() {
        Ok(cli) => cli,
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
    ExitCode::from(runtime.block_on(taskwatch::run(cli)))
}
