//! `taskwatch history`: the recorded runs, newest first. Reads the archive only: no request
//! reaches the backend.

use crate::archive::Query;
use crate::commands::archived;
use crate::config::{HistoryRequest, OutputFormat, Presentation};
use crate::messages;
use crate::outcome::Outcome;
use crate::render::archive as words;

pub fn command(args: &HistoryRequest) -> Result<Outcome, Outcome> {
    let presentation = Presentation::from_env(&args.output);
    let settings = archived::settings(&args.archive)?;
    let (store, _) = archived::open_existing(&settings)?;
    let mut query = select(&args.task_ids);
    query.since = args
        .since
        .map(|d| crate::archive::now() - d.as_secs_f64().min(1e12));
    query.failed = args.failed;
    query.limit = args.limit;
    let runs = store.runs(&query).map_err(|e| {
        messages::error(&e.to_string());
        Outcome::Error
    })?;
    if runs.is_empty() {
        if presentation.format != OutputFormat::Json {
            messages::note("no recorded runs match");
        }
        return Ok(Outcome::NotSeen);
    }
    let text = match presentation.format {
        OutputFormat::Json => words::history_json(&runs),
        OutputFormat::Plain => words::history_table(&runs, presentation.utc, true),
        OutputFormat::Human => words::history_table(&runs, presentation.utc, false),
    };
    Ok(messages::print(&text))
}

/// Task ids and `@profile` names, as a query.
pub fn select(names: &[String]) -> Query {
    let mut query = Query::default();
    for name in names {
        match name.strip_prefix('@') {
            Some(p) => query.profiles.push(p.to_string()),
            None => query.task_ids.push(name.clone()),
        }
    }
    query
}
