//! Settings resolved once from the command line, the environment and the profile (flag >
//! environment > profile > default). Nothing downstream reads the environment or looks at
//! terminals: it is all decided here. No clap types: `cli` maps its syntax into these.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use crate::api::{Connection, TriggerKind};
use crate::profile::{ConfigError, Profile};
use crate::secret::Secret;
use crate::tracker::Start;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Human,
    Plain,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
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

/// The output settings as given on the command line.
#[derive(Debug, Clone)]
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
    pub logs_count: LogsCount,
    pub timeout: Option<Duration>,
    pub start_timeout: Option<Duration>,
    pub fail_on: Vec<regex::Regex>,
    pub tail: Option<u64>,
    pub from_index: Option<u64>,
    pub trigger: Option<TriggerKind>,
    pub give_up_after: Duration,
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
    pub logs_count: LogsCount,
    pub timeout: Option<Duration>,
    pub start_timeout: Option<Duration>,
    pub fail_on: Vec<regex::Regex>,
    pub start: Start,
    pub give_up_after: Duration,
    pub trigger: Option<TriggerKind>,
}

/// How long a triggered task may take to appear when --start-timeout is not given.
pub const TRIGGER_START_TIMEOUT: Duration = Duration::from_secs(60);

/// One resolved setting, for `taskwatch config`.
#[derive(Debug, Clone)]
pub struct Shown {
    pub key: &'static str,
    pub value: String,
    pub origin: String,
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
    let text = std::fs::read_to_string(path)
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
    pub fn resolve(
        c: &ConnectionFlags,
        given: Given<'_>,
        profile: Option<&Profile>,
    ) -> Result<ResolvedConnection, ConfigError> {
        let mut warnings = Vec::new();
        let mut shown = Vec::new();

        let (base_url, origin) = match given("base_url") {
            Some(origin) => (c.base_url.clone(), origin),
            None => from_profile(profile, "base_url", parse_base_url)?
                .unwrap_or_else(|| (c.base_url.clone(), "default".into())),
        };
        shown.push(Shown {
            key: "base_url",
            value: base_url.to_string(),
            origin,
        });

        let (api_path, origin) = match &c.api_path {
            Some(p) => (Some(p.clone()), "--api-path".to_string()),
            None => match from_profile(profile, "api_path", parse_api_path)? {
                Some((p, origin)) => (Some(p), origin),
                None => (None, "default".into()),
            },
        };
        shown.push(Shown {
            key: "api_path",
            value: api_path
                .clone()
                .unwrap_or_else(|| "automatic (Update 7 path, then Update 8 on a 404)".into()),
            origin,
        });

        let token_given = given("token");
        let (token, origin) = match (&c.token, &c.token_file) {
            (Some(t), _) => (Some(t.clone()), token_given.unwrap_or_default()),
            (None, Some(path)) => (
                Some(read_token_file(path, "--token-file", &mut warnings)?),
                format!("--token-file {}", path.display()),
            ),
            (None, None) => {
                match profile.and_then(|p| p.token.as_ref().or(p.token_file.as_ref())) {
                    None => (None, "not set".into()),
                    Some(setting) if profile.is_some_and(|p| p.token.is_some()) => (
                        Some(Secret::new(setting.value.trim())),
                        setting.origin.clone(),
                    ),
                    Some(setting) => {
                        let path = Path::new(&setting.value);
                        let what = format!("token_file of {}", setting.origin);
                        (
                            Some(read_token_file(path, &what, &mut warnings)?),
                            format!("{} ({})", setting.origin, path.display()),
                        )
                    }
                }
            }
        };
        if let Some(t) = &token {
            HeaderValue::from_str(&format!("Bearer {}", t.expose())).map_err(|_| {
                ConfigError("the token has characters not allowed in an HTTP header".into())
            })?;
        }
        shown.push(Shown {
            key: "token",
            value: token.as_ref().map_or("none".into(), |t| {
                format!("set ({} characters, not shown)", t.expose().chars().count())
            }),
            origin,
        });

        let ca_certs = match &c.cacert {
            None => Vec::new(),
            Some(path) => {
                let pem = std::fs::read(path).map_err(|e| {
                    ConfigError(format!("cannot read --cacert {}: {e}", path.display()))
                })?;
                let certs = reqwest::Certificate::from_pem_bundle(&pem).unwrap_or_default();
                if certs.is_empty() {
                    return Err(ConfigError(format!(
                        "--cacert {} holds no PEM certificate",
                        path.display()
                    )));
                }
                certs
            }
        };
        Ok(ResolvedConnection {
            connection: Connection {
                base_url,
                api_path,
                token,
                headers: c.headers.clone(),
                request_timeout: c.request_timeout,
                ca_certs,
            },
            warnings,
            shown,
        })
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
        }))
    }

    /// The polling settings a profile gives, for `taskwatch config`.
    pub fn shown(profile: Option<&Profile>) -> Vec<Shown> {
        ["interval", "logs_count"]
            .into_iter()
            .map(|key| match profile.and_then(|p| p.get(key)) {
                Some(s) => Shown {
                    key,
                    value: s.value.clone(),
                    origin: s.origin.clone(),
                },
                None => Shown {
                    key,
                    value: if key == "interval" { "2s" } else { "auto" }.into(),
                    origin: "default".into(),
                },
            })
            .collect()
    }
}

// The value parsers of the settings a profile may also hold: the command line uses the same
// ones, so a profile's value is checked exactly as a flag's.

pub fn parse_logs_count(s: &str) -> Result<LogsCount, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(LogsCount::Auto);
    }
    match s.parse::<u64>() {
        Ok(n @ 1..=100) => Ok(LogsCount::Fixed(n as u8)),
        _ => Err("expected `auto` or a whole number from 1 to 100".into()),
    }
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s)
        .map_err(|e| format!("{e}; expected a duration such as 500ms, 2s, 1m or 1h30m"))
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

pub fn parse_interval(s: &str) -> Result<Duration, String> {
    parse_at_least(s, Duration::from_millis(100))
}

pub fn parse_request_timeout(s: &str) -> Result<Duration, String> {
    parse_at_least(s, Duration::from_millis(1))
}

pub fn parse_base_url(s: &str) -> Result<reqwest::Url, String> {
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
    fn interval_has_a_floor() {
        assert_eq!(parse_interval("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_interval("1m"), Ok(Duration::from_secs(60)));
        assert!(parse_interval("99ms")
            .unwrap_err()
            .contains("at least 100ms"));
    }
}
