//! [`AppState`]: what every handler of the screens and the API shares — the facade,
//! the security configuration, the numbers the screens quote, and the bound on
//! concurrent argon2 runs.
//!
//! The facade is synchronous and runs argon2 (tens of milliseconds, 19 MiB each).
//! Every facade call leaves the async threads for tokio's blocking pool, by one of two
//! doors chosen by the caller, who knows what the call does:
//!
//! * [`AppState::run`] for the calls that verify or hash a password (login, password
//!   change, the one-call authentication): it first takes one of the hashing permits,
//!   so at most [`HashCost::concurrent_calls`](shikaku::HashCost::concurrent_calls)
//!   of them run at once — the number the facade's hasher sized its memory pool
//!   for, so memory stays at `concurrent_calls × workers × m_cost`;
//! * [`AppState::run_light`] for everything else (session checks, passcodes,
//!   enrollment views, logout): no permit, so page views stay fast while logins
//!   saturate the CPU.
//!
//! This module is a leaf of the web crate: it knows the facade, the security
//! configuration and [`Rules`], nothing of the screens or the API.

use std::sync::Arc;

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
    hashing: Arc<Semaphore>,
}

impl<S: Store> Clone for AppState<S> {
    fn clone(&self) -> Self {
        Self {
            service: Arc::clone(&self.service),
            security: self.security.clone(),
            rules: Arc::clone(&self.rules),
            hashing: Arc::clone(&self.hashing),
        }
    }
}

impl<S: Store> std::fmt::Debug for AppState<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("service", &self.service)
            .field("security", &self.security)
            .field("hashing_permits", &self.hashing.available_permits())
            .finish()
    }
}

impl<S: Store> AppState<S> {
    /// A state over `service`, with as many hashing permits as the facade's
    /// configuration lets calls hash at once
    /// ([`HashCost::concurrent_calls`](shikaku::HashCost::concurrent_calls), at least one).
    pub fn new(service: Arc<Shikaku<S>>, security: WebSecurity) -> Self {
        let permits = service.config().hash_cost.concurrent_calls.max(1);
        let rules = Arc::new(Rules::from_config(service.config()));
        Self {
            service,
            security,
            rules,
            hashing: Arc::new(Semaphore::new(permits)),
        }
    }

    /// Runs a facade call that may hash a password (login, password change, one-call
    /// authentication) on the blocking pool, holding one hashing permit.
    ///
    /// # Errors
    ///
    /// [`Error::Internal`] if the permits are gone or the call panicked.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Shikaku<S>) -> T + Send + 'static,
    ) -> Result<T, Error> {
        let permit = Arc::clone(&self.hashing)
            .acquire_owned()
            .await
            .map_err(|_| Error::Internal("hashing pool closed"))?;
        let service = Arc::clone(&self.service);
        // The permit lives as long as the hashing itself: if the client hangs up and
        // this future is dropped, the blocking task still holds it until argon2 ends.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f(&service)
        })
        .await
        .map_err(|_| Error::Internal("a facade call panicked"))
    }

    /// Runs a facade call that never hashes (session checks, passcodes, enrollment
    /// views, logout) on the blocking pool without waiting for a hashing permit.
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
