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
    lines INTEGER NOT NULL DEFAULT 0,
    first_index INTEGER,
    last_index INTEGER,
    unknown_gaps INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    UNIQUE (base_url, task_id, start_known, started_at)
);
CREATE INDEX runs_by_start ON runs (started_at);
CREATE INDEX runs_by_task ON runs (task_id, started_at);
-- One row per line of a run, keyed by its index.
CREATE TABLE lines (
    run_id INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    ts TEXT,
    text TEXT NOT NULL,
    PRIMARY KEY (run_id, idx)
) WITHOUT ROWID;
-- A line rewritten in place, placed after the line `pos` (the highest index stored when it
-- came), in the order they came (`seq`).
CREATE TABLE rewrites (
    run_id INTEGER NOT NULL,
    pos INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    ts TEXT,
    text TEXT NOT NULL,
    PRIMARY KEY (run_id, pos, seq)
) WITHOUT ROWID;
-- What a follower saw between lines: after the line `after_idx` (-1: before the first), the
-- `ordinal`th marker there in the follower's stream.
CREATE TABLE markers (
    run_id INTEGER NOT NULL,
    after_idx INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    kind TEXT NOT NULL,
    missed INTEGER,
    PRIMARY KEY (run_id, after_idx, ordinal)
) WITHOUT ROWID;
"#];

pub struct Sqlite {
    conn: Connection,
    path: PathBuf,
    /// Writes go into one transaction opened by `group` until `commit`.
    grouped: bool,
}

/// The unsigned numbers of the archive as SQLite integers (indices beyond 2^63 are absurd; they
/// are kept at the largest).
fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn ts_text(ts: &Option<Value>) -> Option<String> {
    ts.as_ref().map(Value::to_string)
}

fn ts_value(text: Option<String>) -> Option<Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

/// Turns SQLite's errors into the archive's, naming the file.
fn sql_error(path: &Path) -> impl Fn(rusqlite::Error) -> ArchiveError + '_ {
    move |e| ArchiveError {
        path: path.to_path_buf(),
        what: e.to_string(),
        missing: false,
    }
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
            grouped: false,
        };
        store.setup()?;
        if create {
            // Only once it is known to be an archive: nothing else at that path is touched.
            private(path);
        }
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
        self.conn.set_prepared_statement_cache_capacity(32);
        // Another program's database is never taken over.
        let (version, tables): (i64, i64) = self
            .conn
            .query_row(
                "SELECT (SELECT user_version FROM pragma_user_version), \
                 (SELECT COUNT(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.error(e))?;
        if version == 0 && tables > 0 {
            return Err(self.error(
                "not a taskwatch archive (a database with other tables): choose another --archive-db",
            ));
        }
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
        let error = sql_error(&self.path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&error)?;
        let now: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(&error)?;
        for (k, sql) in MIGRATIONS.iter().enumerate().skip(now.max(0) as usize) {
            tx.execute_batch(sql).map_err(&error)?;
            tx.pragma_update(None, "user_version", k as i64 + 1)
                .map_err(&error)?;
        }
        tx.commit().map_err(&error)
    }

    /// Runs `f` in the group's transaction, or in one of its own.
    fn write<T>(
        &mut self,
        f: impl FnOnce(&Connection, &dyn Fn(rusqlite::Error) -> ArchiveError) -> Result<T, ArchiveError>,
    ) -> Result<T, ArchiveError> {
        let error = sql_error(&self.path);
        if self.grouped {
            return f(&self.conn, &error);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&error)?;
        let out = f(&tx, &error)?;
        tx.commit().map_err(&error)?;
        Ok(out)
    }

    fn run_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Run> {
        let last: Option<i64> = r.get("last_index")?;
        let lines: i64 = r.get("lines")?;
        // Lines before the last stored that are not stored (holes, and those before the
        // first): the archive does not hold them (i128: no index can overflow it).
        let missed = last.map_or(0, |l| (i128::from(l) + 1 - i128::from(lines)).max(0));
        Ok(Run {
            id: r.get("id")?,
            base_url: r.get("base_url")?,
            task_id: r.get("task_id")?,
            profile: r.get("profile")?,
            number: to_u64(r.get("number")?),
            started_at: r.get("started_at")?,
            ended_at: r.get("ended_at")?,
            outcome: r.get("outcome")?,
            exit_code: r
                .get::<_, Option<i64>>("exit_code")?
                .map(|c| c.clamp(0, 255) as u8),
            failed_status: r.get("failed_status")?,
            restart: r.get("restart")?,
            lines: to_u64(lines),
            missed: u64::try_from(missed).unwrap_or(u64::MAX),
            unknown_gaps: to_u64(r.get("unknown_gaps")?),
            updated_at: r.get("updated_at")?,
        })
    }
}

/// An existing archive is made private (600) if it is not.
fn private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A regular file only, never through a symbolic link (a device or another file).
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            if meta.file_type().is_file() && meta.permissions().mode() & 0o077 != 0 {
                let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
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

/// Whether the lines a follow begins with are those of an open run: some of them are stored
/// at their indices with the same time and text, and none differs (the last stored line may
/// have been rewritten since). No overlap at all is not proof: a new run.
fn agrees(
    conn: &Connection,
    run: i64,
    last: Option<i64>,
    first: &[Line],
    error: &dyn Fn(rusqlite::Error) -> ArchiveError,
) -> Result<bool, ArchiveError> {
    let Some(last) = last else {
        return Ok(false);
    };
    let mut stmt = conn
        .prepare_cached("SELECT ts, text FROM lines WHERE run_id = ?1 AND idx = ?2")
        .map_err(error)?;
    let (mut agree, mut disagree) = (0, 0);
    for line in first.iter().filter(|l| to_i64(l.index) <= last) {
        let stored: Option<(Option<String>, String)> = stmt
            .query_row(params![run, to_i64(line.index)], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(error)?;
        let Some((ts, text)) = stored else {
            continue;
        };
        if ts == ts_text(&line.timestamp) && text == line.text {
            agree += 1;
        } else if to_i64(line.index) != last {
            disagree += 1;
        }
    }
    Ok(agree > 0 && disagree == 0)
}

impl Store for Sqlite {
    fn group(&mut self) -> Result<(), ArchiveError> {
        if !self.grouped {
            self.conn
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(|e| self.error(e))?;
            self.grouped = true;
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), ArchiveError> {
        if !std::mem::take(&mut self.grouped) {
            return Ok(());
        }
        if self.conn.is_autocommit() {
            // SQLite rolled the transaction back itself (a full disk): nothing to commit.
            return Err(self.error("the last writes were rolled back"));
        }
        match self.conn.execute_batch("COMMIT") {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(self.error(e))
            }
        }
    }

    fn begin(&mut self, key: &RunKey, first: &[Line]) -> Result<(i64, bool), ArchiveError> {
        self.write(|conn, error| {
            let found: Option<i64> = match key.started_at {
                Some(start) => {
                    let known: Option<(i64, bool)> = conn
                        .query_row(
                            "SELECT id, ended_at IS NOT NULL FROM runs WHERE base_url = ?1 \
                             AND task_id = ?2 AND start_known = 1 AND started_at = ?3",
                            params![key.base_url, key.task_id, start],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )
                        .optional()
                        .map_err(error)?;
                    match known {
                        Some((id, false)) => Some(id),
                        // That run ended (a reset seen in its lines began another with the
                        // same server start): the open run that replaced it, if these lines
                        // are its.
                        Some((_, true)) => open_run(conn, key, first, error)?,
                        None => None,
                    }
                }
                None => open_run(conn, key, first, error)?,
            };
            if let Some(id) = found {
                conn.execute(
                    "UPDATE runs SET profile = COALESCE(profile, ?2) WHERE id = ?1",
                    params![id, key.profile],
                )
                .map_err(error)?;
                return Ok((id, true));
            }
            // A server start already taken by an ended run: this one is known by when it was
            // seen.
            let taken = match key.started_at {
                Some(start) => conn
                    .query_row(
                        "SELECT EXISTS (SELECT 1 FROM runs WHERE base_url = ?1 AND task_id = ?2 \
                         AND start_known = 1 AND started_at = ?3)",
                        params![key.base_url, key.task_id, start],
                        |r| r.get::<_, bool>(0),
                    )
                    .map_err(error)?,
                None => false,
            };
            let (start, known) = match key.started_at {
                Some(s) if !taken => (s, 1),
                _ => (key.seen_at, 0),
            };
            conn.execute(
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
            .map_err(error)?;
            conn.query_row(
                "SELECT id FROM runs WHERE base_url = ?1 AND task_id = ?2 \
                 AND start_known = ?3 AND started_at = ?4",
                params![key.base_url, key.task_id, known, start],
                |r| r.get(0),
            )
            .map(|id| (id, false))
            .map_err(error)
        })
    }

    fn append(&mut self, run: i64, records: &[Record]) -> Result<u64, ArchiveError> {
        self.write(|conn, error| {
            let mut insert = conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO lines (run_id, idx, ts, text) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(error)?;
            // The newest version of a line: its last rewrite, else the line itself.
            let mut latest = conn
                .prepare_cached(
                    "SELECT ts, text FROM (SELECT ts, text, pos, seq FROM rewrites \
                     WHERE run_id = ?1 AND idx = ?2 UNION ALL SELECT ts, text, -1, 0 FROM lines \
                     WHERE run_id = ?1 AND idx = ?2) ORDER BY pos DESC, seq DESC LIMIT 1",
                )
                .map_err(error)?;
            let mut rewrite = conn
                .prepare_cached(
                    "INSERT INTO rewrites (run_id, pos, seq, idx, ts, text) SELECT ?1, ?2, \
                     COALESCE(MAX(seq), 0) + 1, ?3, ?4, ?5 FROM rewrites \
                     WHERE run_id = ?1 AND pos = ?2",
                )
                .map_err(error)?;
            let mut marker = conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO markers (run_id, after_idx, ordinal, kind, missed) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(error)?;
            // Every statement of a batch is prepared once per connection: compiling SQL costs
            // more than running it.
            let (mut highest, mut lowest): (Option<i64>, Option<i64>) = conn
                .prepare_cached("SELECT last_index, first_index FROM runs WHERE id = ?1")
                .map_err(error)?
                .query_row(params![run], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(error)?;
            let mut added = 0u64;
            let mut distinct = 0u64;
            // Markers at one place, in the order this follower saw them.
            let mut place: Option<(i64, i64)> = None;
            for record in records {
                match record {
                    Record::Line(line) => {
                        let idx = to_i64(line.index);
                        let ts = ts_text(&line.timestamp);
                        if insert
                            .execute(params![run, idx, ts, line.text])
                            .map_err(error)?
                            == 1
                        {
                            distinct += 1;
                            added += 1;
                        } else {
                            let (t, text): (Option<String>, String) = latest
                                .query_row(params![run, idx], |r| Ok((r.get(0)?, r.get(1)?)))
                                .map_err(error)?;
                            if t != ts || text != line.text {
                                // Rewritten in place: kept after the highest line so far.
                                let pos = highest.unwrap_or(idx).max(idx);
                                rewrite
                                    .execute(params![run, pos, idx, ts, line.text])
                                    .map_err(error)?;
                                added += 1;
                            }
                        }
                        lowest = Some(lowest.map_or(idx, |l| l.min(idx)));
                        highest = Some(highest.map_or(idx, |h| h.max(idx)));
                    }
                    Record::Marker { after, marker: m } => {
                        let after = after.map_or(-1, to_i64);
                        let ordinal = match place {
                            Some((a, n)) if a == after => n + 1,
                            _ => 0,
                        };
                        place = Some((after, ordinal));
                        let (kind, missed) = match m {
                            Marker::Gap { missed: Some(n) } => ("gap", Some(to_i64(*n))),
                            Marker::Gap { missed: None } => ("unknown_gap", None),
                            Marker::Ambiguous => ("ambiguous", None),
                            Marker::Realigned => ("realigned", None),
                        };
                        marker
                            .execute(params![run, after, ordinal, kind, missed])
                            .map_err(error)?;
                    }
                }
            }
            conn.prepare_cached(
                "UPDATE runs SET lines = lines + ?2, first_index = ?3, last_index = ?4, \
                 unknown_gaps = (SELECT COUNT(*) FROM markers WHERE run_id = ?1 \
                     AND kind IN ('unknown_gap', 'ambiguous')), \
                 updated_at = ?5 WHERE id = ?1",
            )
            .map_err(error)?
            .execute(params![
                run,
                to_i64(distinct),
                lowest,
                highest,
                super::now()
            ])
            .map_err(error)?;
            Ok(added)
        })
    }

    fn touch(&mut self, run: i64) -> Result<(), ArchiveError> {
        self.write(|conn, error| {
            conn.prepare_cached("UPDATE runs SET updated_at = ?2 WHERE id = ?1")
                .map_err(error)?
                .execute(params![run, super::now()])
                .map(|_| ())
                .map_err(error)
        })
    }

    fn end(&mut self, run: i64, end: &RunEnd) -> Result<(), ArchiveError> {
        self.write(|conn, error| {
            let result = match end.ended_at {
                // Another follower may have recorded the end first: the first end stands.
                Some(at) => conn.execute(
                    "UPDATE runs SET ended_at = ?2, outcome = ?3, exit_code = ?4, \
                     failed_status = ?5, updated_at = MAX(updated_at, ?2) \
                     WHERE id = ?1 AND ended_at IS NULL",
                    params![run, at, end.outcome, end.exit_code, end.failed_status],
                ),
                None => conn.execute(
                    "UPDATE runs SET updated_at = ?2 WHERE id = ?1",
                    params![run, super::now()],
                ),
            };
            result.map(|_| ()).map_err(error)
        })
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
        if query.limit == Some(0) {
            return Ok(out);
        }
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
        tail: bool,
        visit: &mut dyn FnMut(Record) -> bool,
    ) -> Result<(), ArchiveError> {
        let from = to_i64(from);
        // What cannot be recomputed from the lines: unknown gaps, realignments and rewrites,
        // each placed after a line, in the order they came.
        let mut placed: Vec<(i64, i64, Record)> = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT after_idx, ordinal, kind FROM markers WHERE run_id = ?1 \
                     AND kind <> 'gap' AND after_idx >= ?2 ORDER BY after_idx, ordinal",
                )
                .map_err(|e| self.error(e))?;
            let rows = stmt
                .query_map(params![run, from - 1], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .map_err(|e| self.error(e))?;
            for row in rows {
                let (after, ordinal, kind) = row.map_err(|e| self.error(e))?;
                let marker = match kind.as_str() {
                    "ambiguous" => Marker::Ambiguous,
                    "realigned" => Marker::Realigned,
                    _ => Marker::Gap { missed: None },
                };
                let record = Record::Marker {
                    after: u64::try_from(after).ok(),
                    marker,
                };
                placed.push((after, ordinal, record));
            }
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT pos, seq, idx, ts, text FROM rewrites WHERE run_id = ?1 \
                     AND pos >= ?2 ORDER BY pos, seq",
                )
                .map_err(|e| self.error(e))?;
            let rows = stmt
                .query_map(params![run, from], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        Line {
                            index: to_u64(r.get(2)?),
                            timestamp: ts_value(r.get(3)?),
                            text: r.get(4)?,
                        },
                    ))
                })
                .map_err(|e| self.error(e))?;
            for row in rows {
                let (pos, seq, line) = row.map_err(|e| self.error(e))?;
                // After the markers placed there.
                placed.push((pos, i64::MAX / 2 + seq, Record::Line(line)));
            }
        }
        placed.sort_by_key(|(after, order, _)| (*after, *order));
        let mut placed = placed.into_iter().peekable();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT idx, ts, text FROM lines WHERE run_id = ?1 AND idx >= ?2 ORDER BY idx",
            )
            .map_err(|e| self.error(e))?;
        let mut rows = stmt.query(params![run, from]).map_err(|e| self.error(e))?;
        // Reading on from `from` (following a run): the line before it was the last one read.
        let mut previous: Option<i64> = (from > 0).then(|| from - 1);
        while let Some(row) = rows.next().map_err(|e| self.error(e))? {
            let idx: i64 = row.get(0).map_err(|e| self.error(e))?;
            while placed.peek().is_some_and(|(after, _, _)| *after < idx) {
                let Some((_, _, record)) = placed.next() else {
                    break;
                };
                if !visit(record) {
                    return Ok(());
                }
            }
            // Lines not stored before this one: a gap of exactly that many.
            let hole = match previous {
                Some(p) => idx.saturating_sub(p).saturating_sub(1),
                None => idx,
            };
            if hole > 0 {
                let gap = Record::Marker {
                    after: previous.and_then(|p| u64::try_from(p).ok()),
                    marker: Marker::Gap {
                        missed: Some(to_u64(hole)),
                    },
                };
                if !visit(gap) {
                    return Ok(());
                }
            }
            let line = Line {
                index: to_u64(idx),
                timestamp: ts_value(row.get(1).map_err(|e| self.error(e))?),
                text: row.get(2).map_err(|e| self.error(e))?,
            };
            previous = Some(previous.map_or(idx, |p| p.max(idx)));
            if !visit(Record::Line(line)) {
                return Ok(());
            }
        }
        if tail {
            for (_, _, record) in placed {
                if !visit(record) {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    fn prune(&mut self, before: f64) -> Result<u64, ArchiveError> {
        let removed = self.write(|conn, error| {
            let doomed = "SELECT id FROM runs WHERE ended_at IS NOT NULL AND ended_at < ?1";
            for table in ["lines", "rewrites", "markers"] {
                conn.execute(
                    &format!("DELETE FROM {table} WHERE run_id IN ({doomed})"),
                    params![before],
                )
                .map_err(error)?;
            }
            conn.execute(
                "DELETE FROM runs WHERE ended_at IS NOT NULL AND ended_at < ?1",
                params![before],
            )
            .map_err(error)
        })?;
        if removed > 0 {
            // The file shrinks: the freed pages are given back.
            self.conn
                .execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
                .map_err(|e| self.error(e))?;
        }
        Ok(removed as u64)
    }

    fn close(&mut self) {
        // Everything in the main file: a copy of it alone holds every run.
        let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
    }
}

/// The newest open run of the task without a server start (or begun by a reset) whose lines
/// agree with `first`.
fn open_run(
    conn: &Connection,
    key: &RunKey,
    first: &[Line],
    error: &dyn Fn(rusqlite::Error) -> ArchiveError,
) -> Result<Option<i64>, ArchiveError> {
    let open: Option<(i64, Option<i64>)> = conn
        .query_row(
            "SELECT id, last_index FROM runs WHERE base_url = ?1 AND task_id = ?2 \
             AND start_known = 0 AND ended_at IS NULL ORDER BY started_at DESC, id DESC LIMIT 1",
            params![key.base_url, key.task_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(error)?;
    match open {
        Some((id, last)) if agrees(conn, id, last, first, error)? => Ok(Some(id)),
        _ => Ok(None),
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
            .records(run, 0, true, &mut |r| {
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
        let (ra, continued) = a.begin(&k, &[]).unwrap();
        assert!(!continued);
        let (rb, continued) = b.begin(&key("t1", Some(1000.5), 2100.0), &[]).unwrap();
        assert_eq!((ra, continued), (rb, true));
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
        let r = s.begin(&key("t", None, 100.0), &[]).unwrap().0;
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
        let r = s.begin(&key("t", None, 100.0), &[]).unwrap().0;
        s.append(
            r,
            &[Record::Line(line(0, 5, "a")), Record::Line(line(1, 6, "b"))],
        )
        .unwrap();
        // A resumed follow that sees the same lines: the same run.
        let again = s
            .begin(&key("t", None, 200.0), &[line(1, 6, "b"), line(2, 7, "c")])
            .unwrap()
            .0;
        assert_eq!(again, r);
        // A new run whose line 0 differs: a new run.
        let other = s
            .begin(&key("t", None, 300.0), &[line(0, 50, "a")])
            .unwrap()
            .0;
        assert_ne!(other, r);
        s.append(other, &[Record::Line(line(0, 50, "a"))]).unwrap();
        // Lines beyond everything stored prove nothing: a new run, not a merge.
        let beyond = s
            .begin(&key("t", None, 350.0), &[line(9, 99, "z")])
            .unwrap();
        assert!(!beyond.1);
        assert_ne!(beyond.0, other);
        // An ended run is never continued.
        s.end(
            other,
            &RunEnd {
                ended_at: Some(400.0),
                outcome: Some("finished".into()),
                exit_code: Some(0),
                failed_status: None,
            },
        )
        .unwrap();
        let third = s
            .begin(&key("t", None, 500.0), &[line(0, 50, "a")])
            .unwrap();
        assert!(third.0 != other && third.0 != r);
    }

    #[test]
    fn rewritten_lines_are_kept_once_each() {
        let (_dir, mut s) = open();
        let r = s.begin(&key("t", Some(1.0), 1.0), &[]).unwrap().0;
        s.append(r, &[Record::Line(line(0, 1, "50%"))]).unwrap();
        s.append(r, &[Record::Line(line(0, 2, "60%"))]).unwrap();
        s.append(r, &[Record::Line(line(0, 2, "60%"))]).unwrap();
        assert_eq!(lines(&s, r).len(), 2);
        assert_eq!(s.run(r).unwrap().unwrap().lines, 1);
        // Back to an earlier text is a rewrite too; rewrites come back where they came: after
        // the highest line stored then.
        s.append(r, &[Record::Line(line(1, 3, "next"))]).unwrap();
        s.append(r, &[Record::Line(line(0, 1, "50%"))]).unwrap();
        s.append(r, &[Record::Line(line(1, 4, "next!"))]).unwrap();
        let texts: Vec<String> = lines(&s, r)
            .into_iter()
            .filter_map(|r| match r {
                Record::Line(l) => Some(l.text),
                Record::Marker { .. } => None,
            })
            .collect();
        assert_eq!(texts, ["50%", "60%", "next", "50%", "next!"]);
    }

    #[test]
    fn prune_removes_ended_runs_only() {
        let (_dir, mut s) = open();
        let old = s.begin(&key("a", Some(1.0), 1.0), &[]).unwrap().0;
        let open_run = s.begin(&key("b", Some(1.0), 1.0), &[]).unwrap().0;
        s.append(old, &[Record::Line(line(0, 1, "x"))]).unwrap();
        let end = RunEnd {
            ended_at: Some(10.0),
            outcome: Some("finished".into()),
            exit_code: Some(0),
            failed_status: None,
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
