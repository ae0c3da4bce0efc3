//! The options of the one-shot commands: `status`, `ls`, `config`, `login`, `logout`, `man`.

use std::path::PathBuf;

use clap::Args;

use super::values::*;
use super::{ConnectionArgs, ProfileArg, ServerArgs, StatusOutputArgs};
use crate::fraction::Pattern;

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
}

#[derive(Debug, Args)]
pub struct LsArgs {
    /// Show only the tasks that are processing now.
    #[arg(long)]
    pub processing: bool,

    /// Also list this project's reel tasks (repeatable).
    #[arg(long = "project", value_name = "NAME")]
    pub projects: Vec<String>,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub output: StatusOutputArgs,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Account email address.
    #[arg(long, value_name = "ADDRESS")]
    pub email: String,

    /// Read the password from standard input instead of asking at the terminal.
    #[arg(long)]
    pub password_stdin: bool,

    /// Where to log in: no status path and no token (the token is what login gets).
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `man`: one page, or all of them.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write taskwatch.1 and one page per command (taskwatch-watch.1, …) into this directory
    /// (created if missing) instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The task to look at: its id, or @profile.
    #[arg(value_name = "TASK_ID", value_parser = Checked(parse_task_id))]
    pub task_id: String,

    /// How many of the latest lines to show (1 to 100).
    #[arg(
        short = 'n',
        long,
        value_name = "N",
        default_value = "10",
        value_parser = Checked(parse_status_lines),
        allow_negative_numbers = true
    )]
    pub logs_count: u8,

    /// How progress is read from lines: a regex with groups done and total (named, or the
    /// first two unnamed), or `none`. Default: `N/M` and the words before it.
    #[arg(long, value_name = "REGEX|none", value_parser = Checked(Pattern::parse))]
    pub progress: Option<Pattern>,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub output: StatusOutputArgs,
}
