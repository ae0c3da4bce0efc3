//! `taskwatch ls`: the user's tasks from the listings, each probed once (concurrently) to say
//! whether it is processing now.

use std::io::{self, Write};
use std::sync::Arc;
use std::time::Duration;

use crate::api::{ApiError, Client};
use crate::cli;
use crate::config::{OutputFormat, Presentation};
use crate::discover::{self, ListError};
use crate::events::Followed;
use crate::messages;
use crate::outcome::Outcome;
use crate::render::listing::{self, Now};
use crate::sanitize;
use crate::secret::{self, Secret};
use crate::session::Session;

/// What `ls` was asked for.
pub struct Ls<'a> {
    pub processing_only: bool,
    pub projects: &'a [String],
    pub presentation: &'a Presentation,
    pub secrets: Vec<&'a Secret>,
}

/// Request lines for `-v`, scrubbed and escaped.
pub fn notes(notes: &[String], verbose: u8, secrets: &[&Secret]) {
    if verbose == 0 {
        return;
    }
    let mut err = io::stderr().lock();
    for note in notes {
        let _ = writeln!(
            err,
            "taskwatch: {}",
            sanitize::line(&secret::scrub(note, secrets))
        );
    }
}

/// Says why the listing failed; the outcome that goes with it.
pub fn list_failed(e: &ListError, secrets: &[&Secret]) -> Outcome {
    match e {
        ListError::Api(e) => api_failed(e, secrets),
        ListError::UnknownProjects { unknown, known } => {
            messages::usage(&listing::unknown_projects(unknown, known))
        }
    }
}

fn api_failed(e: &ApiError, secrets: &[&Secret]) -> Outcome {
    messages::error(&sanitize::line(&secret::scrub(
        &format!("cannot list the tasks: {e}"),
        secrets,
    )));
    if let Some(hint) = listing::hint(e) {
        messages::hint(hint);
    }
    Outcome::from(e)
}

pub async fn run(ls: Ls<'_>, client: Arc<Client>) -> Outcome {
    let verbose = ls.presentation.verbose;
    let gathered = discover::gather(&client, ls.projects).await;
    notes(&gathered.notes, verbose, &ls.secrets);
    let listed = match gathered.result {
        Ok(listed) => listed,
        Err(e) => return list_failed(&e, &ls.secrets),
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
        notes(&probe.notes, verbose, &ls.secrets);
        let now = match &probe.result {
            Ok(true) => Now::Processing,
            Ok(false) => Now::Idle,
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
                    let _ = writeln!(
                        io::stderr(),
                        "taskwatch: {}",
                        listing::nothing(ls.processing_only)
                    );
                }
                String::new()
            } else {
                listing::table(&rows, ls.presentation.utc)
            }
        }
    };
    let written = messages::print(&text);
    if let Some(first) = failed.first() {
        let text = listing::probes_failed(failed.len(), found.len(), &first.to_string());
        messages::warning(&sanitize::line(&secret::scrub(&text, &ls.secrets)));
        let worst = Outcome::worst(failed.iter().map(|e| Outcome::from(*e)));
        return Outcome::worst([written, worst]);
    }
    written
}

/// How `@name` resolution retries a listing that failed: like a status request (5xx, 429,
/// timeouts, connections), for up to `give_up_after`, backing off from `interval`.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub give_up_after: Duration,
    pub interval: Duration,
}

/// The tasks of the command line as `Followed`: an `@name` resolved through the listing (no
/// match or several is a usage error naming the candidates), an id kept as given, with its
/// profile when the listing was fetched anyway. `projects` (`--project`) are checked against
/// the project list. Without `@name` or `--project`, no request is made. With `retry`
/// (`watch`, `wait`) a listing that fails is tried again; one-shot commands fail at once.
/// Ctrl-C or SIGTERM meanwhile ends with 130.
pub async fn name_tasks(
    client: &Client,
    given: &[String],
    projects: &[String],
    verbose: u8,
    secrets: &[&Secret],
    retry: Option<Retry>,
) -> Result<Vec<Followed>, Outcome> {
    if projects.is_empty() && !given.iter().any(|t| discover::is_name(t)) {
        return Ok(given.iter().map(Followed::id).collect());
    }
    let listed =
        crate::signals::or_interrupted(listing(client, projects, verbose, secrets, retry)).await?;
    if verbose > 0 {
        if let Some(note) = listed.skipped_note() {
            messages::note(&note);
        }
    }
    let found = listed.found;
    given
        .iter()
        .map(|arg| {
            if discover::is_name(arg) {
                let f = discover::resolve(arg, &found)
                    .map_err(|why| messages::usage(&listing::unresolved(arg, &why)))?;
                return Ok(Followed {
                    id: f.id().to_string(),
                    profile: f.profile().map(String::from),
                });
            }
            let profile = found
                .iter()
                .find(|f| f.id() == arg)
                .and_then(|f| f.profile())
                .map(String::from);
            Ok(Followed {
                id: arg.clone(),
                profile,
            })
        })
        .collect()
}

/// The listings, tried again as `retry` says.
async fn listing(
    client: &Client,
    projects: &[String],
    verbose: u8,
    secrets: &[&Secret],
    retry: Option<Retry>,
) -> Result<discover::Listed, Outcome> {
    let started = tokio::time::Instant::now();
    let mut attempt = 0u32;
    loop {
        let gathered = discover::gather(client, projects).await;
        notes(&gathered.notes, verbose, secrets);
        let e = match gathered.result {
            Ok(listed) => return Ok(listed),
            Err(ListError::Api(e)) => e,
            Err(other) => return Err(list_failed(&other, secrets)),
        };
        let Some(retry) = retry.filter(|r| e.is_retryable() && started.elapsed() < r.give_up_after)
        else {
            return Err(list_failed(&ListError::Api(e), secrets));
        };
        attempt = attempt.saturating_add(1);
        let left = retry.give_up_after.saturating_sub(started.elapsed());
        let delay = crate::poller::backoff(attempt, e.retry_after(), retry.interval)
            .min(left.saturating_add(Duration::from_millis(10)));
        let text = listing::listing_retry(&e.to_string(), delay);
        messages::warning(&sanitize::line(&secret::scrub(&text, secrets)));
        tokio::time::sleep(delay).await;
    }
}

/// The command as the dispatcher calls it: resolves what it needs, then runs.
pub async fn command(
    args: &cli::LsArgs,
    given: &dyn Fn(&str) -> Option<String>,
) -> Result<Outcome, Outcome> {
    let session = Session::open(&args.connection, &args.output.flags(), given, false)?;
    session.token_expiry()?;
    let client = session.client()?;
    let owned = session.resolved.connection.secrets();
    let ls = Ls {
        processing_only: args.processing,
        projects: &args.projects,
        presentation: &session.presentation,
        secrets: owned.iter().collect(),
    };
    Ok(run(ls, client).await)
}
