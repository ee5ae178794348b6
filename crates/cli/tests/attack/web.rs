//! Browser-side defences: CSRF, Fetch Metadata, methods, headers, cookies.

use std::sync::Arc;

use shikaku::testing::{FaultyStore, INITIAL_PASSWORD, INSTITUTION_CODE};
use shikaku::{AuditKind, MemoryStore, Store};

use crate::client::{self, Browser, COOKIE, Response, request_bytes, send};
use crate::inproc::{InProc, login, login_with_code};
use crate::{m, shared};

fn login_fields(login_id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("institution_code", INSTITUTION_CODE.to_owned()),
        ("login_id", login_id.to_owned()),
        ("password", INITIAL_PASSWORD.to_owned()),
    ]
}

fn encode(fields: &[(&str, String)]) -> String {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    client::form_encode(&borrowed)
}

/// A POST with exactly these headers and body.
fn post<S: Store>(w: &InProc<S>, target: &str, headers: &[(&str, &str)], body: &str) -> Response {
    send(
        w.addr,
        &request_bytes(w.addr, "POST", target, headers, body.as_bytes()),
    )
}

const FORM: &str = "application/x-www-form-urlencoded";

/// A missing, wrong, foreign, query-string or doubled CSRF token: 403, nothing done.
#[test]
fn a_missing_or_wrong_csrf_token_is_403() {
    let _machine = shared();
    let w = InProc::start();
    let key = w.enrolled("csrf01");
    let accepted = w.count(AuditKind::PasswordAccepted);
    let mut b = w.browser();
    b.get("/login");
    let cookie = format!("{COOKIE}={}", b.cookie.clone().unwrap());
    let token = b.csrf.clone().unwrap();
    let mut other = w.browser();
    other.get("/login");
    let foreign = other.csrf.clone().unwrap();
    let fields = encode(&login_fields("csrf01"));
    let h = [("Content-Type", FORM), ("Cookie", cookie.as_str())];
    let cases = [
        ("missing", "/login".to_owned(), fields.clone()),
        (
            "wrong",
            "/login".to_owned(),
            format!("csrf_token={}&{fields}", "A".repeat(43)),
        ),
        (
            "another browser's",
            "/login".to_owned(),
            format!("csrf_token={foreign}&{fields}"),
        ),
        (
            "empty",
            "/login".to_owned(),
            format!("csrf_token=&{fields}"),
        ),
        (
            "in the query string",
            format!("/login?csrf_token={token}"),
            fields.clone(),
        ),
        (
            "doubled",
            "/login".to_owned(),
            format!("csrf_token={token}&csrf_token={token}&{fields}"),
        ),
    ];
    for (what, target, body) in &cases {
        let r = post(&w, target, &h, body);
        assert_eq!(r.status, 403, "{what} token: {}", r.text());
    }
    // A cookie-less post with a valid-looking token.
    let r = post(
        &w,
        "/login",
        &[("Content-Type", FORM)],
        &format!("csrf_token={token}&{fields}"),
    );
    assert_eq!(r.status, 403, "no cookie");
    assert_eq!(
        w.count(AuditKind::PasswordAccepted),
        accepted,
        "no login happened"
    );
    assert_eq!(
        w.count(AuditKind::PasswordFailed),
        0,
        "nothing was verified"
    );
    // Control: the same post with the right token logs in.
    let r = post(&w, "/login", &h, &format!("csrf_token={token}&{fields}"));
    assert_eq!(r.redirect(), "/login/passcode");

    // Signed in: logout and password change without the token change nothing.
    w.next_step();
    let mut s = w.browser();
    assert_eq!(
        login_with_code(&mut s, "csrf01", INITIAL_PASSWORD, &w.code(&key)).redirect(),
        "/menu"
    );
    let cookie = format!("{COOKIE}={}", s.cookie.clone().unwrap());
    let h = [("Content-Type", FORM), ("Cookie", cookie.as_str())];
    assert_eq!(post(&w, "/logout", &h, "").status, 403);
    let change = client::form_encode(&[
        ("current_password", INITIAL_PASSWORD),
        ("new_password", "Other#2024y"),
        ("new_password_confirm", "Other#2024y"),
    ]);
    assert_eq!(post(&w, "/password", &h, &change).status, 403);
    s.get("/menu").assert_page("csrf01");
    assert_eq!(
        w.count(AuditKind::LoggedOut),
        1,
        "the enrollment's logout only"
    );
    assert_eq!(w.count(AuditKind::PasswordChanged), 0);
    assert_eq!(w.count(AuditKind::PasswordChangeRejected), 0);
}

/// Cross-site and same-site Fetch Metadata, or a foreign `Origin`, refuse a post that
/// carries a valid cookie and token.
#[test]
fn cross_site_fetch_metadata_is_403() {
    let _machine = shared();
    let w = InProc::start();
    w.provision("site01");
    let mut b = w.browser();
    b.get("/login");
    let cookie = format!("{COOKIE}={}", b.cookie.clone().unwrap());
    let body = format!(
        "csrf_token={}&{}",
        b.csrf.clone().unwrap(),
        encode(&login_fields("site01"))
    );
    let own = format!("http://{}", w.addr);
    let cases: [&[(&str, &str)]; 7] = [
        &[("Sec-Fetch-Site", "cross-site")],
        &[("Sec-Fetch-Site", "same-site")],
        &[("Sec-Fetch-Site", "cross-site"), ("Origin", own.as_str())],
        &[("Origin", "https://evil.example")],
        &[("Origin", "http://127.0.0.1.evil.example")],
        &[("Origin", "null")],
        &[
            ("Sec-Fetch-Site", "same-origin"),
            ("Origin", "https://evil.example"),
        ],
    ];
    for extra in cases {
        let mut h = vec![("Content-Type", FORM), ("Cookie", cookie.as_str())];
        h.extend_from_slice(extra);
        let r = post(&w, "/login", &h, &body);
        assert_eq!(r.status, 403, "{extra:?}: {}", r.text());
    }
    assert_eq!(w.count(AuditKind::PasswordFailed), 0);
    assert_eq!(w.count(AuditKind::PasswordAccepted), 0);
    // Control: what Chromium sends from our own page.
    let mut h = vec![("Content-Type", FORM), ("Cookie", cookie.as_str())];
    h.extend_from_slice(&[("Sec-Fetch-Site", "same-origin"), ("Origin", "null")]);
    assert_eq!(post(&w, "/login", &h, &body).redirect(), "/enroll");
}

/// Login CSRF: an attacker's page submits the attacker's own credentials to our
/// [ログイン] from the victim's browser, hoping to sign the victim in as the attacker.
#[test]
fn a_login_csrf_attempt_is_403() {
    let _machine = shared();
    let w = InProc::start();
    w.provision("attacker01");
    let body = encode(&login_fields("attacker01"));
    // The attacker's own session and token.
    let mut own = w.browser();
    own.get("/login");
    let attacker_token = own.csrf.clone().unwrap();
    // The victim's browser holds its own pre-session cookie.
    let mut victim = w.browser();
    victim.get("/login");
    let victim_cookie = format!("{COOKIE}={}", victim.cookie.clone().unwrap());
    let with_token = format!("csrf_token={attacker_token}&{body}");

    // A modern browser: cross-site metadata, SameSite=Strict keeps the cookie home.
    let r = post(
        &w,
        "/login",
        &[
            ("Content-Type", FORM),
            ("Sec-Fetch-Site", "cross-site"),
            ("Origin", "https://evil.example"),
        ],
        &body,
    );
    assert_eq!(r.status, 403);
    // A browser without Fetch Metadata: no cookie, the attacker's token.
    let r = post(&w, "/login", &[("Content-Type", FORM)], &with_token);
    assert_eq!(r.status, 403);
    // Even with the victim's cookie sent, the attacker's token is not the victim's.
    let r = post(
        &w,
        "/login",
        &[("Content-Type", FORM), ("Cookie", victim_cookie.as_str())],
        &with_token,
    );
    assert_eq!(r.status, 403);
    assert!(r.session_set_cookie().is_none(), "no cookie planted");
    assert_eq!(w.count(AuditKind::PasswordAccepted), 0);
    assert_eq!(w.count(AuditKind::PasswordFailed), 0);
}

/// Routes that only change state answer GET with 405 (and `Allow: POST`); the GET of
/// the logout confirmation does not log out.
#[test]
fn get_on_a_state_changing_route_is_405() {
    let _machine = shared();
    let w = InProc::start();
    let key = w.enrolled("get01");
    let mut b = w.browser();
    assert_eq!(
        login_with_code(&mut b, "get01", INITIAL_PASSWORD, &w.code(&key)).redirect(),
        "/menu"
    );
    for path in [
        "/login/cancel",
        "/enroll/proceed",
        "/api/v1/login",
        "/api/v1/passcode",
        "/api/v1/password",
        "/api/v1/logout",
        "/api/v1/authenticate",
    ] {
        let r = b.get(path);
        assert_eq!(r.status, 405, "GET {path}: {}", r.text());
        let allow = r.header("allow").unwrap_or("");
        assert!(allow.contains("POST"), "GET {path}: Allow {allow:?}");
    }
    b.get("/logout").assert_page(m().logout_confirm_title);
    b.get("/menu").assert_page("get01");
    assert_eq!(
        w.count(AuditKind::LoggedOut),
        1,
        "the enrollment's logout only"
    );
}

/// The headers every answer carries, page or JSON, success or failure.
#[track_caller]
fn assert_security_headers(what: &str, r: &Response) {
    let expect = [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-resource-policy", "same-origin"),
    ];
    for (name, value) in expect {
        assert_eq!(r.header(name), Some(value), "{what}: {name}");
    }
    let csp = r.header("content-security-policy").unwrap_or("");
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(
            csp.contains(directive),
            "{what}: CSP {csp:?} lacks {directive}"
        );
    }
    assert!(!csp.contains("unsafe"), "{what}: {csp}");
    assert!(r.header("permissions-policy").is_some(), "{what}");
    assert_eq!(r.header("cache-control"), Some("no-store"), "{what}");
}

/// Security headers on 200, 303, 403, 404, 405, 413 and 503 (the store down), on pages
/// and JSON alike; the 503 page says nothing about the cause.
#[test]
fn security_headers_are_on_every_answer_including_404_and_503() {
    let _machine = shared();
    let store = Arc::new(FaultyStore::new(MemoryStore::new()));
    let w = InProc::start_on(Arc::clone(&store));
    w.provision("head01");
    let mut b = w.browser();
    let ok = b.get("/login");
    assert_eq!(ok.status, 200);
    assert_security_headers("200 page", &ok);
    let missing = b.get("/no/such/page");
    assert_eq!(missing.status, 404);
    assert_security_headers("404 page", &missing);
    let api_missing = b.get("/api/v1/no-such-call");
    assert_eq!(api_missing.status, 404);
    assert_security_headers("404 JSON", &api_missing);
    let wrong_method = b.get("/login/cancel");
    assert_eq!(wrong_method.status, 405);
    assert_security_headers("405", &wrong_method);
    let forbidden = post(&w, "/login", &[("Content-Type", FORM)], "");
    assert_eq!(forbidden.status, 403);
    assert_security_headers("403", &forbidden);
    let big = "x".repeat(64 * 1024);
    let too_large = send(w.addr, &b.raw_post_bytes("/login", FORM, big.as_bytes()));
    assert_eq!(too_large.status, 413);
    assert_security_headers("413", &too_large);
    let redirect = login(&mut b, "head01", INITIAL_PASSWORD);
    assert_eq!(redirect.status, 303);
    assert_security_headers("303", &redirect);

    store.set_broken(true);
    let mut c = w.browser();
    c.get("/login");
    let failed = c.post(
        "/login",
        &[
            ("institution_code", INSTITUTION_CODE),
            ("login_id", "head01"),
            ("password", INITIAL_PASSWORD),
        ],
    );
    assert_eq!(failed.status, 503, "{}", failed.text());
    assert_security_headers("503 page", &failed);
    assert!(failed.header("retry-after").is_some());
    assert!(!failed.text().contains("disk on fire"), "the cause leaked");
    let api_failed = send(
        w.addr,
        &request_bytes(
            w.addr,
            "POST",
            "/api/v1/login",
            &[("Content-Type", "application/json")],
            format!(r#"{{"institution_code":"{INSTITUTION_CODE}","login_id":"head01","password":"{INITIAL_PASSWORD}"}}"#)
                .as_bytes(),
        ),
    );
    assert_eq!(api_failed.status, 503, "{}", api_failed.text());
    assert_security_headers("503 JSON", &api_failed);
    assert!(!api_failed.text().contains("disk on fire"));
    assert_eq!(api_failed.json()["error"], "unavailable");
    assert!(api_failed.header("retry-after").is_some());
}

/// Every session cookie the server sets: `__Host-` prefix, `Path=/`, `Secure`,
/// `HttpOnly`, `SameSite=Strict`, no `Domain`, no lifetime (a removal is `Max-Age=0`).
#[test]
fn session_cookies_carry_the_specified_attributes() {
    let _machine = shared();
    let w = InProc::start();
    w.provision("cookie01");
    let mut b = w.browser();
    let mut seen = Vec::new();
    let mut keep = |r: &Response| {
        if let Some(c) = r.session_set_cookie() {
            seen.push(c.to_owned());
        }
    };
    keep(&b.get("/login"));
    let r = login(&mut b, "cookie01", INITIAL_PASSWORD);
    keep(&r);
    let page = b.get("/enroll");
    let key = page.setup_key().unwrap();
    b.post("/enroll/proceed", &[]);
    b.get("/login/passcode");
    let r = b.post("/login/passcode", &[("passcode", &w.code(&key))]);
    keep(&r);
    b.get("/logout");
    keep(&b.post("/logout", &[]));
    assert_eq!(
        seen.len(),
        4,
        "pre-session, ticket, session, removal: {seen:#?}"
    );
    for cookie in &seen {
        assert_cookie(cookie);
    }
    assert!(seen[3].contains("Max-Age=0"));
    assert_cookie_binary_matches(&seen[0]);
}

#[track_caller]
pub(crate) fn assert_cookie(cookie: &str) {
    let mut parts = cookie.split(';').map(str::trim);
    let pair = parts.next().unwrap();
    let (name, value) = pair.split_once('=').unwrap();
    assert_eq!(name, "__Host-shikaku", "{cookie}");
    let attrs: Vec<&str> = parts.collect();
    for want in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(attrs.contains(&want), "{want} missing: {cookie}");
    }
    for attr in &attrs {
        let lower = attr.to_ascii_lowercase();
        assert!(!lower.starts_with("domain"), "Domain set: {cookie}");
        assert!(!lower.starts_with("expires"), "persistent: {cookie}");
        if lower.starts_with("max-age") {
            assert_eq!(lower, "max-age=0", "persistent: {cookie}");
            assert!(value.is_empty());
        }
    }
    if !value.is_empty() {
        assert_eq!(value.len(), 43, "{cookie}");
        assert!(
            value
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }
}

/// The pre-session cookie of the real binary (secure mode by default) has the same
/// shape as the in-process one.
fn assert_cookie_binary_matches(in_process: &str) {
    let attrs = |c: &str| {
        let mut a: Vec<String> = c.split(';').skip(1).map(|s| s.trim().to_owned()).collect();
        a.sort();
        a
    };
    let server = crate::binary::Server::prepare(crate::binary::CHEAP).serve("warn");
    let mut b = Browser::new(server.addr);
    let r = b.get("/login");
    let cookie = r.session_set_cookie().expect("the binary sets a cookie");
    assert_cookie(cookie);
    assert_eq!(attrs(cookie), attrs(in_process));
}
