//! Ctrl-C and SIGTERM while tasks are followed. The first asks every poller to stop (each task
//! ends as interrupted, with the summary); a second one exits at once. Signals are awaited on a
//! thread of their own, so that they are heard whatever the other threads are doing.

use tokio::sync::watch;

use crate::messages;
use crate::outcome::Outcome;
use crate::poller::Stop;

/// Starts listening; the first signal sets `stop` to `Stop::Interrupted`.
pub fn listen(stop: watch::Sender<Stop>) {
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(on_signals(stop));
            }
        });
    if let Err(e) = spawned {
        messages::warning(&format!("Ctrl-C will not be handled gracefully: {e}"));
    }
}

/// Ctrl-C and SIGTERM, listened to from creation on.
pub struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    /// Must be called inside a runtime with IO enabled.
    pub fn new() -> Signals {
        Signals {
            #[cfg(unix)]
            term: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok(),
        }
    }

    /// Resolves on the next Ctrl-C or SIGTERM.
    pub async fn next(&mut self) {
        #[cfg(unix)]
        let terminated = async {
            match self.term.as_mut() {
                Some(t) => {
                    t.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        #[cfg(not(unix))]
        let terminated = std::future::pending::<()>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminated => {}
        }
    }
}

impl Default for Signals {
    fn default() -> Self {
        Signals::new()
    }
}

async fn on_signals(stop: watch::Sender<Stop>) {
    let mut signals = Signals::new();
    signals.next().await;
    let _ = stop.send(Stop::Interrupted);
    signals.next().await;
    // The only exit outside `main`: the user asked twice.
    std::process::exit(i32::from(Outcome::Interrupted.exit_code()));
}
