//! Secrets that cannot be printed by accident: the bearer token, the base URL's password (and
//! a login password). `Debug` and `Display` show a mask; text that came back from a server goes
//! through the one [`Scrubber`] (secrets masked, then escaped) before anything prints it. Also
//! reads a JWT's `exp` claim, unverified, so that a run can fail fast on an expired token.

use std::fmt;
use std::sync::LazyLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::sanitize;

/// A bearer token or a password.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

/// What a token's `exp` claim says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Expiry {
    /// Seconds since the epoch (a float in this backend).
    At(f64),
    /// A number no clock can hold (1e300, negative, NaN): no usable expiry.
    Unusable,
}

/// Expiry claims beyond this many seconds from the epoch (the year 5138) are not believed.
const LATEST_PLAUSIBLE: f64 = 1e11;

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The `exp` claim if the token is a JWT. The signature is not checked (there is no key):
    /// this only lets a run fail fast or warn early.
    pub fn jwt_expiry(&self) -> Option<Expiry> {
        let payload = self.0.split('.').nth(1)?;
        let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
        let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        let exp = claims.get("exp")?.as_f64()?;
        Some(
            if exp.is_finite() && (0.0..LATEST_PLAUSIBLE).contains(&exp) {
                Expiry::At(exp)
            } else {
                Expiry::Unusable
            },
        )
    }
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

/// What a secret is replaced with.
const MASK: &str = "****";

/// The forms a secret may take in a server's text: as sent, JSON-escaped (`/` as `\/`) and
/// percent-encoded.
fn forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_string()];
    for form in [
        secret.replace('/', "\\/"),
        percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
            .to_string(),
    ] {
        if !forms.contains(&form) {
            forms.push(form);
        }
    }
    forms
}

/// Secrets masked, then what is left made safe to print: the one place where text from a
/// server (or a user's file) loses the token and the URL's password before anything shows it.
/// Built once per run from its secrets (the forms of each are made once, since every log line
/// is checked), and held where output is made: the renderer, `status`, the reports.
///
/// A secret is found as sent, JSON-escaped (`/` as `\/`) and percent-encoded, and also when
/// characters that are never shown as they are (controls, zero-width and bidi characters, see
/// [`sanitize::is_unsafe`]) were slipped into it: the whole stretch is masked then. Secrets
/// shorter than four characters are left alone: masking them would garble ordinary words (and
/// an empty one would mask everything).
#[derive(Debug, Clone, Default)]
pub struct Scrubber {
    forms: Vec<String>,
}

impl Scrubber {
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a Secret>) -> Scrubber {
        Scrubber {
            forms: secrets
                .into_iter()
                .filter(|s| s.0.chars().count() >= 4)
                .flat_map(|s| forms(&s.0))
                .collect(),
        }
    }

    /// One line of server text safe to print: secrets (and any `Bearer …` or `Basic …`
    /// credential) masked, then control and bidi characters escaped, newlines too.
    pub fn clean(&self, text: &str) -> String {
        sanitize::line(&self.scrub(text))
    }

    /// A short, single-line excerpt of a server's answer for a message: secrets masked before
    /// it is cut, so that a cut cannot leave part of one.
    pub fn excerpt(&self, body: &[u8], max_chars: usize) -> String {
        let text = String::from_utf8_lossy(body);
        sanitize::excerpt(self.scrub(&text).as_bytes(), max_chars)
    }

    /// `text` with every secret and any `Bearer …` or `Basic …` credential masked, not yet
    /// escaped: for text that is escaped on its way out (Markdown, a hook's name).
    pub fn scrub(&self, text: &str) -> String {
        let masked = self.mask(text);
        let out = masked.as_deref().unwrap_or(text);
        match BEARER.as_ref() {
            Some(re) => re
                .replace_all(out, |c: &regex::Captures<'_>| {
                    let credential = &c[3];
                    let word = credential.chars().all(|ch| ch.is_ascii_alphabetic())
                        && credential.chars().skip(1).all(|ch| ch.is_ascii_lowercase());
                    if word {
                        c[0].to_string()
                    } else {
                        format!("{}{}{MASK}", &c[1], &c[2])
                    }
                })
                .into_owned(),
            None => out.to_string(),
        }
    }

    /// A log line with every secret masked, or `None` when it holds none (it is shown as it
    /// is otherwise: a line that says `Bearer` is the task's business). Not escaped: the line's
    /// output format does that.
    pub fn mask(&self, text: &str) -> Option<String> {
        if self.forms.is_empty() {
            return None;
        }
        let mut out: Option<String> = None;
        for form in &self.forms {
            let current = out.as_deref().unwrap_or(text);
            if current.contains(form.as_str()) {
                out = Some(current.replace(form.as_str(), MASK));
            }
        }
        let current = out.as_deref().unwrap_or(text);
        if let Some(split) = self.mask_split(current) {
            out = Some(split);
        }
        out
    }

    /// Secrets with unprintable characters slipped into them (`tok\u{200b}-123`): each stretch
    /// that reads as a secret once those are left out is masked whole. `None` when there is none.
    fn mask_split(&self, text: &str) -> Option<String> {
        // Plain ASCII without controls cannot hold one: most lines stop here, and the rest
        // unless a character is unprintable.
        if text
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) || b == b'\t')
            || !text.chars().any(sanitize::is_unsafe)
        {
            return None;
        }
        // What is left when the unprintable characters are taken out, and where each of its
        // characters starts and ends in `text`.
        let mut visible = String::with_capacity(text.len());
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for (at, c) in text.char_indices() {
            if !sanitize::is_unsafe(c) {
                visible.push(c);
                spans.extend(std::iter::repeat_n((at, at + c.len_utf8()), c.len_utf8()));
            }
        }
        let mut hidden: Vec<(usize, usize)> = self
            .forms
            .iter()
            .flat_map(|form| {
                visible
                    .match_indices(form.as_str())
                    .map(|(i, m)| (i, m.len()))
            })
            .map(|(i, len)| (spans[i].0, spans[i + len - 1].1))
            .collect();
        if hidden.is_empty() {
            return None;
        }
        hidden.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end) in hidden {
            if end <= at {
                continue;
            }
            if start >= at {
                out.push_str(&text[at..start]);
                out.push_str(MASK);
            }
            at = end;
        }
        out.push_str(&text[at..]);
        Some(out)
    }
}

/// `Bearer <credential>` (or `Basic …`) in any case: what follows is masked when it looks like
/// a credential (8 characters or more of a token's alphabet, not a plain word), so "Bearer
/// token required" stays readable while an echoed header, even one altered on the way, does not.
static BEARER: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
    regex::Regex::new(r"(?i)\b(bearer|basic)([ \t]+)([A-Za-z0-9\-._~+/\\]{8,}=*)").ok()
});

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> Secret {
        Secret::new(format!(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{}.c2ln",
            URL_SAFE_NO_PAD.encode(claims)
        ))
    }

    #[test]
    fn jwt_expiry_is_read_without_verifying() {
        // {"alg":"HS256","typ":"JWT"} . {"sub":"u1","exp":1703123456.789} . signature
        let token = Secret::new(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1MSIsImV4cCI6MTcwMzEyMzQ1Ni43ODl9.c2ln",
        );
        assert_eq!(token.jwt_expiry(), Some(Expiry::At(1703123456.789)));
        assert_eq!(Secret::new("opaque-token").jwt_expiry(), None);
        assert_eq!(Secret::new("a.!!!.c").jwt_expiry(), None);
    }

    #[test]
    fn absurd_expiries_are_unusable() {
        for exp in ["1e300", "1.9e19", "-1.9e19", "-5"] {
            let t = jwt(&format!("{{\"exp\":{exp}}}"));
            assert_eq!(t.jwt_expiry(), Some(Expiry::Unusable), "{exp}");
        }
        assert_eq!(jwt("{\"exp\":\"soon\"}").jwt_expiry(), None);
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("eyJhbGciOi.secret.sig");
        assert!(!format!("{s:?} {s}").contains("secret"));
    }

    fn scrub(text: &str, secrets: &[&Secret]) -> String {
        Scrubber::new(secrets.iter().copied()).scrub(text)
    }

    #[test]
    fn scrub_masks_every_occurrence() {
        let t = Secret::new("tok-123");
        let p = Secret::new("hunter2!");
        assert_eq!(
            scrub("Bearer tok-123 and tok-123, pw hunter2!", &[&t, &p]),
            "Bearer **** and ****, pw ****"
        );
        assert_eq!(scrub("abc", &[&Secret::new("ab")]), "abc");
    }

    #[test]
    fn mask_changes_only_what_holds_a_secret() {
        let t = Secret::new("tok-123");
        let masker = Scrubber::new(&[t, Secret::new("ab")]);
        assert_eq!(masker.mask("plain Bearer abcdefgh1 ab"), None);
        assert_eq!(
            masker.mask("x tok-123 y tok%2D123").as_deref(),
            Some("x **** y ****")
        );
        assert_eq!(Scrubber::default().mask("tok-123"), None);
    }

    #[test]
    fn scrub_masks_altered_forms_and_any_bearer_credential() {
        let t = Secret::new("a/b+c=d-123");
        assert_eq!(
            scrub(r#"{"auth":"a\/b+c=d-123"}"#, &[&t]),
            r#"{"auth":"****"}"#
        );
        assert_eq!(scrub("q=a%2Fb%2Bc%3Dd%2D123", &[&t]), "q=****");
        assert_eq!(
            scrub("got authorization: bearer eyJhbGc.eyJzdWIi.c2ln", &[]),
            "got authorization: bearer ****"
        );
        assert_eq!(scrub("Basic dXNlcjpwYXNz", &[]), "Basic ****");
        assert_eq!(
            scrub("Bearer token required; Bearer authentication", &[]),
            "Bearer token required; Bearer authentication"
        );
    }

    /// The token and the URL's password (as `api::connection` lists them: the password, and
    /// the `user:password` pair in base64), in every way a server may echo them.
    #[test]
    fn the_scrubber_masks_first_and_escapes_after() {
        let token = Secret::new("tok-1234567");
        let password = Secret::new("p@ss/w0rd");
        let basic = Secret::new("bWU6cEBzcy93MHJk");
        let s = Scrubber::new([&token, &password, &basic]);
        // The token echoed, with terminal controls around it: masked, the controls escaped.
        assert_eq!(
            s.clean("denied \u{1b}[31mtok-1234567\u{1b}[0m\u{7}"),
            "denied \\e[31m****\\e[0m\\x07"
        );
        // Split by characters a terminal does not show: the whole stretch is masked.
        assert_eq!(s.clean("a tok-12\u{200b}34567 b"), "a **** b");
        assert_eq!(s.clean("tok\u{1b}-1234\r567!"), "****!");
        assert_eq!(
            s.clean("x\u{202e}tok-1234567\u{202c}y"),
            "x\\u{202e}****\\u{202c}y"
        );
        assert_eq!(
            s.mask("t\u{0}ok-1234567 then tok-1234567").as_deref(),
            Some("**** then ****")
        );
        // The password in a URL, as sent, percent-encoded and JSON-escaped; the Basic pair.
        assert_eq!(
            s.clean("GET http://me:p@ss/w0rd@host/ failed"),
            "GET http://me:****@host/ failed"
        );
        assert_eq!(
            s.clean("url=http%3A%2F%2Fme:p%40ss%2Fw0rd@h"),
            "url=http%3A%2F%2Fme:****@h"
        );
        assert_eq!(s.clean(r#"{"u":"p@ss\/w0rd"}"#), r#"{"u":"****"}"#);
        assert_eq!(
            s.clean("Authorization: Basic bWU6cEBzcy93MHJk"),
            "Authorization: Basic ****"
        );
        // Several lines become one: newlines are escaped too.
        assert_eq!(s.clean("tok-1234567\nnext"), "****\\x0anext");
        // Nothing to hide: text passes through, only escaped.
        assert_eq!(s.clean("plain \u{7} text"), "plain \\x07 text");
        assert_eq!(s.mask("plain \u{7} text"), None);
        // Excerpts are cut after masking: no part of a secret is left at the cut.
        assert_eq!(s.excerpt(b"aa tok-1234567 bb", 6), "aa ***\u{2026}");
    }

    #[test]
    fn empty_and_short_secrets_mask_nothing() {
        let s = Scrubber::new(&[Secret::new(""), Secret::new("abc"), Secret::new("\u{200b}")]);
        assert_eq!(s.clean("abc abc \u{200b}"), "abc abc \\u{200b}");
        assert_eq!(s.mask("anything at all"), None);
        assert_eq!(s.mask("abc\u{7}"), None);
        assert_eq!(Scrubber::new(&[]).clean("x"), "x");
    }
}
