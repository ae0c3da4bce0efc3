//! What a window's total claims (the positions `total - w .. total`) and what the lines
//! remembered say of it: a claim beyond what was shown is taken, one that agrees adds nothing,
//! one that disagrees is a log that started over, a line rewritten in place, or a total that
//! stopped describing the lines (read by content, in `realign.rs`).

use super::{Batch, Keyed, Placement, Tracker, MIN_OVERLAP};

/// At most this many last lines are taken as rewritten in place (a progress line or two).
const MAX_EDITED: usize = 2;

/// What the lines remembered say of a window at the positions its total claims.
#[derive(Debug, PartialEq)]
enum Claim {
    /// The window claims only lines after the cursor: nothing to check.
    Beyond,
    /// Every remembered position claimed agrees.
    Agrees,
    /// None of the positions claimed is remembered.
    Unknown,
    /// At least one remembered position holds another line.
    Disagrees,
}

impl Tracker {
    pub(super) fn follow<T: Keyed>(
        &mut self,
        total: u64,
        window: Vec<T>,
        placement: Option<Placement>,
        batch: &mut Batch<T>,
    ) {
        if placement.is_some_and(|p| p.older == window.len()) {
            // Every line is older than the newest shown: an answer from behind.
            return;
        }
        if self.following_content {
            // A total caught not describing the lines is believed again only where it moved
            // on and its overlap checks out.
            if total > self.cursor && self.claim(total, &window) == Claim::Agrees {
                self.take_claim(total, window, placement, batch);
            } else {
                self.realign(total, window, placement, batch);
            }
            return;
        }
        let newer_lines = placement.is_some_and(|p| p.not_newer < window.len());
        let claim = self.claim(total, &window);
        if total <= self.cursor {
            if total < self.cursor && newer_lines {
                // Lines newer than any shown, at positions already shown: the log started over.
                self.reset(batch);
                self.start_over(total, window, batch);
                return;
            }
            match claim {
                // A replica behind (or the same log asked for a different window): nothing new.
                Claim::Beyond | Claim::Agrees | Claim::Unknown => {}
                Claim::Disagrees => self.disagreeing(total, window, placement, batch),
            }
            return;
        }
        match claim {
            Claim::Beyond | Claim::Agrees | Claim::Unknown => {
                self.take_claim(total, window, placement, batch)
            }
            Claim::Disagrees => self.disagreeing(total, window, placement, batch),
        }
    }

    /// Shows what a window claims beyond the cursor, after an exact gap when it starts past it;
    /// unless its timestamps contradict the claim (lines claimed new but older than the newest
    /// shown), which sends it to be read by content.
    fn take_claim<T: Keyed>(
        &mut self,
        total: u64,
        window: Vec<T>,
        placement: Option<Placement>,
        batch: &mut Batch<T>,
    ) {
        let start = total - window.len() as u64;
        let skip = self.cursor.saturating_sub(start) as usize;
        if placement.is_some_and(|p| p.older > skip) && !self.fresh_stamp {
            self.realign(total, window, placement, batch);
            return;
        }
        if start > self.cursor {
            self.gap(Some(start - self.cursor), batch);
        }
        self.take(window, skip, batch);
        self.cursor = total;
    }

    /// A window whose lines are not the ones shown where its total says: a log that started
    /// over (no line of it was shown, the total went down and no timestamp says otherwise), a
    /// line rewritten in place, or a total that no longer describes the lines.
    fn disagreeing<T: Keyed>(
        &mut self,
        total: u64,
        window: Vec<T>,
        placement: Option<Placement>,
        batch: &mut Batch<T>,
    ) {
        // A replica behind agrees wherever its positions are remembered: a lower total whose
        // every remembered position holds another line (and no line older than the newest
        // shown) is a log that started over.
        let not_older = placement.is_none_or(|p| p.older == 0);
        if total < self.cursor && not_older && self.contradicts(total, &window) {
            self.reset(batch);
            self.start_over(total, window, batch);
            return;
        }
        let edit = self
            .edited(total, &window)
            // An edit is believed only where no shift of the lines explains the window too,
            // nor, unless the answer is known to be fresh, a replica's older answer (one that
            // ends at a line shown before the last one: its "rewritten" line is an old one).
            .filter(|_| self.overlaps(&window, placement).is_empty())
            .filter(|_| self.fresh || !self.ends_earlier(&window));
        if let Some(edited) = edit {
            let rewritten_from = (self.cursor - (total - window.len() as u64)) as usize - edited;
            let mut from = rewritten_from;
            if placement.is_some_and(|p| p.older == 0) {
                // No line is older than the newest shown, so nothing rules out a window wholly
                // past what was shown (more lines passed than it holds; a trimming server's
                // total stays still) whose first lines agree by chance: the edit is the
                // reading with the fewest new lines, and lines may have been missed.
                self.doubt(batch);
                from = self.not_old(from, placement);
            } else {
                // An edit rewrites the last lines seen: forget them.
                for _ in 0..edited {
                    self.history.pop_back();
                    self.times.pop_back();
                }
            }
            // The rewritten lines are shown again at their own indices.
            self.clock.whole = false;
            let shown_again = edited - (from - rewritten_from).min(edited);
            self.index = self.index.saturating_sub(shown_again as u64);
            self.take(window, from, batch);
            self.cursor = total;
            return;
        }
        self.realign(total, window, placement, batch);
    }

    /// What the remembered lines say of the window at the positions its total claims.
    fn claim<T: Keyed>(&self, total: u64, window: &[T]) -> Claim {
        let start = total - window.len() as u64;
        if start >= self.cursor {
            return Claim::Beyond;
        }
        let Some(remembered_from) = self.cursor.checked_sub(self.history.len() as u64) else {
            return Claim::Unknown;
        };
        let (from, to) = (start.max(remembered_from), total.min(self.cursor));
        if from >= to {
            return Claim::Unknown;
        }
        let lines = &window[(from - start) as usize..(to - start) as usize];
        let seen = self.history.iter().skip((from - remembered_from) as usize);
        if lines
            .iter()
            .map(Keyed::key)
            .eq(seen.take(lines.len()).copied())
        {
            Claim::Agrees
        } else {
            Claim::Disagrees
        }
    }

    /// At the claimed positions the overlap agrees (on at least [`MIN_OVERLAP`] lines) except
    /// its last one or two lines: those were rewritten in place (a progress line).
    fn edited<T: Keyed>(&self, total: u64, window: &[T]) -> Option<usize> {
        let start = total - window.len() as u64;
        if total < self.cursor || start >= self.cursor {
            return None;
        }
        let h = self.history.len();
        let j = (self.cursor - start) as usize;
        let m = j.min(h);
        let agree = (0..m)
            .take_while(|&i| window[j - m + i].key() == self.history[h - m + i])
            .count();
        let edited = m - agree;
        // The lines that agree are the evidence: one coincidental line is not enough.
        (agree >= MIN_OVERLAP && (1..=MAX_EDITED).contains(&edited)).then_some(edited)
    }

    /// At every position the window claims that is remembered (at least one), another line.
    fn contradicts<T: Keyed>(&self, total: u64, window: &[T]) -> bool {
        let start = total - window.len() as u64;
        let Some(remembered_from) = self.cursor.checked_sub(self.history.len() as u64) else {
            return false;
        };
        let (from, to) = (start.max(remembered_from), total.min(self.cursor));
        from < to
            && (from..to).all(|i| {
                window[(i - start) as usize].key() != self.history[(i - remembered_from) as usize]
            })
    }
}
