//! The exactly-once cursor: turns repeated "last N lines + total" snapshots into a stream of new
//! lines, gap markers and restart markers. Pure: no IO, no clock.
//!
//! The server gives no cursor, only its total line count, and behind a load balancer an answer
//! may come from a replica any number of polls behind. So an answer is **new only with evidence
//! that it is newer** than what was shown; without it, it is stale: it adds nothing, announces
//! nothing and moves nothing. The evidence, strongest first:
//!
//! - the run's `started_at` (a later one is a new run: a reset; an earlier one, a stale answer)
//!   and its `updated_at` (an earlier one is a stale answer);
//! - the lines' own timestamps against the **watermark**, the newest time shown: a line older
//!   than it cannot be new, a line newer than it cannot have been shown;
//! - the total: a window of `w` lines with total `T` claims the indices `T-w .. T`. A claim of
//!   nothing beyond what was shown is stale unless its lines are newer than the watermark (the
//!   log started over); a claim of new lines is checked against the **fingerprints** of the last
//!   lines shown (8 bytes a line, [`HISTORY`] of them) where it overlaps them.
//!
//! When a claim does not hold (a server that trims its log keeps its total still; a lying one
//! says anything), the window is **realigned** by content: its first lines must be the last lines
//! shown. One coincidental line is not evidence: an alignment is believed when the timestamps fix
//! it, or when it is the only one and rests on at least [`MIN_OVERLAP`] lines. Otherwise the
//! alignment with the fewest new lines is taken (nothing is shown twice) and
//! [`Entry::Ambiguous`] admits that lines may have been missed: a skip is never silent.
//!
//! The parts: this file the tracker, its first answer and how an answer's run stamps are
//! weighed; `entries.rs` what goes in and out (an answer, a batch of entries); `claims.rs`
//! what a total claims and whether the lines remembered agree (and lines rewritten in place);
//! `realign.rs` reading a window by its content; `memory.rs` what is remembered of the lines
//! shown (fingerprints, times, the watermark) and how entries are emitted.

mod claims;
mod entries;
mod memory;
mod realign;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

pub use crate::line::Keyed;
pub use entries::{Answer, Batch, Entry, RestartReason, Stamps, Start};
use memory::{max_time, Placement, Watermark};

/// How many fingerprints of shown lines (and their times) are kept to recognise stale and
/// shifted windows: 64 KiB a task at most, enough for a replica dozens of full windows behind.
/// Older lines are judged by the timestamp watermark.
pub const HISTORY: usize = 4096;

/// The fewest matching lines that realign a window by content alone (no timestamps to order it).
pub const MIN_OVERLAP: usize = 3;

#[derive(Debug)]
pub struct Tracker {
    start: Start,
    started: bool,
    /// Just past the last line seen, in the server's own numbering at the last snapshot.
    cursor: u64,
    /// Index of the next line in the task's log as shown to the user: equal to `cursor` while the
    /// server's total tells the truth, counted on by content when it does not.
    index: u64,
    /// Fingerprints of the last seen lines, oldest first; the back one sits just before `cursor`.
    history: VecDeque<u64>,
    /// The times of those lines (NaN for none).
    times: VecDeque<f64>,
    /// Every line of the log newer than this was remembered (it is in `history`): a window
    /// of such lines that is not a run of `history` is not an old one.
    covered_after: Option<f64>,
    following_content: bool,
    /// The switch to following by content has been announced.
    realigned: bool,
    /// A fingerprint of the last answer (total and keys): the same answer again adds nothing.
    last_answer: Option<u64>,
    /// The timestamps seen so far.
    clock: Watermark,
    /// The run's `started_at` and the latest `updated_at` of an answer taken.
    stamps: Stamps,
    /// The answer being read is known to be at least as fresh as every one taken before (a
    /// later `updated_at`, or a true total beyond every one seen): it cannot be a replica's
    /// old answer.
    fresh: bool,
    /// ... by a later `updated_at`: then even lines older than the newest shown are new (a
    /// clock that stepped back), where the total says so.
    fresh_stamp: bool,
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

/// What the run stamps say of an answer against the run followed.
enum RunStamp {
    Same,
    Older,
    Newer,
}

impl Tracker {
    pub fn new(start: Start) -> Self {
        Tracker {
            start,
            started: false,
            cursor: 0,
            index: 0,
            history: VecDeque::new(),
            times: VecDeque::new(),
            covered_after: None,
            following_content: false,
            realigned: false,
            last_answer: None,
            clock: Watermark::default(),
            stamps: Stamps::default(),
            fresh: false,
            fresh_stamp: false,
        }
    }

    /// The index to resume from with `--from-index`: every line before it was seen.
    pub fn next_index(&self) -> u64 {
        self.index
    }

    /// Takes one snapshot: the server's total line count and its window, oldest line first.
    pub fn ingest<T: Keyed>(&mut self, total: u64, window: Vec<T>) -> Batch<T> {
        self.ingest_answer(Answer {
            total: Some(total),
            window,
            stamps: Stamps::default(),
        })
    }

    /// Would this answer (its total and window length) be read as skipping lines? Then a
    /// window smaller than the largest should be asked again at the largest before anything
    /// is declared missed: a full window may still hold them.
    pub fn would_skip<T: Keyed>(&self, total: Option<u64>, window: &[T]) -> bool {
        self.would_skip_by_count(total, window.len())
            .unwrap_or_else(|| {
                // Followed by content: a window that does not hold the last line seen may have
                // skipped some.
                self.history
                    .back()
                    .is_none_or(|last| window.iter().all(|l| l.key() != *last))
            })
    }

    /// [`Tracker::would_skip`] from the total and the window's length alone; `None` when the
    /// lines themselves must be looked at (the total is not believed).
    pub fn would_skip_by_count(&self, total: Option<u64>, len: usize) -> Option<bool> {
        if !self.started || len == 0 {
            return Some(false);
        }
        let w = len as u64;
        total
            .filter(|&t| t >= w && !self.following_content)
            .map(|total| total - w > self.cursor)
    }

    /// [`Tracker::ingest`] of a whole answer. A total that is absent or impossible (smaller
    /// than the window) proves nothing, so it can announce no reset and its claims are not
    /// trusted; the lines are followed by content from then on.
    pub fn ingest_answer<T: Keyed>(&mut self, answer: Answer<T>) -> Batch<T> {
        let Answer {
            total,
            window,
            stamps,
        } = answer;
        let credible = total.is_some_and(|t| t >= window.len() as u64);
        let total = total.unwrap_or(0).max(window.len() as u64);
        let print = fingerprint(total, &window);
        let mut batch = Batch::new();
        self.fresh_stamp = stamps
            .updated_at
            .zip(self.stamps.updated_at)
            .is_some_and(|(now, known)| now > known);
        self.fresh = self.fresh_stamp || (credible && total > self.cursor);
        if !self.started {
            self.stamps = stamps;
            self.first(total, window, &mut batch);
        } else if window.is_empty() || self.last_answer == Some(print) {
            // An empty window shows nothing and proves nothing (a transient answer, not a
            // reset); the same answer again adds nothing.
        } else {
            let mut placement = self.place(&window);
            if self.fresh_stamp && placement.is_some_and(|p| p.older == window.len()) {
                // A later `updated_at` with every line older than the newest shown: the
                // clock stepped back; the times say nothing of this answer.
                placement = None;
            }
            match self.run_stamp(stamps, placement, window.len()) {
                RunStamp::Older => return batch,
                RunStamp::Newer => {
                    self.stamps = stamps;
                    self.reset(&mut batch);
                    self.start_over(total, window, &mut batch);
                }
                RunStamp::Same => {
                    if !credible {
                        self.following_content = true;
                    }
                    self.follow(total, window, placement, &mut batch);
                    self.stamps.started_at = self.stamps.started_at.or(stamps.started_at);
                    self.stamps.updated_at = max_time(self.stamps.updated_at, stamps.updated_at);
                }
            }
        }
        self.last_answer = Some(print);
        batch
    }

    /// Compares an answer's run stamps with the run followed. Stamps that contradict the
    /// lines' own times (a "newer run" whose lines are all older than the newest shown, an
    /// "older answer" with lines newer than it) are not believed.
    fn run_stamp(&self, stamps: Stamps, placement: Option<Placement>, n: usize) -> RunStamp {
        let all_older = placement.is_some_and(|p| p.older == n);
        let some_newer = placement.is_some_and(|p| p.not_newer < n);
        if let (Some(now), Some(known)) = (stamps.started_at, self.stamps.started_at) {
            if now > known && !all_older {
                return RunStamp::Newer;
            }
            if now < known && !some_newer {
                return RunStamp::Older;
            }
        }
        match (stamps.updated_at, self.stamps.updated_at) {
            (Some(now), Some(known)) if now < known && !some_newer => RunStamp::Older,
            _ => RunStamp::Same,
        }
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
            self.remember(&item);
            if index >= shown_from {
                batch.entries.push(Entry::Line { index, item });
            }
        }
        // Lines before the window (or all of them, for an empty one) are history not shown: the
        // next line is `total`, in the server's numbering and the user's.
        self.cursor = total;
        self.index = total;
    }

    /// The first window of a log that started over: its lines from index `total - w`.
    pub(super) fn start_over<T: Keyed>(
        &mut self,
        total: u64,
        window: Vec<T>,
        batch: &mut Batch<T>,
    ) {
        let start = total - window.len() as u64;
        if start > 0 {
            self.gap(Some(start), batch);
        }
        self.take(window, 0, batch);
        self.cursor = total;
    }
}
