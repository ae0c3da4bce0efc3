//! Reading the config file: its profiles, each setting with the file and line it came from,
//! warnings for keys taskwatch does not know, and errors that name the file, line and key.

use std::path::{Path, PathBuf};

use toml_edit::{Document, Item, Table};

use super::{ConfigError, ListSetting, Profile, Setting, LIST_KEYS, PROFILE_KEYS};

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
            let value = self.scalar(name, key, item)?;
            *slot = Some(Setting {
                value,
                origin: format!("profile {name} ({})", self.at(item)),
            });
        }
        Ok(profile)
    }

    /// A setting's value as text: a string; for `logs_count` and `probe_rate` also a number,
    /// for `notify` and `archive` also a boolean.
    fn scalar(&self, name: &str, key: &str, item: &Item) -> Result<String, ConfigError> {
        Ok(match item.as_value() {
            Some(v) if v.as_str().is_some() => v.as_str().unwrap_or_default().to_string(),
            Some(v) if key == "logs_count" && v.as_integer().is_some() => {
                v.as_integer().unwrap_or_default().to_string()
            }
            // A rate is a number: 1, 0.5 (checked by `--probe-rate`'s parser when used).
            Some(v)
                if key == "probe_rate" && (v.as_integer().is_some() || v.as_float().is_some()) =>
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
        })
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
