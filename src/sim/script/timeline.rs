//! How a simulated task's timeline is made: what it writes (its plan, numbers drawn from its
//! seed), when (spread over its duration, ending shortly before the task does), and what each
//! scenario changes halfway through (a burst, a failure, a restart of the log).

use std::time::Duration;

use super::what::What;
use super::{Kind, Line, Scenario, TAIL_MS};

/// What a task of `kind` writes, in order, before a scenario changes it.
pub(super) fn plan(kind: Kind, duration: Duration, rng: &mut fastrand::Rng) -> Vec<What> {
    let mut plan: Vec<What> = vec![What::Started];
    let posts = rng.u32(8..=14);
    match kind {
        Kind::Profile => {
            plan.push(What::FetchingProfile);
            let followers = rng.u32(800..250_000);
            plan.push(What::ProfileFetched { followers, posts });
            let mut comments = 0;
            for post in 1..=posts {
                plan.push(What::ProcessingPost { post, of: posts });
                for _ in 0..rng.u32(1..=2) {
                    let count = rng.u32(5..120);
                    comments += count;
                    plan.push(What::FetchedComments { count, post });
                }
            }
            plan.push(What::Sentiment { comments });
            let (positive, negative) = (rng.u32(40..75), rng.u32(5..20));
            plan.push(What::SentimentSummary { positive, negative });
        }
        Kind::Reel => {
            plan.push(What::FetchingReel);
            for batch in 1..=posts {
                let count = rng.u32(4..12);
                plan.push(What::ProcessingReels { count, batch });
            }
            let (views, likes) = (rng.u32(1_000..900_000), rng.u32(10..5_000));
            plan.push(What::ReelStats { views, likes });
        }
    }
    plan.push(What::Saving);
    let seconds = u32::try_from(duration.as_secs()).unwrap_or(u32::MAX);
    plan.push(What::Completed { seconds });
    plan
}

/// The plan's lines spread over the run, a few sharing a moment as real logs do; then stretched
/// so that the completion line is written shortly before the task ends (TAIL_MS: long enough
/// for a client polling every second or two to see it).
pub(super) fn spread(plan: &[What], total_ms: u64, rng: &mut fastrand::Rng) -> Vec<Line> {
    let mut raw = Vec::with_capacity(plan.len());
    let mut at = 0u64;
    for _ in plan {
        raw.push(at);
        if rng.u8(0..4) != 0 {
            at += rng.u64(500..=1500);
        }
    }
    let last_raw = raw.last().copied().unwrap_or(0).max(1);
    let last_at = total_ms.saturating_sub(TAIL_MS).max(total_ms / 2);
    let mut lines = Vec::with_capacity(plan.len() + 300);
    for (&what, &raw_at) in plan.iter().zip(&raw) {
        let at_ms = (u128::from(raw_at) * u128::from(last_at) / u128::from(last_raw)) as u64;
        lines.push(Line::new(at_ms, 0, what));
    }
    lines
}

/// Where the second half of a timeline starts: the first line in it (never past the last line,
/// so every scenario has one) and its time.
#[derive(Clone, Copy)]
struct Half {
    at: usize,
    ms: u64,
}

impl Half {
    fn of(lines: &[Line], total_ms: u64) -> Half {
        let half = total_ms / 2;
        let at = lines
            .partition_point(|l| l.at_ms < half)
            .min(lines.len().saturating_sub(1));
        Half {
            at,
            ms: lines.get(at).map_or(half, |l| l.at_ms),
        }
    }
}

/// Changes the timeline as `scenario` wants; returns when the task ends at the earliest.
pub(super) fn apply(
    scenario: Scenario,
    lines: &mut Vec<Line>,
    plan: &[What],
    total_ms: u64,
) -> u64 {
    let half = Half::of(lines, total_ms);
    match scenario {
        Scenario::Burst => burst(lines, half, 300),
        Scenario::Demo => {
            burst(lines, half, 150);
            // Before "Saving" and "Completed", at the moment of the line before them.
            let at = lines.len().saturating_sub(2);
            let at_ms = lines.get(at.saturating_sub(1)).map_or(0, |l| l.at_ms);
            lines.insert(at, Line::new(at_ms, 0, What::Coloured));
        }
        Scenario::Failing => {
            lines.truncate(half.at);
            lines.push(Line::new(half.ms, 0, What::Error { http_status: 429 }));
            lines.push(Line::new(half.ms + 300, 0, What::Failed));
            return half.ms + 1500;
        }
        Scenario::Restart => restart(lines, half, plan),
        Scenario::Normal
        | Scenario::Trimmed
        | Scenario::Flaky
        | Scenario::Slow
        | Scenario::Steady => {}
    }
    total_ms
}

/// `n` lines at once, halfway through.
fn burst(lines: &mut Vec<Line>, half: Half, n: u32) {
    let burst = (1..=n).map(|batch| Line::new(half.ms, 0, What::CommentBatch { batch, of: n }));
    lines.splice(half.at..half.at, burst);
}

/// The second half is a new run of the log that starts from the beginning.
fn restart(lines: &mut Vec<Line>, half: Half, plan: &[What]) {
    let rest: Vec<Line> = lines.drain(half.at..).collect();
    lines.push(Line::new(half.ms, 1, What::Restarting));
    let replay = plan.len().saturating_sub(rest.len());
    for (i, what) in plan.iter().take(replay).enumerate() {
        lines.push(Line::new(half.ms + 100 + i as u64 * 50, 1, *what));
    }
    let first_rest = rest.first().map_or(half.ms, |l| l.at_ms);
    let shift = (lines.last().map_or(0, |l| l.at_ms) + 100).saturating_sub(first_rest);
    lines.extend(rest.into_iter().map(|l| Line {
        at_ms: l.at_ms + shift,
        run: 1,
        ..l
    }));
}
