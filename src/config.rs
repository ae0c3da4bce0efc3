//! Settings resolved once from the command line and the environment. Nothing downstream reads
//! the environment or looks at terminals: it is all decided here.

use std::fmt;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use crate::cli::{Cli, ColorChoice, LogsCount, OutputFormat, PollArgs};
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
}

/// How to show things.
#[derive(Debug, Clone)]
pub struct Display {
    pub format: OutputFormat,
    pub utc: bool,
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

impl Connection {
    pub fn resolve(cli: &Cli) -> Result<Connection, ConfigError> {
        let c = &cli.connection;
        let mut warnings = Vec::new();
        let token = match (&c.token, &c.token_file) {
            (Some(t), _) => Some(t.clone()),
            (None, Some(path)) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    ConfigError(format!("cannot read --token-file {}: {e}", path.display()))
                })?;
                #[cfg(unix)]
                if let Ok(meta) = std::fs::metadata(path) {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = meta.permissions().mode() & 0o777;
                    if mode & 0o077 != 0 {
                        warnings.push(format!(
                            "--token-file {} can be read by other users (mode {mode:o}): chmod 600 it",
                            path.display()
                        ));
                    }
                }
                let t = text.trim();
                if t.is_empty() {
                    return Err(ConfigError(format!(
                        "--token-file {} is empty",
                        path.display()
                    )));
                }
                Some(Secret::new(t))
            }
            (None, None) => None,
        };
        if let Some(t) = &token {
            HeaderValue::from_str(&format!("Bearer {}", t.expose())).map_err(|_| {
                ConfigError("the token has characters not allowed in an HTTP header".into())
            })?;
        }
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
            base_url: c.base_url.clone(),
            api_path: c.api_path.clone(),
            token,
            headers: c.headers.clone(),
            request_timeout: c.request_timeout,
            ca_certs,
            warnings,
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
            quiet: o.quiet,
            verbose: o.verbose,
            progress: stderr_tty && !o.quiet && format == OutputFormat::Human,
            color,
        }
    }
}

impl Polling {
    pub fn resolve(args: &PollArgs) -> Arc<Polling> {
        Arc::new(Polling {
            interval: args.interval,
            logs_count: args.logs_count,
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
        })
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
