//! Writing to the archive: runs begun (or continued), each poll's batch appended (new lines,
//! rewrites in place, markers, each in the order the follower saw them), touches, ends, and
//! pruning of ended runs. Each step runs inside the transaction `Sqlite::write` gives it.

use rusqlite::{params, CachedStatement, Connection, OptionalExtension};

use super::schema::marker_kind;
use super::{to_i64, ts_text, ArchiveError, SqlError, Sqlite};
use crate::archive::{now, Line, Marker, Record, RunEnd, RunKey};

impl Sqlite {
    /// Removes the runs that ended before `before` (`Store::prune`); the file shrinks.
    pub(super) fn prune_ended(&mut self, before: f64) -> Result<u64, ArchiveError> {
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
}

/// `Store::begin`: the run this follow continues, else a new one.
pub(super) fn begin(
    conn: &Connection,
    error: SqlError<'_>,
    key: &RunKey,
    first: &[Line],
) -> Result<(i64, bool), ArchiveError> {
    if let Some(id) = continued_run(conn, error, key, first)? {
        conn.execute(
            "UPDATE runs SET profile = COALESCE(profile, ?2) WHERE id = ?1",
            params![id, key.profile],
        )
        .map_err(error)?;
        return Ok((id, true));
    }
    new_run(conn, error, key).map(|id| (id, false))
}

/// The run a follow with this key and these first lines continues: the open one with the same
/// server start, else (no server start, or that run ended) the open run its lines agree with.
fn continued_run(
    conn: &Connection,
    error: SqlError<'_>,
    key: &RunKey,
    first: &[Line],
) -> Result<Option<i64>, ArchiveError> {
    let Some(start) = key.started_at else {
        return open_run(conn, key, first, error);
    };
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
        Some((id, false)) => Ok(Some(id)),
        // That run ended (a reset seen in its lines began another with the same server
        // start): the open run that replaced it, if these lines are its.
        Some((_, true)) => open_run(conn, key, first, error),
        None => Ok(None),
    }
}

/// A new run's row (or the one another follower inserted first); its id.
fn new_run(conn: &Connection, error: SqlError<'_>, key: &RunKey) -> Result<i64, ArchiveError> {
    // A server start already taken by an ended run: this one is known by when it was seen.
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
            now()
        ],
    )
    .map_err(error)?;
    conn.query_row(
        "SELECT id FROM runs WHERE base_url = ?1 AND task_id = ?2 \
         AND start_known = ?3 AND started_at = ?4",
        params![key.base_url, key.task_id, known, start],
        |r| r.get(0),
    )
    .map_err(error)
}

/// The newest open run of the task without a server start (or begun by a reset) whose lines
/// agree with `first`.
fn open_run(
    conn: &Connection,
    key: &RunKey,
    first: &[Line],
    error: SqlError<'_>,
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

/// Whether the lines a follow begins with are those of an open run: some of them are stored
/// at their indices with the same time and text, and none differs (the last stored line may
/// have been rewritten since). No overlap at all is not proof: a new run.
fn agrees(
    conn: &Connection,
    run: i64,
    last: Option<i64>,
    first: &[Line],
    error: SqlError<'_>,
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

/// `Store::append`: one poll's records, in order; returns the lines added.
pub(super) fn append(
    conn: &Connection,
    error: SqlError<'_>,
    run: i64,
    records: &[Record],
) -> Result<u64, ArchiveError> {
    let mut batch = Batch::new(conn, error, run)?;
    for record in records {
        match record {
            Record::Line(line) => batch.line(line)?,
            Record::Marker { after, marker } => batch.marker(*after, marker)?,
        }
    }
    batch.finish(conn)
}

/// One batch being appended to a run: its statements (each prepared once per connection:
/// compiling SQL costs more than running it) and what the run's row will say after it.
struct Batch<'c, 'e> {
    run: i64,
    error: SqlError<'e>,
    insert: CachedStatement<'c>,
    /// The newest version of a line: its last rewrite, else the line itself.
    latest: CachedStatement<'c>,
    rewrite: CachedStatement<'c>,
    marker: CachedStatement<'c>,
    /// The run's highest and lowest line indices stored, this batch's included.
    highest: Option<i64>,
    lowest: Option<i64>,
    /// Lines and rewrites added, and lines new to the run (a rewrite is not one).
    added: u64,
    distinct: u64,
    /// Markers at one place, in the order this follower saw them: where, and the last ordinal.
    place: Option<(i64, i64)>,
}

impl<'c, 'e> Batch<'c, 'e> {
    fn new(conn: &'c Connection, error: SqlError<'e>, run: i64) -> Result<Self, ArchiveError> {
        let prepare = |sql: &str| conn.prepare_cached(sql).map_err(error);
        let insert =
            prepare("INSERT OR IGNORE INTO lines (run_id, idx, ts, text) VALUES (?1, ?2, ?3, ?4)")?;
        let latest = prepare(
            "SELECT ts, text FROM (SELECT ts, text, pos, seq FROM rewrites \
             WHERE run_id = ?1 AND idx = ?2 UNION ALL SELECT ts, text, -1, 0 FROM lines \
             WHERE run_id = ?1 AND idx = ?2) ORDER BY pos DESC, seq DESC LIMIT 1",
        )?;
        let rewrite = prepare(
            "INSERT INTO rewrites (run_id, pos, seq, idx, ts, text) SELECT ?1, ?2, \
             COALESCE(MAX(seq), 0) + 1, ?3, ?4, ?5 FROM rewrites \
             WHERE run_id = ?1 AND pos = ?2",
        )?;
        let marker = prepare(
            "INSERT OR IGNORE INTO markers (run_id, after_idx, ordinal, kind, missed) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let (highest, lowest) = prepare("SELECT last_index, first_index FROM runs WHERE id = ?1")?
            .query_row(params![run], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(error)?;
        Ok(Batch {
            run,
            error,
            insert,
            latest,
            rewrite,
            marker,
            highest,
            lowest,
            added: 0,
            distinct: 0,
            place: None,
        })
    }

    /// A line: stored when new; a stored line whose newest version differs was rewritten in
    /// place, and the rewrite is kept too.
    fn line(&mut self, line: &Line) -> Result<(), ArchiveError> {
        let (run, error) = (self.run, self.error);
        let idx = to_i64(line.index);
        let ts = ts_text(&line.timestamp);
        if self
            .insert
            .execute(params![run, idx, ts, line.text])
            .map_err(error)?
            == 1
        {
            self.distinct += 1;
            self.added += 1;
        } else {
            let (t, text): (Option<String>, String) = self
                .latest
                .query_row(params![run, idx], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(error)?;
            if t != ts || text != line.text {
                // Rewritten in place: kept after the highest line so far.
                let pos = self.highest.unwrap_or(idx).max(idx);
                self.rewrite
                    .execute(params![run, pos, idx, ts, line.text])
                    .map_err(error)?;
                self.added += 1;
            }
        }
        self.lowest = Some(self.lowest.map_or(idx, |l| l.min(idx)));
        self.highest = Some(self.highest.map_or(idx, |h| h.max(idx)));
        Ok(())
    }

    /// A marker after the line `after`, numbered among those placed there in this batch.
    fn marker(&mut self, after: Option<u64>, marker: &Marker) -> Result<(), ArchiveError> {
        let after = after.map_or(-1, to_i64);
        let ordinal = match self.place {
            Some((a, n)) if a == after => n + 1,
            _ => 0,
        };
        self.place = Some((after, ordinal));
        let (kind, missed) = marker_kind(marker);
        self.marker
            .execute(params![self.run, after, ordinal, kind, missed])
            .map_err(self.error)?;
        Ok(())
    }

    /// The run's row brought up to date; returns the lines added.
    fn finish(self, conn: &Connection) -> Result<u64, ArchiveError> {
        conn.prepare_cached(
            "UPDATE runs SET lines = lines + ?2, first_index = ?3, last_index = ?4, \
             unknown_gaps = (SELECT COUNT(*) FROM markers WHERE run_id = ?1 \
                 AND kind IN ('unknown_gap', 'ambiguous')), \
             updated_at = ?5 WHERE id = ?1",
        )
        .map_err(self.error)?
        .execute(params![
            self.run,
            to_i64(self.distinct),
            self.lowest,
            self.highest,
            now()
        ])
        .map_err(self.error)?;
        Ok(self.added)
    }
}

/// `Store::touch`: the run's follower is still there.
pub(super) fn touch(conn: &Connection, error: SqlError<'_>, run: i64) -> Result<(), ArchiveError> {
    conn.prepare_cached("UPDATE runs SET updated_at = ?2 WHERE id = ?1")
        .map_err(error)?
        .execute(params![run, now()])
        .map(|_| ())
        .map_err(error)
}

/// `Store::end`: the first end recorded stands; a follow that stopped first only touches it.
pub(super) fn end(
    conn: &Connection,
    error: SqlError<'_>,
    run: i64,
    end: &RunEnd,
) -> Result<(), ArchiveError> {
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
            params![run, now()],
        ),
    };
    result.map(|_| ()).map_err(error)
}
