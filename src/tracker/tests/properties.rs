//! Properties over random logs: truthful totals give exact output; trimming servers and wrong
//! totals never show a line twice and never skip one silently.

use super::super::*;
use proptest::prelude::*;

/// A line of a simulated log: compared by `value` (drawn from a tiny alphabet, so that
/// identical lines are common), identified by `serial` (its true position).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Line {
    serial: u64,
    value: u64,
}

impl Keyed for Line {
    fn key(&self) -> u64 {
        self.value
    }
}

/// How the simulated server answers one poll.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    Fresh,
    /// The answer given this many polls ago (a replica behind).
    Stale(usize),
    /// A transient processing answer with no lines and a total of 0.
    Empty,
    /// The total is off by one (up or down).
    Plus1,
    Minus1,
    /// The total the previous answer reported.
    Stuck,
    /// A total of 0 with the lines.
    Zero,
}

/// One step of a simulated server: lines appended, then a poll asking for `ask` lines.
#[derive(Debug, Clone)]
struct Step {
    append: usize,
    ask: usize,
    restart: bool,
    answer: Answer,
}

fn answers(kinds: &'static [Answer]) -> impl Strategy<Value = Answer> {
    prop_oneof![
        6 => Just(Answer::Fresh),
        1 => proptest::sample::select(kinds),
    ]
}

fn steps(
    max_append: usize,
    restarts: bool,
    kinds: &'static [Answer],
) -> impl Strategy<Value = Vec<Step>> {
    let step = (
        prop_oneof![4 => 0..=max_append.min(8), 1 => 0..=max_append],
        1..=100usize,
        proptest::bool::weighted(if restarts { 0.1 } else { 0.0 }),
        answers(kinds),
    )
        .prop_map(|(append, ask, restart, answer)| Step {
            append,
            ask,
            restart,
            answer,
        });
    proptest::collection::vec(step, 1..40)
}

/// One poll's events, and whether a silent skip is excusable there: the window held none
/// of the lines seen before and the server's total was not the true count (it trims, or
/// its log started over since the last poll), so no client could tell what it missed.
struct Poll {
    events: Vec<Entry<Line>>,
    blind: bool,
}

/// Runs the tracker against a server keeping at most `cap` lines (its total is the number
/// it keeps). Returns each poll and every line ever written, in order. A stale answer
/// replays an earlier one only while the tracker can still recognise it: no discontinuity
/// since, and its last line among the last lines seen.
fn run(steps: &[Step], cap: usize, alphabet: u64) -> (Vec<Poll>, Vec<Line>) {
    // A last fresh answer, so that what the log holds at the end is known.
    let last = Step {
        append: 0,
        ask: 100,
        restart: false,
        answer: Answer::Fresh,
    };
    let steps = steps.iter().chain(std::iter::once(&last));
    let mut tracker = Tracker::new(Start::default());
    let (mut all, mut kept, mut polls) = (Vec::new(), Vec::new(), Vec::new());
    let (mut epoch_len, mut last_seen) = (0usize, None::<u64>);
    let mut answered: Vec<(u64, Vec<Line>)> = Vec::new();
    // Lines shown since the last marker: what a stale answer may repeat.
    let mut recent: Vec<u64> = Vec::new();
    // The log started over since the last fresh answer.
    let mut restarted = false;
    let mut reported = 0u64;
    for step in steps {
        if step.restart {
            kept.clear();
            epoch_len = 0;
            restarted = true;
        }
        for _ in 0..step.append {
            let serial = all.len() as u64;
            let line = Line {
                serial,
                value: serial % alphabet,
            };
            all.push(line);
            kept.push(line);
            epoch_len += 1;
            if kept.len() > cap {
                kept.remove(0);
            }
        }
        let fresh = (
            kept.len() as u64,
            kept[kept.len().saturating_sub(step.ask)..].to_vec(),
        );
        let (total, window) = match step.answer {
            Answer::Fresh => fresh.clone(),
            Answer::Stale(back) => match answered.len().checked_sub(back) {
                Some(at)
                    if answered[at]
                        .1
                        .iter()
                        .all(|l| recent.iter().rev().take(HISTORY).any(|&s| s == l.serial)) =>
                {
                    answered[at].clone()
                }
                _ => fresh.clone(),
            },
            Answer::Empty => (0, Vec::new()),
            Answer::Plus1 => (fresh.0 + 1, fresh.1.clone()),
            Answer::Minus1 => (fresh.0.saturating_sub(1), fresh.1.clone()),
            Answer::Stuck => (reported, fresh.1.clone()),
            Answer::Zero => (0, fresh.1.clone()),
        };
        reported = total;
        let blind = (epoch_len > kept.len() || restarted)
            && last_seen.is_some_and(|seen| !window.iter().any(|l| l.serial == seen));
        if total == fresh.0 && window == fresh.1 && !window.is_empty() {
            last_seen = window.last().map(|l| l.serial).or(last_seen);
            restarted = false;
        }
        answered.push((total, window.clone()));
        let events = tracker.ingest(total, window).entries;
        assert!(tracker.history.len() <= HISTORY);
        if step.restart || events.iter().any(|e| !matches!(e, Entry::Line { .. })) {
            recent.clear();
        }
        recent.extend(events.iter().filter_map(|e| match e {
            Entry::Line { item, .. } => Some(item.serial),
            _ => None,
        }));
        polls.push(Poll { events, blind });
    }
    (polls, all)
}

fn flat(polls: &[Poll]) -> impl Iterator<Item = &Entry<Line>> {
    polls.iter().flat_map(|p| p.events.iter())
}

/// Printed lines come in log order and none twice.
fn check_ordered(polls: &[Poll]) -> Result<(), TestCaseError> {
    let mut last: Option<u64> = None;
    for line in flat(polls).filter_map(|e| match e {
        Entry::Line { item, .. } => Some(item.serial),
        _ => None,
    }) {
        if let Some(prev) = last {
            prop_assert!(
                line > prev,
                "line {line} after {prev}: duplicate or reordered"
            );
        }
        last = Some(line);
    }
    Ok(())
}

/// ... and every line skipped after the first one shown is announced by a marker
/// (except where no client could know).
fn check_announced(polls: &[Poll]) -> Result<(), TestCaseError> {
    check_ordered(polls)?;
    let mut last: Option<u64> = None;
    let mut announced = false;
    for poll in polls {
        for event in &poll.events {
            match event {
                Entry::Line { item, .. } => {
                    if let Some(prev) = last {
                        prop_assert!(
                            item.serial == prev + 1 || announced || poll.blind,
                            "lines {prev}..{} skipped without a marker",
                            item.serial
                        );
                    }
                    last = Some(item.serial);
                    announced = false;
                }
                _ => announced = true,
            }
        }
    }
    Ok(())
}

/// Exactly the log from the first line shown, less what the gap markers count, and the
/// count is exact; every index is the line's true position.
fn check_exact(polls: &[Poll], all: &[Line]) -> Result<(), TestCaseError> {
    let mut at = match flat(polls).next() {
        Some(Entry::Line { index, .. }) => *index,
        _ => 0,
    };
    for event in flat(polls) {
        match event {
            Entry::Line { index, item } => {
                prop_assert_eq!(*index, at);
                prop_assert_eq!(item.serial, at);
                at += 1;
            }
            Entry::Gap { missed: Some(m) } => at += m,
            other => prop_assert!(false, "unexpected {:?}", other),
        }
    }
    prop_assert_eq!(at, all.len() as u64);
    Ok(())
}

const STALE: &[Answer] = &[
    Answer::Stale(1),
    Answer::Stale(2),
    Answer::Stale(3),
    Answer::Empty,
];
const WRONG: &[Answer] = &[
    Answer::Stale(1),
    Answer::Stale(2),
    Answer::Empty,
    Answer::Plus1,
    Answer::Minus1,
    Answer::Stuck,
    Answer::Zero,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// A truthful server, with many identical lines, answering now and then from a
    /// replica a few polls behind or with a transient empty window: output is the log
    /// exactly, less what the gap markers count, and the count is exact.
    #[test]
    fn truthful_totals_give_exact_output(
        steps in steps(300, false, STALE),
        alphabet in 1u64..4,
    ) {
        let (polls, all) = run(&steps, usize::MAX, alphabet);
        check_exact(&polls, &all)?;
    }

    /// A server that trims its log, with stale answers: nothing twice, order kept, every
    /// skip announced.
    #[test]
    fn trimming_servers_never_duplicate(
        steps in steps(150, false, STALE),
        cap in 1usize..=100,
    ) {
        let (polls, _) = run(&steps, cap, u64::MAX);
        check_announced(&polls)?;
    }

    /// While the client keeps up (an overlap of at least `MIN_OVERLAP` lines every
    /// poll), a trimming server of distinct lines yields exactly-once output with no
    /// gap; with many identical lines and stale answers, nothing is shown twice or out
    /// of order.
    #[test]
    fn trimming_servers_kept_up_with(
        cap in (MIN_OVERLAP + 1)..=100,
        polls in proptest::collection::vec(
            (0usize..100, 1usize..=100, answers(STALE)), 1..40),
        alphabet in prop_oneof![1u64..4, Just(u64::MAX)],
    ) {
        // A stale answer comes as an extra poll, so that fresh ones still keep up.
        let steps: Vec<Step> = polls
            .into_iter()
            .flat_map(|(append, ask, answer)| {
                let ask = ask.clamp(MIN_OVERLAP + 1, cap);
                let append = append % (ask - MIN_OVERLAP + 1);
                let fresh = Step { append, ask, restart: false, answer: Answer::Fresh };
                let stale = Step { append: 0, ask, restart: false, answer };
                std::iter::once(fresh).chain((answer != Answer::Fresh).then_some(stale))
            })
            .collect();
        let (polls, all) = run(&steps, cap, alphabet);
        check_ordered(&polls)?;
        if alphabet != u64::MAX {
            return Ok(());
        }
        let events: Vec<_> = flat(&polls).collect();
        let clean = events.iter().all(|e| {
            matches!(e, Entry::Line { .. } | Entry::Restart { reason: RestartReason::Realigned })
        });
        prop_assert!(clean, "gap or reset while keeping up: {:?}", events);
        let shown: Vec<u64> = events.iter().filter_map(|e| match e {
            Entry::Line { item, .. } => Some(item.serial),
            _ => None,
        }).collect();
        if let Some(&first) = shown.first() {
            let expected: Vec<u64> = all[first as usize..].iter().map(|l| l.serial).collect();
            prop_assert_eq!(shown, expected);
        }
    }

    /// Totals that are wrong (off by one, stuck, 0, behind), with identical lines: no
    /// panic, bounded history, at most a window of lines per answer, and indices that
    /// never go back except after a restart marker or for a line rewritten in place.
    #[test]
    fn wrong_totals_keep_the_invariants(
        steps in steps(150, true, WRONG),
        cap in prop_oneof![Just(usize::MAX), 1usize..=100],
        alphabet in 1u64..4,
    ) {
        let (polls, _) = run(&steps, cap, alphabet);
        let mut next = 0u64;
        for poll in &polls {
            let mut shown = 0;
            for event in &poll.events {
                match event {
                    Entry::Line { index, .. } => {
                        shown += 1;
                        prop_assert!(*index + 2 >= next, "index {index} after {next}");
                        next = next.max(index + 1);
                    }
                    Entry::Restart { reason: RestartReason::Reset } => next = 0,
                    _ => {}
                }
            }
            prop_assert!(shown <= 100);
        }
    }

    /// Arbitrary windows that contradict each other: no panic, bounded history.
    #[test]
    fn contradictory_windows_never_panic(
        snaps in proptest::collection::vec(
            (any::<u64>(), proptest::collection::vec(0u64..5, 0..100)), 1..30),
        tail in proptest::option::of(0u64..200),
        from_index in proptest::option::of(any::<u64>()),
    ) {
        let mut tracker = Tracker::new(Start { tail, from_index });
        for (total, window) in snaps {
            let batch = tracker.ingest(total, window);
            prop_assert!(tracker.history.len() <= HISTORY);
            let shown = batch.lines().count() as u64;
            prop_assert!(shown <= 100);
        }
    }
}
