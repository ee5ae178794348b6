//! The composition root: the facade behind the screens ([`crate::screens`]) and the
//! JSON API ([`crate::api`]), inside the security stack ([`crate::security`]), with
//! what joins them — the language of each request and the styling of every error
//! response.
//!
//! ```text
//!  request ─► security headers ─► frame ─► security checks ─► screens | API | assets
//!
//!  frame   negotiates the Lang (→ request extensions; `?lang=` sets the cookie);
//!          on the way out, turns every error response that is not already ours
//!          (the security layer's bare 403/413, axum's 404/405/415/422, a panic's
//!          500) into the error page in that language — or, under `/api/`, into
//!          the API's JSON error
//! ```
//!
//! Nothing else imports this module: the screens, the API and the security layer
//! know nothing of each other, and share only [`AppState`] (`state.rs`).

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use shikaku::{Shikaku, Store};

use crate::error::Error;
use crate::lang::Lang;
use crate::ops::Metrics;
use crate::security::cookie::cookie_values;
use crate::security::{CookiePolicy, CsrfKey, WebSecurity};
use crate::state::AppState;
use crate::views::{ErrorKind, ErrorPage, Rendered};

/// How the web app is served.
///
/// How many argon2 runs may go at once is the facade's configuration
/// ([`HashCost::concurrent_calls`](shikaku::HashCost::concurrent_calls)), so the
/// hashing permits and the hasher's memory pool always agree.
#[derive(Clone, Debug, Default)]
pub struct WebOptions {
    /// Plain-http localhost demo: cookies without `Secure` and without the `__Host-` prefix.
    pub insecure_cookies: bool,
    /// Served over TLS (or behind a TLS-terminating proxy): adds HSTS.
    pub tls: bool,
    /// The origin staff browsers use for this server, `scheme://host[:port]` (e.g.
    /// `"https://clinic.example:8443"`; one trailing `/` allowed; a default port is
    /// the same origin as none).
    ///
    /// * `Some(origin)`: a request whose `Host` (HTTP/2 `:authority`) is not that
    ///   host and port is refused with **421 Misdirected Request** (a page, or the
    ///   API's JSON error `misdirected_request`), and a state-changing request whose
    ///   `Origin` is present and not exactly this origin with 403 (`forbidden`).
    ///   Behind a reverse proxy, the proxy must pass the browser's `Host` on.
    /// * `None`: only loopback names are answered — `localhost`, `127.0.0.1`,
    ///   `[::1]`, any port — and the expected `Origin` is `scheme://Host`. Safe for
    ///   tests and a loopback demo, and useless to a DNS-rebinding page (whose name
    ///   is never a loopback one). A server reachable under any other name needs
    ///   `Some`.
    pub public_origin: Option<String>,
    /// The CSRF key. Several nodes behind one load balancer must share it, or a form
    /// served by one node is refused by another (the `shikaku` binary derives it from
    /// the master key every node holds). `None`: a random key per process.
    pub csrf_key: Option<CsrfKey>,
    /// The metrics the requests are counted into ([`crate::ops`]); `None`: counted into
    /// a registry of the app's own (readiness still sees the store's failures).
    pub metrics: Option<Arc<Metrics>>,
}

/// The whole web application: screens, JSON API under `/api/v1`, static assets, and the
/// security stack around all of it. Mount it as is, or `nest` it under a prefix.
///
/// # Errors
///
/// [`Error::InvalidOrigin`] if [`WebOptions::public_origin`] is not
/// `http(s)://host[:port]` without path, query, fragment or user info.
pub fn app<S: Store>(service: Arc<Shikaku<S>>, options: WebOptions) -> Result<Router, Error> {
    let WebOptions {
        insecure_cookies,
        tls,
        public_origin,
        csrf_key,
        metrics,
    } = options;
    let cookie = if insecure_cookies {
        // The cookie module logs a warning when this policy is in force.
        CookiePolicy::insecure_localhost_demo()
    } else {
        CookiePolicy::secure()
    };
    // The web adapter is allowed to draw from the OS; the core crates never do.
    let rng = rand_core::UnwrapErr(rand::rngs::SysRng);
    let mut security = WebSecurity::builder(rng)
        .cookie_policy(cookie)
        .tls(tls)
        .csrf_exempt_prefix(crate::api::PREFIX)
        .cross_origin_checked_prefix(crate::api::ADMIN_PREFIX);
    if let Some(origin) = public_origin {
        security = security.origin(&origin)?;
    }
    if let Some(key) = csrf_key {
        security = security.csrf_key(key);
    }
    let security = security.build();
    let metrics = metrics.unwrap_or_default();
    let state = AppState::new(Arc::clone(&service), security.clone())
        .counting_admission(metrics.admission_waiting());
    let routes = Router::new()
        .merge(crate::screens::routes())
        .nest(crate::api::PREFIX, crate::api::routes())
        .with_state(state)
        .merge(crate::assets::router());
    // Per route (after routing), so the metrics and the log see the route template;
    // outside the security stack, so they also see its refusals.
    let tracked = protect(&security, routes).layer(middleware::from_fn_with_state(
        Arc::clone(&metrics),
        crate::ops::track,
    ));
    // Health and readiness stay outside the security stack: a load balancer's probe
    // carries no cookie, no CSRF token and often not the public host name.
    Ok(crate::ops::health_routes(service, metrics).merge(tracked))
}

/// Wraps `router` in the security stack ([`WebSecurity::protect_with`]) with this
/// crate's frame inside it: every request gets its [`Lang`], every error response
/// becomes the error page in that language (or, under `/api/`, the API's JSON error),
/// and a `?lang=` choice is remembered in the language cookie.
///
/// Call it last, after every route, `merge` and `fallback`; [`app`] does.
///
/// ```
/// use axum::{Router, routing::get};
/// use shikaku_web::{Lang, security::{CsrfToken, WebSecurity}, views::LoginPage};
/// # use rand_core::SeedableRng;
/// # let rng = rand_chacha::ChaCha20Rng::from_seed([0; 32]);
/// let security = WebSecurity::builder(rng).build();
/// let app: Router = shikaku_web::protect(
///     &security,
///     Router::new().route(
///         "/login",
///         get(|lang: Lang, csrf: CsrfToken| async move { LoginPage::new(lang, csrf) }),
///     ),
/// );
/// ```
pub fn protect<S: Clone + Send + Sync + 'static>(
    security: &WebSecurity,
    router: Router<S>,
) -> Router<S> {
    let frame = middleware::from_fn_with_state(security.cookie_policy(), frame);
    security.protect_with(router, frame)
}

/// Negotiates the language, and styles every error response on its way out.
async fn frame(State(cookie): State<CookiePolicy>, mut req: Request, next: Next) -> Response {
    let query = req.uri().query();
    let switched = query.and_then(Lang::from_query);
    let lang = Lang::negotiate(query, req.headers(), cookie.lang_cookie_name());
    req.extensions_mut().insert(lang);
    let api = crate::api::is_api_path(req.uri().path());

    let mut response = next.run(req).await;

    response = if api {
        // The JSON API answers every error in JSON, never with a page.
        crate::api::restyle_error(lang, response)
    } else {
        error_page(lang, response)
    };
    if let Some(lang) = switched {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookie.lang_cookie(lang));
    }
    response
}

/// An error response that is not one of our pages becomes the error page of its
/// status (keeping the status and an `Allow` header); anything else passes unchanged.
fn error_page(lang: Lang, response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<Rendered>().is_some()
    {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut page = ErrorPage::new(lang, ErrorKind::from_status(status)).with_status(status);
    if let Some(allow) = allow {
        page.headers_mut().insert(header::ALLOW, allow);
    }
    page
}

impl Lang {
    /// Negotiates the language of a request (see [`Lang`]'s module docs): `?lang=`,
    /// then the language cookie named `cookie_name` (see
    /// [`CookiePolicy::lang_cookie_name`]), then `Accept-Language`, then Japanese.
    #[must_use]
    pub fn negotiate(query: Option<&str>, headers: &HeaderMap, cookie_name: &str) -> Lang {
        if let Some(lang) = query.and_then(Lang::from_query) {
            return lang;
        }
        if let Some(lang) = cookie_values(headers, cookie_name).find_map(Lang::from_code) {
            return lang;
        }
        headers
            .get_all(header::ACCEPT_LANGUAGE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(Lang::from_accept_language)
            .unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(lang) = parts.extensions.get::<Lang>() {
            return Ok(*lang);
        }
        // Not behind `protect` (e.g. a bare test router): negotiate with the default
        // cookie name.
        Ok(Lang::negotiate(
            parts.uri.query(),
            &parts.headers,
            CookiePolicy::LANG_COOKIE,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{HeaderValue, StatusCode};
    use axum::routing::get;
    use rand_core::SeedableRng;
    use tower::ServiceExt;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn default_is_japanese() {
        assert_eq!(Lang::negotiate(None, &HeaderMap::new(), "lang"), Lang::Ja);
    }

    #[test]
    fn query_beats_cookie_beats_accept_language() {
        let h = headers(&[("cookie", "lang=ja"), ("accept-language", "en")]);
        assert_eq!(Lang::negotiate(Some("x=1&lang=en"), &h, "lang"), Lang::En);
        assert_eq!(Lang::negotiate(None, &h, "lang"), Lang::Ja);
        let h = headers(&[("accept-language", "en-GB,en;q=0.9")]);
        assert_eq!(Lang::negotiate(None, &h, "lang"), Lang::En);
    }

    #[test]
    fn unknown_values_are_ignored() {
        let h = headers(&[("cookie", "lang=fr"), ("accept-language", "fr, de")]);
        assert_eq!(Lang::negotiate(Some("lang=xx"), &h, "lang"), Lang::Ja);
        assert_eq!(Lang::from_query("language=en"), None);
    }

    #[allow(clippy::panic)]
    fn boom() -> &'static str {
        panic!("deliberate test panic")
    }

    fn security() -> WebSecurity {
        WebSecurity::builder(rand_chacha::ChaCha20Rng::from_seed([1; 32])).build()
    }

    async fn json(response: Response) -> serde_json::Value {
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    /// A panicking API handler (there is none in the real API, so one is mounted here)
    /// answers a JSON 500 through the real stack, in the negotiated language.
    #[tokio::test]
    async fn a_panic_under_the_api_is_a_json_500() {
        let app = protect(
            &security(),
            Router::new().nest(
                crate::api::PREFIX,
                Router::new().route("/boom", get(|| async { boom() })),
            ),
        );
        for (accept, lang) in [("ja", Lang::Ja), ("en", Lang::En)] {
            let response = app
                .clone()
                .oneshot(
                    Request::get("/api/v1/boom")
                        .header(header::HOST, "127.0.0.1:8080")
                        .header(header::ACCEPT_LANGUAGE, accept)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
            assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
            let json = json(response).await;
            assert_eq!(json["error"], "internal");
            assert_eq!(json["message"], lang.t().api.internal);
        }
    }

    /// The security layer answers a refusal with a bare status; the frame makes it the
    /// error page, or the API's JSON error, and the security headers are still set.
    #[tokio::test]
    async fn refusals_are_styled_by_the_frame() {
        let sec = security();
        let router = Router::new()
            .route("/submit", axum::routing::post(|| async { "ok" }))
            .nest(
                crate::api::PREFIX,
                Router::new().route("/x", axum::routing::post(|| async { "ok" })),
            );
        let cross_site = |uri: &str| {
            Request::post(uri)
                .header("host", "127.0.0.1:8080")
                .header("sec-fetch-site", "cross-site")
                .body(Body::empty())
                .unwrap()
        };
        let bare = sec.protect(router.clone());
        let response = bare.oneshot(cross_site("/submit")).await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            response.extensions().get::<crate::security::Refusal>(),
            Some(&crate::security::Refusal::CrossOrigin)
        );
        assert!(response.headers().get(header::CONTENT_TYPE).is_none());
        assert_eq!(response.headers()[header::X_FRAME_OPTIONS], "DENY");

        let app = protect(&sec, router);
        let page = app.clone().oneshot(cross_site("/submit")).await.unwrap();
        assert_eq!(page.status(), StatusCode::FORBIDDEN);
        assert_eq!(page.headers()[header::X_FRAME_OPTIONS], "DENY");
        let html = String::from_utf8(
            axum::body::to_bytes(page.into_body(), usize::MAX)
                .await
                .unwrap()
                .to_vec(),
        )
        .unwrap();
        assert!(html.contains(Lang::Ja.t().err_forbidden.0), "{html}");

        let api = app.oneshot(cross_site("/api/v1/x")).await.unwrap();
        assert_eq!(api.status(), StatusCode::FORBIDDEN);
        assert_eq!(api.headers()[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(json(api).await["error"], "forbidden");
    }
}
