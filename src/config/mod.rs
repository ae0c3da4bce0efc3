//! Settings resolved once from the command line, the environment and the profile (flag >
//! environment > profile > default). Nothing downstream reads the environment or looks at
//! terminals: it is all decided here. No clap types: `cli` maps its syntax into these.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use crate::api::client::shown_url;
use crate::api::{Connection, TriggerKind};
use crate::filter::Filter;
use crate::fraction::Pattern;
use crate::profile::{ConfigError, Profile};
use crate::secret::Secret;
use crate::tracker::Start;

mod archive;
mod ci;
mod connection;
pub use archive::{ArchiveFlags, ArchiveSettings};
mod parse;
mod request;
pub use ci::*;
pub use parse::*;
pub use request::*;

/// The defaults of the settings that have one, as the command line's help shows them and as
/// [`Polling::default`] and `taskwatch config` use them: stated once.
pub mod defaults {
    pub const INTERVAL: &str = "2s";
    pub const MIN_INTERVAL: &str = "250ms";
    pub const LOGS_COUNT: &str = "auto";
    pub const GIVE_UP_AFTER: &str = "5m";
    pub const DISCOVER_INTERVAL: &str = "30s";
    pub const PROBE_RATE: &str = "1";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Human,
    Plain,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// `--logs-count`: a fixed window or one that adapts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogsCount {
    Fixed(u8),
    Auto,
}

/// The connection settings as given on the command line or in the environment.
#[derive(Debug, Clone)]
pub struct ConnectionFlags {
    pub base_url: reqwest::Url,
    pub api_path: Option<String>,
    pub token: Option<Secret>,
    pub token_file: Option<PathBuf>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub cacert: Option<PathBuf>,
    pub request_timeout: Duration,
}

/// The output settings as given on the command line (the default: none given).
#[derive(Debug, Clone, Default)]
pub struct OutputFlags {
    pub format: Option<OutputFormat>,
    pub color: ColorChoice,
    pub utc: bool,
    pub relative: bool,
    pub quiet: bool,
    pub verbose: u8,
}

/// A resolved connection, with what `taskwatch config` shows and what deserves a warning.
#[derive(Debug, Clone)]
pub struct ResolvedConnection {
    pub connection: Connection,
    /// Things worth a warning, found while resolving (a token file others can read).
    pub warnings: Vec<String>,
    /// Each setting with where it came from, for `taskwatch config`.
    pub shown: Vec<Shown>,
}

/// How to show things.
#[derive(Debug, Clone)]
pub struct Presentation {
    pub format: OutputFormat,
    pub utc: bool,
    /// Human output shows time since the task started instead of the clock.
    pub relative: bool,
    pub quiet: bool,
    pub verbose: u8,
    /// A live status line on stderr (a person is watching).
    pub progress: bool,
    pub color: bool,
}

/// How to poll one task.
#[derive(Debug, Clone)]
pub struct Polling {
    pub interval: Duration,
    /// The shortest time between polls while catching up with a fast task; at or above
    /// `interval`, no catch-up.
    pub min_interval: Duration,
    pub logs_count: LogsCount,
    pub timeout: Option<Duration>,
    pub start_timeout: Option<Duration>,
    pub fail_on: Vec<regex::Regex>,
    pub start: Start,
    pub give_up_after: Duration,
    pub trigger: Option<TriggerKind>,
    /// Which lines are shown (`--include`, `--exclude`).
    pub filter: Filter,
    /// How progress is recognised (`--progress`).
    pub progress: Pattern,
}

/// How long a triggered task may take to appear when --start-timeout is not given.
pub const TRIGGER_START_TIMEOUT: Duration = Duration::from_secs(60);

/// One resolved setting, for `taskwatch config`.
#[derive(Debug, Clone)]
pub struct Shown {
    pub key: &'static str,
    pub value: String,
    pub origin: String,
    /// Why the value cannot be used (invalid, unreadable), if it cannot.
    pub problem: Option<String>,
}

/// Says whether the user gave a setting (`Some(origin)`: the flag or the environment
/// variable) rather than leaving clap's default; a profile fills in only what was not given.
pub type Given<'a> = &'a dyn Fn(&str) -> Option<String>;

/// A profile's value parsed with the flag's own parser; errors say where the value came from.
pub(crate) fn from_profile<T>(
    profile: Option<&Profile>,
    key: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<(T, String)>, ConfigError> {
    let Some(setting) = profile.and_then(|p| p.get(key)) else {
        return Ok(None);
    };
    let value = parse(&setting.value)
        .map_err(|e| ConfigError(format!("{}: invalid `{key}`: {e}", setting.origin)))?;
    Ok(Some((value, setting.origin.clone())))
}

impl Shown {
    fn new(key: &'static str, value: String, origin: impl Into<String>) -> Shown {
        Shown {
            key,
            value,
            origin: origin.into(),
            problem: None,
        }
    }

    /// A profile's `key` with its value and origin, and why `check` refuses it; else the
    /// default.
    pub(crate) fn of_profile(
        profile: Option<&Profile>,
        key: &'static str,
        default: &str,
        check: impl Fn(&str) -> Option<String>,
    ) -> Shown {
        match profile.and_then(|p| p.get(key)) {
            Some(s) => Shown {
                key,
                value: s.value.clone(),
                origin: s.origin.clone(),
                problem: check(&s.value).map(|e| format!("{}: invalid `{key}`: {e}", s.origin)),
            },
            None => Shown::new(key, default.into(), "default"),
        }
    }

    /// A profile's value that its parser refused.
    fn invalid(profile: Option<&Profile>, key: &'static str, e: ConfigError) -> Shown {
        let setting = profile.and_then(|p| p.get(key));
        Shown {
            key,
            // An invalid URL is shown without its user name and password.
            value: setting
                .map(|s| match key {
                    "base_url" => masked_url(&s.value),
                    _ => s.value.clone(),
                })
                .unwrap_or_default(),
            origin: setting.map(|s| s.origin.clone()).unwrap_or_default(),
            problem: Some(e.0),
        }
    }
}

impl Presentation {
    /// [`Presentation::resolve`] with `NO_COLOR` and `TERM` read from the environment.
    pub fn from_env(o: &OutputFlags) -> Presentation {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        Presentation::resolve(o, no_color, dumb)
    }

    /// Decides format, colour and status lines once; sets `colored`'s override so nothing
    /// downstream guesses. A dumb terminal (`TERM=dumb`) gets no escape sequence: no colour
    /// unless asked for with `--color always`, and no status line (which redraws with them).
    pub fn resolve(o: &OutputFlags, no_color_env: bool, dumb: bool) -> Presentation {
        let stdout_tty = std::io::stdout().is_terminal();
        let stderr_tty = std::io::stderr().is_terminal() && !dumb;
        let format = o.format.unwrap_or(if stdout_tty {
            OutputFormat::Human
        } else {
            OutputFormat::Plain
        });
        let color = match o.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color_env && stderr_tty,
        };
        colored::control::set_override(color);
        Presentation {
            format,
            utc: o.utc,
            relative: o.relative,
            quiet: o.quiet,
            verbose: o.verbose,
            progress: stderr_tty && !o.quiet && format == OutputFormat::Human,
            color,
        }
    }
}

impl Default for Polling {
    /// The defaults of [`defaults`]: what `watch` does with no polling flag and no profile.
    fn default() -> Polling {
        let checked = "the defaults are valid values (tested)";
        Polling {
            interval: parse_interval(defaults::INTERVAL).expect(checked),
            min_interval: parse_interval(defaults::MIN_INTERVAL).expect(checked),
            logs_count: parse_logs_count(defaults::LOGS_COUNT).expect(checked),
            timeout: None,
            start_timeout: None,
            fail_on: Vec::new(),
            start: Start::default(),
            give_up_after: parse_duration(defaults::GIVE_UP_AFTER).expect(checked),
            trigger: None,
            filter: Filter::default(),
            progress: Pattern::default(),
        }
    }
}

impl Polling {
    /// These settings (the command line's) with the profile's `interval`, `logs_count`,
    /// `include` and `exclude` where the command line gave none (`given` says which flags were
    /// given).
    pub fn with_profile(
        mut self,
        given: Given<'_>,
        profile: Option<&Profile>,
    ) -> Result<Arc<Polling>, ConfigError> {
        if given("interval").is_none() {
            if let Some((interval, _)) = from_profile(profile, "interval", parse_interval)? {
                self.interval = interval;
            }
        }
        if given("logs_count").is_none() {
            if let Some((count, _)) = from_profile(profile, "logs_count", parse_logs_count)? {
                self.logs_count = count;
            }
        }
        self.start_timeout = self
            .start_timeout
            .or(self.trigger.map(|_| TRIGGER_START_TIMEOUT));
        self.filter = Filter {
            include: regex_list(&self.filter.include, "include", profile)?,
            exclude: regex_list(&self.filter.exclude, "exclude", profile)?,
        };
        Ok(Arc::new(self))
    }

    /// `--highlight`, or the profile's `highlight` list.
    pub fn highlight(
        given: &[regex::Regex],
        profile: Option<&Profile>,
    ) -> Result<Vec<regex::Regex>, ConfigError> {
        regex_list(given, "highlight", profile)
    }

    /// The polling settings a profile gives, each checked as `watch` checks it, for
    /// `taskwatch config`.
    pub fn shown(profile: Option<&Profile>) -> Vec<Shown> {
        let lists = ["include", "exclude", "highlight"].into_iter().map(|key| {
            match profile.and_then(|p| p.list(key)) {
                Some(s) => Shown {
                    key,
                    value: format!("{:?}", s.values),
                    origin: s.origin.clone(),
                    problem: regex_list(&[], key, profile).err().map(|e| e.0),
                },
                None => Shown::new(key, "none".into(), "default"),
            }
        });
        [
            Shown::of_profile(profile, "interval", defaults::INTERVAL, |v| {
                parse_interval(v).err()
            }),
            Shown::of_profile(profile, "logs_count", defaults::LOGS_COUNT, |v| {
                parse_logs_count(v).err()
            }),
            Shown::of_profile(profile, "probe_rate", defaults::PROBE_RATE, |v| {
                parse_probe_rate(v).err()
            }),
        ]
        .into_iter()
        .chain(lists)
        .collect()
    }
}

/// A repeatable regex flag when given, else the profile's list (checked as the flag is).
fn regex_list(
    given: &[regex::Regex],
    key: &str,
    profile: Option<&Profile>,
) -> Result<Vec<regex::Regex>, ConfigError> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    let Some(list) = profile.and_then(|p| p.list(key)) else {
        return Ok(Vec::new());
    };
    list.values
        .iter()
        .map(|v| {
            regex::Regex::new(v).map_err(|e| {
                ConfigError(format!(
                    "{}: invalid `{key}` regex \"{}\": {}",
                    list.origin,
                    crate::sanitize::excerpt(v.as_bytes(), 60),
                    crate::sanitize::regex_error(&e)
                ))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_values() {
        let polling = Polling::default();
        assert_eq!(polling.interval, Duration::from_secs(2));
        assert_eq!(polling.min_interval, Duration::from_millis(250));
        assert_eq!(polling.logs_count, LogsCount::Auto);
        assert_eq!(polling.give_up_after, Duration::from_secs(300));
        assert_eq!(
            parse_interval(defaults::DISCOVER_INTERVAL),
            Ok(Duration::from_secs(30))
        );
        assert_eq!(parse_probe_rate(defaults::PROBE_RATE), Ok(1.0));
    }

    #[test]
    fn logs_count_accepts_auto_and_1_to_100() {
        assert_eq!(parse_logs_count("auto"), Ok(LogsCount::Auto));
        assert_eq!(parse_logs_count("1"), Ok(LogsCount::Fixed(1)));
        assert_eq!(parse_logs_count("100"), Ok(LogsCount::Fixed(100)));
        assert!(parse_logs_count("0").is_err());
        assert!(parse_logs_count("101").is_err());
        assert!(parse_logs_count("-3").is_err());
    }

    #[test]
    fn a_base_url_without_a_scheme_gets_one_suggested() {
        for (given, suggested) in [
            ("localhost:8080", "http://localhost:8080"),
            ("127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("api.example.com/prefix", "http://api.example.com/prefix"),
        ] {
            let e = parse_base_url(given).unwrap_err();
            assert!(
                e.ends_with(&format!("no scheme: did you mean {suggested}?")),
                "{e}"
            );
        }
        assert!(parse_base_url("ftp://x")
            .unwrap_err()
            .contains("scheme `ftp`"));
        assert!(parse_base_url("http://localhost:8080").is_ok());
    }

    #[test]
    fn logs_count_words_its_range_the_same_way_for_every_value() {
        for bad in ["0", "101", "-5", "many", "1e3"] {
            assert_eq!(
                parse_logs_count(bad).unwrap_err(),
                "expected a whole number from 1 to 100, or `auto`"
            );
        }
    }

    #[test]
    fn interval_has_a_floor() {
        assert_eq!(parse_interval("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_interval("1m"), Ok(Duration::from_secs(60)));
        assert!(parse_interval("99ms")
            .unwrap_err()
            .contains("at least 100ms"));
    }

    #[test]
    fn durations_beyond_the_clock_are_refused() {
        assert_eq!(parse_duration("100y"), Ok(MAX_DURATION));
        for s in ["101y", "500000000000y", "18446744073709551615s"] {
            assert!(parse_duration(s).is_err(), "{s}");
            assert!(parse_interval(s).is_err(), "{s}");
            assert!(parse_timeout(s).is_err(), "{s}");
        }
        assert!(parse_timeout("0s").unwrap_err().contains("at least 1ms"));
        assert_eq!(parse_timeout("1ms"), Ok(Duration::from_millis(1)));
    }
}
