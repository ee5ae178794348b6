//! `GET /healthz` (the process answers) and `GET /readyz` (the store answers a query
//! within a bound, the master key is loaded): small JSON for load balancers, outside
//! the security stack (no cookie, no CSRF, no `Host` check, no rate limit).

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use shikaku::{Shikaku, Store};

use super::Metrics;

/// How long `/readyz` waits for the store.
pub const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /healthz`: 200 while the process can answer at all.
pub(super) async fn healthz() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

/// `GET /readyz`: 200 when the store answered a ping within [`READY_TIMEOUT`] and no
/// request was answered 503 in the last [`Metrics::FAILURE_MEMORY`]; else 503 with the
/// reason (`store_unavailable`, `store_timeout`, `store_failing_writes`) and
/// `Retry-After`. The service exists only once its master key was loaded and
/// recognised by the store.
pub(super) async fn readyz<S: Store>(
    State((service, metrics)): State<(Arc<Shikaku<S>>, Arc<Metrics>)>,
) -> Response {
    let ping = tokio::task::spawn_blocking(move || service.store().ping());
    let reason = match tokio::time::timeout(READY_TIMEOUT, ping).await {
        Ok(Ok(Ok(()))) if metrics.store_failed_recently() => "store_failing_writes",
        Ok(Ok(Ok(()))) => {
            return Json(json!({"status": "ready", "store": "ok", "master_key": "loaded"}))
                .into_response();
        }
        Ok(Ok(Err(_))) | Ok(Err(_)) => "store_unavailable",
        Err(_) => "store_timeout",
    };
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({"status": "not_ready", "reason": reason})),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}
