//! The manual's screens, driven by the facade.

use axum::Router;
use shikaku::Store;

use crate::app::AppState;

/// Every screen route.
pub(crate) fn routes<S: Store>() -> Router<AppState<S>> {
    Router::new()
}
