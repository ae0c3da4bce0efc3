//! The recorder's per-run bookkeeping: which run each task's lines go to (begun, or found and
//! continued, with its first lines), each poll's entries turned into records (a reset ends the
//! run and begins another), touches while a task is silent, and the run's end as the server
//! told it. A run that could not be written whole is never called complete.

use std::time::{Duration, Instant};

use super::Writer;
use crate::archive::{now, Line, Marker, Record, RunEnd, RunKey};
use crate::events::{End, Followed};
use crate::line::LogLine;
use crate::outcome::Outcome;
use crate::tracker::{Entry, RestartReason};

/// How often a run whose task is silent is marked as still followed.
const TOUCH_EVERY: Duration = Duration::from_secs(30);

/// A followed task as the recorder knows it.
#[derive(Default)]
pub(super) struct Task {
    pub(super) followed: Option<Followed>,
    /// The run being recorded, once it has a row.
    pub(super) run: Option<i64>,
    /// How the next run is known, until it has a row.
    pub(super) key: Option<RunKey>,
    /// The server's start of the current run, when known.
    pub(super) started_at: Option<f64>,
    /// The last line's index in the current run (markers are placed after it).
    last: Option<u64>,
    /// This follow continued a run another follower had begun.
    joined: bool,
    /// This follow's indices are its own count from here (after a realignment or a gap of
    /// unknown size), not the run's positions.
    unanchored: bool,
    /// A write for the current run failed: its end is not recorded (the run is incomplete).
    pub(super) damaged: bool,
    /// Anything of the current run was written by this follow.
    recorded: bool,
    last_touch: Option<Instant>,
}

/// The end of a run that stays open (its follower stopped first, or its lines are not all
/// there).
fn left_open() -> RunEnd {
    RunEnd {
        ended_at: None,
        outcome: None,
        exit_code: None,
        failed_status: None,
    }
}

impl Writer {
    /// One poll's entries: records for the task's run, up to a reset, which ends that run and
    /// begins the next one.
    pub(super) fn batch(
        &mut self,
        task: usize,
        started_at: Option<f64>,
        entries: Vec<Entry<LogLine>>,
    ) {
        let mut segment: Vec<Record> = Vec::with_capacity(entries.len());
        for entry in entries {
            let t = self.tasks.entry(task).or_default();
            let after = t.last;
            let marker = |marker| Record::Marker { after, marker };
            match entry {
                Entry::Line { index, item } => {
                    let text = self
                        .masker
                        .mask(&item.message)
                        .unwrap_or_else(|| item.message.clone());
                    segment.push(Record::Line(Line {
                        index,
                        timestamp: item.timestamp,
                        text,
                    }));
                    t.last = Some(index);
                }
                Entry::Gap { missed } => {
                    t.unanchored |= missed.is_none();
                    segment.push(marker(Marker::Gap { missed }))
                }
                Entry::Ambiguous => {
                    t.unanchored = true;
                    segment.push(marker(Marker::Ambiguous))
                }
                // The same run, followed by content from here on.
                Entry::Restart {
                    reason: RestartReason::Realigned,
                } => {
                    t.unanchored = true;
                    segment.push(marker(Marker::Realigned))
                }
                // Nothing of this follow recorded yet (a reset seen against `--from-index`):
                // the run it records begins here.
                Entry::Restart { .. } if !t.recorded && segment.is_empty() => {}
                Entry::Restart { reason } => {
                    self.flush(task, std::mem::take(&mut segment));
                    self.restart(task, started_at, reason);
                }
            }
        }
        self.flush(task, segment);
    }

    /// A reset: the task's run ends as restarted, and the next records begin a new one.
    fn restart(&mut self, task: usize, started_at: Option<f64>, reason: RestartReason) {
        let now = now();
        self.end_run(
            task,
            &RunEnd {
                ended_at: Some(now),
                outcome: Some("restarted".into()),
                exit_code: None,
                failed_status: None,
            },
        );
        // A new server start names the new run; the same one (a reset seen in the lines only)
        // cannot.
        let previous = self.tasks.get(&task).and_then(|t| t.started_at);
        let start = started_at.filter(|s| Some(*s) != previous);
        let key = self.key(task, start, now, Some(reason.as_str().to_string()));
        let t = self.tasks.entry(task).or_default();
        t.started_at = started_at;
        t.key = Some(key);
        t.last = None;
        t.joined = false;
        t.unanchored = false;
        t.damaged = false;
        t.recorded = false;
    }

    /// Writes `records` to the task's current run (beginning it first when needed).
    fn flush(&mut self, task: usize, mut records: Vec<Record>) {
        if records.is_empty() {
            return;
        }
        let Some(run) = self.current(task, &records) else {
            self.tasks.entry(task).or_default().damaged = true;
            return;
        };
        let t = self.tasks.entry(task).or_default();
        if t.joined && t.unanchored {
            // This follow's indices are its own count, not the positions of the run another
            // follower began: its lines cannot be placed there. That follower records them.
            records.retain(|r| !matches!(r, Record::Line(_)));
            if records.is_empty() {
                return;
            }
        }
        t.recorded = true;
        t.last_touch = Some(Instant::now());
        self.touched.insert(task);
        if let Err(e) = self.store.append(run, &records) {
            self.tasks.entry(task).or_default().damaged = true;
            self.failure(e);
        }
    }

    /// The task's run, begun (or found) with `first` as its first lines.
    fn current(&mut self, task: usize, first: &[Record]) -> Option<i64> {
        let t = self.tasks.entry(task).or_default();
        if let Some(run) = t.run {
            return Some(run);
        }
        let key = match t.key.clone() {
            Some(k) => k,
            None => self.key(task, None, now(), None),
        };
        let lines: Vec<Line> = first
            .iter()
            .filter_map(|r| match r {
                Record::Line(l) => Some(l.clone()),
                Record::Marker { .. } => None,
            })
            .collect();
        match self.store.begin(&key, &lines) {
            Ok((run, continued)) => {
                let t = self.tasks.entry(task).or_default();
                t.run = Some(run);
                t.joined = continued;
                self.began.push(task);
                Some(run)
            }
            Err(e) => {
                self.failure(e);
                None
            }
        }
    }

    /// The task is still processing: its run is touched, at most every `TOUCH_EVERY`.
    pub(super) fn alive(&mut self, task: usize) {
        let Some(t) = self.tasks.get_mut(&task) else {
            return;
        };
        let (Some(run), false) = (
            t.run,
            t.last_touch.is_some_and(|at| at.elapsed() < TOUCH_EVERY),
        ) else {
            return;
        };
        t.last_touch = Some(Instant::now());
        if let Err(e) = self.store.touch(run) {
            self.failure(e);
        }
    }

    fn end_run(&mut self, task: usize, end: &RunEnd) {
        let Some(t) = self.tasks.get_mut(&task) else {
            return;
        };
        let Some(run) = t.run.take() else {
            return;
        };
        // A run whose lines could not all be written is not called complete.
        let end = if t.damaged { left_open() } else { end.clone() };
        self.touched.insert(task);
        if let Err(e) = self.store.end(run, &end) {
            self.failure(e);
        }
    }

    /// The task's follow ended: its run's end is recorded (a run seen processing without a
    /// line is still a run; one never seen processing is none).
    pub(super) fn ended(&mut self, task: usize, end: &End, failed_status: Option<String>, at: f64) {
        let seen = self.tasks.get(&task).is_some_and(|t| t.key.is_some());
        if !seen {
            // Never seen processing: no run to record.
            return;
        }
        // A run seen processing without a line is still a run.
        if self.current(task, &[]).is_none() {
            return;
        }
        self.end_run(task, &run_end(end, failed_status, at));
        if let Some(t) = self.tasks.get_mut(&task) {
            t.key = None;
            t.last = None;
        }
    }
}

/// The run's own end, as the server told it: a follower's `--fail-on` is its own judgement
/// (`logs --fail-on` applies one again), a failure status is the run's.
fn run_end(end: &End, failed_status: Option<String>, at: f64) -> RunEnd {
    match (end, failed_status) {
        (End::Finished | End::FailOn { .. } | End::FailedStatus { .. }, Some(status)) => RunEnd {
            ended_at: Some(at),
            outcome: Some("failed".into()),
            exit_code: Some(Outcome::Failed.exit_code()),
            failed_status: Some(status),
        },
        (End::Finished | End::FailOn { .. } | End::FailedStatus { .. }, None) => RunEnd {
            ended_at: Some(at),
            outcome: Some("finished".into()),
            exit_code: Some(0),
            failed_status: None,
        },
        // The follower stopped first: the run stays open.
        _ => left_open(),
    }
}
