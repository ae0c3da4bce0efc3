//! The tracker's tests: the unit tests here; `properties.rs` random logs against truthful,
//! trimming and lying servers; `evidence.rs` the evidence that orders answers (stamps,
//! timestamps), case by case; `replicas.rs` a server behind a load balancer whose replicas
//! answer from states behind.

use super::*;

fn lines(batch: &Batch<u64>) -> Vec<(u64, u64)> {
    batch.lines().map(|(i, v)| (i, *v)).collect()
}

fn window(log: &[u64], n: usize) -> Vec<u64> {
    log[log.len().saturating_sub(n)..].to_vec()
}

#[test]
fn first_snapshot_shows_the_whole_window_with_its_indices() {
    let mut t = Tracker::new(Start::default());
    let b = t.ingest(12, vec![10, 11]);
    assert_eq!(lines(&b), vec![(10, 10), (11, 11)]);
    assert_eq!(t.next_index(), 12);
}

#[test]
fn growth_prints_only_new_lines() {
    let mut t = Tracker::new(Start::default());
    let log: Vec<u64> = (0..30).collect();
    t.ingest(10, window(&log[..10], 10));
    let b = t.ingest(15, window(&log[..15], 10));
    assert_eq!(lines(&b), (10..15).map(|i| (i, i)).collect::<Vec<_>>());
    assert_eq!(b.growth, 5);
    assert!(!b.discontinuity);
}

#[test]
fn identical_lines_all_print() {
    let mut t = Tracker::new(Start::default());
    t.ingest(2, vec![7, 7]);
    let b = t.ingest(5, vec![7, 7, 7, 7, 7]);
    assert_eq!(lines(&b), vec![(2, 7), (3, 7), (4, 7)]);
}

#[test]
fn a_burst_past_the_window_is_an_exact_gap() {
    let mut t = Tracker::new(Start::default());
    let log: Vec<u64> = (0..200).collect();
    t.ingest(10, window(&log[..10], 10));
    let b = t.ingest(200, window(&log, 20));
    assert_eq!(b.entries[0], Entry::Gap { missed: Some(170) });
    assert_eq!(lines(&b).first(), Some(&(180, 180)));
    assert_eq!(b.growth, 190);
    assert!(b.discontinuity);
}

#[test]
fn a_trimming_server_is_followed_by_content() {
    let mut t = Tracker::new(Start::default());
    // The server keeps 5 lines: its total stays at 5 while lines keep coming.
    t.ingest(5, vec![0, 1, 2, 3, 4]);
    let b = t.ingest(5, vec![2, 3, 4, 5, 6]);
    assert_eq!(
        b.entries,
        vec![
            Entry::Restart {
                reason: RestartReason::Realigned
            },
            Entry::Line { index: 5, item: 5 },
            Entry::Line { index: 6, item: 6 },
        ]
    );
    let b = t.ingest(5, vec![4, 5, 6, 7, 8]);
    assert_eq!(lines(&b), vec![(7, 7), (8, 8)]);
    assert_eq!(b.entries.len(), 2, "realigned is said once");
    let b = t.ingest(5, vec![4, 5, 6, 7, 8]);
    assert!(b.entries.is_empty());
}

#[test]
fn a_trimming_server_outrun_is_a_gap_of_unknown_size() {
    let mut t = Tracker::new(Start::default());
    t.ingest(5, vec![0, 1, 2, 3, 4]);
    let b = t.ingest(5, vec![20, 21, 22, 23, 24]);
    assert_eq!(b.entries[0], Entry::Gap { missed: None });
    assert_eq!(lines(&b)[0], (5, 20));
    assert_eq!(t.next_index(), 10);
}

#[test]
fn tail_limits_the_first_window_only() {
    let mut t = Tracker::new(Start {
        tail: Some(2),
        from_index: None,
    });
    let b = t.ingest(10, (0..10).collect());
    assert_eq!(lines(&b), vec![(8, 8), (9, 9)]);
    let b = t.ingest(12, (2..12).collect());
    assert_eq!(lines(&b), vec![(10, 10), (11, 11)]);
}

#[test]
fn tail_zero_shows_only_what_comes_next() {
    let mut t = Tracker::new(Start {
        tail: Some(0),
        from_index: None,
    });
    assert!(t.ingest(10, (0..10).collect()).entries.is_empty());
    assert_eq!(lines(&t.ingest(11, (1..11).collect())), vec![(10, 10)]);
}

#[test]
fn from_index_resumes_and_counts_what_scrolled_away() {
    let mut t = Tracker::new(Start {
        tail: None,
        from_index: Some(7),
    });
    let b = t.ingest(10, (0..10).collect());
    assert_eq!(lines(&b), vec![(7, 7), (8, 8), (9, 9)]);

    let mut t = Tracker::new(Start {
        tail: None,
        from_index: Some(3),
    });
    let b = t.ingest(20, (10..20).collect());
    assert_eq!(b.entries[0], Entry::Gap { missed: Some(7) });
    assert_eq!(lines(&b).len(), 10);
}

#[test]
fn a_total_below_the_window_does_not_underflow() {
    let mut t = Tracker::new(Start::default());
    let b = t.ingest(1, vec![1, 2, 3]);
    assert_eq!(lines(&b), vec![(0, 1), (1, 2), (2, 3)]);
    t.ingest(0, vec![1, 2, 3, 4]);
}

#[test]
fn a_huge_total_is_just_a_number() {
    let mut t = Tracker::new(Start::default());
    let b = t.ingest(1 << 63, vec![1, 2]);
    assert_eq!(lines(&b)[0].0, (1 << 63) - 2);
    let b = t.ingest(u64::MAX, vec![3]);
    assert!(matches!(b.entries[0], Entry::Gap { missed: Some(_) }));
}

#[test]
fn an_empty_window_is_not_a_reset_but_a_lower_total_that_disagrees_is() {
    let mut t = Tracker::new(Start::default());
    t.ingest(3, vec![1, 2, 3]);
    assert!(t.ingest(0, Vec::<u64>::new()).entries.is_empty());
    assert_eq!(lines(&t.ingest(4, vec![1, 2, 3, 4])), vec![(3, 4)]);
    let b = t.ingest(2, vec![8, 9]);
    assert_eq!(
        b.entries[0],
        Entry::Restart {
            reason: RestartReason::Reset
        }
    );
    assert_eq!(lines(&b), vec![(0, 8), (1, 9)]);
}

#[test]
fn a_first_empty_window_keeps_indices_true() {
    let mut t = Tracker::new(Start::default());
    assert!(t.ingest(50, Vec::<u64>::new()).entries.is_empty());
    assert_eq!(t.next_index(), 50);
    let b = t.ingest(52, (42..52).collect());
    assert_eq!(b.entries.len(), 2, "no gap: {:?}", b.entries);
    assert_eq!(lines(&b), vec![(50, 50), (51, 51)]);
    assert_eq!(t.next_index(), 52);
}

#[test]
fn a_trimming_server_with_identical_lines_shows_them_and_says_it_is_unsure() {
    // A=0 B=1 C=2 retrying=7 "Y important"=9; the server keeps 5 lines.
    let mut t = Tracker::new(Start::default());
    t.ingest(5, vec![0, 1, 2, 7, 7]);
    let b = t.ingest(5, vec![7, 7, 9, 7, 7]);
    assert_eq!(
        b.entries,
        vec![
            Entry::Restart {
                reason: RestartReason::Realigned
            },
            Entry::Ambiguous,
            Entry::Line { index: 5, item: 9 },
            Entry::Line { index: 6, item: 7 },
            Entry::Line { index: 7, item: 7 },
        ]
    );
    let b = t.ingest(5, vec![7, 7, 9, 7, 7]);
    assert!(b.entries.is_empty(), "the same answer again adds nothing");
    let b = t.ingest(5, vec![9, 7, 7, 3, 4]);
    assert_eq!(lines(&b), vec![(8, 3), (9, 4)]);
    assert_eq!(b.entries.len(), 2, "one reading only: {:?}", b.entries);
}

#[test]
fn a_stale_answer_adds_and_announces_nothing() {
    let mut t = Tracker::new(Start::default());
    let log: Vec<u64> = (0..40).map(|i| i % 3).collect();
    t.ingest(10, window(&log[..10], 100));
    t.ingest(20, window(&log[..20], 100));
    t.ingest(30, window(&log[..30], 100));
    assert!(t.ingest(20, window(&log[..20], 100)).entries.is_empty());
    assert!(t.ingest(10, window(&log[..10], 7)).entries.is_empty());
    let b = t.ingest(33, window(&log[..33], 100));
    assert_eq!(lines(&b), vec![(30, 0), (31, 1), (32, 2)]);
    assert_eq!(b.entries.len(), 3);
    // A trimming server's stale answer (the total does not move) is read by content.
    let mut t = Tracker::new(Start::default());
    t.ingest(5, vec![0, 1, 2, 3, 4]);
    t.ingest(5, vec![2, 3, 4, 5, 6]);
    let b = t.ingest(5, vec![0, 1, 2, 3, 4]);
    assert!(b.entries.is_empty(), "{:?}", b.entries);
    assert_eq!(
        lines(&t.ingest(5, vec![4, 5, 6, 7, 8])),
        vec![(7, 7), (8, 8)]
    );
}

#[test]
fn a_line_edited_in_place_is_shown_once_at_its_index() {
    let mut t = Tracker::new(Start::default());
    t.ingest(4, vec![10, 11, 12, 13]);
    let b = t.ingest(4, vec![10, 11, 12, 14]);
    assert_eq!(b.entries, vec![Entry::Line { index: 3, item: 14 }]);
    let b = t.ingest(5, vec![10, 11, 12, 15, 16]);
    assert_eq!(
        b.entries,
        vec![
            Entry::Line { index: 3, item: 15 },
            Entry::Line { index: 4, item: 16 }
        ]
    );
    assert_eq!(t.next_index(), 5);
    assert!(t.ingest(5, vec![12, 15, 16]).entries.is_empty());
}

#[test]
fn history_is_bounded() {
    let mut t = Tracker::new(Start::default());
    for k in 1..50u64 {
        t.ingest(k * 100, ((k - 1) * 100..k * 100).collect());
    }
    assert!(t.history.len() <= HISTORY);
}

mod properties;

/// The cases an attacker found, one by one: stale answers of any age and coincidental
/// lines. Lines carry a time and a text, as the API's do.
mod evidence;

/// The replica model: a log growing at random paces (bursts included), served by 1 to 4
/// replicas each some polls behind (far past the history), answers from random replicas,
/// windows of random size, identical lines (a small alphabet of texts, times that repeat),
/// and runs that start over.
mod replicas;
