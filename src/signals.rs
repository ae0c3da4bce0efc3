//! Ctrl-C and SIGTERM while tasks are followed. The first asks every poller to stop (each task
//! ends as interrupted, with the summary); a second one exits at once. Signals are awaited on a
//! thread of their own, so that they are heard whatever the other threads are doing.

use tokio::sync::watch;

use crate::messages;
use crate::outcome::Outcome;
use crate::poller::Stop;

/// Starts listening; the first signal sets `stop` to `Stop::Interrupted`.
/// Returns once the handlers are installed.
pub fn listen(stop: watch::Sender<Stop>) {
    let (ready, installed) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async {
                    let signals = Signals::new();
                    let _ = ready.send(());
                    on_signals(signals, stop).await
                });
            }
        });
    match spawned {
        Ok(_) => {
            let _ = installed.recv();
        }
        Err(e) => messages::warning(&format!("Ctrl-C will not be handled gracefully: {e}")),
    }
}

/// Ctrl-C and SIGTERM, listened to from creation on (both handlers are installed at once,
/// so a signal that comes right after is not missed).
/// Runs a one-shot step (a listing, `status`, `ls`, a login request) until it ends or Ctrl-C
/// or SIGTERM comes: then it is dropped, a one-line note said, and the outcome is
/// `Interrupted` (exit 130), as for `watch`.
pub async fn or_interrupted<T>(
    step: impl std::future::Future<Output = Result<T, Outcome>>,
) -> Result<T, Outcome> {
    let mut signals = Signals::new();
    tokio::select! {
        biased;
        _ = signals.next() => {
            messages::note("interrupted");
            Err(Outcome::Interrupted)
        }
        done = step => done,
    }
}

pub struct Signals {
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    /// Must be called inside a runtime with IO enabled.
    pub fn new() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Signals {
                int: signal(SignalKind::interrupt()).ok(),
                term: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// Resolves on the next Ctrl-C or SIGTERM.
    pub async fn next(&mut self) {
        #[cfg(unix)]
        {
            async fn recv(s: Option<&mut tokio::signal::unix::Signal>) {
                match s {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            tokio::select! {
                _ = recv(self.int.as_mut()) => {}
                _ = recv(self.term.as_mut()) => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

impl Default for Signals {
    fn default() -> Self {
        Signals::new()
    }
}

async fn on_signals(mut signals: Signals, stop: watch::Sender<Stop>) {
    signals.next().await;
    let _ = stop.send(Stop::Interrupted);
    signals.next().await;
    // The only exit outside `main`: the user asked twice.
    std::process::exit(i32::from(Outcome::Interrupted.exit_code()));
}
