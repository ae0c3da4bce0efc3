//! `taskwatch record`: the recorder. Follows every task that is or starts processing (as
//! `watch --all` does, with its schedule-aware discovery) and records every run in the
//! archive; prints no log lines. Ctrl-C or SIGTERM commits what it has and ends with exit 0
//! (74 when the archive could not be written).

use std::sync::Arc;

use crate::commands::session::Session;
use crate::commands::watch::{self, all::All, Archive, Run};
use crate::config::{ArchiveFlags, Given, OutputFlags, RecordRequest};
use crate::messages;
use crate::outcome::Outcome;
use crate::render::{Mode, Setup};

pub async fn command(request: RecordRequest, given: Given<'_>) -> Result<Outcome, Outcome> {
    let usage = |e: crate::profile::ConfigError| messages::usage(&e.to_string());
    let output = OutputFlags {
        // Runs are said with -v; errors always.
        quiet: request.verbose == 0,
        verbose: request.verbose.saturating_sub(1),
        ..OutputFlags::default()
    };
    let session = Session::open(&request.access, &output, given, false)?;
    let token_expiry = session.token_expiry()?;
    let profile = session.profile.as_ref();
    let polling = request
        .polling
        .with_profile(given, profile)
        .map_err(usage)?;
    let client = session.client()?;
    let mut settings = crate::commands::archived::resolve(
        &ArchiveFlags {
            record: Some(true),
            path: request.archive_db,
        },
        profile,
    )?;
    settings.record = true;
    let base_url = &session.resolved.connection.base_url;
    let archive = crate::commands::archived::open_for_recording(&settings, base_url);
    if let Archive::On { path, .. } = &archive {
        messages::note(format!(
            "recording every run on {} into {} (Ctrl-C or SIGTERM to stop)",
            crate::api::connection::bare_url(base_url),
            path.display()
        ));
    }
    let mut presentation = session.presentation.clone();
    presentation.progress = false;
    let setup = Setup {
        mode: Mode::Wait,
        presentation,
        tasks: Arc::from(Vec::new()),
        open: true,
        secrets: session.resolved.connection.secrets(),
        resume_hint: false,
        highlight: Vec::new(),
        ci: Default::default(),
        heartbeat: None,
    };
    let all = All::resolve(request.discovering, false, given, profile).map_err(usage)?;
    let outcome = watch::run(Run {
        setup,
        polling,
        client,
        token_expiry,
        all: Some(all),
        integration: Default::default(),
        base_url: None,
        archive,
        // Stopping is how a recorder ends; what it recorded is committed.
        stop_ends_well: true,
        typical: Default::default(),
    })
    .await;
    Ok(outcome)
}
