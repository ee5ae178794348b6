//! DNS rebinding (issue 10, item 7): a hostile page on `evil.example` whose name is
//! rebound to the clinic's server makes a staff browser send it requests with
//! `Host: evil.example:PORT` — and, the page being same-origin in the browser's eyes, a
//! matching `Origin: http://evil.example:PORT` and `Sec-Fetch-Site: same-origin`. Every
//! header check that trusts `Host` passes. The server knows its public origin
//! (`[server] public_origin`, required outside `--demo`; loopback names only without
//! one) and refuses such requests before anything is verified, so the page can neither
//! guess passwords nor lock staff out.

use serde_json::json;
use shikaku::AuditKind;
use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};

use crate::binary::{self, CHEAP, Server};
use crate::client::{Response, form_encode, request_bytes_to, send};
use crate::inproc::InProc;
use crate::shared;

/// Names a rebinding page could have; `{port}` is the server's.
const REBOUND: [&str; 2] = ["evil.example", "7f000001.rebind.example"];

/// A refusal of the Host/Origin check: 421 (misdirected: not our name) or 403
/// (forbidden origin), never a page, a redirect or a token.
#[track_caller]
fn assert_refused(r: &Response, what: &str) {
    assert!(
        r.status == 421 || r.status == 403,
        "{what}: a rebound request got {} {} {}",
        r.status,
        r.location(),
        r.text()
    );
    assert!(r.session_set_cookie().is_none(), "{what}: a cookie was set");
    assert!(!r.text().contains("login_token"), "{what}: {}", r.text());
}

/// The requests the page makes: post the login form (even with a cookie and token that
/// work on the real name), call the JSON API (with and without `Origin`), fetch the form.
fn rebound_requests(
    host: &str,
    cookie: &str,
    csrf: &str,
    login_id: &str,
) -> Vec<(String, Vec<u8>)> {
    let origin = format!("http://{host}");
    let form = form_encode(&[
        ("csrf_token", csrf),
        ("institution_code", INSTITUTION_CODE),
        ("login_id", login_id),
        ("password", INITIAL_PASSWORD),
    ]);
    let json = serde_json::to_vec(&json!({
        "institution_code": INSTITUTION_CODE,
        "login_id": login_id,
        "password": INITIAL_PASSWORD,
    }))
    .unwrap();
    let same_origin = ("Sec-Fetch-Site", "same-origin");
    vec![
        (
            format!("POST /login via {host}"),
            request_bytes_to(
                host,
                "POST",
                "/login",
                &[
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Cookie", cookie),
                    ("Origin", &origin),
                    same_origin,
                ],
                form.as_bytes(),
            ),
        ),
        (
            format!("POST /api/v1/login via {host}"),
            request_bytes_to(
                host,
                "POST",
                "/api/v1/login",
                &[
                    ("Content-Type", "application/json"),
                    ("Accept", "application/json"),
                    ("Origin", &origin),
                    same_origin,
                ],
                &json,
            ),
        ),
        (
            format!("POST /api/v1/login via {host}, no Origin"),
            request_bytes_to(
                host,
                "POST",
                "/api/v1/login",
                &[("Content-Type", "application/json")],
                &json,
            ),
        ),
        (
            format!("GET /login via {host}"),
            request_bytes_to(host, "GET", "/login", &[same_origin], b""),
        ),
    ]
}

/// The real binary with `--public-origin http://127.0.0.1:PORT`: every rebound request
/// is refused and nothing is verified or counted — even under `localhost:PORT`, a
/// loopback name that is not the public origin (421); the same requests under the
/// public origin's name go through.
#[test]
fn a_rebinding_page_cannot_post_logins_to_the_real_binary() {
    let _machine = shared();
    let server = Server::prepare(CHEAP)
        .add_user("rebind01", INITIAL_PASSWORD)
        .serve("info");
    let port = server.addr.port();
    let mut b = server.browser();
    b.get("/login");
    let cookie = format!("{}={}", crate::client::COOKIE, b.cookie.clone().unwrap());
    let csrf = b.csrf.clone().unwrap();
    for name in REBOUND {
        let host = format!("{name}:{port}");
        for (what, bytes) in rebound_requests(&host, &cookie, &csrf, "rebind01") {
            assert_refused(&send(server.addr, &bytes), &what);
        }
    }
    // The public origin is the only name answered: even another loopback name of the
    // same socket is not it (so the origin the CLI was given is the one in force).
    let host = format!("localhost:{port}");
    for (what, bytes) in rebound_requests(&host, &cookie, &csrf, "rebind01") {
        let r = send(server.addr, &bytes);
        assert_eq!(r.status, 421, "{what}: {}", r.text());
    }
    let events = server.audit();
    for kind in [
        "password_failed",
        "password_accepted",
        "password_attempt_while_locked",
    ] {
        assert_eq!(binary::count(&events, kind, "rebind01"), 0, "{kind}");
    }

    // Control: under the public origin's name the same form and call log in.
    let r = b.post(
        "/login",
        &[
            ("institution_code", INSTITUTION_CODE),
            ("login_id", "rebind01"),
            ("password", INITIAL_PASSWORD),
        ],
    );
    assert_eq!(r.redirect(), "/enroll");
    let r = crate::api::call(
        server.addr,
        "POST",
        "/api/v1/login",
        None,
        Some(&json!({
            "institution_code": INSTITUTION_CODE,
            "login_id": "rebind01",
            "password": INITIAL_PASSWORD,
        })),
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

/// Without a public origin (as `serve --demo`) only loopback names are answered:
/// rebound names are refused, `localhost` and `127.0.0.1` work.
#[test]
fn without_a_public_origin_only_loopback_names_are_answered() {
    let _machine = shared();
    let w = InProc::start();
    w.provision("rebind02");
    let port = w.addr.port();
    let mut b = w.browser();
    b.get("/login");
    let cookie = format!("{}={}", crate::client::COOKIE, b.cookie.clone().unwrap());
    let csrf = b.csrf.clone().unwrap();
    for name in REBOUND {
        let host = format!("{name}:{port}");
        for (what, bytes) in rebound_requests(&host, &cookie, &csrf, "rebind02") {
            assert_refused(&send(w.addr, &bytes), &what);
        }
    }
    assert_eq!(w.count(AuditKind::PasswordFailed), 0);
    assert_eq!(w.count(AuditKind::PasswordAccepted), 0);

    // `localhost:PORT` with its own origin is a loopback name: the API login works.
    let host = format!("localhost:{port}");
    let json = serde_json::to_vec(&json!({
        "institution_code": INSTITUTION_CODE,
        "login_id": "rebind02",
        "password": INITIAL_PASSWORD,
    }))
    .unwrap();
    let origin = format!("http://{host}");
    let r = send(
        w.addr,
        &request_bytes_to(
            &host,
            "POST",
            "/api/v1/login",
            &[
                ("Content-Type", "application/json"),
                ("Origin", &origin),
                ("Sec-Fetch-Site", "same-origin"),
            ],
            &json,
        ),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(w.count(AuditKind::PasswordAccepted), 1);
}
