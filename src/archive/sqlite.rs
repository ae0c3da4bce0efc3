//! The archive in one SQLite file (the bundled SQLite: nothing to install). WAL mode, so that
//! readers (`history`, `logs -f`) never block a recorder; a busy timeout, so that two recorders
//! take turns; `user_version` numbers the schema and `migrate` brings an older file up to date.
//! Each poll's batch is one `BEGIN IMMEDIATE` transaction: a `kill -9` leaves every batch
//! committed before it and nothing half-written.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use serde_json::Value;

use super::{ArchiveError, Line, Marker, Query, Record, Run, RunEnd, RunKey, Store};

/// The schema this build writes.
const SCHEMA: i64 = 1;
/// How long a writer waits for another one before the write fails.
const BUSY: Duration = Duration::from_secs(5);
/// An open run without a server start is continued by a follow whose first lines do not
/// overlap its own only when it was written to this recently (seconds).
const CONTINUE_WITHIN_S: f64 = 3600.0;

const MIGRATIONS: [&str; 1] = [r#"
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    base_url TEXT NOT NULL,
    task_id TEXT NOT NULL,
    profile TEXT,
    started_at REAL NOT NULL,
    -- 1: started_at is the server's; 0: when a follower first saw the run processing.
    start_known INTEGER NOT NULL,
    restart TEXT,
    ended_at REAL,
    outcome TEXT,
    exit_code INTEGER,
    failed_status TEXT,
    fail_index INTEGER,
    lines INTEGER NOT NULL DEFAULT 0,
    distinct_lines INTEGER NOT NULL DEFAULT 0,
    first_index INTEGER,
    last_index INTEGER,
    lead_gap INTEGER NOT NULL DEFAULT 0,
    unknown_gaps INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    UNIQUE (base_url, task_id, start_known, started_at)
);
CREATE INDEX runs_by_start ON runs (started_at);
CREATE INDEX runs_by_task ON runs (task_id, started_at);
-- One row per line of a run; `rev` > 0: the line at that index was rewritten in place.
CREATE TABLE lines (
    run_id INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    rev INTEGER NOT NULL,
    ts TEXT,
    text TEXT NOT NULL,
    PRIMARY KEY (run_id, idx, rev)
) WITHOUT ROWID;
-- What a follower saw between lines: after the line `after_idx` (-1: before the first).
CREATE TABLE markers (
    run_id INTEGER NOT NULL,
    after_idx INTEGER NOT NULL,
    kind TEXT NOT NULL,
    missed INTEGER,
    PRIMARY KEY (run_id, after_idx, kind)
) WITHOUT ROWID;
"#];

pub struct Sqlite {
    conn: Connection,
    path: PathBuf,
}

impl Sqlite {
    /// Opens the archive at `path`; with `create`, makes it (mode 600, in a directory made
    /// with mode 700) when it does not exist.
    pub fn open(path: &Path, create: bool) -> Result<Sqlite, ArchiveError> {
        let fail = |what: String| ArchiveError {
            path: path.to_path_buf(),
            what,
            missing: false,
        };
        if !path.exists() {
            if !create {
                return Err(ArchiveError {
                    path: path.to_path_buf(),
                    what: "no archive here yet (follow a task with --archive, or run `taskwatch record`)".into(),
                    missing: true,
                });
            }
            make_file(path).map_err(|e| fail(format!("cannot create it: {e}")))?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| fail(e.to_string()))?;
        let mut store = Sqlite {
            conn,
            path: path.to_path_buf(),
        };
        store.setup()?;
        Ok(store)
    }

    fn error(&self, e: impl std::fmt::Display) -> ArchiveError {
        ArchiveError {
            path: self.path.clone(),
            what: e.to_string(),
            missing: false,
        }
    }

    fn setup(&mut self) -> Result<(), ArchiveError> {
        self.conn.busy_timeout(BUSY).map_err(|e| self.error(e))?;
        // WAL survives a killed writer and lets readers read while a recorder writes;
        // NORMAL syncs at checkpoints: a crash of the process loses nothing committed.
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| self.error(e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(self.error(format!("cannot use write-ahead logging ({mode})")));
        }
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| self.error(e))?;
        self.migrate()
    }

    /// Brings the schema up to `SCHEMA`, one migration per version, each in the transaction
    /// that sets `user_version` (two processes opening a new file at once: one migrates).
    fn migrate(&mut self) -> Result<(), ArchiveError> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.error(e))?;
        if version > SCHEMA {
            return Err(self.error(format!(
                "written by a newer taskwatch (schema {version}; this one reads up to {SCHEMA})"
            )));
        }
        if version == SCHEMA {
            return Ok(());
        }
        let path = self.path.clone();
        let error = |e: rusqlite::Error| ArchiveError {
            path: path.clone(),
            what: e.to_string(),
            missing: false,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(error)?;
        let now: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(error)?;
        for (k, sql) in MIGRATIONS.iter().enumerate().skip(now.max(0) as usize) {
            tx.execute_batch(sql).map_err(error)?;
            tx.pragma_update(None, "user_version", k as i64 + 1)
                .map_err(error)?;
        }
        tx.commit().map_err(error)
    }

    fn run_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Run> {
        let first: Option<i64> = r.get("first_index")?;
        let last: Option<i64> = r.get("last_index")?;
        let distinct: i64 = r.get("distinct_lines")?;
        let lead: i64 = r.get("lead_gap")?;
        let missed = match (first, last) {
            (Some(f), Some(l)) => (l - f + 1 - distinct).max(0) + if lead > 0 { f } else { 0 },
            _ => 0,
        };
        Ok(Run {
            id: r.get("id")?,
            base_url: r.get("base_url")?,
            task_id: r.get("task_id")?,
            profile: r.get("profile")?,
            number: r.get::<_, i64>("number")?.max(0) as u64,
            started_at: r.get("started_at")?,
            ended_at: r.get("ended_at")?,
            outcome: r.get("outcome")?,
            exit_code: r
                .get::<_, Option<i64>>("exit_code")?
                .map(|c| c.clamp(0, 255) as u8),
            failed_status: r.get("failed_status")?,
            fail_index: r
                .get::<_, Option<i64>>("fail_index")?
                .map(|i| i.max(0) as u64),
            restart: r.get("restart")?,
            lines: r.get::<_, i64>("lines")?.max(0) as u64,
            missed: missed.max(0) as u64,
            unknown_gaps: r.get::<_, i64>("unknown_gaps")?.max(0) as u64,
            updated_at: r.get("updated_at")?,
        })
    }
}

/// Creates the file with mode 600, and its directory (700) when missing.
fn make_file(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                // Whatever the umask: the archive holds task logs.
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            }
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    drop(file);
    Ok(())
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn ts_text(ts: &Option<Value>) -> Option<String> {
    ts.as_ref().map(Value::to_string)
}

fn ts_value(text: Option<String>) -> Option<Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

impl Store for Sqlite {
    fn begin(&mut self, key: &RunKey, first: &[Line]) -> Result<i64, ArchiveError> {
        let path = self.path.clone();
        let error = move |e: rusqlite::Error| ArchiveError {
            path: path.clone(),
            what: e.to_string(),
            missing: false,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&error)?;
        let found: Option<i64> = match key.started_at {
            Some(start) => tx
                .query_row(
                    "SELECT id FROM runs WHERE base_url = ?1 AND task_id = ?2 \
                     AND start_known = 1 AND started_at = ?3",
                    params![key.base_url, key.task_id, start],
                    |r| r.get(0),
                )
                .optional()
                .map_err(&error)?,
            None => {
                let open: Option<(i64, Option<i64>, f64)> = tx
                    .query_row(
                        "SELECT id, last_index, updated_at FROM runs WHERE base_url = ?1 \
                         AND task_id = ?2 AND start_known = 0 AND ended_at IS NULL \
                         ORDER BY started_at DESC, id DESC LIMIT 1",
                        params![key.base_url, key.task_id],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()
                    .map_err(&error)?;
                match open {
                    Some((id, last, updated)) => {
                        let mut agree = 0;
                        let mut disagree = 0;
                        let mut stmt = tx
                            .prepare_cached(
                                "SELECT ts, text FROM lines WHERE run_id = ?1 AND idx = ?2",
                            )
                            .map_err(&error)?;
                        for line in first
                            .iter()
                            .filter(|l| last.is_some_and(|last| to_i64(l.index) <= last))
                        {
                            let stored: Vec<(Option<String>, String)> = stmt
                                .query_map(params![id, to_i64(line.index)], |r| {
                                    Ok((r.get(0)?, r.get(1)?))
                                })
                                .map_err(&error)?
                                .collect::<Result<_, _>>()
                                .map_err(&error)?;
                            if stored.is_empty() {
                                continue;
                            }
                            let ts = ts_text(&line.timestamp);
                            if stored
                                .iter()
                                .any(|(t, text)| *t == ts && *text == line.text)
                            {
                                agree += 1;
                            } else {
                                disagree += 1;
                            }
                        }
                        let recent = updated >= key.seen_at - CONTINUE_WITHIN_S;
                        let same = disagree == 0 && (agree > 0 || recent);
                        same.then_some(id)
                    }
                    None => None,
                }
            }
        };
        let id = match found {
            Some(id) => {
                tx.execute(
                    "UPDATE runs SET profile = COALESCE(profile, ?2) WHERE id = ?1",
                    params![id, key.profile],
                )
                .map_err(&error)?;
                id
            }
            None => {
                let (start, known) = match key.started_at {
                    Some(s) => (s, 1),
                    None => (key.seen_at, 0),
                };
                tx.execute(
                    "INSERT OR IGNORE INTO runs (base_url, task_id, profile, started_at, \
                     start_known, restart, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        key.base_url,
                        key.task_id,
                        key.profile,
                        start,
                        known,
                        key.restart,
                        super::now()
                    ],
                )
                .map_err(&error)?;
                tx.query_row(
                    "SELECT id FROM runs WHERE base_url = ?1 AND task_id = ?2 \
                     AND start_known = ?3 AND started_at = ?4",
                    params![key.base_url, key.task_id, known, start],
                    |r| r.get(0),
                )
                .map_err(&error)?
            }
        };
        tx.commit().map_err(&error)?;
        Ok(id)
    }

    fn append(&mut self, run: i64, records: &[Record]) -> Result<u64, ArchiveError> {
        let path = self.path.clone();
        let error = move |e: rusqlite::Error| ArchiveError {
            path: path.clone(),
            what: e.to_string(),
            missing: false,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&error)?;
        let mut added = 0u64;
        let mut distinct = 0u64;
        let mut lowest: Option<i64> = None;
        let mut highest: Option<i64> = None;
        let mut lead = false;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO lines (run_id, idx, rev, ts, text) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(&error)?;
            let mut same = tx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM lines WHERE run_id = ?1 AND idx = ?2 \
                     AND ts IS ?3 AND text = ?4)",
                )
                .map_err(&error)?;
            let mut next_rev = tx
                .prepare_cached(
                    "SELECT COALESCE(MAX(rev), 0) + 1 FROM lines WHERE run_id = ?1 AND idx = ?2",
                )
                .map_err(&error)?;
            let mut marker = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO markers (run_id, after_idx, kind, missed) \
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(&error)?;
            for record in records {
                match record {
                    Record::Line(line) => {
                        let idx = to_i64(line.index);
                        let ts = ts_text(&line.timestamp);
                        if insert
                            .execute(params![run, idx, 0, ts, line.text])
                            .map_err(&error)?
                            == 1
                        {
                            distinct += 1;
                            added += 1;
                        } else {
                            let known: bool = same
                                .query_row(params![run, idx, ts, line.text], |r| r.get(0))
                                .map_err(&error)?;
                            if !known {
                                // Rewritten in place: kept beside the first version.
                                let rev: i64 = next_rev
                                    .query_row(params![run, idx], |r| r.get(0))
                                    .map_err(&error)?;
                                insert
                                    .execute(params![run, idx, rev, ts, line.text])
                                    .map_err(&error)?;
                                added += 1;
                            }
                        }
                        lowest = Some(lowest.map_or(idx, |l| l.min(idx)));
                        highest = Some(highest.map_or(idx, |h| h.max(idx)));
                    }
                    Record::Marker { after, marker: m } => {
                        let after = after.map_or(-1, to_i64);
                        let (kind, missed) = match m {
                            Marker::Gap { missed: Some(n) } => ("gap", Some(to_i64(*n))),
                            Marker::Gap { missed: None } => ("unknown_gap", None),
                            Marker::Ambiguous => ("ambiguous", None),
                            Marker::Realigned => ("realigned", None),
                        };
                        lead |= after == -1 && kind == "gap";
                        marker
                            .execute(params![run, after, kind, missed])
                            .map_err(&error)?;
                    }
                }
            }
        }
        tx.execute(
            "UPDATE runs SET lines = lines + ?2, distinct_lines = distinct_lines + ?3, \
             first_index = CASE WHEN ?4 IS NULL THEN first_index \
                 ELSE MIN(COALESCE(first_index, ?4), ?4) END, \
             last_index = CASE WHEN ?5 IS NULL THEN last_index \
                 ELSE MAX(COALESCE(last_index, ?5), ?5) END, \
             lead_gap = MAX(lead_gap, ?6), \
             unknown_gaps = (SELECT COUNT(*) FROM markers WHERE run_id = ?1 \
                 AND kind IN ('unknown_gap', 'ambiguous')), \
             updated_at = ?7 WHERE id = ?1",
            params![
                run,
                to_i64(added),
                to_i64(distinct),
                lowest,
                highest,
                lead as i64,
                super::now()
            ],
        )
        .map_err(&error)?;
        tx.commit().map_err(&error)?;
        Ok(added)
    }

    fn end(&mut self, run: i64, end: &RunEnd) -> Result<(), ArchiveError> {
        let result = match end.ended_at {
            // Another follower may have recorded the end first: the first end stands.
            Some(at) => self.conn.execute(
                "UPDATE runs SET ended_at = ?2, outcome = ?3, exit_code = ?4, \
                 failed_status = ?5, fail_index = ?6, updated_at = MAX(updated_at, ?2) \
                 WHERE id = ?1 AND ended_at IS NULL",
                params![
                    run,
                    at,
                    end.outcome,
                    end.exit_code,
                    end.failed_status,
                    end.fail_index.map(to_i64)
                ],
            ),
            None => self.conn.execute(
                "UPDATE runs SET updated_at = ?2 WHERE id = ?1",
                params![run, super::now()],
            ),
        };
        result.map(|_| ()).map_err(|e| self.error(e))
    }

    fn runs(&self, query: &Query) -> Result<Vec<Run>, ArchiveError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT * FROM (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY base_url, task_id \
                 ORDER BY started_at, id) AS number FROM runs r) \
                 WHERE started_at >= ?1 AND (?2 = 0 OR outcome = 'failed') \
                 ORDER BY started_at DESC, id DESC",
            )
            .map_err(|e| self.error(e))?;
        let since = query.since.unwrap_or(f64::MIN);
        let rows = stmt
            .query_map(params![since, query.failed as i64], Sqlite::run_row)
            .map_err(|e| self.error(e))?;
        let profiles: Vec<String> = query.profiles.iter().map(|p| p.to_lowercase()).collect();
        let mut out = Vec::new();
        for row in rows {
            let run = row.map_err(|e| self.error(e))?;
            let by_id = query.task_ids.contains(&run.task_id);
            let by_profile = run
                .profile
                .as_ref()
                .is_some_and(|p| profiles.contains(&p.to_lowercase()));
            let wanted = (query.task_ids.is_empty() && profiles.is_empty()) || by_id || by_profile;
            if !wanted {
                continue;
            }
            out.push(run);
            if query.limit.is_some_and(|l| out.len() as u64 >= l) {
                break;
            }
        }
        Ok(out)
    }

    fn run(&self, id: i64) -> Result<Option<Run>, ArchiveError> {
        self.conn
            .query_row(
                "SELECT * FROM (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY base_url, task_id \
                 ORDER BY started_at, id) AS number FROM runs r) WHERE id = ?1",
                params![id],
                Sqlite::run_row,
            )
            .optional()
            .map_err(|e| self.error(e))
    }

    fn records(
        &self,
        run: i64,
        from: u64,
        visit: &mut dyn FnMut(Record) -> bool,
    ) -> Result<(), ArchiveError> {
        // Markers that cannot be recomputed from the lines (unknown gaps), and whether the
        // first line follows a known gap.
        let mut unknown: Vec<(i64, Marker)> = Vec::new();
        let mut lead = false;
        {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT after_idx, kind FROM markers WHERE run_id = ?1 ORDER BY after_idx",
                )
                .map_err(|e| self.error(e))?;
            let rows = stmt
                .query_map(params![run], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(|e| self.error(e))?;
            for row in rows {
                let (after, kind) = row.map_err(|e| self.error(e))?;
                match kind.as_str() {
                    "gap" => lead |= after == -1,
                    "ambiguous" => unknown.push((after, Marker::Ambiguous)),
                    "realigned" => unknown.push((after, Marker::Realigned)),
                    _ => unknown.push((after, Marker::Gap { missed: None })),
                }
            }
        }
        let from = to_i64(from);
        let mut unknown = unknown
            .into_iter()
            .filter(|(a, _)| *a >= from - 1)
            .peekable();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT idx, ts, text FROM lines WHERE run_id = ?1 AND idx >= ?2 \
                 ORDER BY idx, rev",
            )
            .map_err(|e| self.error(e))?;
        let mut rows = stmt.query(params![run, from]).map_err(|e| self.error(e))?;
        // Reading on from `from` (following a run): the line before it was the last one read.
        let mut previous: Option<i64> = (from > 0).then(|| from - 1);
        while let Some(row) = rows.next().map_err(|e| self.error(e))? {
            let idx: i64 = row.get(0).map_err(|e| self.error(e))?;
            // Unknown gaps placed before this line.
            while let Some((after, _)) = unknown.peek() {
                if *after >= idx {
                    break;
                }
                let Some((after, marker)) = unknown.next() else {
                    break;
                };
                if !visit(Record::Marker {
                    after: u64::try_from(after).ok(),
                    marker,
                }) {
                    return Ok(());
                }
            }
            let hole = match previous {
                Some(p) => idx - p - 1,
                // Before the first line: a gap only where a follower saw one.
                None if from == 0 && lead => idx,
                None => 0,
            };
            if hole > 0 {
                let gap = Record::Marker {
                    after: previous.and_then(|p| u64::try_from(p).ok()),
                    marker: Marker::Gap {
                        missed: Some(hole as u64),
                    },
                };
                if !visit(gap) {
                    return Ok(());
                }
            }
            let line = Line {
                index: idx.max(0) as u64,
                timestamp: ts_value(row.get(1).map_err(|e| self.error(e))?),
                text: row.get(2).map_err(|e| self.error(e))?,
            };
            previous = Some(previous.map_or(idx, |p| p.max(idx)));
            if !visit(Record::Line(line)) {
                return Ok(());
            }
        }
        Ok(())
    }

    fn prune(&mut self, before: f64) -> Result<u64, ArchiveError> {
        let path = self.path.clone();
        let error = move |e: rusqlite::Error| ArchiveError {
            path: path.clone(),
            what: e.to_string(),
            missing: false,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&error)?;
        let doomed = "SELECT id FROM runs WHERE ended_at IS NOT NULL AND ended_at < ?1";
        tx.execute(
            &format!("DELETE FROM lines WHERE run_id IN ({doomed})"),
            params![before],
        )
        .map_err(&error)?;
        tx.execute(
            &format!("DELETE FROM markers WHERE run_id IN ({doomed})"),
            params![before],
        )
        .map_err(&error)?;
        let removed = tx
            .execute(
                "DELETE FROM runs WHERE ended_at IS NOT NULL AND ended_at < ?1",
                params![before],
            )
            .map_err(&error)?;
        tx.commit().map_err(&error)?;
        if removed > 0 {
            // The file shrinks: the freed pages are given back.
            self.conn
                .execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
                .map_err(&error)?;
        }
        Ok(removed as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(task: &str, started_at: Option<f64>, seen_at: f64) -> RunKey {
        RunKey {
            base_url: "http://127.0.0.1:1".into(),
            task_id: task.into(),
            profile: Some("wwf".into()),
            started_at,
            seen_at,
            restart: None,
        }
    }

    fn line(index: u64, t: i64, text: &str) -> Line {
        Line {
            index,
            timestamp: Some(Value::from(t)),
            text: text.into(),
        }
    }

    fn lines(store: &Sqlite, run: i64) -> Vec<Record> {
        let mut out = Vec::new();
        store
            .records(run, 0, &mut |r| {
                out.push(r);
                true
            })
            .unwrap();
        out
    }

    fn open() -> (tempfile::TempDir, Sqlite) {
        let dir = tempfile::tempdir().unwrap();
        let store = Sqlite::open(&dir.path().join("sub/archive.sqlite3"), true).unwrap();
        (dir, store)
    }

    #[test]
    fn a_run_with_a_server_start_is_one_run_and_each_line_is_stored_once() {
        let (_dir, mut a) = open();
        let mut b = Sqlite::open(&a.path.clone(), false).unwrap();
        let k = key("t1", Some(1000.5), 2000.0);
        let ra = a.begin(&k, &[]).unwrap();
        let rb = b.begin(&key("t1", Some(1000.5), 2100.0), &[]).unwrap();
        assert_eq!(ra, rb);
        let batch: Vec<Record> = (0..5).map(|i| Record::Line(line(i, 10, "x"))).collect();
        assert_eq!(a.append(ra, &batch).unwrap(), 5);
        assert_eq!(b.append(rb, &batch[2..]).unwrap(), 0);
        assert_eq!(lines(&a, ra).len(), 5);
        let run = a.run(ra).unwrap().unwrap();
        assert_eq!((run.lines, run.missed, run.number), (5, 0, 1));
    }

    #[test]
    fn holes_are_gaps_of_their_exact_size_and_another_follower_fills_them() {
        let (_dir, mut s) = open();
        let r = s.begin(&key("t", None, 100.0), &[]).unwrap();
        let first = vec![
            Record::Marker {
                after: None,
                marker: Marker::Gap { missed: Some(2) },
            },
            Record::Line(line(2, 1, "c")),
            Record::Marker {
                after: Some(2),
                marker: Marker::Gap { missed: Some(3) },
            },
            Record::Line(line(6, 1, "g")),
        ];
        s.append(r, &first).unwrap();
        assert_eq!(s.run(r).unwrap().unwrap().missed, 5);
        let read = lines(&s, r);
        assert_eq!(read, first);
        // Another follower had lines 3 to 5.
        let other: Vec<Record> = (3..6).map(|i| Record::Line(line(i, 1, "d"))).collect();
        s.append(r, &other).unwrap();
        assert_eq!(s.run(r).unwrap().unwrap().missed, 2);
        let read = lines(&s, r);
        assert_eq!(read.len(), 6, "{read:?}");
        assert!(matches!(
            read[0],
            Record::Marker {
                marker: Marker::Gap { missed: Some(2) },
                ..
            }
        ));
    }

    #[test]
    fn an_open_run_without_a_server_start_is_continued_only_by_agreeing_lines() {
        let (_dir, mut s) = open();
        let r = s.begin(&key("t", None, 100.0), &[]).unwrap();
        s.append(
            r,
            &[Record::Line(line(0, 5, "a")), Record::Line(line(1, 6, "b"))],
        )
        .unwrap();
        // A resumed follow that sees the same lines: the same run.
        let again = s
            .begin(&key("t", None, 200.0), &[line(1, 6, "b"), line(2, 7, "c")])
            .unwrap();
        assert_eq!(again, r);
        // A new run whose line 0 differs: a new run.
        let other = s
            .begin(&key("t", None, 300.0), &[line(0, 50, "a")])
            .unwrap();
        assert_ne!(other, r);
        // An ended run is never continued.
        s.end(
            other,
            &RunEnd {
                ended_at: Some(400.0),
                outcome: Some("finished".into()),
                exit_code: Some(0),
                failed_status: None,
                fail_index: None,
            },
        )
        .unwrap();
        let third = s
            .begin(&key("t", None, 500.0), &[line(0, 50, "a")])
            .unwrap();
        assert!(third != other && third != r);
    }

    #[test]
    fn rewritten_lines_are_kept_once_each() {
        let (_dir, mut s) = open();
        let r = s.begin(&key("t", Some(1.0), 1.0), &[]).unwrap();
        s.append(r, &[Record::Line(line(0, 1, "50%"))]).unwrap();
        s.append(r, &[Record::Line(line(0, 2, "60%"))]).unwrap();
        s.append(r, &[Record::Line(line(0, 2, "60%"))]).unwrap();
        assert_eq!(lines(&s, r).len(), 2);
        assert_eq!(s.run(r).unwrap().unwrap().lines, 2);
    }

    #[test]
    fn prune_removes_ended_runs_only() {
        let (_dir, mut s) = open();
        let old = s.begin(&key("a", Some(1.0), 1.0), &[]).unwrap();
        let open_run = s.begin(&key("b", Some(1.0), 1.0), &[]).unwrap();
        s.append(old, &[Record::Line(line(0, 1, "x"))]).unwrap();
        let end = RunEnd {
            ended_at: Some(10.0),
            outcome: Some("finished".into()),
            exit_code: Some(0),
            failed_status: None,
            fail_index: None,
        };
        s.end(old, &end).unwrap();
        assert_eq!(s.prune(20.0).unwrap(), 1);
        assert!(s.run(old).unwrap().is_none());
        assert!(s.run(open_run).unwrap().is_some());
        assert!(lines(&s, old).is_empty());
    }

    #[test]
    fn the_file_is_private_and_a_newer_schema_is_refused() {
        let (dir, s) = open();
        let path = s.path.clone();
        drop(s);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let dmode = std::fs::metadata(dir.path().join("sub"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(dmode & 0o777, 0o700);
        }
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let e = Sqlite::open(&path, false).err().unwrap();
        assert!(e.what.contains("newer taskwatch"), "{e}");
        let missing = Sqlite::open(&dir.path().join("none.sqlite3"), false)
            .err()
            .unwrap();
        assert!(missing.missing);
    }
}
