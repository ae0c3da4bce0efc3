//! The run's timers: the token's expiry and the heartbeats. Each sends events through a weak
//! sender, so that it never keeps the event stream open.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::config::Polling;
use crate::events::Event;
use crate::messages;
use crate::render::{self, Setup};

/// Sends a heartbeat tick every `period`; the renderer decides whether one is said.
pub(super) fn heartbeats(
    period: Duration,
    events: &mpsc::Sender<Event>,
) -> tokio::task::JoinHandle<()> {
    // A weak sender: the ticks must not keep the event stream open.
    let events = events.downgrade();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let Some(events) = events.upgrade() else {
                return;
            };
            // Never wait for room: a full channel means lines are flowing.
            let _ = events.try_send(Event::Heartbeat);
        }
    })
}

/// Warns now when the token expires before `--timeout` ends, and says so when it does expire.
pub(super) fn expiry_warning(
    exp: f64,
    setup: &Setup,
    polling: &Polling,
    events: &mpsc::Sender<Event>,
) -> tokio::task::JoinHandle<()> {
    let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
    let left = Duration::try_from_secs_f64((exp - now).max(0.0)).unwrap_or(Duration::MAX);
    if !setup.presentation.quiet && polling.timeout.is_some_and(|t| t > left) {
        let at = render::format::rfc3339(Some(exp), setup.presentation.utc);
        messages::warning(&format!(
            "the token expires at {at} (in {}), before --timeout ends",
            render::duration(left)
        ));
    }
    // A weak sender: the warning must not keep the event stream open.
    let events = events.downgrade();
    tokio::spawn(async move {
        if let Some(at) = tokio::time::Instant::now().checked_add(left) {
            tokio::time::sleep_until(at).await;
            if let Some(events) = events.upgrade() {
                let _ = events.send(Event::TokenExpired { at: exp }).await;
            }
        }
    })
}
