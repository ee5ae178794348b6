//! [`HasherBuilder`]: costs, pepper, workers and pool size, range-checked
//! before a [`Hasher`] exists.

use argon2::Params;

use super::pepper::{DEFAULT_PEPPER_ID, PepperRing};
use super::pool::{MemoryPool, block_count};
use super::{Hasher, OUTPUT_LEN, Pepper};
use crate::Error;

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
    pepper: Option<(u32, Pepper)>,
    older_peppers: Vec<(u32, Pepper)>,
    workers: usize,
    pool_capacity: Option<usize>,
}

impl Default for HasherBuilder {
    fn default() -> Self {
        Self {
            m_cost: Hasher::DEFAULT_M_COST,
            t_cost: Hasher::DEFAULT_T_COST,
            p_cost: Hasher::DEFAULT_P_COST,
            pepper: None,
            older_peppers: Vec::new(),
            workers: Hasher::DEFAULT_WORKERS,
            pool_capacity: None,
        }
    }
}

impl HasherBuilder {
    /// Memory cost in KiB; at least `8 × p_cost`, at most
    /// [`Hasher::MAX_M_COST`].
    pub fn m_cost(mut self, kib: u32) -> Self {
        self.m_cost = kib;
        self
    }

    /// Number of passes; 1 ..= [`Hasher::MAX_T_COST`].
    pub fn t_cost(mut self, passes: u32) -> Self {
        self.t_cost = passes;
        self
    }

    /// Number of lanes; 1 ..= [`Hasher::MAX_P_COST`]. (Lanes are computed
    /// one after the other; parallelism comes from
    /// [`workers`](Self::workers).)
    pub fn p_cost(mut self, lanes: u32) -> Self {
        self.p_cost = lanes;
        self
    }

    /// Mixes a pepper into every hash and keys the prefix verifiers with it:
    /// the current pepper, id [`DEFAULT_PEPPER_ID`] (1), which hashes record by
    /// naming none (as every hash made before pepper ids).
    pub fn pepper(self, pepper: Pepper) -> Self {
        self.keyed_pepper(DEFAULT_PEPPER_ID, pepper)
    }

    /// The current pepper under id `id` (not 0): new hashes and prefix
    /// verifiers are made with it and name it (PHC `keyid`; none for id 1).
    pub fn keyed_pepper(mut self, id: u32, pepper: Pepper) -> Self {
        self.pepper = Some((id, pepper));
        self
    }

    /// An older pepper, kept to verify the hashes that name `id`. Such a hash
    /// verifies as before, and [`Hasher::needs_rehash`] says to replace it with
    /// one under the current pepper at the next successful login.
    ///
    /// ```
    /// use rand_chacha::ChaCha20Rng;
    /// use rand_core::SeedableRng;
    /// use shikaku_password::{Hasher, Password, Pepper};
    ///
    /// let mut rng = ChaCha20Rng::from_seed([3; 32]);
    /// let old = Hasher::builder().m_cost(64).t_cost(1).pepper(Pepper::new([1; 32])?).build()?;
    /// let stored = old.hash(&Password::new("Staff-2024"), &mut rng)?;
    /// assert_eq!(stored.pepper_id(), Some(1));
    ///
    /// let new = Hasher::builder()
    ///     .m_cost(64)
    ///     .t_cost(1)
    ///     .keyed_pepper(2, Pepper::new([2; 32])?)
    ///     .older_pepper(1, Pepper::new([1; 32])?)
    ///     .build()?;
    /// assert!(new.verify(&Password::new("Staff-2024"), &stored)?);
    /// assert!(new.needs_rehash(&stored));
    /// let moved = new.hash(&Password::new("Staff-2024"), &mut rng)?;
    /// assert_eq!(moved.pepper_id(), Some(2));
    /// assert!(moved.as_str().starts_with("$argon2id$v=19$m=64,t=1,p=1,keyid=AAAAAg$"));
    /// assert!(!new.needs_rehash(&moved));
    /// # Ok::<(), shikaku_password::Error>(())
    /// ```
    pub fn older_pepper(mut self, id: u32, pepper: Pepper) -> Self {
        self.older_peppers.push((id, pepper));
        self
    }

    /// Threads a history check may use, the calling thread included;
    /// 1 ..= [`Hasher::MAX_WORKERS`]. Default 2.
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n;
        self
    }

    /// How many memory buffers (`m_cost` KiB each) the hasher keeps for
    /// reuse; 0 ..= [`Hasher::MAX_WORKERS`]. Default: the number of workers.
    /// Raise it to the number of threads that hash concurrently in your
    /// service.
    pub fn pool_capacity(mut self, n: usize) -> Self {
        self.pool_capacity = Some(n);
        self
    }

    /// Validates and builds the hasher.
    ///
    /// # Errors
    /// [`Error::InvalidHasherParams`] for costs or counts out of range;
    /// [`Error::InvalidPepper`] for a pepper id of 0, two peppers under one
    /// id, or older peppers without a current one.
    pub fn build(self) -> Result<Hasher, Error> {
        if self.m_cost > Hasher::MAX_M_COST {
            return Err(Error::InvalidHasherParams("m_cost must be at most 1 GiB"));
        }
        if !(1..=Hasher::MAX_T_COST).contains(&self.t_cost) {
            return Err(Error::InvalidHasherParams("t_cost must be 1..=64"));
        }
        if !(1..=Hasher::MAX_P_COST).contains(&self.p_cost) {
            return Err(Error::InvalidHasherParams("p_cost must be 1..=16"));
        }
        if self.m_cost < 8 * self.p_cost {
            return Err(Error::InvalidHasherParams(
                "m_cost must be at least 8 KiB per lane",
            ));
        }
        if !(1..=Hasher::MAX_WORKERS).contains(&self.workers) {
            return Err(Error::InvalidHasherParams("workers must be 1..=64"));
        }
        let capacity = self.pool_capacity.unwrap_or(self.workers);
        if capacity > Hasher::MAX_WORKERS {
            return Err(Error::InvalidHasherParams("pool_capacity must be 0..=64"));
        }
        Params::new(self.m_cost, self.t_cost, self.p_cost, Some(OUTPUT_LEN))
            .map_err(|_| Error::InvalidHasherParams("argon2 refused the parameters"))?;
        Ok(Hasher {
            m_cost: self.m_cost,
            t_cost: self.t_cost,
            p_cost: self.p_cost,
            peppers: PepperRing::new(self.pepper, self.older_peppers)?,
            workers: self.workers,
            pool: MemoryPool::new(block_count(self.m_cost, self.p_cost), capacity),
        })
    }
}
