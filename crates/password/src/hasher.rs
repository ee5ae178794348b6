//! Argon2id hashing: the [`Hasher`], its [`HasherBuilder`], the host's
//! [`Pepper`] and stored [`PasswordHash`]es.
//!
//! | module | holds |
//! |---|---|
//! | this one | [`Hasher`]: hash, verify, `needs_rehash`; the cost limits |
//! | `builder` | [`HasherBuilder`] and its range checks |
//! | `pepper` | [`Pepper`], the host's secret; the peppers a hasher holds, by id; prefix digests |
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
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

pub use self::builder::HasherBuilder;
pub use self::pepper::{DEFAULT_PEPPER_ID, Pepper};
use self::pepper::{PepperRing, prefix_digest};
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

/// Argon2id password hasher with pooled memory and optional [`Pepper`]s (the
/// current one, and older ones that still verify the hashes naming them).
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
    peppers: PepperRing,
    workers: usize,
    pool: MemoryPool,
}

impl Default for Hasher {
    fn default() -> Self {
        Self {
            m_cost: Self::DEFAULT_M_COST,
            t_cost: Self::DEFAULT_T_COST,
            p_cost: Self::DEFAULT_P_COST,
            peppers: PepperRing::default(),
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
            .field("pepper_ids", &self.peppers.ids())
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
    pub fn has_pepper(&self) -> bool {
        !self.peppers.is_empty()
    }

    /// The id of the current pepper, which new hashes name
    /// ([`PasswordHash::pepper_id`]); [`DEFAULT_PEPPER_ID`] without a pepper.
    #[must_use]
    pub fn pepper_id(&self) -> u32 {
        self.peppers.current_id()
    }

    /// The ids of every pepper held, the current one first (empty without a pepper).
    #[must_use]
    pub fn pepper_ids(&self) -> Vec<u32> {
        self.peppers.ids()
    }

    /// This hasher's costs, naming its current pepper.
    fn params(&self) -> Result<Params, Error> {
        let plain = Params::new(self.m_cost, self.t_cost, self.p_cost, Some(OUTPUT_LEN))
            .map_err(|_| Error::InvalidHasherParams("argon2 refused the parameters"))?;
        phc::with_pepper_id(&plain, Some(self.peppers.current_id()))
    }

    fn context<'a>(
        pepper: Option<&'a Pepper>,
        algorithm: Algorithm,
        version: Version,
        params: Params,
    ) -> Result<Argon2<'a>, Error> {
        match pepper {
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
        let context = Self::context(
            self.peppers.current(),
            Algorithm::Argon2id,
            Version::V0x13,
            params,
        )?;
        let mut out = Zeroizing::new([0u8; OUTPUT_LEN]);
        {
            let mut memory = self.pool.take(block_count(self.m_cost, self.p_cost))?;
            context
                .hash_password_into_with_memory(secret, salt, &mut out[..], memory.blocks_mut())
                .map_err(|_| Error::Hashing("argon2 failed"))?;
        }
        PasswordHash::argon2id(params_string, salt, &out[..])
    }

    /// The settings of every hash this hasher makes ([`Hasher::hash`]); they
    /// leave out the pepper's id ([`HashSettings`]).
    ///
    /// # Errors
    /// Only if the configured costs cannot be encoded (the builder refuses
    /// such costs, so not in practice).
    pub fn settings(&self) -> Result<HashSettings, Error> {
        HashSettings::new(Algorithm::Argon2id, Version::V0x13, &self.params()?)
    }

    /// Hashes `password` (with a fresh salt from `rng` and this hasher's
    /// current pepper, which the hash names) exactly as `settings` say — variant, version, costs, output
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
        let params = phc::with_pepper_id(&settings.params, Some(self.peppers.current_id()))?;
        let params_string = phc::encode_params(&params)?;
        let needed = params.block_count();
        let context = Self::context(
            self.peppers.current(),
            settings.algorithm,
            settings.version,
            params,
        )?;
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
    /// The stored hash's own algorithm, version, costs and pepper are used,
    /// so hashes made under older parameters, or under an older pepper this
    /// hasher still holds ([`HasherBuilder::older_pepper`]), keep verifying.
    ///
    /// # Errors
    /// Only when the stored hash cannot be used — [`Error::UnknownPepper`]
    /// when it names a pepper this hasher does not hold. A pepper that
    /// differs under the same id shows up as `Ok(false)`, not as an error.
    pub fn verify(&self, password: &Password, hash: &PasswordHash) -> Result<bool, Error> {
        self.verify_bytes(password.as_str().as_bytes(), hash)
    }

    pub(crate) fn verify_bytes(&self, secret: &[u8], hash: &PasswordHash) -> Result<bool, Error> {
        let parsed = hash.parse()?;
        let pepper = self.peppers.for_id(phc::pepper_id(&parsed.params))?;
        let needed = parsed.params.block_count();
        let context = Self::context(pepper, parsed.algorithm, parsed.version, parsed.params)?;
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
    /// length) or under another pepper than the current one. Re-hash the
    /// password after the next successful login.
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
            || phc::pepper_id(&parsed.params) != Some(self.peppers.current_id())
            || !parsed.params.data().is_empty()
    }

    /// The keyed digest a new prefix verifier is made from, under the current
    /// pepper (see `pepper::prefix_digest`).
    pub(crate) fn prefix_digest(
        &self,
        account_id: &str,
        prefix: &str,
    ) -> Result<Zeroizing<[u8; 32]>, Error> {
        prefix_digest(self.peppers.current(), account_id, prefix)
    }

    /// The keyed digest to check against the stored prefix verifier `verifier`:
    /// under the pepper it names.
    pub(crate) fn prefix_digest_for(
        &self,
        verifier: &PasswordHash,
        account_id: &str,
        prefix: &str,
    ) -> Result<Zeroizing<[u8; 32]>, Error> {
        let pepper = self.peppers.for_id(verifier.pepper_id())?;
        prefix_digest(pepper, account_id, prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hasher_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Hasher>();
        assert_send_sync::<PasswordHash>();
    }
}
