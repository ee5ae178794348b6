//! Administration over the JSON API, under `/api/v1/admin`, for API keys
//! (`Authorization: Bearer <key>`, 64 lowercase hex digits; `shikaku api-key create`
//! issues them).
//!
//! | call | answer |
//! |---|---|
//! | `POST /admin/accounts` `{institution_code, login_id, initial_password?}` | 201 `{institution_code, login_id, initial_password}` |
//! | `GET /admin/accounts?institution_code=&after=&limit=` | 200 `{accounts: [...], next}` |
//! | `GET /admin/accounts/{institution_code}/{login_id}` | 200 the account |
//! | `POST /admin/accounts/{institution_code}/{login_id}/unlock` | 204 |
//! | `POST /admin/accounts/{institution_code}/{login_id}/reset-mfa` | 204 |
//! | `POST /admin/accounts/{institution_code}/{login_id}/reset-password` | 200 `{institution_code, login_id, initial_password}` |
//! | `POST /admin/accounts/{institution_code}/{login_id}/disable` | 204 |
//! | `POST /admin/accounts/{institution_code}/{login_id}/enable` | 204 |
//! | `GET /admin/audit?institution_code=&login_id=&kind=&since=&until=&after=&limit=` | 200 `{events: [...], next}` |
//!
//! The rules are the facade's: the key check ([`Shikaku::admin_caller`]), the scope
//! (an account outside the key's institutions is answered exactly as an absent one,
//! 404 `unknown_account`), paging by key, the audit event naming the key's id. The
//! CLI calls the same operations as the local operator. This module only parses,
//! calls and answers.
//!
//! | file | holds |
//! |---|---|
//! | `handlers.rs` | one handler per call |
//! | `auth.rs` | [`Caller`]: the API key of `Authorization: Bearer`, checked by the facade |
//! | `wire.rs` | request and response bodies, the account path |
//! | `query.rs` | the query strings of the listings, checked parameter by parameter |
//!
//! [`Shikaku::admin_caller`]: shikaku::Shikaku::admin_caller

mod auth;
mod handlers;
mod query;
mod wire;

use axum::Router;
use axum::routing::{get, post};
use shikaku::Store;

use crate::state::AppState;

/// The administration routes, nested under `/admin` by the API's router.
pub(super) fn routes<S: Store>() -> Router<AppState<S>> {
    const ACCOUNT: &str = "/accounts/{institution_code}/{login_id}";
    Router::new()
        .route(
            "/accounts",
            get(handlers::list::<S>).post(handlers::create::<S>),
        )
        .route(ACCOUNT, get(handlers::show::<S>))
        .route(&format!("{ACCOUNT}/unlock"), post(handlers::unlock::<S>))
        .route(
            &format!("{ACCOUNT}/reset-mfa"),
            post(handlers::reset_mfa::<S>),
        )
        .route(
            &format!("{ACCOUNT}/reset-password"),
            post(handlers::reset_password::<S>),
        )
        .route(&format!("{ACCOUNT}/disable"), post(handlers::disable::<S>))
        .route(&format!("{ACCOUNT}/enable"), post(handlers::enable::<S>))
        .route("/audit", get(handlers::audit::<S>))
}
