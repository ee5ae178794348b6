//! The same attacks against the JSON API (`/api/v1`), in process with a manual clock.

use serde_json::{Value, json};
use shikaku::AuditKind;
use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};
use time::Duration;

use crate::client::{Browser, COOKIE, Response, request_bytes, send};
use crate::inproc::{InProc, wrong_code};
use crate::lockout::all_at_once;
use crate::shared;

pub(crate) use crate::client::{call, call_bytes, error_of};

pub(crate) fn credentials(login_id: &str, password: &str) -> Value {
    json!({"institution_code": INSTITUTION_CODE, "login_id": login_id, "password": password})
}

/// `POST /login` → the login token, asserting `next`.
pub(crate) fn api_login(w: &InProc, login_id: &str, next: &str) -> String {
    let r = call(
        w.addr,
        "POST",
        "/api/v1/login",
        None,
        Some(&credentials(login_id, INITIAL_PASSWORD)),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(body["next"], next);
    body["login_token"].as_str().unwrap().to_owned()
}

pub(crate) fn api_passcode(w: &InProc, login_token: &str, passcode: &str) -> Response {
    call(
        w.addr,
        "POST",
        "/api/v1/passcode",
        None,
        Some(&json!({"login_token": login_token, "passcode": passcode})),
    )
}

/// Registers through the API; returns (setup key, session token).
pub(crate) fn api_enroll(w: &InProc, login_id: &str) -> (String, String) {
    w.provision(login_id);
    let ticket = api_login(w, login_id, "enroll");
    let view = call(w.addr, "GET", "/api/v1/enrollment", Some(&ticket), None);
    assert_eq!(view.status, 200, "{}", view.text());
    let key = view.json()["setup_key"].as_str().unwrap().to_owned();
    let r = api_passcode(w, &ticket, &w.code(&key));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["enrolled"], true);
    (key, r.json()["session_token"].as_str().unwrap().to_owned())
}

/// A logged-in API session of a registered account (in a fresh 30-second step).
pub(crate) fn api_session(w: &InProc, login_id: &str, key: &str) -> String {
    w.next_step();
    let ticket = api_login(w, login_id, "passcode");
    let r = api_passcode(w, &ticket, &w.code(key));
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["session_token"].as_str().unwrap().to_owned()
}

fn at_once(w: &InProc, requests: Vec<Vec<u8>>) -> Vec<Response> {
    let b = Browser::new(w.addr);
    all_at_once(requests.into_iter().map(|r| (b.clone(), r)).collect())
        .into_iter()
        .map(|(_, r)| r)
        .collect()
}

/// 50 wrong passwords at once on `POST /login`, then 50 right passwords with a wrong
/// passcode at once on `POST /authenticate` (a fresh account): 3 verifications each,
/// then 423 — also for the right credentials.
#[test]
fn api_guess_storms_get_three_verifications_then_423() {
    let _machine = shared();
    let w = InProc::start_with_real_cost();
    w.provision("apistorm01");
    let requests = (0..50)
        .map(|i| {
            let body = credentials("apistorm01", &format!("Wrong#Pass{i:02}"));
            call_bytes(w.addr, "POST", "/api/v1/login", None, Some(&body))
        })
        .collect();
    let answers = at_once(&w, requests);
    let invalid = answers
        .iter()
        .filter(|r| error_of(r, r.status) == "invalid_credentials")
        .count();
    assert!(invalid <= 2, "{invalid}");
    for r in &answers {
        if r.status != 401 {
            assert_eq!(error_of(r, 423), "locked");
            assert!(r.json()["locked_until"].is_string());
        }
    }
    let r = call(
        w.addr,
        "POST",
        "/api/v1/login",
        None,
        Some(&credentials("apistorm01", INITIAL_PASSWORD)),
    );
    assert_eq!(error_of(&r, 423), "locked");
    assert_eq!(w.count(AuditKind::PasswordFailed), 3);
    assert_eq!(w.count(AuditKind::PasswordAccepted), 0);

    let (key, _) = api_enroll(&w, "apistorm02");
    w.next_step();
    let wrong = wrong_code(&key, w.now());
    let body = json!({
        "institution_code": INSTITUTION_CODE, "login_id": "apistorm02",
        "password": INITIAL_PASSWORD, "passcode": wrong,
    });
    let requests = (0..50)
        .map(|_| call_bytes(w.addr, "POST", "/api/v1/authenticate", None, Some(&body)))
        .collect();
    let answers = at_once(&w, requests);
    for r in &answers {
        let code = error_of(r, r.status);
        assert!(code == "invalid_passcode" || code == "locked", "{code}");
    }
    let right = json!({
        "institution_code": INSTITUTION_CODE, "login_id": "apistorm02",
        "password": INITIAL_PASSWORD, "passcode": w.code(&key),
    });
    let r = call(w.addr, "POST", "/api/v1/authenticate", None, Some(&right));
    assert_eq!(error_of(&r, 423), "locked");
    assert_eq!(w.count(AuditKind::PasscodeFailed), 3);
    assert_eq!(w.count(AuditKind::PasscodeLocked), 1);
    assert_eq!(w.count(AuditKind::Authenticated), 0);

    // 50 wrong passcodes at once on `POST /passcode` over 10 login tokens (no argon2 in
    // the way: the passcode checks themselves race).
    let (key, _) = api_enroll(&w, "apistorm03");
    w.next_step();
    let tickets: Vec<String> = (0..10)
        .map(|_| api_login(&w, "apistorm03", "passcode"))
        .collect();
    let wrong = wrong_code(&key, w.now());
    let requests = (0..50)
        .map(|i| {
            let body = json!({"login_token": tickets[i % 10], "passcode": wrong});
            call_bytes(w.addr, "POST", "/api/v1/passcode", None, Some(&body))
        })
        .collect();
    let answers = at_once(&w, requests);
    let said_wrong = answers
        .iter()
        .filter(|r| error_of(r, r.status) == "invalid_passcode")
        .count();
    assert!(
        said_wrong <= 2,
        "{said_wrong} answers said 'wrong passcode'"
    );
    assert_eq!(w.count(AuditKind::PasscodeFailed), 6, "3 more verified");
    assert_eq!(w.count(AuditKind::PasscodeLocked), 2);
}

/// One passcode, one session — and no authentication with a spent code — over the API.
#[test]
fn api_passcodes_cannot_be_replayed() {
    let _machine = shared();
    let w = InProc::start();
    let (key, _) = api_enroll(&w, "apireplay01");
    // The enrollment passcode cannot open the first session (same step).
    let ticket = api_login(&w, "apireplay01", "passcode");
    let r = api_passcode(&w, &ticket, &w.code(&key));
    assert_eq!(error_of(&r, 401), "invalid_passcode");
    // Nor authenticate.
    let body = json!({
        "institution_code": INSTITUTION_CODE, "login_id": "apireplay01",
        "password": INITIAL_PASSWORD, "passcode": w.code(&key),
    });
    let r = call(w.addr, "POST", "/api/v1/authenticate", None, Some(&body));
    assert_eq!(error_of(&r, 401), "invalid_passcode");
    assert_eq!(w.count(AuditKind::ReplayRefused), 2);
    w.service.unlock(&w.key("apireplay01")).unwrap();

    // Two clients, two login tokens, one code, at the same moment: one session.
    w.next_step();
    let code = w.code(&key);
    let tickets = [
        api_login(&w, "apireplay01", "passcode"),
        api_login(&w, "apireplay01", "passcode"),
    ];
    let requests = tickets
        .iter()
        .map(|t| {
            let body = json!({"login_token": t, "passcode": code});
            call_bytes(w.addr, "POST", "/api/v1/passcode", None, Some(&body))
        })
        .collect();
    let answers = at_once(&w, requests);
    let granted = answers.iter().filter(|r| r.status == 200).count();
    assert_eq!(granted, 1, "{answers:#?}");
    // The same code, full-width and padded, from a third client: a replay.
    let third = api_login(&w, "apireplay01", "passcode");
    let fancy: String = code
        .chars()
        .map(|c| char::from_u32(u32::from(c) + 0xFEE0).unwrap())
        .collect();
    let r = api_passcode(&w, &third, &format!(" {fancy}\u{3000}"));
    assert_eq!(error_of(&r, 401), "invalid_passcode");
    assert_eq!(w.count(AuditKind::ReplayRefused), 4);
    // "123 456" (as apps display it) is the same code: refused as a replay, and being
    // the third consecutive failure (the race's loser, the full-width replay, this)
    // it locks.
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    let r = api_passcode(&w, &third, &spaced);
    assert_eq!(error_of(&r, 423), "locked");
    assert_eq!(w.count(AuditKind::ReplayRefused), 5);
}

/// Bearer tokens: dead after logout, never read from the URL or a cookie, 29:59 alive /
/// 30:00 expired, superseded by a later login.
#[test]
fn api_sessions_end_server_side_and_ignore_the_url() {
    let _machine = shared();
    let w = InProc::start();
    let (key, _) = api_enroll(&w, "apisess01");
    let session = api_session(&w, "apisess01", &key);
    let me = |t: Option<&str>, path: &str| call(w.addr, "GET", path, t, None);
    assert_eq!(me(Some(&session), "/api/v1/session").status, 200);

    // In the URL or a cookie, a valid token is not a credential.
    for query in ["session_token", "access_token", "token", "login_token"] {
        let r = me(None, &format!("/api/v1/session?{query}={session}"));
        assert_eq!(error_of(&r, 401), "unauthenticated", "{query}");
    }
    let cookie = format!("{COOKIE}={session}");
    let r = send(
        w.addr,
        &request_bytes(
            w.addr,
            "GET",
            "/api/v1/session",
            &[("Cookie", &cookie)],
            b"",
        ),
    );
    assert_eq!(error_of(&r, 401), "unauthenticated");

    // Idle edge.
    w.clock
        .advance(Duration::minutes(29) + Duration::seconds(59));
    assert_eq!(me(Some(&session), "/api/v1/session").status, 200);
    w.clock.advance(Duration::minutes(30));
    let r = me(Some(&session), "/api/v1/session");
    assert_eq!(error_of(&r, 401), "session_expired");

    // A later login supersedes.
    let first = api_session(&w, "apisess01", &key);
    let second = api_session(&w, "apisess01", &key);
    let r = me(Some(&first), "/api/v1/session");
    assert_eq!(error_of(&r, 401), "session_superseded");
    assert_eq!(me(Some(&second), "/api/v1/session").status, 200);

    // Logout ends it server-side.
    let r = call(w.addr, "POST", "/api/v1/logout", Some(&second), None);
    assert_eq!(r.status, 204, "{}", r.text());
    let r = me(Some(&second), "/api/v1/session");
    assert_eq!(error_of(&r, 401), "unauthenticated");
    let r = call(w.addr, "POST", "/api/v1/logout", Some(&second), None);
    assert_eq!(error_of(&r, 401), "unauthenticated");
}

/// The API is exempt from the CSRF token (no cookies), not from the origin check.
#[test]
fn api_refuses_cross_site_browser_requests() {
    let _machine = shared();
    let w = InProc::start();
    w.provision("apisite01");
    let body = serde_json::to_vec(&credentials("apisite01", INITIAL_PASSWORD)).unwrap();
    for extra in [
        ("Sec-Fetch-Site", "cross-site"),
        ("Sec-Fetch-Site", "same-site"),
        ("Origin", "https://evil.example"),
    ] {
        let r = send(
            w.addr,
            &request_bytes(
                w.addr,
                "POST",
                "/api/v1/login",
                &[("Content-Type", "application/json"), extra],
                &body,
            ),
        );
        assert_eq!(error_of(&r, 403), "forbidden", "{extra:?}");
    }
    assert_eq!(w.count(AuditKind::PasswordFailed), 0);
    assert_eq!(w.count(AuditKind::PasswordAccepted), 0);
}
