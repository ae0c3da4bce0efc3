//! The simulator's tokens, as the backend makes them: HS256 JWTs signed with a secret drawn for
//! each run, with an `exp` (a float, as the backend sends it) `--token-ttl` away. Every protected
//! route checks the signature and `exp`.
//!
//! `jsonwebtoken` does the JWT work (encoding, parsing, claim validation). Its HMAC comes from
//! `ring`, which rustls already builds, installed as jsonwebtoken's crypto provider: its own
//! `rust_crypto` backend would add 38 crates (RSA, elliptic curves, Ed25519) the simulator never
//! uses, and `aws_lc_rs` a C library build. Only HS256 is provided; any other algorithm is an
//! error, never a panic.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{ErrorKind, Result as JwtResult};
use jsonwebtoken::signature::{self, Signer, Verifier};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, EncodingKey, Header, Validation};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

/// What the simulator signs.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    exp: f64,
}

/// Why a token was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Signed by this run and well-formed, but its `exp` has passed.
    Expired,
    /// Anything else: not a JWT, another signature, another algorithm, no `exp`.
    Invalid,
}

/// The run's signing secret and the rules its tokens are checked by.
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl Keys {
    /// A fresh 256-bit secret, so tokens from another run (or another server) do not pass.
    pub fn random(ttl: Duration) -> Keys {
        let mut secret = [0u8; 32];
        if SystemRandom::new().fill(&mut secret).is_err() {
            // No system randomness: a simulator can live with a seeded generator.
            secret.fill_with(|| fastrand::u8(..));
        }
        Keys::new(&secret, ttl)
    }

    fn new(secret: &[u8], ttl: Duration) -> Keys {
        // Err only means a provider is installed already: this one, by an earlier run.
        let _ = RING_HS256.install_default();
        let mut validation = Validation::new(Algorithm::HS256);
        // The backend allows no grace period: a token is refused the second its `exp` passes.
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Keys {
            encoding: EncodingKey::from_secret(secret)
                .unwrap_or_else(|_| unreachable!("an HMAC key takes any non-empty secret")),
            decoding: DecodingKey::from_secret(secret)
                .unwrap_or_else(|_| unreachable!("an HMAC key takes any non-empty secret")),
            validation,
            ttl,
        }
    }

    /// A token for `sub` that expires `ttl` from now.
    pub fn mint(&self, sub: &str) -> Option<String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let claims = Claims {
            sub: sub.to_string(),
            exp: now.saturating_add(self.ttl).as_secs_f64(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).ok()
    }

    /// Whether `token` was signed by this run and has not expired.
    pub fn check(&self, token: &str) -> Result<(), Rejection> {
        match jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation) {
            // jsonwebtoken compares `exp` in whole seconds (accepting a token for up to a
            // second after it): the exact instant is checked here.
            Ok(data) if data.claims.exp <= now_seconds() => Err(Rejection::Expired),
            Ok(_) => Ok(()),
            Err(e) if matches!(e.kind(), ErrorKind::ExpiredSignature) => Err(Rejection::Expired),
            Err(_) => Err(Rejection::Invalid),
        }
    }
}

fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// jsonwebtoken's crypto provider with ring's HMAC-SHA256 and nothing else.
static RING_HS256: CryptoProvider = CryptoProvider {
    signer_factory: hs256_signer,
    verifier_factory: hs256_verifier,
    // JWKs are never used here.
    key_utils: KeyUtils::new_unimplemented(),
};

struct Hs256(hmac::Key);

fn hs256_signer(alg: &Algorithm, key: &EncodingKey) -> JwtResult<Box<dyn JwtSigner>> {
    if *alg != Algorithm::HS256 || key.family() != AlgorithmFamily::Hmac {
        return Err(ErrorKind::InvalidAlgorithm.into());
    }
    Ok(Box::new(Hs256(hmac::Key::new(
        hmac::HMAC_SHA256,
        key.as_bytes(),
    ))))
}

fn hs256_verifier(alg: &Algorithm, key: &DecodingKey) -> JwtResult<Box<dyn JwtVerifier>> {
    if *alg != Algorithm::HS256 || key.family() != AlgorithmFamily::Hmac {
        return Err(ErrorKind::InvalidAlgorithm.into());
    }
    Ok(Box::new(Hs256(hmac::Key::new(
        hmac::HMAC_SHA256,
        key.try_get_as_bytes()?,
    ))))
}

impl Signer<Vec<u8>> for Hs256 {
    fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, signature::Error> {
        Ok(hmac::sign(&self.0, msg).as_ref().to_vec())
    }
}

impl Verifier<Vec<u8>> for Hs256 {
    /// Constant-time comparison, by ring.
    fn verify(&self, msg: &[u8], tag: &Vec<u8>) -> Result<(), signature::Error> {
        hmac::verify(&self.0, msg, tag).map_err(|_| signature::Error::new())
    }
}

impl JwtSigner for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

impl JwtVerifier for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::{Expiry, Secret};

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn minted_tokens_pass_and_carry_a_float_exp_the_client_reads() {
        let keys = Keys::new(b"k1", HOUR);
        let token = keys.mint("ops@example.com").unwrap();
        assert_eq!(keys.check(&token), Ok(()));
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let Some(Expiry::At(exp)) = Secret::new(token).jwt_expiry() else {
            panic!("no exp");
        };
        assert!(
            (now + 3590.0..now + 3610.0).contains(&exp),
            "{exp} vs {now}"
        );
    }

    #[test]
    fn another_secret_a_changed_payload_or_garbage_is_invalid() {
        let keys = Keys::new(b"k1", HOUR);
        let other = Keys::new(b"k2", HOUR).mint("a").unwrap();
        assert_eq!(keys.check(&other), Err(Rejection::Invalid));
        let token = keys.mint("a").unwrap();
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = keys.mint("b").unwrap();
        parts[1] = forged.split('.').nth(1).unwrap();
        assert_eq!(keys.check(&parts.join(".")), Err(Rejection::Invalid));
        for garbage in ["", "a.b.c", "opaque", "..", "eyJhbGciOiJub25lIn0.e30."] {
            assert_eq!(keys.check(garbage), Err(Rejection::Invalid), "{garbage}");
        }
    }

    #[test]
    fn an_expired_token_is_told_apart() {
        let keys = Keys::new(b"k1", Duration::ZERO);
        let past = Claims {
            sub: "a".into(),
            exp: 1_000_000.5,
        };
        let token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &past, &keys.encoding).unwrap();
        assert_eq!(keys.check(&token), Err(Rejection::Expired));
        // Refused from the instant `exp` passes, not a second later.
        let just_past = Claims {
            sub: "a".into(),
            exp: now_seconds() - 0.05,
        };
        let token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &just_past, &keys.encoding)
                .unwrap();
        assert_eq!(keys.check(&token), Err(Rejection::Expired));
    }

    #[test]
    fn other_algorithms_are_refused_not_panicked_on() {
        let keys = Keys::new(b"k1", HOUR);
        let claims = Claims {
            sub: "a".into(),
            exp: 4_000_000_000.0,
        };
        let hs384 = jsonwebtoken::encode(&Header::new(Algorithm::HS384), &claims, &keys.encoding);
        assert!(hs384.is_err());
        // A header that names RS256 over an HS256 signature.
        let token = keys.mint("a").unwrap();
        let rs = format!(
            "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.{}",
            token.split_once('.').unwrap().1
        );
        assert_eq!(keys.check(&rs), Err(Rejection::Invalid));
    }
}
