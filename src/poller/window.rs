//! How many lines to ask for next (`--logs-count auto`) and how long to wait before a retry.
//! Pure: no IO, no clock.

use std::collections::VecDeque;
use std::time::Duration;

use crate::config::LogsCount;
use crate::line::MAX_LOGS_COUNT;
use crate::tracker::Batch;

/// The most lines the server returns.
pub const MAX_WINDOW: u8 = MAX_LOGS_COUNT;
/// Lines asked for beyond the expected growth, so that each window overlaps what was seen.
const OVERLAP: u64 = 5;
/// How many recent polls the adaptive window remembers.
const RECENT: usize = 8;

/// `--logs-count auto`: about twice the largest recent per-poll growth plus an overlap; a full
/// window at first and after any gap or restart, shrinking from there by halves at most.
#[derive(Debug)]
pub struct Window {
    fixed: Option<u8>,
    recent: VecDeque<u64>,
    size: u8,
    /// Lowered when an answer was too large to accept (very long lines).
    ceiling: u8,
}

impl Window {
    pub fn new(count: LogsCount) -> Window {
        Window {
            fixed: match count {
                LogsCount::Fixed(n) => Some(n),
                LogsCount::Auto => None,
            },
            recent: VecDeque::with_capacity(RECENT),
            size: MAX_WINDOW,
            ceiling: MAX_WINDOW,
        }
    }

    pub fn size(&self) -> u8 {
        self.fixed.unwrap_or(self.size).min(self.ceiling)
    }

    /// Sets the expected growth per poll before any has been seen (from the pace the server
    /// reports), so the second request need not ask for a full window.
    pub fn prime(&mut self, expected_growth: u64) {
        self.recent.clear();
        self.recent.push_back(expected_growth);
        self.size = expected_growth
            .saturating_mul(2)
            .saturating_add(OVERLAP)
            .min(u64::from(MAX_WINDOW)) as u8;
    }

    pub fn widen(&mut self) {
        self.size = MAX_WINDOW;
    }

    /// The last answer was over the body limit: ask for a quarter as many lines from now on.
    pub fn too_large(&mut self) {
        self.ceiling = (self.size() / 4).max(1);
    }

    pub fn observe<T>(&mut self, batch: &Batch<T>) {
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(batch.growth);
        self.size = if batch.discontinuity {
            MAX_WINDOW
        } else {
            let peak = self.recent.iter().copied().max().unwrap_or(0);
            // Shrink by halves at most: a few polls to learn the pace before trusting it.
            peak.saturating_mul(2)
                .saturating_add(OVERLAP)
                .max(u64::from(self.size / 2))
                .min(u64::from(MAX_WINDOW)) as u8
        };
    }
}

/// Delay before retry `attempt` (1-based): exponential from the poll interval (at least 250 ms)
/// up to 30 s, with jitter, or what the server asked for with `Retry-After`. Starting from the
/// interval keeps the first retries quick: lines written meanwhile may scroll out of the window,
/// and the task's log disappears when it ends.
pub fn backoff(attempt: u32, retry_after: Option<Duration>, interval: Duration) -> Duration {
    if let Some(d) = retry_after {
        return d;
    }
    let base = interval
        .max(Duration::from_millis(250))
        .saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(Duration::from_secs(30));
    // Equal jitter: half fixed, half random, so many clients do not retry in step.
    base / 2 + base.mul_f64(fastrand::f64() / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(growth: u64, discontinuity: bool) -> Batch<u64> {
        Batch {
            entries: vec![],
            growth,
            discontinuity,
        }
    }

    #[test]
    fn auto_window_follows_growth() {
        let mut w = Window::new(LogsCount::Auto);
        assert_eq!(w.size(), 100, "the first request asks for a full window");
        let sizes: Vec<u8> = (0..6)
            .map(|_| {
                w.observe(&batch(3, false));
                w.size()
            })
            .collect();
        assert_eq!(
            sizes,
            vec![50, 25, 12, 11, 11, 11],
            "halving down to 2 x 3 + 5"
        );
        w.observe(&batch(1, false));
        assert_eq!(w.size(), 11, "the largest recent growth counts");
        w.observe(&batch(150, true));
        assert_eq!(w.size(), 100);
        for _ in 0..RECENT + 6 {
            w.observe(&batch(0, false));
        }
        assert_eq!(w.size(), 5);
        assert_eq!(Window::new(LogsCount::Fixed(7)).size(), 7);
        let mut w = Window::new(LogsCount::Auto);
        w.observe(&batch(0, false));
        w.prime(4);
        assert_eq!(w.size(), 13, "primed from the server's pace");
        w.observe(&batch(2, false));
        assert_eq!(w.size(), 13, "the primed growth counts as recent");
        let mut w = Window::new(LogsCount::Fixed(100));
        w.too_large();
        assert_eq!(w.size(), 25);
        w.too_large();
        w.widen();
        assert_eq!(w.size(), 6, "the ceiling stays");
    }

    #[test]
    fn backoff_grows_from_the_interval_and_is_capped() {
        let interval = Duration::from_secs(2);
        for attempt in 1..40 {
            let d = backoff(attempt, None, interval);
            let base = (interval * (1u32 << (attempt - 1).min(16))).min(Duration::from_secs(30));
            assert!(d >= base / 2 && d <= base, "attempt {attempt}: {d:?}");
        }
        let fast = backoff(1, None, Duration::from_millis(100));
        assert!(fast >= Duration::from_millis(125) && fast <= Duration::from_millis(250));
        assert_eq!(
            backoff(1, Some(Duration::from_secs(7)), interval),
            Duration::from_secs(7)
        );
    }
}
