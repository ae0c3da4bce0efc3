//! What the commands that use the archive share: where it is (flag, environment, profile,
//! default) and opening it, with the error said once.

use std::path::PathBuf;

use crate::archive::{self, Store};
use crate::config::{ArchiveFlags, ArchiveSettings};
use crate::messages;
use crate::outcome::Outcome;
use crate::profile::{self, Profile};

/// The archive's settings for a command that has no connection (history, logs, stats,
/// prune): the profile is read only for `archive_db`.
pub fn settings(
    flags: &ArchiveFlags<'_>,
    profile_name: Option<&str>,
) -> Result<ArchiveSettings, Outcome> {
    let config_path = profile::default_path(&|k| std::env::var(k).ok());
    let mut warnings = Vec::new();
    let profile = profile::select(config_path.as_deref(), profile_name, false, &mut warnings)
        .map_err(|e| messages::usage(&e.to_string()))?;
    for w in &warnings {
        messages::warning(w);
    }
    resolve(flags, profile.as_ref())
}

pub fn resolve(
    flags: &ArchiveFlags<'_>,
    profile: Option<&Profile>,
) -> Result<ArchiveSettings, Outcome> {
    ArchiveSettings::resolve(flags, profile).map_err(|e| messages::usage(&e.to_string()))
}

/// Opens the archive for reading; none there yet: exit 3 with a note.
pub fn open_existing(settings: &ArchiveSettings) -> Result<(Box<dyn Store>, PathBuf), Outcome> {
    let path = settings
        .require_path()
        .map_err(|e| messages::usage(&e.to_string()))?
        .to_path_buf();
    match archive::open(&path, false) {
        Ok(store) => Ok((store, path)),
        Err(e) if e.missing => {
            messages::note(e.to_string());
            Err(Outcome::NotSeen)
        }
        Err(e) => {
            messages::error(&e.to_string());
            Err(Outcome::Error)
        }
    }
}
