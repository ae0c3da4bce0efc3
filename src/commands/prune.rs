//! `taskwatch prune --older-than D`: removes the runs that ended before then, and gives the
//! space back.

use crate::commands::archived;
use crate::config::PruneRequest;
use crate::messages;
use crate::outcome::Outcome;

pub fn command(args: &PruneRequest) -> Result<Outcome, Outcome> {
    let settings = archived::settings(&args.archive)?;
    let (mut store, path) = archived::open_existing(&settings)?;
    let older = args.older_than.as_secs_f64().min(1e12);
    let before = crate::archive::now() - older;
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let was = size(&path);
    match store.prune(before) {
        Ok(removed) => {
            drop(store);
            messages::note(format!(
                "removed {removed} run{} that ended before {} ({} → {} bytes)",
                if removed == 1 { "" } else { "s" },
                crate::render::format::rfc3339(Some(before), true),
                was,
                size(&path)
            ));
            Ok(Outcome::Finished)
        }
        Err(e) => {
            messages::error(&format!("{e}; nothing was removed"));
            Err(Outcome::Error)
        }
    }
}
