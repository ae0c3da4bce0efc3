//! How many lines to ask for next (`--logs-count auto`), when to poll again while lines come
//! faster than a window holds (catch-up), and how long to wait before a retry. Pure: no IO, no
//! clock; durations are passed in.

use std::collections::VecDeque;
use std::time::Duration;

use crate::config::LogsCount;
use crate::line::MAX_LOGS_COUNT;
use crate::tracker::Batch;

/// The most lines the server returns.
pub const MAX_WINDOW: u8 = MAX_LOGS_COUNT;
/// Lines asked for beyond the expected growth, so that each window overlaps what was seen.
const OVERLAP: u64 = 5;
/// How many recent measurements the adaptive window remembers.
const RECENT: usize = 8;
/// Growth per poll above which polls come sooner: half of the largest window.
pub const CATCH_UP_GROWTH: u64 = MAX_WINDOW as u64 / 2;

/// `--logs-count auto`: twice the largest recent pace (lines a second, measured between two
/// answers) over the time to the next poll, plus an overlap. A full window until the pace has
/// been measured between two answers, and again after any gap, restart or failed request: asking
/// for too many lines costs bytes, too few costs lines.
#[derive(Debug)]
pub struct Window {
    fixed: Option<u8>,
    /// Recent paces, lines a second.
    recent: VecDeque<f64>,
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

    /// The size to ask for now, `elapsed` after the last answer: never less than planned, and
    /// more when the poll comes later than planned (a slow answer before it, a busy machine),
    /// so that a late poll cannot miss what a full window would have caught.
    pub fn size_after(&self, elapsed: Option<Duration>) -> u8 {
        let planned = self.size();
        let (Some(peak), Some(elapsed), None) = (self.peak(), elapsed, self.fixed) else {
            return planned;
        };
        if self.size == MAX_WINDOW {
            return planned;
        }
        let late = Window::expected(peak, elapsed).min(self.ceiling);
        planned.max(late)
    }

    fn peak(&self) -> Option<f64> {
        self.recent.iter().copied().reduce(f64::max)
    }

    /// Twice the lines `peak` brings in `time`, plus the overlap, at most a full window.
    fn expected(peak: f64, time: Duration) -> u8 {
        // A float-to-int cast saturates.
        let expected = (2.0 * peak * time.as_secs_f64()).ceil() as u64;
        expected.saturating_add(OVERLAP).min(u64::from(MAX_WINDOW)) as u8
    }

    /// The largest window that may be asked for (a full one, unless answers were too large).
    pub fn largest(&self) -> u8 {
        self.fixed.unwrap_or(MAX_WINDOW).min(self.ceiling)
    }

    pub fn widen(&mut self) {
        self.size = MAX_WINDOW;
    }

    /// The last answer was over the body limit: ask for a quarter as many lines from now on.
    pub fn too_large(&mut self) {
        self.ceiling = (self.size() / 4).max(1);
    }

    /// Takes one answer's batch. `since` is the time since the previous answer (`None` for the
    /// first, which measures nothing: the lines it holds were written at an unknown pace);
    /// `next` the time until the next poll.
    pub fn observe<T>(&mut self, batch: &Batch<T>, since: Option<Duration>, next: Duration) {
        if let Some(since) = since {
            if self.recent.len() == RECENT {
                self.recent.pop_front();
            }
            let seconds = since.as_secs_f64().max(0.001);
            self.recent.push_back(batch.growth as f64 / seconds);
        }
        self.size = match self.peak() {
            Some(peak) if !batch.discontinuity => Window::expected(peak, next),
            _ => MAX_WINDOW,
        };
    }
}

/// When to poll next after an answer that showed `pace` lines a second: at `interval`, or sooner
/// (down to `floor`) when lines come so fast that an interval would bring more than
/// [`CATCH_UP_GROWTH`] of them: a window holds 100 at most.
pub fn catch_up(pace: Option<f64>, interval: Duration, floor: Duration) -> Duration {
    let floor = floor.min(interval);
    match pace {
        Some(p) if p * interval.as_secs_f64() > CATCH_UP_GROWTH as f64 => {
            Duration::from_secs_f64(CATCH_UP_GROWTH as f64 / p).clamp(floor, interval)
        }
        _ => interval,
    }
}

/// Delay before retry `attempt` (1-based): exponential from the poll interval (at least 250 ms)
/// up to 30 s, with jitter, or what the server asked for with `Retry-After` when that is
/// longer. Starting from the interval keeps the first retries quick: lines written meanwhile
/// may scroll out of the window, and the task's log disappears when it ends. A `Retry-After`
/// of 0 or of a date in the past never makes a retry come sooner than this floor.
pub fn backoff(attempt: u32, retry_after: Option<Duration>, interval: Duration) -> Duration {
    let normal = normal_backoff(attempt, interval);
    retry_after.map_or(normal, |d| d.max(normal))
}

fn normal_backoff(attempt: u32, interval: Duration) -> Duration {
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

    const TWO_S: Duration = Duration::from_secs(2);

    #[test]
    fn auto_window_follows_the_measured_pace() {
        let mut w = Window::new(LogsCount::Auto);
        assert_eq!(w.size(), 100, "the first request asks for a full window");
        w.observe(&batch(40, false), None, TWO_S);
        assert_eq!(w.size(), 100, "the first answer measures nothing");
        w.observe(&batch(3, false), Some(TWO_S), TWO_S);
        assert_eq!(w.size(), 11, "2 x 3 + 5, once measured between two answers");
        w.observe(&batch(1, false), Some(TWO_S), TWO_S);
        assert_eq!(w.size(), 11, "the largest recent pace counts");
        w.observe(&batch(3, false), Some(TWO_S), Duration::from_millis(500));
        assert_eq!(w.size(), 7, "sized for the time to the next poll");
        w.observe(&batch(150, true), Some(TWO_S), TWO_S);
        assert_eq!(w.size(), 100);
        for _ in 0..RECENT {
            w.observe(&batch(0, false), Some(TWO_S), TWO_S);
        }
        assert_eq!(w.size(), 5);
        assert_eq!(Window::new(LogsCount::Fixed(7)).size(), 7);
        let mut w = Window::new(LogsCount::Fixed(100));
        w.too_large();
        assert_eq!(w.size(), 25);
        w.too_large();
        w.widen();
        assert_eq!(w.size(), 6, "the ceiling stays");
    }

    #[test]
    fn a_late_poll_asks_for_more() {
        let mut w = Window::new(LogsCount::Auto);
        let second = Duration::from_secs(1);
        w.observe(&batch(0, false), None, second);
        w.observe(&batch(10, false), Some(second), second);
        assert_eq!(w.size(), 25, "2 x 10 lines/s x 1 s + 5");
        assert_eq!(
            w.size_after(Some(second / 2)),
            25,
            "never less than planned"
        );
        assert_eq!(
            w.size_after(Some(second * 3)),
            65,
            "3 s late: 2 x 10 x 3 + 5"
        );
        assert_eq!(w.size_after(Some(second * 60)), 100);
        assert_eq!(w.size_after(None), 25);
        let mut fixed = Window::new(LogsCount::Fixed(7));
        fixed.observe(&batch(10, false), Some(second), second);
        assert_eq!(fixed.size_after(Some(second * 60)), 7);
    }

    #[test]
    fn catch_up_polls_sooner_only_when_an_interval_overflows_half_a_window() {
        let floor = Duration::from_millis(250);
        assert_eq!(catch_up(None, TWO_S, floor), TWO_S);
        assert_eq!(catch_up(Some(25.0), TWO_S, floor), TWO_S, "50 lines: calm");
        assert_eq!(
            catch_up(Some(80.0), TWO_S, floor),
            Duration::from_millis(625)
        );
        assert_eq!(catch_up(Some(1e9), TWO_S, floor), floor);
        assert_eq!(catch_up(Some(1e9), TWO_S, TWO_S), TWO_S, "off");
        assert_eq!(catch_up(Some(1e9), TWO_S, 2 * TWO_S), TWO_S);
        assert_eq!(catch_up(Some(f64::INFINITY), TWO_S, floor), floor);
    }

    mod properties {
        use super::super::*;
        use crate::tracker::{Entry, Start, Tracker};
        use proptest::prelude::*;

        /// Lines already there at the first answer, and raw draws for the growth per poll (bounded
        /// in `watch`).
        fn growth() -> impl Strategy<Value = (u64, Vec<(u64, u64)>)> {
            (
                0u64..300,
                proptest::collection::vec((0u64..=100, 0u64..=100), 1..60),
            )
        }

        /// The lines shown when polling a truthful log (values from a tiny alphabet) with this
        /// window, every 2 s. The growth per poll never exceeds 100 lines, nor twice the largest
        /// of the last measured ones plus the overlap (a pace that at most doubles from one poll
        /// to the next): no window can foresee a jump beyond that.
        fn watch(
            count: LogsCount,
            before: u64,
            raw: &[(u64, u64)],
            alphabet: u64,
        ) -> Vec<Entry<u64>> {
            let mut window = Window::new(count);
            let mut tracker = Tracker::new(Start::default());
            let mut log: Vec<u64> = (0..before).map(|i| i % alphabet).collect();
            let mut out = Vec::new();
            let mut measured: VecDeque<u64> = VecDeque::new();
            for (i, &(a, b)) in raw.iter().enumerate() {
                if i > 0 {
                    // Bound the growth as the pattern promises.
                    let bound = if measured.is_empty() {
                        100
                    } else {
                        (2 * measured.iter().max().copied().unwrap_or(0) + OVERLAP).min(100)
                    };
                    let g = if a % 2 == 0 {
                        b.min(bound)
                    } else {
                        bound.min(b + bound / 2)
                    };
                    let len = log.len() as u64;
                    log.extend((len..len + g).map(|i| i % alphabet));
                    if measured.len() == RECENT {
                        measured.pop_front();
                    }
                    measured.push_back(g);
                }
                let n = usize::from(window.size());
                let batch = tracker.ingest(
                    log.len() as u64,
                    log[log.len().saturating_sub(n)..].to_vec(),
                );
                window.observe(
                    &batch,
                    (i > 0).then_some(Duration::from_secs(2)),
                    Duration::from_secs(2),
                );
                out.extend(batch.entries);
            }
            out
        }

        /// Polls a truthful log growing by `growth` lines between polls (bursts of any size)
        /// as the poller does: the window `auto` plans, and when that answer would be read as
        /// skipping lines, the same question again at the largest window. Returns the entries
        /// and how many second requests were made.
        fn watch_bursts(
            count: LogsCount,
            growth: &[u64],
            alphabet: u64,
        ) -> (Vec<Entry<u64>>, usize) {
            let mut window = Window::new(count);
            let mut tracker = Tracker::new(Start::default());
            let mut log: Vec<u64> = Vec::new();
            let (mut out, mut again) = (Vec::new(), 0);
            let answer = |log: &Vec<u64>, n: u8| {
                (
                    log.len() as u64,
                    log[log.len().saturating_sub(usize::from(n))..].to_vec(),
                )
            };
            for (i, &g) in growth.iter().enumerate() {
                let len = log.len() as u64;
                log.extend((len..len + g).map(|i| i % alphabet));
                let asked = window.size_after(Some(Duration::from_secs(2)));
                let (mut total, mut lines) = answer(&log, asked);
                if asked < window.largest() && tracker.would_skip(Some(total), &lines) {
                    again += 1;
                    (total, lines) = answer(&log, window.largest());
                }
                let batch = tracker.ingest(total, lines);
                window.observe(
                    &batch,
                    (i > 0).then_some(Duration::from_secs(2)),
                    Duration::from_secs(2),
                );
                out.extend(batch.entries);
            }
            (out, again)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// With bursts of any size, `auto` (asking again at the largest window when a small
            /// one would skip) shows exactly what a full window shows, gaps included, at the
            /// cost of at most one request per poll that brought more than the window.
            #[test]
            fn auto_never_misses_what_a_full_window_catches(
                growth in proptest::collection::vec(
                    prop_oneof![6 => 0u64..=10, 2 => 0u64..=100, 1 => 0u64..=400], 1..60),
                alphabet in prop_oneof![1u64..4, Just(u64::MAX)],
            ) {
                let (auto, again) = watch_bursts(LogsCount::Auto, &growth, alphabet);
                let (full, none) = watch_bursts(LogsCount::Fixed(100), &growth, alphabet);
                prop_assert_eq!(none, 0);
                prop_assert_eq!(&auto, &full);
                prop_assert!(again <= growth.len());
            }

            /// `auto` shows exactly what a full window shows: no gap a full window would have
            /// avoided, from the task's first answer on.
            #[test]
            fn auto_yields_the_output_of_a_full_window(
                (before, raw) in growth(),
                alphabet in 1u64..4,
            ) {
                let auto = watch(LogsCount::Auto, before, &raw, alphabet);
                let full = watch(LogsCount::Fixed(100), before, &raw, alphabet);
                prop_assert!(auto.iter().all(|e| matches!(e, Entry::Line { .. })), "{:?}", auto);
                prop_assert_eq!(auto, full);
            }
        }
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
        for attempt in [1, 2, 5, 40, u32::MAX] {
            let base = (interval * (1u32 << attempt.saturating_sub(1).min(16)))
                .min(Duration::from_secs(30));
            let d = backoff(attempt, Some(Duration::ZERO), interval);
            assert!(d >= base / 2, "Retry-After: 0 on attempt {attempt}: {d:?}");
        }
        let huge = Duration::from_secs(u64::MAX);
        assert_eq!(backoff(3, Some(huge), Duration::MAX), huge);
    }
}
