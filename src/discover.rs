//! What is there and what is running: the user's tasks from the listings (tracked profiles,
//! and the reel tasks of the projects asked for), a cheap probe of each over the shared client
//! (its semaphore bounds the requests in flight, as for `watch`), and `@name` resolution.
//! Facts only: the words are the renderer's (`render::listing`).

use std::sync::Arc;

use tokio::task::JoinSet;

use crate::api::listing::ListedTask;
use crate::api::{ApiError, Client};

/// One task found in a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub task: ListedTask,
    /// The project whose reel listing held it; `None` for a tracked profile's task.
    pub project: Option<String>,
}

impl Found {
    pub fn id(&self) -> &str {
        &self.task.id
    }

    /// The profile's handle without `@`, for a profile task.
    pub fn profile(&self) -> Option<&str> {
        self.task.profile()
    }
}

/// The result of a step, with the request lines for `-v`.
pub struct Noted<T> {
    pub result: T,
    pub notes: Vec<String>,
}

/// Why the listing could not be made.
#[derive(Debug, Clone, PartialEq)]
pub enum ListError {
    Api(ApiError),
    /// `--project` named projects the server does not list; with the names it does.
    UnknownProjects {
        unknown: Vec<String>,
        known: Vec<String>,
    },
}

/// What the listings hold: each task once, and how many listed entries were set aside
/// because their ids cannot be requested safely.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listed {
    pub found: Vec<Found>,
    pub skipped: usize,
    /// The first id set aside, as it may be shown (a short, sanitised excerpt).
    pub first_skipped: Option<String>,
}

impl Listed {
    /// What to say of the ids set aside, if any.
    pub fn skipped_note(&self) -> Option<String> {
        let first = self.first_skipped.as_ref()?;
        Some(format!(
            "{} listed task{} skipped: an id such as {first} cannot be requested safely (`.`, `..` or over 1 KiB)",
            self.skipped,
            if self.skipped == 1 { "" } else { "s" }
        ))
    }
}

/// The longest listed id that is requested: far beyond any real one.
const MAX_ID_BYTES: usize = 1024;

/// Whether a listed id may be put in a request path. Ids come from the server, so are not
/// trusted: `.` and `..` (also percent-encoded) would make the path another route, and the
/// bearer token would go with it.
pub fn safe_id(id: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(id).decode_utf8_lossy();
    let trimmed = decoded.trim();
    !trimmed.is_empty() && trimmed != "." && trimmed != ".." && id.len() <= MAX_ID_BYTES
}

/// Each task once (a listing may repeat an entry), and no unsafe id.
fn once_and_safe(found: Vec<Found>) -> Listed {
    let mut listed = Listed::default();
    let mut seen = std::collections::HashSet::new();
    for f in found {
        if !safe_id(f.id()) {
            listed.skipped += 1;
            listed.first_skipped.get_or_insert_with(|| {
                format!("{:?}", crate::sanitize::excerpt(f.id().as_bytes(), 40))
            });
            continue;
        }
        if seen.insert(f.id().to_string()) {
            listed.found.push(f);
        }
    }
    listed
}

/// The tracked profiles' tasks, then the reel tasks of each of `projects` (checked against the
/// project list when the server has one); each task once, unsafe ids set aside.
pub async fn gather(client: &Client, projects: &[String]) -> Noted<Result<Listed, ListError>> {
    let mut notes = Vec::new();
    let result = gather_all(client, projects, &mut notes).await;
    let result = result.map(once_and_safe);
    Noted { result, notes }
}

async fn gather_all(
    client: &Client,
    projects: &[String],
    notes: &mut Vec<String>,
) -> Result<Vec<Found>, ListError> {
    {
        let fetched = client.list_profile_tasks().await;
        notes.extend(fetched.notes);
        let mut found: Vec<Found> = fetched
            .result
            .map_err(ListError::Api)?
            .tasks
            .into_iter()
            .map(|task| Found {
                task,
                project: None,
            })
            .collect();
        if projects.is_empty() {
            return Ok(found);
        }
        let listed = client.project_list().await;
        notes.extend(listed.notes);
        match listed.result {
            Ok(known) => {
                let unknown: Vec<String> = projects
                    .iter()
                    .filter(|p| !known.contains(p))
                    .cloned()
                    .collect();
                if !unknown.is_empty() {
                    return Err(ListError::UnknownProjects { unknown, known });
                }
            }
            // A server without the project list: the reel listing will say.
            Err(ApiError::Status { status: 404, .. } | ApiError::Status { status: 405, .. }) => {}
            Err(e) => return Err(ListError::Api(e)),
        }
        for project in projects {
            let reels = client.project_reel_tasks(project).await;
            notes.extend(reels.notes);
            let reels = reels.result.map_err(ListError::Api)?;
            found.extend(reels.tasks.into_iter().map(|task| Found {
                task,
                project: Some(project.clone()),
            }));
        }
        Ok(found)
    }
}

/// What one `logs_count=1` status request says of a task.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Probed {
    pub processing: bool,
    /// When its run started (the server's `started_at`, seconds since the epoch), if said.
    pub started_at: Option<f64>,
}

/// Whether a task is processing now, and since when, as one status request says.
pub type Probe = Noted<Result<Probed, ApiError>>;

/// Probes every id concurrently over the shared client; the answers in the order of `ids`.
/// The first is asked alone, so that with the automatic status path the server's version is
/// learnt once rather than by every request.
pub async fn probe_all(client: &Arc<Client>, ids: &[String]) -> Vec<Probe> {
    let mut answers: Vec<Option<Probe>> = ids.iter().map(|_| None).collect();
    let Some(first) = ids.first() else {
        return Vec::new();
    };
    answers[0] = Some(probe(client, first).await);
    let mut set = JoinSet::new();
    for (i, id) in ids.iter().enumerate().skip(1) {
        let (client, id) = (client.clone(), id.clone());
        set.spawn(async move { (i, probe(&client, &id).await) });
    }
    while let Some(joined) = set.join_next().await {
        if let Ok((i, answer)) = joined {
            answers[i] = Some(answer);
        }
    }
    answers
        .into_iter()
        .map(|a| {
            // A probe that panicked (a bug) is an unanswered one, never a dropped row.
            a.unwrap_or_else(|| Noted {
                result: Err(ApiError::Transport {
                    url: String::new(),
                    connect: false,
                    detail: "the probe stopped unexpectedly".into(),
                }),
                notes: Vec::new(),
            })
        })
        .collect()
}

/// One probe.
pub async fn probe(client: &Client, id: &str) -> Probe {
    let fetched = client.probe(&client.task_urls(id)).await;
    Noted {
        result: fetched.result.map(|s| Probed {
            processing: s.is_processing,
            started_at: s
                .started_at
                .as_ref()
                .and_then(crate::line::epoch_seconds)
                .filter(|t| t.is_finite()),
        }),
        notes: fetched.notes,
    }
}

/// Which listed tasks a discovery round probes, so that a watcher is nearly silent while
/// nothing runs and still catches every scheduled run from its first line. Probed every
/// round: a task whose `next_scrape_due` has passed or falls before the next round, one whose
/// `last_scraped` changed since the last listing (a run happened that no probe saw), one the
/// listing gives no schedule for, and every task at the first round when `probe_all_first`
/// (`wait --all` must know what is processing now). Every other task (paused, or not due) is
/// probed in the background at `rate` probes a second, round robin, so that a run started by
/// hand is still found within (tasks ÷ rate) seconds. Pure: the time is passed in.
#[derive(Debug)]
pub struct ProbePlan {
    rate: f64,
    /// Background probes owed but not yet sent (a fraction carried over).
    owed: f64,
    /// Where the round robin over quiet tasks goes on.
    next_quiet: usize,
    /// `last_scraped` of each task at the previous listing.
    last_scraped: std::collections::HashMap<String, Option<String>>,
    probe_all_first: bool,
    first: bool,
}

/// What a round should probe.
#[derive(Debug, Default, PartialEq)]
pub struct Chosen {
    /// Indices into the listed tasks, in listing order.
    pub probe: Vec<usize>,
    /// Tasks whose `last_scraped` moved since the last listing though no probe saw them run.
    pub unseen_runs: Vec<String>,
}

impl ProbePlan {
    pub fn new(rate: f64, probe_all_first: bool) -> ProbePlan {
        ProbePlan {
            rate: if rate.is_finite() { rate.max(0.0) } else { 0.0 },
            owed: 0.0,
            next_quiet: 0,
            last_scraped: Default::default(),
            probe_all_first,
            first: true,
        }
    }

    /// The tasks to probe this round among `listed` (those followed now are skipped), at
    /// `now`, with the next round `every` away.
    pub fn choose(
        &mut self,
        listed: &[Found],
        following: &[&str],
        now: chrono::DateTime<chrono::Utc>,
        every: std::time::Duration,
    ) -> Chosen {
        let mut chosen = Chosen::default();
        let horizon = chrono::Duration::from_std(every)
            .ok()
            .and_then(|d| now.checked_add_signed(d))
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
        let first = std::mem::replace(&mut self.first, false);
        let mut quiet = Vec::new();
        let mut seen = std::collections::HashMap::with_capacity(listed.len());
        for (i, f) in listed.iter().enumerate() {
            let scraped = f.task.last_scraped.as_ref().map(|v| v.to_string());
            let moved = self
                .last_scraped
                .get(f.id())
                .is_some_and(|before| *before != scraped);
            seen.insert(f.id().to_string(), scraped);
            if following.contains(&f.id()) {
                continue;
            }
            if moved {
                chosen.unseen_runs.push(f.id().to_string());
            }
            let due = match f.task.due_at() {
                None => true,
                Some(at) => at <= horizon,
            };
            let paused = f
                .task
                .status
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("paused"));
            if (first && self.probe_all_first) || moved || (due && !paused) {
                chosen.probe.push(i);
            } else {
                quiet.push(i);
            }
        }
        self.last_scraped = seen;
        // The background budget: `rate` a second over the time to the next round.
        self.owed = (self.owed + self.rate * every.as_secs_f64()).min(quiet.len() as f64);
        let n = (self.owed.floor() as usize).min(quiet.len());
        self.owed -= n as f64;
        if !quiet.is_empty() {
            let start = self.next_quiet % quiet.len();
            for k in 0..n {
                chosen.probe.push(quiet[(start + k) % quiet.len()]);
            }
            self.next_quiet = (start + n) % quiet.len();
        }
        chosen.probe.sort_unstable();
        chosen
    }
}

/// Why `@name` did not name one task.
#[derive(Debug, Clone, PartialEq)]
pub enum Unresolved {
    /// No profile task has that handle; the handles there are.
    NoMatch { candidates: Vec<String> },
    /// Several profile tasks have it: their ids and handles.
    Several { matches: Vec<(String, String)> },
}

/// Handles compared without case, in every script (`@ÉRIC` is `éric`, `@ωmega` is `ΩMEGA`).
fn same_name(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// Whether a command-line task names a profile (`@name`) rather than giving an id.
pub fn is_name(arg: &str) -> bool {
    arg.starts_with('@')
}

/// The profile task whose `target_profile` is `name` (case-insensitive, `@` optional on
/// either side).
pub fn resolve<'a>(name: &str, found: &'a [Found]) -> Result<&'a Found, Unresolved> {
    let wanted = name.trim().trim_start_matches('@');
    let matches: Vec<&Found> = found
        .iter()
        .filter(|f| f.profile().is_some_and(|p| same_name(p, wanted)))
        .collect();
    match matches[..] {
        [one] => Ok(one),
        [] => {
            let mut candidates: Vec<String> = found
                .iter()
                .filter_map(|f| f.profile())
                .map(String::from)
                .collect();
            candidates.sort_by_key(|c| c.to_lowercase());
            candidates.dedup();
            Err(Unresolved::NoMatch { candidates })
        }
        _ => Err(Unresolved::Several {
            matches: matches
                .iter()
                .map(|f| {
                    (
                        f.id().to_string(),
                        f.profile().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scheduled(id: &str, due: Option<i64>, scraped: i64, status: &str) -> Found {
        Found {
            task: ListedTask {
                id: id.into(),
                target_profile: Some(id.into()),
                status: Some(status.into()),
                next_scrape_due: due.map(|d| json!(d)),
                last_scraped: Some(json!(scraped)),
                ..ListedTask::default()
            },
            project: None,
        }
    }

    fn at(s: i64) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(s, 0).unwrap()
    }

    #[test]
    fn probes_follow_the_schedule_and_the_budget() {
        let every = std::time::Duration::from_secs(30);
        let mut listed = vec![
            scheduled("due", Some(1_000), 0, "active"),
            scheduled("soon", Some(1_020), 0, "active"),
            scheduled("none", None, 0, "active"),
        ];
        for k in 0..100 {
            listed.push(scheduled(&format!("q{k}"), Some(90_000), 0, "active"));
        }
        listed.push(scheduled("paused", Some(900), 0, "paused"));
        let mut plan = ProbePlan::new(1.0, false);
        let names = |listed: &[Found], c: &Chosen| -> Vec<String> {
            c.probe
                .iter()
                .map(|&i| listed[i].id().to_string())
                .collect()
        };
        // At 1,000: `due` has come, `soon` comes before the next round, `none` has no
        // schedule; 30 quiet ones (1 a second for 30 s) round robin; `paused` is quiet.
        let first = plan.choose(&listed, &[], at(1_000), every);
        let got = names(&listed, &first);
        assert!(
            got.starts_with(&["due".into(), "soon".into(), "none".into()]),
            "{got:?}"
        );
        assert_eq!(got.len(), 3 + 30);
        // The next rounds go on round robin: every quiet task within 101 / 1 s.
        let mut quiet_probed = std::collections::HashSet::new();
        for round in 0..4 {
            let c = plan.choose(&listed, &[], at(1_030 + 30 * round), every);
            for n in names(&listed, &c) {
                if n.starts_with('q') || n == "paused" {
                    quiet_probed.insert(n);
                }
            }
        }
        assert_eq!(quiet_probed.len(), 101, "every quiet task within the cycle");
        // A followed task is not probed; a moved last_scraped is, and is said.
        listed[10] = scheduled("q7", Some(90_000), 5, "active");
        let c = plan.choose(&listed, &["due"], at(1_200), every);
        assert!(!names(&listed, &c).contains(&"due".to_string()));
        assert_eq!(c.unseen_runs, vec!["q7".to_string()]);
        assert!(names(&listed, &c).contains(&"q7".to_string()));
        // `wait --all` probes everything at the first round.
        let mut all_first = ProbePlan::new(1.0, true);
        assert_eq!(
            all_first.choose(&listed, &[], at(1_000), every).probe.len(),
            listed.len()
        );
        // An absurd rate is no rate, never a panic.
        for rate in [f64::NAN, f64::INFINITY, -1.0, 1e300] {
            let mut p = ProbePlan::new(rate, false);
            let c = p.choose(&listed, &[], at(1_000), std::time::Duration::MAX);
            assert!(c.probe.len() <= listed.len());
        }
    }

    #[test]
    fn listed_ids_that_would_change_the_route_are_not_safe() {
        for bad in [".", "..", "%2e", "%2E%2e", " .. ", "", &"x".repeat(1025)] {
            assert!(!safe_id(bad), "{bad:?}");
        }
        for good in ["abc", "a.b", "...", "%2e%2e%2e", "t-1"] {
            assert!(safe_id(good), "{good:?}");
        }
    }

    fn profile(id: &str, name: &str) -> Found {
        Found {
            task: ListedTask {
                id: id.into(),
                target_profile: Some(name.into()),
                ..ListedTask::default()
            },
            project: None,
        }
    }

    #[test]
    fn names_resolve_case_insensitively_with_or_without_at() {
        let found = vec![
            profile("1", "bbcnews"),
            profile("2", "@NatGeo"),
            profile("3", "nasa"),
            profile("4", "NASA"),
        ];
        assert_eq!(resolve("@BBCNews", &found).unwrap().id(), "1");
        assert_eq!(resolve("@natgeo", &found).unwrap().id(), "2");
        let found = vec![profile("5", "éric"), profile("6", "ΩMEGA")];
        assert_eq!(resolve("@ÉRIC", &found).unwrap().id(), "5");
        assert_eq!(resolve("@ωmega", &found).unwrap().id(), "6");
        let found = vec![
            profile("1", "bbcnews"),
            profile("2", "@NatGeo"),
            profile("3", "nasa"),
            profile("4", "NASA"),
        ];
        assert_eq!(
            resolve("@wwf", &found),
            Err(Unresolved::NoMatch {
                candidates: vec![
                    "bbcnews".into(),
                    "nasa".into(),
                    "NASA".into(),
                    "NatGeo".into()
                ]
            })
        );
        assert_eq!(
            resolve("@nasa", &found),
            Err(Unresolved::Several {
                matches: vec![("3".into(), "nasa".into()), ("4".into(), "NASA".into())]
            })
        );
    }
}
