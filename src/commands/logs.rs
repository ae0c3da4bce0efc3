//! `taskwatch logs`: a recorded run printed through the same renderer as `watch` (the same
//! `log`, `gap` and `restart` records, field for field, and an `end` record from the archive).
//! `-f` follows a run that another taskwatch is recording, from the archive alone: no request
//! reaches the backend.

use std::io::{self, BufWriter};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::archive::{Marker, Record, Run, Store};
use crate::commands::{archived, history};
use crate::config::{LogsRequest, Presentation};
use crate::events::{End, Event, Followed, Report};
use crate::fraction::{Pattern, Progress};
use crate::line::LogLine;
use crate::messages;
use crate::outcome::Outcome;
use crate::render::{Mode, Renderer, Setup};
use crate::tracker::{Entry, RestartReason};

/// Entries handed to the renderer at a time.
const CHUNK: usize = 4096;
/// How often `-f` looks for new lines.
const FOLLOW_EVERY: Duration = Duration::from_millis(250);
/// `-f` stops following an open run nobody has written to for this long (its followers tell
/// the archive every 30 s or so that they are still there, lines or not).
const STALE_AFTER_S: f64 = 180.0;

/// The run that began when `run` was replaced by a restart: the task's next one.
fn replacement(store: &dyn Store, run: &Run) -> Result<Option<Run>, Outcome> {
    let runs = store
        .runs(&crate::archive::Query {
            task_ids: vec![run.task_id.clone()],
            ..Default::default()
        })
        .map_err(|e| {
            messages::error(&e.to_string());
            Outcome::Error
        })?;
    Ok(runs
        .into_iter()
        .filter(|r| r.base_url == run.base_url && r.id != run.id && r.started_at >= run.started_at)
        .min_by(|a, b| a.started_at.total_cmp(&b.started_at)))
}

pub async fn command(args: &LogsRequest) -> Result<Outcome, Outcome> {
    let presentation = Presentation::from_env(&args.output);
    let settings = archived::settings(&args.archive)?;
    let (store, _) = archived::open_existing(&settings)?;
    let run = find(store.as_ref(), args)?;
    let stopped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(crate::poller::Stop::Running);
    crate::signals::listen(stop_tx);
    {
        let stopped = stopped.clone();
        tokio::spawn(async move {
            let _ = stop_rx
                .wait_for(|s| *s != crate::poller::Stop::Running)
                .await;
            stopped.store(true, std::sync::atomic::Ordering::SeqCst);
        });
    }
    let follow = args.follow;
    let replay = Replay::new(args, presentation, &run);
    let handle = tokio::task::spawn_blocking(move || replay.run(store, run, follow, &stopped));
    handle.await.unwrap_or(Err(Outcome::Internal))
}

/// The run `--run-id`, `--run` or the latest names; none: exit 3.
fn find(store: &dyn Store, args: &LogsRequest) -> Result<Run, Outcome> {
    let failed = |e: crate::archive::ArchiveError| {
        messages::error(&e.to_string());
        Outcome::Error
    };
    if let Some(id) = args.run_id {
        let run = store
            .run(i64::try_from(id).unwrap_or(i64::MAX))
            .map_err(failed)?;
        return run
            .filter(|r| matches_name(r, &args.task_id))
            .ok_or_else(|| {
                messages::note(format!(
                    "no recorded run {id} of {}",
                    crate::sanitize::line(&args.task_id)
                ));
                Outcome::NotSeen
            });
    }
    let runs = store
        .runs(&history::select(std::slice::from_ref(&args.task_id)))
        .map_err(failed)?;
    // With an @name that more than one task id has had, the newest task's runs.
    let newest_task = runs
        .first()
        .map(|r| (r.base_url.clone(), r.task_id.clone()));
    let mut of_task: Vec<Run> = runs
        .into_iter()
        .filter(|r| Some((r.base_url.clone(), r.task_id.clone())) == newest_task)
        .collect();
    let chosen = match args.run.unwrap_or(-1) {
        k if k < 0 => {
            let back = usize::try_from(k.unsigned_abs() - 1).unwrap_or(usize::MAX);
            (back < of_task.len()).then(|| of_task.swap_remove(back))
        }
        k => of_task.into_iter().find(|r| r.number == k as u64),
    };
    chosen.ok_or_else(|| {
        messages::note(format!(
            "no such recorded run of {} (see `taskwatch history`)",
            crate::sanitize::line(&args.task_id)
        ));
        Outcome::NotSeen
    })
}

fn matches_name(run: &Run, name: &str) -> bool {
    match name.strip_prefix('@') {
        Some(p) => run
            .profile
            .as_ref()
            .is_some_and(|q| q.to_lowercase() == p.to_lowercase()),
        None => run.task_id == name,
    }
}

struct Replay {
    setup: Setup,
    filter: crate::filter::Filter,
    fail_on: Vec<regex::Regex>,
    quiet: bool,
    /// `--junit`.
    junit: Option<std::path::PathBuf>,
}

impl Replay {
    fn new(args: &LogsRequest, presentation: Presentation, run: &Run) -> Replay {
        let quiet = presentation.quiet;
        Replay {
            setup: Setup {
                mode: Mode::Watch,
                presentation,
                tasks: Arc::from(vec![Followed {
                    id: run.task_id.clone(),
                    profile: run.profile.clone(),
                }]),
                open: false,
                // Masked when recorded.
                secrets: Vec::new(),
                resume_hint: false,
                highlight: args.highlight.clone(),
                ci: Default::default(),
                heartbeat: None,
            },
            filter: crate::filter::Filter {
                include: args.include.clone(),
                exclude: args.exclude.clone(),
            },
            fail_on: args.fail_on.clone(),
            quiet,
            junit: args.junit.clone(),
        }
    }

    fn run(
        self,
        store: Box<dyn Store>,
        mut run: Run,
        follow: bool,
        stopped: &AtomicBool,
    ) -> Result<Outcome, Outcome> {
        let out = BufWriter::with_capacity(64 * 1024, io::stdout());
        let renderer = Renderer::new(self.setup.clone(), out, io::stderr(), None);
        let mut reading = Reading {
            replay: &self,
            renderer,
            report: Report::new(0),
            progress: Progress::new(Pattern::default()),
            fail: None,
            next: 0,
            known_start: run.started_at,
        };
        reading.begin(&run)?;
        let mut stale = false;
        loop {
            // A run known to be over is read to its very end (what came after its last line).
            let over = run.complete();
            reading.read(store.as_ref(), &run, !follow || over)?;
            if over && follow && run.outcome.as_deref() == Some("restarted") {
                // The task's log started over: follow the run that replaced this one.
                if let Some(newer) = replacement(store.as_ref(), &run)? {
                    reading.show(vec![Entry::Restart {
                        reason: RestartReason::Reset,
                    }])?;
                    run = newer;
                    reading.next = 0;
                    continue;
                }
            }
            if !follow || over || stopped.load(Ordering::SeqCst) {
                break;
            }
            written(reading.renderer.flush())?;
            std::thread::sleep(FOLLOW_EVERY);
            // The run as it is now: ended while we read?
            match store.run(run.id) {
                Ok(Some(now)) => run = now,
                Ok(None) => break,
                Err(e) => {
                    messages::error(&e.to_string());
                    return Err(Outcome::Error);
                }
            }
            if !run.complete() && crate::archive::now() - run.updated_at > STALE_AFTER_S {
                // Nobody has written to it for a while: its recorder stopped.
                stale = true;
                break;
            }
        }
        let interrupted = stopped.load(Ordering::SeqCst) && !run.complete();
        reading.end(&run, stale, interrupted)
    }
}

/// What a write to the output came to: a closed reader (`| head`) ends the replay quietly.
fn written(r: io::Result<()>) -> Result<(), Outcome> {
    r.map_err(|e| {
        if e.kind() != io::ErrorKind::BrokenPipe {
            messages::error(&format!("cannot write output: {e}"));
            Outcome::OutputFailed
        } else {
            Outcome::Finished
        }
    })
}

/// One replay under way: the renderer and what the records read so far make of the run.
struct Reading<'a> {
    replay: &'a Replay,
    renderer: Renderer<BufWriter<io::Stdout>, io::Stderr>,
    report: Report,
    progress: Progress,
    /// The first line that matched `--fail-on`.
    fail: Option<End>,
    /// The index after the last line read.
    next: u64,
    known_start: f64,
}

impl Reading<'_> {
    fn show(&mut self, entries: Vec<Entry<LogLine>>) -> Result<(), Outcome> {
        written(self.renderer.handle(Event::Batch { task: 0, entries }))
    }

    /// The run's start, and the restart that began it, if one did.
    fn begin(&mut self, run: &Run) -> Result<(), Outcome> {
        written(self.renderer.handle(Event::Seen {
            task: 0,
            started_at: Some(self.known_start),
        }))?;
        if let Some(reason) = &run.restart {
            let reason = match reason.as_str() {
                "realigned" => RestartReason::Realigned,
                _ => RestartReason::Reset,
            };
            self.show(vec![Entry::Restart { reason }])?;
        }
        Ok(())
    }

    /// Shows the run's records from `self.next` on, a chunk at a time; `to_end`: also the
    /// markers after its last line.
    fn read(&mut self, store: &dyn Store, run: &Run, to_end: bool) -> Result<(), Outcome> {
        let mut entries: Vec<Entry<LogLine>> = Vec::new();
        let mut result: io::Result<()> = Ok(());
        let read = store.records(run.id, self.next, to_end, &mut |record| {
            if let Some(entry) = self.on_record(record) {
                entries.push(entry);
            }
            if entries.len() >= CHUNK {
                result = self.renderer.handle(Event::Batch {
                    task: 0,
                    entries: std::mem::take(&mut entries),
                });
            }
            result.is_ok()
        });
        written(result)?;
        read.map_err(|e| {
            messages::error(&e.to_string());
            Outcome::Error
        })?;
        if !entries.is_empty() {
            self.show(entries)?;
        }
        Ok(())
    }

    /// What one record shows, counted in the report; `None` for a line the filters hide.
    fn on_record(&mut self, record: Record) -> Option<Entry<LogLine>> {
        let entry = match record {
            Record::Line(line) => {
                self.next = self.next.max(line.index.saturating_add(1));
                let item = LogLine::new(line.timestamp, line.text);
                if self.fail.is_none()
                    && self
                        .replay
                        .fail_on
                        .iter()
                        .any(|re| re.is_match(&item.message))
                {
                    self.fail = Some(End::FailOn {
                        index: line.index,
                        line: item.message.clone(),
                    });
                }
                let at = item.epoch_seconds().unwrap_or(self.known_start);
                self.progress.observe(&item.message, at);
                if !self.replay.filter.shows(&item.message) {
                    self.report.hidden = self.report.hidden.saturating_add(1);
                    return None;
                }
                self.report.lines = self.report.lines.saturating_add(1);
                self.report.first_shown.get_or_insert(line.index);
                Entry::Line {
                    index: line.index,
                    item,
                }
            }
            Record::Marker { marker, .. } => self.on_marker(marker),
        };
        Some(entry)
    }

    fn on_marker(&mut self, marker: Marker) -> Entry<LogLine> {
        let report = &mut self.report;
        match marker {
            Marker::Gap { missed: Some(n) } => {
                report.missed = report.missed.saturating_add(n);
                Entry::Gap { missed: Some(n) }
            }
            Marker::Gap { missed: None } => {
                report.unknown_gaps = report.unknown_gaps.saturating_add(1);
                Entry::Gap { missed: None }
            }
            Marker::Ambiguous => {
                report.unknown_gaps = report.unknown_gaps.saturating_add(1);
                Entry::Ambiguous
            }
            Marker::Realigned => Entry::Restart {
                reason: RestartReason::Realigned,
            },
        }
    }

    /// The end: the run's outcome as recorded (or the `--fail-on` match), its `end` record,
    /// the note saying what was replayed and the JUnit report.
    fn end(mut self, run: &Run, stale: bool, interrupted: bool) -> Result<Outcome, Outcome> {
        let mut report = std::mem::replace(&mut self.report, Report::new(0));
        report.resume_from = self.next;
        report.progress = self.progress.snapshot();
        report.elapsed = Duration::try_from_secs_f64(run.duration_s()).unwrap_or_default();
        report.end = match (self.fail.take(), run.outcome.as_deref()) {
            (Some(end), _) => end,
            (None, Some("failed")) => End::FailedStatus {
                status: run.failed_status.clone().unwrap_or_else(|| "failed".into()),
            },
            _ if interrupted => End::Interrupted,
            _ => End::Finished,
        };
        let ended = run.complete() && run.outcome.as_deref() != Some("restarted");
        let outcome = report.outcome();
        if ended || outcome != Outcome::Finished {
            written(self.renderer.handle(Event::Ended(report.clone())))?;
        }
        written(self.renderer.finish(&[], false))?;
        let replay = self.replay;
        if !replay.quiet {
            messages::note(crate::render::archive::replayed(run, &report, ended, stale));
        }
        if let Some(path) = &replay.junit {
            // The same report as `watch --junit` writes, from the recorded facts.
            let xml = crate::render::junit::xml(&replay.setup.tasks, &[report], &[]);
            if let Err(e) = crate::files::write_atomic(path, xml.as_bytes()) {
                messages::error(&format!(
                    "cannot write the JUnit report to {}: {e} (the file was left as it was)",
                    path.display()
                ));
                return Ok(Outcome::worst([outcome, Outcome::OutputFailed]));
            }
        }
        Ok(outcome)
    }
}
