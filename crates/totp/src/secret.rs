//! The shared TOTP secret.

use core::fmt;

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::Error;
use crate::setup_key::SetupKey;

/// Length of a freshly generated secret: 20 bytes = 160 bits, the length
/// RFC 4226 §4 recommends and the output size of HMAC-SHA-1.
pub const SECRET_LEN: usize = 20;

/// Shortest secret [`Secret::from_bytes`] accepts (128 bits, RFC 4226 §4 R6).
pub const MIN_SECRET_LEN: usize = 10;

/// Longest secret [`Secret::from_bytes`] accepts (one SHA-1 block; longer
/// HMAC keys are hashed down anyway).
pub const MAX_SECRET_LEN: usize = 64;

/// The key shared by the server and the staff member's Authenticator.
///
/// The bytes live on the heap (so moving a `Secret` never leaves copies on
/// the stack), are wiped when dropped, and never appear in `Debug` output:
///
/// ```
/// # use shikaku_totp::Secret;
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// assert_eq!(format!("{secret:?}"), "Secret(***)");
/// # Ok::<(), shikaku_totp::Error>(())
/// ```
///
/// Equality is constant-time. There is deliberately no `Display` and no
/// serde: a store persists [`expose_bytes`](Secret::expose_bytes), ideally
/// encrypted, and the staff member sees it only as a [`SetupKey`] or inside
/// an [`OtpauthUri`](crate::OtpauthUri).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Secret(Box<[u8]>);

impl Secret {
    /// Draws a new [`SECRET_LEN`]-byte secret from a cryptographically
    /// secure generator.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        // Allocate first and fill in place, so the bytes exist only here.
        let mut bytes = vec![0_u8; SECRET_LEN].into_boxed_slice();
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// Wraps existing key bytes (for example read back from storage).
    ///
    /// # Errors
    ///
    /// [`Error::SecretLength`] unless `bytes` is
    /// [`MIN_SECRET_LEN`]`..=`[`MAX_SECRET_LEN`] long.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        if (MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&bytes.len()) {
            Ok(Self(Box::from(bytes)))
        } else {
            Err(Error::SecretLength { len: bytes.len() })
        }
    }

    /// The raw key bytes, for storage. Handle with care.
    #[must_use]
    pub fn expose_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret as the setup key the staff member can type or paste
    /// (《テキストでコピー》).
    #[must_use]
    pub fn setup_key(&self) -> SetupKey {
        SetupKey::from_secret(self.clone())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl ConstantTimeEq for Secret {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        // Lengths are public; contents are compared in constant time.
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Secret {}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn generate_draws_twenty_bytes_from_the_rng() {
        let mut a = ChaCha20Rng::from_seed([1; 32]);
        let mut b = ChaCha20Rng::from_seed([1; 32]);
        let secret = Secret::generate(&mut a);
        let mut expected = [0_u8; SECRET_LEN];
        rand_core::Rng::fill_bytes(&mut b, &mut expected);
        assert_eq!(secret.expose_bytes(), expected);
        // The next draw differs: the rng advanced.
        assert_ne!(Secret::generate(&mut a), secret);
    }

    #[test]
    fn generate_accepts_a_dyn_rng() {
        let mut rng = ChaCha20Rng::from_seed([2; 32]);
        let rng: &mut dyn CryptoRng = &mut rng;
        assert_eq!(Secret::generate(rng).expose_bytes().len(), SECRET_LEN);
    }

    #[test]
    fn from_bytes_bounds() {
        assert_eq!(
            Secret::from_bytes(&[0; 9]),
            Err(Error::SecretLength { len: 9 })
        );
        assert!(Secret::from_bytes(&[0; 10]).is_ok());
        assert!(Secret::from_bytes(&[0; 64]).is_ok());
        assert_eq!(
            Secret::from_bytes(&[0; 65]),
            Err(Error::SecretLength { len: 65 })
        );
        assert_eq!(
            Secret::from_bytes(&[7; 12]).unwrap().expose_bytes(),
            [7; 12]
        );
    }

    #[test]
    fn debug_is_redacted() {
        let secret = Secret::from_bytes(b"ABCDEFGHIJKLMNOPQRST").unwrap();
        let debug = format!("{secret:?} {secret:#?}");
        assert_eq!(debug, "Secret(***) Secret(***)");
    }

    #[test]
    fn equality_compares_contents_and_length() {
        let a = Secret::from_bytes(&[1; 20]).unwrap();
        assert_eq!(a, Secret::from_bytes(&[1; 20]).unwrap());
        assert_ne!(a, Secret::from_bytes(&[1; 21]).unwrap());
        let mut other = [1; 20];
        other[19] = 2;
        assert_ne!(a, Secret::from_bytes(&other).unwrap());
    }

    #[test]
    fn zeroize_wipes_the_bytes() {
        let mut secret = Secret::from_bytes(&[0xAB; 20]).unwrap();
        secret.zeroize();
        assert!(secret.expose_bytes().iter().all(|&b| b == 0));
    }
}
