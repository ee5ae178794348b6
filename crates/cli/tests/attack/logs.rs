//! Secrets never logged: the whole flow — screens and API, registration, print sheet,
//! logins, wrong guesses, password change, logout — against the real binary at
//! `RUST_LOG=trace`, then the captured stdout + stderr is searched for every secret
//! that crossed the wire.

use serde_json::json;
use shikaku::testing::INSTITUTION_CODE;

use crate::api::call;
use crate::binary::{CHEAP, Server};
use crate::client::escape;
use crate::inproc::{self, code_at, wrong_code};
use crate::shared;

const P1: &str = "Log#Secret2024";
const P2: &str = "Changed#Pw2025";
const P3: &str = "Api#Secret2024";
const P4: &str = "ApiNew#Pw2025";
const GUESS: &str = "Guess#Secret77";

#[allow(clippy::disallowed_methods)] // the real binary runs on the system clock
fn system_now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// The setup key as shown (groups of 4 with spaces).
fn display_form(key: &str) -> String {
    key.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The log without its timestamps and ANSI colours (so a 6-digit passcode cannot be
/// confused with the microseconds of a timestamp).
fn scrub(log: &str) -> String {
    let mut out = String::with_capacity(log.len());
    let mut chars = log.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out.lines()
        .map(|l| match l.split_once(' ') {
            Some((first, rest)) if first.contains('T') && first.ends_with('Z') => rest,
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `digits` occurs in `text` not adjacent to another digit.
fn has_number(text: &str, digits: &str) -> bool {
    text.match_indices(digits).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + digits.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

#[test]
fn the_trace_log_of_a_whole_flow_holds_no_secret() {
    let _machine = shared();
    let server = Server::prepare(CHEAP)
        .add_user("log01", P1)
        .add_user("log02", P3)
        .serve("trace");
    let addr = server.addr;
    let mut secrets: Vec<(String, String)> = Vec::new();
    let mut passcodes: Vec<String> = Vec::new();

    // Screens: a wrong password, registration with the print sheet, a wrong current
    // password, a password change, logout.
    let mut b = server.browser();
    inproc::login(&mut b, "log01", GUESS);
    let r = inproc::login(&mut b, "log01", P1);
    assert_eq!(r.redirect(), "/enroll");
    secrets.push(("ticket cookie".into(), b.cookie.clone().unwrap()));
    let page = b.get("/enroll");
    let key1 = page.setup_key().unwrap();
    let sheet = b.get("/enroll/print");
    sheet.assert_page(&display_form(&key1));
    b.post("/enroll/proceed", &[]);
    b.get("/login/passcode");
    let wrong1 = wrong_code(&key1, system_now());
    b.post("/login/passcode", &[("passcode", &wrong1)]);
    passcodes.push(wrong1);
    let code1 = code_at(&key1, system_now());
    let r = b.post("/login/passcode", &[("passcode", &code1)]);
    assert_eq!(r.redirect(), "/enroll/done");
    passcodes.push(code1);
    secrets.push(("session cookie".into(), b.cookie.clone().unwrap()));
    secrets.push(("CSRF token".into(), b.csrf.clone().unwrap()));
    b.get("/password");
    b.post(
        "/password",
        &[
            ("current_password", GUESS),
            ("new_password", P2),
            ("new_password_confirm", P2),
        ],
    );
    let r = b.post(
        "/password",
        &[
            ("current_password", P1),
            ("new_password", P2),
            ("new_password_confirm", P2),
        ],
    );
    assert_eq!(r.redirect(), "/password/done");
    inproc::logout(&mut b);

    // API: registration, session, password change, logout, one-call authentication.
    let r = call(
        addr,
        "POST",
        "/api/v1/login",
        None,
        Some(&json!({"institution_code": INSTITUTION_CODE, "login_id": "log02", "password": P3})),
    );
    let ticket = r.json()["login_token"].as_str().unwrap().to_owned();
    let view = call(addr, "GET", "/api/v1/enrollment", Some(&ticket), None);
    assert_eq!(view.status, 200);
    let key2 = view.json()["setup_key"].as_str().unwrap().to_owned();
    let uri2 = view.json()["otpauth_uri"].as_str().unwrap().to_owned();
    let code2 = code_at(&key2, system_now());
    let r = call(
        addr,
        "POST",
        "/api/v1/passcode",
        None,
        Some(&json!({"login_token": ticket, "passcode": code2})),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    passcodes.push(code2);
    let session = r.json()["session_token"].as_str().unwrap().to_owned();
    assert_eq!(
        call(addr, "GET", "/api/v1/session", Some(&session), None).status,
        200
    );
    let r = call(
        addr,
        "POST",
        "/api/v1/password",
        Some(&session),
        Some(&json!({"current_password": P3, "new_password": P4, "new_password_confirm": P4})),
    );
    assert_eq!(r.status, 204, "{}", r.text());
    let wrong2 = wrong_code(&key2, system_now());
    let r = call(
        addr,
        "POST",
        "/api/v1/authenticate",
        None,
        Some(
            &json!({"institution_code": INSTITUTION_CODE, "login_id": "log02", "password": P4, "passcode": wrong2}),
        ),
    );
    assert_eq!(r.status, 401);
    passcodes.push(wrong2);
    assert_eq!(
        call(addr, "POST", "/api/v1/logout", Some(&session), None).status,
        204
    );

    let log = server.stop();
    assert!(
        log.contains("TRACE") || log.contains("DEBUG"),
        "not verbose: {log}"
    );
    assert!(
        log.contains("password_changed"),
        "the audit trail is in the log"
    );

    for (what, value) in [
        ("initial password", P1),
        ("new password", P2),
        ("API password", P3),
        ("API new password", P4),
        ("wrong password", GUESS),
    ] {
        secrets.push((what.into(), value.into()));
        secrets.push((format!("{what}, form-encoded"), escape(value.as_bytes())));
    }
    for key in [&key1, &key2] {
        secrets.push(("setup key".into(), key.clone()));
        secrets.push(("setup key, lower case".into(), key.to_lowercase()));
        secrets.push(("setup key, as displayed".into(), display_form(key)));
        secrets.push(("setup key, first half".into(), key[..16].to_owned()));
    }
    secrets.push(("otpauth URI".into(), uri2));
    secrets.push(("otpauth scheme".into(), "otpauth:".into()));
    secrets.push(("login token".into(), ticket));
    secrets.push(("session token".into(), session));

    let log = scrub(&log);
    let mut leaks = Vec::new();
    for (what, value) in &secrets {
        if log.contains(value.as_str()) {
            leaks.push(what.clone());
        }
    }
    for code in &passcodes {
        if has_number(&log, code) {
            leaks.push(format!("passcode {code}"));
        }
    }
    println!(
        "trace log: {} lines, {} KiB searched for {} secrets and {} passcodes",
        log.lines().count(),
        log.len() / 1024,
        secrets.len(),
        passcodes.len()
    );
    assert!(leaks.is_empty(), "the log holds: {leaks:?}");
}
