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

/// The page of the whole program, then the options of each subcommand (options belong to the
/// subcommands that take them, which `clap_mangen` alone would leave out).
fn render_man(text: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Write;
    let mut cmd = Cli::command();
    cmd.build();
    clap_mangen::Man::new(cmd.clone()).render(text)?;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let mut section = Vec::new();
        clap_mangen::Man::new(sub.clone()).render_options_section(&mut section)?;
        writeln!(text, ".SH \"TASKWATCH {}\"", sub.get_name().to_uppercase())?;
        if let Some(about) = sub.get_about() {
            let about = about.to_string().replace('\\', "\\e").replace('-', "\\-");
            writeln!(text, "{}", about.trim_start_matches(['.', '\'']))?;
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
    }
    Ok(())
}

pub fn man() -> Outcome {
    let mut text = Vec::new();
    match render_man(&mut text) {
        Ok(()) => messages::print(&String::from_utf8_lossy(&text)),
        Err(e) => {
            messages::error(&format!("cannot render the man page: {e}"));
            Outcome::Internal
        }
    }
}
