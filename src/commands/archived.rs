//! What the commands that use the archive share: where it is (flag, environment, profile,
//! default) and opening it, with the error said once.

use std::path::PathBuf;

use crate::archive::{self, Store};
use crate::config::{ArchiveAt, ArchiveFlags, ArchiveSettings};
use crate::messages;
use crate::outcome::Outcome;
use crate::profile::{self, Profile};

/// Whether and where this run records.
pub enum Archive {
    Off,
    On {
        store: Box<dyn crate::archive::Store>,
        path: std::path::PathBuf,
        /// The backend, without credentials: part of each run's identity.
        base_url: String,
    },
    /// Recording was asked for and the archive could not be opened (already said): exit 74.
    Broken,
}

/// The archive's settings for a command that has no connection (history, logs, stats,
/// prune): the profile is read only for `archive_db`.
pub fn settings(at: &ArchiveAt) -> Result<ArchiveSettings, Outcome> {
    let config_path = profile::default_path(&|k| std::env::var(k).ok());
    let mut warnings = Vec::new();
    let profile = profile::select(
        config_path.as_deref(),
        at.profile.as_deref(),
        false,
        &mut warnings,
    )
    .map_err(|e| messages::usage(&e.to_string()))?;
    for w in &warnings {
        messages::warning(w);
    }
    let flags = ArchiveFlags {
        record: None,
        path: at.path.clone(),
    };
    resolve(&flags, profile.as_ref())
}

pub fn resolve(
    flags: &ArchiveFlags,
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

/// What the archive, when there is one, says each task's runs typically take (for the time
/// left before a run's own rate is known). An archive that cannot be read is no history.
pub fn typical_durations(
    settings: &crate::config::ArchiveSettings,
    base_url: &reqwest::Url,
    verbose: u8,
) -> std::collections::HashMap<String, f64> {
    let Some(path) = settings.path.as_deref().filter(|p| p.exists()) else {
        return Default::default();
    };
    let bare = crate::api::connection::bare_url(base_url);
    match crate::archive::open(path, false)
        .and_then(|store| crate::archive::typical_durations(store.as_ref(), &bare))
    {
        Ok(typical) => typical,
        Err(e) => {
            if verbose > 0 {
                messages::note(format!("no estimates from past runs: {e}"));
            }
            Default::default()
        }
    }
}

/// The archive when this run records; one that cannot be opened is said now, following goes
/// on, and the run ends with exit 74.
pub fn open_for_recording(
    settings: &crate::config::ArchiveSettings,
    base_url: &reqwest::Url,
) -> Archive {
    if !settings.record {
        return Archive::Off;
    }
    let path = match settings.require_path() {
        Ok(p) => p.to_path_buf(),
        Err(e) => {
            messages::error(&format!(
                "{e}; following goes on, and taskwatch will exit with 74"
            ));
            return Archive::Broken;
        }
    };
    match crate::archive::open(&path, true) {
        Ok(store) => Archive::On {
            store,
            path,
            base_url: crate::api::connection::bare_url(base_url),
        },
        Err(e) => {
            messages::error(&format!(
                "cannot open the {e}; following goes on, and taskwatch will exit with 74"
            ));
            Archive::Broken
        }
    }
}
