//! A server behind a load balancer: replicas answer from states polls behind, the log may
//! start over or be trimmed to its last lines; every line once, in order, and no silent loss.

use super::super::*;
use proptest::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Line {
    /// Unique over the whole model: the order lines were written in.
    serial: u64,
    /// Which run of the task wrote it, and its index in that run's log.
    run: u32,
    index: u64,
    time: u64,
    text: u64,
}

impl Keyed for Line {
    fn key(&self) -> u64 {
        self.time.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ self.text
    }
    fn time(&self) -> Option<f64> {
        Some(self.time as f64)
    }
}

/// What a replica holds at one moment.
#[derive(Debug, Clone)]
struct State {
    run: u32,
    started_at: u64,
    updated_at: u64,
    /// The lines the server keeps (all of them, or the last `cap`).
    kept: Vec<Line>,
    /// The run's true line count.
    len: u64,
}

/// One poll: the state answered from, what the tracker made of it, and whether a
/// silent skip is excused there by one of the two documented limits of reading by
/// content: the window's keys are the previous answer's (the same answer again adds
/// nothing), or it begins with lines whose last [`MIN_OVERLAP`] equal the last ones
/// shown (several matching lines are taken as the overlap).
struct Poll {
    state: State,
    entries: Vec<Entry<Line>>,
    excused: bool,
}

#[derive(Debug, Clone)]
struct Step {
    append: usize,
    restart: bool,
    ask: usize,
    replica: usize,
}

fn steps(restarts: bool) -> impl Strategy<Value = Vec<Step>> {
    let step = (
        prop_oneof![6 => 0usize..=12, 2 => 0usize..=60, 1 => 0usize..=400],
        proptest::bool::weighted(if restarts { 0.05 } else { 0.0 }),
        prop_oneof![2 => Just(100usize), 3 => 1usize..=100],
        0usize..4,
    )
        .prop_map(|(append, restart, ask, replica)| Step {
            append,
            restart,
            ask,
            replica,
        });
    proptest::collection::vec(step, 1..120)
}

struct Model {
    /// How many polls each replica is behind.
    lags: Vec<usize>,
    cap: usize,
    texts: u64,
    /// Chance (in 256ths) that a line has the same time as the one before.
    same_time: u8,
    stamps: bool,
}

impl State {
    /// The run writes a line (the server keeps the last `cap`).
    fn write(&mut self, serial: u64, time: u64, text: u64, cap: usize) {
        let line = Line {
            serial,
            run: self.run,
            index: self.len,
            time,
            text,
        };
        self.len += 1;
        self.kept.push(line);
        if self.kept.len() > cap {
            self.kept.remove(0);
        }
        self.updated_at = time;
    }
}

/// Runs the model; returns each poll's entries with the state answered from and the
/// states over time (the last is the truth at the end).
fn run(model: &Model, steps: &[Step], seed: u64) -> (Vec<Poll>, State) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut states: Vec<State> = Vec::new();
    let mut now = State {
        run: 0,
        started_at: 1,
        updated_at: 1,
        kept: Vec::new(),
        len: 0,
    };
    let (mut serial, mut time) = (0u64, 1u64);
    let mut tracker = Tracker::new(Start::default());
    let mut polls = Vec::new();
    let mut shown: Vec<u64> = Vec::new();
    let mut previous: Option<(usize, Vec<u64>)> = None;
    let last = Step {
        append: 0,
        restart: false,
        ask: 100,
        replica: usize::MAX,
    };
    for step in steps.iter().chain(std::iter::once(&last)) {
        if step.restart {
            time += 1;
            now = State {
                run: now.run + 1,
                started_at: time,
                updated_at: time,
                kept: Vec::new(),
                len: 0,
            };
        }
        for _ in 0..step.append {
            if rng.u8(..) >= model.same_time {
                time += 1;
            }
            now.write(serial, time, rng.u64(0..model.texts), model.cap);
            serial += 1;
        }
        states.push(now.clone());
        let lag = model
            .lags
            .get(step.replica % model.lags.len().max(1))
            .filter(|_| step.replica != usize::MAX)
            .copied()
            .unwrap_or(0);
        let state = states[states.len().saturating_sub(1 + lag)].clone();
        let window = state.kept[state.kept.len().saturating_sub(step.ask)..].to_vec();
        let stamps = if model.stamps {
            Stamps {
                started_at: Some(state.started_at as f64),
                updated_at: Some(state.updated_at as f64),
            }
        } else {
            Stamps::default()
        };
        // A trimming server's total is stuck at its cap.
        let total = if model.cap == usize::MAX {
            state.kept.len()
        } else {
            model.cap
        };
        let keys: Vec<u64> = window.iter().map(Keyed::key).collect();
        let same = previous.as_ref() == Some(&(total, keys.clone()));
        let last = &shown[shown.len().saturating_sub(MIN_OVERLAP)..];
        let coincident = last.len() == MIN_OVERLAP
            && (MIN_OVERLAP..=keys.len()).any(|k| &keys[k - MIN_OVERLAP..k] == last);
        previous = Some((total, keys));
        let batch = tracker.ingest_answer(Answer {
            total: Some(total as u64),
            window,
            stamps,
        });
        assert!(tracker.history.len() <= HISTORY);
        shown.extend(batch.lines().map(|(_, l)| l.key()));
        let excused = same || coincident;
        polls.push(Poll {
            state,
            entries: batch.entries,
            excused,
        });
    }
    (polls, now)
}

/// Nothing twice, in order (but at a poll excused by the documented limits).
fn check_once(polls: &[Poll]) -> Result<(), TestCaseError> {
    let mut last: Option<u64> = None;
    for poll in polls {
        for e in &poll.entries {
            if let Entry::Line { item, .. } = e {
                if let Some(prev) = last {
                    prop_assert!(
                        item.serial > prev || poll.excused,
                        "line {} after {}",
                        item.serial,
                        prev
                    );
                }
                last = Some(last.map_or(item.serial, |l| l.max(item.serial)));
            }
        }
    }
    Ok(())
}

/// Truthful totals: every line at its true index; within a run, what was not shown is
/// exactly what the gaps count; the last run shown to its end; no marker but exact
/// gaps, and a reset only where the model started over.
fn check_exact(polls: &[Poll], end: &State) -> Result<(), TestCaseError> {
    check_once(polls)?;
    // The next index expected in the run followed (unknown before the first line).
    let mut at: Option<u64> = None;
    let mut run: Option<u32> = None;
    for Poll { state, entries, .. } in polls {
        for e in entries {
            match e {
                Entry::Line { index, item } => {
                    prop_assert_eq!(*index, item.index, "line {:?}", item);
                    if let Some(at) = at.filter(|_| run == Some(item.run)) {
                        prop_assert_eq!(item.index, at, "skip without a gap");
                    } else if run.is_some() {
                        prop_assert!(run < Some(item.run), "an earlier run again");
                    }
                    run = Some(item.run);
                    at = Some(item.index + 1);
                }
                Entry::Gap { missed: Some(m) } => {
                    at = Some(at.unwrap_or(0) + m);
                }
                Entry::Restart {
                    reason: RestartReason::Reset,
                } => {
                    prop_assert!(
                        run.is_none_or(|r| state.run > r),
                        "reset without the model starting over"
                    );
                    run = Some(state.run);
                    at = Some(0);
                }
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }
    if run == Some(end.run) {
        prop_assert_eq!(at, Some(end.len), "the last run not shown to its end");
    }
    Ok(())
}

/// A trimming server: nothing twice, and every skip said (a gap, a marker of doubt or
/// a restart between the two lines).
fn check_announced(polls: &[Poll]) -> Result<(), TestCaseError> {
    check_once(polls)?;
    let mut last: Option<Line> = None;
    let mut said = false;
    for poll in polls {
        said |= poll.excused;
        for e in &poll.entries {
            match e {
                Entry::Line { item, .. } => {
                    if let Some(prev) = last {
                        let next = prev.run == item.run && item.index == prev.index + 1;
                        prop_assert!(next || said, "silent skip from {:?} to {:?}", prev, item);
                    }
                    last = Some(*item);
                    said = false;
                }
                _ => said = true,
            }
        }
    }
    Ok(())
}

fn model() -> impl Strategy<Value = (Vec<usize>, u64, u8, bool)> {
    (
        proptest::collection::vec(prop_oneof![0usize..=3, 0usize..=60], 1..=4),
        1u64..4,
        prop_oneof![Just(0u8), 0u8..=255],
        any::<bool>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Truthful totals, replicas behind, identical lines, no restart: exactly once,
    /// exact gaps, with or without `started_at`/`updated_at`.
    #[test]
    fn replicas_of_a_truthful_log_give_it_exactly_once(
        (lags, texts, same_time, stamps) in model(),
        steps in steps(false),
        seed in any::<u64>(),
    ) {
        let m = Model { lags, cap: usize::MAX, texts, same_time, stamps };
        let (polls, end) = run(&m, &steps, seed);
        check_exact(&polls, &end)?;
    }

    /// The same with runs that start over (the server says when, in `started_at`).
    #[test]
    fn replicas_across_restarts_give_each_run_exactly_once(
        (lags, texts, same_time, _) in model(),
        steps in steps(true),
        seed in any::<u64>(),
    ) {
        let m = Model { lags, cap: usize::MAX, texts, same_time, stamps: true };
        let (polls, end) = run(&m, &steps, seed);
        check_exact(&polls, &end)?;
    }

    /// A trimming server (its total stuck at its cap), replicas behind, identical
    /// lines, restarts: never a duplicate, never a silent loss.
    #[test]
    fn replicas_of_a_trimming_server_never_duplicate_nor_lose_silently(
        (lags, texts, same_time, stamps) in model(),
        steps in steps(true),
        cap in 1usize..=100,
        seed in any::<u64>(),
    ) {
        let m = Model { lags, cap, texts, same_time, stamps };
        let (polls, _) = run(&m, &steps, seed);
        check_announced(&polls)?;
    }
}
