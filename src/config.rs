//! Settings resolved once from the command line and the environment. Nothing downstream reads
//! the environment or looks at terminals: it is all decided here.

use std::fmt;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use crate::cli::{Cli, ColorChoice, LogsCount, OutputFormat, PollArgs};
use crate::profile::Profile;
use crate::tracker::Start;

/// A bearer token. It never appears in output: `Debug` and `Display` show a mask.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The `exp` claim (seconds since the epoch, a float in this backend) if the token is a JWT.
    /// The signature is not checked: this only lets a run fail fast or warn early.
    pub fn jwt_expiry(&self) -> Option<f64> {
        let payload = self.0.split('.').nth(1)?;
        let claims: serde_json::Value = serde_json::from_slice(&base64url(payload)?).ok()?;
        claims.get("exp")?.as_f64()
    }
}

/// Decodes base64url (or standard base64), with or without padding.
fn base64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

/// How to reach the backend.
#[derive(Debug, Clone)]
pub struct Connection {
    pub base_url: reqwest::Url,
    pub api_path: Option<String>,
    pub token: Option<Secret>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub request_timeout: Duration,
    /// Extra trusted CA certificates (`--cacert`).
    pub ca_certs: Vec<reqwest::Certificate>,
    /// Things worth a warning, found while resolving (a token file others can read).
    pub warnings: Vec<String>,
    /// Each setting with where it came from, for `taskwatch config`.
    pub shown: Vec<Shown>,
}

/// How to show things.
#[derive(Debug, Clone)]
pub struct Display {
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
    pub trigger: Option<crate::api::TriggerKind>,
}

/// How long a triggered task may take to appear when --start-timeout is not given.
pub const TRIGGER_START_TIMEOUT: Duration = Duration::from_secs(60);

/// A setting that cannot be used, found after parsing (exit 2).
#[derive(Debug)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

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

impl Connection {
    /// A connection with no token, headers or extra CA: the demo's, and tests'.
    pub fn plain(base_url: reqwest::Url, request_timeout: Duration) -> Connection {
        Connection {
            base_url,
            api_path: None,
            token: None,
            headers: Vec::new(),
            request_timeout,
            ca_certs: Vec::new(),
            warnings: Vec::new(),
            shown: Vec::new(),
        }
    }

    pub fn resolve(
        cli: &Cli,
        given: Given<'_>,
        profile: Option<&Profile>,
    ) -> Result<Connection, ConfigError> {
        let c = &cli.connection;
        let mut warnings = Vec::new();
        let mut shown = Vec::new();

        let (base_url, origin) = match given("base_url") {
            Some(origin) => (c.base_url.clone(), origin),
            None => from_profile(profile, "base_url", crate::cli::parse_base_url)?
                .unwrap_or_else(|| (c.base_url.clone(), "default".into())),
        };
        shown.push(Shown {
            key: "base_url",
            value: base_url.to_string(),
            origin,
        });

        let (api_path, origin) = match &c.api_path {
            Some(p) => (Some(p.clone()), "--api-path".to_string()),
            None => match from_profile(profile, "api_path", crate::cli::parse_api_path)? {
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
        Ok(Connection {
            base_url,
            api_path,
            token,
            headers: c.headers.clone(),
            request_timeout: c.request_timeout,
            ca_certs,
            warnings,
            shown,
        })
    }
}

impl Display {
    pub fn resolve(cli: &Cli, no_color_env: bool) -> Display {
        let o = &cli.output;
        let stdout_tty = std::io::stdout().is_terminal();
        let stderr_tty = std::io::stderr().is_terminal();
        let format = o.output.unwrap_or(if stdout_tty {
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
        Display {
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
        args: &PollArgs,
        given: Given<'_>,
        profile: Option<&Profile>,
    ) -> Result<Arc<Polling>, ConfigError> {
        let interval = match given("interval") {
            Some(_) => args.interval,
            None => from_profile(profile, "interval", crate::cli::parse_interval)?
                .map_or(args.interval, |(v, _)| v),
        };
        let logs_count = match given("logs_count") {
            Some(_) => args.logs_count,
            None => from_profile(profile, "logs_count", crate::cli::parse_logs_count)?
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_expiry_is_read_without_verifying() {
        // {"alg":"HS256","typ":"JWT"} . {"sub":"u1","exp":1703123456.789} . signature
        let token = Secret::new(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1MSIsImV4cCI6MTcwMzEyMzQ1Ni43ODl9.c2ln",
        );
        assert_eq!(token.jwt_expiry(), Some(1703123456.789));
        assert_eq!(Secret::new("opaque-token").jwt_expiry(), None);
        assert_eq!(Secret::new("a.!!!.c").jwt_expiry(), None);
    }

    #[test]
    fn base64url_decodes() {
        assert_eq!(base64url("aGVsbG8").unwrap(), b"hello");
        assert_eq!(base64url("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64url("-_8").unwrap(), vec![0xfb, 0xff]);
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("eyJhbGciOi.secret.sig");
        assert!(!format!("{s:?} {s}").contains("secret"));
    }
}
