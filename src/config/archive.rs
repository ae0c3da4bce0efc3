//! Where the archive is and whether `watch`/`wait` record into it: `--archive`/`--no-archive`
//! or the profile's `archive = true`; `--archive-db PATH` (or `TASKWATCH_ARCHIVE_DB`), the
//! profile's `archive_db`, else the platform data directory.

use std::path::{Path, PathBuf};

use super::parse_bool;
use crate::profile::{ConfigError, Profile};

/// What the command line gave.
#[derive(Debug, Clone, Default)]
pub struct ArchiveFlags {
    /// `--archive` (true) or `--no-archive` (false).
    pub record: Option<bool>,
    /// `--archive-db` or `TASKWATCH_ARCHIVE_DB`.
    pub path: Option<PathBuf>,
}

/// The archive settings, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchiveSettings {
    /// Record every followed run.
    pub record: bool,
    /// The database file; `None` when no home directory gives a default.
    pub path: Option<PathBuf>,
}

impl ArchiveSettings {
    pub fn resolve(
        flags: &ArchiveFlags,
        profile: Option<&Profile>,
    ) -> Result<ArchiveSettings, ConfigError> {
        let record = match flags.record {
            Some(r) => r,
            None => super::from_profile(profile, "archive", parse_bool)?.is_some_and(|(r, _)| r),
        };
        let path = match &flags.path {
            Some(p) => Some(p.clone()),
            None => match super::from_profile(profile, "archive_db", |s| {
                if s.trim().is_empty() {
                    Err("an empty path".to_string())
                } else {
                    Ok(PathBuf::from(s))
                }
            })? {
                Some((p, _)) => Some(p),
                None => crate::archive::default_path(),
            },
        };
        Ok(ArchiveSettings { record, path })
    }

    /// The database file, or the error that says how to name one.
    pub fn require_path(&self) -> Result<&Path, ConfigError> {
        self.path.as_deref().ok_or_else(|| {
            ConfigError(
                "no place for the archive: set HOME, or pass --archive-db PATH (TASKWATCH_ARCHIVE_DB)"
                    .into(),
            )
        })
    }
}

impl ArchiveSettings {
    /// The profile's `archive` and `archive_db`, each checked as `watch` checks it, for
    /// `taskwatch config` (`TASKWATCH_ARCHIVE_DB` wins over `archive_db` and is said so).
    pub fn shown(profile: Option<&Profile>, env_path: Option<&str>) -> Vec<super::Shown> {
        let archive =
            super::Shown::of_profile(profile, "archive", "false", |v| parse_bool(v).err());
        let path = match (env_path, profile.and_then(|p| p.get("archive_db"))) {
            (Some(p), _) => super::Shown::new("archive_db", p.to_string(), "TASKWATCH_ARCHIVE_DB"),
            (None, Some(s)) => super::Shown::new("archive_db", s.value.clone(), s.origin.clone()),
            (None, None) => match crate::archive::default_path() {
                Some(p) => super::Shown::new("archive_db", p.display().to_string(), "default"),
                None => super::Shown::new("archive_db", "none (no HOME)".into(), "default"),
            },
        };
        vec![archive, path]
    }
}
