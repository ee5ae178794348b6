//! Cross-origin checks for state-changing requests (Fetch Metadata + `Origin`).
//!
//! A request with an unsafe method (anything but `GET`, `HEAD`, `OPTIONS`,
//! `TRACE`) is refused when
//!
//! * `Sec-Fetch-Site` is present and is not `same-origin` or `none`
//!   (`same-site` is refused too: a sibling sub-domain is not us), or
//! * `Origin` is present and is not exactly the expected origin.
//!
//! `Origin: null` is accepted only together with `Sec-Fetch-Site:
//! same-origin`: under our own `Referrer-Policy: no-referrer`, browsers send
//! `Origin: null` on every form `POST` (Fetch §3.2.5), even same-origin ones;
//! the unforgeable `Sec-Fetch-Site` then vouches for the request. Without
//! `Sec-Fetch-Site`, `null` is refused.
//!
//! Requests carrying neither header (old browsers, non-browser clients) pass
//! this check; the CSRF token check still applies to them.

use axum::http::{HeaderMap, Method, Uri, header};

/// Why a request was refused as cross-origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CrossOrigin {
    /// `Sec-Fetch-Site` was present with this value.
    FetchSite(String),
    /// `Origin` was present with this value, not the expected one.
    Origin(String),
}

/// Whether a method can change state (and so needs the checks).
pub(crate) fn is_state_changing(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// The origin the browser will send for our own pages: the configured one, or
/// `scheme://host` of the request (HTTP/2 `:authority`, else `Host`).
pub(crate) fn expected_origin(
    configured: Option<&str>,
    tls: bool,
    uri: &Uri,
    headers: &HeaderMap,
) -> Option<String> {
    if let Some(origin) = configured {
        return Some(origin.to_owned());
    }
    let host = uri.authority().map(|a| a.as_str().to_owned()).or_else(|| {
        headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
    })?;
    let scheme = if tls { "https" } else { "http" };
    Some(format!("{scheme}://{host}"))
}

/// Checks Fetch Metadata and `Origin` of a state-changing request.
pub(crate) fn check(headers: &HeaderMap, expected: Option<&str>) -> Result<(), CrossOrigin> {
    let mut same_origin_fetch = false;
    for site in headers.get_all("sec-fetch-site") {
        let site = String::from_utf8_lossy(site.as_bytes()).into_owned();
        if site != "same-origin" && site != "none" {
            return Err(CrossOrigin::FetchSite(site));
        }
        same_origin_fetch = site == "same-origin";
    }
    for origin in headers.get_all(header::ORIGIN) {
        let origin = String::from_utf8_lossy(origin.as_bytes()).into_owned();
        let matches = expected.is_some_and(|e| origin.eq_ignore_ascii_case(e))
            || (origin == "null" && same_origin_fetch);
        if !matches {
            return Err(CrossOrigin::Origin(origin));
        }
    }
    Ok(())
}

/// Validates a configured origin: `http(s)://host[:port]`, nothing else.
pub(crate) fn validate_origin(origin: &str) -> bool {
    let Ok(uri) = origin.parse::<Uri>() else {
        return false;
    };
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    let host_ok = uri.host().is_some_and(|h| !h.is_empty());
    // `Uri` normalises an empty path to "/", so compare with the text.
    let bare = !origin.trim_end_matches('/').contains(['?', '#'])
        && origin.matches('/').count() == 2
        && !origin.contains('@');
    scheme_ok && host_ok && bare
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.append(*k, HeaderValue::from_static(v));
        }
        m
    }

    const ME: Option<&str> = Some("https://clinic.example");

    #[test]
    fn fetch_site() {
        assert!(check(&h(&[("sec-fetch-site", "same-origin")]), ME).is_ok());
        assert!(check(&h(&[("sec-fetch-site", "none")]), ME).is_ok());
        for bad in ["cross-site", "same-site", "SAME-ORIGIN", ""] {
            let mut m = HeaderMap::new();
            m.insert("sec-fetch-site", HeaderValue::from_str(bad).unwrap());
            assert_eq!(check(&m, ME), Err(CrossOrigin::FetchSite(bad.to_owned())));
        }
    }

    #[test]
    fn origin() {
        assert!(check(&h(&[("origin", "https://clinic.example")]), ME).is_ok());
        for bad in [
            "https://evil.example",
            "http://clinic.example",
            "https://clinic.example:8443",
            "null",
        ] {
            let mut m = HeaderMap::new();
            m.insert("origin", HeaderValue::from_str(bad).unwrap());
            assert!(check(&m, ME).is_err(), "{bad}");
        }
        // An Origin with nothing to compare it to is refused.
        assert!(check(&h(&[("origin", "https://clinic.example")]), None).is_err());
    }

    #[test]
    fn null_origin_needs_same_origin_fetch_metadata() {
        // What Chromium sends for a same-origin form POST under
        // `Referrer-Policy: no-referrer`.
        let ok = h(&[("sec-fetch-site", "same-origin"), ("origin", "null")]);
        assert!(check(&ok, ME).is_ok());
        assert!(check(&ok, None).is_ok());
        for bad in [
            h(&[("origin", "null")]),
            h(&[("sec-fetch-site", "none"), ("origin", "null")]),
            h(&[("sec-fetch-site", "cross-site"), ("origin", "null")]),
        ] {
            assert!(check(&bad, ME).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn both_headers_must_pass() {
        let m = h(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://evil.example"),
        ]);
        assert!(check(&m, ME).is_err());
    }

    #[test]
    fn absent_headers_pass() {
        assert!(check(&HeaderMap::new(), ME).is_ok());
        assert!(check(&HeaderMap::new(), None).is_ok());
    }

    #[test]
    fn expected_origin_from_host() {
        let uri: Uri = "/login".parse().unwrap();
        let m = h(&[("host", "127.0.0.1:8080")]);
        assert_eq!(
            expected_origin(None, false, &uri, &m).as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            expected_origin(None, true, &uri, &m).as_deref(),
            Some("https://127.0.0.1:8080")
        );
        assert_eq!(
            expected_origin(Some("https://a.example"), false, &uri, &m).as_deref(),
            Some("https://a.example")
        );
        assert_eq!(expected_origin(None, true, &uri, &HeaderMap::new()), None);
    }

    #[test]
    fn methods() {
        assert!(is_state_changing(&Method::POST));
        assert!(is_state_changing(&Method::DELETE));
        assert!(is_state_changing(&Method::PUT));
        assert!(!is_state_changing(&Method::GET));
        assert!(!is_state_changing(&Method::HEAD));
    }

    #[test]
    fn configured_origin_validation() {
        assert!(validate_origin("https://clinic.example"));
        assert!(validate_origin("http://127.0.0.1:8080"));
        for bad in [
            "clinic.example",
            "ftp://clinic.example",
            "https://clinic.example/login",
            "https://clinic.example?x",
            "https://user@clinic.example",
            "",
        ] {
            assert!(!validate_origin(bad), "{bad}");
        }
    }
}
