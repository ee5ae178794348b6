//! The JSON API under `/api/v1` for vendors who do not link Rust: the public, stable
//! contract of the receipt-computer integration.
//!
//! | call | auth | answer |
//! |---|---|---|
//! | `POST /api/v1/login` `{institution_code, login_id, password}` | — | 200 `{next: "enroll"\|"passcode", login_token}` |
//! | `GET /api/v1/enrollment` | `Bearer <login_token>` | 200 `{setup_key, otpauth_uri, qr_svg}` |
//! | `POST /api/v1/passcode` `{login_token, passcode}` | (token in body) | 200 `{session_token, enrolled}` |
//! | `GET /api/v1/session` | `Bearer <session_token>` | 200 `{institution_code, login_id, expires_at}` |
//! | `POST /api/v1/password` `{current_password, new_password, new_password_confirm}` | `Bearer <session_token>` | 204 |
//! | `POST /api/v1/logout` | `Bearer <session_token>` | 204 |
//! | `POST /api/v1/authenticate` `{institution_code, login_id, password, passcode}` | — | 200 `{institution_code, login_id, authenticated_at}` |
//! | `GET /api/v1/openapi.json` | — | the OpenAPI 3.1 document |
//! | `… /api/v1/admin/…` | `Bearer <API key>` | administration: `admin/mod.rs` |
//!
//! The OpenAPI document (`crates/web/openapi.json`, served as is) is the reference; the
//! integration tests validate every response they receive against it.
//!
//! # Errors
//!
//! Every error, including those the middleware produces before a handler runs (cross-origin
//! 403, body-limit 413, router 404/405, a panic's 500), is `{"error": code, "message": text}`
//! (the table of codes is in `src/api/error.rs` and `docs/api.md`), with `locked_until` on
//! 423 and `violations` on 422. A request sent to a host name that is not the server's
//! (`WebOptions::public_origin`, or a loopback name without one) is 421
//! `misdirected_request`, on every call. Messages are Japanese unless the request negotiates English
//! (`Accept-Language: en`, like the screens); their texts live with every other string in
//! [`crate::messages`] ([`ApiMessages`](crate::messages::ApiMessages)). The composition root
//! turns the bare statuses of the security layer and the router into these errors
//! (`restyle_error`).
//!
//! # Design
//!
//! ```text
//!  bytes ─► JsonBody<T> (Content-Type, serde, deny_unknown_fields) ─► T (zeroized, redacted)
//!        ─► TryFrom<T> (no controls, non-empty, identifiers, passcode) ─► domain request
//!        ─► AppState::run (blocking pool: argon2 never on an async thread) ─► facade outcome
//!        ─► response body | ApiError ─► JSON
//! ```
//!
//! Tokens come only from the `Authorization: Bearer` header (or, for the half-finished
//! login, the `login_token` body field), never from the URL; they are written as 64
//! lowercase hex digits (`token.rs`, the API's one token encoding).
//!
//! | file | holds |
//! |---|---|
//! | `handlers.rs` | one handler per call |
//! | `admin/` | the administration calls (API keys, scopes, paging) |
//! | `malformed.rs` | why a request's form is refused (400) |
//! | `wire.rs` | request and response bodies, their checks |
//! | `extract.rs` | the JSON body and bearer-token extractors |
//! | `error.rs` | `ApiError`: status and code of every error |
//! | `token.rs` | tokens as hex |
//! | `instant.rs` | RFC 3339 instants |

mod admin;
mod error;
mod extract;
mod handlers;
mod instant;
mod malformed;
mod token;
mod wire;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use shikaku::Store;

use crate::lang::Lang;
use crate::state::AppState;

/// Where the API is mounted.
pub const PREFIX: &str = "/api/v1";

/// Where the administration calls are (API keys only; every method gets the
/// cross-origin check).
pub const ADMIN_PREFIX: &str = "/api/v1/admin";

/// The OpenAPI 3.1 document describing every call, served at `GET /api/v1/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../../openapi.json");

/// Every API route.
pub(crate) fn routes<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route("/login", post(handlers::login::<S>))
        .route("/enrollment", get(handlers::enrollment::<S>))
        .route("/passcode", post(handlers::passcode::<S>))
        .route("/session", get(handlers::session::<S>))
        .route("/password", post(handlers::password::<S>))
        .route("/logout", post(handlers::logout::<S>))
        .route("/authenticate", post(handlers::authenticate::<S>))
        .route("/openapi.json", get(openapi))
        .nest("/admin", admin::routes())
}

/// `GET /openapi.json`: the contract, as checked in.
async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI_JSON,
    )
        .into_response()
}

/// Whether a request path belongs to the JSON API (everything under `/api/`), whose
/// errors are JSON, never HTML pages.
pub(crate) fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// For the composition root's middleware: an error response under `/api/` that is not
/// already one of ours (axum's 404/405, the security layer's bare 403/413, a panic's 500)
/// becomes the JSON error of its status. Success responses and our own errors pass
/// unchanged.
pub(crate) fn restyle_error(lang: Lang, response: Response) -> Response {
    error::restyle(lang, response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_paths() {
        assert!(is_api_path("/api/v1/login"));
        assert!(is_api_path("/api/v2/anything"));
        assert!(is_api_path("/api"));
        assert!(!is_api_path("/apix"));
        assert!(!is_api_path("/login"));
    }

    #[test]
    fn the_document_is_json_and_names_the_prefix() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI_JSON).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["servers"][0]["url"], PREFIX);
    }
}
