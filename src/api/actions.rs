//! The requests that do something on the server rather than read it: starting a task with its
//! force-scrape endpoint (`--trigger`, Update 8's path then Update 7's) and logging in for a
//! token (the password scrubbed from everything shown).

use super::client::{Client, Fetched, Trail};
use super::error::ApiError;
use super::paths::{LOGIN_PATH, TRIGGER_PROFILE_UPDATE7, TRIGGER_PROFILE_UPDATE8, TRIGGER_REEL};
use super::response::{excerpt, interpret, EXCERPT_CHARS};
use crate::secret::Secret;

/// Which force-scrape endpoint `--trigger` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerKind {
    Profile,
    Reel,
}

/// What a trigger did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Triggered {
    Started,
    AlreadyRunning,
}

impl Client {
    /// Starts a task with the matching force-scrape endpoint (Update 8's, then Update 7's on a
    /// 404, for profiles). A 409 means it is already running, which is as good.
    pub async fn trigger(&self, kind: TriggerKind, task_id: &str) -> Fetched<Triggered> {
        let mut trail = Trail::default();
        let templates: &[&str] = match kind {
            TriggerKind::Profile => &[TRIGGER_PROFILE_UPDATE8, TRIGGER_PROFILE_UPDATE7],
            TriggerKind::Reel => &[TRIGGER_REEL],
        };
        let secrets = self.secrets();
        let result = async {
            let mut tried = Vec::new();
            for template in templates {
                let url = self.path_url(template, task_id);
                let raw = self
                    .send(reqwest::Method::POST, &url, None, &mut trail, &secrets)
                    .await?;
                return match raw.status {
                    200..=299 => Ok(Triggered::Started),
                    409 => Ok(Triggered::AlreadyRunning),
                    404 => {
                        tried.push(self.shown(&url));
                        continue;
                    }
                    status => Err(interpret(status, raw.retry_after, &raw.body, &secrets)
                        .err()
                        .unwrap_or_else(|| ApiError::Status {
                            status,
                            excerpt: excerpt(&raw.body, EXCERPT_CHARS, &secrets),
                            retry_after: raw.retry_after,
                        })),
                };
            }
            Err(ApiError::NoRoute { tried })
        }
        .await;
        trail.fetched(result)
    }

    /// Logs in with email and password (`POST /codvid-ai/auth/login`) and returns the token.
    pub async fn login(&self, email: &str, password: &str) -> Fetched<String> {
        let mut trail = Trail::default();
        let body = serde_json::json!({
            "schema_version": "4.0",
            "data": {"auth_type": "email", "email": email, "password": password},
        });
        let url = format!("{}{LOGIN_PATH}", self.base);
        // Strings only: serialising cannot fail.
        let body = serde_json::to_vec(&body).unwrap_or_default();
        // The server's words may echo the password: everything shown is scrubbed of it.
        let password = Secret::new(password);
        let mut secrets = self.secrets();
        secrets.push(&password);
        let raw = self
            .send(
                reqwest::Method::POST,
                &url,
                Some(body),
                &mut trail,
                &secrets,
            )
            .await;
        let raw = match raw {
            Ok(raw) => raw,
            Err(e) => return trail.fetched(Err(e)),
        };
        #[derive(serde::Deserialize)]
        struct Answer {
            result: Option<bool>,
            token: Option<String>,
            message: Option<String>,
            error: Option<String>,
        }
        let answer: Option<Answer> = super::wire::parse(&raw.body).ok();
        let reason = answer
            .as_ref()
            .and_then(|a| a.message.as_deref().or(a.error.as_deref()))
            .map(|r| excerpt(r.as_bytes(), EXCERPT_CHARS, &secrets));
        let result = match (raw.status, answer) {
            (
                200..=299,
                Some(Answer {
                    result: Some(true),
                    token: Some(token),
                    ..
                }),
            ) if !token.is_empty() => Ok(token),
            (400 | 401 | 403, _) => Err(ApiError::Auth {
                status: raw.status,
                reason,
            }),
            (status, _) => Err(ApiError::Status {
                status,
                excerpt: reason.unwrap_or_else(|| excerpt(&raw.body, EXCERPT_CHARS, &secrets)),
                retry_after: None,
            }),
        };
        trail.fetched(result)
    }
}
