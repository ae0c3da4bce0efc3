//! Progress in log lines: a fraction `N/M` ("Processing post 3/12") and its label, followed per
//! task, with an estimate of the time left from the rate observed so far. Pure: the caller says
//! what time each line is from.

use std::sync::OnceLock;

use regex::Regex;

/// How progress is recognised in a line.
#[derive(Debug, Clone, Default)]
pub enum Pattern {
    /// `N/M` (whole numbers, N ≤ M, M > 1) with the words just before it as the label.
    #[default]
    BuiltIn,
    /// A regex with groups `done` and `total` (named, else the first two unnamed ones) at
    /// these indices; an optional named group `label`, else the words before `done`.
    Custom {
        re: Regex,
        done: usize,
        total: usize,
    },
    /// `--progress none`.
    Off,
}

/// One fraction found in a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fraction {
    pub label: String,
    pub done: u64,
    pub total: u64,
}

/// A task's progress as last seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub label: String,
    pub done: u64,
    pub total: u64,
    /// Seconds left at the rate observed so far; `None` until it can be estimated.
    pub eta_s: Option<u64>,
    /// Where `eta_s` comes from.
    pub eta_source: Option<EtaSource>,
    /// Steps the rate was measured over (since the first one seen).
    pub measured: u64,
}

/// What an estimate of the time left is based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EtaSource {
    /// The run's own progress rate.
    Rate,
    /// The durations of the task's past runs (the archive).
    History,
}

impl EtaSource {
    pub fn as_str(self) -> &'static str {
        match self {
            EtaSource::Rate => "rate",
            EtaSource::History => "history",
        }
    }
}

/// Steps of progress over which the run's own rate is trusted more than past runs.
pub const RATE_TRUSTED_AFTER: u64 = 3;

/// The longest label kept, in characters (the words nearest the fraction).
const MAX_LABEL: usize = 60;

fn built_in() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // Not part of a longer token: no word character, `/` or `.` right before (dates, paths,
    // decimals, versions) nor right after (a `.` that ends a sentence is fine).
    RE.get_or_init(|| {
        Regex::new(r"(?:^|[^\w/.])(?P<done>\d{1,19})/(?P<total>\d{1,19})(?:$|[^\w/.]|\.(?:$|\D))")
            .expect("the built-in progress pattern is a valid regex")
    })
}

impl Pattern {
    /// `none`, or a regex with groups for `done` and `total`: the value parser of
    /// `--progress`.
    pub fn parse(s: &str) -> Result<Pattern, String> {
        if s.eq_ignore_ascii_case("none") {
            return Ok(Pattern::Off);
        }
        let re = Regex::new(s).map_err(|e| crate::sanitize::regex_error(&e))?;
        let index = |name: &str| re.capture_names().position(|n| n == Some(name));
        let unnamed: Vec<usize> = re
            .capture_names()
            .enumerate()
            .skip(1)
            .filter(|(_, n)| n.is_none())
            .map(|(i, _)| i)
            .collect();
        let (done, total) = match (index("done"), index("total")) {
            (Some(d), Some(t)) => (d, t),
            _ if unnamed.len() >= 2 => (unnamed[0], unnamed[1]),
            _ => {
                return Err(
                    "expected `none`, or a regex with two capture groups (done, then total) or groups named `done` and `total`"
                        .into(),
                )
            }
        };
        Ok(Pattern::Custom { re, done, total })
    }

    /// The first progress fraction in `message`, if any.
    pub fn recognise(&self, message: &str) -> Option<Fraction> {
        match self {
            Pattern::Off => None,
            // Most lines hold no `/`: a byte search spares them the regex.
            Pattern::BuiltIn if !message.contains('/') => None,
            Pattern::BuiltIn => built_in()
                .captures_iter(message)
                .find_map(|c| fraction(&c, message, 1, 2)),
            Pattern::Custom { re, done, total } => re
                .captures_iter(message)
                .find_map(|c| fraction(&c, message, *done, *total)),
        }
    }
}

/// The fraction a match describes (groups `done` and `total` at these indices), when it is
/// one.
fn fraction(c: &regex::Captures, message: &str, done: usize, total: usize) -> Option<Fraction> {
    let (done, total) = (c.get(done)?, c.get(total)?);
    let d: u64 = done.as_str().trim().parse().ok()?;
    let t: u64 = total.as_str().trim().parse().ok()?;
    if d > t || t < 2 {
        return None;
    }
    let label = match c.name("label") {
        Some(l) => tidy(l.as_str()),
        None => words_before(&message[..done.start()]),
    };
    Some(Fraction {
        label,
        done: d,
        total: t,
    })
}

/// The words right before a fraction (past an opening bracket, `#` or `:`): letters, spaces,
/// `-`, `_` and `'`, whitespace collapsed.
fn words_before(text: &str) -> String {
    let text =
        text.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '(' | '[' | '#' | ':'));
    let start = text
        .char_indices()
        .rev()
        .take_while(|(_, c)| {
            c.is_alphabetic() || c.is_whitespace() || matches!(c, '-' | '_' | '\'')
        })
        .last()
        .map_or(text.len(), |(i, _)| i);
    tidy(&text[start..])
}

fn tidy(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut label = words.join(" ");
    let len = label.chars().count();
    if len > MAX_LABEL {
        label = label.chars().skip(len - MAX_LABEL).collect();
        label = label.trim_start().to_string();
    }
    label
}

/// One task's progress: the label seen first is followed (the outer loop); when its total
/// changes or its count goes backwards it starts over.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pattern: Pattern,
    label: Option<String>,
    run: Option<Run>,
}

/// The current run of the followed label.
#[derive(Debug, Clone)]
struct Run {
    done: u64,
    total: u64,
    /// Where the rate is measured from.
    first_done: u64,
    first_at: f64,
    eta_s: Option<u64>,
}

impl Progress {
    pub fn new(pattern: Pattern) -> Progress {
        Progress {
            pattern,
            label: None,
            run: None,
        }
    }

    /// Looks at one line written at `at` (seconds, any fixed origin); true when the progress
    /// changed.
    pub fn observe(&mut self, message: &str, at: f64) -> bool {
        let Some(f) = self.pattern.recognise(message) else {
            return false;
        };
        match &self.label {
            Some(label) if *label != f.label => return false,
            Some(_) => {}
            None => self.label = Some(f.label),
        }
        let finished = f.done == f.total;
        match &mut self.run {
            Some(run) if run.total == f.total && f.done >= run.done => {
                if f.done == run.done {
                    return false;
                }
                run.done = f.done;
                let elapsed = at - run.first_at;
                let counted = f.done - run.first_done;
                run.eta_s = if finished {
                    Some(0)
                } else if elapsed > 0.0 && counted > 0 {
                    let rate = counted as f64 / elapsed;
                    // A float-to-int cast saturates.
                    Some(((f.total - f.done) as f64 / rate).ceil() as u64)
                } else {
                    None
                };
            }
            _ => {
                self.run = Some(Run {
                    done: f.done,
                    total: f.total,
                    first_done: f.done,
                    first_at: at,
                    eta_s: finished.then_some(0),
                })
            }
        }
        true
    }

    pub fn snapshot(&self) -> Option<Snapshot> {
        let run = self.run.as_ref()?;
        Some(Snapshot {
            label: self.label.clone().unwrap_or_default(),
            done: run.done,
            total: run.total,
            eta_s: run.eta_s,
            eta_source: run.eta_s.map(|_| EtaSource::Rate),
            measured: run.done.saturating_sub(run.first_done),
        })
    }
}

impl Snapshot {
    /// With the time left estimated from past runs (their typical duration `typical_s`, this
    /// run `elapsed_s` old) until the run's own rate has been measured over enough steps.
    pub fn with_history(mut self, typical_s: f64, elapsed_s: f64) -> Snapshot {
        let finished = self.total > 0 && self.done >= self.total;
        if finished || self.measured >= RATE_TRUSTED_AFTER || !typical_s.is_finite() {
            return self;
        }
        let left = (typical_s - elapsed_s.max(0.0)).max(0.0);
        // A float-to-int cast saturates.
        self.eta_s = Some(left.ceil() as u64);
        self.eta_source = Some(EtaSource::History);
        self
    }

    /// Whole percent done.
    pub fn percent(&self) -> u64 {
        if self.total == 0 {
            return 0;
        }
        (u128::from(self.done) * 100 / u128::from(self.total)) as u64
    }

    /// More than half done.
    pub fn past_half(&self) -> bool {
        u128::from(self.done) * 2 > u128::from(self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn found(message: &str) -> Option<(String, u64, u64)> {
        Pattern::BuiltIn
            .recognise(message)
            .map(|f| (f.label, f.done, f.total))
    }

    #[test]
    fn recognises_fractions_and_their_labels() {
        assert_eq!(
            found("Processing post 3/12"),
            Some(("Processing post".into(), 3, 12))
        );
        assert_eq!(
            found("Stored comment batch 138/150"),
            Some(("Stored comment batch".into(), 138, 150))
        );
        assert_eq!(
            found("[worker-3] INFO: Uploading chunk (4/9) done."),
            Some(("Uploading chunk".into(), 4, 9))
        );
        assert_eq!(found("Step 2/5: download"), Some(("Step".into(), 2, 5)));
        assert_eq!(found("0/10 at the start"), Some(("".into(), 0, 10)));
        assert_eq!(found("Done 12/12."), Some(("Done".into(), 12, 12)));
        // Not progress: N > M, M ≤ 1, dates, paths, decimals, versions, words.
        for text in [
            "Fetched 29 comments for post 9",
            "ratio 12/3",
            "only 1/1",
            "0/0",
            "on 2023/12/21",
            "see /api/3/12",
            "GET /tasks/3/12 HTTP/1.1",
            "1.5/10 stars",
            "3/12.5 ms",
            "v1/2",
            "10.0.0.1/24",
            "a3/12",
            "99999999999999999999/99999999999999999999",
        ] {
            assert_eq!(found(text), None, "{text}");
        }
        // The first fraction that is one.
        assert_eq!(
            found("got 9/3 then item 2/4"),
            Some(("then item".into(), 2, 4))
        );
    }

    #[test]
    fn custom_patterns_use_their_groups() {
        let p = Pattern::parse(r"(\d+) of (\d+)").unwrap();
        let f = p.recognise("Processing post 3 of 12").unwrap();
        assert_eq!(
            (f.label.as_str(), f.done, f.total),
            ("Processing post", 3, 12)
        );
        let p = Pattern::parse(r"total=(?P<total>\d+) done=(?P<done>\d+)").unwrap();
        let f = p.recognise("upload total=9 done=4").unwrap();
        assert_eq!((f.done, f.total), (4, 9));
        let p = Pattern::parse(r"(?P<label>[a-z]+)\[(?P<done>\d+)/(?P<total>\d+)\]").unwrap();
        assert_eq!(p.recognise("x: posts[2/7]").unwrap().label, "posts");
        // Unnamed groups are counted past a named `label`.
        let p = Pattern::parse(r"(?P<label>[a-z]+) (\d+)/(\d+)").unwrap();
        let f = p.recognise("files 3/4").unwrap();
        assert_eq!((f.label.as_str(), f.done, f.total), ("files", 3, 4));
        assert!(Pattern::parse("none").is_ok_and(|p| p.recognise("a 1/2").is_none()));
        assert!(Pattern::parse(r"(\d+)").is_err());
        assert!(Pattern::parse(r"(?P<done>\d+)").is_err());
        assert!(Pattern::parse("(").is_err());
        // A custom pattern keeps N ≤ M and M > 1, and never panics on huge numbers.
        let p = Pattern::parse(r"(\d+)/(\d+)").unwrap();
        assert!(p.recognise("5/3").is_none());
        assert!(p.recognise("1/99999999999999999999999").is_none());
    }

    fn feed(p: &mut Progress, lines: &[(&str, f64)]) -> Vec<bool> {
        lines.iter().map(|(m, at)| p.observe(m, *at)).collect()
    }

    #[test]
    fn the_outer_loop_is_followed_and_the_eta_comes_from_its_rate() {
        let mut p = Progress::new(Pattern::BuiltIn);
        let changed = feed(
            &mut p,
            &[
                ("Profile fetched: 10 recent posts", 0.0),
                ("Processing post 1/10", 100.0),
                ("Stored comment batch 1/50", 101.0),
                ("Stored comment batch 2/50", 102.0),
                ("Processing post 1/10", 103.0),
                ("Processing post 3/10", 110.0),
                ("Stored comment batch 3/50", 111.0),
            ],
        );
        assert_eq!(changed, [false, true, false, false, false, true, false]);
        // Two posts in 10 s: seven left take 35 s.
        let s = p.snapshot().unwrap();
        assert_eq!(
            s,
            Snapshot {
                label: "Processing post".into(),
                done: 3,
                total: 10,
                eta_s: Some(35),
                eta_source: Some(EtaSource::Rate),
                measured: 2,
            }
        );
        // Past runs' typical duration is not used once the rate is measured over enough
        // steps; before that it is.
        let trusted = Snapshot {
            measured: RATE_TRUSTED_AFTER,
            ..s.clone()
        };
        assert_eq!(trusted.clone().with_history(300.0, 10.0), trusted);
        let early = Snapshot {
            measured: 1,
            ..s.clone()
        };
        let h = early.with_history(300.0, 10.0);
        assert_eq!(
            (h.eta_s, h.eta_source),
            (Some(290), Some(EtaSource::History))
        );
        let late = Snapshot {
            measured: 0,
            ..s.clone()
        }
        .with_history(30.0, 100.0);
        assert_eq!(
            late.eta_s,
            Some(0),
            "past the typical duration: no time left, not negative"
        );
        assert_eq!(s.percent(), 30);
        p.observe("Processing post 10/10", 130.0);
        assert_eq!(p.snapshot().unwrap().eta_s, Some(0));
    }

    #[test]
    fn a_label_starts_over_when_its_total_changes_or_it_goes_backwards() {
        let mut p = Progress::new(Pattern::BuiltIn);
        feed(
            &mut p,
            &[("Processing post 1/4", 0.0), ("Processing post 2/4", 5.0)],
        );
        assert_eq!(p.snapshot().unwrap().eta_s, Some(10));
        // The total changes: a new run, no estimate yet.
        assert!(p.observe("Processing post 1/6", 6.0));
        let s = p.snapshot().unwrap();
        assert_eq!((s.done, s.total, s.eta_s), (1, 6, None));
        assert!(p.observe("Processing post 3/6", 8.0));
        assert_eq!(p.snapshot().unwrap().eta_s, Some(3));
        // Backwards with the same total (the worker restarted): starts over again.
        assert!(p.observe("Processing post 1/6", 9.0));
        let s = p.snapshot().unwrap();
        assert_eq!((s.done, s.eta_s), (1, None));
        // The same moment gives no rate.
        assert!(p.observe("Processing post 2/6", 9.0));
        assert_eq!(p.snapshot().unwrap().eta_s, None);
    }

    #[test]
    fn off_sees_nothing() {
        let mut p = Progress::new(Pattern::Off);
        assert!(!p.observe("Processing post 1/4", 0.0));
        assert!(p.snapshot().is_none());
    }

    proptest! {
        /// Whatever the lines, a snapshot is consistent: done ≤ total, total > 1, and the label
        /// is the first one seen.
        #[test]
        fn snapshots_stay_consistent(
            lines in proptest::collection::vec(
                (prop_oneof!["a", "b", "a b"], 0u64..6, 0u64..6, 0u32..4), 0..40)
        ) {
            let mut p = Progress::new(Pattern::BuiltIn);
            let mut first = None;
            let mut at = 0.0;
            for (label, done, total, step) in lines {
                at += f64::from(step);
                let text = format!("{label} {done}/{total}");
                if first.is_none() && done <= total && total > 1 {
                    first = Some(label.to_string());
                }
                p.observe(&text, at);
                if let Some(s) = p.snapshot() {
                    prop_assert!(s.done <= s.total && s.total > 1);
                    prop_assert_eq!(Some(&s.label), first.as_ref());
                }
            }
        }
    }
}
