//! What the commands that talk to the backend share: the profile, the resolved connection,
//! the HTTP client and the token's expiry. `serve`, `demo`, `completions`, `man` and `logout` never
//! come here, so a broken config file cannot stop them. Also the listing as commands use it:
//! `@name` resolved (retried for `watch`/`wait`), request notes for `-v`, a failed listing said.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::api::{ApiError, Client};
use crate::config::{Access, Given, OutputFlags, Presentation, ResolvedConnection};
use crate::discover::{self, ListError};
use crate::events::Followed;
use crate::messages;
use crate::outcome::Outcome;
use crate::profile::{self, Profile};
use crate::render;
use crate::render::listing;
use crate::secret::{Expiry, Scrubber};

pub struct Session {
    pub presentation: Presentation,
    pub config_path: Option<PathBuf>,
    pub profile: Option<Profile>,
    pub resolved: ResolvedConnection,
}

impl Session {
    /// Reads the profile and resolves the connection; `lenient` for login, which creates the
    /// profile it names.
    pub fn open(
        access: &Access,
        output: &OutputFlags,
        given: Given<'_>,
        lenient: bool,
    ) -> Result<Session, Outcome> {
        let (named, flags) = (access.profile.as_deref(), &access.flags);
        let presentation = Presentation::from_env(output);
        let config_path = profile::default_path(&|k| std::env::var(k).ok());
        let mut warnings = Vec::new();
        let profile = profile::select(config_path.as_deref(), named, lenient, &mut warnings)
            .map_err(|e| messages::usage(&e.to_string()))?;
        let resolved = ResolvedConnection::resolve(flags, given, profile.as_ref())
            .map_err(|e| messages::usage(&e.to_string()))?;
        for w in warnings.iter().chain(&resolved.warnings) {
            messages::warning(w);
        }
        Ok(Session {
            presentation,
            config_path,
            profile,
            resolved,
        })
    }

    pub fn client(&self) -> Result<Arc<Client>, Outcome> {
        Client::new(&self.resolved.connection, self.presentation.verbose)
            .map(Arc::new)
            .map_err(|e| {
                messages::error(&e);
                Outcome::ApiError
            })
    }

    /// The token's expiry, when it is a JWT; an expired token ends the run at once (exit 4).
    pub fn token_expiry(&self) -> Result<Option<f64>, Outcome> {
        let token = self.resolved.connection.token.as_ref();
        let exp = match token.and_then(|t| t.jwt_expiry()) {
            None => return Ok(None),
            Some(Expiry::Unusable) => {
                messages::warning("the token's `exp` claim is not a usable time; ignoring it");
                return Ok(None);
            }
            Some(Expiry::At(exp)) => exp,
        };
        let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
        if exp > now {
            return Ok(Some(exp));
        }
        let ago = Duration::try_from_secs_f64(now - exp).unwrap_or_default();
        messages::error(&format!(
            "the token expired at {} ({} ago); get a new one",
            render::format::rfc3339(Some(exp), self.presentation.utc),
            render::duration(ago)
        ));
        Err(Outcome::AuthError)
    }

    /// What masks the connection's secrets in text the server sent, then escapes it: one for
    /// the command's whole run.
    pub fn scrubber(&self) -> Scrubber {
        Scrubber::new(&self.resolved.connection.secrets())
    }

    /// The profile `login` works on: `named`, else the one selected.
    pub fn profile_name(&self, named: Option<&str>) -> String {
        named
            .map(str::to_string)
            .or_else(|| self.profile.as_ref().map(|p| p.name.clone()))
            .unwrap_or_else(|| "default".into())
    }
}

/// Request lines for `-v`, scrubbed and escaped.
pub fn notes(notes: &[String], verbose: u8, scrubber: &Scrubber) {
    if verbose == 0 {
        return;
    }
    for note in notes {
        messages::note(scrubber.clean(note));
    }
}

/// Says why the listing failed; the outcome that goes with it.
pub fn list_failed(e: &ListError, scrubber: &Scrubber) -> Outcome {
    match e {
        ListError::Api(e) => api_failed(e, scrubber),
        ListError::UnknownProjects { unknown, known } => {
            messages::usage(&listing::unknown_projects(unknown, known))
        }
    }
}

fn api_failed(e: &ApiError, scrubber: &Scrubber) -> Outcome {
    api_failed_hinted(e, scrubber, false)
}

/// [`api_failed`]; `hinted`: the hint was given already (with the first retry).
fn api_failed_hinted(e: &ApiError, scrubber: &Scrubber, hinted: bool) -> Outcome {
    messages::error(&scrubber.clean(&format!("cannot list the tasks: {e}")));
    if let Some(hint) = listing_hint(e).filter(|_| !hinted) {
        messages::hint(&hint);
    }
    Outcome::from(e)
}

/// The hint for a listing that failed: the same as `status` and `watch` give when a
/// connection is refused, else the listing's own.
fn listing_hint(e: &ApiError) -> Option<String> {
    match e.unreachable() {
        Some(origin) => Some(render::markers::unreachable(&origin)),
        None => listing::hint(e).map(str::to_string),
    }
}

/// How `@name` resolution retries a listing that failed: like a status request (5xx, 429,
/// timeouts, connections), for up to `give_up_after`, backing off from `interval`.
#[derive(Debug, Clone, Copy)]
pub struct ListingRetry {
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
    scrubber: &Scrubber,
    retry: Option<ListingRetry>,
) -> Result<Vec<Followed>, Outcome> {
    if projects.is_empty() && !given.iter().any(|t| discover::is_name(t)) {
        return Ok(given.iter().map(Followed::id).collect());
    }
    let listed = listed(client, projects, verbose, scrubber, retry).await?;
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

/// The listings (each task once, unsafe ids set aside), tried again as `retry` says; Ctrl-C or
/// SIGTERM meanwhile ends with 130.
pub async fn listed(
    client: &Client,
    projects: &[String],
    verbose: u8,
    scrubber: &Scrubber,
    retry: Option<ListingRetry>,
) -> Result<discover::Listed, Outcome> {
    crate::signals::or_interrupted(listing(client, projects, verbose, scrubber, retry)).await
}

/// The listings, tried again as `retry` says.
async fn listing(
    client: &Client,
    projects: &[String],
    verbose: u8,
    scrubber: &Scrubber,
    retry: Option<ListingRetry>,
) -> Result<discover::Listed, Outcome> {
    let mut failing = crate::poller::Retry::default();
    loop {
        let attempt = tokio::time::Instant::now();
        let gathered = discover::gather(client, projects).await;
        notes(&gathered.notes, verbose, scrubber);
        let e = match gathered.result {
            Ok(listed) => return Ok(listed),
            Err(ListError::Api(e)) => e,
            Err(other) => return Err(list_failed(&other, scrubber)),
        };
        let failing_for = failing.failed(attempt, tokio::time::Instant::now());
        let Some(retry) = retry.filter(|r| e.is_retryable() && failing_for < r.give_up_after)
        else {
            return Err(api_failed_hinted(&e, scrubber, failing.failures() > 1));
        };
        let delay = failing.delay(
            e.retry_after(),
            retry.interval,
            failing_for,
            retry.give_up_after,
        );
        let text = listing::listing_retry(&e.to_string(), delay);
        messages::warning(&scrubber.clean(&text));
        if failing.failures() == 1 {
            if let Some(hint) = listing_hint(&e) {
                messages::hint(&hint);
            }
        }
        tokio::time::sleep(delay).await;
    }
}
