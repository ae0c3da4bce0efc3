//! The config file: named profiles of connection and polling settings, and the tokens that
//! `login` stores. Read once, at start; written only by `login` and `logout`, keeping the
//! user's comments and layout.
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

use std::path::{Path, PathBuf};

use toml_edit::{Document, DocumentMut, Item, Table};

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
const PROFILE_KEYS: [&str; 15] = [
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
const LIST_KEYS: [&str; 3] = ["include", "exclude", "highlight"];

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

    fn list_slot(&mut self, key: &str) -> Option<&mut Option<ListSetting>> {
        Some(match key {
            "include" => &mut self.include,
            "exclude" => &mut self.exclude,
            "highlight" => &mut self.highlight,
            _ => return None,
        })
    }

    fn slot(&mut self, key: &str) -> Option<&mut Option<Setting>> {
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

/// A parsed config file.
pub struct ConfigFile {
    pub path: PathBuf,
    text: String,
    doc: Document<String>,
}

impl ConfigFile {
    /// Reads the file; `None` when it does not exist.
    pub fn load(path: &Path) -> Result<Option<ConfigFile>, ConfigError> {
        let text = match crate::files::read_text(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(ConfigError(format!(
                    "cannot read config file {}: {e}",
                    path.display()
                )))
            }
        };
        let doc = Document::parse(text.clone()).map_err(|e| {
            ConfigError(format!(
                "config file {}: {}",
                path.display(),
                e.to_string().trim_end()
            ))
        })?;
        Ok(Some(ConfigFile {
            path: path.to_path_buf(),
            text,
            doc,
        }))
    }

    /// The file's `default_profile`, when it names one.
    pub fn default_profile(&self) -> Option<String> {
        self.doc
            .as_table()
            .get("default_profile")
            .and_then(Item::as_str)
            .map(str::to_string)
    }

    /// The names of the file's profiles, in the file's order (for completing `--profile`).
    pub fn profile_names(&self) -> Vec<String> {
        self.doc
            .as_table()
            .get("profiles")
            .and_then(Item::as_table)
            .map(|p| p.iter().map(|(k, _)| k.to_string()).collect())
            .unwrap_or_default()
    }

    fn line(&self, item: &Item) -> usize {
        item.span()
            .map_or(0, |s| self.text[..s.start].matches('\n').count() + 1)
    }

    fn at(&self, item: &Item) -> String {
        format!("{}:{}", self.path.display(), self.line(item))
    }

    /// The profile named, or `default_profile`; warnings for keys it does not know.
    pub fn profile(
        &self,
        name: Option<&str>,
        warnings: &mut Vec<String>,
    ) -> Result<Option<Profile>, ConfigError> {
        let root = self.doc.as_table();
        for (key, item) in root.iter() {
            if key != "default_profile" && key != "profiles" {
                warnings.push(format!("{}: unknown key `{key}`", self.at(item)));
            }
        }
        let default = match root.get("default_profile") {
            None => None,
            Some(item) => Some(item.as_str().ok_or_else(|| {
                ConfigError(format!(
                    "{}: `default_profile` must be a string (a profile name)",
                    self.at(item)
                ))
            })?),
        };
        let Some(name) = name.or(default) else {
            return Ok(None);
        };
        let profiles = match root.get("profiles") {
            None => None,
            Some(item) => Some(item.as_table().ok_or_else(|| {
                ConfigError(format!(
                    "{}: `profiles` must be a table ([profiles.NAME])",
                    self.at(item)
                ))
            })?),
        };
        let Some(table) = profiles
            .and_then(|p| p.get(name))
            .and_then(|item| item.as_table())
        else {
            let known: Vec<&str> = profiles
                .map(|p| p.iter().map(|(k, _)| k).collect())
                .unwrap_or_default();
            return Err(ConfigError(format!(
                "no profile `{name}` in {} (profiles: {})",
                self.path.display(),
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        };
        self.read_profile(name, table, warnings).map(Some)
    }

    fn read_profile(
        &self,
        name: &str,
        table: &Table,
        warnings: &mut Vec<String>,
    ) -> Result<Profile, ConfigError> {
        let mut profile = Profile {
            name: name.to_string(),
            ..Profile::default()
        };
        for (key, item) in table.iter() {
            if LIST_KEYS.contains(&key) {
                let values = self.list_value(name, key, item)?;
                if let Some(slot) = profile.list_slot(key) {
                    *slot = Some(ListSetting {
                        values,
                        origin: format!("profile {name} ({})", self.at(item)),
                    });
                }
                continue;
            }
            let Some(slot) = profile.slot(key) else {
                warnings.push(format!(
                    "{}: unknown key `{key}` in profile `{name}` (known: {})",
                    self.at(item),
                    PROFILE_KEYS.join(", ")
                ));
                continue;
            };
            let value = match item.as_value() {
                Some(v) if v.as_str().is_some() => v.as_str().unwrap_or_default().to_string(),
                Some(v) if key == "logs_count" && v.as_integer().is_some() => {
                    v.as_integer().unwrap_or_default().to_string()
                }
                // A rate is a number: 1, 0.5 (checked by `--probe-rate`'s parser when used).
                Some(v)
                    if key == "probe_rate"
                        && (v.as_integer().is_some() || v.as_float().is_some()) =>
                {
                    v.as_integer().map_or_else(
                        || v.as_float().unwrap_or_default().to_string(),
                        |i| i.to_string(),
                    )
                }
                // `notify = true`, `archive = true`.
                Some(v) if (key == "notify" || key == "archive") && v.as_bool().is_some() => {
                    v.as_bool().unwrap_or_default().to_string()
                }
                _ => {
                    return Err(ConfigError(format!(
                        "{}: `{key}` in profile `{name}` must be a string{}",
                        self.at(item),
                        if key == "logs_count" || key == "probe_rate" {
                            " or a number"
                        } else if key == "notify" || key == "archive" {
                            " or a boolean"
                        } else {
                            ""
                        }
                    )))
                }
            };
            *slot = Some(Setting {
                value,
                origin: format!("profile {name} ({})", self.at(item)),
            });
        }
        Ok(profile)
    }

    /// A list of strings; a single string is a list of one.
    fn list_value(&self, name: &str, key: &str, item: &Item) -> Result<Vec<String>, ConfigError> {
        let wrong = || {
            ConfigError(format!(
                "{}: `{key}` in profile `{name}` must be a list of strings (regexes)",
                self.at(item)
            ))
        };
        let value = item.as_value().ok_or_else(wrong)?;
        if let Some(s) = value.as_str() {
            return Ok(vec![s.to_string()]);
        }
        let array = value.as_array().ok_or_else(wrong)?;
        array
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(wrong))
            .collect()
    }
}

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

    fn file(text: &str) -> ConfigFile {
        ConfigFile {
            path: PathBuf::from("/cfg.toml"),
            text: text.to_string(),
            doc: Document::parse(text.to_string()).unwrap(),
        }
    }

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

    #[test]
    fn profiles_are_read_with_their_origin() {
        let f = file(
            "default_profile = \"b\"\n[profiles.a]\nbase_url = \"http://a\"\n[profiles.b]\ninterval = \"5s\"\nlogs_count = 20\n",
        );
        let mut w = Vec::new();
        let b = f.profile(None, &mut w).unwrap().unwrap();
        assert_eq!(b.name, "b");
        assert_eq!(b.interval.unwrap().value, "5s");
        assert_eq!(b.logs_count.as_ref().unwrap().value, "20");
        assert_eq!(b.logs_count.unwrap().origin, "profile b (/cfg.toml:6)");
        let a = f.profile(Some("a"), &mut w).unwrap().unwrap();
        assert_eq!(a.base_url.unwrap().value, "http://a");
        assert!(w.is_empty());
        let e = f.profile(Some("c"), &mut w).unwrap_err();
        assert_eq!(e.0, "no profile `c` in /cfg.toml (profiles: a, b)");
    }

    #[test]
    fn bad_values_name_the_file_line_and_key_and_unknown_keys_warn() {
        let f = file("[profiles.a]\ncolour = \"red\"\ninterval = 5\n");
        let mut w = Vec::new();
        let e = f.profile(Some("a"), &mut w).unwrap_err();
        assert_eq!(
            e.0,
            "/cfg.toml:3: `interval` in profile `a` must be a string"
        );
        assert_eq!(w.len(), 1);
        assert!(
            w[0].starts_with("/cfg.toml:2: unknown key `colour`"),
            "{w:?}"
        );
    }

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

    #[test]
    fn lists_are_read_and_must_hold_strings() {
        let f = file(
            "[profiles.a]\ninclude = [\"^Proc\", \"ERROR\"]\nexclude = \"DEBUG\"\n[profiles.b]\nhighlight = [1]\n",
        );
        let mut w = Vec::new();
        let a = f.profile(Some("a"), &mut w).unwrap().unwrap();
        assert_eq!(a.list("include").unwrap().values, ["^Proc", "ERROR"]);
        assert_eq!(a.list("include").unwrap().origin, "profile a (/cfg.toml:2)");
        assert_eq!(a.list("exclude").unwrap().values, ["DEBUG"]);
        assert!(a.list("highlight").is_none());
        let e = f.profile(Some("b"), &mut w).unwrap_err();
        assert_eq!(
            e.0,
            "/cfg.toml:5: `highlight` in profile `b` must be a list of strings (regexes)"
        );
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn no_profile_named_and_no_default_is_none() {
        let f = file("[profiles.a]\n");
        assert!(f.profile(None, &mut Vec::new()).unwrap().is_none());
    }
}
