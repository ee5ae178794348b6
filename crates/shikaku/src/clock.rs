//! The one place the facade learns the time, and the one place it draws randomness.
//!
//! The core crates never read a clock or the OS RNG; the facade reads them only
//! through [`Clock`] and [`SharedRng`], so tests replace both.

use std::sync::{Arc, Mutex, PoisonError};

use rand_core::CryptoRng;
use time::{Duration, OffsetDateTime};

/// A source of the current time.
pub trait Clock: Send + Sync + 'static {
    /// Now, in UTC.
    fn now(&self) -> OffsetDateTime;
}

/// The real clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the facade's one sanctioned clock read
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that moves only when told to: for tests at the exact edge (29:59 vs 30:00).
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<OffsetDateTime>>);

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: OffsetDateTime) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    /// Moves the clock forward (or back, with a negative duration).
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now = now.saturating_add(by);
    }

    /// Sets the clock.
    pub fn set(&self, to: OffsetDateTime) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A CSPRNG shared by the service's threads.
pub struct SharedRng(Mutex<Box<dyn CryptoRng + Send>>);

impl SharedRng {
    /// Wraps any cryptographically secure generator.
    pub fn new(rng: impl CryptoRng + Send + 'static) -> Self {
        Self(Mutex::new(Box::new(rng)))
    }

    /// The operating system's generator.
    pub fn system() -> Self {
        Self::new(rand_core::UnwrapErr(rand::rngs::SysRng))
    }

    /// Runs `f` with the generator locked.
    pub fn with<T>(&self, f: impl FnOnce(&mut (dyn CryptoRng + Send)) -> T) -> T {
        let mut guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        f(guard.as_mut())
    }

    /// `N` random bytes.
    pub fn bytes<const N: usize>(&self) -> [u8; N] {
        let mut out = [0u8; N];
        self.with(|rng| rng.fill_bytes(&mut out));
        out
    }
}

impl std::fmt::Debug for SharedRng {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedRng")
    }
}
