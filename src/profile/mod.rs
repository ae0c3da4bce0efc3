//! The config file: named profiles of connection and polling settings, and the tokens that
//! `login` stores. Read once, at start (`file.rs`); written only by `login` and `logout`,
//! keeping the user's comments and layout, atomically and under a lock (`write.rs`). Here:
//! where the file is, which profile is selected, and what a profile holds.
//!
//! ```toml
//! default_profile = "prod"
//!
//! [profiles.prod]
//! base_url = "https://api.example.com"
//! token_file = "/home/me/.codvid-token"
//! interval = "5s"
//! logs_count = "auto"
//! exclude = ["^DEBUG"]
//! highlight = ["ERROR", "post \\d+"]
//! ```

mod file;
mod write;

use std::path::{Path, PathBuf};

pub use file::ConfigFile;
pub use write::{edit, remove_token, rewrite, TokenRemoval};

/// A setting that cannot be used, found after parsing (exit 2).
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The profile named with --profile (or TASKWATCH_PROFILE), else the file's `default_profile`.
/// With `lenient` (login and logout, which create what they name) a missing or unreadable
/// profile is no profile.
pub fn select(
    path: Option<&Path>,
    named: Option<&str>,
    lenient: bool,
    warnings: &mut Vec<String>,
) -> Result<Option<Profile>, ConfigError> {
    if lenient {
        let file = path.map(ConfigFile::load).transpose()?.flatten();
        return Ok(file.and_then(|f| f.profile(named, warnings).ok().flatten()));
    }
    match path.map(ConfigFile::load).transpose()?.flatten() {
        Some(file) => file.profile(named, warnings),
        None => match (named, path) {
            (Some(name), Some(p)) => Err(ConfigError(format!(
                "--profile {name}: there is no config file at {}",
                p.display()
            ))),
            (Some(name), None) => Err(ConfigError(format!(
                "--profile {name}: no config file (set HOME or TASKWATCH_CONFIG)"
            ))),
            (None, _) => Ok(None),
        },
    }
}

/// Keys a profile may hold.
pub(super) const PROFILE_KEYS: [&str; 15] = [
    "base_url",
    "api_path",
    "token",
    "token_file",
    "interval",
    "logs_count",
    "include",
    "exclude",
    "highlight",
    "probe_rate",
    "ci",
    "notify",
    "on_end",
    "archive",
    "archive_db",
];

/// Keys whose value is a list of strings (regexes).
pub(super) const LIST_KEYS: [&str; 3] = ["include", "exclude", "highlight"];

/// Where the config file is: `TASKWATCH_CONFIG`, else the platform's config directory
/// (`$XDG_CONFIG_HOME` if absolute, else `~/.config` on Linux; `~/Library/Application Support`
/// on macOS; `%APPDATA%` on Windows), then `taskwatch/config.toml`. `env` supplies
/// `TASKWATCH_CONFIG`; the platform directory is the `etcetera` crate's native one.
pub fn default_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    if let Some(p) = env("TASKWATCH_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let dir = etcetera::base_strategy::choose_native_strategy()
        .ok()?
        .config_dir();
    // An empty HOME gives a relative directory: no config file rather than one under the cwd.
    dir.is_absolute()
        .then(|| dir.join("taskwatch").join("config.toml"))
}

/// One setting read from a profile, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub value: String,
    /// `profile NAME (PATH:LINE)`, for messages and `taskwatch config`.
    pub origin: String,
}

/// A list of strings read from a profile (`include = ["a", "b"]`), with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ListSetting {
    pub values: Vec<String>,
    /// `profile NAME (PATH:LINE)`.
    pub origin: String,
}

/// The settings of the selected profile.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub name: String,
    pub base_url: Option<Setting>,
    pub api_path: Option<Setting>,
    pub token: Option<Setting>,
    pub token_file: Option<Setting>,
    pub interval: Option<Setting>,
    pub logs_count: Option<Setting>,
    pub probe_rate: Option<Setting>,
    /// `--ci`: github, gitlab, none or auto.
    pub ci: Option<Setting>,
    /// `--notify`: `true` or `false` (a TOML boolean).
    pub notify: Option<Setting>,
    /// `--on-end`: a shell command.
    pub on_end: Option<Setting>,
    /// `true`: `watch`/`wait` record every followed run in the archive.
    pub archive: Option<Setting>,
    pub archive_db: Option<Setting>,
    pub include: Option<ListSetting>,
    pub exclude: Option<ListSetting>,
    pub highlight: Option<ListSetting>,
}

impl Profile {
    pub fn get(&self, key: &str) -> Option<&Setting> {
        match key {
            "base_url" => self.base_url.as_ref(),
            "api_path" => self.api_path.as_ref(),
            "token" => self.token.as_ref(),
            "token_file" => self.token_file.as_ref(),
            "interval" => self.interval.as_ref(),
            "logs_count" => self.logs_count.as_ref(),
            "probe_rate" => self.probe_rate.as_ref(),
            "ci" => self.ci.as_ref(),
            "notify" => self.notify.as_ref(),
            "on_end" => self.on_end.as_ref(),
            "archive" => self.archive.as_ref(),
            "archive_db" => self.archive_db.as_ref(),
            _ => None,
        }
    }

    /// A list setting: `include`, `exclude` or `highlight`.
    pub fn list(&self, key: &str) -> Option<&ListSetting> {
        match key {
            "include" => self.include.as_ref(),
            "exclude" => self.exclude.as_ref(),
            "highlight" => self.highlight.as_ref(),
            _ => None,
        }
    }

    pub(super) fn list_slot(&mut self, key: &str) -> Option<&mut Option<ListSetting>> {
        Some(match key {
            "include" => &mut self.include,
            "exclude" => &mut self.exclude,
            "highlight" => &mut self.highlight,
            _ => return None,
        })
    }

    pub(super) fn slot(&mut self, key: &str) -> Option<&mut Option<Setting>> {
        Some(match key {
            "base_url" => &mut self.base_url,
            "api_path" => &mut self.api_path,
            "token" => &mut self.token,
            "token_file" => &mut self.token_file,
            "interval" => &mut self.interval,
            "logs_count" => &mut self.logs_count,
            "probe_rate" => &mut self.probe_rate,
            "ci" => &mut self.ci,
            "notify" => &mut self.notify,
            "on_end" => &mut self.on_end,
            "archive" => &mut self.archive,
            "archive_db" => &mut self.archive_db,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_follows_the_platform_rules() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            default_path(&env(&[("TASKWATCH_CONFIG", "/x.toml"), ("HOME", "/h")])),
            Some(PathBuf::from("/x.toml"))
        );
        // The platform directories come from the process environment: see
        // `the_config_file_lives_in_the_platform_config_directory` in tests/profiles.rs.
        let found = default_path(&env(&[("TASKWATCH_CONFIG", "")]));
        assert!(found.is_none_or(|p| p.ends_with("taskwatch/config.toml")));
    }
}
