//! The argon2 memory pool.
//!
//! The `argon2` crate's own `hash_password_into` allocates a fresh
//! `m_cost` KiB block (19 MiB by default) on every call. With glibc that
//! fragments the heap (a single thread hashing 300 times peaked near 275 MB
//! RSS) and every call pays the page faults of touching 19 MiB of new
//! memory. [`Hasher`](super::Hasher) instead keeps a small pool of block
//! buffers behind a `Mutex`, one per worker, and runs argon2 through
//! `Argon2::hash_password_into_with_memory`, so peak RSS stays near
//! `workers × m_cost` and the page faults are paid once. A buffer is wiped
//! (zeroized) before it goes back to the pool, so no argon2 state of one
//! password lingers while another is hashed.

use std::sync::{Mutex, PoisonError};

use argon2::Block;
use zeroize::Zeroize;

use crate::Error;

/// Number of 1 KiB blocks argon2 uses for these costs (as `Params::block_count`).
pub(super) fn block_count(m_cost: u32, p_cost: u32) -> usize {
    let lanes = p_cost.max(1);
    let per_lane_rounded = m_cost / (4 * lanes) * 4;
    usize::try_from(per_lane_rounded * lanes).unwrap_or(usize::MAX)
}

/// Reusable argon2 memory: up to `capacity` buffers of `block_count` blocks.
pub(super) struct MemoryPool {
    free: Mutex<Vec<Vec<Block>>>,
    block_count: usize,
    capacity: usize,
}

impl MemoryPool {
    pub(super) fn new(block_count: usize, capacity: usize) -> Self {
        Self {
            free: Mutex::new(Vec::with_capacity(capacity)),
            block_count,
            capacity,
        }
    }

    /// How many buffers the pool keeps at most.
    pub(super) const fn capacity(&self) -> usize {
        self.capacity
    }

    /// A buffer of at least `needed` blocks: a pooled one if it is large
    /// enough, else a fresh one (argon2 uses only the first `needed`).
    pub(super) fn take(&self, needed: usize) -> Result<PooledBlocks<'_>, Error> {
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
pub(super) struct PooledBlocks<'a> {
    pool: &'a MemoryPool,
    blocks: Vec<Block>,
}

impl PooledBlocks<'_> {
    pub(super) fn blocks_mut(&mut self) -> &mut [Block] {
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
    use crate::Password;
    use crate::hasher::Hasher;
    use argon2::Params;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn block_count_matches_argon2() {
        for (m, p) in [(8, 1), (64, 1), (67, 1), (19_456, 1), (100, 3), (1000, 16)] {
            let params = Params::new(m, 1, p, None).unwrap();
            assert_eq!(block_count(m, p), params.block_count(), "m={m} p={p}");
        }
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
}
