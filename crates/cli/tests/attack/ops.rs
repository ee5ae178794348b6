//! What an operator's tools see of the real binary: `/healthz`, `/readyz` and
//! `/metrics` (counts after a scripted flow, no identifier in any label), and the
//! metrics moved off the public listener by `[metrics] bind`.

use std::net::{SocketAddr, TcpListener};

use serde_json::json;
use shikaku::testing::INSTITUTION_CODE;

use crate::api::call;
use crate::binary::{CHEAP, Server};
use crate::client::{request_bytes, send};
use crate::shared;

const PASSWORD: &str = "Metric#Pass2024";
/// A password typed where a login ID goes (only `._-@` as its special characters).
const TYPED: &str = "Metric-Typed.pw9";

fn get(addr: SocketAddr, path: &str) -> crate::client::Response {
    send(addr, &request_bytes(addr, "GET", path, &[], b""))
}

fn login(addr: SocketAddr, login_id: &str, password: &str) -> u16 {
    call(
        addr,
        "POST",
        "/api/v1/login",
        None,
        Some(&json!({"institution_code": INSTITUTION_CODE, "login_id": login_id, "password": password})),
    )
    .status
}

/// The value of one sample line (`name{labels} value`) of the exposition.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| {
            l.strip_prefix(series)
                .and_then(|rest| rest.strip_prefix(' '))
        })
        .unwrap_or_else(|| panic!("no sample {series} in:\n{text}"))
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn health_readiness_and_metrics_count_a_scripted_flow() {
    let _machine = shared();
    let server = Server::prepare(CHEAP)
        .add_user("metric01", PASSWORD)
        .add_user("metric02", PASSWORD)
        .serve("info");
    let addr = server.addr;

    let health = get(addr, "/healthz");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    let ready = get(addr, "/readyz");
    assert_eq!(ready.status, 200, "{}", ready.text());
    assert_eq!(ready.json()["status"], "ready");

    // Two wrong passwords, a third that locks, a refusal while locked; another user's
    // right password.
    for _ in 0..2 {
        assert_eq!(login(addr, "metric01", "Wrong#Pass2024"), 401);
    }
    assert_eq!(
        login(addr, "metric01", "Wrong#Pass2024"),
        423,
        "the third locks"
    );
    assert_eq!(login(addr, "metric01", PASSWORD), 423);
    assert_eq!(login(addr, "metric02", PASSWORD), 200);
    // Refused by the security checks before any handler: a cross-site form post and a
    // request to another host name. Methods no one defined, named like the users.
    let cross_site = request_bytes(
        addr,
        "POST",
        "/login",
        &[("Sec-Fetch-Site", "cross-site")],
        b"",
    );
    assert_eq!(send(addr, &cross_site).status, 403);
    // (A rebinding page's request, to an account's path holding a typed password.)
    let typed_path = format!("/api/v1/admin/accounts/{INSTITUTION_CODE}/{TYPED}/unlock");
    let rebound =
        crate::client::request_bytes_to("attacker.example", "POST", &typed_path, &[], b"");
    assert_eq!(send(addr, &rebound).status, 421);
    for invented in ["METRIC01", "METRIC02"] {
        let odd = request_bytes(addr, invented, "/api/v1/login", &[], b"");
        assert_eq!(send(addr, &odd).status, 405, "{invented}");
    }

    let scrape = get(addr, "/metrics");
    assert_eq!(scrape.status, 200);
    let text = scrape.text();
    assert_eq!(
        sample(&text, r#"shikaku_password_logins_total{outcome="invalid"}"#),
        3.0
    );
    assert_eq!(
        sample(&text, r#"shikaku_password_logins_total{outcome="success"}"#),
        1.0
    );
    assert_eq!(
        sample(&text, r#"shikaku_password_logins_total{outcome="locked"}"#),
        1.0
    );
    assert_eq!(
        sample(&text, r#"shikaku_locks_engaged_total{factor="password"}"#),
        1.0
    );
    assert_eq!(
        sample(
            &text,
            r#"shikaku_http_requests_total{route="/api/v1/login",method="POST",status="401"}"#
        ),
        2.0
    );
    for (series, count) in [
        (
            r#"shikaku_http_requests_total{route="/login",method="POST",status="403"}"#,
            1.0,
        ),
        (
            r#"shikaku_http_requests_total{route="/api/v1/admin/accounts/{institution_code}/{login_id}/unlock",method="POST",status="421"}"#,
            1.0,
        ),
        (
            r#"shikaku_http_requests_total{route="/api/v1/login",method="other",status="405"}"#,
            2.0,
        ),
    ] {
        assert_eq!(sample(&text, series), count, "{series}");
    }
    // Every login verified one argon2 hash (and the lock's refusal none).
    assert!(
        sample(&text, "shikaku_argon2_duration_seconds_count") >= 4.0,
        "{text}"
    );
    assert_eq!(sample(&text, "shikaku_hashing_in_use"), 0.0);
    assert_eq!(sample(&text, "shikaku_admission_waiting"), 0.0);
    for typed in [
        "metric01",
        "metric02",
        "METRIC0",
        TYPED,
        INSTITUTION_CODE,
        "Wrong#Pass2024",
        PASSWORD,
    ] {
        assert!(!text.contains(typed), "{typed} in the metrics:\n{text}");
    }
    let log = server.stop();
    assert!(
        log.contains("route=/api/v1/login") && log.contains("status=401"),
        "one log line per request with the route template:\n{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.contains("request for another host refused")
                && l.contains("route=/api/v1/admin/accounts/{institution_code}/{login_id}/unlock"))
            && !log.contains(TYPED)
            && !log.contains("METRIC0"),
        "a refusal is logged by its route template, not the path or method typed:\n{log}"
    );
}

#[test]
fn metrics_move_off_the_public_listener_with_metrics_bind() {
    let _machine = shared();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let metrics_addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let config = format!("{CHEAP}[metrics]\nbind = \"{metrics_addr}\"\n");
    let server = Server::prepare(&config)
        .add_user("metric03", PASSWORD)
        .serve("info");
    assert_eq!(login(server.addr, "metric03", PASSWORD), 200);
    assert_eq!(
        get(server.addr, "/metrics").status,
        404,
        "still on the public listener"
    );
    let scrape = get(metrics_addr, "/metrics");
    assert_eq!(scrape.status, 200);
    assert_eq!(
        sample(
            &scrape.text(),
            r#"shikaku_password_logins_total{outcome="success"}"#
        ),
        1.0
    );
}

/// A password typed into the login ID field (well-formed as a login ID) reaches neither
/// the server's log — at `trace` — nor the audit log, through the API and the screen,
/// up to its lock and past it: both record `unknown-` and its fingerprint.
#[test]
fn a_password_typed_as_the_login_id_is_recorded_by_its_fingerprint_only() {
    let _machine = shared();
    let typed = "Metric-2024.pw";
    let server = Server::prepare(CHEAP)
        .add_user("metric04", PASSWORD)
        .serve("trace");
    let addr = server.addr;
    assert_eq!(login(addr, typed, PASSWORD), 401);
    let mut browser = server.browser();
    let page = crate::inproc::login(&mut browser, typed, PASSWORD);
    assert_eq!(page.status, 200, "the login screen again, with its message");
    assert_eq!(login(addr, typed, PASSWORD), 423, "the third locks");
    assert_eq!(login(addr, typed, PASSWORD), 423);
    let audit = server.audit();
    let (db, config) = (server.db(), server.config());
    let asked = |login_id: &str| {
        crate::binary::cli(&[
            "audit",
            "identifier",
            "--institution-code",
            INSTITUTION_CODE,
            "--login-id",
            login_id,
            "--db",
            db.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ])
    };
    let fingerprint = asked(typed);
    assert_eq!(
        asked("metric04").trim(),
        format!("{INSTITUTION_CODE}/metric04")
    );
    let log = server.stop();
    assert!(
        log.contains("unknown-"),
        "the fingerprint is logged:\n{log}"
    );
    assert!(
        !log.contains(typed),
        "the typed identifier reached the log:\n{log}"
    );
    let recorded: Vec<&str> = audit
        .iter()
        .filter_map(|e| e["account"]["login_id"].as_str())
        .filter(|id| id.starts_with("unknown-"))
        .collect();
    assert_eq!(
        recorded.len(),
        5,
        "three failures, the lock, one refusal: {audit:?}"
    );
    assert!(
        recorded.windows(2).all(|w| w[0] == w[1]),
        "one fingerprint: {recorded:?}"
    );
    assert_eq!(
        fingerprint.trim(),
        format!("{INSTITUTION_CODE}/{}", recorded[0]),
        "`shikaku audit identifier` names the events' fingerprint"
    );
    let text = format!("{audit:?}");
    assert!(
        !text.contains(typed),
        "the typed identifier reached the audit log: {text}"
    );
}
