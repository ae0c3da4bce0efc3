//! Reading the archive back: runs listed (newest first, numbered among their task's runs) and a
//! run's records walked in order. Gaps are recomputed from the lines stored; what cannot be
//! (unknown gaps, realignments, ambiguous windows, rewrites in place) is merged back in after
//! the line it followed, in the order it came.

use std::iter::Peekable;
use std::ops::ControlFlow;

use rusqlite::{params, OptionalExtension};

use super::schema::placed_marker;
use super::{to_i64, to_u64, ts_value, ArchiveError, Sqlite};
use crate::archive::{Line, Marker, Query, Record, Run};

/// A run's row with its number among its task's runs.
const NUMBERED_RUNS: &str = "SELECT r.*, ROW_NUMBER() OVER (PARTITION BY base_url, task_id \
                             ORDER BY started_at, id) AS number FROM runs r";

impl Sqlite {
    /// `Store::runs`: the runs the query wants, newest first.
    pub(super) fn list_runs(&self, query: &Query) -> Result<Vec<Run>, ArchiveError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT * FROM ({NUMBERED_RUNS}) \
                 WHERE started_at >= ?1 AND (?2 = 0 OR outcome = 'failed') \
                 ORDER BY started_at DESC, id DESC"
            ))
            .map_err(|e| self.error(e))?;
        let since = query.since.unwrap_or(f64::MIN);
        let rows = stmt
            .query_map(params![since, query.failed as i64], run_row)
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

    /// `Store::run`: one run by its id.
    pub(super) fn find_run(&self, id: i64) -> Result<Option<Run>, ArchiveError> {
        self.conn
            .query_row(
                &format!("SELECT * FROM ({NUMBERED_RUNS}) WHERE id = ?1"),
                params![id],
                run_row,
            )
            .optional()
            .map_err(|e| self.error(e))
    }

    /// `Store::records`: the run's lines from `from` on, with the gaps between them and what
    /// was placed after them, until `visit` says stop.
    pub(super) fn walk_records(
        &self,
        run: i64,
        from: u64,
        tail: bool,
        visit: &mut dyn FnMut(Record) -> bool,
    ) -> Result<(), ArchiveError> {
        let from = to_i64(from);
        let mut walk = Walk {
            visit,
            placed: self.placed(run, from)?.into_iter().peekable(),
            // Reading on from `from` (following a run): the line before it was the last read.
            previous: (from > 0).then(|| from - 1),
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT idx, ts, text FROM lines WHERE run_id = ?1 AND idx >= ?2 ORDER BY idx",
            )
            .map_err(|e| self.error(e))?;
        let mut rows = stmt.query(params![run, from]).map_err(|e| self.error(e))?;
        while let Some(row) = rows.next().map_err(|e| self.error(e))? {
            let idx: i64 = row.get(0).map_err(|e| self.error(e))?;
            if walk.up_to(idx).is_break() {
                return Ok(());
            }
            let line = Line {
                index: to_u64(idx),
                timestamp: ts_value(row.get(1).map_err(|e| self.error(e))?),
                text: row.get(2).map_err(|e| self.error(e))?,
            };
            if walk.line(idx, line).is_break() {
                return Ok(());
            }
        }
        if tail {
            let _ = walk.rest();
        }
        Ok(())
    }

    /// What cannot be recomputed from the lines, from the line before `from` on: markers
    /// other than gaps and rewrites, each after the line it followed, in the order they came.
    fn placed(&self, run: i64, from: i64) -> Result<Vec<Placed>, ArchiveError> {
        let mut placed: Vec<Placed> = Vec::new();
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
            let record = Record::Marker {
                after: u64::try_from(after).ok(),
                marker: placed_marker(&kind),
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
        placed.sort_by_key(|(after, order, _)| (*after, *order));
        Ok(placed)
    }
}

/// A record placed after the line of index `.0`, in the order `.1` among those there.
type Placed = (i64, i64, Record);

/// A walk through a run's records: the stored lines in index order, each preceded by what was
/// placed before it and by the gap of the lines not stored before it.
struct Walk<'v> {
    visit: &'v mut dyn FnMut(Record) -> bool,
    placed: Peekable<std::vec::IntoIter<Placed>>,
    /// The highest line index walked (or known read) so far.
    previous: Option<i64>,
}

impl Walk<'_> {
    fn visit(&mut self, record: Record) -> ControlFlow<()> {
        if (self.visit)(record) {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(())
        }
    }

    /// What was placed before the line `idx`.
    fn up_to(&mut self, idx: i64) -> ControlFlow<()> {
        while let Some((_, _, record)) = self.placed.next_if(|(after, _, _)| *after < idx) {
            self.visit(record)?;
        }
        ControlFlow::Continue(())
    }

    /// The line `idx`, after a gap of exactly the lines not stored before it.
    fn line(&mut self, idx: i64, line: Line) -> ControlFlow<()> {
        let hole = match self.previous {
            Some(p) => idx.saturating_sub(p).saturating_sub(1),
            None => idx,
        };
        if hole > 0 {
            self.visit(Record::Marker {
                after: self.previous.and_then(|p| u64::try_from(p).ok()),
                marker: Marker::Gap {
                    missed: Some(to_u64(hole)),
                },
            })?;
        }
        self.previous = Some(self.previous.map_or(idx, |p| p.max(idx)));
        self.visit(Record::Line(line))
    }

    /// What was placed after the last line.
    fn rest(&mut self) -> ControlFlow<()> {
        while let Some((_, _, record)) = self.placed.next() {
            self.visit(record)?;
        }
        ControlFlow::Continue(())
    }
}

/// A run as listed, from its row.
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
