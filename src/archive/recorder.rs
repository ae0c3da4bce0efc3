//! The recorder: a thread of its own that writes what the pollers saw to the archive, so that
//! neither a slow disk nor a busy database ever holds up a poller or stdout. The pollers send
//! `Note`s through an unbounded channel (a send never waits); each poll's batch becomes one
//! transaction. A write that fails is reported once; following goes on and the run ends with
//! exit 74.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc;

use super::{Line, Marker, Record, RunEnd, RunKey, Store};
use crate::events::{End, Followed};
use crate::line::LogLine;
use crate::messages;
use crate::outcome::Outcome;
use crate::secret::{Masker, Secret};
use crate::tracker::{Entry, RestartReason};

/// What a poller tells the recorder.
#[derive(Debug)]
pub enum Note {
    /// Task `task` is this one (sent before its poller starts).
    Named { task: usize, followed: Followed },
    /// The task was seen processing for the first time.
    Seen {
        task: usize,
        started_at: Option<f64>,
        at: f64,
    },
    /// One poll's entries, every line (filters do not apply to the archive); `started_at` as
    /// that answer said.
    Batch {
        task: usize,
        started_at: Option<f64>,
        entries: Vec<Entry<LogLine>>,
    },
    /// The task's follow ended.
    Ended { task: usize, end: End, at: f64 },
}

/// Where pollers send notes; cloned into each.
#[derive(Debug, Clone)]
pub struct Sink(mpsc::UnboundedSender<Note>);

impl Sink {
    pub fn send(&self, note: Note) {
        let _ = self.0.send(note);
    }
}

/// The recorder's thread; `finish` waits for it to commit what it was sent.
pub struct Recorder {
    done: std::sync::mpsc::Receiver<bool>,
    path: PathBuf,
}

impl Recorder {
    /// Starts the recorder on `store`; `base_url` (without credentials) names the backend in
    /// every run, and `secrets` are masked in every line stored.
    pub fn start(
        store: Box<dyn Store>,
        path: PathBuf,
        base_url: String,
        secrets: &[Secret],
    ) -> (Sink, Recorder) {
        let (tx, rx) = mpsc::unbounded_channel();
        let (done_tx, done) = std::sync::mpsc::channel();
        let mut writer = Writer {
            store,
            base_url,
            masker: Masker::new(secrets),
            tasks: HashMap::new(),
            failed: false,
        };
        let work = move || {
            let mut rx = rx;
            while let Some(note) = rx.blocking_recv() {
                writer.note(note);
            }
            let _ = done_tx.send(writer.failed);
        };
        if let Err(e) = std::thread::Builder::new()
            .name("archive".into())
            .spawn(work)
        {
            messages::error(&format!("cannot start the archive's thread: {e}"));
        }
        (Sink(tx), Recorder { done, path })
    }

    /// Once every `Sink` is dropped: waits up to `bound` for the last writes. `Ok` when every
    /// note was written, else the outcome to report (exit 74).
    pub fn finish(self, bound: Duration) -> Result<(), Outcome> {
        match self.done.recv_timeout(bound) {
            Ok(false) => Ok(()),
            Ok(true) => Err(Outcome::OutputFailed),
            Err(_) => {
                messages::error(&format!(
                    "the archive {} was not written in time: its last lines may be missing",
                    self.path.display()
                ));
                Err(Outcome::OutputFailed)
            }
        }
    }
}

/// A followed task as the recorder knows it.
#[derive(Default)]
struct Task {
    followed: Option<Followed>,
    /// The run being recorded, once it has a row.
    run: Option<i64>,
    /// How the next run is known, until it has a row.
    key: Option<RunKey>,
    /// The server's start of the current run, when known.
    started_at: Option<f64>,
    /// The last line's index in the current run (markers are placed after it).
    last: Option<u64>,
}

struct Writer {
    store: Box<dyn Store>,
    base_url: String,
    masker: Masker,
    tasks: HashMap<usize, Task>,
    failed: bool,
}

impl Writer {
    fn note(&mut self, note: Note) {
        match note {
            Note::Named { task, followed } => {
                self.tasks.entry(task).or_default().followed = Some(followed);
            }
            Note::Seen {
                task,
                started_at,
                at,
            } => {
                let key = self.key(task, started_at, at, None);
                let t = self.tasks.entry(task).or_default();
                t.started_at = started_at;
                t.key = Some(key);
            }
            Note::Batch {
                task,
                started_at,
                entries,
            } => self.batch(task, started_at, entries),
            Note::Ended { task, end, at } => self.ended(task, &end, at),
        }
    }

    fn key(
        &self,
        task: usize,
        started_at: Option<f64>,
        seen_at: f64,
        restart: Option<String>,
    ) -> RunKey {
        let followed = self.tasks.get(&task).and_then(|t| t.followed.clone());
        let followed = followed.unwrap_or_else(|| Followed::id(format!("task {task}")));
        RunKey {
            base_url: self.base_url.clone(),
            task_id: followed.id,
            profile: followed.profile,
            started_at,
            seen_at,
            restart,
        }
    }

    fn failure(&mut self, e: super::ArchiveError) {
        if !self.failed {
            self.failed = true;
            messages::error(&format!(
                "cannot write to the {e}; following goes on, and taskwatch will exit with 74"
            ));
        }
    }

    fn batch(&mut self, task: usize, started_at: Option<f64>, entries: Vec<Entry<LogLine>>) {
        let mut segment: Vec<Record> = Vec::with_capacity(entries.len());
        for entry in entries {
            let last = self.tasks.get(&task).and_then(|t| t.last);
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
                    self.tasks.entry(task).or_default().last = Some(index);
                }
                Entry::Gap { missed } => segment.push(Record::Marker {
                    after: last,
                    marker: Marker::Gap { missed },
                }),
                Entry::Ambiguous => segment.push(Record::Marker {
                    after: last,
                    marker: Marker::Ambiguous,
                }),
                // The same run, followed by content from here on.
                Entry::Restart {
                    reason: RestartReason::Realigned,
                } => segment.push(Record::Marker {
                    after: last,
                    marker: Marker::Realigned,
                }),
                Entry::Restart { reason } => {
                    self.flush(task, std::mem::take(&mut segment));
                    let now = super::now();
                    self.end_run(
                        task,
                        &RunEnd {
                            ended_at: Some(now),
                            outcome: Some("restarted".into()),
                            exit_code: None,
                            failed_status: None,
                            fail_index: None,
                        },
                    );
                    // A new server start names the new run; the same one (a reset seen in the
                    // lines only) cannot.
                    let previous = self.tasks.get(&task).and_then(|t| t.started_at);
                    let start = started_at.filter(|s| Some(*s) != previous);
                    let key = self.key(task, start, now, Some(reason.as_str().to_string()));
                    let t = self.tasks.entry(task).or_default();
                    t.started_at = started_at;
                    t.key = Some(key);
                    t.last = None;
                }
            }
        }
        self.flush(task, segment);
    }

    /// Writes `records` to the task's current run (beginning it first when needed).
    fn flush(&mut self, task: usize, records: Vec<Record>) {
        if records.is_empty() {
            return;
        }
        let Some(run) = self.current(task, &records) else {
            return;
        };
        if let Err(e) = self.store.append(run, &records) {
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
            None => self.key(task, None, super::now(), None),
        };
        let lines: Vec<Line> = first
            .iter()
            .filter_map(|r| match r {
                Record::Line(l) => Some(l.clone()),
                Record::Marker { .. } => None,
            })
            .collect();
        match self.store.begin(&key, &lines) {
            Ok(run) => {
                self.tasks.entry(task).or_default().run = Some(run);
                Some(run)
            }
            Err(e) => {
                self.failure(e);
                None
            }
        }
    }

    fn end_run(&mut self, task: usize, end: &RunEnd) {
        let run = self.tasks.get_mut(&task).and_then(|t| t.run.take());
        if let Some(run) = run {
            if let Err(e) = self.store.end(run, end) {
                self.failure(e);
            }
        }
    }

    fn ended(&mut self, task: usize, end: &End, at: f64) {
        let seen = self.tasks.get(&task).is_some_and(|t| t.key.is_some());
        if !seen {
            // Never seen processing: no run to record.
            return;
        }
        // A run seen processing without a line is still a run.
        if self.current(task, &[]).is_none() {
            return;
        }
        let observed = matches!(
            end,
            End::Finished | End::FailOn { .. } | End::FailedStatus { .. }
        );
        let run_end = RunEnd {
            ended_at: observed.then_some(at),
            outcome: observed.then(|| end.outcome().as_str().to_string()),
            exit_code: observed.then(|| end.outcome().exit_code()),
            failed_status: match end {
                End::FailedStatus { status } => Some(status.clone()),
                _ => None,
            },
            fail_index: match end {
                End::FailOn { index, .. } => Some(*index),
                _ => None,
            },
        };
        self.end_run(task, &run_end);
        if let Some(t) = self.tasks.get_mut(&task) {
            t.key = None;
            t.last = None;
        }
    }
}
