//! Hostile input: every field of every body broken every way is a 400 (never a 500,
//! never echoed, never counted), and bodies over the limit are 413 before parsing.

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};
use time::Duration;

use super::harness::{Api, Call};

const LIMIT: usize = shikaku_web::security::DEFAULT_BODY_LIMIT;

/// Every field of every body: empty, wrong type, NUL and other controls, lone
/// surrogate, emoji, full-width; and every way a body can be broken. Never a 500,
/// never a secret in the answer, never counted toward a lock.
pub(super) async fn bad_input_is_400_never_500(api: &Api) {
    api.provision("staff01");
    let (secret, session) = api.enroll("staff01").await;
    let (_, login_token) = api.login_token("staff01", INITIAL_PASSWORD).await;
    let wrong_code = api.wrong_code(&secret);

    // Well-formed bodies with the right password, so that the well-formed control
    // request at the end of each round is predictable: /login and /password succeed,
    // /passcode and /authenticate are one wrong passcode each (2 of the 3 allowed).
    // /password goes last: it changes the password to NEW.
    const NEW: &str = "Secret#Pw8";
    let bodies: [(&'static str, Value); 4] = [
        (
            "/login",
            json!({"institution_code": INSTITUTION_CODE, "login_id": "staff01", "password": INITIAL_PASSWORD}),
        ),
        (
            "/passcode",
            json!({"login_token": login_token, "passcode": wrong_code}),
        ),
        (
            "/authenticate",
            json!({"institution_code": INSTITUTION_CODE, "login_id": "staff01", "password": INITIAL_PASSWORD, "passcode": wrong_code}),
        ),
        (
            "/password",
            json!({"current_password": INITIAL_PASSWORD, "new_password": NEW, "new_password_confirm": NEW}),
        ),
    ];
    let auth = |call: Call, path: &str| {
        if path == "/password" {
            call.bearer(&session)
        } else {
            call
        }
    };

    for (path, valid) in &bodies {
        let path: &'static str = path;
        let text = serde_json::to_string(valid).unwrap();
        let fields: Vec<String> = valid.as_object().unwrap().keys().cloned().collect();
        for field in &fields {
            // Wrong JSON types.
            for wrong in [
                json!(1),
                json!(null),
                json!(true),
                json!([]),
                json!({}),
                json!(1.5),
            ] {
                let mut body = valid.clone();
                body[field] = wrong;
                api.send(auth(Call::post(path, body), path))
                    .await
                    .expect(StatusCode::BAD_REQUEST, "malformed");
            }
            // Missing.
            let mut body = valid.clone();
            body.as_object_mut().unwrap().remove(field);
            api.send(auth(Call::post(path, body), path))
                .await
                .expect(StatusCode::BAD_REQUEST, "malformed");
            // Control characters (C0, DEL, C1) anywhere in the value.
            for control in ["\u{0}", "\n", "\u{1b}", "\u{7f}", "\u{85}"] {
                let mut body = valid.clone();
                let value = format!("{}{control}", body[field].as_str().unwrap());
                body[field] = json!(value);
                let reply = api.send(auth(Call::post(path, body), path)).await;
                reply.expect(StatusCode::BAD_REQUEST, "malformed");
                assert!(reply.str("message").contains(field.as_str()));
            }
            // A raw NUL byte inside the JSON string.
            let mut bytes = text.clone().into_bytes();
            let at = find(&bytes, format!("\"{field}\":\"").as_bytes()) + field.len() + 4;
            bytes.insert(at, 0);
            api.send(auth(
                Call::raw(Method::POST, path, Some("application/json"), bytes),
                path,
            ))
            .await
            .expect(StatusCode::BAD_REQUEST, "malformed");
            // A lone surrogate (valid JSON text, not a Unicode string).
            let lone = text.replacen(
                &format!("\"{field}\":\""),
                &format!("\"{field}\":\"\\ud800"),
                1,
            );
            assert!(lone.contains("\\ud800"));
            api.send(auth(
                Call::raw(Method::POST, path, Some("application/json"), lone),
                path,
            ))
            .await
            .expect(StatusCode::BAD_REQUEST, "malformed");
            // Invalid UTF-8 inside the string.
            let mut bytes = text.clone().into_bytes();
            bytes.insert(at, 0xff);
            api.send(auth(
                Call::raw(Method::POST, path, Some("application/json"), bytes),
                path,
            ))
            .await
            .expect(StatusCode::BAD_REQUEST, "malformed");
            // Empty: 400, except the new password, which the policy answers (422).
            let mut body = valid.clone();
            body[field] = json!("");
            let reply = api.send(auth(Call::post(path, body), path)).await;
            if field.starts_with("new_password") {
                reply.expect(StatusCode::UNPROCESSABLE_ENTITY, "password_policy");
            } else {
                reply.expect(StatusCode::BAD_REQUEST, "malformed");
            }
        }
        // Unknown and repeated fields.
        let mut body = valid.clone();
        body["extra"] = json!("x");
        api.send(auth(Call::post(path, body), path))
            .await
            .expect(StatusCode::BAD_REQUEST, "malformed");
        let (first, value) = valid.as_object().unwrap().iter().next().unwrap();
        let repeated = format!("{},\"{first}\":{value}}}", &text[..text.len() - 1]);
        api.send(auth(
            Call::raw(Method::POST, path, Some("application/json"), repeated),
            path,
        ))
        .await
        .expect(StatusCode::BAD_REQUEST, "malformed");
        // Not one JSON object.
        let nested = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        let trailing = format!("{text} trailing");
        for broken in [
            "",
            " ",
            "{}",
            "[]",
            "null",
            "\"text\"",
            "{\"institution_code\":",
            "{}{}",
            &trailing,
            &nested,
            "{'single': 'quotes'}",
        ] {
            let call = Call::raw(
                Method::POST,
                path,
                Some("application/json"),
                broken.to_owned(),
            );
            let reply = api.send(auth(call, path)).await;
            reply.expect(StatusCode::BAD_REQUEST, "malformed");
            assert!(
                !reply.str("message").contains(INITIAL_PASSWORD),
                "never echoes a value"
            );
        }
        // The right JSON with the wrong (or no) content type.
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/jsonp"),
        ] {
            let call = Call::raw(Method::POST, path, content_type, text.clone());
            api.send(auth(call, path))
                .await
                .expect(StatusCode::BAD_REQUEST, "malformed");
        }
        // With a charset parameter it is accepted.
        let call = Call::raw(
            Method::POST,
            path,
            Some("application/json; charset=utf-8"),
            text.clone(),
        )
        .json(valid.clone());
        let reply = api.send(auth(call, path)).await;
        match path {
            "/login" => assert_eq!(reply.ok()["next"], "passcode"),
            "/password" => reply.no_content(),
            _ => {
                reply.expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
            }
        }
    }

    // Identifiers: emoji, other scripts and wrong lengths are refused before any
    // password is checked.
    for (code, id) in [
        (INSTITUTION_CODE, "staff😀"),
        (INSTITUTION_CODE, "職員01"),
        ("012345678😀", "staff01"),
        ("012345678", "staff01"),
        ("٠١٢٣٤٥٦٧٨٩", "staff01"),
        (INSTITUTION_CODE, &"a".repeat(65)),
        (INSTITUTION_CODE, "staff 01"),
        (INSTITUTION_CODE, "staff/01"),
    ] {
        api.send(Call::post(
            "/login",
            json!({"institution_code": code, "login_id": id, "password": NEW}),
        ))
        .await
        .expect(StatusCode::BAD_REQUEST, "malformed");
    }
    // Emoji in a password is just a wrong password; in a passcode it is malformed.
    api.login("staff01", "Pass😀word1#")
        .await
        .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
    api.passcode(&login_token, "12345😀")
        .await
        .expect(StatusCode::BAD_REQUEST, "malformed");

    // Nothing above counted toward a lock beyond what the facade saw: one wrong
    // password (the emoji) and two wrong passcodes. A third wrong password would lock,
    // so one more is still answered 401, and the passcode still works.
    api.login("staff01", "Wrong#Pw1")
        .await
        .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
    api.advance(Duration::seconds(30));
    let (next, token) = api.login_token(" ｓｔａｆｆ01 ", NEW).await;
    assert_eq!(next, "passcode");
    api.passcode(&token, &api.code(&secret)).await.ok();
}

pub(super) async fn bodies_over_the_limit_are_413_before_parsing(api: &Api) {
    api.provision("staff01");
    let (_, session) = api.enroll("staff01").await;
    let posts = [
        "/login",
        "/passcode",
        "/password",
        "/logout",
        "/authenticate",
    ];
    let huge = vec![b'{'; 10 * 1024 * 1024];
    for path in posts {
        // Declared length, and no declared length (the body is read up to the limit).
        for declare in [true, false] {
            let mut call = Call::raw(Method::POST, path, Some("application/json"), huge.clone())
                .bearer(&session);
            if declare {
                call = call.header(header::CONTENT_LENGTH, &huge.len().to_string());
            }
            api.send(call)
                .await
                .expect(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
        }
    }
    // A 1 MB string inside otherwise valid JSON.
    let mb = "a".repeat(1024 * 1024);
    api.login("staff01", &mb)
        .await
        .expect(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    // The limit is exactly 16 KiB: padding with white space up to it is fine.
    let text = serde_json::to_string(
        &json!({"institution_code": INSTITUTION_CODE, "login_id": "staff01", "password": INITIAL_PASSWORD}),
    )
    .unwrap();
    let at_limit = format!("{text}{}", " ".repeat(LIMIT - text.len()));
    assert_eq!(at_limit.len(), LIMIT);
    api.send(Call::raw(
        Method::POST,
        "/login",
        Some("application/json"),
        at_limit.clone(),
    ))
    .await
    .ok();
    let over = format!("{at_limit} ");
    api.send(Call::raw(
        Method::POST,
        "/login",
        Some("application/json"),
        over,
    ))
    .await
    .expect(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
}

/// The first position of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
}
