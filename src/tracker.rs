//! The exactly-once cursor: turns repeated "last N lines + total" snapshots into a stream of new
//! lines, gap markers and restart markers. Pure: no IO, no clock.
//!
//! The server gives no cursor, only its total line count. A window of `w` lines with total `T`
//! claims to hold the lines at indices `T-w .. T`. That claim is checked against the lines already
//! seen (a bounded history of their keys): while it holds, the total is trusted and gaps are exact.
//! When it does not, the window is read by content, and every reading must explain the whole
//! window:
//!
//! - **stale**: the window (an answer from a replica a few polls behind) matches lines already
//!   seen at positions at or before the cursor: it adds nothing and announces nothing;
//! - **edited**: the lines at their claimed positions agree except the last one(s), rewritten in
//!   place (a progress line): the changed lines are shown once, at their own indices;
//! - **realigned**: the window is a suffix of what was seen followed by new lines (a server that
//!   trims its log stops growing its total): the new lines are shown.
//!
//! Among the readings that fit, the one with the fewest new lines wins, so nothing is shown twice;
//! when readings disagree on how many lines are new (identical lines make a window ambiguous),
//! that is reported as [`Entry::Ambiguous`]. With no reading at all, the log was reset (only when
//! the total went down too) or scrolled past by an unknown number of lines.

use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

pub use crate::line::Keyed;
use crate::line::MAX_LOGS_COUNT;

/// How many seen lines are remembered to verify the next window: one full window.
pub const HISTORY: usize = MAX_LOGS_COUNT as usize;

/// At most this many last lines are taken as rewritten in place (a progress line or two).
const MAX_EDITED: usize = 2;

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
    /// A line not shown before, with its 0-based position in the task's log. A line rewritten in
    /// place is shown again with its own index.
    Line {
        index: u64,
        item: T,
    },
    /// Lines that scrolled out of the window before they could be read; `None` when the count
    /// cannot be known.
    Gap {
        missed: Option<u64>,
    },
    /// The window could be read in more than one way (identical lines): the lines that follow are
    /// those of the reading with the fewest new lines, and an unknown number of lines (possibly
    /// none) may have been missed.
    Ambiguous,
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
    following_content: bool,
    /// Whether the current answer's total is possible (see [`Tracker::ingest_answer`]).
    credible: bool,
    /// A fingerprint of the last answer (total and keys): the same answer again adds nothing.
    last_answer: Option<u64>,
}

/// One way to read a window against the history.
#[derive(Debug, Clone, Copy)]
struct Reading {
    /// Lines of the window that are shown: `window[from..]`.
    from: usize,
    /// How many of them rewrite the last lines seen (an in-place edit) rather than follow them.
    edited: usize,
}

impl Reading {
    fn shown(&self, w: usize) -> usize {
        w - self.from
    }
}

fn fingerprint<T: Keyed>(total: u64, window: &[T]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    total.hash(&mut h);
    window.len().hash(&mut h);
    for line in window {
        line.key().hash(&mut h);
    }
    h.finish()
}

impl Tracker {
    pub fn new(start: Start) -> Self {
        Tracker {
            start,
            started: false,
            cursor: 0,
            index: 0,
            history: VecDeque::with_capacity(HISTORY),
            following_content: false,
            credible: true,
            last_answer: None,
        }
    }

    /// The index to resume from with `--from-index`: every line before it was seen.
    pub fn next_index(&self) -> u64 {
        self.index
    }

    /// Takes one snapshot: the server's total line count and its window, oldest line first.
    pub fn ingest<T: Keyed>(&mut self, total: u64, window: Vec<T>) -> Batch<T> {
        self.ingest_answer(Some(total), window)
    }

    /// [`Tracker::ingest`] of an answer whose total may be missing or impossible (absent, null,
    /// negative, or smaller than the window): such a total proves nothing, so it can announce
    /// no reset and its claims are not trusted; the lines are followed by content from then on.
    pub fn ingest_answer<T: Keyed>(&mut self, total: Option<u64>, window: Vec<T>) -> Batch<T> {
        let credible = total.is_some_and(|t| t >= window.len() as u64);
        self.credible = credible;
        if !credible && self.started && !window.is_empty() {
            self.following_content = true;
        }
        // A total below the window's own length is impossible; the window is the better witness.
        let total = total.unwrap_or(0).max(window.len() as u64);
        let answer = fingerprint(total, &window);
        let mut batch = Batch::new();
        if !self.started {
            self.first(total, window, &mut batch);
        } else if window.is_empty() || self.last_answer == Some(answer) {
            // An empty window shows nothing and proves nothing (a transient answer, not a
            // reset); the same answer again adds nothing.
        } else {
            self.follow(total, window, &mut batch);
        }
        self.last_answer = Some(answer);
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
        // Lines before the window (or all of them, for an empty one) are history not shown: the
        // next line is `total`, in the server's numbering and the user's.
        self.cursor = total;
        self.index = total;
    }

    fn follow<T: Keyed>(&mut self, total: u64, window: Vec<T>, batch: &mut Batch<T>) {
        let w = window.len();
        let start = total - w as u64;
        if self.claim_holds(total, &window) {
            if start > self.cursor {
                self.gap(Some(start - self.cursor), batch);
            }
            let skip = self.cursor.saturating_sub(start);
            self.take(window, skip as usize, batch);
            self.cursor = total;
            return;
        }
        if total < self.cursor && self.stale_at_claim(total, &window) {
            return;
        }
        let readings = self.readings(total, &window);
        let Some(best) = readings.iter().min_by_key(|r| r.shown(w)).copied() else {
            if let Some(from) = self.last_seen_inside(&window) {
                // The last lines seen are there, but what precedes them in the window is not
                // what was seen (the history itself was misread): show what follows them, and
                // say that lines may have been missed.
                batch.entries.push(Entry::Ambiguous);
                self.take(window, from, batch);
                self.cursor = self.cursor.max(total);
                return;
            }
            if total < self.cursor && self.credible {
                // The total went down and nothing in the window matches what was seen.
                self.reset(batch);
                if start > 0 {
                    self.gap(Some(start), batch);
                }
            } else {
                // Nothing overlaps and the total did not go down: more lines passed than the
                // window holds, and the total cannot say how many.
                self.gap(None, batch);
            }
            self.take(window, 0, batch);
            self.cursor = total;
            return;
        };
        let ambiguous = readings.iter().any(|r| r.shown(w) != best.shown(w));
        if best.edited == 0 && best.shown(w) > 0 && !self.following_content {
            self.following_content = true;
            batch.entries.push(Entry::Restart {
                reason: RestartReason::Realigned,
            });
        }
        if ambiguous {
            batch.entries.push(Entry::Ambiguous);
        }
        if best.shown(w) == 0 {
            // Stale: nothing new. The cursor stays where it was unless the total moved on.
            self.cursor = self.cursor.max(total);
            return;
        }
        // An edit rewrites the last lines seen: forget them, and show them again at their own
        // indices.
        for _ in 0..best.edited {
            self.history.pop_back();
        }
        self.index = self.index.saturating_sub(best.edited as u64);
        self.take(window, best.from, batch);
        self.cursor = total;
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
        if self.following_content && total == self.cursor {
            // A total caught lying once that did not move says nothing about new lines.
            return false;
        }
        let j = (self.cursor - start) as usize;
        let m = j.min(self.history.len());
        if self.following_content && m == 0 {
            return false;
        }
        let seen = self.history.iter().skip(self.history.len() - m);
        window[j - m..j].iter().map(Keyed::key).eq(seen.copied())
    }

    /// A total below the cursor whose window matches the lines seen at the positions it claims
    /// (as far as they are remembered, and at least one): an answer from a replica behind.
    fn stale_at_claim<T: Keyed>(&self, total: u64, window: &[T]) -> bool {
        let start = total - window.len() as u64;
        let Some(remembered_from) = self.cursor.checked_sub(self.history.len() as u64) else {
            return false;
        };
        if total <= remembered_from {
            return false;
        }
        let from = start.max(remembered_from);
        let lines = &window[(from - start) as usize..];
        let seen = self.history.iter().skip((from - remembered_from) as usize);
        lines
            .iter()
            .map(Keyed::key)
            .eq(seen.take(lines.len()).copied())
    }

    /// Every way the window can be explained by what was seen.
    fn readings<T: Keyed>(&self, total: u64, window: &[T]) -> Vec<Reading> {
        let (w, h) = (window.len(), self.history.len());
        let key = |i: usize| window[i].key();
        let mut readings = Vec::new();
        // Realigned: the window starts with the last `k` lines seen; the rest is new.
        for k in 1..=w.min(h) {
            if (0..k).all(|i| key(i) == self.history[h - k + i]) {
                readings.push(Reading { from: k, edited: 0 });
            }
        }
        // The window reaches back before the lines remembered (after a gap), then holds all of
        // them and new lines.
        for before in 1..=w.saturating_sub(h) {
            if h > 0 && (0..h).all(|i| key(before + i) == self.history[i]) {
                readings.push(Reading {
                    from: before + h,
                    edited: 0,
                });
            }
        }
        // Stale: the whole window is a run of lines seen, ending before the last one.
        for end in w..h {
            if (0..w).all(|i| key(i) == self.history[end - w + i]) {
                readings.push(Reading { from: w, edited: 0 });
                break;
            }
        }
        // Edited: at the claimed positions the overlap agrees except its last lines.
        let start = total - w as u64;
        if total >= self.cursor && start < self.cursor {
            let j = (self.cursor - start) as usize;
            let m = j.min(h);
            let agree = (0..m)
                .take_while(|&i| key(j - m + i) == self.history[h - m + i])
                .count();
            let edited = m - agree;
            if agree >= 1 && (1..=MAX_EDITED.min(agree)).contains(&edited) {
                readings.push(Reading {
                    from: j - edited,
                    edited,
                });
            }
        }
        readings
    }

    /// Just past the latest place where the window holds the last line seen (with as many of
    /// the lines before it as agree), if any.
    fn last_seen_inside<T: Keyed>(&self, window: &[T]) -> Option<usize> {
        let last = *self.history.back()?;
        (1..=window.len())
            .rev()
            .find(|&end| window[end - 1].key() == last)
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
        batch.growth = batch
            .growth
            .saturating_add(missed.unwrap_or(HISTORY as u64));
        self.index = self.index.saturating_add(missed.unwrap_or(0));
        // The history must stay contiguous with the cursor; after a gap it no longer is.
        self.history.clear();
    }

    /// Emits `window[skip..]` as new lines and moves the index past them.
    fn take<T: Keyed>(&mut self, window: Vec<T>, skip: usize, batch: &mut Batch<T>) {
        for item in window.into_iter().skip(skip) {
            self.remember(item.key());
            batch.entries.push(Entry::Line {
                index: self.index,
                item,
            });
            self.index = self.index.saturating_add(1);
            batch.growth = batch.growth.saturating_add(1);
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
    fn an_empty_window_is_not_a_reset_but_a_lower_total_that_disagrees_is() {
        let mut t = Tracker::new(Start::default());
        t.ingest(3, vec![1, 2, 3]);
        assert!(t.ingest(0, Vec::<u64>::new()).entries.is_empty());
        assert_eq!(lines(&t.ingest(4, vec![1, 2, 3, 4])), vec![(3, 4)]);
        let b = t.ingest(2, vec![8, 9]);
        assert_eq!(
            b.entries[0],
            Entry::Restart {
                reason: RestartReason::Reset
            }
        );
        assert_eq!(lines(&b), vec![(0, 8), (1, 9)]);
    }

    #[test]
    fn a_first_empty_window_keeps_indices_true() {
        let mut t = Tracker::new(Start::default());
        assert!(t.ingest(50, Vec::<u64>::new()).entries.is_empty());
        assert_eq!(t.next_index(), 50);
        let b = t.ingest(52, (42..52).collect());
        assert_eq!(b.entries.len(), 2, "no gap: {:?}", b.entries);
        assert_eq!(lines(&b), vec![(50, 50), (51, 51)]);
        assert_eq!(t.next_index(), 52);
    }

    #[test]
    fn a_trimming_server_with_identical_lines_shows_them_and_says_it_is_unsure() {
        // A=0 B=1 C=2 retrying=7 "Y important"=9; the server keeps 5 lines.
        let mut t = Tracker::new(Start::default());
        t.ingest(5, vec![0, 1, 2, 7, 7]);
        let b = t.ingest(5, vec![7, 7, 9, 7, 7]);
        assert_eq!(
            b.entries,
            vec![
                Entry::Restart {
                    reason: RestartReason::Realigned
                },
                Entry::Ambiguous,
                Entry::Line { index: 5, item: 9 },
                Entry::Line { index: 6, item: 7 },
                Entry::Line { index: 7, item: 7 },
            ]
        );
        let b = t.ingest(5, vec![7, 7, 9, 7, 7]);
        assert!(b.entries.is_empty(), "the same answer again adds nothing");
        let b = t.ingest(5, vec![9, 7, 7, 3, 4]);
        assert_eq!(lines(&b), vec![(8, 3), (9, 4)]);
        assert_eq!(b.entries.len(), 2, "one reading only: {:?}", b.entries);
    }

    #[test]
    fn a_stale_answer_adds_and_announces_nothing() {
        let mut t = Tracker::new(Start::default());
        let log: Vec<u64> = (0..40).map(|i| i % 3).collect();
        t.ingest(10, window(&log[..10], 100));
        t.ingest(20, window(&log[..20], 100));
        t.ingest(30, window(&log[..30], 100));
        assert!(t.ingest(20, window(&log[..20], 100)).entries.is_empty());
        assert!(t.ingest(10, window(&log[..10], 7)).entries.is_empty());
        let b = t.ingest(33, window(&log[..33], 100));
        assert_eq!(lines(&b), vec![(30, 0), (31, 1), (32, 2)]);
        assert_eq!(b.entries.len(), 3);
        // A trimming server's stale answer (the total does not move) is read by content.
        let mut t = Tracker::new(Start::default());
        t.ingest(5, vec![0, 1, 2, 3, 4]);
        t.ingest(5, vec![2, 3, 4, 5, 6]);
        let b = t.ingest(5, vec![0, 1, 2, 3, 4]);
        assert!(b.entries.is_empty(), "{:?}", b.entries);
        assert_eq!(
            lines(&t.ingest(5, vec![4, 5, 6, 7, 8])),
            vec![(7, 7), (8, 8)]
        );
    }

    #[test]
    fn a_line_edited_in_place_is_shown_once_at_its_index() {
        let mut t = Tracker::new(Start::default());
        t.ingest(4, vec![10, 11, 12, 13]);
        let b = t.ingest(4, vec![10, 11, 12, 14]);
        assert_eq!(b.entries, vec![Entry::Line { index: 3, item: 14 }]);
        let b = t.ingest(5, vec![10, 11, 12, 15, 16]);
        assert_eq!(
            b.entries,
            vec![
                Entry::Line { index: 3, item: 15 },
                Entry::Line { index: 4, item: 16 }
            ]
        );
        assert_eq!(t.next_index(), 5);
        assert!(t.ingest(5, vec![12, 15, 16]).entries.is_empty());
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

        /// A line of a simulated log: compared by `value` (drawn from a tiny alphabet, so that
        /// identical lines are common), identified by `serial` (its true position).
        #[derive(Debug, Clone, Copy, PartialEq)]
        struct Line {
            serial: u64,
            value: u64,
        }

        impl Keyed for Line {
            fn key(&self) -> u64 {
                self.value
            }
        }

        /// How the simulated server answers one poll.
        #[derive(Debug, Clone, Copy, PartialEq)]
        enum Answer {
            Fresh,
            /// The answer given this many polls ago (a replica behind).
            Stale(usize),
            /// A transient processing answer with no lines and a total of 0.
            Empty,
            /// The total is off by one (up or down).
            Plus1,
            Minus1,
            /// The total the previous answer reported.
            Stuck,
            /// A total of 0 with the lines.
            Zero,
        }

        /// One step of a simulated server: lines appended, then a poll asking for `ask` lines.
        #[derive(Debug, Clone)]
        struct Step {
            append: usize,
            ask: usize,
            restart: bool,
            answer: Answer,
        }

        fn answers(kinds: &'static [Answer]) -> impl Strategy<Value = Answer> {
            prop_oneof![
                6 => Just(Answer::Fresh),
                1 => proptest::sample::select(kinds),
            ]
        }

        fn steps(
            max_append: usize,
            restarts: bool,
            kinds: &'static [Answer],
        ) -> impl Strategy<Value = Vec<Step>> {
            let step = (
                prop_oneof![4 => 0..=max_append.min(8), 1 => 0..=max_append],
                1..=100usize,
                proptest::bool::weighted(if restarts { 0.1 } else { 0.0 }),
                answers(kinds),
            )
                .prop_map(|(append, ask, restart, answer)| Step {
                    append,
                    ask,
                    restart,
                    answer,
                });
            proptest::collection::vec(step, 1..40)
        }

        /// One poll's events, and whether a silent skip is excusable there: the window held none
        /// of the lines seen before and the server's total was not the true count (it trims, or
        /// its log started over since the last poll), so no client could tell what it missed.
        struct Poll {
            events: Vec<Entry<Line>>,
            blind: bool,
        }

        /// Runs the tracker against a server keeping at most `cap` lines (its total is the number
        /// it keeps). Returns each poll and every line ever written, in order. A stale answer
        /// replays an earlier one only while the tracker can still recognise it: no discontinuity
        /// since, and its last line among the last lines seen.
        fn run(steps: &[Step], cap: usize, alphabet: u64) -> (Vec<Poll>, Vec<Line>) {
            // A last fresh answer, so that what the log holds at the end is known.
            let last = Step {
                append: 0,
                ask: 100,
                restart: false,
                answer: Answer::Fresh,
            };
            let steps = steps.iter().chain(std::iter::once(&last));
            let mut tracker = Tracker::new(Start::default());
            let (mut all, mut kept, mut polls) = (Vec::new(), Vec::new(), Vec::new());
            let (mut epoch_len, mut last_seen) = (0usize, None::<u64>);
            let mut answered: Vec<(u64, Vec<Line>)> = Vec::new();
            // Lines shown since the last marker: what a stale answer may repeat.
            let mut recent: Vec<u64> = Vec::new();
            // The log started over since the last fresh answer.
            let mut restarted = false;
            let mut reported = 0u64;
            for step in steps {
                if step.restart {
                    kept.clear();
                    epoch_len = 0;
                    restarted = true;
                }
                for _ in 0..step.append {
                    let serial = all.len() as u64;
                    let line = Line {
                        serial,
                        value: serial % alphabet,
                    };
                    all.push(line);
                    kept.push(line);
                    epoch_len += 1;
                    if kept.len() > cap {
                        kept.remove(0);
                    }
                }
                let fresh = (
                    kept.len() as u64,
                    kept[kept.len().saturating_sub(step.ask)..].to_vec(),
                );
                let (total, window) = match step.answer {
                    Answer::Fresh => fresh.clone(),
                    Answer::Stale(back) => match answered.len().checked_sub(back) {
                        Some(at)
                            if answered[at].1.iter().all(|l| {
                                recent.iter().rev().take(HISTORY).any(|&s| s == l.serial)
                            }) =>
                        {
                            answered[at].clone()
                        }
                        _ => fresh.clone(),
                    },
                    Answer::Empty => (0, Vec::new()),
                    Answer::Plus1 => (fresh.0 + 1, fresh.1.clone()),
                    Answer::Minus1 => (fresh.0.saturating_sub(1), fresh.1.clone()),
                    Answer::Stuck => (reported, fresh.1.clone()),
                    Answer::Zero => (0, fresh.1.clone()),
                };
                reported = total;
                let blind = (epoch_len > kept.len() || restarted)
                    && last_seen.is_some_and(|seen| !window.iter().any(|l| l.serial == seen));
                if total == fresh.0 && window == fresh.1 && !window.is_empty() {
                    last_seen = window.last().map(|l| l.serial).or(last_seen);
                    restarted = false;
                }
                answered.push((total, window.clone()));
                let events = tracker.ingest(total, window).entries;
                assert!(tracker.history.len() <= HISTORY);
                if step.restart || events.iter().any(|e| !matches!(e, Entry::Line { .. })) {
                    recent.clear();
                }
                recent.extend(events.iter().filter_map(|e| match e {
                    Entry::Line { item, .. } => Some(item.serial),
                    _ => None,
                }));
                polls.push(Poll { events, blind });
            }
            (polls, all)
        }

        fn flat(polls: &[Poll]) -> impl Iterator<Item = &Entry<Line>> {
            polls.iter().flat_map(|p| p.events.iter())
        }

        /// Printed lines come in log order and none twice.
        fn check_ordered(polls: &[Poll]) -> Result<(), TestCaseError> {
            let mut last: Option<u64> = None;
            for line in flat(polls).filter_map(|e| match e {
                Entry::Line { item, .. } => Some(item.serial),
                _ => None,
            }) {
                if let Some(prev) = last {
                    prop_assert!(
                        line > prev,
                        "line {line} after {prev}: duplicate or reordered"
                    );
                }
                last = Some(line);
            }
            Ok(())
        }

        /// ... and every line skipped after the first one shown is announced by a marker
        /// (except where no client could know).
        fn check_announced(polls: &[Poll]) -> Result<(), TestCaseError> {
            check_ordered(polls)?;
            let mut last: Option<u64> = None;
            let mut announced = false;
            for poll in polls {
                for event in &poll.events {
                    match event {
                        Entry::Line { item, .. } => {
                            if let Some(prev) = last {
                                prop_assert!(
                                    item.serial == prev + 1 || announced || poll.blind,
                                    "lines {prev}..{} skipped without a marker",
                                    item.serial
                                );
                            }
                            last = Some(item.serial);
                            announced = false;
                        }
                        _ => announced = true,
                    }
                }
            }
            Ok(())
        }

        /// Exactly the log from the first line shown, less what the gap markers count, and the
        /// count is exact; every index is the line's true position.
        fn check_exact(polls: &[Poll], all: &[Line]) -> Result<(), TestCaseError> {
            let mut at = match flat(polls).next() {
                Some(Entry::Line { index, .. }) => *index,
                _ => 0,
            };
            for event in flat(polls) {
                match event {
                    Entry::Line { index, item } => {
                        prop_assert_eq!(*index, at);
                        prop_assert_eq!(item.serial, at);
                        at += 1;
                    }
                    Entry::Gap { missed: Some(m) } => at += m,
                    other => prop_assert!(false, "unexpected {:?}", other),
                }
            }
            prop_assert_eq!(at, all.len() as u64);
            Ok(())
        }

        const STALE: &[Answer] = &[
            Answer::Stale(1),
            Answer::Stale(2),
            Answer::Stale(3),
            Answer::Empty,
        ];
        const WRONG: &[Answer] = &[
            Answer::Stale(1),
            Answer::Stale(2),
            Answer::Empty,
            Answer::Plus1,
            Answer::Minus1,
            Answer::Stuck,
            Answer::Zero,
        ];

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]

            /// A truthful server, with many identical lines, answering now and then from a
            /// replica a few polls behind or with a transient empty window: output is the log
            /// exactly, less what the gap markers count, and the count is exact.
            #[test]
            fn truthful_totals_give_exact_output(
                steps in steps(300, false, STALE),
                alphabet in 1u64..4,
            ) {
                let (polls, all) = run(&steps, usize::MAX, alphabet);
                check_exact(&polls, &all)?;
            }

            /// A server that trims its log, with stale answers: nothing twice, order kept, every
            /// skip announced.
            #[test]
            fn trimming_servers_never_duplicate(
                steps in steps(150, false, STALE),
                cap in 1usize..=100,
            ) {
                let (polls, _) = run(&steps, cap, u64::MAX);
                check_announced(&polls)?;
            }

            /// While the client keeps up (an overlap of at least one line every poll), a
            /// trimming server of distinct lines yields exactly-once output with no gap; with
            /// many identical lines and stale answers, nothing is shown twice or out of order.
            #[test]
            fn trimming_servers_kept_up_with(
                cap in 2usize..=100,
                polls in proptest::collection::vec(
                    (0usize..100, 1usize..=100, answers(STALE)), 1..40),
                alphabet in prop_oneof![1u64..4, Just(u64::MAX)],
            ) {
                // A stale answer comes as an extra poll, so that fresh ones still keep up.
                let steps: Vec<Step> = polls
                    .into_iter()
                    .flat_map(|(append, ask, answer)| {
                        let ask = ask.clamp(2, cap);
                        let fresh = Step { append: append % ask, ask, restart: false, answer: Answer::Fresh };
                        let stale = Step { append: 0, ask, restart: false, answer };
                        std::iter::once(fresh).chain((answer != Answer::Fresh).then_some(stale))
                    })
                    .collect();
                let (polls, all) = run(&steps, cap, alphabet);
                check_ordered(&polls)?;
                if alphabet != u64::MAX {
                    return Ok(());
                }
                let events: Vec<_> = flat(&polls).collect();
                let clean = events.iter().all(|e| {
                    matches!(e, Entry::Line { .. } | Entry::Restart { reason: RestartReason::Realigned })
                });
                prop_assert!(clean, "gap or reset while keeping up: {:?}", events);
                let shown: Vec<u64> = events.iter().filter_map(|e| match e {
                    Entry::Line { item, .. } => Some(item.serial),
                    _ => None,
                }).collect();
                if let Some(&first) = shown.first() {
                    let expected: Vec<u64> = all[first as usize..].iter().map(|l| l.serial).collect();
                    prop_assert_eq!(shown, expected);
                }
            }

            /// Logs that start over, with stale answers: nothing twice, order kept, every
            /// discontinuity announced.
            #[test]
            fn restarts_are_announced(
                steps in steps(150, true, STALE),
                cap in prop_oneof![Just(usize::MAX), 1usize..=100],
            ) {
                let (polls, _) = run(&steps, cap, u64::MAX);
                check_announced(&polls)?;
            }

            /// Totals that are wrong (off by one, stuck, 0, behind), with identical lines: no
            /// panic, bounded history, at most a window of lines per answer, and indices that
            /// never go back except after a restart marker or for a line rewritten in place.
            #[test]
            fn wrong_totals_keep_the_invariants(
                steps in steps(150, true, WRONG),
                cap in prop_oneof![Just(usize::MAX), 1usize..=100],
                alphabet in 1u64..4,
            ) {
                let (polls, _) = run(&steps, cap, alphabet);
                let mut next = 0u64;
                for poll in &polls {
                    let mut shown = 0;
                    for event in &poll.events {
                        match event {
                            Entry::Line { index, .. } => {
                                shown += 1;
                                prop_assert!(*index + 2 >= next, "index {index} after {next}");
                                next = next.max(index + 1);
                            }
                            Entry::Restart { reason: RestartReason::Reset } => next = 0,
                            _ => {}
                        }
                    }
                    prop_assert!(shown <= 100);
                }
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
