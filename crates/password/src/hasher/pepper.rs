//! The host's [`Pepper`]: a secret kept outside the database, mixed into
//! every hash and keying the prefix verifiers; and the peppers a
//! [`Hasher`](super::Hasher) holds, each under a numeric id that the hashes
//! it makes record (so the pepper can be replaced without a flag day).

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::Error;

/// A pepper must carry at least 128 bits.
const MIN_PEPPER_LEN: usize = 16;
const MAX_PEPPER_LEN: usize = 1024;

/// Domain separation for the prefix verifier's keyed digest.
const PREFIX_DOMAIN: &[u8] = b"shikaku-password/prefix-verifier/v1\0";

/// The id of a pepper given without one ([`HasherBuilder::pepper`](super::HasherBuilder::pepper)),
/// and of every hash that names none.
pub const DEFAULT_PEPPER_ID: u32 = 1;

/// A secret key mixed into every hash (argon2's "secret" input) and used as
/// the HMAC key of prefix verifiers. The host keeps it outside the database
/// (a file readable only by the service, a KMS, an environment secret), so
/// that a stolen database alone cannot be attacked offline.
///
/// 16 to 1024 bytes; use 32 random bytes. Wiped on drop; `Debug` prints
/// `Pepper(***)`. A hash records the id of the pepper it was made with
/// ([`PasswordHash::pepper_id`](super::PasswordHash::pepper_id)); a hasher
/// verifies it with that pepper, so a new pepper can be introduced while the
/// older ones still verify (see [`HasherBuilder::older_pepper`](super::HasherBuilder::older_pepper)).
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

/// The peppers of one hasher: the current one (new hashes) and older ones
/// (verification only), each with its id. Empty: no pepper at all.
#[derive(Default)]
pub(super) struct PepperRing {
    current: Option<(u32, Pepper)>,
    older: Vec<(u32, Pepper)>,
}

impl PepperRing {
    /// Checks the ids: never 0, never twice, older peppers only beside a current one.
    pub(super) fn new(
        current: Option<(u32, Pepper)>,
        older: Vec<(u32, Pepper)>,
    ) -> Result<Self, Error> {
        if current.is_none() && !older.is_empty() {
            return Err(Error::InvalidPepper("older peppers need a current one"));
        }
        let ids: Vec<u32> = current.iter().chain(&older).map(|(id, _)| *id).collect();
        if ids.contains(&0) {
            return Err(Error::InvalidPepper("a pepper id must not be 0"));
        }
        if ids.iter().enumerate().any(|(i, id)| ids[..i].contains(id)) {
            return Err(Error::InvalidPepper("two peppers have the same id"));
        }
        Ok(Self { current, older })
    }

    pub(super) fn is_empty(&self) -> bool {
        self.current.is_none()
    }

    /// The current pepper's id ([`DEFAULT_PEPPER_ID`] without a pepper: hashes then
    /// name none).
    pub(super) fn current_id(&self) -> u32 {
        self.current
            .as_ref()
            .map_or(DEFAULT_PEPPER_ID, |(id, _)| *id)
    }

    pub(super) fn current(&self) -> Option<&Pepper> {
        self.current.as_ref().map(|(_, p)| p)
    }

    /// Every id held, the current one first.
    pub(super) fn ids(&self) -> Vec<u32> {
        self.current
            .iter()
            .chain(&self.older)
            .map(|(id, _)| *id)
            .collect()
    }

    /// The pepper a hash naming `id` was made with: `None` for a hasher without
    /// peppers (the hash is verified without one, as it always was).
    ///
    /// # Errors
    /// [`Error::UnknownPepper`] for an id this ring does not hold;
    /// [`Error::UnsupportedHash`] for a `keyid` that is no pepper id.
    pub(super) fn for_id(&self, id: Option<u32>) -> Result<Option<&Pepper>, Error> {
        if self.is_empty() {
            return Ok(None);
        }
        let id = id.ok_or(Error::UnsupportedHash("its keyid is not a pepper id"))?;
        self.current
            .iter()
            .chain(&self.older)
            .find(|(held, _)| *held == id)
            .map(|(_, pepper)| Some(pepper))
            .ok_or(Error::UnknownPepper(id))
    }
}

/// The keyed digest a prefix verifier is made from:
/// HMAC-SHA256(key = pepper, or empty without one;
/// msg = domain ‖ len(account) ‖ account ‖ len(prefix) ‖ prefix).
pub(super) fn prefix_digest(
    pepper: Option<&Pepper>,
    account_id: &str,
    prefix: &str,
) -> Result<Zeroizing<[u8; 32]>, Error> {
    let key: &[u8] = pepper.map_or(&[], Pepper::as_bytes);
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .map_err(|_| Error::Hashing("HMAC refused the key"))?;
    mac.update(PREFIX_DOMAIN);
    for field in [account_id.as_bytes(), prefix.as_bytes()] {
        let len = u64::try_from(field.len()).unwrap_or(u64::MAX);
        mac.update(&len.to_be_bytes());
        mac.update(field);
    }
    let tag = mac.finalize().into_bytes();
    let mut digest = Zeroizing::new([0u8; 32]);
    for (d, t) in digest.iter_mut().zip(tag.iter()) {
        *d = *t;
    }
    Ok(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pepper(byte: u8) -> Pepper {
        Pepper::new([byte; 32]).unwrap()
    }

    #[test]
    fn ring_ids_are_checked() {
        assert!(PepperRing::new(None, vec![(2, pepper(2))]).is_err());
        assert!(PepperRing::new(Some((0, pepper(1))), vec![]).is_err());
        assert!(PepperRing::new(Some((2, pepper(1))), vec![(2, pepper(2))]).is_err());
        let ring = PepperRing::new(Some((3, pepper(3))), vec![(1, pepper(1))]).unwrap();
        assert_eq!(ring.ids(), [3, 1]);
        assert_eq!(ring.current_id(), 3);
        assert_eq!(ring.for_id(Some(1)).unwrap().unwrap().as_bytes(), [1; 32]);
        assert_eq!(ring.for_id(Some(2)).unwrap_err(), Error::UnknownPepper(2));
        assert!(matches!(ring.for_id(None), Err(Error::UnsupportedHash(_))));
        let none = PepperRing::default();
        assert!(
            none.for_id(Some(9)).unwrap().is_none(),
            "no peppers: none used"
        );
        assert_eq!(none.current_id(), DEFAULT_PEPPER_ID);
    }

    #[test]
    fn prefix_digest_is_unambiguous_and_keyed() {
        let a = prefix_digest(None, "ab", "cdefg").unwrap();
        let b = prefix_digest(None, "abc", "defg").unwrap();
        assert_ne!(*a, *b, "account/prefix boundary must matter");
        assert_ne!(*a, *prefix_digest(Some(&pepper(9)), "ab", "cdefg").unwrap());
        assert_ne!(
            *prefix_digest(Some(&pepper(8)), "ab", "cdefg").unwrap(),
            *prefix_digest(Some(&pepper(9)), "ab", "cdefg").unwrap()
        );
        assert_eq!(*a, *prefix_digest(None, "ab", "cdefg").unwrap());
    }
}
