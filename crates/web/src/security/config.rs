//! [`WebSecurity`]: the configuration every check reads, and its builder.

use std::sync::{Arc, Mutex, PoisonError};

use axum::http::HeaderValue;
use rand_core::CryptoRng;

use super::cookie::CookiePolicy;
use super::csrf::{CsrfKey, CsrfToken};
use super::origin::{self, HostPolicy};
use super::token::RandomToken;
use crate::error::Error;

/// Default request-body limit: 16 KiB, plenty for every form of the manual.
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024;

type SharedRng = Mutex<dyn CryptoRng + Send>;

/// What the middleware reads on every request.
pub(super) struct Inner {
    pub(super) cookie: CookiePolicy,
    pub(super) csrf: CsrfKey,
    pub(super) tls: bool,
    pub(super) origin: Option<String>,
    pub(super) host: HostPolicy,
    pub(super) body_limit: usize,
    csrf_exempt: Vec<String>,
    origin_checked: Vec<String>,
    rng: Arc<SharedRng>,
}

/// The web security configuration and middleware (cheap to clone).
#[derive(Clone)]
pub struct WebSecurity {
    pub(super) inner: Arc<Inner>,
}

impl std::fmt::Debug for WebSecurity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSecurity")
            .field("cookie", &self.inner.cookie)
            .field("tls", &self.inner.tls)
            .field("origin", &self.inner.origin)
            .field("host", &self.inner.host)
            .field("body_limit", &self.inner.body_limit)
            .field("csrf_exempt", &self.inner.csrf_exempt)
            .field("origin_checked", &self.inner.origin_checked)
            .finish_non_exhaustive()
    }
}

/// Builder for [`WebSecurity`]; see the [module docs](super).
pub struct WebSecurityBuilder {
    cookie: CookiePolicy,
    csrf: Option<CsrfKey>,
    tls: bool,
    origin: Option<String>,
    body_limit: usize,
    csrf_exempt: Vec<String>,
    origin_checked: Vec<String>,
    rng: Arc<SharedRng>,
}

impl std::fmt::Debug for WebSecurityBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSecurityBuilder")
            .field("cookie", &self.cookie)
            .field("tls", &self.tls)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl WebSecurity {
    /// Starts a configuration. `rng` draws every session id and, unless
    /// [`WebSecurityBuilder::csrf_key`] is given, the CSRF key.
    pub fn builder<R: CryptoRng + Send + 'static>(rng: R) -> WebSecurityBuilder {
        let rng: Arc<SharedRng> = Arc::new(Mutex::new(rng));
        WebSecurityBuilder {
            cookie: CookiePolicy::secure(),
            csrf: None,
            tls: false,
            origin: None,
            body_limit: DEFAULT_BODY_LIMIT,
            csrf_exempt: Vec::new(),
            origin_checked: Vec::new(),
            rng,
        }
    }

    /// A fresh 256-bit id, e.g. a new session id at login (rotation).
    #[must_use]
    pub fn new_session_token(&self) -> RandomToken {
        let mut rng = self
            .inner
            .rng
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        RandomToken::generate(&mut *rng)
    }

    /// `Set-Cookie` value storing `token` as the session cookie.
    #[must_use]
    pub fn session_cookie(&self, token: &RandomToken) -> HeaderValue {
        self.inner.cookie.session_cookie(token)
    }

    /// `Set-Cookie` value removing the session cookie.
    #[must_use]
    pub fn removal_cookie(&self) -> HeaderValue {
        self.inner.cookie.removal_cookie()
    }

    /// The CSRF token of a session — for the page rendered right after
    /// rotating the session id (otherwise use the [`CsrfToken`] extractor).
    #[must_use]
    pub fn csrf_token_for(&self, session: &RandomToken) -> CsrfToken {
        self.inner.csrf.token_for(session)
    }

    /// The cookie policy in force.
    #[must_use]
    pub fn cookie_policy(&self) -> CookiePolicy {
        self.inner.cookie
    }

    /// The request-body limit in bytes.
    #[must_use]
    pub fn body_limit(&self) -> usize {
        self.inner.body_limit
    }

    pub(super) fn is_csrf_exempt(&self, path: &str) -> bool {
        self.inner
            .csrf_exempt
            .iter()
            .any(|prefix| path.starts_with(prefix.as_str()))
    }

    /// Whether requests for `path` get the cross-origin check whatever their method.
    pub(super) fn is_origin_checked(&self, path: &str) -> bool {
        self.inner
            .origin_checked
            .iter()
            .any(|prefix| path.starts_with(prefix.as_str()))
    }
}

impl WebSecurityBuilder {
    /// Cookie naming and flags; [`CookiePolicy::secure`] by default.
    #[must_use]
    pub fn cookie_policy(mut self, policy: CookiePolicy) -> Self {
        self.cookie = policy;
        self
    }

    /// Served over TLS: sends HSTS and expects `https://` origins. Off by
    /// default (a TLS-terminating proxy in front must turn it on).
    #[must_use]
    pub fn tls(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    /// The exact origin browsers use for this site (`https://host[:port]`).
    ///
    /// With it, every request must be sent to that host and port (`Host` /
    /// `:authority`; a missing port is the scheme's default), and a state-changing
    /// request's `Origin`, when present, must be exactly this origin. Without it,
    /// only loopback names are answered (`localhost`, `127.0.0.1`, `[::1]`, any
    /// port) and the expected `Origin` is `scheme://Host` of the request. Anything
    /// else is refused with 421 ([`Refusal::MisdirectedHost`](super::Refusal)):
    /// the defence against DNS rebinding (see `origin.rs`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOrigin`] unless it is `http(s)://host[:port]` (one
    /// trailing `/` allowed) with no path, query, fragment or user info.
    pub fn origin(mut self, origin: &str) -> Result<Self, Error> {
        // One trailing slash, as people copy origins out of an address bar, is the
        // same origin.
        let bare = origin.strip_suffix('/').unwrap_or(origin);
        let policy = origin::validate_origin(bare)
            .then(|| HostPolicy::for_origin(bare))
            .flatten();
        if policy.is_none() {
            return Err(Error::InvalidOrigin {
                origin: origin.to_owned(),
            });
        }
        self.origin = Some(origin::serialize_origin(bare));
        Ok(self)
    }

    /// Request-body limit in bytes ([`DEFAULT_BODY_LIMIT`] by default).
    #[must_use]
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Exempts paths starting with `prefix` from the CSRF *token* check (for
    /// a token-authenticated API without cookies). The cross-origin check and
    /// body limit still apply.
    #[must_use]
    pub fn csrf_exempt_prefix(mut self, prefix: &str) -> Self {
        self.csrf_exempt.push(prefix.to_owned());
        self
    }

    /// Applies the cross-origin check (Fetch Metadata and `Origin`, see `origin.rs`)
    /// to every request for a path starting with `prefix`, reads included: for calls
    /// whose answers a page of another site must not even trigger (an administration
    /// API). Clients that send neither header are unaffected.
    #[must_use]
    pub fn cross_origin_checked_prefix(mut self, prefix: &str) -> Self {
        self.origin_checked.push(prefix.to_owned());
        self
    }

    /// Uses a given CSRF key instead of drawing one (e.g. shared by several
    /// processes behind one load balancer).
    #[must_use]
    pub fn csrf_key(mut self, key: CsrfKey) -> Self {
        self.csrf = Some(key);
        self
    }

    /// Finishes the configuration.
    #[must_use]
    pub fn build(self) -> WebSecurity {
        let csrf = self.csrf.unwrap_or_else(|| {
            let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
            CsrfKey::generate(&mut *rng)
        });
        let host = self
            .origin
            .as_deref()
            .and_then(HostPolicy::for_origin)
            .unwrap_or(HostPolicy::Loopback);
        WebSecurity {
            inner: Arc::new(Inner {
                cookie: self.cookie,
                csrf,
                tls: self.tls,
                origin: self.origin,
                host,
                body_limit: self.body_limit,
                csrf_exempt: self.csrf_exempt,
                origin_checked: self.origin_checked,
                rng: self.rng,
            }),
        }
    }
}
