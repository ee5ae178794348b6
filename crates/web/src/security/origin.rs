//! Which site a request is for (`Host`), and cross-origin checks for
//! state-changing requests (Fetch Metadata + `Origin`).
//!
//! # `Host` (every request)
//!
//! A browser tricked by DNS rebinding sends our server requests for *another*
//! name (`Host: evil.example:8443`) with that name's `Origin`, so the `Origin`
//! check alone would pass. Every request is therefore first checked for the
//! name it was sent to — the `Host` header and, over HTTP/2, `:authority`:
//!
//! * with a configured origin ([`HostPolicy::Exact`]): the host and port must be
//!   exactly the origin's (case-insensitive; a missing port is the scheme's
//!   default, 80 or 443);
//! * without one ([`HostPolicy::Loopback`]): only `localhost`, `127.0.0.1` and
//!   `[::1]`, on any port — enough for a demo and tests, useless to a
//!   rebinding attacker, whose page is never served from a loopback name.
//!
//! A request without a `Host` (HTTP/1.0), with two, or with one that is not an
//! authority is refused the same way: **421 Misdirected Request** (RFC 9110
//! §15.5.20: this server will not answer for that name).
//!
//! # `Origin` (state-changing requests)
//!
//! A request with an unsafe method (anything but `GET`, `HEAD`, `OPTIONS`,
//! `TRACE`) is refused when
//!
//! * `Sec-Fetch-Site` is present and is not `same-origin` or `none`
//!   (`same-site` is refused too: a sibling sub-domain is not us), or
//! * `Origin` is present and is not exactly the expected origin: the configured
//!   one, else `scheme://Host` of the (loopback) request.
//!
//! `Origin: null` is accepted only together with `Sec-Fetch-Site:
//! same-origin`: under our own `Referrer-Policy: no-referrer`, browsers send
//! `Origin: null` on every form `POST` (Fetch §3.2.5), even same-origin ones;
//! the unforgeable `Sec-Fetch-Site` then vouches for the request. Without
//! `Sec-Fetch-Site`, `null` is refused.
//!
//! Requests carrying neither header (old browsers, non-browser clients) pass
//! this check; the CSRF token check still applies to them.

use axum::http::uri::Authority;
use axum::http::{HeaderMap, Method, Uri, header};

/// The names a server answers for (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HostPolicy {
    /// `localhost`, `127.0.0.1` or `[::1]`, any port.
    Loopback,
    /// Exactly this host (lowercase; IPv6 in brackets) and port.
    Exact {
        /// The host.
        host: String,
        /// The port (the scheme's default when the origin names none).
        port: u16,
    },
}

/// The loopback names [`HostPolicy::Loopback`] accepts.
const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// Why a request was refused for the name it was sent to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum BadHost {
    /// No `Host` header and no `:authority`.
    Missing,
    /// More than one `Host` header.
    Repeated,
    /// A `Host` (or `:authority`) that is not ours; the value as sent.
    Foreign(String),
}

impl HostPolicy {
    /// The policy of a configured origin (already validated by [`validate_origin`]);
    /// `None` if it has no host.
    pub(crate) fn for_origin(origin: &str) -> Option<Self> {
        let uri = origin.parse::<Uri>().ok()?;
        let authority = uri.authority()?;
        let port = authority
            .port_u16()
            .unwrap_or(if uri.scheme_str() == Some("https") {
                443
            } else {
                80
            });
        Some(HostPolicy::Exact {
            host: authority.host().to_ascii_lowercase(),
            port,
        })
    }

    /// Whether one authority (`host[:port]`, as sent) names this server.
    fn accepts(&self, sent: &str) -> bool {
        if sent.contains('@') {
            return false;
        }
        let Ok(authority) = sent.parse::<Authority>() else {
            return false;
        };
        // `Authority` accepts an empty port ("host:"); a browser never sends one.
        if sent.ends_with(':') {
            return false;
        }
        let host = authority.host();
        match self {
            HostPolicy::Loopback => LOOPBACK_HOSTS.iter().any(|h| host.eq_ignore_ascii_case(h)),
            HostPolicy::Exact { host: ours, port } => {
                host.eq_ignore_ascii_case(ours)
                    && authority.port_u16().unwrap_or(default_port(*port)) == *port
            }
        }
    }
}

/// The port a `Host` without one means, for a policy expecting `port`: a browser
/// leaves out exactly the scheme's default, so the host without a port matches
/// 80 and 443 — and nothing else.
const fn default_port(expected: u16) -> u16 {
    match expected {
        80 | 443 => expected,
        _ => 0,
    }
}

/// Checks the name a request was sent to: every `Host` header (at most one) and the
/// request target's authority (HTTP/2 `:authority`, or an absolute-form target).
pub(crate) fn check_host(
    policy: &HostPolicy,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(), BadHost> {
    let mut hosts = headers.get_all(header::HOST).iter();
    let host = hosts.next();
    if hosts.next().is_some() {
        return Err(BadHost::Repeated);
    }
    let mut sent: Vec<String> = Vec::with_capacity(2);
    if let Some(host) = host {
        sent.push(String::from_utf8_lossy(host.as_bytes()).into_owned());
    }
    if let Some(authority) = uri.authority() {
        sent.push(authority.as_str().to_owned());
    }
    if sent.is_empty() {
        return Err(BadHost::Missing);
    }
    match sent.into_iter().find(|name| !policy.accepts(name)) {
        Some(foreign) => Err(BadHost::Foreign(foreign)),
        None => Ok(()),
    }
}

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

/// A validated origin as browsers write it in `Origin`: lowercase, without the
/// scheme's default port (`https://clinic.example:443` → `https://clinic.example`).
pub(crate) fn serialize_origin(origin: &str) -> String {
    let lower = origin.to_ascii_lowercase();
    for (scheme, default) in [("https://", ":443"), ("http://", ":80")] {
        if lower.starts_with(scheme)
            && let Some(without) = lower.strip_suffix(default)
        {
            return without.to_owned();
        }
    }
    lower
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

    fn host(value: &'static str) -> HeaderMap {
        h(&[("host", value)])
    }

    #[test]
    fn loopback_policy_accepts_only_loopback_names() {
        let uri: Uri = "/login".parse().unwrap();
        let policy = HostPolicy::Loopback;
        for ok in [
            "127.0.0.1:8080",
            "127.0.0.1",
            "localhost:3000",
            "LOCALHOST",
            "[::1]:8443",
            "[::1]",
        ] {
            assert_eq!(check_host(&policy, &uri, &host(ok)), Ok(()), "{ok}");
        }
        for bad in [
            "evil.example:8080",
            "localhost.evil.example",
            "127.0.0.2:8080",
            "10.0.0.5:8080",
            "0.0.0.0:8080",
            "[::2]",
            "user@127.0.0.1",
            "127.0.0.1:",
            "localhost.",
            "",
        ] {
            assert_eq!(
                check_host(&policy, &uri, &host(bad)),
                Err(BadHost::Foreign(bad.to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn exact_policy_accepts_the_origins_host_and_port() {
        let uri: Uri = "/login".parse().unwrap();
        let policy = HostPolicy::for_origin("https://Clinic.Example:8443").unwrap();
        assert_eq!(
            policy,
            HostPolicy::Exact {
                host: "clinic.example".to_owned(),
                port: 8443
            }
        );
        assert_eq!(
            check_host(&policy, &uri, &host("clinic.example:8443")),
            Ok(())
        );
        assert_eq!(
            check_host(&policy, &uri, &host("CLINIC.example:8443")),
            Ok(())
        );
        for bad in [
            "clinic.example",
            "clinic.example:443",
            "evil.example:8443",
            "127.0.0.1:8443",
            "localhost:8443",
        ] {
            assert!(check_host(&policy, &uri, &host(bad)).is_err(), "{bad}");
        }
        // Without a port, the scheme's default: present or not.
        let policy = HostPolicy::for_origin("https://clinic.example").unwrap();
        assert_eq!(check_host(&policy, &uri, &host("clinic.example")), Ok(()));
        assert_eq!(
            check_host(&policy, &uri, &host("clinic.example:443")),
            Ok(())
        );
        assert!(check_host(&policy, &uri, &host("clinic.example:8443")).is_err());
        let policy = HostPolicy::for_origin("http://[::1]:8080").unwrap();
        assert_eq!(check_host(&policy, &uri, &host("[::1]:8080")), Ok(()));
    }

    #[test]
    fn a_missing_repeated_or_contradicted_host_is_refused() {
        let policy = HostPolicy::Loopback;
        let path: Uri = "/login".parse().unwrap();
        assert_eq!(
            check_host(&policy, &path, &HeaderMap::new()),
            Err(BadHost::Missing)
        );
        let two = h(&[("host", "127.0.0.1:8080"), ("host", "127.0.0.1:8080")]);
        assert_eq!(check_host(&policy, &path, &two), Err(BadHost::Repeated));
        // HTTP/2 :authority (the URI's authority) counts like Host, alone or not.
        let h2: Uri = "http://127.0.0.1:8080/login".parse().unwrap();
        assert_eq!(check_host(&policy, &h2, &HeaderMap::new()), Ok(()));
        let rebound: Uri = "http://evil.example:8080/login".parse().unwrap();
        assert_eq!(
            check_host(&policy, &rebound, &host("127.0.0.1:8080")),
            Err(BadHost::Foreign("evil.example:8080".to_owned()))
        );
    }

    #[test]
    fn configured_origins_are_written_as_browsers_send_them() {
        assert_eq!(
            serialize_origin("HTTPS://Clinic.Example:443"),
            "https://clinic.example"
        );
        assert_eq!(serialize_origin("http://a.example:80"), "http://a.example");
        assert_eq!(
            serialize_origin("https://a.example:8443"),
            "https://a.example:8443"
        );
        assert_eq!(
            serialize_origin("http://a.example:443"),
            "http://a.example:443"
        );
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
