//! One log line and two metrics per request: the route template (never the path a
//! client typed, which may hold a login ID), the method, the status and the duration.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use super::metrics::{Metrics, Request as RequestLabels, Route, Unanswered};

/// The middleware (`axum::middleware::from_fn_with_state(metrics, track)`), outside
/// the security stack, so the security checks' refusals (403, 413, 421) are counted
/// and logged under their route like every other answer.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = method_label(request.method()).to_owned();
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

/// The method as a label: one of the methods HTTP defines, or `other`. A client may
/// send any token as a method; as a label it would add a series per invented name.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invented_method_is_labelled_other() {
        assert_eq!(method_label(&Method::POST), "POST");
        assert_eq!(method_label(&Method::OPTIONS), "OPTIONS");
        let invented = Method::from_bytes(b"STAFF01").unwrap();
        assert_eq!(method_label(&invented), "other");
    }
}
