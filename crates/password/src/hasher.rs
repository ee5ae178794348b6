//! Argon2id hashing: the [`Hasher`], its [`HasherBuilder`], the host's
//! [`Pepper`] and stored [`PasswordHash`]es.
//!
//! | module | holds |
//! |---|---|
//! | this one | [`Hasher`]: hash, verify, `needs_rehash`, prefix digests; the cost limits |
//! | `builder` | [`HasherBuilder`] and its range checks |
//! | `pepper` | [`Pepper`], the host's secret |
//! | `phc` | [`PasswordHash`]: PHC strings, parsed and validated |
//! | `settings` | [`HashSettings`]: what decides the work of verifying a hash |
//! | `pool` | the reusable argon2 memory (why: see there) |
//! | `parallel` | [`Hasher::run_all`], the fan-out of a history check |

mod builder;
mod parallel;
mod pepper;
mod phc;
mod pool;
mod settings;

use core::fmt;

use argon2::{Algorithm, Argon2, Params, Version};
use hmac::{Hmac, KeyInit, Mac};
use rand_core::CryptoRng;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

pub use self::builder::HasherBuilder;
pub use self::pepper::Pepper;
pub use self::phc::PasswordHash;
use self::pool::{MemoryPool, block_count};
pub use self::settings::HashSettings;
use crate::{Error, Password};

/// Default argon2id memory cost in KiB; alias of [`Hasher::DEFAULT_M_COST`].
pub const DEFAULT_M_COST: u32 = Hasher::DEFAULT_M_COST;
/// Default argon2id number of passes; alias of [`Hasher::DEFAULT_T_COST`].
pub const DEFAULT_T_COST: u32 = Hasher::DEFAULT_T_COST;
/// Default argon2id lanes; alias of [`Hasher::DEFAULT_P_COST`].
pub const DEFAULT_P_COST: u32 = Hasher::DEFAULT_P_COST;
/// Default number of worker threads for a history check; alias of
/// [`Hasher::DEFAULT_WORKERS`].
pub const DEFAULT_WORKERS: usize = Hasher::DEFAULT_WORKERS;

/// Largest memory cost accepted, in KiB; alias of [`Hasher::MAX_M_COST`].
pub const MAX_M_COST: u32 = Hasher::MAX_M_COST;
/// Largest number of passes accepted; alias of [`Hasher::MAX_T_COST`].
pub const MAX_T_COST: u32 = Hasher::MAX_T_COST;
/// Largest number of lanes accepted; alias of [`Hasher::MAX_P_COST`].
pub const MAX_P_COST: u32 = Hasher::MAX_P_COST;
/// Largest number of worker threads (and pooled buffers) accepted; alias of
/// [`Hasher::MAX_WORKERS`].
pub const MAX_WORKERS: usize = Hasher::MAX_WORKERS;

/// Salt length in bytes (the PHC recommendation).
const SALT_LEN: usize = 16;
/// Hash output length in bytes.
const OUTPUT_LEN: usize = 32;
/// Domain separation for the prefix verifier's keyed digest.
const PREFIX_DOMAIN: &[u8] = b"shikaku-password/prefix-verifier/v1\0";

/// Argon2id password hasher with pooled memory and an optional [`Pepper`].
///
/// `Hasher::default()` is argon2id v19 with m = 19456 KiB, t = 2, p = 1,
/// 16-byte salts, 32-byte output, no pepper, 2 workers. It is `Send + Sync`;
/// share one behind an `Arc`.
///
/// ```
/// use rand_chacha::ChaCha20Rng;
/// use rand_core::SeedableRng;
/// use shikaku_password::{Hasher, Password};
///
/// let mut rng = ChaCha20Rng::from_seed([1; 32]); // use an OS-seeded CSPRNG
/// let hasher = Hasher::builder().m_cost(64).t_cost(1).build()?; // tiny, for the example
/// let pw = Password::new("Staff-2024");
/// let hash = hasher.hash(&pw, &mut rng)?;
/// assert!(hash.as_str().starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
/// assert!(hasher.verify(&pw, &hash)?);
/// assert!(!hasher.verify(&Password::new("Staff-2025"), &hash)?);
/// assert!(Hasher::default().needs_rehash(&hash));
/// # Ok::<(), shikaku_password::Error>(())
/// ```
pub struct Hasher {
    m_cost: u32,
    t_cost: u32,
    p_cost: u32,
    pepper: Option<Pepper>,
    workers: usize,
    pool: MemoryPool,
}

impl Default for Hasher {
    fn default() -> Self {
        Self {
            m_cost: Self::DEFAULT_M_COST,
            t_cost: Self::DEFAULT_T_COST,
            p_cost: Self::DEFAULT_P_COST,
            pepper: None,
            workers: Self::DEFAULT_WORKERS,
            pool: MemoryPool::new(
                block_count(Self::DEFAULT_M_COST, Self::DEFAULT_P_COST),
                Self::DEFAULT_WORKERS,
            ),
        }
    }
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hasher")
            .field("m_cost", &self.m_cost)
            .field("t_cost", &self.t_cost)
            .field("p_cost", &self.p_cost)
            .field("pepper", &self.pepper.as_ref().map(|_| "***"))
            .field("workers", &self.workers)
            .field("pool_capacity", &self.pool.capacity())
            .finish()
    }
}

impl Hasher {
    /// Default argon2id memory cost in KiB (19 MiB, OWASP's first recommended
    /// argon2id setting).
    pub const DEFAULT_M_COST: u32 = 19_456;
    /// Default argon2id number of passes.
    pub const DEFAULT_T_COST: u32 = 2;
    /// Default argon2id lanes.
    pub const DEFAULT_P_COST: u32 = 1;
    /// Default number of worker threads for a history check.
    pub const DEFAULT_WORKERS: usize = 2;

    /// Largest memory cost accepted, in KiB (1 GiB), for this hasher and for
    /// stored hashes: a stored hash cannot make verification allocate more.
    pub const MAX_M_COST: u32 = 1 << 20;
    /// Largest number of passes accepted.
    pub const MAX_T_COST: u32 = 64;
    /// Largest number of lanes accepted.
    pub const MAX_P_COST: u32 = 16;
    /// Largest number of worker threads (and pooled buffers) accepted.
    pub const MAX_WORKERS: usize = 64;

    /// A builder starting from the defaults.
    pub fn builder() -> HasherBuilder {
        HasherBuilder::default()
    }

    /// Memory cost in KiB.
    #[must_use]
    pub const fn m_cost(&self) -> u32 {
        self.m_cost
    }

    /// Number of passes.
    #[must_use]
    pub const fn t_cost(&self) -> u32 {
        self.t_cost
    }

    /// Number of lanes.
    #[must_use]
    pub const fn p_cost(&self) -> u32 {
        self.p_cost
    }

    /// Worker threads used by a history check.
    #[must_use]
    pub const fn workers(&self) -> usize {
        self.workers
    }

    /// Whether a pepper is mixed in.
    #[must_use]
    pub const fn has_pepper(&self) -> bool {
        self.pepper.is_some()
    }

    fn params(&self) -> Result<Params, Error> {
        Params::new(self.m_cost, self.t_cost, self.p_cost, Some(OUTPUT_LEN))
            .map_err(|_| Error::InvalidHasherParams("argon2 refused the parameters"))
    }

    fn context(
        &self,
        algorithm: Algorithm,
        version: Version,
        params: Params,
    ) -> Result<Argon2<'_>, Error> {
        match &self.pepper {
            Some(pepper) => Argon2::new_with_secret(pepper.as_bytes(), algorithm, version, params)
                .map_err(|_| Error::InvalidPepper("argon2 refused the pepper")),
            None => Ok(Argon2::new(algorithm, version, params)),
        }
    }

    /// Draws a fresh salt from the injected CSPRNG.
    pub(crate) fn draw_salt<R: CryptoRng + ?Sized>(rng: &mut R) -> [u8; SALT_LEN] {
        let mut salt = [0u8; SALT_LEN];
        rng.fill_bytes(&mut salt);
        salt
    }

    /// Hashes a password with a fresh salt from `rng`.
    ///
    /// # Errors
    /// [`Error::Hashing`] if memory for argon2 cannot be allocated.
    pub fn hash<R: CryptoRng + ?Sized>(
        &self,
        password: &Password,
        rng: &mut R,
    ) -> Result<PasswordHash, Error> {
        let salt = Self::draw_salt(rng);
        self.hash_with_salt(password.as_str().as_bytes(), &salt)
    }

    /// Hashes `secret` (a password or a prefix digest) with `salt`.
    pub(crate) fn hash_with_salt(
        &self,
        secret: &[u8],
        salt: &[u8; SALT_LEN],
    ) -> Result<PasswordHash, Error> {
        let params = self.params()?;
        let params_string = phc::encode_params(&params)?;
        let context = self.context(Algorithm::Argon2id, Version::V0x13, params)?;
        let mut out = Zeroizing::new([0u8; OUTPUT_LEN]);
        {
            let mut memory = self.pool.take(block_count(self.m_cost, self.p_cost))?;
            context
                .hash_password_into_with_memory(secret, salt, &mut out[..], memory.blocks_mut())
                .map_err(|_| Error::Hashing("argon2 failed"))?;
        }
        PasswordHash::argon2id(params_string, salt, &out[..])
    }

    /// The settings of every hash this hasher makes ([`Hasher::hash`]).
    ///
    /// # Errors
    /// Only if the configured costs cannot be encoded (the builder refuses
    /// such costs, so not in practice).
    pub fn settings(&self) -> Result<HashSettings, Error> {
        HashSettings::new(Algorithm::Argon2id, Version::V0x13, self.params()?)
    }

    /// Hashes `password` (with a fresh salt from `rng` and this hasher's
    /// pepper) exactly as `settings` say — variant, version, costs, output
    /// length — instead of with this hasher's own costs.
    ///
    /// For timing dummies: verifying a wrong password against the result
    /// costs what verifying it against any stored hash of those settings
    /// costs. New passwords are hashed with [`Hasher::hash`].
    ///
    /// # Errors
    /// [`Error::Hashing`] if memory for argon2 cannot be allocated or argon2
    /// refuses the settings.
    pub fn hash_with_settings<R: CryptoRng + ?Sized>(
        &self,
        password: &Password,
        settings: &HashSettings,
        rng: &mut R,
    ) -> Result<PasswordHash, Error> {
        let salt = Self::draw_salt(rng);
        let params = settings.params.clone();
        let params_string = phc::encode_params(&params)?;
        let needed = params.block_count();
        let context = self.context(settings.algorithm, settings.version, params)?;
        let mut out = Zeroizing::new(vec![0u8; settings.output_len()]);
        {
            let mut memory = self.pool.take(needed)?;
            context
                .hash_password_into_with_memory(
                    password.as_str().as_bytes(),
                    &salt,
                    &mut out[..],
                    memory.blocks_mut(),
                )
                .map_err(|_| Error::Hashing("argon2 refused the settings"))?;
        }
        PasswordHash::encode(
            settings.algorithm,
            settings.version,
            params_string,
            &salt,
            &out[..],
        )
    }

    /// Whether `password` matches `hash`. Comparison is constant-time.
    ///
    /// The stored hash's own algorithm, version and costs are used, so
    /// hashes made under older parameters keep verifying.
    ///
    /// # Errors
    /// Only when the stored hash cannot be used: a pepper mismatch shows up
    /// as `Ok(false)`, not as an error.
    pub fn verify(&self, password: &Password, hash: &PasswordHash) -> Result<bool, Error> {
        self.verify_bytes(password.as_str().as_bytes(), hash)
    }

    pub(crate) fn verify_bytes(&self, secret: &[u8], hash: &PasswordHash) -> Result<bool, Error> {
        let parsed = hash.parse()?;
        let needed = parsed.params.block_count();
        let context = self.context(parsed.algorithm, parsed.version, parsed.params)?;
        let expected = parsed.hash.as_bytes();
        let mut out = Zeroizing::new(vec![0u8; expected.len()]);
        {
            let mut memory = self.pool.take(needed)?;
            context
                .hash_password_into_with_memory(
                    secret,
                    parsed.salt.as_ref(),
                    &mut out[..],
                    memory.blocks_mut(),
                )
                .map_err(|_| Error::UnsupportedHash("argon2 refused the stored parameters"))?;
        }
        Ok(bool::from(out.as_slice().ct_eq(expected)))
    }

    /// Whether `hash` was made with other settings than this hasher's (a
    /// different argon2 variant or version, other costs, another output
    /// length). Re-hash the password after the next successful login.
    #[must_use]
    pub fn needs_rehash(&self, hash: &PasswordHash) -> bool {
        let Ok(parsed) = hash.parse() else {
            return true;
        };
        parsed.algorithm != Algorithm::Argon2id
            || parsed.version != Version::V0x13
            || parsed.params.m_cost() != self.m_cost
            || parsed.params.t_cost() != self.t_cost
            || parsed.params.p_cost() != self.p_cost
            || parsed.hash.len() != OUTPUT_LEN
            || !parsed.params.keyid().is_empty()
            || !parsed.params.data().is_empty()
    }

    /// The keyed digest a prefix verifier is made from:
    /// HMAC-SHA256(key = pepper, or empty without one;
    /// msg = domain ‖ len(account) ‖ account ‖ len(prefix) ‖ prefix).
    pub(crate) fn prefix_digest(
        &self,
        account_id: &str,
        prefix: &str,
    ) -> Result<Zeroizing<[u8; 32]>, Error> {
        let key: &[u8] = self.pepper.as_ref().map_or(&[], Pepper::as_bytes);
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Hasher {
        Hasher::builder().m_cost(64).t_cost(1).build().unwrap()
    }

    #[test]
    fn hasher_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Hasher>();
        assert_send_sync::<PasswordHash>();
    }

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

    #[test]
    fn prefix_digest_is_unambiguous_and_keyed() {
        let plain = small();
        let a = plain.prefix_digest("ab", "cdefg").unwrap();
        let b = plain.prefix_digest("abc", "defg").unwrap();
        assert_ne!(*a, *b, "account/prefix boundary must matter");
        let peppered = Hasher::builder()
            .m_cost(64)
            .t_cost(1)
            .pepper(Pepper::new([9u8; 32]).unwrap())
            .build()
            .unwrap();
        assert_ne!(*a, *peppered.prefix_digest("ab", "cdefg").unwrap());
        assert_eq!(*a, *plain.prefix_digest("ab", "cdefg").unwrap());
    }
}
