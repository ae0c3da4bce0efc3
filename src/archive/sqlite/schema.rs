//! The archive's tables and how they are stored: `user_version` numbers the schema, `migrate`
//! brings an older file up to date, and a database that is not an archive, or that a newer
//! taskwatch wrote, is refused rather than taken over. Also the names a marker is stored under.

use rusqlite::TransactionBehavior;

use super::{sql_error, to_i64, ArchiveError, Sqlite};
use crate::archive::Marker;

/// The schema this build writes.
const SCHEMA: i64 = 1;
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

impl Sqlite {
    /// Another program's database is never taken over: one with tables but no schema number
    /// is refused.
    pub(super) fn refuse_foreign(&self) -> Result<(), ArchiveError> {
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
        Ok(())
    }

    /// Brings the schema up to `SCHEMA`, one migration per version, each in the transaction
    /// that sets `user_version` (two processes opening a new file at once: one migrates).
    pub(super) fn migrate(&mut self) -> Result<(), ArchiveError> {
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
}

/// A marker as stored: its `kind` and, for a gap of known size, how many lines it missed.
pub(super) fn marker_kind(marker: &Marker) -> (&'static str, Option<i64>) {
    match marker {
        Marker::Gap { missed: Some(n) } => ("gap", Some(to_i64(*n))),
        Marker::Gap { missed: None } => ("unknown_gap", None),
        Marker::Ambiguous => ("ambiguous", None),
        Marker::Realigned => ("realigned", None),
    }
}

/// A stored marker that reading cannot recompute from the lines (every kind but `gap`).
pub(super) fn placed_marker(kind: &str) -> Marker {
    match kind {
        "ambiguous" => Marker::Ambiguous,
        "realigned" => Marker::Realigned,
        _ => Marker::Gap { missed: None },
    }
}
