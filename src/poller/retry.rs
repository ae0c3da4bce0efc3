//! The bookkeeping of requests failing in a row: since when, how many, and how long to wait
//! before the next attempt. Pure: no IO; instants are passed in.

use std::time::Duration;

use tokio::time::Instant;

use super::window::backoff;

/// Requests failing in a row, for one poller (or any loop that retries a request: the
/// discovery rounds of `--all` keep the same two counts). A success ends the run of failures;
/// `--give-up-after` counts from the start of the first failed attempt.
#[derive(Debug, Default)]
pub(crate) struct Retry {
    /// When the first of the failed attempts started; `None` while requests succeed.
    since: Option<Instant>,
    failures: u32,
}

impl Retry {
    /// An attempt that started at `started` failed: counts it and returns how long requests
    /// have been failing (from the start of the first failed attempt until `now`).
    pub(crate) fn failed(&mut self, started: Instant, now: Instant) -> Duration {
        let since = *self.since.get_or_insert(started);
        self.failures = self.failures.saturating_add(1);
        now.saturating_duration_since(since)
    }

    /// An attempt succeeded: the number of failures before it when there were any (then
    /// forgotten), so that the recovery can be reported once.
    pub(crate) fn succeeded(&mut self) -> Option<u32> {
        self.since.take()?;
        Some(std::mem::take(&mut self.failures))
    }

    /// Failed attempts in the current run of failures.
    pub(crate) fn failures(&self) -> u32 {
        self.failures
    }

    /// How long to wait before the next attempt: the backoff for this many failures (or the
    /// server's `Retry-After`), never past `give_up_after` (plus a moment, so that the attempt
    /// after it is the one that gives up).
    pub(crate) fn delay(
        &self,
        retry_after: Option<Duration>,
        interval: Duration,
        failing_for: Duration,
        give_up_after: Duration,
    ) -> Duration {
        backoff(self.failures, retry_after, interval).min(
            give_up_after
                .saturating_sub(failing_for)
                .saturating_add(Duration::from_millis(10)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_count_from_the_first_and_a_success_reports_them_once() {
        let mut retry = Retry::default();
        let t0 = Instant::now();
        assert_eq!(retry.succeeded(), None);
        assert_eq!(
            retry.failed(t0, t0 + Duration::from_secs(1)),
            Duration::from_secs(1)
        );
        let later = t0 + Duration::from_secs(5);
        assert_eq!(
            retry.failed(t0 + Duration::from_secs(4), later),
            Duration::from_secs(5)
        );
        assert_eq!(retry.failures(), 2);
        assert_eq!(retry.succeeded(), Some(2));
        assert_eq!(retry.succeeded(), None);
        assert_eq!(retry.failures(), 0);
    }

    #[test]
    fn the_delay_never_passes_the_time_left_to_give_up() {
        let mut retry = Retry::default();
        let t0 = Instant::now();
        let failing_for = retry.failed(t0, t0 + Duration::from_secs(9));
        let interval = Duration::from_secs(2);
        let give_up = Duration::from_secs(10);
        let long = Some(Duration::from_secs(60));
        let delay = retry.delay(long, interval, failing_for, give_up);
        assert_eq!(delay, Duration::from_millis(1010));
        // Far from giving up: the backoff itself (one failure: half to all of the interval).
        let delay = retry.delay(None, interval, Duration::ZERO, Duration::from_secs(3600));
        assert!(delay >= interval / 2 && delay <= interval, "{delay:?}");
    }
}
