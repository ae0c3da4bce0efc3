//! `config`: every setting as it resolves, with where it came from.

use crate::config::{Access, ArchiveSettings, Given, Integration, Polling, ResolvedConnection};
use crate::messages;
use crate::outcome::Outcome;
use crate::profile;
use crate::sanitize;

/// The most characters of a setting's value shown (a 300 KB regex is shown as its start).
const SHOWN_CHARS: usize = 200;

/// `taskwatch config`: one line per setting, with where it came from; a setting that cannot
/// be used is marked with why, and makes the exit code 2 (as `watch` would refuse it).
pub fn show(access: &Access, given: Given<'_>) -> Outcome {
    let config_path = profile::default_path(&|k| std::env::var(k).ok());
    let mut warnings = Vec::new();
    let named = access.profile.as_deref();
    let selected = profile::select(config_path.as_deref(), named, false, &mut warnings);
    for w in &warnings {
        messages::warning(w);
    }
    let selected = match selected {
        Ok(p) => p,
        Err(e) => return messages::usage(&e.to_string()),
    };
    let (resolved, mut settings) =
        ResolvedConnection::inspect(&access.flags, given, selected.as_ref());
    for w in &resolved.warnings {
        messages::warning(w);
    }
    settings.extend(Polling::shown(selected.as_ref()));
    settings.extend(Integration::shown(selected.as_ref()));
    let archive_db = std::env::var("TASKWATCH_ARCHIVE_DB").ok();
    settings.extend(ArchiveSettings::shown(
        selected.as_ref(),
        archive_db.as_deref().filter(|p| !p.is_empty()),
    ));
    let profile_line = match (&selected, given("profile")) {
        (Some(p), Some(origin)) => format!("{} [{origin}]", sanitize::line(&p.name)),
        (Some(p), None) => format!("{} [default_profile]", sanitize::line(&p.name)),
        (None, _) => "none".to_string(),
    };
    let file = match config_path.as_deref() {
        Some(p) if p.exists() => sanitize::line(&p.display().to_string()),
        Some(p) => format!("{} (not found)", sanitize::line(&p.display().to_string())),
        None => "none (no HOME or TASKWATCH_CONFIG)".into(),
    };
    let mut out = format!(
        "{:<12} {file}\n{:<12} {profile_line}\n",
        "config file", "profile"
    );
    let mut invalid = Vec::new();
    for s in &settings {
        out.push_str(&format!(
            "{:<12} {}  [{}]\n",
            s.key,
            sanitize::excerpt(s.value.as_bytes(), SHOWN_CHARS),
            sanitize::line(&s.origin)
        ));
        if let Some(problem) = &s.problem {
            out.push_str(&format!("{:<12} ^ {}\n", "", sanitize::line(problem)));
            invalid.push(s.key);
        }
    }
    match messages::print(&out) {
        Outcome::Finished if !invalid.is_empty() => messages::usage(&format!(
            "{} cannot be used (marked above): `watch` would refuse {}",
            invalid.join(", "),
            if invalid.len() == 1 { "it" } else { "them" }
        )),
        written => written,
    }
}
