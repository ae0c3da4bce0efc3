//! The value parsers of the settings a profile may also hold: the command line uses the same
//! ones, so a profile's value is checked exactly as a flag's.

use std::time::Duration;

use super::LogsCount;

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

/// The highest `--probe-rate`: a watcher that probes more than this a second is no longer light.
pub const MAX_PROBE_RATE: f64 = 1000.0;

/// `--probe-rate`: probes a second, 0 (none in the background) to [`MAX_PROBE_RATE`].
pub fn parse_probe_rate(s: &str) -> Result<f64, String> {
    let rate: f64 = s
        .trim()
        .parse()
        .map_err(|_| "expected a number of probes a second, such as 1 or 0.5".to_string())?;
    if !(0.0..=MAX_PROBE_RATE).contains(&rate) {
        return Err(format!("expected 0 to {MAX_PROBE_RATE} probes a second"));
    }
    Ok(rate)
}

pub fn parse_interval(s: &str) -> Result<Duration, String> {
    parse_at_least(s, Duration::from_millis(100))
}

pub fn parse_request_timeout(s: &str) -> Result<Duration, String> {
    parse_at_least(s, Duration::from_millis(1))
}

/// A base URL as it may be quoted back, parsed or not: whatever stands before the last `@` of
/// its authority (a user name and password) is shown as `***`.
pub fn masked_url(s: &str) -> String {
    let start = s.find("://").map_or(0, |i| i + 3);
    let rest = &s[start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &s[..start], &rest[at..]),
        None => s.to_string(),
    }
}

pub fn parse_base_url(s: &str) -> Result<reqwest::Url, String> {
    // `localhost:8080` parses as a URL of scheme `localhost`, `127.0.0.1:8080` not at all.
    if !s.contains("://") && !s.trim().is_empty() {
        let shown = masked_url(s.trim().trim_start_matches('/'));
        return Err(format!(
            "`{shown}` has no scheme: did you mean http://{shown}?"
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
    // taskwatch adds the API prefix itself: a URL that already holds it would ask for
    // `/codvid-ai/codvid-ai/…` and get a 404.
    let path = url.path().trim_end_matches('/');
    for prefix in ["/codvid-ai/ig-tracking", "/codvid-ai"] {
        if let Some(base) = path.strip_suffix(prefix) {
            let mut fixed = url.clone();
            fixed.set_path(if base.is_empty() { "/" } else { base });
            fixed.set_query(None);
            if fixed.password().is_some() {
                // Quoted back, so never with the password.
                let _ = fixed.set_password(Some("***"));
            }
            return Err(format!(
                "the URL already ends with the API prefix {prefix}, which taskwatch adds itself \
                 (it would ask for {prefix}{prefix}/…): pass {}",
                fixed.as_str().trim_end_matches('/')
            ));
        }
    }
    Ok(url)
}

pub fn parse_api_path(s: &str) -> Result<String, String> {
    if !s.contains("{task_id}") {
        return Err("the template must contain `{task_id}`".into());
    }
    Ok(s.to_string())
}

/// A profile's boolean (`notify`, `archive`): `true` or `false`, in any case (a TOML boolean
/// is read as its text).
pub fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!(
            "expected true or false, got \"{}\"",
            crate::sanitize::excerpt(s.as_bytes(), 40)
        )),
    }
}

#[cfg(test)]
mod base_url_tests {
    use super::*;

    #[test]
    fn a_password_is_never_quoted_back() {
        for given in ["u:S3CRET@h:1/codvid-ai", "//u:S3CRET@h", "u:S3CRET@h"] {
            let e = parse_base_url(given).unwrap_err();
            assert!(!e.contains("S3CRET"), "{e}");
            assert!(e.contains("***@h"), "{e}");
        }
        assert_eq!(masked_url("ftp://u:pw@h:1/x@y"), "ftp://***@h:1/x@y");
        assert_eq!(masked_url("http://h/a@b"), "http://h/a@b");
    }

    #[test]
    fn a_base_url_holding_the_api_prefix_is_refused_with_what_to_pass() {
        for (given, pass) in [
            ("http://host:8080/codvid-ai", "pass http://host:8080"),
            ("http://host:8080/codvid-ai/", "pass http://host:8080"),
            (
                "https://h/proxy/codvid-ai/ig-tracking",
                "pass https://h/proxy",
            ),
            ("http://u:secret@h/codvid-ai", "pass http://u:***@h"),
        ] {
            let e = parse_base_url(given).unwrap_err();
            assert!(e.contains(pass), "{given}: {e}");
            assert!(!e.contains("secret"), "{e}");
        }
        assert!(parse_base_url("http://host:8080/proxy").is_ok());
        assert!(parse_base_url("http://host:8080/codvid-ai-staging").is_ok());
    }
}
