//! What a simulated task writes, and when: a timeline of log lines for each scenario. Pure: the
//! server asks which lines are visible at a given moment. Lines are stored compactly and turned
//! into text only when they are sent, so even a very long task stays small in memory.

use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::api::wire::LogEvent;

/// Behaviours a client must survive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// A task that runs and finishes.
    Normal,
    /// An error line, then the end.
    Failing,
    /// Hundreds of lines at once, past the 100-line window.
    Burst,
    /// The server keeps only its last lines (--keep), so its total stops growing.
    Trimmed,
    /// Halfway through, the task's log starts over.
    Restart,
    /// A share of status answers are 500 JSON, 502 HTML, truncated JSON or 429 with Retry-After.
    Flaky,
    /// A share of status answers take longer than a typical request timeout (--slow-delay).
    Slow,
    /// The guided tour: a burst, a multi-line message and one with terminal escapes.
    Demo,
    /// `--lines` lines at `--rate` lines a second, for measurements.
    Steady,
}

/// Which trigger started the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Profile,
    Reel,
}

/// One line: when it appears (ms after the start), which run of the log it belongs to (a
/// restart begins a new one), and what it says.
#[derive(Debug, Clone, Copy)]
pub struct Line {
    pub at_ms: u64,
    pub run: u16,
    what: What,
}

/// What a line says, with its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Started,
    FetchingProfile,
    ProfileFetched { followers: u32, posts: u32 },
    ProcessingPost { post: u32, of: u32 },
    FetchedComments { count: u32, post: u32 },
    CommentBatch { batch: u32, of: u32 },
    Sentiment { comments: u32 },
    SentimentSummary { positive: u32, negative: u32 },
    Saving,
    Completed { seconds: u32 },
    Error { http_status: u32 },
    Failed,
    Restarting,
    Coloured,
    FetchingReel,
    ProcessingReels { count: u32, batch: u32 },
    ReelStats { views: u32, likes: u32 },
}

impl Line {
    fn new(at_ms: u64, run: u16, what: What) -> Line {
        Line { at_ms, run, what }
    }
}

/// How long a task stays processing after its last line.
const TAIL_MS: u64 = 2000;

pub struct Script {
    pub kind: Kind,
    handle: String,
    lines: Vec<Line>,
    pub ends_at: Duration,
}

impl Script {
    pub fn build(
        kind: Kind,
        scenario: Scenario,
        duration: Duration,
        id: &str,
        seed: u64,
    ) -> Script {
        let mut rng = fastrand::Rng::with_seed(seed ^ hash(id));
        let mut plan: Vec<What> = Vec::new();
        let posts = rng.u32(8..=14);
        match kind {
            Kind::Profile => {
                plan.push(What::Started);
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
                plan.push(What::Started);
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

        let total_ms = u64::try_from(duration.as_millis())
            .unwrap_or(u64::MAX)
            .max(1000);
        // Lines spread over the run, a few sharing a moment as real logs do; then stretched so
        // that the completion line is written shortly before the task ends (TAIL_MS: long
        // enough for a client polling every second or two to see it).
        let mut raw = Vec::with_capacity(plan.len());
        let mut at = 0u64;
        for _ in &plan {
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
        let mut ends_at = total_ms;
        let half = total_ms / 2;
        // Where the second half starts; never past the last line, so every scenario has one.
        let split = lines
            .partition_point(|l| l.at_ms < half)
            .min(lines.len().saturating_sub(1));
        let split_ms = lines.get(split).map_or(half, |l| l.at_ms);
        match scenario {
            Scenario::Burst | Scenario::Demo => {
                let n = if scenario == Scenario::Demo { 150 } else { 300 };
                let burst = (1..=n)
                    .map(|batch| Line::new(split_ms, 0, What::CommentBatch { batch, of: n }));
                lines.splice(split..split, burst);
                if scenario == Scenario::Demo {
                    // Before "Saving" and "Completed", at the moment of the line before them.
                    let at = lines.len().saturating_sub(2);
                    let at_ms = lines.get(at.saturating_sub(1)).map_or(0, |l| l.at_ms);
                    lines.insert(at, Line::new(at_ms, 0, What::Coloured));
                }
            }
            Scenario::Failing => {
                lines.truncate(split);
                lines.push(Line::new(split_ms, 0, What::Error { http_status: 429 }));
                lines.push(Line::new(split_ms + 300, 0, What::Failed));
                ends_at = split_ms + 1500;
            }
            Scenario::Restart => {
                // The second half is a new run of the log that starts from the beginning.
                let rest: Vec<Line> = lines.drain(split..).collect();
                lines.push(Line::new(split_ms, 1, What::Restarting));
                let replay = plan.len().saturating_sub(rest.len());
                for (i, what) in plan.iter().take(replay).enumerate() {
                    lines.push(Line::new(split_ms + 100 + i as u64 * 50, 1, *what));
                }
                let first_rest = rest.first().map_or(split_ms, |l| l.at_ms);
                let shift = (lines.last().map_or(0, |l| l.at_ms) + 100).saturating_sub(first_rest);
                lines.extend(rest.into_iter().map(|l| Line {
                    at_ms: l.at_ms + shift,
                    run: 1,
                    ..l
                }));
            }
            Scenario::Normal
            | Scenario::Trimmed
            | Scenario::Flaky
            | Scenario::Slow
            | Scenario::Steady => {}
        }
        lines.sort_by_key(|l| l.at_ms);
        let last = lines.last().map_or(0, |l| l.at_ms);
        Script {
            kind,
            handle: handle(id),
            lines,
            ends_at: Duration::from_millis(ends_at.max(last + TAIL_MS)),
        }
    }

    /// A task that writes `count` lines at `per_second`, for load and memory measurements. It
    /// stays processing for 6 s after its last line, longer than the poll intervals measured,
    /// so that a client can see every line.
    pub fn steady(count: u64, per_second: f64, id: &str) -> Script {
        let gap = 1000.0 / per_second.max(0.001);
        let lines = (0..count)
            .map(|i| {
                let batch = u32::try_from(i + 1).unwrap_or(u32::MAX);
                let of = u32::try_from(count).unwrap_or(u32::MAX);
                Line::new((i as f64 * gap) as u64, 0, What::CommentBatch { batch, of })
            })
            .collect::<Vec<_>>();
        let last = lines.last().map_or(0, |l| l.at_ms);
        Script {
            kind: Kind::Profile,
            handle: handle(id),
            lines,
            ends_at: Duration::from_millis(last + 6000),
        }
    }

    /// The lines the server holds at `elapsed`: those written so far in the current run of the
    /// log.
    pub fn visible(&self, elapsed: Duration) -> &[Line] {
        let now = elapsed.as_millis() as u64;
        let end = self.lines.partition_point(|l| l.at_ms <= now);
        let Some(last) = end.checked_sub(1).map(|i| self.lines[i]) else {
            return &[];
        };
        let start = self.lines[..end].partition_point(|l| l.run < last.run);
        &self.lines[start..end]
    }

    /// The line as the server sends it: `message` (Update 7 and 8) or `event` with fields
    /// (Update 6). `start_epoch` is the task's start in seconds since the epoch.
    pub fn render(&self, line: &Line, start_epoch: u64, as_event: bool) -> LogEvent {
        let (event, fields, message) = self.text(line);
        let timestamp = Some(json!(start_epoch + line.at_ms / 1000));
        if as_event {
            let extra: Map<String, Value> = fields.into_iter().collect();
            LogEvent {
                timestamp,
                message: None,
                event: Some(json!(event)),
                extra,
            }
        } else {
            LogEvent {
                timestamp,
                message: Some(json!(message)),
                event: None,
                extra: Map::new(),
            }
        }
    }

    fn text(&self, line: &Line) -> (&'static str, Vec<(String, Value)>, String) {
        let h = &self.handle;
        let f = |k: &str, v: u32| (k.to_string(), json!(v));
        match line.what {
            What::Started => (
                "task_started",
                vec![],
                match self.kind {
                    Kind::Profile => format!("Starting profile tracking task for @{h}"),
                    Kind::Reel => format!("Starting reel tracking task for @{h}"),
                },
            ),
            What::FetchingProfile => (
                "fetching_profile",
                vec![],
                format!("Fetching profile data for @{h}"),
            ),
            What::ProfileFetched { followers, posts } => (
                "profile_fetched",
                vec![f("followers", followers), f("posts", posts)],
                format!("Profile fetched: {followers} followers, {posts} recent posts to process"),
            ),
            What::ProcessingPost { post, of } => (
                "processing_post",
                vec![f("index", post), f("total", of)],
                format!("Processing post {post}/{of}"),
            ),
            What::FetchedComments { count, post } => (
                "fetched_comments",
                vec![f("count", count), f("post", post)],
                format!("Fetched {count} comments for post {post}"),
            ),
            What::CommentBatch { batch, of } => (
                "comment_batch",
                vec![f("batch", batch), f("total", of)],
                format!("Stored comment batch {batch}/{of}"),
            ),
            What::Sentiment { comments } => (
                "sentiment_analysis",
                vec![f("count", comments)],
                format!("Running sentiment analysis on {comments} comments"),
            ),
            What::SentimentSummary { positive, negative } => (
                "sentiment_summary",
                vec![f("positive", positive), f("negative", negative)],
                format!(
                    "Sentiment summary:\n  positive {positive}%\n  neutral  {}%\n  negative {negative}%",
                    100u32.saturating_sub(positive + negative)
                ),
            ),
            What::Saving => ("saving_results", vec![], "Saving results to the database".into()),
            What::Completed { seconds } => (
                "task_completed",
                vec![f("seconds", seconds)],
                format!("Task completed in {seconds}s"),
            ),
            What::Error { http_status } => (
                "error",
                vec![f("status", http_status)],
                format!("ERROR: Instagram answered HTTP {http_status} while fetching comments; giving up"),
            ),
            What::Failed => ("task_failed", vec![], "Task failed".into()),
            What::Restarting => (
                "task_restarted",
                vec![],
                "Worker restarted: running the task again from the start".into(),
            ),
            What::Coloured => (
                "raw_output",
                vec![],
                "scraper said: \u{1b}[32mOK\u{1b}[0m \u{1b}]0;pwned\u{7}(terminal escapes are shown, not obeyed)".into(),
            ),
            What::FetchingReel => ("fetching_reels", vec![], format!("Fetching reels of @{h}")),
            What::ProcessingReels { count, batch } => (
                "processing_reels",
                vec![f("count", count), f("batch", batch)],
                format!("Processing {count} reels (batch {batch})"),
            ),
            What::ReelStats { views, likes } => (
                "reel_stats",
                vec![f("views", views), f("likes", likes)],
                format!("Reel stats: {views} views, {likes} likes"),
            ),
        }
    }
}

fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// An Instagram-like handle derived from the task id: a known name, for three ids in four
/// followed by a number (so that many tracked profiles can have handles of their own).
pub fn handle(id: &str) -> String {
    const NAMES: [&str; 12] = [
        "codvid.ai",
        "natgeo",
        "nasa",
        "bbcnews",
        "unicef",
        "wwf",
        "nytimes",
        "espn",
        "who",
        "cern",
        "louvre",
        "tate",
    ];
    let h = hash(id);
    let name = NAMES[(h % NAMES.len() as u64) as usize];
    match (h / NAMES.len() as u64) % 400 {
        n if n < 100 => name.to_string(),
        n => format!("{name}_{n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(s: &Script) -> &[Line] {
        s.visible(s.ends_at)
    }

    #[test]
    fn lines_appear_over_time_and_end() {
        let s = Script::build(
            Kind::Profile,
            Scenario::Normal,
            Duration::from_secs(20),
            "t",
            1,
        );
        assert!(s.visible(Duration::ZERO).len() < 6);
        let mid = s.visible(Duration::from_secs(10)).len();
        let end = all(&s).len();
        assert!(mid > 3 && mid < end, "{mid} of {end}");
        assert!(s.ends_at >= Duration::from_secs(18) && s.ends_at <= Duration::from_secs(25));
        let text = s.render(all(&s).last().unwrap(), 0, false);
        assert_eq!(text.message, Some(json!("Task completed in 20s")));
    }

    #[test]
    fn burst_is_past_the_window() {
        let s = Script::build(
            Kind::Profile,
            Scenario::Burst,
            Duration::from_secs(10),
            "t",
            1,
        );
        let mut at = std::collections::HashMap::new();
        for l in all(&s) {
            *at.entry(l.at_ms).or_insert(0) += 1;
        }
        assert!(at.values().any(|&n| n >= 300));
    }

    #[test]
    fn failing_ends_after_an_error() {
        let s = Script::build(
            Kind::Profile,
            Scenario::Failing,
            Duration::from_secs(10),
            "t",
            1,
        );
        let lines = all(&s);
        let texts: Vec<String> = lines
            .iter()
            .map(|l| {
                s.render(l, 0, false)
                    .message
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert!(texts[texts.len() - 2].starts_with("ERROR"));
        assert!(s.ends_at < Duration::from_secs(10));
    }

    #[test]
    fn restart_starts_a_new_run_of_the_log() {
        let s = Script::build(
            Kind::Profile,
            Scenario::Restart,
            Duration::from_secs(10),
            "t",
            1,
        );
        let before = s.visible(Duration::from_millis(4000));
        assert!(before.iter().all(|l| l.run == 0));
        let after = s.visible(s.ends_at);
        assert!(after.iter().all(|l| l.run == 1));
        assert!(after.len() < before.len() + 50);
    }

    #[test]
    fn update6_events_carry_fields() {
        let s = Script::build(
            Kind::Reel,
            Scenario::Normal,
            Duration::from_secs(10),
            "t",
            1,
        );
        let line = all(&s)
            .iter()
            .find(|l| matches!(l.what, What::ProcessingReels { .. }))
            .unwrap();
        let e = s.render(line, 1_755_620_000, true);
        assert_eq!(e.event, Some(json!("processing_reels")));
        assert!(e.extra.contains_key("count"));
        assert!(e.message.is_none());
    }

    /// Every scenario builds for every seed, and its timeline is sound: sorted, ending after
    /// its last line; a task that completes says so in its last line, shortly before it
    /// ends.
    #[test]
    fn every_scenario_builds_for_1000_seeds() {
        use clap::ValueEnum;
        for &scenario in Scenario::value_variants() {
            for kind in [Kind::Profile, Kind::Reel] {
                for seed in 0..1000 {
                    let secs = 1 + seed % 40;
                    let s = Script::build(kind, scenario, Duration::from_secs(secs), "t", seed);
                    let lines = all(&s);
                    assert!(!lines.is_empty(), "{scenario:?} {seed}");
                    assert!(s.lines.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
                    let last = lines[lines.len() - 1];
                    assert!(s.ends_at.as_millis() as u64 > last.at_ms);
                    if scenario != Scenario::Failing && scenario != Scenario::Steady {
                        assert!(
                            matches!(last.what, What::Completed { .. }),
                            "{scenario:?} {kind:?} {seed}: {last:?}"
                        );
                    }
                    if matches!(scenario, Scenario::Normal | Scenario::Demo) {
                        let early = s.ends_at.as_millis() as u64 - last.at_ms;
                        assert!(
                            early <= TAIL_MS + secs * 20,
                            "{scenario:?} {seed}: {early} ms"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn steady_tasks_are_compact() {
        let s = Script::steady(1_000_000, 1000.0, "big");
        assert_eq!(all(&s).len(), 1_000_000);
        assert_eq!(s.visible(Duration::from_millis(999)).len(), 1000);
    }
}
