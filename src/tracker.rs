//! The exactly-once cursor: turns repeated "last N lines + total" snapshots into a stream of new
//! lines, gap markers and restart markers. Pure: no IO, no clock.
//!
//! The server gives no cursor, only its total line count. A window of `w` lines with total `T`
//! claims to hold the lines at indices `T-w .. T`. That claim is checked against the lines already
//! seen (a bounded history of their keys): while it holds, the total is trusted and gaps are exact.
//! When it does not (a server that trims its log stops growing its total; a restarted task starts
//! again from zero), the window is realigned on its longest overlap with the history; with no
//! overlap at all, the log was either reset (the total went down) or scrolled past by an unknown
//! number of lines.

use std::collections::VecDeque;

pub use crate::line::Keyed;
use crate::line::MAX_LOGS_COUNT;

/// How many seen lines are remembered to verify the next window: one full window.
pub const HISTORY: usize = MAX_LOGS_COUNT as usize;

/// Why the tracker discarded its idea of where it was in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartReason {
    /// The total went down and nothing in the window matches what was seen: the log started over.
    Reset,
    /// The total stopped describing the lines (a trimming server); lines are followed by content.
    Realigned,
}

impl RestartReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RestartReason::Reset => "reset",
            RestartReason::Realigned => "realigned",
        }
    }
}

/// What one snapshot adds to the stream, in output order.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry<T> {
    /// A line not shown before, with its 0-based position in the task's log.
    Line {
        index: u64,
        item: T,
    },
    /// Lines that scrolled out of the window before they could be read; `None` when the count
    /// cannot be known.
    Gap {
        missed: Option<u64>,
    },
    Restart {
        reason: RestartReason,
    },
}

/// The result of one `ingest`.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch<T> {
    pub entries: Vec<Entry<T>>,
    /// New lines this snapshot revealed, shown or missed (unknown gaps count as a full window).
    pub growth: u64,
    /// A gap or a restart happened: the next request should ask for a full window.
    pub discontinuity: bool,
}

impl<T> Batch<T> {
    fn new() -> Self {
        Batch {
            entries: Vec::new(),
            growth: 0,
            discontinuity: false,
        }
    }

    pub fn lines(&self) -> impl Iterator<Item = (u64, &T)> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Line { index, item } => Some((*index, item)),
            _ => None,
        })
    }
}

/// Where to start on the first snapshot.
#[derive(Debug, Clone, Copy, Default)]
pub struct Start {
    /// Show at most this many lines of the history the first snapshot holds.
    pub tail: Option<u64>,
    /// Lines before this index count as already shown (resuming an earlier run).
    pub from_index: Option<u64>,
}

#[derive(Debug)]
pub struct Tracker {
    start: Start,
    started: bool,
    /// Just past the last line seen, in the server's own numbering at the last snapshot.
    cursor: u64,
    /// Index of the next line in the task's log as shown to the user: equal to `cursor` while the
    /// server's total tells the truth, counted on by content when it does not.
    index: u64,
    /// Keys of the last seen lines, oldest first; the back one sits just before `cursor`.
    history: VecDeque<u64>,
    last_total: u64,
    following_content: bool,
}

impl Tracker {
    pub fn new(start: Start) -> Self {
        Tracker {
            start,
            started: false,
            cursor: 0,
            index: 0,
            history: VecDeque::with_capacity(HISTORY),
            last_total: 0,
            following_content: false,
        }
    }

    /// The index to resume from with `--from-index`: every line before it was seen.
    pub fn next_index(&self) -> u64 {
        self.index
    }

    /// Takes one snapshot: the server's total line count and its window, oldest line first.
    pub fn ingest<T: Keyed>(&mut self, total: u64, window: Vec<T>) -> Batch<T> {
        let w = window.len() as u64;
        // A total below the window's own length is impossible; the window is the better witness.
        let total = total.max(w);
        let mut batch = Batch::new();
        if !self.started {
            self.first(total, window, &mut batch);
        } else if w == 0 {
            if total == 0 && self.cursor > 0 {
                self.reset(&mut batch);
            }
        } else if self.claim_holds(total, &window) {
            let start = total - w;
            if start > self.cursor {
                self.gap(Some(start - self.cursor), &mut batch);
            }
            let skip = self.cursor.saturating_sub(start);
            self.take(window, skip, &mut batch);
        } else {
            self.realign(total, window, &mut batch);
        }
        if w > 0 || total == 0 {
            // Whatever path was taken, the window's last line is the server's line `total - 1`.
            self.cursor = total;
        }
        self.last_total = total;
        batch
    }

    fn first<T: Keyed>(&mut self, total: u64, window: Vec<T>, batch: &mut Batch<T>) {
        self.started = true;
        let w = window.len() as u64;
        let start = total - w;
        let mut shown_from = start;
        if let Some(from) = self.start.from_index {
            if from > total {
                // The log is shorter than the point to resume from: it started over.
                batch.entries.push(Entry::Restart {
                    reason: RestartReason::Reset,
                });
                batch.discontinuity = true;
            } else if from < start {
                self.gap(Some(start - from), batch);
            } else {
                shown_from = from;
            }
        }
        if let Some(tail) = self.start.tail {
            shown_from = shown_from.max(total - tail.min(w));
        }
        for (i, item) in window.into_iter().enumerate() {
            let index = start + i as u64;
            self.remember(item.key());
            if index >= shown_from {
                batch.entries.push(Entry::Line { index, item });
            }
        }
        self.index = total;
    }

    /// Does the window agree with what was seen, at the position its total claims?
    fn claim_holds<T: Keyed>(&self, total: u64, window: &[T]) -> bool {
        let w = window.len() as u64;
        if total < self.cursor {
            return false;
        }
        let start = total - w;
        if start >= self.cursor {
            // No overlap claimed: nothing to check against, so the total is taken at its word,
            // unless it has already been caught not describing the lines.
            return !self.following_content;
        }
        let j = (self.cursor - start) as usize;
        let m = j.min(self.history.len());
        let seen = self.history.iter().skip(self.history.len() - m);
        window[j - m..j].iter().map(Keyed::key).eq(seen.copied())
    }

    /// How many lines ending at `window[j - 1]` equal the last lines seen.
    fn matched_run<T: Keyed>(&self, window: &[T], j: usize) -> usize {
        window[..j]
            .iter()
            .rev()
            .zip(self.history.iter().rev())
            .take_while(|(line, seen)| line.key() == **seen)
            .count()
    }

    fn realign<T: Keyed>(&mut self, total: u64, window: Vec<T>, batch: &mut Batch<T>) {
        let w = window.len();
        // Where does the last line seen sit in this window? The position with the longest run of
        // lines matching the end of the history wins; on a tie, the later one, which shows fewer
        // lines: an ambiguous window must not print anything twice.
        let aligned = (1..=w)
            .map(|j| (self.matched_run(&window, j), j))
            .max()
            .filter(|&(run, _)| run > 0);
        if let Some((_, j)) = aligned {
            if !self.following_content {
                self.following_content = true;
                batch.entries.push(Entry::Restart {
                    reason: RestartReason::Realigned,
                });
            }
            self.take(window, j as u64, batch);
        } else if total < self.last_total {
            self.reset(batch);
            let start = total - w as u64;
            if start > 0 {
                self.gap(Some(start), batch);
            }
            self.take(window, 0, batch);
        } else {
            // Nothing overlaps and the total did not go down: more lines passed than the window
            // holds, and the total cannot say how many.
            self.gap(None, batch);
            self.take(window, 0, batch);
        }
    }

    fn reset<T>(&mut self, batch: &mut Batch<T>) {
        batch.entries.push(Entry::Restart {
            reason: RestartReason::Reset,
        });
        batch.discontinuity = true;
        self.history.clear();
        self.following_content = false;
        self.cursor = 0;
        self.index = 0;
    }

    fn gap<T>(&mut self, missed: Option<u64>, batch: &mut Batch<T>) {
        batch.entries.push(Entry::Gap { missed });
        batch.discontinuity = true;
        batch.growth += missed.unwrap_or(HISTORY as u64);
        self.index = self.index.saturating_add(missed.unwrap_or(0));
        // The history must stay contiguous with the cursor; after a gap it no longer is.
        self.history.clear();
    }

    /// Emits `window[skip..]` as new lines and moves the index past them.
    fn take<T: Keyed>(&mut self, window: Vec<T>, skip: u64, batch: &mut Batch<T>) {
        for item in window.into_iter().skip(skip as usize) {
            self.remember(item.key());
            batch.entries.push(Entry::Line {
                index: self.index,
                item,
            });
            self.index = self.index.saturating_add(1);
            batch.growth += 1;
        }
    }

    fn remember(&mut self, key: u64) {
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(batch: &Batch<u64>) -> Vec<(u64, u64)> {
        batch.lines().map(|(i, v)| (i, *v)).collect()
    }

    fn window(log: &[u64], n: usize) -> Vec<u64> {
        log[log.len().saturating_sub(n)..].to_vec()
    }

    #[test]
    fn first_snapshot_shows_the_whole_window_with_its_indices() {
        let mut t = Tracker::new(Start::default());
        let b = t.ingest(12, vec![10, 11]);
        assert_eq!(lines(&b), vec![(10, 10), (11, 11)]);
        assert_eq!(t.next_index(), 12);
    }

    #[test]
    fn growth_prints_only_new_lines() {
        let mut t = Tracker::new(Start::default());
        let log: Vec<u64> = (0..30).collect();
        t.ingest(10, window(&log[..10], 10));
        let b = t.ingest(15, window(&log[..15], 10));
        assert_eq!(lines(&b), (10..15).map(|i| (i, i)).collect::<Vec<_>>());
        assert_eq!(b.growth, 5);
        assert!(!b.discontinuity);
    }

    #[test]
    fn identical_lines_all_print() {
        let mut t = Tracker::new(Start::default());
        t.ingest(2, vec![7, 7]);
        let b = t.ingest(5, vec![7, 7, 7, 7, 7]);
        assert_eq!(lines(&b), vec![(2, 7), (3, 7), (4, 7)]);
    }

    #[test]
    fn a_burst_past_the_window_is_an_exact_gap() {
        let mut t = Tracker::new(Start::default());
        let log: Vec<u64> = (0..200).collect();
        t.ingest(10, window(&log[..10], 10));
        let b = t.ingest(200, window(&log, 20));
        assert_eq!(b.entries[0], Entry::Gap { missed: Some(170) });
        assert_eq!(lines(&b).first(), Some(&(180, 180)));
        assert_eq!(b.growth, 190);
        assert!(b.discontinuity);
    }

    #[test]
    fn a_trimming_server_is_followed_by_content() {
        let mut t = Tracker::new(Start::default());
        // The server keeps 5 lines: its total stays at 5 while lines keep coming.
        t.ingest(5, vec![0, 1, 2, 3, 4]);
        let b = t.ingest(5, vec![2, 3, 4, 5, 6]);
        assert_eq!(
            b.entries,
            vec![
                Entry::Restart {
                    reason: RestartReason::Realigned
                },
                Entry::Line { index: 5, item: 5 },
                Entry::Line { index: 6, item: 6 },
            ]
        );
        let b = t.ingest(5, vec![4, 5, 6, 7, 8]);
        assert_eq!(lines(&b), vec![(7, 7), (8, 8)]);
        assert_eq!(b.entries.len(), 2, "realigned is said once");
        let b = t.ingest(5, vec![4, 5, 6, 7, 8]);
        assert!(b.entries.is_empty());
    }

    #[test]
    fn a_trimming_server_outrun_is_a_gap_of_unknown_size() {
        let mut t = Tracker::new(Start::default());
        t.ingest(5, vec![0, 1, 2, 3, 4]);
        let b = t.ingest(5, vec![20, 21, 22, 23, 24]);
        assert_eq!(b.entries[0], Entry::Gap { missed: None });
        assert_eq!(lines(&b)[0], (5, 20));
        assert_eq!(t.next_index(), 10);
    }

    #[test]
    fn a_reset_log_restarts_from_its_window() {
        let mut t = Tracker::new(Start::default());
        t.ingest(50, (40..50).collect());
        let b = t.ingest(3, vec![100, 101, 102]);
        assert_eq!(
            b.entries[0],
            Entry::Restart {
                reason: RestartReason::Reset
            }
        );
        assert_eq!(lines(&b), vec![(0, 100), (1, 101), (2, 102)]);
        let b = t.ingest(4, vec![100, 101, 102, 103]);
        assert_eq!(lines(&b), vec![(3, 103)]);
    }

    #[test]
    fn a_reset_with_lines_before_the_window_counts_them() {
        let mut t = Tracker::new(Start::default());
        t.ingest(50, (40..50).collect());
        let b = t.ingest(8, vec![105, 106, 107]);
        assert_eq!(b.entries[1], Entry::Gap { missed: Some(5) });
        assert_eq!(lines(&b)[0], (5, 105));
    }

    #[test]
    fn tail_limits_the_first_window_only() {
        let mut t = Tracker::new(Start {
            tail: Some(2),
            from_index: None,
        });
        let b = t.ingest(10, (0..10).collect());
        assert_eq!(lines(&b), vec![(8, 8), (9, 9)]);
        let b = t.ingest(12, (2..12).collect());
        assert_eq!(lines(&b), vec![(10, 10), (11, 11)]);
    }

    #[test]
    fn tail_zero_shows_only_what_comes_next() {
        let mut t = Tracker::new(Start {
            tail: Some(0),
            from_index: None,
        });
        assert!(t.ingest(10, (0..10).collect()).entries.is_empty());
        assert_eq!(lines(&t.ingest(11, (1..11).collect())), vec![(10, 10)]);
    }

    #[test]
    fn from_index_resumes_and_counts_what_scrolled_away() {
        let mut t = Tracker::new(Start {
            tail: None,
            from_index: Some(7),
        });
        let b = t.ingest(10, (0..10).collect());
        assert_eq!(lines(&b), vec![(7, 7), (8, 8), (9, 9)]);

        let mut t = Tracker::new(Start {
            tail: None,
            from_index: Some(3),
        });
        let b = t.ingest(20, (10..20).collect());
        assert_eq!(b.entries[0], Entry::Gap { missed: Some(7) });
        assert_eq!(lines(&b).len(), 10);
    }

    #[test]
    fn a_total_below_the_window_does_not_underflow() {
        let mut t = Tracker::new(Start::default());
        let b = t.ingest(1, vec![1, 2, 3]);
        assert_eq!(lines(&b), vec![(0, 1), (1, 2), (2, 3)]);
        t.ingest(0, vec![1, 2, 3, 4]);
    }

    #[test]
    fn a_huge_total_is_just_a_number() {
        let mut t = Tracker::new(Start::default());
        let b = t.ingest(1 << 63, vec![1, 2]);
        assert_eq!(lines(&b)[0].0, (1 << 63) - 2);
        let b = t.ingest(u64::MAX, vec![3]);
        assert!(matches!(b.entries[0], Entry::Gap { missed: Some(_) }));
    }

    #[test]
    fn an_emptied_log_is_a_reset() {
        let mut t = Tracker::new(Start::default());
        t.ingest(3, vec![1, 2, 3]);
        let b = t.ingest(0, Vec::<u64>::new());
        assert_eq!(
            b.entries,
            vec![Entry::Restart {
                reason: RestartReason::Reset
            }]
        );
        assert_eq!(lines(&t.ingest(2, vec![8, 9])), vec![(0, 8), (1, 9)]);
    }

    #[test]
    fn history_is_bounded() {
        let mut t = Tracker::new(Start::default());
        for k in 1..50u64 {
            t.ingest(k * 100, ((k - 1) * 100..k * 100).collect());
        }
        assert!(t.history.len() <= HISTORY);
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// One step of a simulated server: lines appended, then a poll asking for `ask` lines.
        #[derive(Debug, Clone)]
        struct Step {
            append: usize,
            ask: usize,
            restart: bool,
        }

        fn steps(max_append: usize, restarts: bool) -> impl Strategy<Value = Vec<Step>> {
            let step = (
                prop_oneof![4 => 0..=max_append.min(8), 1 => 0..=max_append],
                1..=100usize,
                proptest::bool::weighted(if restarts { 0.1 } else { 0.0 }),
            )
                .prop_map(|(append, ask, restart)| Step {
                    append,
                    ask,
                    restart,
                });
            proptest::collection::vec(step, 1..40)
        }

        /// One poll's events, and whether a silent skip is excusable there: the window held none
        /// of the lines seen before and the server's total was not the true count (it trims, or
        /// its log started over since the last poll), so no client could tell what it missed.
        struct Poll {
            events: Vec<Entry<u64>>,
            blind: bool,
        }

        /// Runs the tracker against a server keeping at most `cap` lines (its total is the number
        /// it keeps). Returns each poll and every line ever written, in order.
        fn run(steps: &[Step], cap: usize, value: impl Fn(u64) -> u64) -> (Vec<Poll>, Vec<u64>) {
            let mut tracker = Tracker::new(Start::default());
            let (mut all, mut kept, mut polls) = (Vec::new(), Vec::new(), Vec::new());
            let (mut serial, mut epoch_len, mut last_seen) = (0u64, 0usize, None);
            for step in steps {
                if step.restart {
                    kept.clear();
                    epoch_len = 0;
                }
                let restarted = step.restart;
                for _ in 0..step.append {
                    let line = value(serial);
                    serial += 1;
                    all.push(line);
                    kept.push(line);
                    epoch_len += 1;
                    if kept.len() > cap {
                        kept.remove(0);
                    }
                }
                let window = kept[kept.len().saturating_sub(step.ask)..].to_vec();
                let blind = (epoch_len > kept.len() || restarted)
                    && last_seen.is_some_and(|seen| !window.contains(&seen));
                last_seen = window.last().copied().or(last_seen);
                let events = tracker.ingest(kept.len() as u64, window).entries;
                assert!(tracker.history.len() <= HISTORY);
                polls.push(Poll { events, blind });
            }
            (polls, all)
        }

        fn flat(polls: &[Poll]) -> impl Iterator<Item = &Entry<u64>> {
            polls.iter().flat_map(|p| p.events.iter())
        }

        /// Printed lines come in log order, none twice, and every line skipped after the first
        /// one shown is announced by a marker (except where no client could know). Lines carry
        /// their serial number.
        fn check_ordered_and_announced(polls: &[Poll]) -> Result<(), TestCaseError> {
            let mut last: Option<u64> = None;
            let mut announced = false;
            for poll in polls {
                for event in &poll.events {
                    match event {
                        Entry::Line { item, .. } => {
                            if let Some(prev) = last {
                                prop_assert!(
                                    *item > prev,
                                    "line {item} after {prev}: duplicate or reordered"
                                );
                                prop_assert!(
                                    *item == prev + 1 || announced || poll.blind,
                                    "lines {prev}..{item} skipped without a marker"
                                );
                            }
                            last = Some(*item);
                            announced = false;
                        }
                        Entry::Gap { .. } | Entry::Restart { .. } => announced = true,
                    }
                }
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]

            /// A truthful server, with many identical lines: output is the log exactly, less
            /// what the gap markers count, and the count is exact.
            #[test]
            fn truthful_totals_give_exact_output(steps in steps(300, false), alphabet in 1u64..4) {
                let (polls, all) = run(&steps, usize::MAX, |i| i % alphabet);
                let mut at = match flat(&polls).next() {
                    Some(Entry::Line { index, .. }) => *index,
                    _ => 0,
                };
                for event in flat(&polls) {
                    match event {
                        Entry::Line { index, item } => {
                            prop_assert_eq!(*index, at);
                            prop_assert_eq!(*item, all[at as usize]);
                            at += 1;
                        }
                        Entry::Gap { missed: Some(m) } => at += m,
                        other => prop_assert!(false, "unexpected {:?}", other),
                    }
                }
                prop_assert_eq!(at, all.len() as u64);
            }

            /// A server that trims its log: nothing twice, order kept, every skip announced.
            #[test]
            fn trimming_servers_never_duplicate(steps in steps(150, false), cap in 1usize..=100) {
                let (polls, _) = run(&steps, cap, |i| i);
                check_ordered_and_announced(&polls)?;
            }

            /// While the client keeps up (an overlap of at least one line every poll), a
            /// trimming server still yields exactly-once output with no gap.
            #[test]
            fn trimming_servers_kept_up_with_are_exact(
                cap in 2usize..=100,
                polls in proptest::collection::vec((0usize..100, 1usize..=100), 1..40),
            ) {
                let steps: Vec<Step> = polls
                    .into_iter()
                    .map(|(append, ask)| {
                        let ask = ask.clamp(2, cap);
                        Step { append: append % ask, ask, restart: false }
                    })
                    .collect();
                let (polls, all) = run(&steps, cap, |i| i);
                let events: Vec<_> = flat(&polls).collect();
                let clean = events.iter().all(|e| {
                    matches!(e, Entry::Line { .. } | Entry::Restart { reason: RestartReason::Realigned })
                });
                prop_assert!(clean, "gap or reset while keeping up: {:?}", events);
                let shown: Vec<u64> = events.iter().filter_map(|e| match e {
                    Entry::Line { item, .. } => Some(*item),
                    _ => None,
                }).collect();
                if let Some(&first) = shown.first() {
                    prop_assert_eq!(shown, all[first as usize..].to_vec());
                }
            }

            /// Logs that start over: nothing twice, order kept, every discontinuity announced.
            #[test]
            fn restarts_are_announced(steps in steps(150, true), cap in prop_oneof![Just(usize::MAX), 1usize..=100]) {
                let (polls, _) = run(&steps, cap, |i| i);
                check_ordered_and_announced(&polls)?;
            }

            /// Arbitrary windows that contradict each other: no panic, bounded history.
            #[test]
            fn contradictory_windows_never_panic(
                snaps in proptest::collection::vec(
                    (any::<u64>(), proptest::collection::vec(0u64..5, 0..100)), 1..30),
                tail in proptest::option::of(0u64..200),
                from_index in proptest::option::of(any::<u64>()),
            ) {
                let mut tracker = Tracker::new(Start { tail, from_index });
                for (total, window) in snaps {
                    let batch = tracker.ingest(total, window);
                    prop_assert!(tracker.history.len() <= HISTORY);
                    let shown = batch.lines().count() as u64;
                    prop_assert!(shown <= 100);
                }
            }
        }
    }
}
