//! Integration tests of shikaku-password: the manual's rules at their exact
//! edges, the history rules, argon2 against the reference implementation's
//! vectors, the generator, and proptest properties.
//!
//! argon2 costs are tiny here (m = 64 KiB, t = 1) wherever cost itself is not
//! under test.

mod composition;
mod generator;
mod hashing;
mod history;
mod peppers;
mod properties;

use std::convert::Infallible;

use rand_chacha::ChaCha20Rng;
use rand_core::{SeedableRng, TryCryptoRng, TryRng};
use shikaku_password::{Hasher, Policy, ViolationCode};

/// A fast hasher for tests whose subject is not argon2's cost.
pub(crate) fn small_hasher() -> Hasher {
    Hasher::builder().m_cost(64).t_cost(1).build().unwrap()
}

/// A reproducible CSPRNG (the host would seed one from the OS).
pub(crate) fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

/// The violation codes of a composition check (empty when accepted).
pub(crate) fn codes(policy: &Policy, password: &str) -> Vec<ViolationCode> {
    match policy.check(password) {
        Ok(()) => Vec::new(),
        Err(v) => v.codes(),
    }
}

/// An "RNG" that hands out given bytes, to feed a known salt to
/// `Hasher::hash` when comparing with reference vectors. Tests only.
pub(crate) struct FixedBytes(pub(crate) Vec<u8>);

impl TryRng for FixedBytes {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        assert!(dst.len() <= self.0.len(), "FixedBytes ran out");
        let rest = self.0.split_off(dst.len());
        dst.copy_from_slice(&self.0);
        self.0 = rest;
        Ok(())
    }
}

impl TryCryptoRng for FixedBytes {}
