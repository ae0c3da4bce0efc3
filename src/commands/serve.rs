//! `serve`: the stand-in backend on a port of its own.

use crate::config::Given;
use crate::outcome::Outcome;
use crate::secret::Secret;
use crate::sim::ServeOptions;

/// Only a token given for this run (--token or TASKWATCH_TOKEN), never a profile's: the
/// simulator must not start wanting a production token.
pub async fn command(options: &ServeOptions, token: Option<Secret>, given: Given<'_>) -> Outcome {
    let origin = given("token").unwrap_or_else(|| "--token".into());
    crate::sim::serve(options, token.map(|t| (t, origin))).await
}
