//! The run archive: every followed run's lines, once, behind a small `Store` trait. The backend
//! drops a task's log when the task ends; this is where it is kept. `sqlite/` is the store
//! today (one file, nothing to run beside it); a shared store for teams implements the same
//! trait. Commands never see SQL. `recorder/` is the thread that writes what pollers send it.
//!
//! A run is identified by the base URL (without credentials), the task id and the run's start:
//! the server's `started_at` when it sends one, else the first time the run was seen processing
//! (a later follow continues the newest open run of that task whose lines agree with what it
//! sees). Lines are keyed by (run, index): two followers of one run, or a follow resumed after
//! a crash, store each line once.

pub mod recorder;
pub mod sqlite;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// How a run is known when a follower begins recording it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunKey {
    pub base_url: String,
    pub task_id: String,
    pub profile: Option<String>,
    /// The server's `started_at` (seconds since the epoch), when it sends one.
    pub started_at: Option<f64>,
    /// When this follower first saw the run processing (seconds since the epoch).
    pub seen_at: f64,
    /// The run began with a restart or reset seen while following: why (a `restart` record's
    /// reason). Such a run never continues the run it replaced.
    pub restart: Option<String>,
}

/// One line as archived: its index in the run, its timestamp exactly as received, its text
/// (secrets masked).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub index: u64,
    pub timestamp: Option<Value>,
    pub text: String,
}

/// What a follower saw between lines.
#[derive(Debug, Clone, PartialEq)]
pub enum Marker {
    /// Lines scrolled out before they could be read: `missed` of them, `None` when unknown.
    Gap { missed: Option<u64> },
    /// The window could be read more than one way; lines may have been missed.
    Ambiguous,
    /// The total stopped describing the lines; they are followed by content from here (the
    /// same run).
    Realigned,
}

/// One archived record, in a run's order: a line, or a marker placed after the line of index
/// `after` (`None`: before the run's first line).
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Line(Line),
    Marker { after: Option<u64>, marker: Marker },
}

/// How a follow of a run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct RunEnd {
    /// When the task was seen to end (seconds since the epoch); `None` when the follower
    /// stopped first (Ctrl-C, `--timeout`, failing requests): the run stays open.
    pub ended_at: Option<f64>,
    /// `finished`, `failed`, or `restarted` (a new run replaced it); with `ended_at`.
    pub outcome: Option<String>,
    pub exit_code: Option<u8>,
    /// The failure status the server reported, for a failed end.
    pub failed_status: Option<String>,
}

/// A run as listed by `history`.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub id: i64,
    pub base_url: String,
    pub task_id: String,
    pub profile: Option<String>,
    /// Its number among the archived runs of its task (1 = the oldest).
    pub number: u64,
    pub started_at: f64,
    pub ended_at: Option<f64>,
    pub outcome: Option<String>,
    pub exit_code: Option<u8>,
    pub failed_status: Option<String>,
    pub restart: Option<String>,
    /// Lines stored (a line rewritten in place counts once).
    pub lines: u64,
    /// Lines the archive does not hold: holes between stored lines, and those before the first
    /// (a follower that joined late never saw them).
    pub missed: u64,
    pub unknown_gaps: u64,
    /// The last time a follower wrote to it.
    pub updated_at: f64,
}

impl Run {
    /// Whether the run's end was recorded.
    pub fn complete(&self) -> bool {
        self.ended_at.is_some()
    }

    /// Seconds from start to end (or to the last write, while open).
    pub fn duration_s(&self) -> f64 {
        (self.ended_at.unwrap_or(self.updated_at) - self.started_at).max(0.0)
    }
}

/// Which runs to list.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Task ids; empty: all.
    pub task_ids: Vec<String>,
    /// Profile handles (without `@`, compared without case); empty: all.
    pub profiles: Vec<String>,
    /// Only runs started at or after this time.
    pub since: Option<f64>,
    /// Only failed runs.
    pub failed: bool,
    /// At most this many (newest first).
    pub limit: Option<u64>,
}

/// Something the archive could not do.
#[derive(Debug)]
pub struct ArchiveError {
    pub path: PathBuf,
    pub what: String,
    /// There is no archive at `path` (nothing was recorded there yet).
    pub missing: bool,
}

impl fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "archive {}: {}", self.path.display(), self.what)
    }
}

impl std::error::Error for ArchiveError {}

/// The archive's operations. A follower begins (or continues) a run, appends each poll's
/// batch in one transaction, and ends it; the reading commands list runs and read records.
pub trait Store: Send {
    /// Groups the writes that follow into one transaction until `commit`: a recorder with many
    /// tasks commits the batches of one moment together (each batch whole, never split).
    fn group(&mut self) -> Result<(), ArchiveError> {
        Ok(())
    }
    /// Commits the group; an error means none of its writes were kept.
    fn commit(&mut self) -> Result<(), ArchiveError> {
        Ok(())
    }
    /// Says that the run's follower is still there (`logs -f` stops waiting for a run whose
    /// follower has not been heard of for a while).
    fn touch(&mut self, run: i64) -> Result<(), ArchiveError>;
    /// Before the store is dropped: everything made durable in the main file.
    fn close(&mut self) {}
    /// The run this follow belongs to: an existing one it continues (`true`), or a new one.
    /// `first` are the follow's first lines, which decide whether an open run without a server
    /// start is the same run.
    fn begin(&mut self, key: &RunKey, first: &[Line]) -> Result<(i64, bool), ArchiveError>;
    /// Stores one poll's records; lines already stored are skipped. Returns the lines added.
    fn append(&mut self, run: i64, records: &[Record]) -> Result<u64, ArchiveError>;
    fn end(&mut self, run: i64, end: &RunEnd) -> Result<(), ArchiveError>;
    /// Runs, newest first.
    fn runs(&self, query: &Query) -> Result<Vec<Run>, ArchiveError>;
    fn run(&self, id: i64) -> Result<Option<Run>, ArchiveError>;
    /// Visits a run's records in order, lines from index `from` on, until `visit` returns
    /// `false`; with `tail`, also what was placed after the last line. Gaps are recomputed
    /// from what is stored: lines not stored before a stored one are a gap of exactly that
    /// many (a line another follower stored fills what this one missed).
    fn records(
        &self,
        run: i64,
        from: u64,
        tail: bool,
        visit: &mut dyn FnMut(Record) -> bool,
    ) -> Result<(), ArchiveError>;
    /// Removes runs that ended before `before`; returns how many.
    fn prune(&mut self, before: f64) -> Result<u64, ArchiveError>;
}

/// `<platform data dir>/taskwatch/archive.sqlite3` (`$XDG_DATA_HOME` or `~/.local/share` on
/// Linux, `~/Library/Application Support` on macOS, `%APPDATA%` on Windows).
pub fn default_path() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    let dir = etcetera::base_strategy::choose_native_strategy()
        .ok()?
        .data_dir();
    dir.is_absolute()
        .then(|| dir.join("taskwatch").join("archive.sqlite3"))
}

/// Opens (creating when `create`) the archive at `path`.
pub fn open(path: &Path, create: bool) -> Result<Box<dyn Store>, ArchiveError> {
    Ok(Box::new(sqlite::Sqlite::open(path, create)?))
}

/// Seconds since the epoch, now.
pub fn now() -> f64 {
    chrono::Utc::now().timestamp_micros() as f64 / 1e6
}

/// Finished runs a task needs before its past durations estimate the time left.
pub const TYPICAL_AFTER_RUNS: usize = 3;
/// The newest finished runs the typical duration is taken from.
const TYPICAL_OF_RUNS: usize = 10;

/// Per task id on `base_url`: the median duration of its newest finished runs (up to 10), for
/// the tasks with at least 3.
pub fn typical_durations(
    store: &dyn Store,
    base_url: &str,
) -> Result<HashMap<String, f64>, ArchiveError> {
    let mut by_task: HashMap<String, Vec<f64>> = HashMap::new();
    for run in store.runs(&Query::default())? {
        let finished = run.outcome.as_deref() == Some("finished");
        if run.base_url != base_url || !finished {
            continue;
        }
        let durations = by_task.entry(run.task_id.clone()).or_default();
        if durations.len() < TYPICAL_OF_RUNS {
            durations.push(run.duration_s());
        }
    }
    Ok(by_task
        .into_iter()
        .filter(|(_, d)| d.len() >= TYPICAL_AFTER_RUNS)
        .filter_map(|(task, d)| Some((task, median(&d)?)))
        .collect())
}

/// The median of the finite values (the mean of the two middle ones for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}
