//! Argon2id hashing: [`Hasher`], [`Pepper`], [`PasswordHash`].
//!
//! # Memory
//!
//! The `argon2` crate's own `hash_password_into` allocates a fresh
//! `m_cost` KiB block (19 MiB by default) on every call. With glibc that
//! fragments the heap (a single thread hashing 300 times peaked near 275 MB
//! RSS) and every call pays the page faults of touching 19 MiB of new
//! memory. [`Hasher`] instead keeps a small pool of block buffers behind a
//! `Mutex`, one per worker, and runs argon2 through
//! `Argon2::hash_password_into_with_memory`, so peak RSS stays near
//! `workers × m_cost` and the page faults are paid once. A buffer is wiped
//! (zeroized) before it goes back to the pool, so no argon2 state of one
//! password lingers while another is hashed.
//!
//! # Parallel history checks
//!
//! A history check verifies the new password against up to 4 retired
//! hashes and 4 prefix verifiers: 8 independent argon2 runs.
//! [`Hasher::run_all`] spreads them over `workers` threads (std scoped
//! threads; the calling thread is one of them).

use core::fmt;
use core::str::FromStr;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use argon2::password_hash::phc;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use hmac::{Hmac, KeyInit, Mac};
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::{Error, Password};

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

/// Salt length in bytes (the PHC recommendation).
const SALT_LEN: usize = 16;
/// Hash output length in bytes.
const OUTPUT_LEN: usize = 32;
/// A pepper must carry at least 128 bits.
const MIN_PEPPER_LEN: usize = 16;
const MAX_PEPPER_LEN: usize = 1024;
/// Domain separation for the prefix verifier's keyed digest.
const PREFIX_DOMAIN: &[u8] = b"shikaku-password/prefix-verifier/v1\0";

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

    fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Pepper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pepper(***)")
    }
}

/// A stored password hash: an argon2 PHC string such as
/// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`.
///
/// The argon2 variant, version and costs travel inside the string, so a
/// hash made under old parameters still verifies after the [`Hasher`] is
/// given higher ones ([`Hasher::needs_rehash`] says when to upgrade).
///
/// Parsing validates the string: argon2id, argon2i or argon2d, version 16
/// or 19 present, salt and hash present, costs within [`MAX_M_COST`],
/// [`MAX_T_COST`], [`MAX_P_COST`]. Serde uses the string form. `Debug`
/// shows the algorithm and parameters but not the salt or hash.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PasswordHash(String);

/// A [`PasswordHash`] taken apart for verification.
struct Parsed {
    algorithm: Algorithm,
    version: Version,
    params: Params,
    salt: phc::Salt,
    hash: phc::Output,
}

impl PasswordHash {
    /// The PHC string.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn parse(&self) -> Result<Parsed, Error> {
        parse_phc(&self.0)
    }
}

fn parse_phc(s: &str) -> Result<Parsed, Error> {
    let phc = phc::PasswordHash::new(s).map_err(|_| Error::MalformedHash("not a PHC string"))?;
    let salt = phc
        .salt
        .ok_or(Error::MalformedHash("the salt is missing"))?;
    let hash = phc
        .hash
        .ok_or(Error::MalformedHash("the hash is missing"))?;
    let algorithm = Algorithm::new(phc.algorithm.as_str())
        .map_err(|_| Error::UnsupportedHash("algorithm is not argon2id, argon2i or argon2d"))?;
    let version = phc
        .version
        .ok_or(Error::UnsupportedHash("the argon2 version (v=) is missing"))
        .and_then(|v| {
            Version::try_from(v)
                .map_err(|_| Error::UnsupportedHash("argon2 version is not 16 or 19"))
        })?;
    let params =
        Params::try_from(&phc).map_err(|_| Error::MalformedHash("invalid argon2 parameters"))?;
    if params.m_cost() > MAX_M_COST {
        return Err(Error::UnsupportedHash("memory cost above 1 GiB"));
    }
    if params.t_cost() > MAX_T_COST {
        return Err(Error::UnsupportedHash("more than 64 passes"));
    }
    if params.p_cost() > MAX_P_COST {
        return Err(Error::UnsupportedHash("more than 16 lanes"));
    }
    Ok(Parsed {
        algorithm,
        version,
        params,
        salt,
        hash,
    })
}

impl TryFrom<String> for PasswordHash {
    type Error = Error;

    fn try_from(s: String) -> Result<Self, Error> {
        parse_phc(&s)?;
        Ok(Self(s))
    }
}

impl TryFrom<&str> for PasswordHash {
    type Error = Error;

    fn try_from(s: &str) -> Result<Self, Error> {
        Self::try_from(s.to_owned())
    }
}

impl FromStr for PasswordHash {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::try_from(s)
    }
}

impl From<PasswordHash> for String {
    fn from(hash: PasswordHash) -> Self {
        hash.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `$alg$v=..$params$salt$hash`: keep the first four fields.
        let end = self
            .0
            .match_indices('$')
            .nth(3)
            .map_or(self.0.len(), |(i, _)| i);
        let shown = self.0.get(..end).unwrap_or("");
        write!(f, "PasswordHash(\"{shown}$…\")")
    }
}

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
            m_cost: DEFAULT_M_COST,
            t_cost: DEFAULT_T_COST,
            p_cost: DEFAULT_P_COST,
            pepper: None,
            workers: DEFAULT_WORKERS,
            pool: MemoryPool::new(block_count(DEFAULT_M_COST, DEFAULT_P_COST), DEFAULT_WORKERS),
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
            .field("pool_capacity", &self.pool.capacity)
            .finish()
    }
}

/// Number of 1 KiB blocks argon2 uses for these costs (as `Params::block_count`).
fn block_count(m_cost: u32, p_cost: u32) -> usize {
    let lanes = p_cost.max(1);
    let per_lane_rounded = m_cost / (4 * lanes) * 4;
    usize::try_from(per_lane_rounded * lanes).unwrap_or(usize::MAX)
}

impl Hasher {
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
        let params_string = phc::ParamsString::try_from(&params)
            .map_err(|_| Error::Hashing("cannot encode the parameters"))?;
        let context = self.context(Algorithm::Argon2id, Version::V0x13, params)?;
        let mut out = Zeroizing::new([0u8; OUTPUT_LEN]);
        {
            let mut memory = self.pool.take(block_count(self.m_cost, self.p_cost))?;
            context
                .hash_password_into_with_memory(secret, salt, &mut out[..], memory.blocks_mut())
                .map_err(|_| Error::Hashing("argon2 failed"))?;
        }
        let encoded = phc::PasswordHash {
            algorithm: argon2::ARGON2ID_IDENT,
            version: Some(Version::V0x13.into()),
            params: params_string,
            salt: Some(phc::Salt::new(salt).map_err(|_| Error::Hashing("salt"))?),
            hash: Some(phc::Output::new(&out[..]).map_err(|_| Error::Hashing("output"))?),
        };
        Ok(PasswordHash(encoded.to_string()))
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

    /// Runs `f` over every job, spread over up to `workers` threads (the
    /// calling thread included), and returns the results in job order.
    pub(crate) fn run_all<T, O, F>(&self, jobs: &[T], f: F) -> Result<Vec<O>, Error>
    where
        T: Sync,
        O: Send,
        F: Fn(&T) -> O + Sync,
    {
        let workers = self.workers.min(jobs.len());
        if workers <= 1 {
            return Ok(jobs.iter().map(f).collect());
        }
        let next = AtomicUsize::new(0);
        // Each worker returns its results with their job indices.
        let work = || {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                done.push((i, f(job)));
            }
            done
        };
        std::thread::scope(|scope| {
            let mut handles = Vec::with_capacity(workers - 1);
            for _ in 1..workers {
                // If a thread cannot be started the others (and this one)
                // simply take more jobs.
                if let Ok(handle) = std::thread::Builder::new()
                    .name("shikaku-argon2".to_owned())
                    .spawn_scoped(scope, work)
                {
                    handles.push(handle);
                }
            }
            let mut slots: Vec<Option<O>> = jobs.iter().map(|_| None).collect();
            let mut place = |done: Vec<(usize, O)>| {
                for (i, out) in done {
                    if let Some(slot) = slots.get_mut(i) {
                        *slot = Some(out);
                    }
                }
            };
            place(work());
            let mut panicked = false;
            for handle in handles {
                match handle.join() {
                    Ok(done) => place(done),
                    Err(_) => panicked = true,
                }
            }
            if panicked {
                return Err(Error::Hashing("an argon2 worker thread panicked"));
            }
            slots
                .into_iter()
                .collect::<Option<Vec<O>>>()
                .ok_or(Error::Hashing("an argon2 job was not run"))
        })
    }
}

/// Builds a validated [`Hasher`].
///
/// ```
/// use shikaku_password::{Hasher, Pepper};
///
/// let pepper = Pepper::new(vec![0x5a; 32])?; // load it from outside the database
/// let hasher = Hasher::builder().m_cost(65_536).t_cost(3).pepper(pepper).workers(4).build()?;
/// assert_eq!(hasher.m_cost(), 65_536);
/// assert!(Hasher::builder().t_cost(0).build().is_err());
/// # Ok::<(), shikaku_password::Error>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct HasherBuilder {
    m_cost: u32,
    t_cost: u32,
    p_cost: u32,
    pepper: Option<Pepper>,
    workers: usize,
    pool_capacity: Option<usize>,
}

impl Default for HasherBuilder {
    fn default() -> Self {
        Self {
            m_cost: DEFAULT_M_COST,
            t_cost: DEFAULT_T_COST,
            p_cost: DEFAULT_P_COST,
            pepper: None,
            workers: DEFAULT_WORKERS,
            pool_capacity: None,
        }
    }
}

impl HasherBuilder {
    /// Memory cost in KiB; at least `8 × p_cost`, at most [`MAX_M_COST`].
    pub fn m_cost(mut self, kib: u32) -> Self {
        self.m_cost = kib;
        self
    }

    /// Number of passes; 1 ..= [`MAX_T_COST`].
    pub fn t_cost(mut self, passes: u32) -> Self {
        self.t_cost = passes;
        self
    }

    /// Number of lanes; 1 ..= [`MAX_P_COST`]. (Lanes are computed one after
    /// the other; parallelism comes from [`workers`](Self::workers).)
    pub fn p_cost(mut self, lanes: u32) -> Self {
        self.p_cost = lanes;
        self
    }

    /// Mixes a pepper into every hash and keys the prefix verifiers with it.
    pub fn pepper(mut self, pepper: Pepper) -> Self {
        self.pepper = Some(pepper);
        self
    }

    /// Threads a history check may use, the calling thread included;
    /// 1 ..= [`MAX_WORKERS`]. Default 2.
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n;
        self
    }

    /// How many memory buffers (`m_cost` KiB each) the hasher keeps for
    /// reuse; 0 ..= [`MAX_WORKERS`]. Default: the number of workers. Raise
    /// it to the number of threads that hash concurrently in your service.
    pub fn pool_capacity(mut self, n: usize) -> Self {
        self.pool_capacity = Some(n);
        self
    }

    /// Validates and builds the hasher.
    ///
    /// # Errors
    /// [`Error::InvalidHasherParams`] for costs or counts out of range.
    pub fn build(self) -> Result<Hasher, Error> {
        if self.m_cost > MAX_M_COST {
            return Err(Error::InvalidHasherParams("m_cost must be at most 1 GiB"));
        }
        if !(1..=MAX_T_COST).contains(&self.t_cost) {
            return Err(Error::InvalidHasherParams("t_cost must be 1..=64"));
        }
        if !(1..=MAX_P_COST).contains(&self.p_cost) {
            return Err(Error::InvalidHasherParams("p_cost must be 1..=16"));
        }
        if self.m_cost < 8 * self.p_cost {
            return Err(Error::InvalidHasherParams(
                "m_cost must be at least 8 KiB per lane",
            ));
        }
        if !(1..=MAX_WORKERS).contains(&self.workers) {
            return Err(Error::InvalidHasherParams("workers must be 1..=64"));
        }
        let capacity = self.pool_capacity.unwrap_or(self.workers);
        if capacity > MAX_WORKERS {
            return Err(Error::InvalidHasherParams("pool_capacity must be 0..=64"));
        }
        Params::new(self.m_cost, self.t_cost, self.p_cost, Some(OUTPUT_LEN))
            .map_err(|_| Error::InvalidHasherParams("argon2 refused the parameters"))?;
        Ok(Hasher {
            m_cost: self.m_cost,
            t_cost: self.t_cost,
            p_cost: self.p_cost,
            pepper: self.pepper,
            workers: self.workers,
            pool: MemoryPool::new(block_count(self.m_cost, self.p_cost), capacity),
        })
    }
}

/// Reusable argon2 memory: up to `capacity` buffers of `block_count` blocks.
struct MemoryPool {
    free: Mutex<Vec<Vec<Block>>>,
    block_count: usize,
    capacity: usize,
}

impl MemoryPool {
    fn new(block_count: usize, capacity: usize) -> Self {
        Self {
            free: Mutex::new(Vec::with_capacity(capacity)),
            block_count,
            capacity,
        }
    }

    /// A buffer of at least `needed` blocks: a pooled one if it is large
    /// enough, else a fresh one (argon2 uses only the first `needed`).
    fn take(&self, needed: usize) -> Result<PooledBlocks<'_>, Error> {
        let reused = {
            let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
            free.iter()
                .position(|b| b.len() >= needed)
                .map(|i| free.swap_remove(i))
        };
        let blocks = match reused {
            Some(blocks) => blocks,
            None => {
                let len = needed.max(self.block_count);
                let mut blocks = Vec::new();
                blocks
                    .try_reserve_exact(len)
                    .map_err(|_| Error::Hashing("out of memory for argon2"))?;
                blocks.resize(len, Block::new());
                blocks
            }
        };
        Ok(PooledBlocks { pool: self, blocks })
    }
}

/// A buffer on loan from the pool; wiped and returned on drop.
struct PooledBlocks<'a> {
    pool: &'a MemoryPool,
    blocks: Vec<Block>,
}

impl PooledBlocks<'_> {
    fn blocks_mut(&mut self) -> &mut [Block] {
        &mut self.blocks
    }
}

impl Drop for PooledBlocks<'_> {
    fn drop(&mut self) {
        for block in &mut self.blocks {
            block.zeroize();
        }
        if self.blocks.len() != self.pool.block_count {
            return; // an odd size (an old hash's larger m_cost): let it go
        }
        let mut free = self
            .pool
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if free.len() < self.pool.capacity {
            free.push(core::mem::take(&mut self.blocks));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn small() -> Hasher {
        Hasher::builder().m_cost(64).t_cost(1).build().unwrap()
    }

    #[test]
    fn block_count_matches_argon2() {
        for (m, p) in [(8, 1), (64, 1), (67, 1), (19_456, 1), (100, 3), (1000, 16)] {
            let params = Params::new(m, 1, p, None).unwrap();
            assert_eq!(block_count(m, p), params.block_count(), "m={m} p={p}");
        }
    }

    #[test]
    fn hasher_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Hasher>();
        assert_send_sync::<PasswordHash>();
    }

    #[test]
    fn pool_reuses_and_bounds_its_buffers() {
        let hasher = Hasher::builder()
            .m_cost(64)
            .t_cost(1)
            .workers(2)
            .build()
            .unwrap();
        let pool = &hasher.pool;
        let a = pool.take(64).unwrap();
        let b = pool.take(64).unwrap();
        let c = pool.take(64).unwrap();
        let a_ptr = a.blocks.as_ptr();
        drop(a);
        drop(b);
        drop(c);
        assert_eq!(pool.free.lock().unwrap().len(), 2, "capacity is 2");
        // A smaller old hash borrows a pooled buffer; a larger one gets its own.
        let small = pool.take(32).unwrap();
        assert_eq!(small.blocks.len(), 64);
        let big = pool.take(128).unwrap();
        assert_eq!(big.blocks.len(), 128);
        drop(big);
        drop(small);
        assert_eq!(pool.free.lock().unwrap().len(), 2);
        assert!(
            pool.free
                .lock()
                .unwrap()
                .iter()
                .any(|b| b.as_ptr() == a_ptr)
        );
    }

    #[test]
    fn returned_buffers_are_wiped() {
        let hasher = Hasher::builder()
            .m_cost(64)
            .t_cost(1)
            .workers(1)
            .build()
            .unwrap();
        let mut rng = ChaCha20Rng::from_seed([3; 32]);
        hasher.hash(&Password::new("Staff-2024"), &mut rng).unwrap();
        let free = hasher.pool.free.lock().unwrap();
        assert_eq!(free.len(), 1);
        let zero = Block::new();
        assert!(free[0].iter().all(|b| b.as_ref() == zero.as_ref()));
    }

    #[test]
    fn pool_capacity_zero_keeps_nothing() {
        let hasher = Hasher::builder()
            .m_cost(64)
            .t_cost(1)
            .pool_capacity(0)
            .build()
            .unwrap();
        let mut rng = ChaCha20Rng::from_seed([3; 32]);
        let hash = hasher.hash(&Password::new("Staff-2024"), &mut rng).unwrap();
        assert!(hasher.verify(&Password::new("Staff-2024"), &hash).unwrap());
        assert!(hasher.pool.free.lock().unwrap().is_empty());
    }

    #[test]
    fn run_all_keeps_job_order_with_any_worker_count() {
        for workers in [1, 2, 3, 8] {
            let hasher = Hasher::builder()
                .m_cost(64)
                .t_cost(1)
                .workers(workers)
                .build()
                .unwrap();
            let jobs: Vec<u32> = (0..17).collect();
            let out = hasher.run_all(&jobs, |j| j * 10).unwrap();
            assert_eq!(out, jobs.iter().map(|j| j * 10).collect::<Vec<_>>());
            assert!(hasher.run_all(&[] as &[u32], |j| *j).unwrap().is_empty());
        }
    }

    #[test]
    fn run_all_really_runs_jobs_at_the_same_time() {
        // Job 0 waits for a message that only job 1 sends: run one after the
        // other, job 0 would time out.
        let hasher = Hasher::builder()
            .m_cost(64)
            .t_cost(1)
            .workers(2)
            .build()
            .unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let rx = Mutex::new(rx);
        let tx = Mutex::new(tx);
        let out = hasher
            .run_all(&[0, 1], |job| {
                if *job == 0 {
                    let rx = rx.lock().unwrap();
                    rx.recv_timeout(std::time::Duration::from_secs(10)).is_ok()
                } else {
                    tx.lock().unwrap().send(()).is_ok()
                }
            })
            .unwrap();
        assert_eq!(out, [true, true]);
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
