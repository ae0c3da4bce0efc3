//! Writing the config file as careful tools do: `login`'s and `logout`'s changes made to the
//! text as it is (comments and layout kept), under a lock beside the file, through a private
//! temporary file renamed over the old one.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Table};

use super::ConfigError;

/// Sets (or, with `None`, removes) keys of profile `name`, creating the file (mode 600) and
/// the profile as needed, and making it the `default_profile` when there is none; the rest of
/// the file is kept as it was. Writers are serialised and the file is replaced atomically
/// (see [`rewrite`]); a file that could no longer be read back (over 1 MiB) is refused.
pub fn edit(path: &Path, name: &str, changes: &[(&str, Option<&str>)]) -> Result<(), ConfigError> {
    rewrite(path, true, |text| {
        let mut doc: DocumentMut = text.parse().map_err(|e| fail(path, "parse", &e))?;
        if !doc.contains_key("default_profile") {
            doc.insert("default_profile", toml_edit::value(name));
        }
        let profiles = doc
            .as_table_mut()
            .entry("profiles")
            .or_insert_with(|| {
                let mut t = Table::new();
                t.set_implicit(true);
                Item::Table(t)
            })
            .as_table_mut()
            .ok_or_else(|| fail(path, "update", &"`profiles` is not a table"))?;
        let profile = profiles
            .entry(name)
            .or_insert_with(|| Item::Table(Table::new()))
            .as_table_mut()
            .ok_or_else(|| fail(path, "update", &format!("profile `{name}` is not a table")))?;
        for (key, value) in changes {
            match value {
                Some(v) => {
                    profile.insert(key, toml_edit::value(*v));
                }
                None => {
                    profile.remove(key);
                }
            }
        }
        Ok(Some(doc.to_string()))
    })
}

fn fail(path: &Path, what: &str, e: &dyn std::fmt::Display) -> ConfigError {
    ConfigError(format!("cannot {what} {}: {e}", path.display()))
}

/// What `logout` found in the profile it was asked to clear.
#[derive(Debug, PartialEq)]
pub enum TokenRemoval {
    Removed,
    /// The profile stores no token; `token_file` when it reads one from a file instead.
    NoToken {
        token_file: Option<String>,
    },
    /// There is no such profile; the ones there are.
    NoProfile {
        known: Vec<String>,
    },
}

/// Removes the token stored in profile `name`. Only an existing profile with a token is
/// written back; nothing is ever created.
pub fn remove_token(path: &Path, name: &str) -> Result<TokenRemoval, ConfigError> {
    let mut found = TokenRemoval::Removed;
    rewrite(path, false, |text| {
        let mut doc: DocumentMut = text.parse().map_err(|e| fail(path, "parse", &e))?;
        let profiles = doc.get_mut("profiles").and_then(Item::as_table_mut);
        let known = |p: &Option<&mut Table>| -> Vec<String> {
            p.as_ref()
                .map(|t| t.iter().map(|(k, _)| k.to_string()).collect())
                .unwrap_or_default()
        };
        let Some(profile) = profiles
            .as_ref()
            .and_then(|p| p.get(name))
            .and_then(Item::as_table)
        else {
            found = TokenRemoval::NoProfile {
                known: known(&profiles),
            };
            return Ok(None);
        };
        if !profile.contains_key("token") {
            let token_file = profile
                .get("token_file")
                .and_then(Item::as_str)
                .map(str::to_string);
            found = TokenRemoval::NoToken { token_file };
            return Ok(None);
        }
        if let Some(profile) = profiles
            .and_then(|p| p.get_mut(name))
            .and_then(Item::as_table_mut)
        {
            profile.remove("token");
        }
        Ok(Some(doc.to_string()))
    })?;
    Ok(found)
}

/// How the temporary files of a config write begin.
const TEMP_PREFIX: &str = ".taskwatch-config-";

/// Changes the config file as careful tools do. An advisory lock on `<file>.lock` serialises
/// writers (two `login`s at once each keep their change and every profile); under it the file
/// is read afresh and `change` makes the new text from it (`None`: nothing to write). The new
/// text goes to a temporary file in the same directory (mode 600), flushed and synced, then
/// renamed over the old one: on any failure the old file is left as it was, and the error
/// says so. `create`: a missing file (and its directory, mode 700) may be created.
pub fn rewrite(
    path: &Path,
    create: bool,
    change: impl FnOnce(&str) -> Result<Option<String>, ConfigError>,
) -> Result<(), ConfigError> {
    let kept = |what: &str, e: &dyn std::fmt::Display| {
        ConfigError(format!(
            "cannot {what} {}: {e} (the file was left as it was)",
            path.display()
        ))
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if create {
        create_private_dir(&dir).map_err(|e| fail(path, "create the directory of", &e))?;
    }
    let mut lock_name = path.file_name().unwrap_or_default().to_os_string();
    lock_name.push(".lock");
    let lock = open_private(&dir.join(lock_name)).map_err(|e| kept("lock (beside it)", &e))?;
    lock.lock().map_err(|e| kept("lock (beside it)", &e))?;
    // A writer killed mid-write (kill -9, a power cut) leaves its temporary file, which may
    // hold a token: under the lock no other writer is midway, so any left is stale.
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let text = match crate::files::read_text(path) {
        Ok(t) => t,
        Err(e) if create && e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(fail(path, "read", &e)),
    };
    let Some(new) = change(&text)? else {
        return Ok(());
    };
    if new.len() as u64 > crate::files::MAX_FILE_BYTES {
        return Err(kept(
            "write",
            &"the new content would be over 1 MiB, more than taskwatch reads back",
        ));
    }
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(&dir)
        .map_err(|e| kept("write", &e))?;
    std::io::Write::write_all(&mut temp, new.as_bytes()).map_err(|e| kept("write", &e))?;
    temp.as_file().sync_all().map_err(|e| kept("write", &e))?;
    temp.persist(path).map_err(|e| kept("replace", &e.error))?;
    // The rename is durable once the directory is.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Creates `dir` and any missing parent with mode 700 (whatever the umask); an existing
/// directory is left as it is.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut missing = Vec::new();
    let mut at = Some(dir);
    while let Some(d) = at.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        missing.push(d.to_path_buf());
        at = d.parent();
    }
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    for d in &missing {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Opens (creating) a file only its owner can read.
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_keep_the_rest_and_the_file_is_private() {
        let dir = std::env::temp_dir().join(format!("taskwatch-edit-{}", std::process::id()));
        let path = dir.join("sub/config.toml");
        edit(
            &path,
            "p",
            &[("token", Some("t1")), ("base_url", Some("http://x"))],
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("default_profile = \"p\""), "{text}");
        std::fs::write(&path, format!("# mine\n{text}")).unwrap();
        edit(&path, "p", &[("token", None)]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("# mine") && text.contains("base_url") && !text.contains("t1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
