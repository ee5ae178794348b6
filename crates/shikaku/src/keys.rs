//! The host's master keys, the subkeys derived from them, and opaque tokens.
//!
//! A 32-byte [`MasterKey`], kept by the host outside the database, is expanded with
//! HKDF-SHA256 into two independent subkeys: a ChaCha20-Poly1305 key that seals TOTP
//! secrets at rest, and the argon2 pepper (its secret input). Holding the database
//! alone therefore yields neither a usable TOTP secret nor an offline-checkable hash.
//!
//! | module | holds |
//! |---|---|
//! | this one | [`MasterKey`], [`Token`], [`TokenDigest`] |
//! | `ring` | [`KeyId`], [`MasterKeys`] (the current key and older ones) and the key file's text |
//! | `sealed` | [`SealedSecret`] (naming its key) and the `SecretBox` that seals and opens |
//! | `usage` | [`KeyUsage`]: which records still use which key |
//!
//! Every sealed secret and password hash names the key it was made under (a sealed
//! secret's layout, a hash's PHC `keyid`; neither names key 1, so a database that never
//! rotates keeps its bytes), so a new key can become current while older ones still
//! open and verify what they made (`docs/key-rotation.md`).

mod ring;
mod sealed;
mod usage;

use std::fmt;

use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

pub use self::ring::{KeyId, MasterKeys};
pub use self::sealed::SealedSecret;
pub(crate) use self::sealed::SecretBox;
pub(crate) use self::usage::pepper_key;
pub use self::usage::{KeyCounts, KeyUsage};
use crate::Error;
use crate::clock::SharedRng;

const INFO_TOTP_AEAD: &[u8] = b"shikaku/v1/totp-secret-aead";
const INFO_PEPPER: &[u8] = b"shikaku/v1/argon2-pepper";
const INFO_KEY_CHECK: &[u8] = b"shikaku/v1/key-check-value";
const INFO_WEB_CSRF: &[u8] = b"shikaku/v1/web-csrf-key";
const INFO_UNKNOWN_IDENTIFIER: &[u8] = b"shikaku/v1/unknown-identifier-fingerprint";

/// The host's 256-bit master key. Zeroized on drop; `Debug` hides it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MasterKey([u8; 32]);

impl MasterKey {
    /// A key from exactly 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let array: [u8; 32] = bytes.try_into().map_err(|_| Error::InvalidMasterKey)?;
        Ok(Self(array))
    }

    /// A fresh random key.
    pub fn generate(rng: &SharedRng) -> Self {
        Self(rng.bytes::<32>())
    }

    /// Hex text (64 characters), for a key file.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex(&self.0))
    }

    /// Parses the hex text of a key file (surrounding white space ignored).
    pub fn from_hex(text: &str) -> Result<Self, Error> {
        let bytes = Zeroizing::new(unhex(text.trim()).ok_or(Error::InvalidMasterKey)?);
        Self::from_bytes(&bytes)
    }

    fn derive(&self, info: &[u8]) -> Zeroizing<[u8; 32]> {
        let mut okm = Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA256's 255 × 32 limit, so expand cannot fail.
        let _ = Hkdf::<Sha256>::new(None, &self.0).expand(info, okm.as_mut());
        okm
    }

    /// The key of the web layer's CSRF tokens, derived under its own label: every node
    /// that holds this master key signs and accepts the same tokens, so a form served by
    /// one node behind a load balancer can be posted to another.
    pub fn web_csrf_key(&self) -> Zeroizing<[u8; 32]> {
        self.derive(INFO_WEB_CSRF)
    }

    /// The key of the fingerprints that stand for identifiers naming no account in the
    /// audit log and the logs (a password typed into the login ID field must not be
    /// recorded as typed).
    pub(crate) fn unknown_identifier_key(&self) -> Zeroizing<[u8; 32]> {
        self.derive(INFO_UNKNOWN_IDENTIFIER)
    }

    /// The key check value a store keeps to recognise this key: an HKDF output under
    /// its own label, from which neither the key nor its subkeys can be computed.
    pub fn check_value(&self) -> crate::store::KeyCheck {
        crate::store::KeyCheck(*self.derive(INFO_KEY_CHECK))
    }

    /// The argon2 pepper subkey.
    pub(crate) fn pepper_bytes(&self) -> Zeroizing<[u8; 32]> {
        self.derive(INFO_PEPPER)
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

/// An opaque bearer token (login ticket or session): 256 random bits.
///
/// The facade deals in the 32 bytes only; how a client carries them (hex in the JSON
/// API, base64url in a cookie) is the adapter's business. Only the SHA-256 of the bytes
/// ([`TokenDigest`]) is stored, so a copy of the database holds no live session.
/// Zeroized on drop; `Debug` hides it; equality is constant-time.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Token([u8; 32]);

impl Token {
    /// The token's length in bytes.
    pub const LEN: usize = 32;

    pub(crate) fn generate(rng: &SharedRng) -> Self {
        Self(rng.bytes::<32>())
    }

    /// The token a client presented, decoded by the adapter.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The 32 bytes, for the adapter to encode.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// What the store keeps: the SHA-256 of the bytes.
    pub fn digest(&self) -> TokenDigest {
        TokenDigest(Sha256::digest(self.0).into())
    }
}

impl PartialEq for Token {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}
impl Eq for Token {}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

/// The SHA-256 of a [`Token`]: the store's lookup key.
#[derive(Clone, Copy, Serialize, Deserialize)]
pub struct TokenDigest(pub [u8; 32]);

impl PartialEq for TokenDigest {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}
impl Eq for TokenDigest {}

impl std::hash::Hash for TokenDigest {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl TokenDigest {
    /// Hex form, for stores that key on text.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }
}

impl fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenDigest({}…)", &self.to_hex()[..8])
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    text.as_bytes()
        .chunks(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn rng() -> SharedRng {
        SharedRng::new(ChaCha20Rng::seed_from_u64(7))
    }

    #[test]
    fn subkeys_differ_and_master_key_hex_round_trips() {
        let master = MasterKey::generate(&rng());
        assert_ne!(*master.derive(INFO_PEPPER), *master.derive(INFO_TOTP_AEAD));
        let back = MasterKey::from_hex(&format!(" {}\n", master.to_hex().as_str())).unwrap();
        assert_eq!(back.0, master.0);
        assert!(MasterKey::from_hex("abc").is_err());
        assert!(MasterKey::from_hex(&"zz".repeat(32)).is_err());
        assert_eq!(format!("{master:?}"), "MasterKey(***)");
    }

    #[test]
    fn tokens_are_256_random_bits_and_stored_as_their_digest() {
        let rng = rng();
        let a = Token::generate(&rng);
        let b = Token::generate(&rng);
        assert_ne!(a, b);
        assert_eq!(Token::from_bytes(*a.as_bytes()), a);
        assert_eq!(
            a.digest().0,
            <[u8; 32]>::from(Sha256::digest(a.as_bytes())),
            "the digest is over the bytes"
        );
        assert_ne!(a.digest(), b.digest());
        assert_eq!(format!("{a:?}"), "Token(***)");
    }
}
