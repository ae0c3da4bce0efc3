//! `taskwatch record`: the recorder. Follows every task that is or starts processing (as
//! `watch --all` does, with its schedule-aware discovery) and records every run in the
//! archive; prints no log lines. Ctrl-C or SIGTERM commits what it has and ends with exit 0
//! (74 when the archive could not be written).

use std::sync::Arc;

use crate::cli::RecordArgs;
use crate::commands::session::Session;
use crate::commands::watch::{self, all::All, Archive, Run};
use crate::config::{ArchiveFlags, OutputFlags, Polling, PollingFlags};
use crate::messages;
use crate::outcome::Outcome;
use crate::render::{Mode, Setup};

pub async fn command(
    args: &RecordArgs,
    given: &dyn Fn(&str) -> Option<String>,
) -> Result<Outcome, Outcome> {
    let output = OutputFlags {
        format: None,
        color: Default::default(),
        utc: false,
        relative: false,
        // Runs are said with -v; errors always.
        quiet: args.verbose == 0,
        verbose: args.verbose.saturating_sub(1),
    };
    let session = Session::open(&args.connection, &output, given, false)?;
    let token_expiry = session.token_expiry()?;
    let profile = session.profile.as_ref();
    let flags = PollingFlags {
        interval: args.pace.interval,
        min_interval: args.pace.min_interval,
        logs_count: args.pace.logs_count,
        timeout: None,
        start_timeout: None,
        fail_on: Vec::new(),
        tail: None,
        from_index: None,
        trigger: None,
        give_up_after: args.pace.give_up_after,
        include: Vec::new(),
        exclude: Vec::new(),
        highlight: Vec::new(),
        progress: None,
    };
    let polling =
        Polling::resolve(&flags, given, profile).map_err(|e| messages::usage(&e.to_string()))?;
    let client = session.client()?;
    let mut settings = crate::commands::archived::resolve(
        &ArchiveFlags {
            record: Some(true),
            path: args.archive_db.archive_db.as_deref(),
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
    let probe_rate = match given("probe_rate") {
        Some(_) => args.probe_rate,
        None => crate::config::from_profile(profile, "probe_rate", crate::config::parse_probe_rate)
            .map_err(|e| messages::usage(&e.to_string()))?
            .map_or(args.probe_rate, |(rate, _)| rate),
    };
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
    let all = All {
        probe_rate,
        every: args.discover_interval,
        follow_new: true,
        until_idle: false,
        projects: args.projects.clone(),
    };
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
