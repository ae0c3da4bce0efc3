//! Secrets that cannot be printed by accident: the bearer token (and a login password). `Debug`
//! and `Display` show a mask; text that came back from a server is scrubbed of them with
//! [`scrub`] before anything prints it. Also reads a JWT's `exp` claim, unverified, so that a
//! run can fail fast on an expired token.

use std::fmt;

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

/// Replaces every occurrence of each secret in `text` with `****`. Secrets shorter than four
/// characters are left alone: masking them would garble ordinary words.
pub fn scrub(text: &str, secrets: &[&Secret]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if s.0.chars().count() >= 4 && out.contains(&s.0) {
            out = out.replace(&s.0, "****");
        }
    }
    out
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
}
