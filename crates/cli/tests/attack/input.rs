//! Bad input on every form and JSON field of the real binary: a clear 4xx (or the
//! screen again with its message), never a 500, never a panic, nothing stored; 10 MB
//! bodies are refused with 413 before anything is parsed or hashed.

use serde_json::{Value, json};
use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};

use crate::api::{call, error_of};
use crate::binary::{self, CHEAP, Server};
use crate::client::{
    Browser, Response, chunked, escape, request_bytes, send, send_head_only, send_streaming,
};
use crate::inproc::{self, code_at};
use crate::shared;

const MB: usize = 1024 * 1024;

/// The hostile values, as raw bytes (some are not UTF-8).
fn bad_values() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("empty", Vec::new()),
        ("NUL", b"abc\0def".to_vec()),
        ("controls", b"a\r\nb\x1b[31m\x7f".to_vec()),
        ("full-width", "０１２３４５６７８９".as_bytes().to_vec()),
        ("emoji", "😀👨‍👩‍👧‍👦".as_bytes().to_vec()),
        ("RTL override", "\u{202e}Ab1#xyz".as_bytes().to_vec()),
        ("15 KB", vec![b'a'; 15 * 1024]),
        ("invalid UTF-8", vec![0xff, 0xfe, b'a']),
        ("surrogate bytes", vec![0xed, 0xa0, 0x80]),
        ("overlong", vec![0xc0, 0xaf]),
        ("1 MB", vec![b'a'; MB]),
    ]
}

/// A screen's answer to bad input: the screen again with its message (200), a redirect
/// back to the start of the step, or an error page with a 4xx — never a 5xx.
#[track_caller]
fn assert_clear_page(what: &str, r: &Response) {
    let text = r.text();
    match r.status {
        200 => assert!(
            text.contains("role=\"alert\""),
            "{what}: 200 without a message: {text}"
        ),
        303 => assert!(
            r.location().starts_with("/login"),
            "{what}: redirected to {}",
            r.location()
        ),
        400..=499 => assert!(
            text.contains("error-box") && text.contains(&r.status.to_string()),
            "{what}: {} without the error page: {text}",
            r.status
        ),
        s => panic!("{what}: status {s}: {text}"),
    }
    if r.status == 303 {
        return;
    }
    assert!(
        r.header("content-type")
            .unwrap_or("")
            .starts_with("text/html"),
        "{what}"
    );
}

/// Form body with `field` set to raw `value` (percent-encoded, or raw when `raw`).
fn form_with(csrf: &str, fields: &[(&str, &[u8])], raw: bool) -> Vec<u8> {
    let mut out = format!("csrf_token={csrf}").into_bytes();
    for (k, v) in fields {
        out.push(b'&');
        out.extend_from_slice(k.as_bytes());
        out.push(b'=');
        if raw {
            out.extend_from_slice(v);
        } else {
            out.extend_from_slice(escape(v).as_bytes());
        }
    }
    out
}

/// Posts every bad value into every field of one form, percent-encoded and raw, plus
/// wrong shapes (arrays, repeated fields, wrong content types).
fn attack_form(b: &Browser, path: &str, good: &[(&str, &str)]) -> usize {
    let mut sent = 0;
    let csrf = b.csrf.clone().unwrap();
    for (field, _) in good {
        for (name, value) in bad_values() {
            for raw in [false, true] {
                let fields: Vec<(&str, &[u8])> = good
                    .iter()
                    .map(|(k, v)| {
                        if k == field {
                            (*k, value.as_slice())
                        } else {
                            (*k, v.as_bytes())
                        }
                    })
                    .collect();
                let body = form_with(&csrf, &fields, raw);
                let bytes = b.raw_post_bytes(path, "application/x-www-form-urlencoded", &body);
                let r = send(b.addr, &bytes);
                let what = format!("{path} {field}={name} (raw: {raw})");
                if name == "1 MB" {
                    assert_eq!(r.status, 413, "{what}");
                }
                assert_clear_page(&what, &r);
                sent += 1;
            }
        }
        // Wrong shapes.
        let good_rest: String = good
            .iter()
            .filter(|(k, _)| k != field)
            .map(|(k, v)| format!("&{k}={}", escape(v.as_bytes())))
            .collect();
        for shape in [
            format!("{field}[]=x"),
            format!("{field}[a]=x"),
            format!("{field}=a&{field}=b"),
            (*field).to_owned(),
            "%".to_owned(),
            "=&=&&".to_owned(),
        ] {
            let body = format!("csrf_token={csrf}&{shape}{good_rest}");
            let bytes =
                b.raw_post_bytes(path, "application/x-www-form-urlencoded", body.as_bytes());
            let r = send(b.addr, &bytes);
            assert_clear_page(&format!("{path} {shape}"), &r);
            sent += 1;
        }
    }
    for content_type in [
        "application/json",
        "text/plain",
        "multipart/form-data; boundary=x",
        "",
    ] {
        let body = format!("{{\"csrf_token\":\"{csrf}\"}}");
        let mut bytes = b.raw_post_bytes(path, content_type, body.as_bytes());
        if content_type.is_empty() {
            let text = String::from_utf8(bytes)
                .unwrap()
                .replace("Content-Type: \r\n", "");
            bytes = text.into_bytes();
        }
        let r = send(b.addr, &bytes);
        assert!(
            (400..500).contains(&r.status),
            "{path} as {content_type:?}: {} {}",
            r.status,
            r.text()
        );
        sent += 1;
    }
    sent
}

#[allow(clippy::disallowed_methods)] // the real binary runs on the system clock
fn system_now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

#[test]
fn bad_input_on_every_form_field_is_a_clear_answer_and_changes_nothing() {
    let _machine = shared();
    let server = Server::prepare(CHEAP)
        .add_user("form01", INITIAL_PASSWORD)
        .add_user("form02", INITIAL_PASSWORD)
        .serve("info");
    // form01: registered, signed in (for [パスワード変更]).
    let mut signed_in = server.browser();
    inproc::enroll(&mut signed_in, "form01", INITIAL_PASSWORD, |k| {
        code_at(k, system_now())
    });
    signed_in.get("/menu");
    // form02: half-way, on the enrollment passcode screen.
    let mut half = server.browser();
    assert_eq!(
        inproc::login(&mut half, "form02", INITIAL_PASSWORD).redirect(),
        "/enroll"
    );
    half.get("/enroll");
    half.get("/login/passcode");
    let users_before = server.users();
    let audit_before = server.audit().len();

    let mut fresh = server.browser();
    fresh.get("/login");
    let mut sent = attack_form(
        &fresh,
        "/login",
        &[
            ("institution_code", INSTITUTION_CODE),
            ("login_id", "nobody01"),
            ("password", "Guess#2024x"),
        ],
    );
    sent += attack_form(&half, "/login/passcode", &[("passcode", "123456")]);
    signed_in.get("/password");
    sent += attack_form(
        &signed_in,
        "/password",
        &[
            ("current_password", INITIAL_PASSWORD),
            ("new_password", "Other#2024y"),
            ("new_password_confirm", "Other#2024y"),
        ],
    );

    // Nothing stored: no account, no change (once the lock counters the guesses
    // earned are cleared), no password change, no new registration or session.
    binary::cli(&[
        "user",
        "unlock",
        "--db",
        server.db().to_str().unwrap(),
        "--config",
        server.config().to_str().unwrap(),
        "--institution-code",
        INSTITUTION_CODE,
        "--login-id",
        "form01",
    ]);
    binary::cli(&[
        "user",
        "unlock",
        "--db",
        server.db().to_str().unwrap(),
        "--config",
        server.config().to_str().unwrap(),
        "--institution-code",
        INSTITUTION_CODE,
        "--login-id",
        "form02",
    ]);
    assert_eq!(server.users(), users_before);
    let events = server.audit();
    let new = &events[..events.len() - audit_before];
    for e in new {
        let kind = e["kind"].as_str().unwrap();
        assert!(
            [
                "password_failed",
                "password_locked",
                "password_attempt_while_locked",
                "passcode_failed",
                "passcode_locked",
                "passcode_attempt_while_locked",
                "password_change_rejected",
                "admin_unlocked",
            ]
            .contains(&kind),
            "bad input caused {e}"
        );
    }
    // The password is unchanged.
    let mut check = server.browser();
    assert_eq!(
        inproc::login(&mut check, "form01", INITIAL_PASSWORD).redirect(),
        "/login/passcode"
    );
    let log = server.stop();
    assert!(!log.contains("panicked"), "{log}");
    assert!(!log.contains("ERROR"), "an error was logged: {log}");
    println!("bad form input: {sent} requests, every answer clear, nothing stored");
}

/// A JSON body with `field` replaced by raw JSON text `value` (possibly not UTF-8).
fn json_with(good: &[(&str, Value)], field: &str, value: &[u8]) -> Vec<u8> {
    let mut out = b"{".to_vec();
    for (i, (k, v)) in good.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(format!("\"{k}\":").as_bytes());
        if *k == field {
            out.extend_from_slice(value);
        } else {
            out.extend_from_slice(v.to_string().as_bytes());
        }
    }
    out.push(b'}');
    out
}

/// The hostile JSON values (raw JSON text).
fn bad_json_values() -> Vec<(&'static str, Vec<u8>)> {
    let mut values: Vec<(&'static str, Vec<u8>)> = vec![
        ("empty", b"\"\"".to_vec()),
        ("NUL", br#""abc\u0000def""#.to_vec()),
        ("raw NUL", b"\"abc\0def\"".to_vec()),
        ("controls", br#""a\r\nb\u001b[31m""#.to_vec()),
        ("lone high surrogate", br#""\ud800""#.to_vec()),
        ("lone low surrogate", br#""ab\udc00cd""#.to_vec()),
        ("reversed pair", br#""\udc00\ud800""#.to_vec()),
        ("invalid UTF-8", b"\"\xff\xfea\"".to_vec()),
        ("surrogate bytes", b"\"\xed\xa0\x80\"".to_vec()),
        ("full-width", "\"０１２３４５６７８９\"".as_bytes().to_vec()),
        ("emoji", "\"😀👨‍👩‍👧‍👦\"".as_bytes().to_vec()),
        (
            "15 KB",
            format!("\"{}\"", "a".repeat(15 * 1024)).into_bytes(),
        ),
        ("1 MB", format!("\"{}\"", "a".repeat(MB)).into_bytes()),
        ("number", b"123456".to_vec()),
        ("float", b"1.5e300".to_vec()),
        ("bool", b"true".to_vec()),
        ("null", b"null".to_vec()),
        ("array", br#"["123456"]"#.to_vec()),
        ("object", br#"{"value":"123456"}"#.to_vec()),
        ("unterminated", b"\"abc".to_vec()),
    ];
    values.push((
        "deep nesting",
        format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
    ));
    values
}

/// Posts every bad JSON value into every field of one call, plus broken bodies.
fn attack_json(
    addr: std::net::SocketAddr,
    path: &str,
    bearer: Option<&str>,
    good: &[(&str, Value)],
) -> usize {
    let auth = bearer.map(|t| format!("Bearer {t}"));
    let post = |body: &[u8], content_type: Option<&str>| {
        let mut headers = Vec::new();
        if let Some(ct) = content_type {
            headers.push(("Content-Type", ct));
        }
        if let Some(a) = &auth {
            headers.push(("Authorization", a.as_str()));
        }
        send(addr, &request_bytes(addr, "POST", path, &headers, body))
    };
    let mut sent = 0;
    for (field, _) in good {
        for (name, value) in bad_json_values() {
            let r = post(&json_with(good, field, &value), Some("application/json"));
            let what = format!("{path} {field}={name}");
            assert!(
                (400..500).contains(&r.status),
                "{what}: {} {}",
                r.status,
                r.text()
            );
            let code = error_of(&r, r.status);
            if name == "1 MB" {
                assert_eq!(code, "too_large", "{what}");
            }
            sent += 1;
        }
        // The field missing, or repeated.
        let rest: Vec<(&str, Value)> = good.iter().filter(|(k, _)| k != field).cloned().collect();
        let mut body = json_with(&rest, "", b"");
        assert_eq!(
            error_of(&post(&body, Some("application/json")), 400),
            "malformed",
            "{path} without {field}"
        );
        body = json_with(good, "", b"");
        body.pop();
        body.extend_from_slice(format!(",\"{field}\":\"x\"}}").as_bytes());
        assert_eq!(
            error_of(&post(&body, Some("application/json")), 400),
            "malformed",
            "{path} {field} twice"
        );
        sent += 2;
    }
    let whole = json_with(good, "", b"");
    let mut extra = whole.clone();
    extra.pop();
    extra.extend_from_slice(b",\"is_admin\":true}");
    let mut trailing = whole.clone();
    trailing.extend_from_slice(b" {}");
    let cases: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
        ("unknown field", extra, Some("application/json")),
        ("trailing data", trailing, Some("application/json")),
        ("empty body", Vec::new(), Some("application/json")),
        ("not JSON", b"{".to_vec(), Some("application/json")),
        ("array", b"[]".to_vec(), Some("application/json")),
        ("string", b"\"x\"".to_vec(), Some("application/json")),
        (
            "BOM",
            [b"\xef\xbb\xbf".as_slice(), &whole].concat(),
            Some("application/json"),
        ),
        ("text/plain", whole.clone(), Some("text/plain")),
        (
            "form",
            whole.clone(),
            Some("application/x-www-form-urlencoded"),
        ),
        ("no content type", whole.clone(), None),
    ];
    for (what, body, ct) in cases {
        let r = post(&body, ct);
        assert!(
            (400..500).contains(&r.status),
            "{path} {what}: {} {}",
            r.status,
            r.text()
        );
        error_of(&r, r.status);
        sent += 1;
    }
    sent
}

#[test]
fn bad_input_on_every_json_field_is_a_clear_4xx_and_changes_nothing() {
    let _machine = shared();
    let server = Server::prepare(CHEAP)
        .add_user("json01", INITIAL_PASSWORD)
        .add_user("json02", INITIAL_PASSWORD)
        .serve("info");
    let addr = server.addr;
    // json01: registered through the API, with a session.
    let r = call(
        addr,
        "POST",
        "/api/v1/login",
        None,
        Some(&json!({
        "institution_code": INSTITUTION_CODE, "login_id": "json01", "password": INITIAL_PASSWORD})),
    );
    let ticket = r.json()["login_token"].as_str().unwrap().to_owned();
    let view = call(addr, "GET", "/api/v1/enrollment", Some(&ticket), None);
    let key = view.json()["setup_key"].as_str().unwrap().to_owned();
    let r = call(
        addr,
        "POST",
        "/api/v1/passcode",
        None,
        Some(&json!({
        "login_token": ticket, "passcode": code_at(&key, system_now())})),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let session = r.json()["session_token"].as_str().unwrap().to_owned();
    // json02: half-way (login token, enrollment view fetched).
    let r = call(
        addr,
        "POST",
        "/api/v1/login",
        None,
        Some(&json!({
        "institution_code": INSTITUTION_CODE, "login_id": "json02", "password": INITIAL_PASSWORD})),
    );
    let half = r.json()["login_token"].as_str().unwrap().to_owned();
    assert_eq!(
        call(addr, "GET", "/api/v1/enrollment", Some(&half), None).status,
        200
    );
    let users_before = server.users();
    let audit_before = server.audit().len();

    let s = |v: &str| Value::String(v.to_owned());
    let mut sent = attack_json(
        addr,
        "/api/v1/login",
        None,
        &[
            ("institution_code", s(INSTITUTION_CODE)),
            ("login_id", s("nobody01")),
            ("password", s("Guess#2024x")),
        ],
    );
    sent += attack_json(
        addr,
        "/api/v1/passcode",
        None,
        &[("login_token", s(&half)), ("passcode", s("123456"))],
    );
    sent += attack_json(
        addr,
        "/api/v1/password",
        Some(&session),
        &[
            ("current_password", s(INITIAL_PASSWORD)),
            ("new_password", s("Other#2024y")),
            ("new_password_confirm", s("Other#2024y")),
        ],
    );
    sent += attack_json(
        addr,
        "/api/v1/authenticate",
        None,
        &[
            ("institution_code", s(INSTITUTION_CODE)),
            ("login_id", s("json01")),
            ("password", s(INITIAL_PASSWORD)),
            ("passcode", s("123456")),
        ],
    );
    // Bearer tokens of every wrong shape.
    for token in [
        "",
        "x",
        &"a".repeat(64),
        &session.to_uppercase(),
        &format!("{session}0"),
        &session[1..],
    ] {
        let header = format!("Bearer {token}");
        let r = send(
            addr,
            &request_bytes(
                addr,
                "GET",
                "/api/v1/session",
                &[("Authorization", &header)],
                b"",
            ),
        );
        assert_eq!(error_of(&r, 401), "unauthenticated", "{token:?}");
        sent += 1;
    }

    for who in ["json01", "json02"] {
        binary::cli(&[
            "user",
            "unlock",
            "--db",
            server.db().to_str().unwrap(),
            "--config",
            server.config().to_str().unwrap(),
            "--institution-code",
            INSTITUTION_CODE,
            "--login-id",
            who,
        ]);
    }
    assert_eq!(server.users(), users_before);
    let events = server.audit();
    for e in &events[..events.len() - audit_before] {
        let kind = e["kind"].as_str().unwrap();
        assert!(
            ![
                "password_changed",
                "enrolled",
                "session_started",
                "authenticated",
                "account_provisioned",
                "password_accepted"
            ]
            .contains(&kind),
            "bad input caused {e}"
        );
    }
    // The session and the password are as they were.
    assert_eq!(
        call(addr, "GET", "/api/v1/session", Some(&session), None).status,
        200
    );
    let log = server.stop();
    assert!(!log.contains("panicked"), "{log}");
    assert!(!log.contains("ERROR"), "an error was logged: {log}");
    println!("bad JSON input: {sent} requests, every answer a JSON 4xx, nothing stored");
}

/// 10 MB bodies — declared or streamed chunked, on a form and on the API — are refused
/// with 413 before the body is read, parsed or hashed.
#[test]
fn ten_megabyte_bodies_are_413_before_parsing_or_hashing() {
    let _machine = shared();
    let server = Server::prepare(CHEAP)
        .add_user("big01", INITIAL_PASSWORD)
        .serve("info");
    let addr = server.addr;
    let mut b = server.browser();
    b.get("/login");
    let ten = 10 * MB;
    let prefix = format!(
        "csrf_token={}&institution_code={INSTITUTION_CODE}&login_id=big01&password={}&pad=",
        b.csrf.clone().unwrap(),
        escape(INITIAL_PASSWORD.as_bytes())
    );
    let mut form = prefix.into_bytes();
    form.resize(ten, b'a');
    let mut json =
        format!(r#"{{"institution_code":"{INSTITUTION_CODE}","login_id":"big01","password":"{INITIAL_PASSWORD}","pad":""#)
            .into_bytes();
    json.resize(ten - 2, b'a');
    json.extend_from_slice(b"\"}");
    let cookie = format!("{}={}", crate::client::COOKIE, b.cookie.clone().unwrap());

    for (path, content_type, body) in [
        ("/login", "application/x-www-form-urlencoded", &form),
        ("/api/v1/login", "application/json", &json),
        ("/api/v1/authenticate", "application/json", &json),
    ] {
        // Declared: the answer comes although the body never does.
        let len = body.len().to_string();
        let head = request_bytes(
            addr,
            "POST",
            path,
            &[
                ("Content-Type", content_type),
                ("Cookie", &cookie),
                ("Content-Length", &len),
            ],
            b"",
        );
        let r = send_head_only(addr, &head);
        assert_eq!(r.status, 413, "{path} declared: {}", r.text());
        // Streamed without a length.
        let head = request_bytes(
            addr,
            "POST",
            path,
            &[
                ("Content-Type", content_type),
                ("Cookie", &cookie),
                ("Transfer-Encoding", "chunked"),
            ],
            b"",
        );
        let (r, written) = send_streaming(addr, &head, chunked(body, 16 * 1024));
        assert_eq!(r.status, 413, "{path} chunked: {}", r.text());
        if path.starts_with("/api/") {
            assert_eq!(error_of(&r, 413), "too_large");
        } else {
            assert_clear_page(path, &r);
        }
        println!(
            "10 MB to {path}: 413 (declared: before any body byte; chunked: after {} KiB written into socket buffers)",
            written / 1024
        );
    }
    let events = server.audit();
    for kind in ["password_failed", "password_accepted", "passcode_failed"] {
        assert_eq!(
            binary::count(&events, kind, "big01"),
            0,
            "{kind}: the body was processed"
        );
    }
}
