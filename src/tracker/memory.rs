//! What the tracker remembers of the lines shown: their fingerprints and times (the last
//! [`HISTORY`] of them), the watermark (the newest time shown), and what changes it: lines,
//! gaps and doubts emitted, forgetting after a discontinuity, a reset.

use super::{Batch, Entry, Keyed, RestartReason, Tracker, HISTORY};

/// The newest line time seen, and how the lines at exactly that time were seen.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Watermark {
    pub(super) newest: Option<f64>,
    /// Lines seen at exactly `newest`, the last ones seen.
    pub(super) at_newest: usize,
    /// Those lines are the whole run of lines at that time: the line before them was seen too,
    /// older, with nothing missed in between.
    pub(super) whole: bool,
    /// Nothing was missed since the last line seen.
    pub(super) contiguous: bool,
}

impl Watermark {
    fn observe(&mut self, time: Option<f64>) {
        match (time, self.newest) {
            (Some(t), Some(newest)) if t == newest => {
                self.at_newest = self.at_newest.saturating_add(1);
                self.whole &= self.contiguous;
            }
            (Some(t), Some(newest)) if t < newest => {
                // Out of order: a run at the watermark can no longer be counted on.
                self.whole = false;
            }
            (Some(t), newest) => {
                self.whole = newest.is_some() && self.contiguous;
                self.newest = Some(t);
                self.at_newest = 1;
            }
            (None, _) => self.whole = false,
        }
        self.contiguous = true;
    }
}

/// How a window's timestamps place it against the watermark: `window[..older]` are older than
/// the newest line seen (so not new), `window[..not_newer]` not newer (so possibly seen).
#[derive(Debug, Clone, Copy)]
pub(super) struct Placement {
    pub(super) older: usize,
    pub(super) not_newer: usize,
}

impl Tracker {
    /// The window's lines against the watermark, when every line has a time, in order.
    pub(super) fn place<T: Keyed>(&self, window: &[T]) -> Option<Placement> {
        let newest = self.clock.newest?;
        let (mut older, mut not_newer, mut last) = (0, 0, f64::NEG_INFINITY);
        for line in window {
            let t = line.time()?;
            if t < last {
                return None;
            }
            last = t;
            older += usize::from(t < newest);
            not_newer += usize::from(t <= newest);
        }
        Some(Placement { older, not_newer })
    }

    pub(super) fn reset<T>(&mut self, batch: &mut Batch<T>) {
        batch.entries.push(Entry::Restart {
            reason: RestartReason::Reset,
        });
        batch.discontinuity = true;
        self.forget();
        self.following_content = false;
        self.realigned = false;
        self.clock = Watermark::default();
        self.cursor = 0;
        self.index = 0;
    }

    /// Lines may have been missed before the ones about to be shown: say so, and remember only
    /// what follows (the lines remembered must stay contiguous, or a later reading could
    /// align against a neighbour that never was one).
    pub(super) fn doubt<T>(&mut self, batch: &mut Batch<T>) {
        batch.entries.push(Entry::Ambiguous);
        batch.discontinuity = true;
        self.forget();
    }

    /// The lines remembered stop being contiguous with what comes next.
    fn forget(&mut self) {
        self.history.clear();
        self.times.clear();
        self.covered_after = None;
        self.clock.contiguous = false;
    }

    pub(super) fn gap<T>(&mut self, missed: Option<u64>, batch: &mut Batch<T>) {
        batch.entries.push(Entry::Gap { missed });
        batch.discontinuity = true;
        batch.growth = batch.growth.saturating_add(missed.unwrap_or(HISTORY_GUESS));
        self.index = self.index.saturating_add(missed.unwrap_or(0));
        // The history must stay contiguous with the cursor; after a gap it no longer is. The
        // watermark stays: lines older than it are still not new.
        self.forget();
    }

    /// Emits `window[skip..]` as new lines and moves the index past them.
    pub(super) fn take<T: Keyed>(&mut self, window: Vec<T>, skip: usize, batch: &mut Batch<T>) {
        for item in window.into_iter().skip(skip) {
            self.remember(&item);
            batch.entries.push(Entry::Line {
                index: self.index,
                item,
            });
            self.index = self.index.saturating_add(1);
            batch.growth = batch.growth.saturating_add(1);
        }
    }

    pub(super) fn remember<T: Keyed>(&mut self, line: &T) {
        if self.history.len() == HISTORY {
            self.history.pop_front();
            let t = self.times.pop_front().filter(|t| !t.is_nan());
            self.covered_after = max_time(self.covered_after, Some(t.unwrap_or(f64::INFINITY)));
        }
        let time = line.time();
        if self.history.is_empty() || time.is_none() {
            self.covered_after = Some(time.unwrap_or(f64::INFINITY));
        }
        self.history.push_back(line.key());
        self.times.push_back(time.unwrap_or(f64::NAN));
        self.clock.observe(line.time());
    }
}

/// The growth an unknown gap stands for: a full window.
const HISTORY_GUESS: u64 = crate::line::MAX_LOGS_COUNT as u64;

pub(super) fn max_time(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}
