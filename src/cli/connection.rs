//! Which server and how to reach it: `--profile`, the base URL, headers, the CA file, the
//! request timeout, the status path and the token.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use reqwest::header::{HeaderName, HeaderValue};

use super::values::*;
use crate::config::*;
use crate::secret::Secret;

/// `--profile`: the one declaration of every command that reads the config file.
#[derive(Debug, Args)]
pub struct ProfileArg {
    /// Settings profile from the config file (default: its `default_profile`).
    #[arg(
        long,
        env = "TASKWATCH_PROFILE",
        hide_env_values = true,
        value_name = "NAME"
    )]
    pub profile: Option<String>,
}

/// The connection of every command that reads tasks: the server, then how tasks are asked for.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    #[command(flatten)]
    pub server: ServerArgs,

    #[command(flatten)]
    pub tasks: TaskAccessArgs,
}

/// Which server and how to reach it (also `login`'s).
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub struct ServerArgs {
    #[command(flatten)]
    pub profile: ProfileArg,

    /// Backend base URL; may carry a path prefix.
    #[arg(
        long,
        env = "TASKWATCH_URL",
        // `[env: TASKWATCH_URL=]` would read as "set to empty" when it is unset.
        hide_env_values = true,
        default_value = "http://localhost:8080",
        value_parser = Checked(parse_base_url)
    )]
    pub base_url: reqwest::Url,

    /// Extra request header, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "HEADER", value_parser = Checked(parse_header))]
    pub headers: Vec<(HeaderName, HeaderValue)>,

    /// Also trust the CA certificates in this PEM file (a private CA).
    #[arg(long, value_name = "PATH")]
    pub cacert: Option<PathBuf>,

    /// Time allowed for one request.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = Checked(parse_request_timeout))]
    pub request_timeout: Duration,
}

/// How the task routes are asked: their path and the bearer token (not `login`'s).
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub struct TaskAccessArgs {
    /// Status path template containing `{task_id}`, for deployments that route differently.
    /// Default: the Update 7 path, falling back to the Update 8 path on 404 (and back).
    #[arg(long, value_name = "TEMPLATE", value_parser = Checked(parse_api_path))]
    pub api_path: Option<String>,

    /// Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file.
    #[arg(
        long,
        env = "TASKWATCH_TOKEN",
        hide_env_values = true,
        conflicts_with = "token_file",
        value_parser = |s: &str| Ok::<_, String>(Secret::new(s))
    )]
    pub token: Option<Secret>,

    /// Read the bearer token from this file (surrounding whitespace is ignored).
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
}
