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

/// The tracked profiles' tasks, then the reel tasks of each of `projects` (checked against the
/// project list when the server has one).
pub async fn gather(client: &Client, projects: &[String]) -> Noted<Result<Vec<Found>, ListError>> {
    let mut notes = Vec::new();
    let result = async {
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
    .await;
    Noted { result, notes }
}

/// Whether a task is processing now, as one `logs_count=1` status request says.
pub type Probe = Noted<Result<bool, ApiError>>;

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
        result: fetched.result.map(|s| s.is_processing),
        notes: fetched.notes,
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
        .filter(|f| f.profile().is_some_and(|p| p.eq_ignore_ascii_case(wanted)))
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
