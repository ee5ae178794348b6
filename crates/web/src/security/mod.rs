//! Web security: headers, cookies, CSRF, cross-origin checks, body limits
//! and random ids, measured against OWASP ASVS 5.0 (V3 web frontend, V6
//! authentication, V7 session management).
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
//!     .origin("https://shikaku.clinic.example")?      // optional; else from Host
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
//!  request ─► frame ─► catch-panic ─► guard ─► body-limit ext ─► router
//!
//!  frame        negotiates Lang (→ extensions, `?lang=` sets the cookie);
//!               on the way out: restyles every error response that is not
//!               already one of our pages (axum's 404/405/415/422, panics'
//!               500, …) and sets the security headers on EVERY response
//!  catch-panic  a panicking handler becomes a 500 (then restyled by frame)
//!  guard        state-changing methods (not GET/HEAD/OPTIONS/TRACE):
//!                 Sec-Fetch-Site / Origin check            → 403
//!                 body read with a hard limit               → 413
//!                 CSRF token (form field or header) verify  → 403
//!               every request: the session cookie is read (or a fresh
//!               pre-session id drawn), its CsrfToken and BrowserSession go
//!               into the extensions; a fresh id is sent as Set-Cookie with
//!               the first HTML page
//!  body-limit   axum's DefaultBodyLimit, so extractors agree with guard
//! ```
//!
//! Handlers only declare what they need: [`Lang`](crate::Lang),
//! [`CsrfToken`] (for forms), [`BrowserSession`] (the cookie's id).

pub(crate) mod cookie;
mod csrf;
mod headers;
mod origin;
mod token;

use std::future::poll_fn;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{DefaultBodyLimit, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use rand_core::CryptoRng;
use tower_http::catch_panic::CatchPanicLayer;

pub use self::cookie::CookiePolicy;
pub use self::csrf::{CSRF_FIELD, CSRF_HEADER, CsrfKey, CsrfToken};
pub use self::headers::{CONTENT_SECURITY_POLICY, STRICT_TRANSPORT_SECURITY, csp_allowing_styles};
pub use self::token::RandomToken;

use crate::Error;
use crate::lang::Lang;
use crate::views::{ErrorKind, ErrorPage, Rendered};

/// Default request-body limit: 16 KiB, plenty for every form of the manual.
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024;

type SharedRng = Mutex<dyn CryptoRng + Send>;

struct Inner {
    cookie: CookiePolicy,
    csrf: CsrfKey,
    tls: bool,
    origin: Option<String>,
    body_limit: usize,
    csrf_exempt: Vec<String>,
    rng: Arc<SharedRng>,
}

/// The web security configuration and middleware (cheap to clone).
#[derive(Clone)]
pub struct WebSecurity {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for WebSecurity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSecurity")
            .field("cookie", &self.inner.cookie)
            .field("tls", &self.inner.tls)
            .field("origin", &self.inner.origin)
            .field("body_limit", &self.inner.body_limit)
            .field("csrf_exempt", &self.inner.csrf_exempt)
            .finish_non_exhaustive()
    }
}

/// Builder for [`WebSecurity`]; see the [module docs](self).
pub struct WebSecurityBuilder {
    cookie: CookiePolicy,
    csrf: Option<CsrfKey>,
    tls: bool,
    origin: Option<String>,
    body_limit: usize,
    csrf_exempt: Vec<String>,
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
            rng,
        }
    }

    /// Wraps `router` in the whole stack (see the [module docs](self)).
    /// Call it last, after every route, `merge` and `fallback`.
    pub fn protect<S: Clone + Send + Sync + 'static>(&self, router: Router<S>) -> Router<S> {
        router
            .layer(DefaultBodyLimit::max(self.inner.body_limit))
            .layer(middleware::from_fn_with_state(self.clone(), guard))
            .layer(CatchPanicLayer::new())
            .layer(middleware::from_fn_with_state(self.clone(), frame))
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

    fn is_csrf_exempt(&self, path: &str) -> bool {
        self.inner
            .csrf_exempt
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
    /// Without it, the origin is derived from each request's `Host`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOrigin`] unless it is `http(s)://host[:port]` with no
    /// path, query, fragment or user info.
    pub fn origin(mut self, origin: &str) -> Result<Self, Error> {
        if !origin::validate_origin(origin) {
            return Err(Error::InvalidOrigin {
                origin: origin.to_owned(),
            });
        }
        self.origin = Some(origin.to_ascii_lowercase());
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
        WebSecurity {
            inner: Arc::new(Inner {
                cookie: self.cookie,
                csrf,
                tls: self.tls,
                origin: self.origin,
                body_limit: self.body_limit,
                csrf_exempt: self.csrf_exempt,
                rng: self.rng,
            }),
        }
    }
}

/// The browser's session id: the session cookie's value, or a fresh
/// pre-session id when the request had none (`fresh`; it is then sent to the
/// browser with the response's HTML page).
///
/// The facade decides what the id means (unknown → pre-session, known →
/// signed-in session). At login the handler must rotate it:
/// [`WebSecurity::new_session_token`] + [`WebSecurity::session_cookie`].
#[derive(Clone, Debug)]
pub struct BrowserSession {
    /// The id.
    pub token: RandomToken,
    /// Whether the id was drawn for this request (the browser sent none).
    pub fresh: bool,
}

/// Rejection when a handler asks for [`CsrfToken`] or [`BrowserSession`]
/// on a router not wrapped by [`WebSecurity::protect`] — a wiring bug,
/// answered with a 500 page.
#[derive(Debug)]
pub struct MissingSecurityLayer;

impl IntoResponse for MissingSecurityLayer {
    fn into_response(self) -> Response {
        tracing::error!("handler needs WebSecurity::protect around its router");
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = MissingSecurityLayer;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .ok_or(MissingSecurityLayer)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for BrowserSession {
    type Rejection = MissingSecurityLayer;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<BrowserSession>()
            .cloned()
            .ok_or(MissingSecurityLayer)
    }
}

/// Outermost middleware: language, error-page restyling, security headers.
async fn frame(State(sec): State<WebSecurity>, mut req: Request, next: Next) -> Response {
    let cookie = sec.inner.cookie;
    let query = req.uri().query();
    let switched = query.and_then(Lang::from_query);
    let lang = Lang::negotiate(query, req.headers(), cookie.lang_cookie_name());
    req.extensions_mut().insert(lang);
    let api = crate::api::is_api_path(req.uri().path());

    let mut response = next.run(req).await;

    let status = response.status();
    if api {
        // The JSON API answers every error in JSON, never with a page.
        response = crate::api::restyle_error(lang, response);
    } else if (status.is_client_error() || status.is_server_error())
        && response.extensions().get::<Rendered>().is_none()
    {
        let allow = response.headers().get(header::ALLOW).cloned();
        response = ErrorPage::new(lang, ErrorKind::from_status(status)).with_status(status);
        if let Some(allow) = allow {
            response.headers_mut().insert(header::ALLOW, allow);
        }
    }
    if let Some(lang) = switched {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookie.lang_cookie(lang));
    }
    headers::apply(response.headers_mut(), sec.inner.tls);
    response
}

/// Cross-origin, body-limit and CSRF checks; session id into the extensions.
async fn guard(State(sec): State<WebSecurity>, req: Request, next: Next) -> Response {
    let lang = req.extensions().get::<Lang>().copied().unwrap_or_default();
    let cookie = sec.inner.cookie;
    let session = cookie.read_session(req.headers());

    let mut req = if origin::is_state_changing(req.method()) {
        match check_state_changing(&sec, req, session.as_ref()).await {
            Ok(req) => req,
            Err(kind) => return ErrorPage::new(lang, kind).into_response(),
        }
    } else {
        req
    };

    let (token, fresh) = match session {
        Some(token) => (token, false),
        None => (sec.new_session_token(), true),
    };
    let set_cookie = fresh.then(|| cookie.session_cookie(&token));
    req.extensions_mut()
        .insert(sec.inner.csrf.token_for(&token));
    req.extensions_mut().insert(BrowserSession { token, fresh });

    let mut response = next.run(req).await;

    if let Some(set_cookie) = set_cookie
        && is_html(response.headers())
        && !cookie.response_sets_session(response.headers())
    {
        response
            .headers_mut()
            .append(header::SET_COOKIE, set_cookie);
    }
    response
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
}

/// The checks for a state-changing request; gives the request back with its
/// body buffered (at most `body_limit` bytes).
async fn check_state_changing(
    sec: &WebSecurity,
    req: Request,
    session: Option<&RandomToken>,
) -> Result<Request, ErrorKind> {
    let inner = &sec.inner;
    let expected =
        origin::expected_origin(inner.origin.as_deref(), inner.tls, req.uri(), req.headers());
    if let Err(why) = origin::check(req.headers(), expected.as_deref()) {
        tracing::info!(
            ?why,
            path = req.uri().path(),
            "cross-origin request refused"
        );
        return Err(ErrorKind::Forbidden);
    }

    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > inner.body_limit as u64) {
        return Err(ErrorKind::PayloadTooLarge);
    }
    let (parts, body) = req.into_parts();
    let bytes = read_limited(body, inner.body_limit).await?;

    if !sec.is_csrf_exempt(parts.uri.path()) {
        let Some(session) = session else {
            tracing::info!(
                path = parts.uri.path(),
                "state-changing request without session cookie"
            );
            return Err(ErrorKind::Forbidden);
        };
        let presented = presented_csrf_token(&parts.headers, &bytes);
        if !presented.is_some_and(|t| inner.csrf.verify(session, &t)) {
            tracing::info!(path = parts.uri.path(), "CSRF token missing or wrong");
            return Err(ErrorKind::Forbidden);
        }
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Reads a body, refusing it as soon as it grows past `limit`.
async fn read_limited(mut body: Body, limit: usize) -> Result<Bytes, ErrorKind> {
    let mut buf: Vec<u8> = Vec::new();
    while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|_| ErrorKind::BadRequest)?;
        if let Ok(data) = frame.into_data() {
            if buf.len().saturating_add(data.len()) > limit {
                return Err(ErrorKind::PayloadTooLarge);
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(buf))
}

/// The CSRF token of a request: the [`CSRF_HEADER`] header, else the
/// [`CSRF_FIELD`] of an `application/x-www-form-urlencoded` body. Never the
/// URL query. Two tokens in one form are refused.
fn presented_csrf_token(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    if let Some(v) = headers.get(CSRF_HEADER) {
        return v.to_str().ok().map(str::to_owned);
    }
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return None;
    }
    let body = std::str::from_utf8(body).ok()?;
    let mut found = body
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(k, _)| *k == CSRF_FIELD)
        .map(|(_, v)| v);
    let token = found.next()?;
    if found.next().is_some() {
        return None;
    }
    Some(token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded; charset=UTF-8"),
        );
        h
    }

    #[test]
    fn token_from_form_body() {
        let t = presented_csrf_token(&form_headers(), b"a=1&csrf_token=abc&b=2");
        assert_eq!(t.as_deref(), Some("abc"));
    }

    #[test]
    fn duplicate_form_tokens_are_refused() {
        let t = presented_csrf_token(&form_headers(), b"csrf_token=abc&csrf_token=abc");
        assert_eq!(t, None);
    }

    #[test]
    fn header_wins_and_other_bodies_need_the_header() {
        let mut h = form_headers();
        h.insert(CSRF_HEADER, HeaderValue::from_static("hdr"));
        assert_eq!(
            presented_csrf_token(&h, b"csrf_token=body").as_deref(),
            Some("hdr")
        );
        let mut json = HeaderMap::new();
        json.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        assert_eq!(presented_csrf_token(&json, br#"{"csrf_token":"x"}"#), None);
    }

    #[tokio::test]
    async fn read_limited_stops_at_the_limit() {
        assert_eq!(
            read_limited(Body::from(vec![0u8; 10]), 10)
                .await
                .unwrap()
                .len(),
            10
        );
        assert!(matches!(
            read_limited(Body::from(vec![0u8; 11]), 10).await,
            Err(ErrorKind::PayloadTooLarge)
        ));
    }
}
