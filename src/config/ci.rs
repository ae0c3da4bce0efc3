//! Settings for running in CI and beside an operator: which CI system's log conventions to
//! follow (`--ci`), the JUnit report, heartbeats, desktop notifications and end hooks.
//! Resolved once: flag > environment > profile > default, like every other setting.

use std::path::PathBuf;
use std::time::Duration;

use super::{from_profile, parse_bool, parse_duration, parse_timeout, Given, Shown};
use crate::profile::{ConfigError, Profile};

/// Whose log conventions stdout follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CiSystem {
    /// GitHub Actions: `::group::`, annotations, the step summary.
    Github,
    /// GitLab CI: collapsible sections.
    Gitlab,
    /// Neither.
    #[default]
    None,
}

/// `--ci` as given: a system, or `auto` (read the CI's own variables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CiChoice {
    Auto,
    Is(CiSystem),
}

pub fn parse_ci(s: &str) -> Result<CiChoice, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "auto" => Ok(CiChoice::Auto),
        "github" => Ok(CiChoice::Is(CiSystem::Github)),
        "gitlab" => Ok(CiChoice::Is(CiSystem::Gitlab)),
        "none" => Ok(CiChoice::Is(CiSystem::None)),
        _ => Err("expected github, gitlab, none or auto".into()),
    }
}

/// `--heartbeat`: `0` turns heartbeats off, else at least 1s.
pub fn parse_heartbeat(s: &str) -> Result<Duration, String> {
    if s.trim() == "0" {
        return Ok(Duration::ZERO);
    }
    let d = parse_duration(s)?;
    if d.is_zero() {
        return Ok(d);
    }
    if d < Duration::from_secs(1) {
        return Err("must be 0 (off) or at least 1s".into());
    }
    Ok(d)
}

/// `--on-end-timeout`: at least 1ms.
pub fn parse_hook_timeout(s: &str) -> Result<Duration, String> {
    parse_timeout(s)
}

/// The flags as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct IntegrationFlags {
    pub ci: Option<CiChoice>,
    pub junit: Option<PathBuf>,
    pub heartbeat: Duration,
    pub notify: bool,
    pub on_end: Option<String>,
    pub on_end_timeout: Duration,
}

/// The resolved settings.
#[derive(Debug, Clone, Default)]
pub struct Integration {
    pub ci: CiSystem,
    /// GitHub's `GITHUB_STEP_SUMMARY` file (github mode only).
    pub step_summary: Option<PathBuf>,
    pub junit: Option<PathBuf>,
    /// `None`: no heartbeats (turned off, or stderr is a terminal: a person sees the status).
    pub heartbeat: Option<Duration>,
    pub notify: bool,
    pub on_end: Option<String>,
    pub on_end_timeout: Duration,
}

impl Integration {
    /// `env` reads the environment (`GITHUB_ACTIONS`, `GITLAB_CI`, `GITHUB_STEP_SUMMARY`);
    /// `stderr_terminal`: a person is watching stderr (no heartbeats then).
    pub fn resolve(
        flags: &IntegrationFlags,
        given: Given<'_>,
        profile: Option<&Profile>,
        env: &dyn Fn(&str) -> Option<String>,
        stderr_terminal: bool,
    ) -> Result<Integration, ConfigError> {
        let choice = match (given("ci"), flags.ci) {
            (Some(_), Some(c)) => c,
            _ => from_profile(profile, "ci", parse_ci)?
                .map_or(flags.ci.unwrap_or(CiChoice::Auto), |(c, _)| c),
        };
        let ci = match choice {
            CiChoice::Is(system) => system,
            CiChoice::Auto => detect(env),
        };
        let notify = flags.notify
            || (given("notify").is_none()
                && from_profile(profile, "notify", parse_bool)?.is_some_and(|(n, _)| n));
        let on_end = match given("on_end") {
            Some(_) => flags.on_end.clone(),
            None => from_profile(profile, "on_end", |s| Ok::<_, String>(s.to_string()))?
                .map(|(c, _)| c)
                .or_else(|| flags.on_end.clone()),
        }
        .filter(|c| !c.trim().is_empty());
        Ok(Integration {
            ci,
            step_summary: (ci == CiSystem::Github)
                .then(|| env("GITHUB_STEP_SUMMARY"))
                .flatten()
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
            junit: flags.junit.clone(),
            heartbeat: (!flags.heartbeat.is_zero() && !stderr_terminal).then_some(flags.heartbeat),
            notify,
            on_end,
            on_end_timeout: flags.on_end_timeout,
        })
    }
}

impl Integration {
    /// The settings of this file a profile gives, each checked as `watch` checks it, for
    /// `taskwatch config`.
    pub fn shown(profile: Option<&Profile>) -> Vec<Shown> {
        vec![
            Shown::of_profile(profile, "ci", "auto", |v| parse_ci(v).err()),
            Shown::of_profile(profile, "notify", "false", |v| parse_bool(v).err()),
            Shown::of_profile(profile, "on_end", "none", |_| None),
        ]
    }
}

/// `auto`: the variable each CI system sets in its jobs.
pub fn detect(env: &dyn Fn(&str) -> Option<String>) -> CiSystem {
    if env("GITHUB_ACTIONS").as_deref() == Some("true") {
        CiSystem::Github
    } else if env("GITLAB_CI").as_deref() == Some("true") {
        CiSystem::Gitlab
    } else {
        CiSystem::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_values_and_detection() {
        assert_eq!(parse_ci("GitHub"), Ok(CiChoice::Is(CiSystem::Github)));
        assert_eq!(parse_ci("auto"), Ok(CiChoice::Auto));
        assert!(parse_ci("jenkins").unwrap_err().contains("github, gitlab"));
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            detect(&env(&[("GITHUB_ACTIONS", "true")])),
            CiSystem::Github
        );
        assert_eq!(detect(&env(&[("GITLAB_CI", "true")])), CiSystem::Gitlab);
        assert_eq!(detect(&env(&[("GITLAB_CI", "1")])), CiSystem::None);
        assert_eq!(detect(&env(&[])), CiSystem::None);
    }

    #[test]
    fn heartbeat_is_off_or_at_least_a_second() {
        assert_eq!(parse_heartbeat("0"), Ok(Duration::ZERO));
        assert_eq!(parse_heartbeat("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_heartbeat("5m"), Ok(Duration::from_secs(300)));
        assert!(parse_heartbeat("10ms").unwrap_err().contains("at least 1s"));
        assert!(parse_heartbeat("soon").is_err());
        assert!(parse_heartbeat("101y").is_err());
    }
}
