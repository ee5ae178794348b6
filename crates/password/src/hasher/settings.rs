//! [`HashSettings`]: what decides the work of verifying a stored hash (argon2
//! variant, version, costs, output length), without its salt or hash, so a
//! host can keep one timing dummy per setting its store holds.

use core::fmt;
use core::hash::Hash;

use argon2::{Algorithm, Params, Version};

use super::phc;
use crate::Error;

/// The argon2 settings a [`PasswordHash`](super::PasswordHash) was made
/// with: variant, version, `m`/`t`/`p` (and any associated `data`) and
/// output length — everything that decides how much work verifying it costs
/// — but not its salt, its hash, nor the id of its pepper (`keyid`: argon2
/// ignores it, and every pepper costs the same, so hashes under different
/// peppers share their settings).
///
/// Two hashes with equal settings cost the same to verify, whatever
/// password they hold. A service that must answer a wrong password for any
/// account in the same time keeps one dummy hash per distinct setting of its
/// store ([`Hasher::hash_with_settings`](super::Hasher::hash_with_settings))
/// and runs one verification per setting on every attempt.
///
/// `Display` is the PHC prefix with the output length, e.g.
/// `$argon2id$v=19$m=19456,t=2,p=1$len=32`; equality, ordering and hashing
/// follow that text.
///
/// ```
/// use rand_chacha::ChaCha20Rng;
/// use rand_core::SeedableRng;
/// use shikaku_password::{Hasher, Password};
///
/// let mut rng = ChaCha20Rng::from_seed([2; 32]);
/// let old = Hasher::builder().m_cost(64).t_cost(1).build()?;
/// let new = Hasher::builder().m_cost(128).t_cost(1).build()?;
/// let stored = old.hash(&Password::new("Staff-2024"), &mut rng)?;
/// let settings = stored.settings()?;
/// assert_eq!(settings.to_string(), "$argon2id$v=19$m=64,t=1,p=1$len=32");
/// assert_ne!(settings, new.settings()?);
/// // The new hasher can make a dummy that costs what the old hash costs.
/// let dummy = new.hash_with_settings(&Password::new("dummy"), &settings, &mut rng)?;
/// assert_eq!(dummy.settings()?, settings);
/// # Ok::<(), shikaku_password::Error>(())
/// ```
#[derive(Clone)]
pub struct HashSettings {
    pub(super) algorithm: Algorithm,
    pub(super) version: Version,
    pub(super) params: Params,
    text: String,
}

impl HashSettings {
    /// `params` must carry the output length (as parsed from a PHC string, or as a
    /// [`Hasher`](super::Hasher) builds them).
    pub(super) fn new(
        algorithm: Algorithm,
        version: Version,
        params: &Params,
    ) -> Result<Self, Error> {
        let params = phc::with_pepper_id(params, None)?;
        let params_text = phc::encode_params(&params)?;
        let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let text = format!(
            "${}$v={}${params_text}$len={output_len}",
            algorithm.as_str(),
            u32::from(version)
        );
        Ok(Self {
            algorithm,
            version,
            params,
            text,
        })
    }

    /// The output length in bytes.
    pub(super) fn output_len(&self) -> usize {
        self.params
            .output_len()
            .unwrap_or(Params::DEFAULT_OUTPUT_LEN)
    }

    /// The canonical text (see the type's docs).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialEq for HashSettings {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for HashSettings {}

impl PartialOrd for HashSettings {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for HashSettings {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.text.cmp(&other.text)
    }
}

impl Hash for HashSettings {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl fmt::Display for HashSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for HashSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HashSettings({:?})", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Hasher, PasswordHash, Pepper};
    use crate::Password;

    #[test]
    fn hash_with_settings_reproduces_any_stored_setting() {
        use rand_chacha::ChaCha20Rng;
        use rand_core::SeedableRng;
        let mut rng = ChaCha20Rng::from_seed([5; 32]);
        let hasher = Hasher::builder()
            .m_cost(64)
            .t_cost(1)
            .pepper(Pepper::new([7u8; 32]).unwrap())
            .build()
            .unwrap();
        assert_eq!(
            hasher.settings().unwrap().as_str(),
            "$argon2id$v=19$m=64,t=1,p=1$len=32"
        );
        let pw = Password::new("Staff-2024");
        // Another variant, version, costs and output length than the hasher's.
        let old = PasswordHash::try_from(
            "$argon2i$v=16$m=32,t=2,p=2$c29tZXNhbHRzb21lc2FsdA$\
             AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )
        .unwrap();
        let settings = old.settings().unwrap();
        assert_eq!(settings.as_str(), "$argon2i$v=16$m=32,t=2,p=2$len=32");
        let dummy = hasher.hash_with_settings(&pw, &settings, &mut rng).unwrap();
        assert_eq!(dummy.settings().unwrap(), settings);
        assert!(dummy.as_str().starts_with("$argon2i$v=16$m=32,t=2,p=2$"));
        assert!(
            hasher.verify(&pw, &dummy).unwrap(),
            "a real hash of its password"
        );
        assert!(!hasher.verify(&Password::new("Other-2024"), &dummy).unwrap());
        // Its own settings give what `hash` gives, but for the salt.
        let own = hasher
            .hash_with_settings(&pw, &hasher.settings().unwrap(), &mut rng)
            .unwrap();
        assert_eq!(own.settings().unwrap(), hasher.settings().unwrap());
        assert!(!hasher.needs_rehash(&own));
        let short = PasswordHash::try_from(
            "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
        )
        .unwrap();
        assert_eq!(
            short.settings().unwrap().as_str(),
            "$argon2id$v=19$m=64,t=1,p=1$len=16",
            "the output length is part of the settings"
        );
    }
}
