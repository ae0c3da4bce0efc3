//! What a simulated task writes, and when: a timeline of log lines for each scenario. Pure: the
//! server asks which lines are visible at a given moment. Lines are stored compactly and turned
//! into text only when they are sent, so even a very long task stays small in memory.
//!
//! Here: the scenarios, a script and what is visible of it when; `timeline` makes a script's
//! lines, `what` words them.

mod timeline;
mod what;

use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::api::wire::LogEvent;
use timeline::{apply, plan, spread};
use what::What;

/// Behaviours a client must survive ([`Scenario::help`] says each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

impl Scenario {
    /// Every scenario, in the order `serve --help` lists them.
    pub const ALL: [Scenario; 9] = [
        Scenario::Normal,
        Scenario::Failing,
        Scenario::Burst,
        Scenario::Trimmed,
        Scenario::Restart,
        Scenario::Flaky,
        Scenario::Slow,
        Scenario::Demo,
        Scenario::Steady,
    ];

    /// The name `--scenario` takes.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Normal => "normal",
            Scenario::Failing => "failing",
            Scenario::Burst => "burst",
            Scenario::Trimmed => "trimmed",
            Scenario::Restart => "restart",
            Scenario::Flaky => "flaky",
            Scenario::Slow => "slow",
            Scenario::Demo => "demo",
            Scenario::Steady => "steady",
        }
    }

    /// What it does, as `serve --help` says it.
    pub fn help(self) -> &'static str {
        match self {
            Scenario::Normal => "A task that runs and finishes",
            Scenario::Failing => "An error line, then the end",
            Scenario::Burst => "Hundreds of lines at once, past the 100-line window",
            Scenario::Trimmed => {
                "The server keeps only its last lines (--keep), so its total stops growing"
            }
            Scenario::Restart => "Halfway through, the task's log starts over",
            Scenario::Flaky => {
                "A share of status answers are 500 JSON, 502 HTML, truncated JSON or 429 with \
                 Retry-After"
            }
            Scenario::Slow => {
                "A share of status answers take longer than a typical request timeout \
                 (--slow-delay)"
            }
            Scenario::Demo => {
                "The guided tour: a burst, a multi-line message and one with terminal escapes"
            }
            Scenario::Steady => "`--lines` lines at `--rate` lines a second, for measurements",
        }
    }
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
    /// A task's timeline: the lines of its kind (numbers drawn from `seed` and `id`) spread over
    /// `duration`, then changed as the scenario wants.
    pub fn build(
        kind: Kind,
        scenario: Scenario,
        duration: Duration,
        id: &str,
        seed: u64,
    ) -> Script {
        let mut rng = fastrand::Rng::with_seed(seed ^ hash(id));
        let plan = plan(kind, duration, &mut rng);
        let total_ms = u64::try_from(duration.as_millis())
            .unwrap_or(u64::MAX)
            .max(1000);
        let mut lines = spread(&plan, total_ms, &mut rng);
        let ends_at = apply(scenario, &mut lines, &plan, total_ms);
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
        let timestamp = Some(json!(start_epoch + line.at_ms / 1000));
        if as_event {
            let (event, fields) = line.what.event();
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
                message: Some(json!(line.what.message(self.kind, &self.handle))),
                event: None,
                extra: Map::new(),
            }
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
        for scenario in Scenario::ALL {
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
