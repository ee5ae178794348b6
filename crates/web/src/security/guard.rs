//! The per-request checks: the name the request was sent to (every request);
//! cross-origin, body limit and CSRF for state-changing requests; the session
//! cookie (or a fresh pre-session id) into the extensions.
//!
//! A refused request is answered with a bare status and a [`Refusal`] in the
//! response's extensions — no body, no page: turning it into the site's error
//! page or the API's JSON error is the composition root's job.

use std::future::poll_fn;
use std::pin::Pin;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::config::WebSecurity;
use super::csrf::{CSRF_FIELD, CSRF_HEADER, CsrfToken};
use super::origin;
use super::token::RandomToken;

/// Why the security layer refused a request. Sent as the response's status, with
/// this value in the response's extensions (for whoever styles error responses,
/// and for tests); the body is empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// 421: the request was sent to a name that is not this server's (`Host` /
    /// `:authority`: not the configured origin's host and port, or — without a
    /// configured origin — not a loopback name). DNS rebinding looks like this.
    MisdirectedHost,
    /// 403: `Sec-Fetch-Site` or `Origin` names another site.
    CrossOrigin,
    /// 403: a state-changing request without a session cookie (so without a CSRF token).
    NoSession,
    /// 403: the CSRF token is missing or wrong.
    Csrf,
    /// 413: the body is over the limit.
    TooLarge,
    /// 400: the body could not be read.
    UnreadableBody,
}

impl Refusal {
    /// The status the refusal is sent with.
    #[must_use]
    pub const fn status(self) -> StatusCode {
        match self {
            Refusal::MisdirectedHost => StatusCode::MISDIRECTED_REQUEST,
            Refusal::CrossOrigin | Refusal::NoSession | Refusal::Csrf => StatusCode::FORBIDDEN,
            Refusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::UnreadableBody => StatusCode::BAD_REQUEST,
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response.extensions_mut().insert(self);
        response
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
/// answered with a bare 500.
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

/// Cross-origin, body-limit and CSRF checks; session id into the extensions.
pub(super) async fn guard(State(sec): State<WebSecurity>, req: Request, next: Next) -> Response {
    if let Err(why) = origin::check_host(&sec.inner.host, req.uri(), req.headers()) {
        tracing::info!(
            ?why,
            route = %route(req.extensions()),
            "request for another host refused"
        );
        return Refusal::MisdirectedHost.into_response();
    }
    let cookie = sec.inner.cookie;
    let session = cookie.read_session(req.headers());

    let mut req = if origin::is_state_changing(req.method()) {
        match check_state_changing(&sec, req, session.as_ref()).await {
            Ok(req) => req,
            Err(refusal) => return refusal.into_response(),
        }
    } else if sec.is_origin_checked(req.uri().path()) {
        if let Err(refusal) = check_cross_origin(&sec, &req) {
            return refusal.into_response();
        }
        req
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
) -> Result<Request, Refusal> {
    let inner = &sec.inner;
    check_cross_origin(sec, &req)?;

    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > inner.body_limit as u64) {
        return Err(Refusal::TooLarge);
    }
    let (parts, body) = req.into_parts();
    let bytes = read_limited(body, inner.body_limit).await?;

    if !sec.is_csrf_exempt(parts.uri.path()) {
        let Some(session) = session else {
            tracing::info!(
                route = %route(&parts.extensions),
                "state-changing request without session cookie"
            );
            return Err(Refusal::NoSession);
        };
        let presented = presented_csrf_token(&parts.headers, &bytes);
        if !presented.is_some_and(|t| inner.csrf.verify(session, &t)) {
            tracing::info!(
                route = %route(&parts.extensions),
                "CSRF token missing or wrong"
            );
            return Err(Refusal::Csrf);
        }
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The Fetch Metadata / `Origin` check (see `origin.rs`).
fn check_cross_origin(sec: &WebSecurity, req: &Request) -> Result<(), Refusal> {
    let inner = &sec.inner;
    let expected =
        origin::expected_origin(inner.origin.as_deref(), inner.tls, req.uri(), req.headers());
    if let Err(why) = origin::check(req.headers(), expected.as_deref()) {
        tracing::info!(
            ?why,
            route = %route(req.extensions()),
            "cross-origin request refused"
        );
        return Err(Refusal::CrossOrigin);
    }
    Ok(())
}

/// Reads a body, refusing it as soon as it grows past `limit`.
async fn read_limited(mut body: Body, limit: usize) -> Result<Bytes, Refusal> {
    let mut buf: Vec<u8> = Vec::new();
    while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|_| Refusal::UnreadableBody)?;
        if let Ok(data) = frame.into_data() {
            if buf.len().saturating_add(data.len()) > limit {
                return Err(Refusal::TooLarge);
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

/// A refused request's route as it may be logged: the router's template
/// (`/api/v1/admin/accounts/{institution_code}/{login_id}/unlock`), `unmatched` when
/// no route matched, never the path a client typed, which may hold anything.
fn route(extensions: &Extensions) -> &str {
    extensions
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

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
            Err(Refusal::TooLarge)
        ));
    }
}
