//! What the simulator's task listings hold: the tracked profiles (`serve --profiles N`, and every profile
//! task started), the projects and their reel tasks, served as each server version does
//! (Update 8's `get_profile_tracking_tasks` with `task_id`, some records `_id` only; Update 3–7's
//! `get_tasks` with `_id` and `total_tasks`). The routes that serve them are in `listing`.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::script::{handle, Kind};

/// The project that reel tasks started by a trigger are listed in.
pub const TRIGGERED_REELS: &str = "reels";
/// The project `--profiles` fills with a few reel tasks.
pub const CAMPAIGN: &str = "campaign";
/// Days between scheduled scrapes, as the listing reports.
const SCRAPE_DAYS: u64 = 1;

#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) id: String,
    pub(super) handle: Option<String>,
    pub(super) reel_url: Option<String>,
    pub(super) created: u64,
    pub(super) last_scraped: Option<u64>,
    pub(super) is_competitor: bool,
}

#[derive(Default)]
pub(super) struct Inner {
    pub(super) profiles: Vec<Entry>,
    pub(super) projects: Vec<(String, Vec<Entry>)>,
}

/// What the listings hold.
#[derive(Default)]
pub struct Listing {
    pub(super) inner: Mutex<Inner>,
}

pub(super) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A Mongo-ObjectId-like id: 24 hex digits.
fn object_id(rng: &mut fastrand::Rng, n: u64) -> String {
    format!("6650{:04x}{:016x}", n & 0xffff, rng.u64(..))
}

impl Listing {
    /// `profiles` tracked profiles whose handles differ (`@natgeo`, `@nasa`, … then with a
    /// number), and with any, a project of a few reel tasks.
    pub fn tracked(profiles: usize, seed: u64) -> Listing {
        let mut rng = fastrand::Rng::with_seed(seed ^ 0x0074_7261_636b_6564);
        let created = now().saturating_sub(30 * 86_400);
        let mut used = std::collections::HashSet::new();
        let mut inner = Inner::default();
        for i in 0..profiles {
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
            inner.profiles.push(Entry {
                handle: Some(handle(&id)),
                reel_url: None,
                created: created + i as u64 * 60,
                last_scraped: Some(created + 86_400 * 29 + i as u64 * 60),
                is_competitor: i % 4 == 3,
                id,
            });
        }
        if profiles > 0 {
            let reels = (profiles / 10).clamp(1, 20);
            let entries = (0..reels)
                .map(|i| {
                    let id = object_id(&mut rng, (profiles + i) as u64);
                    Entry {
                        reel_url: Some(format!("https://www.instagram.com/reel/C{}/", &id[8..19])),
                        handle: None,
                        created: created + i as u64 * 60,
                        last_scraped: None,
                        is_competitor: false,
                        id,
                    }
                })
                .collect();
            inner.projects.push((CAMPAIGN.to_string(), entries));
        }
        Listing {
            inner: Mutex::new(inner),
        }
    }

    /// The tracked profiles' ids and handles.
    pub fn profiles(&self) -> Vec<(String, String)> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner
            .profiles
            .iter()
            .map(|e| (e.id.clone(), e.handle.clone().unwrap_or_default()))
            .collect()
    }

    /// A task was started: it is listed from now on (a profile's among the tracked profiles, a
    /// reel's in the `reels` project) with this scrape as its last.
    pub fn started(&self, id: &str, kind: Kind) {
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let inner = &mut *guard;
        let t = now();
        let listed = inner
            .profiles
            .iter_mut()
            .chain(inner.projects.iter_mut().flat_map(|(_, e)| e.iter_mut()))
            .find(|e| e.id == id);
        if let Some(e) = listed {
            e.last_scraped = Some(t);
            return;
        }
        let entry = Entry {
            id: id.to_string(),
            handle: (kind == Kind::Profile).then(|| handle(id)),
            reel_url: (kind == Kind::Reel).then(|| format!("https://www.instagram.com/reel/{id}/")),
            created: t,
            last_scraped: Some(t),
            is_competitor: false,
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
    }
}

/// A time as Update 3–7 sends it (Python's `isoformat()` of a UTC time) or as Update 8 does
/// (seconds since the epoch, a float).
pub(super) fn time(epoch: u64, api: u8) -> Value {
    if api == 8 {
        return json!(epoch as f64);
    }
    let t =
        chrono::DateTime::from_timestamp(i64::try_from(epoch).unwrap_or(0), 0).unwrap_or_default();
    json!(t.format("%Y-%m-%dT%H:%M:%S").to_string())
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
    let last = e.last_scraped;
    r.insert(
        "last_scraped".into(),
        last.map_or(Value::Null, |t| time(t, api)),
    );
    let due = last.unwrap_or(e.created) + SCRAPE_DAYS * 86_400;
    r.insert("next_scrape_due".into(), time(due, api));
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
