//! Secrets that cannot be printed by accident: the bearer token (and a login password). `Debug`
//! and `Display` show a mask; text that came back from a server is scrubbed of them with
//! [`scrub`] before anything prints it. Also reads a JWT's `exp` claim, unverified, so that a
//! run can fail fast on an expired token.

use std::fmt;
use std::sync::LazyLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

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

/// Masks secrets in log lines, which are shown as they are otherwise; the forms of each secret
/// are made once, since every line is checked.
#[derive(Debug, Clone, Default)]
pub struct Masker {
    forms: Vec<String>,
}

impl Masker {
    pub fn new(secrets: &[Secret]) -> Masker {
        Masker {
            forms: secrets
                .iter()
                .filter(|s| s.0.chars().count() >= 4)
                .flat_map(|s| forms(&s.0))
                .collect(),
        }
    }

    /// `text` with every occurrence of each secret (and of its JSON-escaped and
    /// percent-encoded forms) masked, or `None` when it holds none.
    pub fn mask(&self, text: &str) -> Option<String> {
        let mut out: Option<String> = None;
        for form in &self.forms {
            let current = out.as_deref().unwrap_or(text);
            if current.contains(form.as_str()) {
                out = Some(current.replace(form.as_str(), MASK));
            }
        }
        out
    }
}

/// `Bearer <credential>` (or `Basic …`) in any case: what follows is masked when it looks like
/// a credential (8 characters or more of a token's alphabet, not a plain word), so "Bearer
/// token required" stays readable while an echoed header, even one altered on the way, does not.
static BEARER: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
    regex::Regex::new(r"(?i)\b(bearer|basic)([ \t]+)([A-Za-z0-9\-._~+/\\]{8,}=*)").ok()
});

/// Replaces every occurrence of each secret in `text` (and of its JSON-escaped and
/// percent-encoded forms), and any `Bearer …` or `Basic …` credential, with `****`. Secrets
/// shorter than four characters are left alone: masking them would garble ordinary words.
pub fn scrub(text: &str, secrets: &[&Secret]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if s.0.chars().count() < 4 {
            continue;
        }
        for form in forms(&s.0) {
            if out.contains(&form) {
                out = out.replace(&form, MASK);
            }
        }
    }
    match BEARER.as_ref() {
        Some(re) => re
            .replace_all(&out, |c: &regex::Captures<'_>| {
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
        None => out,
    }
}

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
        let masker = Masker::new(&[t, Secret::new("ab")]);
        assert_eq!(masker.mask("plain Bearer abcdefgh1 ab"), None);
        assert_eq!(
            masker.mask("x tok-123 y tok%2D123").as_deref(),
            Some("x **** y ****")
        );
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
}
