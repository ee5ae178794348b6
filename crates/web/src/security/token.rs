//! 256-bit random tokens (session / pre-session ids, CSRF keys).

use std::fmt;

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::encoding::{base64url, base64url_decode_exact};

/// A 256-bit token drawn from an injected [`CryptoRng`], written as 43
/// characters of unpadded base64url.
///
/// * Equality is constant-time.
/// * `Debug` never shows the value; the bytes are zeroized on drop.
/// * [`RandomToken::parse`] accepts exactly one spelling (strict base64url,
///   43 characters, canonical trailing bits).
///
/// The web layer only ever reads tokens from the `Cookie` header or a POST
/// body — never from a URL query.
///
/// ```
/// use shikaku_web::security::RandomToken;
/// # use rand_core::SeedableRng;
/// let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
/// let token = RandomToken::generate(&mut rng);
/// let text = token.encode();
/// assert_eq!(text.len(), 43);
/// assert_eq!(RandomToken::parse(&text), Some(token));
/// assert_eq!(RandomToken::parse("not a token"), None);
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct RandomToken([u8; RandomToken::BYTES]);

impl RandomToken {
    /// Size in bytes (256 bits).
    pub const BYTES: usize = 32;
    /// Length of [`RandomToken::encode`]'s output.
    pub const ENCODED_LEN: usize = 43;

    /// Draws a fresh token.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = [0u8; Self::BYTES];
        rng.fill_bytes(&mut bytes);
        RandomToken(bytes)
    }

    /// Wraps bytes produced elsewhere (e.g. a session id made by the facade).
    #[must_use]
    pub const fn from_bytes(bytes: [u8; Self::BYTES]) -> Self {
        RandomToken(bytes)
    }

    /// Parses the 43-character base64url form; `None` for anything else.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        base64url_decode_exact::<{ Self::BYTES }>(text).map(RandomToken)
    }

    /// The 43-character base64url form.
    #[must_use]
    pub fn encode(&self) -> String {
        base64url(&self.0)
    }

    /// The raw bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; Self::BYTES] {
        &self.0
    }

    /// The cookie form of a facade token (login ticket or session): the same
    /// 32 bytes, so the cookie value *is* the token and the web layer keeps no
    /// session table of its own.
    #[must_use]
    pub fn from_facade(token: &shikaku::Token) -> Self {
        RandomToken(*token.as_bytes())
    }

    /// The facade token with these 32 bytes (the inverse of
    /// [`RandomToken::from_facade`]). For a pre-session id the facade simply
    /// knows no such ticket or session.
    #[must_use]
    pub fn to_facade(&self) -> shikaku::Token {
        shikaku::Token::from_bytes(self.0)
    }
}

impl PartialEq for RandomToken {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for RandomToken {}

impl fmt::Debug for RandomToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RandomToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn tokens_are_distinct_and_round_trip() {
        let mut rng = ChaCha20Rng::from_seed([1; 32]);
        let a = RandomToken::generate(&mut rng);
        let b = RandomToken::generate(&mut rng);
        assert_ne!(a, b);
        assert_eq!(RandomToken::parse(&a.encode()), Some(a.clone()));
        assert_eq!(a.encode().len(), RandomToken::ENCODED_LEN);
    }

    #[test]
    fn generation_uses_the_injected_rng() {
        let a = RandomToken::generate(&mut ChaCha20Rng::from_seed([9; 32]));
        let b = RandomToken::generate(&mut ChaCha20Rng::from_seed([9; 32]));
        assert_eq!(
            a, b,
            "same seed, same token: the rng is the only entropy source"
        );
        assert_ne!(a.as_bytes(), &[0u8; 32]);
    }

    #[test]
    fn debug_is_redacted() {
        let t = RandomToken::from_bytes([0xab; 32]);
        let dbg = format!("{t:?}");
        assert!(!dbg.contains(&t.encode()));
        assert!(dbg.contains("redacted"));
    }

    #[test]
    fn facade_tokens_round_trip_through_the_cookie_form() {
        let t = RandomToken::from_bytes([0x5a; 32]);
        let facade = t.to_facade();
        assert_eq!(facade.as_bytes(), &[0x5a; 32]);
        assert_eq!(RandomToken::from_facade(&facade), t);
        let other = shikaku::Token::from_bytes([0x0f; 32]);
        assert_eq!(RandomToken::from_facade(&other).as_bytes(), &[0x0f; 32]);
        assert_eq!(RandomToken::parse(&t.encode()).unwrap().to_facade(), facade);
    }

    #[test]
    fn works_with_a_dyn_rng() {
        let mut rng = ChaCha20Rng::from_seed([3; 32]);
        let dyn_rng: &mut dyn rand_core::CryptoRng = &mut rng;
        let t = RandomToken::generate(dyn_rng);
        assert_eq!(t.encode().len(), 43);
    }
}
