//! The application: the facade behind the screens ([`crate::screens`]) and the JSON API
//! ([`crate::api`]), wrapped in the security stack.
//!
//! The facade is synchronous and runs argon2 (tens of milliseconds, 19 MiB each). Every
//! facade call goes through [`AppState::run`]: a semaphore bounds how many run at once
//! (`hashing_threads`), and each runs on tokio's blocking pool, so hashing never stalls
//! the async runtime and memory stays bounded at `hashing_threads × m_cost`.

use std::sync::Arc;

use axum::Router;
use shikaku::{Shikaku, Store};
use tokio::sync::Semaphore;

use crate::security::{CookiePolicy, WebSecurity};

/// How the web app is served.
#[derive(Clone, Copy, Debug)]
pub struct WebOptions {
    /// Plain-http localhost demo: cookies without `Secure` and without the `__Host-` prefix.
    pub insecure_cookies: bool,
    /// Served over TLS (or behind a TLS-terminating proxy): adds HSTS.
    pub tls: bool,
    /// At most this many facade calls (argon2 runs) at once.
    pub hashing_threads: usize,
}

impl Default for WebOptions {
    fn default() -> Self {
        Self {
            insecure_cookies: false,
            tls: false,
            hashing_threads: 2,
        }
    }
}

/// Shared by every handler.
pub struct AppState<S: Store> {
    /// The facade.
    pub service: Arc<Shikaku<S>>,
    /// Cookies, CSRF, random ids.
    pub security: WebSecurity,
    hashing: Arc<Semaphore>,
}

impl<S: Store> Clone for AppState<S> {
    fn clone(&self) -> Self {
        Self {
            service: Arc::clone(&self.service),
            security: self.security.clone(),
            hashing: Arc::clone(&self.hashing),
        }
    }
}

impl<S: Store> AppState<S> {
    /// A state over `service`.
    pub fn new(service: Arc<Shikaku<S>>, security: WebSecurity, hashing_threads: usize) -> Self {
        Self {
            service,
            security,
            hashing: Arc::new(Semaphore::new(hashing_threads.max(1))),
        }
    }

    /// Runs a facade call that may hash a password (login, password change, one-call
    /// authentication) on the blocking pool, at most `hashing_threads` at once.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Shikaku<S>) -> T + Send + 'static,
    ) -> Result<T, crate::Error> {
        let permit = Arc::clone(&self.hashing)
            .acquire_owned()
            .await
            .map_err(|_| crate::Error::Internal("hashing pool closed"))?;
        let service = Arc::clone(&self.service);
        // The permit lives as long as the hashing itself: if the client hangs up and
        // this future is dropped, the blocking task still holds it until argon2 ends.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f(&service)
        })
        .await
        .map_err(|_| crate::Error::Internal("a facade call panicked"))
    }

    /// Runs a facade call that never hashes (session checks, passcodes, enrollment
    /// views, logout) on the blocking pool without waiting for the hashing permits, so
    /// page views stay fast while logins saturate the CPU. Store IO is synchronous,
    /// hence still off the async threads.
    pub async fn run_light<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Shikaku<S>) -> T + Send + 'static,
    ) -> Result<T, crate::Error> {
        let service = Arc::clone(&self.service);
        tokio::task::spawn_blocking(move || f(&service))
            .await
            .map_err(|_| crate::Error::Internal("a facade call panicked"))
    }
}

/// The whole web application: screens, JSON API under `/api/v1`, static assets, and the
/// security stack around all of it. Mount it as is, or `nest` it under a prefix.
pub fn app<S: Store>(
    service: Arc<Shikaku<S>>,
    options: WebOptions,
) -> Result<Router, crate::Error> {
    let cookie = if options.insecure_cookies {
        // The cookie module logs a warning when this policy is in force.
        CookiePolicy::insecure_localhost_demo()
    } else {
        CookiePolicy::secure()
    };
    // The web adapter is allowed to draw from the OS; the core crates never do.
    let rng = rand_core::UnwrapErr(rand::rngs::SysRng);
    let security = WebSecurity::builder(rng)
        .cookie_policy(cookie)
        .tls(options.tls)
        .csrf_exempt_prefix(crate::api::PREFIX)
        .build();
    let state = AppState::new(service, security.clone(), options.hashing_threads);
    let routes = Router::new()
        .merge(crate::screens::routes())
        .nest(crate::api::PREFIX, crate::api::routes())
        .with_state(state)
        .merge(crate::assets::router());
    Ok(security.protect(routes))
}
