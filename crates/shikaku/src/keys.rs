//! The host's master key, the subkeys derived from it, and opaque tokens.
//!
//! One 32-byte [`MasterKey`], kept by the host outside the database, is expanded with
//! HKDF-SHA256 into two independent subkeys: a ChaCha20-Poly1305 key that seals TOTP
//! secrets at rest, and the argon2 pepper (its secret input). Holding the database
//! alone therefore yields neither a usable TOTP secret nor an offline-checkable hash.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::Error;
use crate::clock::SharedRng;
use crate::ids::AccountId;
use crate::totp::Secret;

const INFO_TOTP_AEAD: &[u8] = b"shikaku/v1/totp-secret-aead";
const INFO_PEPPER: &[u8] = b"shikaku/v1/argon2-pepper";
const INFO_KEY_CHECK: &[u8] = b"shikaku/v1/key-check-value";
const INFO_WEB_CSRF: &[u8] = b"shikaku/v1/web-csrf-key";
const SEALED_VERSION: u8 = 1;

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

/// A TOTP secret sealed with ChaCha20-Poly1305, bound to its account by the AAD.
///
/// Layout: `version (1) || nonce (12) || ciphertext+tag`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedSecret(pub Vec<u8>);

impl fmt::Debug for SealedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SealedSecret({} bytes)", self.0.len())
    }
}

/// Seals and opens TOTP secrets.
pub(crate) struct SecretBox {
    cipher: ChaCha20Poly1305,
}

impl SecretBox {
    pub(crate) fn new(master: &MasterKey) -> Self {
        let key = master.derive(INFO_TOTP_AEAD);
        Self {
            cipher: ChaCha20Poly1305::new(&Key::from(*key)),
        }
    }

    fn aad(account: AccountId) -> Vec<u8> {
        let mut aad = b"shikaku/v1/totp/".to_vec();
        aad.extend_from_slice(&account.0.to_be_bytes());
        aad
    }

    pub(crate) fn seal(
        &self,
        account: AccountId,
        secret: &Secret,
        rng: &SharedRng,
    ) -> Result<SealedSecret, Error> {
        let nonce_bytes = rng.bytes::<12>();
        let aad = Self::aad(account);
        let ciphertext = self
            .cipher
            .encrypt(
                &Nonce::from(nonce_bytes),
                Payload {
                    msg: secret.expose_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| Error::Crypto)?;
        let mut out = Vec::with_capacity(1 + 12 + ciphertext.len());
        out.push(SEALED_VERSION);
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&ciphertext);
        Ok(SealedSecret(out))
    }

    pub(crate) fn open(&self, account: AccountId, sealed: &SealedSecret) -> Result<Secret, Error> {
        let bytes = &sealed.0;
        if bytes.len() < 1 + 12 + 16 || bytes[0] != SEALED_VERSION {
            return Err(Error::Crypto);
        }
        let nonce: [u8; 12] = bytes[1..13].try_into().map_err(|_| Error::Crypto)?;
        let aad = Self::aad(account);
        let plain = Zeroizing::new(
            self.cipher
                .decrypt(
                    &Nonce::from(nonce),
                    Payload {
                        msg: &bytes[13..],
                        aad: &aad,
                    },
                )
                .map_err(|_| Error::Crypto)?,
        );
        Secret::from_bytes(&plain).map_err(|_| Error::Crypto)
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
    fn sealed_secret_round_trips_and_is_bound_to_its_account() {
        let rng = rng();
        let master = MasterKey::generate(&rng);
        let secret_box = SecretBox::new(&master);
        let secret = rng.with(|r| Secret::generate(r));
        let sealed = secret_box.seal(AccountId(1), &secret, &rng).unwrap();
        assert_ne!(
            &sealed.0[13..33],
            secret.expose_bytes(),
            "ciphertext is not the secret"
        );
        let opened = secret_box.open(AccountId(1), &sealed).unwrap();
        assert_eq!(opened.expose_bytes(), secret.expose_bytes());
        assert!(
            secret_box.open(AccountId(2), &sealed).is_err(),
            "moved to another account"
        );
        let other = SecretBox::new(&MasterKey::generate(&rng));
        assert!(other.open(AccountId(1), &sealed).is_err(), "wrong key");
        let mut tampered = sealed;
        let last = tampered.0.len() - 1;
        tampered.0[last] ^= 1;
        assert!(secret_box.open(AccountId(1), &tampered).is_err());
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
