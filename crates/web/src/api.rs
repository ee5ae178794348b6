//! The JSON API under `/api/v1` for vendors who do not link Rust.

use axum::Router;
use shikaku::Store;

use crate::app::AppState;

/// Where the API is mounted.
pub const PREFIX: &str = "/api/v1";

/// Every API route.
pub(crate) fn routes<S: Store>() -> Router<AppState<S>> {
    Router::new()
}
