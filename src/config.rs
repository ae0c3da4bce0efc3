//! Settings resolved once from the command line, the environment and the profile (flag >
//! environment > profile > default). Nothing downstream reads the environment or looks at
//! terminals: it is all decided here. No clap types: `cli` maps its syntax into these.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
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

/// The polling settings as given on the command line.
#[derive(Debug, Clone)]
pub struct PollingFlags {
    pub interval: Duration,
    pub min_interval: Duration,
    pub logs_count: LogsCount,
    pub timeout: Option<Duration>,
    pub start_timeout: Option<Duration>,
    pub fail_on: Vec<regex::Regex>,
    pub tail: Option<u64>,
    pub from_index: Option<u64>,
    pub trigger: Option<TriggerKind>,
    pub give_up_after: Duration,
    pub include: Vec<regex::Regex>,
    pub exclude: Vec<regex::Regex>,
    pub highlight: Vec<regex::Regex>,
    pub progress: Option<Pattern>,
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

/// Reads a token file, warning when others can read it.
fn read_token_file(
    path: &Path,
    what: &str,
    warnings: &mut Vec<String>,
) -> Result<Secret, ConfigError> {
    let text = crate::files::read_text(path)
        .map_err(|e| ConfigError(format!("cannot read {what} {}: {e}", path.display())))?;
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            warnings.push(format!(
                "{what} {} can be read by other users (mode {mode:o}): chmod 600 it",
                path.display()
            ));
        }
    }
    let t = text.trim();
    if t.is_empty() {
        return Err(ConfigError(format!("{what} {} is empty", path.display())));
    }
    Ok(Secret::new(t))
}

/// A profile's value parsed with the flag's own parser; errors say where the value came from.
fn from_profile<T>(
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

impl ResolvedConnection {
    /// The connection, or the first setting that cannot be used.
    pub fn resolve(
        c: &ConnectionFlags,
        given: Given<'_>,
        profile: Option<&Profile>,
    ) -> Result<ResolvedConnection, ConfigError> {
        let (resolved, shown) = ResolvedConnection::inspect(c, given, profile);
        match shown.into_iter().find_map(|s| s.problem) {
            Some(problem) => Err(ConfigError(problem)),
            None => Ok(resolved),
        }
    }

    /// Every setting with where it came from, each one that cannot be used marked with why (for
    /// `taskwatch config`), and the connection made of the usable ones.
    pub fn inspect(
        c: &ConnectionFlags,
        given: Given<'_>,
        profile: Option<&Profile>,
    ) -> (ResolvedConnection, Vec<Shown>) {
        let mut warnings = Vec::new();
        let mut shown = Vec::new();

        let base_url = match given("base_url") {
            Some(origin) => {
                shown.push(Shown::new("base_url", shown_url(&c.base_url), origin));
                c.base_url.clone()
            }
            None => match from_profile(profile, "base_url", parse_base_url) {
                Ok(Some((url, origin))) => {
                    shown.push(Shown::new("base_url", shown_url(&url), origin));
                    url
                }
                Ok(None) => {
                    shown.push(Shown::new("base_url", shown_url(&c.base_url), "default"));
                    c.base_url.clone()
                }
                Err(e) => {
                    shown.push(Shown::invalid(profile, "base_url", e));
                    c.base_url.clone()
                }
            },
        };

        let auto = "automatic (Update 7 path, then Update 8 on a 404)";
        let api_path = match &c.api_path {
            Some(p) => {
                shown.push(Shown::new("api_path", p.clone(), "--api-path"));
                Some(p.clone())
            }
            None => match from_profile(profile, "api_path", parse_api_path) {
                Ok(Some((p, origin))) => {
                    shown.push(Shown::new("api_path", p.clone(), origin));
                    Some(p)
                }
                Ok(None) => {
                    shown.push(Shown::new("api_path", auto.into(), "default"));
                    None
                }
                Err(e) => {
                    shown.push(Shown::invalid(profile, "api_path", e));
                    None
                }
            },
        };

        let token_given = given("token");
        let read: Result<(Option<Secret>, String), (String, String, ConfigError)> =
            match (&c.token, &c.token_file) {
                (Some(t), _) => Ok((Some(t.clone()), token_given.unwrap_or_default())),
                (None, Some(path)) => {
                    let origin = format!("--token-file {}", path.display());
                    read_token_file(path, "--token-file", &mut warnings)
                        .map(|t| (Some(t), origin.clone()))
                        .map_err(|e| (path.display().to_string(), origin, e))
                }
                (None, None) => match profile.and_then(|p| p.token.as_ref()) {
                    Some(setting) => Ok((
                        Some(Secret::new(setting.value.trim())),
                        setting.origin.clone(),
                    )),
                    None => match profile.and_then(|p| p.token_file.as_ref()) {
                        None => Ok((None, "not set".into())),
                        Some(setting) => {
                            let path = Path::new(&setting.value);
                            let what = format!("token_file of {}", setting.origin);
                            let origin = format!("{} ({})", setting.origin, path.display());
                            read_token_file(path, &what, &mut warnings)
                                .map(|t| (Some(t), origin.clone()))
                                .map_err(|e| (setting.value.clone(), origin, e))
                        }
                    },
                },
            };
        let token = match read {
            Ok((token, origin)) => {
                let unusable = token.as_ref().is_some_and(|t| {
                    HeaderValue::from_str(&format!("Bearer {}", t.expose())).is_err()
                });
                shown.push(Shown {
                    key: "token",
                    value: token.as_ref().map_or("none".into(), |t| {
                        format!("set ({} characters, not shown)", t.expose().chars().count())
                    }),
                    origin,
                    problem: unusable.then(|| {
                        "the token has characters not allowed in an HTTP header".to_string()
                    }),
                });
                token.filter(|_| !unusable)
            }
            Err((file, origin, e)) => {
                shown.push(Shown {
                    key: "token",
                    value: format!("from {file}"),
                    origin,
                    problem: Some(e.0),
                });
                None
            }
        };
        if token.is_some() && (!base_url.username().is_empty() || base_url.password().is_some()) {
            let token_origin = shown
                .iter()
                .find(|s| s.key == "token")
                .map(|s| s.origin.clone())
                .unwrap_or_default();
            if let Some(url) = shown.iter_mut().find(|s| s.key == "base_url") {
                let problem = format!(
                    "the base URL ({}) carries a user name and password, and a token is set \
                     ({token_origin}): the server would get both Basic and Bearer authorization; \
                     remove the user:password@ from the URL or drop the token",
                    url.origin
                );
                url.problem.get_or_insert(problem);
            }
        }

        let ca_certs = match &c.cacert {
            None => Vec::new(),
            Some(path) => {
                let certs = crate::files::read_capped(path)
                    .map_err(|e| format!("cannot read --cacert {}: {e}", path.display()))
                    .and_then(|pem| {
                        let certs = reqwest::Certificate::from_pem_bundle(&pem).unwrap_or_default();
                        if certs.is_empty() {
                            Err(format!(
                                "--cacert {} holds no PEM certificate",
                                path.display()
                            ))
                        } else {
                            Ok(certs)
                        }
                    });
                shown.push(Shown {
                    key: "cacert",
                    value: path.display().to_string(),
                    origin: "--cacert".into(),
                    problem: certs.as_ref().err().cloned(),
                });
                certs.unwrap_or_default()
            }
        };
        let resolved = ResolvedConnection {
            connection: Connection {
                base_url,
                api_path,
                token,
                headers: c.headers.clone(),
                request_timeout: c.request_timeout,
                ca_certs,
            },
            warnings,
            shown: shown.clone(),
        };
        (resolved, shown)
    }
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

    /// A profile's value that its parser refused.
    fn invalid(profile: Option<&Profile>, key: &'static str, e: ConfigError) -> Shown {
        let setting = profile.and_then(|p| p.get(key));
        Shown {
            key,
            value: setting.map(|s| s.value.clone()).unwrap_or_default(),
            origin: setting.map(|s| s.origin.clone()).unwrap_or_default(),
            problem: Some(e.0),
        }
    }
}

impl Presentation {
    /// [`Presentation::resolve`] with `NO_COLOR` read from the environment.
    pub fn from_env(o: &OutputFlags) -> Presentation {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Presentation::resolve(o, no_color)
    }

    /// Decides format, colour and status lines once; sets `colored`'s override so nothing
    /// downstream guesses.
    pub fn resolve(o: &OutputFlags, no_color_env: bool) -> Presentation {
        let stdout_tty = std::io::stdout().is_terminal();
        let stderr_tty = std::io::stderr().is_terminal();
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

impl Polling {
    pub fn resolve(
        args: &PollingFlags,
        given: Given<'_>,
        profile: Option<&Profile>,
    ) -> Result<Arc<Polling>, ConfigError> {
        let interval = match given("interval") {
            Some(_) => args.interval,
            None => {
                from_profile(profile, "interval", parse_interval)?.map_or(args.interval, |(v, _)| v)
            }
        };
        let logs_count = match given("logs_count") {
            Some(_) => args.logs_count,
            None => from_profile(profile, "logs_count", parse_logs_count)?
                .map_or(args.logs_count, |(v, _)| v),
        };
        Ok(Arc::new(Polling {
            interval,
            min_interval: args.min_interval,
            logs_count,
            timeout: args.timeout,
            start_timeout: args
                .start_timeout
                .or(args.trigger.map(|_| TRIGGER_START_TIMEOUT)),
            fail_on: args.fail_on.clone(),
            start: Start {
                tail: args.tail,
                from_index: args.from_index,
            },
            give_up_after: args.give_up_after,
            trigger: args.trigger,
            filter: Filter {
                include: regex_list(&args.include, "include", profile)?,
                exclude: regex_list(&args.exclude, "exclude", profile)?,
            },
            progress: args.progress.clone().unwrap_or_default(),
        }))
    }

    /// `--highlight`, or the profile's `highlight` list.
    pub fn highlight(
        args: &PollingFlags,
        profile: Option<&Profile>,
    ) -> Result<Vec<regex::Regex>, ConfigError> {
        regex_list(&args.highlight, "highlight", profile)
    }

    /// The polling settings a profile gives, each checked as `watch` checks it, for
    /// `taskwatch config`.
    pub fn shown(profile: Option<&Profile>) -> Vec<Shown> {
        let check = |key: &str, value: &str| match key {
            "interval" => parse_interval(value).err(),
            _ => parse_logs_count(value).err(),
        };
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
        ["interval", "logs_count"]
            .into_iter()
            .map(|key| match profile.and_then(|p| p.get(key)) {
                Some(s) => Shown {
                    key,
                    value: s.value.clone(),
                    origin: s.origin.clone(),
                    problem: check(key, &s.value)
                        .map(|e| format!("{}: invalid `{key}`: {e}", s.origin)),
                },
                None => Shown::new(
                    key,
                    if key == "interval" { "2s" } else { "auto" }.into(),
                    "default",
                ),
            })
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
                ConfigError(format!("{}: invalid `{key}` regex {v:?}: {e}", list.origin))
            })
        })
        .collect()
}

// The value parsers of the settings a profile may also hold: the command line uses the same
// ones, so a profile's value is checked exactly as a flag's.

/// The range of a number of lines to ask for, in the words of every flag and setting that
/// takes one.
pub const LINES_RANGE: &str = "expected a whole number from 1 to 100";

pub fn parse_logs_count(s: &str) -> Result<LogsCount, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(LogsCount::Auto);
    }
    match s.trim().parse::<i128>() {
        Ok(n @ 1..=100) => Ok(LogsCount::Fixed(n as u8)),
        _ => Err(format!("{LINES_RANGE}, or `auto`")),
    }
}

/// The longest duration a flag or a profile takes: far beyond any real wait, and well within
/// what the clock can add to the present (humantime's 100 years of 365.25 days).
pub const MAX_DURATION: Duration = Duration::from_secs(36_525 * 24 * 3600);

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s.trim())
        .map_err(|e| format!("{e}; expected a duration such as 500ms, 2s, 1m or 1h30m"))?;
    if d > MAX_DURATION {
        return Err("must be at most 100 years (100y)".into());
    }
    Ok(d)
}

fn parse_at_least(s: &str, min: Duration) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d < min {
        return Err(format!(
            "must be at least {}",
            humantime::format_duration(min)
        ));
    }
    Ok(d)
}

/// `--timeout`: at least 1ms (a zero timeout would end every run before its first request).
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    parse_at_least(s, Duration::from_millis(1))
}

pub fn parse_interval(s: &str) -> Result<Duration, String> {
    parse_at_least(s, Duration::from_millis(100))
}

pub fn parse_request_timeout(s: &str) -> Result<Duration, String> {
    parse_at_least(s, Duration::from_millis(1))
}

pub fn parse_base_url(s: &str) -> Result<reqwest::Url, String> {
    // `localhost:8080` parses as a URL of scheme `localhost`, `127.0.0.1:8080` not at all.
    if !s.contains("://") && !s.trim().is_empty() {
        return Err(format!(
            "`{s}` has no scheme: did you mean http://{}?",
            s.trim().trim_start_matches('/')
        ));
    }
    let url =
        reqwest::Url::parse(s).map_err(|e| format!("{e}; expected e.g. http://localhost:8080"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "unsupported scheme `{}`; use http or https",
            url.scheme()
        ));
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err("expected a URL with a host, e.g. http://localhost:8080".into());
    }
    Ok(url)
}

pub fn parse_api_path(s: &str) -> Result<String, String> {
    if !s.contains("{task_id}") {
        return Err("the template must contain `{task_id}`".into());
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

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
