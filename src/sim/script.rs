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
    pub epoch: u16,
    what: What,
    a: u32,
    b: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Started,
    FetchingProfile,
    ProfileFetched,
    ProcessingPost,
    FetchedComments,
    CommentBatch,
    Sentiment,
    SentimentSummary,
    Saving,
    Completed,
    Error,
    Failed,
    Restarting,
    Coloured,
    FetchingReel,
    ProcessingReels,
    ReelStats,
}

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
        let mut plan: Vec<(What, u32, u32)> = Vec::new();
        let posts = rng.u32(8..=14);
        match kind {
            Kind::Profile => {
                plan.push((What::Started, 0, 0));
                plan.push((What::FetchingProfile, 0, 0));
                plan.push((What::ProfileFetched, rng.u32(800..250_000), posts));
                let mut comments = 0;
                for post in 1..=posts {
                    plan.push((What::ProcessingPost, post, posts));
                    for _ in 0..rng.u32(1..=2) {
                        let c = rng.u32(5..120);
                        comments += c;
                        plan.push((What::FetchedComments, c, post));
                    }
                }
                plan.push((What::Sentiment, comments, 0));
                plan.push((What::SentimentSummary, rng.u32(40..75), rng.u32(5..20)));
            }
            Kind::Reel => {
                plan.push((What::Started, 0, 0));
                plan.push((What::FetchingReel, 0, 0));
                for batch in 1..=posts {
                    plan.push((What::ProcessingReels, rng.u32(4..12), batch));
                }
                plan.push((What::ReelStats, rng.u32(1_000..900_000), rng.u32(10..5_000)));
            }
        }
        plan.push((What::Saving, 0, 0));
        plan.push((What::Completed, duration.as_secs() as u32, 0));

        let total_ms = duration.as_millis().max(1000) as u64;
        let mut lines = Vec::with_capacity(plan.len() + 300);
        // Lines spread over the run, a few sharing a moment as real logs do.
        let step = total_ms * 9 / 10 / plan.len() as u64;
        let mut at = 0;
        for &(what, a, b) in &plan {
            lines.push(Line {
                at_ms: at,
                epoch: 0,
                what,
                a,
                b,
            });
            if rng.u8(0..4) != 0 {
                at += rng.u64(step / 2..=step * 3 / 2);
            }
        }
        let mut ends_at = total_ms;
        let half = total_ms / 2;
        let split = lines.partition_point(|l| l.at_ms < half);
        match scenario {
            Scenario::Burst | Scenario::Demo => {
                let n = if scenario == Scenario::Demo { 150 } else { 300 };
                let at_ms = lines.get(split).map_or(half, |l| l.at_ms);
                let burst = (1..=n).map(|i| Line {
                    at_ms,
                    epoch: 0,
                    what: What::CommentBatch,
                    a: i,
                    b: n,
                });
                lines.splice(split..split, burst);
                if scenario == Scenario::Demo {
                    let at_ms = lines[lines.len() - 3].at_ms;
                    lines.insert(
                        lines.len() - 2,
                        Line {
                            at_ms,
                            epoch: 0,
                            what: What::Coloured,
                            a: 0,
                            b: 0,
                        },
                    );
                }
            }
            Scenario::Failing => {
                let at_ms = lines[split].at_ms;
                lines.truncate(split);
                lines.push(Line {
                    at_ms,
                    epoch: 0,
                    what: What::Error,
                    a: 429,
                    b: 0,
                });
                lines.push(Line {
                    at_ms: at_ms + 300,
                    epoch: 0,
                    what: What::Failed,
                    a: 0,
                    b: 0,
                });
                ends_at = at_ms + 1500;
            }
            Scenario::Restart => {
                // The second half is a new run of the log that starts from the beginning.
                let at_ms = lines[split].at_ms;
                let rest: Vec<Line> = lines.drain(split..).collect();
                lines.push(Line {
                    at_ms,
                    epoch: 1,
                    what: What::Restarting,
                    a: 0,
                    b: 0,
                });
                let replay = plan.len() - rest.len();
                for (i, (what, a, b)) in plan.iter().take(replay).enumerate() {
                    lines.push(Line {
                        at_ms: at_ms + 100 + i as u64 * 50,
                        epoch: 1,
                        what: *what,
                        a: *a,
                        b: *b,
                    });
                }
                let shift =
                    (lines.last().map_or(0, |l| l.at_ms) + 100).saturating_sub(rest[0].at_ms);
                lines.extend(rest.into_iter().map(|l| Line {
                    at_ms: l.at_ms + shift,
                    epoch: 1,
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
            ends_at: Duration::from_millis(ends_at.max(last + 1000)),
        }
    }

    /// A task that writes `count` lines at `per_second`, for load and memory measurements. It
    /// stays processing for 6 s after its last line, longer than the poll intervals measured,
    /// so that a client can see every line.
    pub fn steady(count: u64, per_second: f64, id: &str) -> Script {
        let gap = 1000.0 / per_second.max(0.001);
        let lines = (0..count)
            .map(|i| Line {
                at_ms: (i as f64 * gap) as u64,
                epoch: 0,
                what: What::CommentBatch,
                a: i as u32 + 1,
                b: count as u32,
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
        let start = self.lines[..end].partition_point(|l| l.epoch < last.epoch);
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
        let (a, b) = (line.a, line.b);
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
            What::ProfileFetched => (
                "profile_fetched",
                vec![f("followers", a), f("posts", b)],
                format!("Profile fetched: {a} followers, {b} recent posts to process"),
            ),
            What::ProcessingPost => (
                "processing_post",
                vec![f("index", a), f("total", b)],
                format!("Processing post {a}/{b}"),
            ),
            What::FetchedComments => (
                "fetched_comments",
                vec![f("count", a), f("post", b)],
                format!("Fetched {a} comments for post {b}"),
            ),
            What::CommentBatch => (
                "comment_batch",
                vec![f("batch", a), f("total", b)],
                format!("Stored comment batch {a}/{b}"),
            ),
            What::Sentiment => (
                "sentiment_analysis",
                vec![f("count", a)],
                format!("Running sentiment analysis on {a} comments"),
            ),
            What::SentimentSummary => (
                "sentiment_summary",
                vec![f("positive", a), f("negative", b)],
                format!(
                    "Sentiment summary:\n  positive {a}%\n  neutral  {}%\n  negative {b}%",
                    100u32.saturating_sub(a + b)
                ),
            ),
            What::Saving => ("saving_results", vec![], "Saving results to the database".into()),
            What::Completed => (
                "task_completed",
                vec![f("seconds", a)],
                format!("Task completed in {a}s"),
            ),
            What::Error => (
                "error",
                vec![f("status", a)],
                format!("ERROR: Instagram answered HTTP {a} while fetching comments; giving up"),
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
            What::ProcessingReels => (
                "processing_reels",
                vec![f("count", a), f("batch", b)],
                format!("Processing {a} reels (batch {b})"),
            ),
            What::ReelStats => (
                "reel_stats",
                vec![f("views", a), f("likes", b)],
                format!("Reel stats: {a} views, {b} likes"),
            ),
        }
    }
}

fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// An Instagram-like handle derived from the task id.
fn handle(id: &str) -> String {
    const NAMES: [&str; 6] = ["codvid.ai", "natgeo", "nasa", "bbcnews", "unicef", "wwf"];
    NAMES[(hash(id) % NAMES.len() as u64) as usize].to_string()
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
        assert!(before.iter().all(|l| l.epoch == 0));
        let after = s.visible(s.ends_at);
        assert!(after.iter().all(|l| l.epoch == 1));
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
            .find(|l| l.what == What::ProcessingReels)
            .unwrap();
        let e = s.render(line, 1_755_620_000, true);
        assert_eq!(e.event, Some(json!("processing_reels")));
        assert!(e.extra.contains_key("count"));
        assert!(e.message.is_none());
    }

    #[test]
    fn steady_tasks_are_compact() {
        let s = Script::steady(1_000_000, 1000.0, "big");
        assert_eq!(all(&s).len(), 1_000_000);
        assert_eq!(s.visible(Duration::from_millis(999)).len(), 1000);
    }
}
