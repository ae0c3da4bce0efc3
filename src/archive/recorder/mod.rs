//! The recorder: a thread of its own that writes what the pollers saw to the archive, so that
//! neither a slow disk nor a busy database ever holds up a poller or stdout. The pollers send
//! `Note`s through an unbounded channel (a send never waits). The notes waiting at one moment
//! are written in one transaction (each poll's batch whole, never split), so 500 tasks polled
//! each second make a few commits a second, not 500. A write that fails is reported once;
//! following goes on, the run is left incomplete (its lines are not all there), and the command
//! ends with exit 74.
//!
//! Here: the notes, the thread's loop and its transactions (one group per moment); `runs` keeps
//! the per-run bookkeeping (which run each task's lines go to, how it began and ended).

mod runs;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc;

use super::{ArchiveError, RunKey, Store};
use crate::events::{End, Followed};
use crate::line::LogLine;
use crate::messages;
use crate::outcome::Outcome;
use crate::secret::{Scrubber, Secret};
use crate::tracker::Entry;
use runs::Task;

/// At most this many notes in one transaction.
const GROUP_MAX: usize = 2048;

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
    /// The task is still processing (sent now and then by its poller).
    Alive { task: usize },
    /// The task's follow ended; `failed_status`: a failure the server reported.
    Ended {
        task: usize,
        end: End,
        failed_status: Option<String>,
        at: f64,
    },
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
            masker: Scrubber::new(secrets),
            tasks: HashMap::new(),
            failed: false,
            touched: HashSet::new(),
            began: Vec::new(),
        };
        let work = move || {
            let mut rx = rx;
            while let Some(first) = rx.blocking_recv() {
                writer.open_group();
                writer.note(first);
                for _ in 1..GROUP_MAX {
                    match rx.try_recv() {
                        Ok(note) => writer.note(note),
                        Err(_) => break,
                    }
                }
                writer.close_group();
            }
            writer.store.close();
            let failed = writer.failed;
            drop(writer);
            let _ = done_tx.send(failed);
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

/// The recorder's side of the thread: what it knows of each task, and the open group.
struct Writer {
    store: Box<dyn Store>,
    base_url: String,
    masker: Scrubber,
    tasks: HashMap<usize, Task>,
    failed: bool,
    /// Tasks written to in the open group, and those whose run began in it.
    touched: HashSet<usize>,
    began: Vec<usize>,
}

impl Writer {
    fn open_group(&mut self) {
        if let Err(e) = self.store.group() {
            self.failure(e);
        }
    }

    /// Commits the group; when that fails, every run written to in it is damaged and the runs
    /// begun in it are begun again by their next batch.
    fn close_group(&mut self) {
        if let Err(e) = self.store.commit() {
            self.failure(e);
            for task in std::mem::take(&mut self.touched) {
                if let Some(t) = self.tasks.get_mut(&task) {
                    t.damaged = true;
                }
            }
            for task in std::mem::take(&mut self.began) {
                if let Some(t) = self.tasks.get_mut(&task) {
                    t.run = None;
                }
            }
        }
        self.touched.clear();
        self.began.clear();
    }

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
            Note::Alive { task } => self.alive(task),
            Note::Ended {
                task,
                end,
                failed_status,
                at,
            } => self.ended(task, &end, failed_status, at),
        }
    }

    /// How the task's next run is known: its id and profile, and its start.
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

    /// A write failed: said once; the command will exit with 74.
    fn failure(&mut self, e: ArchiveError) {
        if !self.failed {
            self.failed = true;
            messages::error(&format!(
                "cannot write to the {e}; following goes on, and taskwatch will exit with 74"
            ));
        }
    }
}
