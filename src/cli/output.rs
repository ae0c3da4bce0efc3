//! How commands print: the output format, colour, UTC, `--quiet`, `--relative`, `-v`.

use clap::{Args, ValueEnum};

/// The output of the commands that print log lines (`watch`, `demo`, `logs`).
#[derive(Debug, Args)]
pub struct OutputArgs {
    #[command(flatten)]
    pub quiet: QuietOutputArgs,

    /// In human output, show time since the task started (`+01:23`) instead of the clock.
    #[arg(long, help_heading = "Output")]
    pub relative: bool,
}

/// The output of `wait`: like `watch`'s, without what only log lines use.
#[derive(Debug, Args)]
pub struct QuietOutputArgs {
    #[command(flatten)]
    pub common: StatusOutputArgs,

    /// No summary, no progress: only log lines (and errors).
    #[arg(short, long, conflicts_with = "verbose", help_heading = "Output")]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Local HH:MM:SS and the message; colour and a status line on a terminal.
    Human,
    /// RFC 3339 timestamp and the message, no colour.
    Plain,
    /// One JSON object per line (NDJSON).
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

/// The output options that mean something to `status` (one answer, no status line).
#[derive(Debug, Args)]
#[command(next_help_heading = "Output")]
pub struct StatusOutputArgs {
    /// Output format [default: human on a terminal, plain otherwise].
    #[arg(long, short = 'o', value_enum, ignore_case = true)]
    pub output: Option<FormatArg>,

    /// When to use colour (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, ignore_case = true, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,

    /// Show times in UTC instead of local time.
    #[arg(long)]
    pub utc: bool,

    /// Request-level detail on stderr (-vv: also response excerpts).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}
