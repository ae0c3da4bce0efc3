//! Resolving the connection: base URL, API path, token (flag, file or profile, with a warning
//! for a file others can read), headers and CA certificates, with where each came from.

use std::path::Path;

use reqwest::header::HeaderValue;

use super::*;
use crate::api::Connection;
use crate::profile::{ConfigError, Profile};
use crate::secret::Secret;

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
        let base_url = base_url(c, given, profile, &mut shown);
        let api_path = api_path(c, profile, &mut shown);
        let token = token(c, given, profile, &mut shown, &mut warnings);
        if token.is_some() && (!base_url.username().is_empty() || base_url.password().is_some()) {
            both_credentials(&mut shown);
        }
        let ca_certs = ca_certs(c, &mut shown);
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

/// `--base-url`/`TASKWATCH_URL`, else the profile's, else the default.
fn base_url(
    c: &ConnectionFlags,
    given: Given<'_>,
    profile: Option<&Profile>,
    shown: &mut Vec<Shown>,
) -> reqwest::Url {
    if let Some(origin) = given("base_url") {
        shown.push(Shown::new("base_url", shown_url(&c.base_url), origin));
        return c.base_url.clone();
    }
    match from_profile(profile, "base_url", parse_base_url) {
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
    }
}

/// `--api-path`, else the profile's, else automatic.
fn api_path(
    c: &ConnectionFlags,
    profile: Option<&Profile>,
    shown: &mut Vec<Shown>,
) -> Option<String> {
    if let Some(p) = &c.api_path {
        shown.push(Shown::new("api_path", p.clone(), "--api-path"));
        return Some(p.clone());
    }
    match from_profile(profile, "api_path", parse_api_path) {
        Ok(Some((p, origin))) => {
            shown.push(Shown::new("api_path", p.clone(), origin));
            Some(p)
        }
        Ok(None) => {
            let auto = "automatic (Update 7 path, then Update 8 on a 404)";
            shown.push(Shown::new("api_path", auto.into(), "default"));
            None
        }
        Err(e) => {
            shown.push(Shown::invalid(profile, "api_path", e));
            None
        }
    }
}

/// Where the token comes from and what it is, or why it could not be read: (the file named,
/// the origin, the error).
type TokenRead = Result<(Option<Secret>, String), (String, String, ConfigError)>;

/// `--token`/`TASKWATCH_TOKEN`, `--token-file`, the profile's `token`, its `token_file`.
fn read_token(
    c: &ConnectionFlags,
    given: Given<'_>,
    profile: Option<&Profile>,
    warnings: &mut Vec<String>,
) -> TokenRead {
    if let Some(t) = &c.token {
        return Ok((Some(t.clone()), given("token").unwrap_or_default()));
    }
    if let Some(path) = &c.token_file {
        let origin = format!("--token-file {}", path.display());
        return read_token_file(path, "--token-file", warnings)
            .map(|t| (Some(t), origin.clone()))
            .map_err(|e| (path.display().to_string(), origin, e));
    }
    if let Some(setting) = profile.and_then(|p| p.token.as_ref()) {
        return Ok((
            Some(Secret::new(setting.value.trim())),
            setting.origin.clone(),
        ));
    }
    match profile.and_then(|p| p.token_file.as_ref()) {
        None => Ok((None, "not set".into())),
        Some(setting) => {
            let path = Path::new(&setting.value);
            let what = format!("token_file of {}", setting.origin);
            let origin = format!("{} ({})", setting.origin, path.display());
            read_token_file(path, &what, warnings)
                .map(|t| (Some(t), origin.clone()))
                .map_err(|e| (setting.value.clone(), origin, e))
        }
    }
}

/// The token, shown masked; one that cannot travel in a header is a problem.
fn token(
    c: &ConnectionFlags,
    given: Given<'_>,
    profile: Option<&Profile>,
    shown: &mut Vec<Shown>,
    warnings: &mut Vec<String>,
) -> Option<Secret> {
    match read_token(c, given, profile, warnings) {
        Ok((token, origin)) => {
            let unusable = token
                .as_ref()
                .is_some_and(|t| HeaderValue::from_str(&format!("Bearer {}", t.expose())).is_err());
            shown.push(Shown {
                key: "token",
                value: token.as_ref().map_or("none".into(), |t| {
                    format!("set ({} characters, not shown)", t.expose().chars().count())
                }),
                origin,
                problem: unusable
                    .then(|| "the token has characters not allowed in an HTTP header".to_string()),
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
    }
}

/// A base URL with `user:password@` and a token: the server would get both.
fn both_credentials(shown: &mut [Shown]) {
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

/// `--cacert`: the PEM bundle's certificates; a file without one is a problem.
fn ca_certs(c: &ConnectionFlags, shown: &mut Vec<Shown>) -> Vec<reqwest::Certificate> {
    let Some(path) = &c.cacert else {
        return Vec::new();
    };
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
