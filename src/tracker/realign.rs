//! Reading a window by its content, when its total does not say where it is: its first lines
//! must be the last lines shown. Every reading that explains the whole window is weighed; one
//! believed only on weak evidence is taken with the fewest new lines and a doubt.

use super::{Batch, Entry, Keyed, Placement, RestartReason, Tracker, MIN_OVERLAP};

impl Tracker {
    /// Reads the window by content: its first lines must be the last lines shown.
    pub(super) fn realign<T: Keyed>(
        &mut self,
        total: u64,
        window: Vec<T>,
        placement: Option<Placement>,
        batch: &mut Batch<T>,
    ) {
        // The total has been caught not describing the lines: it is not taken at its word
        // again until a claim overlaps and checks out.
        self.following_content = true;
        let n = window.len();
        let (older, not_newer) = placement.map_or((0, n), |p| (p.older, p.not_newer));
        let mut overlaps = self.overlaps(&window, placement);
        if not_newer == n && !overlaps.contains(&n) && self.ends_earlier(&window) {
            // The window ends at a line seen before the last one, and is a run of the lines
            // seen as far as they are remembered (it may begin before them): a replica's older
            // answer, nothing new, is a reading too.
            overlaps.push(n);
        }
        // With no line older than the watermark, "nothing overlaps" is a reading too.
        let none_possible = older == 0;
        let pinned = placement
            .and_then(|p| self.pinned(p))
            .filter(|k| overlaps.contains(k));
        let Some(best) = pinned.or_else(|| overlaps.iter().copied().max()) else {
            self.unexplained(total, window, placement, batch);
            return;
        };
        // A single reading is the true one when every other was ruled out: "nothing overlaps"
        // by a line older than the watermark (or by several matching lines), and "all of it is
        // old" by lines newer than the watermark, or by a window whose every line was
        // remembered yet is not a run of what was remembered.
        // Matching lines count as evidence as far as they were compared (remembered).
        let matched = best.min(self.history.len());
        let stale_ruled_out = placement.is_none()
            || self.fresh
            || matched >= MIN_OVERLAP
            || not_newer < n
            || best == n
            || window[0]
                .time()
                .zip(self.covered_after)
                .is_some_and(|(first, covered)| first > covered);
        let unique =
            overlaps.len() == 1 && (!none_possible || matched >= MIN_OVERLAP) && stale_ruled_out;
        let certain = pinned.is_some() || unique;
        if best == n {
            // Stale: nothing new; the cursor stays where it was.
            if !certain {
                batch.entries.push(Entry::Ambiguous);
            }
            return;
        }
        if !self.realigned {
            self.realigned = true;
            batch.entries.push(Entry::Restart {
                reason: RestartReason::Realigned,
            });
        }
        let mut from = best;
        if !certain {
            self.doubt(batch);
            from = self.not_old(from, placement);
        }
        self.take(window, from, batch);
        if pinned.is_none() && none_possible {
            // Believed on matching lines alone: whether the lines seen at the newest time are
            // all of that second's first ones is no longer known.
            self.clock.whole = false;
        }
        self.cursor = self.cursor.max(total);
    }

    /// No reading explains the whole window against what is remembered. If the last line seen
    /// is there (what was remembered was itself misplaced by a total that stopped being true),
    /// what follows it is new; otherwise more lines passed than the window holds, and nothing
    /// can say how many.
    fn unexplained<T: Keyed>(
        &mut self,
        total: u64,
        window: Vec<T>,
        placement: Option<Placement>,
        batch: &mut Batch<T>,
    ) {
        let n = window.len();
        let not_newer = placement.map_or(n, |p| p.not_newer);
        let after_last = self.last_seen_at(&window[..not_newer]);
        let from = self.not_old(after_last.unwrap_or(0), placement);
        if from == n {
            batch.entries.push(Entry::Ambiguous);
            return;
        }
        if from == 0 {
            self.gap(None, batch);
        } else {
            self.doubt(batch);
        }
        self.take(window, from, batch);
        self.cursor = self.cursor.max(total);
    }

    /// Where a reading that is not sure may start showing lines, at `from` or later: lines of
    /// the newest second shown that no sure reading proves new may be old ones (a replica
    /// behind, from before the lines remembered) unless the answer is known to be at least as
    /// fresh as the last one taken: then only lines older than the newest shown are skipped.
    pub(super) fn not_old(&self, from: usize, placement: Option<Placement>) -> usize {
        match placement {
            Some(p) if !self.fresh => from.max(p.not_newer),
            Some(p) => from.max(p.older),
            None => from,
        }
    }

    /// The overlaps `k` that fit: window[..k] are the last lines shown, window[k..] new.
    pub(super) fn overlaps<T: Keyed>(
        &self,
        window: &[T],
        placement: Option<Placement>,
    ) -> Vec<usize> {
        let (older, not_newer) = placement.map_or((0, window.len()), |p| (p.older, p.not_newer));
        (older.max(1)..=not_newer)
            .filter(|&k| self.ends_with(&window[..k]))
            .collect()
    }

    /// Where timestamps alone fix the overlap: the window reaches back before the watermark's
    /// time, and every line at that time was seen from the first, so the window's first
    /// `older + at_newest` lines are the ones seen.
    fn pinned(&self, p: Placement) -> Option<usize> {
        let clock = self.clock;
        if p.older == 0 || !clock.whole {
            return None;
        }
        let k = p.older.saturating_add(clock.at_newest);
        (k <= p.not_newer).then_some(k)
    }

    /// The lines seen end with these (as far as they are remembered).
    fn ends_with<T: Keyed>(&self, lines: &[T]) -> bool {
        let m = lines.len().min(self.history.len());
        let seen = self.history.iter().skip(self.history.len() - m);
        lines[lines.len() - m..]
            .iter()
            .map(Keyed::key)
            .eq(seen.copied())
    }

    /// The window could be an older answer: it ends at a line remembered before the last one,
    /// the lines before it agreeing with what was seen as far as both go back.
    pub(super) fn ends_earlier<T: Keyed>(&self, window: &[T]) -> bool {
        let (h, n) = (self.history.len(), window.len());
        let Some(last) = window.last().map(Keyed::key) else {
            return false;
        };
        (1..h)
            .filter(|&end| self.history[end - 1] == last)
            .any(|end| {
                let m = end.min(n);
                window[n - m..]
                    .iter()
                    .map(Keyed::key)
                    .eq(self.history.range(end - m..end).copied())
            })
    }

    /// Just past the latest place in `lines` holding the last line seen, with the lines before
    /// it agreeing with what was seen as far as both go back contiguously.
    fn last_seen_at<T: Keyed>(&self, lines: &[T]) -> Option<usize> {
        let last = *self.history.back()?;
        (1..=lines.len())
            .rev()
            .find(|&end| lines[end - 1].key() == last)
    }
}
