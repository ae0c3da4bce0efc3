//! `taskwatch stats`: per task, from the archive — runs, outcomes, duration median and p90,
//! lines, and the time each phase (progress label) takes, the last run beside the median.

use std::collections::BTreeMap;

use crate::archive::{median, Record, Run, Store};
use crate::commands::{archived, history};
use crate::config::{OutputFormat, Presentation, StatsRequest};
use crate::fraction::Pattern;
use crate::line::LogLine;
use crate::messages;
use crate::outcome::Outcome;
use crate::render::archive::{self as words, LinesSpread, Phase, Spread, TaskStats};

pub fn command(args: &StatsRequest) -> Result<Outcome, Outcome> {
    let presentation = Presentation::from_env(&args.output);
    let settings = archived::settings(&args.archive)?;
    let (store, _) = archived::open_existing(&settings)?;
    let failed = |e: crate::archive::ArchiveError| {
        messages::error(&e.to_string());
        Outcome::Error
    };
    let runs = store
        .runs(&history::select(&args.task_ids))
        .map_err(failed)?;
    // Newest first, grouped by task in the order each was last run.
    let mut groups: Vec<Vec<Run>> = Vec::new();
    for run in runs {
        match groups
            .iter_mut()
            .find(|g| g[0].task_id == run.task_id && g[0].base_url == run.base_url)
        {
            Some(g) => g.push(run),
            None => groups.push(vec![run]),
        }
    }
    let mut stats = Vec::with_capacity(groups.len());
    for mut runs in groups {
        if let Some(n) = args.last {
            runs.truncate(usize::try_from(n).unwrap_or(usize::MAX));
        }
        stats.push(task_stats(store.as_ref(), &runs).map_err(failed)?);
    }
    if stats.is_empty() {
        messages::note("no recorded runs match");
        return Ok(Outcome::NotSeen);
    }
    let text = match presentation.format {
        OutputFormat::Json => words::stats_json(&stats),
        _ => words::stats_human(&stats),
    };
    Ok(messages::print(&text))
}

/// The 90th percentile, nearest rank.
fn p90(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let rank = ((0.9 * v.len() as f64).ceil() as usize).clamp(1, v.len());
    Some(v[rank - 1])
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A finished or failed run (not one replaced by a restart, nor one still open).
fn ended(run: &Run) -> bool {
    run.complete() && run.outcome.as_deref() != Some("restarted")
}

/// `runs` are one task's, newest first.
fn task_stats(store: &dyn Store, runs: &[Run]) -> Result<TaskStats, crate::archive::ArchiveError> {
    let mut outcomes = BTreeMap::new();
    for r in runs {
        *outcomes
            .entry(words::outcome_word(r).to_string())
            .or_insert(0u64) += 1;
    }
    let done: Vec<&Run> = runs.iter().filter(|r| ended(r)).collect();
    let durations: Vec<f64> = done.iter().map(|r| r.duration_s()).collect();
    let lines: Vec<f64> = done.iter().map(|r| r.lines as f64).collect();
    // Phase times per run, newest first.
    let mut per_run: Vec<BTreeMap<String, f64>> = Vec::with_capacity(done.len());
    for r in &done {
        per_run.push(phases(store, r)?);
    }
    let mut labels: Vec<String> = Vec::new();
    for p in per_run.iter().rev() {
        for label in p.keys() {
            if !labels.contains(label) {
                labels.push(label.clone());
            }
        }
    }
    let phases = labels
        .into_iter()
        .filter_map(|label| {
            let times: Vec<f64> = per_run
                .iter()
                .filter_map(|p| p.get(&label).copied())
                .collect();
            Some(Phase {
                median_s: round1(median(&times)?),
                last_s: per_run
                    .first()
                    .and_then(|p| p.get(&label))
                    .copied()
                    .map(round1),
                label,
            })
        })
        .collect();
    let first = &runs[0];
    Ok(TaskStats {
        kind: "stats",
        task_id: first.task_id.clone(),
        profile: runs.iter().find_map(|r| r.profile.clone()),
        runs: runs.len() as u64,
        outcomes,
        duration_s: Spread {
            median: median(&durations).map(round1),
            p90: p90(&durations).map(round1),
            last: done.first().map(|r| round1(r.duration_s())),
        },
        lines: LinesSpread {
            median: median(&lines),
            last: done.first().map(|r| r.lines),
        },
        phases,
    })
}

/// Seconds spent under each progress label in one run: from a line with the label to the next
/// line with a label (or the run's end).
fn phases(
    store: &dyn Store,
    run: &Run,
) -> Result<BTreeMap<String, f64>, crate::archive::ArchiveError> {
    let pattern = Pattern::default();
    let mut spent: BTreeMap<String, f64> = BTreeMap::new();
    let mut current: Option<(String, f64)> = None;
    store.records(run.id, 0, true, &mut |record| {
        if let Record::Line(line) = record {
            let item = LogLine::new(line.timestamp, line.text);
            let (Some(f), Some(at)) = (pattern.recognise(&item.message), item.epoch_seconds())
            else {
                return true;
            };
            if let Some((label, since)) = current.take() {
                *spent.entry(label).or_default() += (at - since).max(0.0);
            }
            current = Some((f.label, at));
        }
        true
    })?;
    if let (Some((label, since)), Some(end)) = (current, run.ended_at) {
        *spent.entry(label).or_default() += (end - since).max(0.0);
    }
    Ok(spent)
}
