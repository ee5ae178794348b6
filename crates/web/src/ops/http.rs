//! One log line and two metrics per request: the route template (never the path a
//! client typed, which may hold a login ID), the method, the status and the duration.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::metrics::{Metrics, Request as RequestLabels, Route, Unanswered};

/// The middleware (`axum::middleware::from_fn_with_state(metrics, track)`).
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    // An adapter timing its own requests: the one place the web layer reads a clock.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    metrics
        .requests
        .get_or_create(&RequestLabels {
            route: route.clone(),
            method: method.clone(),
            status,
        })
        .inc();
    metrics
        .durations
        .get_or_create(&Route {
            route: route.clone(),
            method: method.clone(),
        })
        .observe(seconds);
    if status == 503 {
        // The screens and the API answer 503 only when the store could not answer.
        metrics.store_failed();
        metrics
            .store_unavailable
            .get_or_create(&Unanswered {
                route: route.clone(),
            })
            .inc();
    }
    tracing::info!(
        target: "shikaku::http",
        %route,
        %method,
        status,
        duration_ms = seconds * 1000.0,
        "request"
    );
    response
}
