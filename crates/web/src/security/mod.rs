//! Web security: headers, cookies, CSRF, cross-origin checks, body limits
//! and random ids, measured against OWASP ASVS 5.0 (V3 web frontend, V6
//! authentication, V7 session management).
//!
//! This layer knows nothing of the pages or the API: a request it refuses is
//! answered with a bare status and a [`Refusal`] reason. Styling those (the
//! site's error page, the API's JSON error) is left to a layer the host puts
//! in [`WebSecurity::protect_with`] — [`crate::protect`] does exactly that.
//!
//! # Mounting
//!
//! Build one [`WebSecurity`] at start-up and let it wrap the whole router,
//! **after** all routes, fallbacks and static assets are added:
//!
//! ```
//! use axum::{Router, routing::get};
//! use shikaku_web::security::{CookiePolicy, WebSecurity};
//! # use rand_core::SeedableRng;
//! # let rng = rand_chacha::ChaCha20Rng::from_seed([0; 32]);
//! let security = WebSecurity::builder(rng)          // any CryptoRng + Send
//!     .cookie_policy(CookiePolicy::secure())          // the default
//!     .tls(true)                                      // HSTS, https origin
//!     .origin("https://shikaku.clinic.example")?      // else: loopback names only
//!     .build();
//! let app: Router = security.protect(
//!     Router::new()
//!         .route("/", get(|| async { "start" }))
//!         .merge(shikaku_web::assets::router()),
//! );
//! # Ok::<(), shikaku_web::Error>(())
//! ```
//!
//! # The stack, outermost first
//!
//! ```text
//!  request ─► headers ─► (host layer) ─► catch-panic ─► guard ─► body-limit ext ─► router
//!
//!  headers      sets the security headers on EVERY response, whoever made it
//!  host layer   the `layer` of `protect_with` (nothing with `protect`): where
//!               the app negotiates the language and styles bare error statuses
//!  catch-panic  a panicking handler becomes a bare 500
//!  guard        every request: Host / :authority is the configured origin's
//!                 host:port, or (none configured) a loopback name  → 421 Refusal::MisdirectedHost
//!               state-changing methods (not GET/HEAD/OPTIONS/TRACE), and any
//!               method under a `cross_origin_checked_prefix`:
//!                 Sec-Fetch-Site / Origin check            → 403 Refusal::CrossOrigin
//!               state-changing methods:
//!                 body read with a hard limit               → 413 Refusal::TooLarge
//!                 CSRF token (form field or header) verify  → 403 Refusal::Csrf / NoSession
//!               every request: the session cookie is read (or a fresh
//!               pre-session id drawn), its CsrfToken and BrowserSession go
//!               into the extensions; a fresh id is sent as Set-Cookie with
//!               the first HTML page
//!  body-limit   axum's DefaultBodyLimit, so extractors agree with guard
//! ```
//!
//! Handlers only declare what they need: [`CsrfToken`] (for forms),
//! [`BrowserSession`] (the cookie's id).
//!
//! | file | holds |
//! |---|---|
//! | `config.rs` | [`WebSecurity`] and its builder |
//! | `guard.rs` | the per-request checks, [`Refusal`], the extractors |
//! | `headers.rs` | the response headers, CSP |
//! | `cookie.rs` | [`CookiePolicy`]: session and language cookies |
//! | `csrf.rs` | [`CsrfKey`], [`CsrfToken`] |
//! | `origin.rs` | the `Host` check (DNS rebinding), Fetch Metadata / `Origin` checks |
//! | `token.rs` | [`RandomToken`]: 256-bit ids, their base64url cookie form |

mod config;
pub(crate) mod cookie;
mod csrf;
mod guard;
mod headers;
mod origin;
mod token;

use std::convert::Infallible;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::Route;
use tower::{Layer, Service};
use tower_http::catch_panic::CatchPanicLayer;

pub use self::config::{DEFAULT_BODY_LIMIT, WebSecurity, WebSecurityBuilder};
pub use self::cookie::CookiePolicy;
pub use self::csrf::{CSRF_FIELD, CSRF_HEADER, CsrfKey, CsrfToken};
pub use self::guard::{BrowserSession, MissingSecurityLayer, Refusal};
pub use self::headers::{CONTENT_SECURITY_POLICY, STRICT_TRANSPORT_SECURITY, csp_allowing_styles};
pub use self::token::RandomToken;

impl WebSecurity {
    /// Wraps `router` in the whole stack (see the [module docs](self)); refusals
    /// are bare statuses. Call it last, after every route, `merge` and `fallback`.
    pub fn protect<S: Clone + Send + Sync + 'static>(&self, router: Router<S>) -> Router<S> {
        self.protect_with(router, tower::layer::util::Identity::new())
    }

    /// [`protect`](Self::protect), with `layer` between the security headers
    /// (outside it) and the checks (inside it): it sees every request before the
    /// checks and every response — a refusal's bare status, a panic's 500 — before
    /// the security headers are set.
    pub fn protect_with<S, L>(&self, router: Router<S>, layer: L) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
        L: Layer<Route> + Clone + Send + Sync + 'static,
        L::Service: Service<Request> + Clone + Send + Sync + 'static,
        <L::Service as Service<Request>>::Response: IntoResponse + 'static,
        <L::Service as Service<Request>>::Error: Into<Infallible> + 'static,
        <L::Service as Service<Request>>::Future: Send + 'static,
    {
        router
            .layer(DefaultBodyLimit::max(self.inner.body_limit))
            .layer(middleware::from_fn_with_state(self.clone(), guard::guard))
            .layer(CatchPanicLayer::new())
            .layer(layer)
            .layer(middleware::map_response_with_state(
                self.inner.tls,
                headers::stamp,
            ))
    }
}
