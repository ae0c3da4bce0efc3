//! The archive in one SQLite file (the bundled SQLite: nothing to install): the store, how it is
//! opened (a new file private to its owner), the connection's settings and its transactions.
//! WAL mode, so that readers (`history`, `logs -f`) never block a recorder; a busy timeout, so
//! that two recorders take turns. Each poll's batch is one `BEGIN IMMEDIATE` transaction (or
//! part of the group a recorder commits at once): a `kill -9` leaves every batch committed
//! before it and nothing half-written.
//!
//! The rest is cut by what it does: `schema` (the tables, migrations, refusing a database that
//! is not an archive or is newer), `write` (runs begun, batches appended with their rewrites and
//! markers, ends, pruning), `read` (runs listed, a run's records walked in order).

mod read;
mod schema;
mod write;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use serde_json::Value;

use super::{ArchiveError, Line, Query, Record, Run, RunEnd, RunKey, Store};

/// How long a writer waits for another one before the write fails.
const BUSY: Duration = Duration::from_secs(5);

pub struct Sqlite {
    conn: Connection,
    path: PathBuf,
    /// Writes go into one transaction opened by `group` until `commit`.
    grouped: bool,
}

/// Turns a SQLite error into the archive's (naming the file): what the steps of a write are given.
type SqlError<'a> = &'a dyn Fn(rusqlite::Error) -> ArchiveError;

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
        self.refuse_foreign()?;
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

    /// Runs `f` in the group's transaction, or in one of its own.
    pub(super) fn write<T>(
        &mut self,
        f: impl FnOnce(&Connection, SqlError<'_>) -> Result<T, ArchiveError>,
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

    /// Opens the group's transaction (`Store::group`).
    pub(super) fn open_group(&mut self) -> Result<(), ArchiveError> {
        if !self.grouped {
            self.conn
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(|e| self.error(e))?;
            self.grouped = true;
        }
        Ok(())
    }

    /// Commits the group (`Store::commit`); when that fails, nothing of it is kept.
    pub(super) fn commit_group(&mut self) -> Result<(), ArchiveError> {
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

/// The trait's operations, each done by the part that owns it.
impl Store for Sqlite {
    fn group(&mut self) -> Result<(), ArchiveError> {
        self.open_group()
    }

    fn commit(&mut self) -> Result<(), ArchiveError> {
        self.commit_group()
    }

    fn begin(&mut self, key: &RunKey, first: &[Line]) -> Result<(i64, bool), ArchiveError> {
        self.write(|conn, error| write::begin(conn, error, key, first))
    }

    fn append(&mut self, run: i64, records: &[Record]) -> Result<u64, ArchiveError> {
        self.write(|conn, error| write::append(conn, error, run, records))
    }

    fn touch(&mut self, run: i64) -> Result<(), ArchiveError> {
        self.write(|conn, error| write::touch(conn, error, run))
    }

    fn end(&mut self, run: i64, end: &RunEnd) -> Result<(), ArchiveError> {
        self.write(|conn, error| write::end(conn, error, run, end))
    }

    fn runs(&self, query: &Query) -> Result<Vec<Run>, ArchiveError> {
        self.list_runs(query)
    }

    fn run(&self, id: i64) -> Result<Option<Run>, ArchiveError> {
        self.find_run(id)
    }

    fn records(
        &self,
        run: i64,
        from: u64,
        tail: bool,
        visit: &mut dyn FnMut(Record) -> bool,
    ) -> Result<(), ArchiveError> {
        self.walk_records(run, from, tail, visit)
    }

    fn prune(&mut self, before: f64) -> Result<u64, ArchiveError> {
        self.prune_ended(before)
    }

    fn close(&mut self) {
        // Everything in the main file: a copy of it alone holds every run.
        let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::Marker;

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
