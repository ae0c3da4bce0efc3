//! `watch`/`wait` with no task id: at a terminal, a fuzzy picker over the tasks processing
//! now (one or several chosen; Esc cancels); elsewhere a usage error naming both ways.

use std::io::IsTerminal;

use crate::api::Client;
use crate::commands::session::{self, ListingRetry};
use crate::discover;
use crate::messages;
use crate::outcome::Outcome;
use crate::secret::Scrubber;

/// The ids (as `watch` takes them) of the tasks chosen.
pub async fn pick(
    client: &std::sync::Arc<Client>,
    verbose: u8,
    scrubber: &Scrubber,
    retry: ListingRetry,
) -> Result<Vec<String>, Outcome> {
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(messages::usage(
            "name a TASK_ID (or @name) to follow, or pass --all to follow every task that is \
             processing (at a terminal, with neither, a picker lists the tasks processing now)",
        ));
    }
    let listed = session::listed(client, &[], verbose, scrubber, Some(retry)).await?;
    let ids: Vec<String> = listed.found.iter().map(|f| f.id().to_string()).collect();
    let probes = crate::signals::or_interrupted(async {
        Ok::<_, Outcome>(discover::probe_all(client, &ids).await)
    })
    .await?;
    let choices: Vec<Choice> = listed
        .found
        .iter()
        .zip(probes)
        .filter(|(_, p)| p.result.as_ref().is_ok_and(|p| p.processing))
        .map(|(f, _)| Choice {
            id: f.id().to_string(),
            label: match f.profile() {
                Some(p) => format!(
                    "@{} ({})",
                    crate::sanitize::line(p),
                    crate::sanitize::line(f.id())
                ),
                None => crate::sanitize::line(f.id()),
            },
        })
        .collect();
    if choices.is_empty() {
        messages::note("no task is processing now: nothing to pick");
        return Err(Outcome::NotSeen);
    }
    let chosen = tokio::task::spawn_blocking(move || {
        inquire::MultiSelect::new(
            "Tasks processing now (type to filter, space to choose):",
            choices,
        )
        .with_help_message("↑↓ move, space choose, enter follow, esc cancel")
        .prompt()
    })
    .await;
    match chosen {
        Ok(Ok(chosen)) if !chosen.is_empty() => Ok(chosen.into_iter().map(|c| c.id).collect()),
        Ok(Ok(_))
        | Ok(Err(inquire::InquireError::OperationCanceled))
        | Ok(Err(inquire::InquireError::OperationInterrupted)) => {
            messages::note("nothing picked");
            Err(Outcome::Interrupted)
        }
        Ok(Err(e)) => {
            messages::error(&format!("the picker failed: {e}"));
            Err(Outcome::Error)
        }
        Err(_) => Err(Outcome::Internal),
    }
}

/// One line of the picker.
struct Choice {
    id: String,
    label: String,
}

impl std::fmt::Display for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}
