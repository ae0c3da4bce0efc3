//! `taskwatch ls`: the user's tasks from the listings, each probed once (concurrently) to say
//! whether it is processing now.

use std::sync::Arc;

use crate::api::{ApiError, Client};
use crate::commands::session::{list_failed, notes, Session};
use crate::config::{Given, LsRequest, OutputFormat, Presentation};
use crate::discover;
use crate::messages;
use crate::outcome::Outcome;
use crate::render::ls::{self as listing, Now};
use crate::secret::Scrubber;

/// What `ls` was asked for.
pub struct Ls<'a> {
    pub processing_only: bool,
    pub projects: &'a [String],
    pub presentation: &'a Presentation,
    pub scrubber: Scrubber,
}

pub async fn run(ls: Ls<'_>, client: Arc<Client>) -> Outcome {
    let verbose = ls.presentation.verbose;
    let gathered = discover::gather(&client, ls.projects).await;
    notes(&gathered.notes, verbose, &ls.scrubber);
    let listed = match gathered.result {
        Ok(listed) => listed,
        Err(e) => return list_failed(&e, &ls.scrubber),
    };
    if let Some(note) = listed.skipped_note() {
        messages::warning(&note);
    }
    let found = listed.found;
    let ids: Vec<String> = found.iter().map(|f| f.id().to_string()).collect();
    let probes = discover::probe_all(&client, &ids).await;
    let mut failed: Vec<&ApiError> = Vec::new();
    let mut rows = Vec::with_capacity(found.len());
    for (f, probe) in found.iter().zip(&probes) {
        notes(&probe.notes, verbose, &ls.scrubber);
        let now = match &probe.result {
            Ok(p) if p.processing => Now::Processing,
            Ok(_) => Now::Idle,
            Err(e) => {
                failed.push(e);
                Now::Unknown
            }
        };
        if !ls.processing_only || now == Now::Processing {
            rows.push((f, now));
        }
    }
    let text = match ls.presentation.format {
        OutputFormat::Json => listing::json(&rows),
        OutputFormat::Human | OutputFormat::Plain => {
            if rows.is_empty() {
                if !ls.presentation.quiet {
                    messages::note(listing::nothing(ls.processing_only));
                }
                String::new()
            } else {
                match terminal_width(ls.presentation.format) {
                    Some(width) => {
                        listing::fitted(&rows, width, chrono::Utc::now(), ls.presentation.utc)
                    }
                    None => listing::table(&rows, ls.presentation.utc),
                }
            }
        }
    };
    let written = messages::print(&text);
    if let Some(first) = failed.first() {
        let text = listing::probes_failed(failed.len(), found.len(), &first.to_string());
        messages::warning(&ls.scrubber.clean(&text));
        let worst = Outcome::worst(failed.iter().map(|e| Outcome::from(*e)));
        return Outcome::worst([written, worst]);
    }
    written
}

/// The width to fit the table to: that of the terminal stdout is, for human output; none
/// for `-o plain` or a pipe (full values).
fn terminal_width(format: OutputFormat) -> Option<usize> {
    if format != OutputFormat::Human {
        return None;
    }
    let (_, cols) = console::Term::stdout().size_checked()?;
    Some(usize::from(cols).max(1))
}

/// The command as the dispatcher calls it: resolves what it needs, then runs.
pub async fn command(request: LsRequest, given: Given<'_>) -> Result<Outcome, Outcome> {
    let session = Session::open(&request.access, &request.output, given, false)?;
    session.token_expiry()?;
    let client = session.client()?;
    let ls = Ls {
        processing_only: request.processing_only,
        projects: &request.projects,
        presentation: &session.presentation,
        scrubber: session.scrubber(),
    };
    Ok(run(ls, client).await)
}
