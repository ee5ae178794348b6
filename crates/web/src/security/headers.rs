//! Response security headers (ASVS 5.0 V3.4).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::Response;
use sha2::{Digest, Sha256};

use crate::encoding::base64_std;

/// The Content-Security-Policy: no inline script or style anywhere, images
/// from us or `data:` (the QR code), no plugins, no `<base>`, forms only to
/// us, never framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// [`CONTENT_SECURITY_POLICY`] that also allows the given inline `<style>`
/// elements by hash (`style-src 'self' 'sha256-…'`), for a full HTML page made
/// elsewhere — the printable enrollment sheet of `shikaku-qr`, whose one
/// `<style>` is `shikaku_qr::SHEET_CSS`. Everything else stays as strict.
///
/// Set it on that response (`Content-Security-Policy`); the middleware keeps a
/// policy a handler has set.
///
/// ```
/// let csp = shikaku_web::security::csp_allowing_styles(&["body { margin: 0; }"]);
/// assert!(csp.to_str().unwrap().contains("style-src 'self' 'sha256-"));
/// ```
#[must_use]
pub fn csp_allowing_styles(styles: &[&str]) -> HeaderValue {
    let hashes: String = styles
        .iter()
        .map(|css| format!(" 'sha256-{}'", base64_std(&Sha256::digest(css.as_bytes()))))
        .collect();
    let policy =
        CONTENT_SECURITY_POLICY.replace("style-src 'self';", &format!("style-src 'self'{hashes};"));
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static(CONTENT_SECURITY_POLICY))
}

/// HSTS for two years including sub-domains (ASVS 5.0 3.4.1 asks ≥ 1 year).
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=63072000; includeSubDomains";

/// Sets the security headers on a response.
///
/// Always overwritten: `X-Content-Type-Options`, `Referrer-Policy`,
/// `X-Frame-Options`, `Cross-Origin-Opener-Policy`,
/// `Cross-Origin-Resource-Policy`, `Permissions-Policy` and (when `hsts`)
/// `Strict-Transport-Security`.
///
/// Set only when the handler did not: `Content-Security-Policy` (a handler
/// may send a *stricter* or page-specific policy, e.g. the print page) and
/// `Cache-Control` (`no-store`; the static assets send their own).
pub(super) fn apply(headers: &mut HeaderMap, hsts: bool) {
    let fixed: [(HeaderName, &'static str); 6] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    }
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
}

/// Outermost middleware: [`apply`] on every response, whoever made it.
pub(super) async fn stamp(State(hsts): State<bool>, mut response: Response) -> Response {
    apply(response.headers_mut(), hsts);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_everything() {
        let mut h = HeaderMap::new();
        apply(&mut h, true);
        assert_eq!(h[header::CONTENT_SECURITY_POLICY], CONTENT_SECURITY_POLICY);
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        assert_eq!(
            h[header::STRICT_TRANSPORT_SECURITY],
            STRICT_TRANSPORT_SECURITY
        );
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
    }

    #[test]
    fn hsts_only_when_asked() {
        let mut h = HeaderMap::new();
        apply(&mut h, false);
        assert!(h.get(header::STRICT_TRANSPORT_SECURITY).is_none());
    }

    #[test]
    fn keeps_handler_cache_control_and_csp_but_not_weaker_nosniff() {
        let mut h = HeaderMap::new();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'"),
        );
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("unsafe-url"),
        );
        apply(&mut h, false);
        assert_eq!(h[header::CACHE_CONTROL], "no-cache");
        assert_eq!(h[header::CONTENT_SECURITY_POLICY], "default-src 'none'");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
    }

    #[test]
    fn style_hashes_are_sha256_base64() {
        // SHA-256 of the empty string, base64 (a well-known value).
        let csp = csp_allowing_styles(&["", "a"]);
        let csp = csp.to_str().unwrap();
        assert!(
            csp.contains(
                "style-src 'self' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' 'sha256-"
            ),
            "{csp}"
        );
        assert!(csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'none'"));
        assert_eq!(
            csp_allowing_styles(&[]).to_str().unwrap(),
            CONTENT_SECURITY_POLICY
        );
    }

    #[test]
    fn csp_forbids_inline_script() {
        let script = CONTENT_SECURITY_POLICY
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src"))
            .unwrap();
        assert_eq!(script, "script-src 'self'");
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
    }
}
