//! `taskwatch status`: one request, the task's state and latest lines (worded by
//! `render::status`).

use crate::api::wire::TaskStatus;
use crate::api::Client;
use crate::commands::session::Session;
use crate::config::StatusRequest;
use crate::events::Followed;
use crate::fraction::{Progress, Snapshot};
use crate::messages;
use crate::outcome::Outcome;
use crate::render::markers;
use crate::secret::Scrubber;

/// `task_id` is the id `args` names (an `@name` resolved).
pub async fn run(
    args: &StatusRequest,
    task: &Followed,
    client: &Client,
    session: &Session,
) -> Outcome {
    let task_id = task.id.as_str();
    let display = &session.presentation;
    let scrubber = session.scrubber();
    let fetched = client
        .fetch(&client.task_urls(task_id), args.logs_count)
        .await;
    if display.verbose > 0 {
        for note in &fetched.notes {
            messages::note(scrubber.clean(note));
        }
    }
    let status = match fetched.result {
        Ok(s) => s,
        Err(e) => {
            messages::error(&scrubber.clean(&e.to_string()));
            if let Some(hint) = markers::first_hint(&e) {
                messages::hint(&hint);
            }
            return Outcome::from(&e);
        }
    };
    let progress = progress(args, &status, &scrubber);
    let text = crate::render::status::report(task, &status, progress.as_ref(), display, &scrubber);
    match messages::print(&text) {
        Outcome::Finished if !status.is_processing => Outcome::NotSeen,
        written => written,
    }
}

/// The progress the latest lines show (the first label among them is followed).
/// Read from the lines with their secrets masked (a label is printed as it is, in JSON too).
fn progress(args: &StatusRequest, s: &TaskStatus, scrubber: &Scrubber) -> Option<Snapshot> {
    if !s.is_processing {
        return None;
    }
    let mut progress = Progress::new(args.progress.clone().unwrap_or_default());
    let (lines, _) = s.window();
    let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
    for line in &lines {
        let masked = scrubber.mask(&line.message);
        let message = masked.as_deref().unwrap_or(&line.message);
        progress.observe(message, line.epoch_seconds().unwrap_or(now));
    }
    progress.snapshot()
}

/// The command as the dispatcher calls it: resolves what it needs, then runs.
pub async fn command(
    args: &StatusRequest,
    given: crate::config::Given<'_>,
) -> Result<Outcome, Outcome> {
    let session = Session::open(&args.access, &args.output, given, false)?;
    session.token_expiry()?;
    let client = session.client()?;
    let verbose = session.presentation.verbose;
    let named = crate::commands::session::name_tasks(
        &client,
        std::slice::from_ref(&args.task_id),
        &[],
        verbose,
        &session.scrubber(),
        None,
    )
    .await?;
    let task = named
        .into_iter()
        .next()
        .unwrap_or_else(|| Followed::id(args.task_id.clone()));
    Ok(run(args, &task, &client, &session).await)
}
