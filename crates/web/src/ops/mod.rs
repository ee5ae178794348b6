//! What an operator's tools talk to: health and readiness for load balancers,
//! Prometheus metrics, and a log line per request. All of it outside the security
//! stack: no cookie, no CSRF token, no `Host` check, nothing a user typed in a label.
//!
//! | file | holds |
//! |---|---|
//! | `health.rs` | `GET /healthz`, `GET /readyz` |
//! | `metrics.rs` | [`Metrics`]: the registry; an [`AuditSink`](shikaku::AuditSink) counting logins, passcodes, authentications, locks and sessions |
//! | `http.rs` | the per-request middleware: route template, status, latency (metrics and a log line); answers the store could not give (503) |

mod health;
mod http;
mod metrics;

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use shikaku::{Shikaku, Store};

pub use health::READY_TIMEOUT;
pub use http::track;
pub use metrics::{Metrics, MetricsSink};

/// `GET /healthz` and `GET /readyz`, to merge beside (not inside) the protected app.
/// Readiness asks the store, and also goes false for a while after requests were
/// answered 503 (a full disk or a read-only file fails writes, not the ping).
pub fn health_routes<S: Store>(service: Arc<Shikaku<S>>, metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz::<S>))
        .with_state((service, metrics))
}

/// `GET /metrics` in the Prometheus text format: on the public listener, or on a
/// listener of its own (`[metrics] bind`).
pub fn metrics_routes<S: Store>(service: Arc<Shikaku<S>>, metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/metrics", get(scrape::<S>))
        .with_state((service, metrics))
}

async fn scrape<S: Store>(
    State((service, metrics)): State<(Arc<Shikaku<S>>, Arc<Metrics>)>,
) -> impl IntoResponse {
    let body = metrics.render(service.hashing_load(), &service.argon2_timings());
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
}
