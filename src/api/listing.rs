//! The backend's task listings, as every server version sends them: tracked profiles (Update 8's
//! `get_profile_tracking_tasks`, Update 3–7's `get_tasks`), a project's reel tasks and the
//! project names. Deserialising is as tolerant as for the status: the id is `task_id`, else
//! `_id` (a string, a number or Mongo's `{"$oid": …}`); a field of an unexpected type is absent;
//! an entry that is not an object, or has no id, is skipped (it could not be followed anyway).
//! The simulator serialises the same types.

use std::sync::atomic::Ordering;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::client::{Client, Fetched, Trail};
use super::error::ApiError;
use super::paths::{LIST_PATHS, LIST_UPDATE8, PROJECT_LIST, PROJECT_REEL_TASKS};
use super::response::interpret_as;

/// The `data` of every JSON body this backend accepts: `{"schema_version": "4.0", "data": …}`.
pub fn request_body(data: Value) -> Value {
    serde_json::json!({"schema_version": "4.0", "data": data})
}

/// One task of a listing: a tracked profile's or a reel's.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ListedTask {
    /// `task_id`, else `_id`.
    pub id: String,
    /// The profile's handle as the server spells it (profile tasks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_profile: Option<String>,
    /// The reel (reel tasks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reel_url: Option<String>,
    /// The listing's own status (`active`, …): not whether the task is processing now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_scraped: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_scrape_due: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_competitor: Option<bool>,
}

/// `response` of a listing: `{"tasks": […], "total_tasks": N}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskList {
    pub tasks: Vec<ListedTask>,
    pub total_tasks: Option<u64>,
}

/// `response` of the project list: `{"project_list": ["…"]}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectList {
    pub projects: Vec<String>,
}

/// Text fields: a string, or a number shown as text; anything else is absent.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An id: a non-empty string, a number, or `{"$oid": "…"}`.
fn id(v: Option<&Value>) -> Option<String> {
    let v = v?;
    let found = match v {
        Value::Object(o) => text(o.get("$oid")),
        other => text(Some(other)),
    };
    found.filter(|s| !s.trim().is_empty())
}

/// A time as received: a number, or a non-empty string; `null` and other types are absent.
fn when(v: Option<&Value>) -> Option<Value> {
    match v? {
        v @ Value::Number(_) => Some(v.clone()),
        Value::String(s) if !s.trim().is_empty() => Some(Value::String(s.clone())),
        _ => None,
    }
}

/// A listing's time as seconds since the epoch: a number, or an ISO 8601 string (UTC when it
/// has no offset, as Python's `isoformat()` of a UTC time); `None` for anything else.
pub fn listing_time(v: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{DateTime, NaiveDateTime, Utc};
    let from_epoch = |v: &Value| {
        crate::line::epoch_seconds(v).and_then(|s| {
            let ms = (s * 1000.0).round();
            (ms.abs() < 1e17).then(|| DateTime::<Utc>::from_timestamp_millis(ms as i64))?
        })
    };
    match v {
        Value::String(s) => {
            let s = s.trim();
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .ok()
                .or_else(|| {
                    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
                        .iter()
                        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
                        .map(|n| n.and_utc())
                })
                .or_else(|| from_epoch(v))
        }
        other => from_epoch(other),
    }
}

impl ListedTask {
    /// When the backend will next scrape this task, if the listing says.
    pub fn due_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.next_scrape_due.as_ref().and_then(listing_time)
    }

    /// One entry of `tasks`; `None` when it is not an object or has no id.
    pub fn from_entry(entry: &Value) -> Option<ListedTask> {
        let o: &Map<String, Value> = entry.as_object()?;
        Some(ListedTask {
            id: id(o.get("task_id")).or_else(|| id(o.get("_id")))?,
            target_profile: text(o.get("target_profile")).filter(|s| !s.trim().is_empty()),
            reel_url: text(o.get("reel_url")).filter(|s| !s.trim().is_empty()),
            status: o.get("status").and_then(Value::as_str).map(String::from),
            created_at: when(o.get("created_at")),
            last_scraped: when(o.get("last_scraped")),
            next_scrape_due: when(o.get("next_scrape_due")),
            is_competitor: o.get("is_competitor").and_then(Value::as_bool),
        })
    }

    /// The handle without a leading `@`, if the task tracks a profile.
    pub fn profile(&self) -> Option<&str> {
        self.target_profile
            .as_deref()
            .map(|p| p.trim().trim_start_matches('@'))
            .filter(|p| !p.is_empty())
    }
}

impl<'de> Deserialize<'de> for TaskList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TaskList, D::Error> {
        let v = Value::deserialize(d)?;
        let Some(tasks) = v.get("tasks").and_then(Value::as_array) else {
            return Err(serde::de::Error::custom("no `tasks` array"));
        };
        Ok(TaskList {
            tasks: tasks.iter().filter_map(ListedTask::from_entry).collect(),
            total_tasks: v.get("total_tasks").and_then(Value::as_u64),
        })
    }
}

impl<'de> Deserialize<'de> for ProjectList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ProjectList, D::Error> {
        let v = Value::deserialize(d)?;
        let Some(list) = v.get("project_list").and_then(Value::as_array) else {
            return Err(serde::de::Error::custom("no `project_list` array"));
        };
        Ok(ProjectList {
            projects: list
                .iter()
                .filter_map(|p| text(Some(p)))
                .filter(|p| !p.is_empty())
                .collect(),
        })
    }
}

/// The listings, asked through the shared client.
impl Client {
    /// The user's tracked profiles: Update 8's listing, else (on a 404) Update 3-7's; the one
    /// that answers is kept for the run. On Update 8 the status path is switched to Update 8's
    /// too (it still falls back on a 404).
    pub async fn list_profile_tasks(&self) -> Fetched<TaskList> {
        let mut trail = Trail::default();
        let secrets = self.secrets();
        let first = self.list_path.load(Ordering::Relaxed);
        let mut tried = Vec::new();
        for attempt in 0..LIST_PATHS.len() {
            let which = (first + attempt) % LIST_PATHS.len();
            let (name, path) = LIST_PATHS[which];
            let url = format!("{}{path}", self.base);
            let result = match self
                .send(reqwest::Method::GET, &url, None, &mut trail, &secrets)
                .await
            {
                Ok(raw) => interpret_as(
                    raw.status,
                    raw.retry_after,
                    &raw.body,
                    "`response.tasks`",
                    &secrets,
                ),
                Err(e) => Err(e),
            };
            match result {
                Err(ApiError::Status { status: 404, .. }) => tried.push(url),
                other => {
                    if which != first {
                        self.list_path.store(which, Ordering::Relaxed);
                        if self.verbose > 0 {
                            trail
                                .notes
                                .push(format!("using the {name} task listing ({path})"));
                        }
                    }
                    if other.is_ok() && path == LIST_UPDATE8 && self.fixed_path.is_none() {
                        self.auto_path.store(1, Ordering::Relaxed);
                    }
                    return trail.fetched(other);
                }
            }
        }
        trail.fetched(Err(ApiError::NoRoute { tried }))
    }

    /// The user's project names (`POST` with an empty `data`).
    pub async fn project_list(&self) -> Fetched<Vec<String>> {
        let mut trail = Trail::default();
        let secrets = self.secrets();
        let url = format!("{}{PROJECT_LIST}", self.base);
        let body = request_body(serde_json::json!({})).to_string().into_bytes();
        let result = match self
            .send(
                reqwest::Method::POST,
                &url,
                Some(body),
                &mut trail,
                &secrets,
            )
            .await
        {
            Ok(raw) => interpret_as::<ProjectList>(
                raw.status,
                raw.retry_after,
                &raw.body,
                "`response.project_list`",
                &secrets,
            )
            .map(|p| p.projects),
            Err(e) => Err(e),
        };
        trail.fetched(result)
    }

    /// A project's reel tasks: POST as the backend's demo client does, or on a 405 GET with the
    /// same body as its docs say (kept for the run).
    pub async fn project_reel_tasks(&self, project: &str) -> Fetched<TaskList> {
        let mut trail = Trail::default();
        let secrets = self.secrets();
        let url = format!("{}{PROJECT_REEL_TASKS}", self.base);
        let body = request_body(serde_json::json!({"project_name": project}))
            .to_string()
            .into_bytes();
        let mut by_get = self.reels_by_get.load(Ordering::Relaxed);
        let result = loop {
            let method = if by_get {
                reqwest::Method::GET
            } else {
                reqwest::Method::POST
            };
            let raw = match self
                .send(method, &url, Some(body.clone()), &mut trail, &secrets)
                .await
            {
                Ok(raw) => raw,
                Err(e) => break Err(e),
            };
            if raw.status == 405 && !by_get {
                by_get = true;
                self.reels_by_get.store(true, Ordering::Relaxed);
                continue;
            }
            break interpret_as(
                raw.status,
                raw.retry_after,
                &raw.body,
                "`response.tasks`",
                &secrets,
            );
        };
        trail.fetched(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::wire::Envelope;
    use serde_json::json;

    fn list(v: Value) -> TaskList {
        let env: Envelope<TaskList> = serde_json::from_value(v).unwrap();
        env.response.unwrap()
    }

    #[test]
    fn ids_come_from_task_id_then_underscore_id() {
        let l = list(json!({"result": true, "response": {"tasks": [
            {"task_id": "a", "_id": "ignored", "target_profile": "bbcnews", "status": "active"},
            {"_id": "b", "target_profile": "@NatGeo", "created_at": 1703123456.5},
            {"_id": {"$oid": "66a1f0c2"}, "last_scraped": "2026-11-28T10:00:00"},
            {"task_id": 42},
            {"task_id": "", "_id": "c"},
            {"target_profile": "no id"},
            "not an object",
            {"task_id": "d", "status": 5, "last_scraped": null, "is_competitor": "yes"}
        ], "total_tasks": 7}}));
        let ids: Vec<&str> = l.tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "66a1f0c2", "42", "c", "d"]);
        assert_eq!(l.total_tasks, Some(7));
        assert_eq!(l.tasks[0].profile(), Some("bbcnews"));
        assert_eq!(l.tasks[1].profile(), Some("NatGeo"));
        assert_eq!(l.tasks[1].created_at, Some(json!(1703123456.5)));
        assert_eq!(l.tasks[2].last_scraped, Some(json!("2026-11-28T10:00:00")));
        let d = &l.tasks[5];
        assert_eq!((d.status.as_deref(), d.last_scraped.as_ref()), (None, None));
        assert_eq!(d.is_competitor, None);
    }

    #[test]
    fn a_listing_without_tasks_is_an_error_and_projects_are_strings() {
        let e: Result<Envelope<TaskList>, _> =
            serde_json::from_value(json!({"response": {"task": []}}));
        assert!(e.is_err());
        let p: Envelope<ProjectList> =
            serde_json::from_value(json!({"response": {"project_list": ["summer", 3, null, ""]}}))
                .unwrap();
        assert_eq!(p.response.unwrap().projects, ["summer", "3"]);
    }
}
