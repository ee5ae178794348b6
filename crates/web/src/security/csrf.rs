//! CSRF tokens bound to the session cookie (signed double-submit, OWASP).
//!
//! ```text
//! token = base64url( HMAC-SHA-256( key, "shikaku-web csrf v1" ‖ 0x00 ‖ session-id ) )
//! ```
//!
//! * One token per pre-session / session: every form of that browser
//!   session carries the same value in the hidden field
//!   [`CSRF_FIELD`] (or, for `fetch`, the [`CSRF_HEADER`] header).
//! * Nothing to store: the server recomputes the token from the session
//!   cookie and compares in constant time ([`subtle`]). Rotating the session
//!   id at login (against session fixation) rotates the token with it.
//! * The key is 256 random bits drawn at start-up from the injected RNG;
//!   without it an attacker who knows a session id still cannot forge the
//!   token, and the token reveals nothing about the session id.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use rand_core::CryptoRng;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::token::RandomToken;
use crate::encoding::{base64url, base64url_decode_exact};

/// Name of the hidden form field carrying the token.
pub const CSRF_FIELD: &str = "csrf_token";
/// Name of the request header carrying the token (for `fetch`/JSON).
pub const CSRF_HEADER: &str = "x-csrf-token";

const DOMAIN: &[u8] = b"shikaku-web csrf v1\0";

/// The server's secret for deriving CSRF tokens. `Debug` is redacted; the
/// key is zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct CsrfKey([u8; 32]);

impl CsrfKey {
    /// Draws a fresh key.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut key = [0u8; 32];
        rng.fill_bytes(&mut key);
        CsrfKey(key)
    }

    /// Uses a key kept elsewhere (e.g. shared by several server processes).
    #[must_use]
    pub const fn from_bytes(key: [u8; 32]) -> Self {
        CsrfKey(key)
    }

    fn mac(&self, session: &RandomToken) -> [u8; 32] {
        // HMAC accepts keys of any length, so this cannot fail; the
        // fallback only exists to keep panics out of library code.
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0) else {
            return [0u8; 32];
        };
        mac.update(DOMAIN);
        mac.update(session.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The token for forms of this session.
    #[must_use]
    pub fn token_for(&self, session: &RandomToken) -> CsrfToken {
        CsrfToken(base64url(&self.mac(session)))
    }

    /// Whether `presented` is this session's token (constant time).
    #[must_use]
    pub fn verify(&self, session: &RandomToken, presented: &str) -> bool {
        let Some(given) = base64url_decode_exact::<32>(presented) else {
            return false;
        };
        self.mac(session).ct_eq(&given).into()
    }
}

impl fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CsrfKey(<redacted>)")
    }
}

/// A CSRF token to put in a form's hidden [`CSRF_FIELD`] input.
///
/// Handlers get it with the [`CsrfToken`] extractor (it is computed by the
/// security middleware for the request's session) or, right after rotating
/// the session, from [`WebSecurity::csrf_token_for`](super::config::WebSecurity::csrf_token_for).
#[derive(Clone, PartialEq, Eq)]
pub struct CsrfToken(String);

impl CsrfToken {
    /// The text to put in the form.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CsrfToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CsrfToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_verifies_for_its_session_only() {
        let key = CsrfKey::from_bytes([1; 32]);
        let s1 = RandomToken::from_bytes([2; 32]);
        let s2 = RandomToken::from_bytes([3; 32]);
        let t1 = key.token_for(&s1);
        assert_eq!(t1.as_str().len(), 43);
        assert!(key.verify(&s1, t1.as_str()));
        assert!(!key.verify(&s2, t1.as_str()));
        assert_ne!(t1, key.token_for(&s2));
    }

    #[test]
    fn token_depends_on_the_key() {
        let s = RandomToken::from_bytes([2; 32]);
        let t = CsrfKey::from_bytes([1; 32]).token_for(&s);
        assert!(!CsrfKey::from_bytes([9; 32]).verify(&s, t.as_str()));
    }

    #[test]
    fn token_is_not_the_session_id() {
        let s = RandomToken::from_bytes([2; 32]);
        let t = CsrfKey::from_bytes([1; 32]).token_for(&s);
        assert_ne!(t.as_str(), s.encode());
    }

    #[test]
    fn malformed_tokens_fail() {
        let key = CsrfKey::from_bytes([1; 32]);
        let s = RandomToken::from_bytes([2; 32]);
        let good = key.token_for(&s).as_str().to_owned();
        for bad in [
            "",
            "x",
            &good[..42],
            &format!("{good}="),
            &good.to_uppercase(),
        ] {
            assert!(!key.verify(&s, bad), "{bad:?}");
        }
    }

    /// Independent check of the construction against RFC 4231 test case 2
    /// (HMAC-SHA-256, key "Jefe"), so a wrong HMAC wiring would show.
    #[test]
    fn hmac_matches_rfc4231() {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let out: [u8; 32] = mac.finalize().into_bytes().into();
        let hex: String = out.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn debug_is_redacted() {
        let key = CsrfKey::from_bytes([1; 32]);
        let t = key.token_for(&RandomToken::from_bytes([2; 32]));
        assert!(!format!("{t:?}").contains(t.as_str()));
        assert_eq!(format!("{key:?}"), "CsrfKey(<redacted>)");
    }
}
