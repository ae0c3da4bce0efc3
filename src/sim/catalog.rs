//! What the simulator's task listings hold: the tracked profiles (`serve --profiles N`, and every profile
//! task started), the projects and their reel tasks, served as each server version does
//! (Update 8's `get_profile_tracking_tasks` with `task_id`, some records `_id` only; Update 3–7's
//! `get_tasks` with `_id` and `total_tasks`). The routes that serve them are in `listing`.
//!
//! The schedule as the backend keeps it, compressed: with `--schedule D` over N profiles, each
//! profile is due once every N × D (its `next_scrape_due`), in turns D apart, so that one
//! scheduled run starts every D. A run, scheduled or started by hand, moves `last_scraped` to
//! the moment it ends (the scrape it records is then complete); a scheduled run also moves
//! `next_scrape_due` on by one period, while a run by hand leaves it where it was. Times are
//! kept to the millisecond, as the backend's `time.time()` and `isoformat()` keep them.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::script::{handle, Kind};

/// The project that reel tasks started by a trigger are listed in.
pub const TRIGGERED_REELS: &str = "reels";
/// The project `--profiles` fills with a few reel tasks.
pub const CAMPAIGN: &str = "campaign";
/// Days between scheduled scrapes, as the listing reports (the backend's default). The
/// simulator's own schedule, when it runs one, is compressed (module comment).
const SCRAPE_DAYS: u64 = 1;
const DAY_MS: u64 = 86_400_000;

/// A run in progress, as the listing knows it: when it ends, and whether the schedule started
/// it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Run {
    ends: u64,
    scheduled: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) id: String,
    pub(super) handle: Option<String>,
    pub(super) reel_url: Option<String>,
    /// Milliseconds since the epoch, as every time below.
    pub(super) created: u64,
    pub(super) last_scraped: Option<u64>,
    pub(super) next_due: u64,
    pub(super) is_competitor: bool,
    run: Option<Run>,
}

#[derive(Default)]
pub(super) struct Inner {
    pub(super) profiles: Vec<Entry>,
    pub(super) projects: Vec<(String, Vec<Entry>)>,
    /// A tracked profile's period between scheduled runs, when the simulator runs a schedule.
    period: Option<u64>,
}

/// What the listings hold.
#[derive(Default)]
pub struct Listing {
    pub(super) inner: Mutex<Inner>,
}

/// Milliseconds since the epoch.
pub(super) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A Mongo-ObjectId-like id: 24 hex digits.
fn object_id(rng: &mut fastrand::Rng, n: u64) -> String {
    format!("6650{:04x}{:016x}", n & 0xffff, rng.u64(..))
}

/// A started run: which, and when it began (ms since the epoch).
#[derive(Debug, Clone)]
pub struct Started {
    pub id: String,
    pub handle: Option<String>,
    pub at: u64,
}

impl Inner {
    fn entries_mut(&mut self) -> impl Iterator<Item = &mut Entry> {
        self.profiles
            .iter_mut()
            .chain(self.projects.iter_mut().flat_map(|(_, e)| e.iter_mut()))
    }

    /// Runs that have ended by `now` are recorded: `last_scraped` is their end, and a scheduled
    /// one moves `next_scrape_due` on to its next turn after that end.
    pub(super) fn settle(&mut self, now: u64) {
        let period = self.period;
        for e in self.entries_mut() {
            let Some(run) = e.run.filter(|r| r.ends <= now) else {
                continue;
            };
            e.run = None;
            e.last_scraped = Some(run.ends);
            if let (true, Some(period)) = (run.scheduled, period) {
                // The next turn after the end (a run longer than a period skips turns).
                let behind = run.ends.saturating_sub(e.next_due) / period.max(1) + 1;
                e.next_due = e
                    .next_due
                    .saturating_add(behind.saturating_mul(period.max(1)));
            }
        }
    }
}

impl Listing {
    /// `profiles` tracked profiles whose handles differ (`@natgeo`, `@nasa`, … then with a
    /// number), and with any, a project of a few reel tasks. With `every` above zero, the
    /// profiles take turns every `every` from now (in a random order), each due again one
    /// period (profiles × `every`) after its turn; with zero, each is due a day after its last
    /// scrape and no run starts on its own.
    pub fn tracked(profiles: usize, seed: u64, every: Duration) -> Listing {
        let mut rng = fastrand::Rng::with_seed(seed ^ 0x0074_7261_636b_6564);
        let t0 = now();
        let created = t0.saturating_sub(30 * DAY_MS);
        let every = ms(every);
        let period = (every > 0).then(|| every.saturating_mul(profiles.max(1) as u64));
        let mut turns: Vec<u64> = (1..=profiles as u64).collect();
        rng.shuffle(&mut turns);
        let mut used = std::collections::HashSet::new();
        let mut inner = Inner {
            period,
            ..Inner::default()
        };
        for (i, turn) in turns.into_iter().enumerate() {
            // Ids whose handle (derived from the id, as the task's log lines say it) is new;
            // the first ones without a number. Gives up on uniqueness after a few tries.
            let mut id = object_id(&mut rng, i as u64);
            for attempt in 0..400 {
                let h = handle(&id);
                let plain = !h.contains('_') || attempt >= 200 || i >= 12;
                if plain && !used.contains(&h) {
                    break;
                }
                id = object_id(&mut rng, i as u64);
            }
            used.insert(handle(&id));
            let created = created + i as u64 * 60_000;
            let (last_scraped, next_due) = match period {
                Some(period) => {
                    let due = t0.saturating_add(turn.saturating_mul(every));
                    (due.saturating_sub(period).max(created), due)
                }
                None => {
                    let last = created + 29 * DAY_MS;
                    (last, last + SCRAPE_DAYS * DAY_MS)
                }
            };
            inner.profiles.push(Entry {
                handle: Some(handle(&id)),
                reel_url: None,
                created,
                last_scraped: Some(last_scraped),
                next_due,
                is_competitor: i % 4 == 3,
                id,
                run: None,
            });
        }
        if profiles > 0 {
            let reels = (profiles / 10).clamp(1, 20);
            let entries = (0..reels)
                .map(|i| {
                    let id = object_id(&mut rng, (profiles + i) as u64);
                    let created = created + i as u64 * 60_000;
                    Entry {
                        reel_url: Some(format!("https://www.instagram.com/reel/C{}/", &id[8..19])),
                        handle: None,
                        created,
                        last_scraped: None,
                        next_due: created + SCRAPE_DAYS * DAY_MS,
                        is_competitor: false,
                        id,
                        run: None,
                    }
                })
                .collect();
            inner.projects.push((CAMPAIGN.to_string(), entries));
        }
        Listing {
            inner: Mutex::new(inner),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The tracked profiles' ids and handles, in the order their turns come.
    pub fn profiles(&self) -> Vec<(String, String)> {
        let inner = self.lock();
        let mut by_due: Vec<&Entry> = inner.profiles.iter().collect();
        by_due.sort_by_key(|e| e.next_due);
        by_due
            .iter()
            .map(|e| (e.id.clone(), e.handle.clone().unwrap_or_default()))
            .collect()
    }

    /// Tracked profiles whose scheduled run is due at `now` and that run nothing (earliest
    /// first); none when the simulator runs no schedule.
    pub fn due(&self, now: u64) -> Vec<String> {
        let mut inner = self.lock();
        inner.settle(now);
        if inner.period.is_none() {
            return Vec::new();
        }
        let mut due: Vec<&Entry> = inner
            .profiles
            .iter()
            .filter(|e| e.run.is_none() && e.next_due <= now)
            .collect();
        due.sort_by_key(|e| e.next_due);
        due.iter().map(|e| e.id.clone()).collect()
    }

    /// Tracked profiles that run nothing now.
    pub fn idle_profiles(&self, now: u64) -> Vec<String> {
        let mut inner = self.lock();
        inner.settle(now);
        inner
            .profiles
            .iter()
            .filter(|e| e.run.is_none())
            .map(|e| e.id.clone())
            .collect()
    }

    /// The next moment the schedule has something to do after `now`: a turn comes, or a run
    /// ends (its `last_scraped` then moves).
    pub fn next_event(&self, now: u64) -> Option<u64> {
        let inner = self.lock();
        let scheduled = inner.period.is_some();
        inner
            .profiles
            .iter()
            .filter_map(|e| match e.run {
                Some(run) => Some(run.ends),
                None if scheduled => Some(e.next_due),
                None => None,
            })
            .filter(|&t| t > now)
            .min()
    }

    /// A task was started at `at` and runs for `runs`: it is listed from now on (a profile's
    /// among the tracked profiles, a reel's in the `reels` project); its `last_scraped` moves
    /// when the run ends, and its `next_scrape_due` then too when `scheduled`.
    pub fn started(
        &self,
        id: &str,
        kind: Kind,
        at: u64,
        runs: Duration,
        scheduled: bool,
    ) -> Started {
        let mut guard = self.lock();
        let inner = &mut *guard;
        inner.settle(at);
        let run = Some(Run {
            ends: at.saturating_add(ms(runs)),
            scheduled,
        });
        let period = inner.period;
        if let Some(e) = inner.entries_mut().find(|e| e.id == id) {
            e.run = run;
            return Started {
                id: id.to_string(),
                handle: e.handle.clone(),
                at,
            };
        }
        let handle = (kind == Kind::Profile).then(|| handle(id));
        let entry = Entry {
            id: id.to_string(),
            handle: handle.clone(),
            reel_url: (kind == Kind::Reel).then(|| format!("https://www.instagram.com/reel/{id}/")),
            created: at,
            last_scraped: None,
            // A profile tracked from now takes its turn a period from now.
            next_due: at.saturating_add(period.unwrap_or(SCRAPE_DAYS * DAY_MS)),
            is_competitor: false,
            run,
        };
        match kind {
            Kind::Profile => inner.profiles.push(entry),
            Kind::Reel => match inner
                .projects
                .iter_mut()
                .find(|(p, _)| p == TRIGGERED_REELS)
            {
                Some((_, reels)) => reels.push(entry),
                None => inner
                    .projects
                    .push((TRIGGERED_REELS.to_string(), vec![entry])),
            },
        }
        Started {
            id: id.to_string(),
            handle,
            at,
        }
    }
}

/// A time as Update 3–7 sends it (Python's `isoformat()` of a UTC time) or as Update 8 does
/// (seconds since the epoch, a float). `at` is in milliseconds since the epoch; `isoformat()`
/// writes microseconds only when there are some.
pub(super) fn time(at: u64, api: u8) -> Value {
    if api == 8 {
        return json!(at as f64 / 1000.0);
    }
    let t =
        chrono::DateTime::from_timestamp_millis(i64::try_from(at).unwrap_or(0)).unwrap_or_default();
    let format = if at.is_multiple_of(1000) {
        "%Y-%m-%dT%H:%M:%S"
    } else {
        "%Y-%m-%dT%H:%M:%S%.6f"
    };
    json!(t.format(format).to_string())
}

/// One listing record. Update 8 names the id `task_id`, except every third record, which has
/// only `_id` (as the backend's own demo client implies); Update 3–7 always `_id`.
pub(super) fn record(e: &Entry, n: usize, api: u8, detail: bool) -> Value {
    let mut r = serde_json::Map::new();
    let key = if api == 8 && n % 3 != 2 {
        "task_id"
    } else {
        "_id"
    };
    r.insert(key.into(), json!(e.id));
    if let Some(h) = &e.handle {
        r.insert("target_profile".into(), json!(h));
        r.insert("is_competitor".into(), json!(e.is_competitor));
    }
    if let Some(url) = &e.reel_url {
        r.insert("reel_url".into(), json!(url));
    }
    r.insert("status".into(), json!("active"));
    r.insert("created_at".into(), time(e.created, api));
    r.insert(
        "last_scraped".into(),
        e.last_scraped.map_or(Value::Null, |t| time(t, api)),
    );
    r.insert("next_scrape_due".into(), time(e.next_due, api));
    if detail {
        r.insert("scrape_interval_days".into(), json!(SCRAPE_DAYS));
    }
    Value::Object(r)
}

pub(super) fn list(entries: &[Entry], api: u8) -> Value {
    let tasks: Vec<Value> = entries
        .iter()
        .enumerate()
        .map(|(n, e)| record(e, n, api, false))
        .collect();
    if api == 8 {
        json!({"result": true, "response": {"tasks": tasks}})
    } else {
        json!({"result": true, "response": {"tasks": tasks, "total_tasks": entries.len()}})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(listing: &Listing, id: &str) -> Entry {
        let inner = listing.lock();
        inner.profiles.iter().find(|e| e.id == id).unwrap().clone()
    }

    #[test]
    fn runs_move_the_schedule_as_the_backend_does() {
        let every = Duration::from_secs(10);
        let listing = Listing::tracked(3, 7, every);
        let t0 = now();
        let order: Vec<String> = listing.profiles().into_iter().map(|(id, _)| id).collect();
        // Turns every 10 s from now, each due again after 3 × 10 s.
        let dues: Vec<u64> = order
            .iter()
            .map(|id| entry(&listing, id).next_due)
            .collect();
        assert!(dues.windows(2).all(|w| w[1] - w[0] == 10_000), "{dues:?}");
        assert!((t0 + 9_000..=t0 + 11_000).contains(&dues[0]), "{dues:?}");
        for id in &order {
            let e = entry(&listing, id);
            assert_eq!(e.next_due - e.last_scraped.unwrap(), 30_000);
        }
        assert!(listing.due(t0).is_empty(), "none due yet");
        assert_eq!(listing.due(dues[0]), [order[0].clone()]);

        // The first takes its turn: due stays past while it runs; when it ends, last_scraped
        // is the end and the next turn a period on.
        let first = &order[0];
        listing.started(first, Kind::Profile, dues[0], Duration::from_secs(4), true);
        assert!(
            listing.due(dues[0] + 100).is_empty(),
            "running: not due again"
        );
        assert_eq!(listing.next_event(dues[0]), Some(dues[0] + 4_000));
        let before = entry(&listing, first);
        assert_eq!(before.next_due, dues[0]);
        listing.due(dues[0] + 4_000);
        let after = entry(&listing, first);
        assert_eq!(after.last_scraped, Some(dues[0] + 4_000));
        assert_eq!(after.next_due, dues[0] + 30_000);

        // A run by hand on the second: last_scraped moves at its end, next_scrape_due stays.
        let second = &order[1];
        listing.started(second, Kind::Profile, t0, Duration::from_secs(2), false);
        listing.due(t0 + 2_000);
        let e = entry(&listing, second);
        assert_eq!(e.last_scraped, Some(t0 + 2_000));
        assert_eq!(e.next_due, dues[1]);

        // A scheduled run longer than a period skips the turns it overran.
        let third = &order[2];
        listing.started(third, Kind::Profile, dues[2], Duration::from_secs(65), true);
        listing.due(dues[2] + 65_000);
        assert_eq!(entry(&listing, third).next_due, dues[2] + 90_000);
    }

    #[test]
    fn without_a_schedule_nothing_is_due_and_a_new_id_is_listed() {
        let listing = Listing::tracked(2, 7, Duration::ZERO);
        let t0 = now();
        assert!(listing.due(t0 + 400 * DAY_MS).is_empty());
        for (id, _) in listing.profiles() {
            let e = entry(&listing, &id);
            assert_eq!(e.next_due - e.last_scraped.unwrap(), DAY_MS);
        }
        let run = listing.started("fresh", Kind::Profile, t0, Duration::from_secs(1), false);
        assert_eq!(run.handle.as_deref(), Some(handle("fresh").as_str()));
        assert_eq!(
            entry(&listing, "fresh").last_scraped,
            None,
            "not until it ends"
        );
        listing.due(t0 + 1_000);
        assert_eq!(entry(&listing, "fresh").last_scraped, Some(t0 + 1_000));
    }

    #[test]
    fn times_are_sent_as_each_version_does() {
        assert_eq!(time(1_703_123_456_000, 8), json!(1_703_123_456.0));
        assert_eq!(time(1_703_123_456_250, 8), json!(1_703_123_456.25));
        assert_eq!(time(1_703_123_456_000, 7), json!("2023-12-21T01:50:56"));
        assert_eq!(
            time(1_703_123_456_250, 7),
            json!("2023-12-21T01:50:56.250000")
        );
        // An absurd time is still a time, never a panic.
        let _ = time(u64::MAX, 7);
    }
}
