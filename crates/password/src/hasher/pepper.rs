//! The host's [`Pepper`]: a secret kept outside the database, mixed into
//! every hash and keying the prefix verifiers.

use core::fmt;

use zeroize::Zeroizing;

use crate::Error;

/// A pepper must carry at least 128 bits.
const MIN_PEPPER_LEN: usize = 16;
const MAX_PEPPER_LEN: usize = 1024;

/// A secret key mixed into every hash (argon2's "secret" input) and used as
/// the HMAC key of prefix verifiers. The host keeps it outside the database
/// (a file readable only by the service, a KMS, an environment secret), so
/// that a stolen database alone cannot be attacked offline.
///
/// 16 to 1024 bytes; use 32 random bytes. Wiped on drop; `Debug` prints
/// `Pepper(***)`. Changing the pepper makes every stored hash unverifiable.
pub struct Pepper(Zeroizing<Vec<u8>>);

impl Pepper {
    /// Wraps the pepper's bytes (taken over, not copied, when a `Vec<u8>`).
    ///
    /// # Errors
    /// [`Error::InvalidPepper`] if shorter than 16 or longer than 1024 bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, Error> {
        let bytes = Zeroizing::new(bytes.into());
        if bytes.len() < MIN_PEPPER_LEN {
            return Err(Error::InvalidPepper("must be at least 16 bytes"));
        }
        if bytes.len() > MAX_PEPPER_LEN {
            return Err(Error::InvalidPepper("must be at most 1024 bytes"));
        }
        Ok(Self(bytes))
    }

    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Pepper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pepper(***)")
    }
}
