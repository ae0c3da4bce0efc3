//! How to reach the backend (resolved from flags, environment and profile), and how its URL
//! may be shown: never with a password in it.

use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::secret::Secret;

/// How to reach the backend: settings resolved from flags, environment and profile.
#[derive(Debug, Clone)]
pub struct Connection {
    pub base_url: reqwest::Url,
    pub api_path: Option<String>,
    pub token: Option<Secret>,
    pub headers: Vec<(reqwest::header::HeaderName, HeaderValue)>,
    pub request_timeout: Duration,
    /// Extra trusted CA certificates (`--cacert`).
    pub ca_certs: Vec<reqwest::Certificate>,
}

impl Connection {
    /// What a server's text is scrubbed of: the token, and a password in the base URL.
    pub fn secrets(&self) -> Vec<Secret> {
        self.token
            .iter()
            .cloned()
            .chain(url_secrets(&self.base_url))
            .collect()
    }

    /// A connection with no token, headers or extra CA: the demo's, and tests'.
    pub fn plain(base_url: reqwest::Url, request_timeout: Duration) -> Connection {
        Connection {
            base_url,
            api_path: None,
            token: None,
            headers: Vec::new(),
            request_timeout,
            ca_certs: Vec::new(),
        }
    }
}

/// A URL as it may be shown: a password in it is replaced by `***` (`user:***@host`).
pub fn shown_url(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown.to_string()
}

/// The credentials a URL carries (`user:password@`), as they may come back in a server's
/// text: the password, and the Basic authorization made of them.
pub(super) fn url_secrets(url: &reqwest::Url) -> Vec<Secret> {
    use base64::Engine;
    let Some(password) = url.password() else {
        return Vec::new();
    };
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let (user, password) = (decode(url.username()), decode(password));
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    vec![Secret::new(password), Secret::new(basic)]
}

/// The URL without its credentials (`user:password@`) and without a trailing `/`: how the
/// archive names a backend.
pub fn bare_url(url: &reqwest::Url) -> String {
    let mut bare = url.clone();
    let _ = bare.set_username("");
    let _ = bare.set_password(None);
    bare.to_string().trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shown_without_their_password() {
        let url: reqwest::Url = "http://me:p%40ss@127.0.0.1:9/x".parse().unwrap();
        assert_eq!(shown_url(&url), "http://me:***@127.0.0.1:9/x");
        let secrets = url_secrets(&url);
        assert_eq!(secrets[0].expose(), "p@ss");
        assert_eq!(secrets[1].expose(), "bWU6cEBzcw==");
        assert!(url_secrets(&"http://h/".parse().unwrap()).is_empty());
    }
}
