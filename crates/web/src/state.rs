//! [`AppState`]: what every handler of the screens and the API shares — the facade,
//! the security configuration, the numbers the screens quote, and the bound on
//! password calls in flight.
//!
//! The facade is synchronous and runs argon2 (tens of milliseconds, 19 MiB each).
//! Every facade call leaves the async threads for tokio's blocking pool, by one of two
//! doors chosen by the caller, who knows what the call does:
//!
//! * [`AppState::run`] for the calls that verify or hash a password (login, password
//!   change, the one-call authentication). The facade's own hashing gate lets at most
//!   [`HashCost::concurrent_calls`](shikaku::HashCost::concurrent_calls) argon2
//!   computations run at once and holds nothing else under it, so a call waiting for
//!   its store commits does not keep a core idle. `run` only bounds how many such
//!   calls are in flight ([`AppState::ADMISSION_PER_PERMIT`] per permit), so a flood of
//!   logins queues here, on the async side, instead of filling the blocking pool;
//! * [`AppState::run_light`] for everything else (session checks, passcodes,
//!   enrollment views, logout): no bound, so page views stay fast while logins
//!   saturate the CPU.
//!
//! This module is a leaf of the web crate: it knows the facade, the security
//! configuration and [`Rules`], nothing of the screens or the API.

use std::sync::Arc;

use prometheus_client::metrics::gauge::Gauge;
use shikaku::{Shikaku, Store};
use tokio::sync::Semaphore;

use crate::error::Error;
use crate::messages::Rules;
use crate::security::WebSecurity;

/// Shared by every handler.
pub struct AppState<S: Store> {
    /// The facade.
    pub service: Arc<Shikaku<S>>,
    /// Cookies, CSRF, random ids.
    pub security: WebSecurity,
    /// The numbers of the facade's configuration, as every screen and message quotes
    /// them (never the manual's when the configuration says otherwise).
    pub rules: Arc<Rules>,
    /// Password calls in flight (see the module docs).
    admission: Arc<Semaphore>,
    /// Password calls waiting for admission (a metric; unregistered by default).
    admission_waiting: Gauge,
}

impl<S: Store> Clone for AppState<S> {
    fn clone(&self) -> Self {
        Self {
            service: Arc::clone(&self.service),
            security: self.security.clone(),
            rules: Arc::clone(&self.rules),
            admission: Arc::clone(&self.admission),
            admission_waiting: self.admission_waiting.clone(),
        }
    }
}

impl<S: Store> std::fmt::Debug for AppState<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("service", &self.service)
            .field("security", &self.security)
            .field("admission", &self.admission.available_permits())
            .finish()
    }
}

impl<S: Store> AppState<S> {
    /// Password calls in flight per hashing permit: enough that while some wait for
    /// the store others keep every permit busy.
    pub const ADMISSION_PER_PERMIT: usize = 4;

    /// A state over `service`, admitting [`Self::ADMISSION_PER_PERMIT`] password calls
    /// per hashing permit of the facade's configuration
    /// ([`HashCost::concurrent_calls`](shikaku::HashCost::concurrent_calls), at least one).
    pub fn new(service: Arc<Shikaku<S>>, security: WebSecurity) -> Self {
        let permits =
            service.config().hash_cost.concurrent_calls.max(1) * Self::ADMISSION_PER_PERMIT;
        let rules = Arc::new(Rules::from_config(service.config()));
        Self {
            service,
            security,
            rules,
            admission: Arc::new(Semaphore::new(permits)),
            admission_waiting: Gauge::default(),
        }
    }

    /// Counts the password calls waiting for admission in `gauge` (the metrics'
    /// [`Metrics::admission_waiting`](crate::ops::Metrics::admission_waiting)).
    #[must_use]
    pub fn counting_admission(mut self, gauge: Gauge) -> Self {
        self.admission_waiting = gauge;
        self
    }

    /// Runs a facade call that may hash a password (login, password change, one-call
    /// authentication) on the blocking pool, once admitted (see the module docs).
    ///
    /// # Errors
    ///
    /// [`Error::Internal`] if the admission semaphore is gone or the call panicked.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Shikaku<S>) -> T + Send + 'static,
    ) -> Result<T, Error> {
        let permit = {
            // Counted while waiting, also when the client hangs up meanwhile.
            let _waiting = Waiting::on(&self.admission_waiting);
            Arc::clone(&self.admission)
                .acquire_owned()
                .await
                .map_err(|_| Error::Internal("admission closed"))?
        };
        let service = Arc::clone(&self.service);
        // The permit lives as long as the call itself: if the client hangs up and this
        // future is dropped, the blocking task still holds it until the call ends.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f(&service)
        })
        .await
        .map_err(|_| Error::Internal("a facade call panicked"))
    }

    /// Runs a facade call that never hashes (session checks, passcodes, enrollment
    /// views, logout) on the blocking pool without waiting for admission.
    /// Store IO is synchronous, hence still off the async threads.
    ///
    /// # Errors
    ///
    /// [`Error::Internal`] if the call panicked.
    pub async fn run_light<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Shikaku<S>) -> T + Send + 'static,
    ) -> Result<T, Error> {
        let service = Arc::clone(&self.service);
        tokio::task::spawn_blocking(move || f(&service))
            .await
            .map_err(|_| Error::Internal("a facade call panicked"))
    }
}

/// One call counted in a gauge for as long as it lives.
struct Waiting<'a>(&'a Gauge);

impl<'a> Waiting<'a> {
    fn on(gauge: &'a Gauge) -> Self {
        gauge.inc();
        Self(gauge)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;
    use shikaku::MemoryStore;
    use shikaku::testing::Harness;

    use super::*;

    fn state(gauge: &Gauge) -> AppState<MemoryStore> {
        let harness = Harness::new(Arc::new(MemoryStore::new()));
        let security = WebSecurity::builder(ChaCha20Rng::from_seed([7; 32])).build();
        AppState::new(harness.service, security).counting_admission(gauge.clone())
    }

    /// Lets the other tasks run until `done` holds (bounded).
    async fn until(what: &str, done: impl Fn() -> bool) {
        for _ in 0..100_000 {
            if done() {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("never happened: {what}");
    }

    /// Calls beyond the admitted ones are counted while they wait, and uncounted when
    /// admitted or when their client goes away.
    #[tokio::test]
    async fn calls_waiting_for_admission_are_counted() {
        let gauge = Gauge::default();
        let state = state(&gauge);
        let admitted = state.service.config().hash_cost.concurrent_calls.max(1)
            * AppState::<MemoryStore>::ADMISSION_PER_PERMIT;
        let (release, released) = std::sync::mpsc::channel::<()>();
        let released = Arc::new(std::sync::Mutex::new(released));
        let mut holders = Vec::new();
        for _ in 0..admitted {
            let (state, released) = (state.clone(), Arc::clone(&released));
            holders.push(tokio::spawn(async move {
                state
                    .run(move |_| released.lock().unwrap().recv().unwrap())
                    .await
            }));
        }
        until("every admission taken", || {
            state.admission.available_permits() == 0
        })
        .await;
        assert_eq!(gauge.get(), 0, "the admitted calls are not waiting");
        let waiter = tokio::spawn({
            let state = state.clone();
            async move { state.run(|_| 42).await }
        });
        let gone = tokio::spawn({
            let state = state.clone();
            async move { state.run(|_| 0).await }
        });
        until("two calls waiting", || gauge.get() == 2).await;
        gone.abort();
        until("the abandoned call uncounted", || gauge.get() == 1).await;
        for _ in 0..admitted {
            release.send(()).unwrap();
        }
        assert_eq!(waiter.await.unwrap().unwrap(), 42);
        for holder in holders {
            holder.await.unwrap().unwrap();
        }
        assert_eq!(gauge.get(), 0);
    }
}
