//! The static assets, embedded in the binary: one stylesheet, one script,
//! one favicon.
//!
//! Served with an `ETag` and `Cache-Control: no-cache` (the browser keeps a
//! copy but revalidates it, and gets `304 Not Modified` while unchanged), so
//! a new build never leaves stale CSS or JS behind.

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::paths;

/// The stylesheet.
pub const STYLESHEET: &str = include_str!("../static/shikaku.css");
/// The script: 《テキストでコピー》 and printing. No inline script exists anywhere.
pub const SCRIPT: &str = include_str!("../static/shikaku.js");
/// The favicon.
pub const FAVICON: &str = include_str!("../static/favicon.svg");

/// A router serving the assets at [`paths::STYLESHEET`], [`paths::SCRIPT`],
/// [`paths::FAVICON`] and `/favicon.ico`. Merge it into the app router.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            paths::STYLESHEET,
            get(|h: HeaderMap| async move { asset(&h, STYLESHEET, "text/css; charset=utf-8") }),
        )
        .route(
            paths::SCRIPT,
            get(|h: HeaderMap| async move { asset(&h, SCRIPT, "text/javascript; charset=utf-8") }),
        )
        .route(
            paths::FAVICON,
            get(|h: HeaderMap| async move { asset(&h, FAVICON, "image/svg+xml") }),
        )
        // Browsers ask for it on pages without `<link rel="icon">` (the print sheet).
        .route(
            "/favicon.ico",
            get(|h: HeaderMap| async move { asset(&h, FAVICON, "image/svg+xml") }),
        )
}

/// FNV-1a, only to name a version of an embedded file.
fn etag(body: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{hash:016x}\"")
}

fn asset(request: &HeaderMap, body: &'static str, content_type: &'static str) -> Response {
    let tag = etag(body);
    let cache = [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (
            header::ETAG,
            HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"0\"")),
        ),
    ];
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    if fresh {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        cache,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_changes_with_content() {
        assert_ne!(etag("a"), etag("b"));
        assert_eq!(etag("a"), etag("a"));
        assert!(etag("").starts_with('"') && etag("").ends_with('"'));
    }

    #[test]
    fn script_has_no_eval_and_no_inline_handlers_in_templates() {
        for banned in ["eval(", "new Function", "innerHTML", "document.write"] {
            assert!(!SCRIPT.contains(banned), "{banned}");
        }
    }
}
