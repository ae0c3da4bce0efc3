//! The renderer's thread and everything about it: it writes every event to stdout and
//! stderr, then the summary; after Ctrl-C, when its stdout is stalled, the run writes the
//! summary without it. Whoever writes the summary first is the only one to write it:
//! [`RenderThread`] owns that.

use std::io::{self, BufWriter};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};

use crate::events::{Event, Followed, Report};
use crate::messages;
use crate::outcome::Outcome;
use crate::poller::Stop;
use crate::render::progress::StatusLines;
use crate::render::{summary, Mode, Renderer, Setup, WrittenLog};

/// After Ctrl-C, how long the renderer may take to finish before the summary is written
/// without it (its stdout is stalled).
const RENDERER_GRACE: Duration = Duration::from_millis(700);

/// What became of the output.
pub(super) enum Output {
    Written,
    /// The reader went away (`| head`): it has what it wanted.
    Closed,
    /// A write failed (a full disk); already reported.
    Failed,
}

/// The renderer's thread, seen from the run.
pub(super) struct RenderThread {
    rendered: oneshot::Receiver<Output>,
    /// The final reports, for the summary, and whether the run was stopped.
    reports: std::sync::mpsc::Sender<(Vec<Report>, bool)>,
    /// Set by whoever writes the summary (the thread, or the run when the thread is stuck).
    summary_taken: Arc<AtomicBool>,
    /// What reached stdout, per task.
    pub written: Arc<WrittenLog>,
}

impl RenderThread {
    /// Starts the thread: it renders `inbox` until every sender is gone; a closed or failed
    /// output stops the pollers through `stop`.
    pub fn spawn(setup: Setup, inbox: mpsc::Receiver<Event>, stop: watch::Sender<Stop>) -> Self {
        let summary_taken = Arc::new(AtomicBool::new(false));
        let (reports, reports_rx) = std::sync::mpsc::channel();
        let written = Arc::new(WrittenLog::default());
        let rendered = spawn_renderer(
            setup,
            inbox,
            stop,
            reports_rx,
            summary_taken.clone(),
            written.clone(),
        );
        RenderThread {
            rendered,
            reports,
            summary_taken,
            written,
        }
    }

    /// The reports the summary is made of (the renderer summarises these, not what reached
    /// it: an event may have been given up); `stopped`: they are first brought in line with
    /// what reached stdout.
    pub fn hand(&self, reports: Vec<Report>, stopped: bool) {
        let _ = self.reports.send((reports, stopped));
    }

    /// What became of the output, once the thread is done; `None` when a signal came while
    /// it was still busy and it did not finish within a short grace (its stdout is stalled).
    pub async fn wait(
        &mut self,
        stop: &mut watch::Receiver<Stop>,
    ) -> Option<Result<Output, oneshot::error::RecvError>> {
        tokio::select! {
            output = &mut self.rendered => Some(output),
            _ = stop.wait_for(|s| *s == Stop::Interrupted) => {
                tokio::time::timeout(RENDERER_GRACE, &mut self.rendered).await.ok()
            }
        }
    }

    /// The summary on stderr, unless the renderer has written it.
    pub fn write_summary(&self, setup: &Setup, tasks: &[Followed], reports: &[Report]) {
        if !self.summary_taken.swap(true, Ordering::SeqCst) {
            summary::write(&mut io::stderr(), setup, tasks, reports);
        }
    }
}

/// How the run ended, beyond the tasks' outcome.
pub(super) struct Ending {
    /// By Ctrl-C or SIGTERM.
    pub interrupted: bool,
    /// A signal is how this run ends well (the recorder).
    pub stop_ends_well: bool,
    /// The archive or a report could not be written.
    pub archive_failed: bool,
}

impl Ending {
    /// The exit's outcome, from what became of the output (`None`: the renderer is stalled);
    /// `write_summary` is called when the renderer has not written the summary.
    pub fn outcome(
        &self,
        output: Option<Result<Output, oneshot::error::RecvError>>,
        outcome: Outcome,
        write_summary: impl FnOnce(),
    ) -> Outcome {
        let by_signal = ended_by_signal(self.stop_ends_well, self.archive_failed);
        match output {
            Some(Ok(Output::Written)) => {}
            Some(Ok(Output::Closed)) if !self.interrupted => {
                return if self.archive_failed {
                    Outcome::OutputFailed
                } else {
                    Outcome::Finished
                }
            }
            Some(Ok(Output::Failed)) if !self.interrupted => return Outcome::OutputFailed,
            Some(Ok(Output::Closed | Output::Failed)) | None => write_summary(),
            // The renderer thread is gone (it could not start, or it panicked): a bug.
            Some(Err(_)) => {
                write_summary();
                return if self.interrupted {
                    by_signal
                } else {
                    Outcome::Internal
                };
            }
        }
        if self.interrupted {
            return by_signal;
        }
        outcome
    }
}

/// The outcome of a run ended by Ctrl-C or SIGTERM.
fn ended_by_signal(ends_well: bool, archive_failed: bool) -> Outcome {
    match (ends_well, archive_failed) {
        (false, _) => Outcome::Interrupted,
        (true, false) => Outcome::Finished,
        (true, true) => Outcome::OutputFailed,
    }
}

/// The renderer on a thread of its own; the receiver tells how the output went once every
/// sender is gone. It summarises the reports `reports` hands it then.
fn spawn_renderer(
    setup: Setup,
    mut inbox: mpsc::Receiver<Event>,
    stop: watch::Sender<Stop>,
    reports: std::sync::mpsc::Receiver<(Vec<Report>, bool)>,
    summary_taken: Arc<AtomicBool>,
    written: Arc<WrittenLog>,
) -> oneshot::Receiver<Output> {
    let (done, rendered) = oneshot::channel();
    let work = move || {
        let status_lines = setup
            .presentation
            .progress
            // With `--all`, tasks come and go: one line for all of them.
            .then(|| {
                StatusLines::start(if setup.open {
                    usize::MAX
                } else {
                    setup.tasks.len()
                })
            });
        let out = BufWriter::with_capacity(64 * 1024, io::stdout());
        let watching = setup.mode == Mode::Watch;
        let mut renderer =
            Renderer::new(setup, out, io::stderr(), status_lines).with_written(written.clone());
        // Stop the pollers, unless a signal already did: that must stay an interrupt.
        let output_closed = || {
            stop.send_if_modified(|s| {
                let running = *s == Stop::Running;
                if running {
                    *s = Stop::OutputClosed;
                }
                running
            });
        };
        let mut result = renderer.start();
        if result.is_err() {
            output_closed();
        }
        while let Some(event) = inbox.blocking_recv().filter(|_| result.is_ok()) {
            result = renderer.handle(event);
            if result.is_err() {
                output_closed();
                break;
            }
        }
        drop(inbox);
        let result = result.and_then(|()| {
            let (mut reports, stopped) = reports.recv().unwrap_or_default();
            if stopped && watching {
                written.reconcile(&mut reports);
            }
            let summary = !summary_taken.swap(true, Ordering::SeqCst);
            renderer.finish(&reports, summary)
        });
        let _ = done.send(match result {
            Ok(()) => Output::Written,
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Output::Closed,
            Err(e) => {
                messages::error(&format!("cannot write output: {e}"));
                Output::Failed
            }
        });
    };
    if let Err(e) = std::thread::Builder::new()
        .name("render".into())
        .spawn(work)
    {
        messages::error(&format!("cannot start the output thread: {e}"));
    }
    rendered
}
