//! `serve`: the stand-in backend on a port of its own.

use crate::cli::ServeCmd;
use crate::outcome::Outcome;

/// Only a token given for this run (--token or TASKWATCH_TOKEN), never a profile's: the
/// simulator must not start wanting a production token.
pub async fn command(cmd: &ServeCmd, given: &dyn Fn(&str) -> Option<String>) -> Outcome {
    let origin = given("token").unwrap_or_else(|| "--token".into());
    let token = cmd.token.clone().map(|t| (t, origin));
    crate::sim::serve(&cmd.args, token).await
}
