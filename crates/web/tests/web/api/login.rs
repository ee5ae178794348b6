//! Logging in through the JSON API: enrollment then later logins, a replayed passcode,
//! the password lock (for unknown accounts too, byte-identical), the passcode step's
//! errors and lock.

use axum::http::{StatusCode, header};
use serde_json::json;
use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE, START};
use shikaku::totp::SetupKey;
use time::Duration;

use super::harness::{Api, Call, rfc3339};

pub(super) async fn enrollment_then_later_logins(api: &Api) {
    api.provision("staff01");
    let (next, token) = api.login_token("staff01", INITIAL_PASSWORD).await;
    assert_eq!(next, "enroll");

    let view = api.enrollment(&token).await;
    let setup_key = view.str("setup_key");
    let uri = view.str("otpauth_uri");
    assert!(!setup_key.contains(' '), "copy form");
    assert!(uri.contains(&format!("secret={setup_key}&")), "{uri}");
    assert!(uri.contains("staff01"));
    assert!(view.str("qr_svg").ends_with("</svg>"));
    // The pending secret stays the same until confirmed.
    assert_eq!(api.enrollment(&token).await.str("setup_key"), setup_key);

    let secret = SetupKey::parse(&setup_key).unwrap();
    let wrong = api.wrong_code(&secret);
    api.passcode(&token, &wrong)
        .await
        .expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
    let grant = api.passcode(&token, &api.code(&secret)).await;
    assert_eq!(grant.ok()["enrolled"], true);
    let session = grant.str("session_token");
    // The login token is used up.
    api.passcode(&token, &api.code(&secret))
        .await
        .expect(StatusCode::UNAUTHORIZED, "unauthenticated");

    let info = api.session(&session).await;
    assert_eq!(
        info.ok(),
        &json!({
            "institution_code": INSTITUTION_CODE,
            "login_id": "staff01",
            "expires_at": rfc3339(START + Duration::minutes(30)),
        })
    );

    // Later logins ask for the passcode; enrollment is refused.
    api.advance(Duration::minutes(1));
    let (next, token) = api.login_token("staff01", INITIAL_PASSWORD).await;
    assert_eq!(next, "passcode");
    api.enrollment(&token)
        .await
        .expect(StatusCode::CONFLICT, "already_enrolled");
    let grant = api.passcode(&token, &api.code(&secret)).await;
    assert_eq!(grant.ok()["enrolled"], false);
    assert_ne!(grant.str("session_token"), session);
    api.session(&grant.str("session_token")).await.ok();
}

pub(super) async fn a_replayed_passcode_is_refused(api: &Api) {
    api.provision("staff01");
    let (secret, _) = api.enroll("staff01").await;
    // The code that confirmed the registration cannot open another session.
    let code = api.code(&secret);
    let (_, token) = api.login_token("staff01", INITIAL_PASSWORD).await;
    api.passcode(&token, &code)
        .await
        .expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
    // Nor through the one-call authentication.
    api.authenticate("staff01", INITIAL_PASSWORD, &code)
        .await
        .expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
    // The next time step's code works, once.
    api.advance(Duration::seconds(30));
    let fresh = api.code(&secret);
    api.passcode(&token, &fresh).await.ok();
    api.authenticate("staff01", INITIAL_PASSWORD, &fresh)
        .await
        .expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
}

pub(super) async fn three_wrong_passwords_lock_for_30_minutes(api: &Api) {
    api.provision("staff01");
    for _ in 0..2 {
        api.login("staff01", "Wrong#Pw1")
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    let locked = api.login("staff01", "Wrong#Pw1").await;
    locked.expect(StatusCode::LOCKED, "locked");
    let until = rfc3339(START + Duration::minutes(30));
    assert_eq!(locked.json["locked_until"], until.as_str());
    // The right password does not open a lock.
    api.advance(Duration::minutes(29) + Duration::seconds(59));
    let still = api.login("staff01", INITIAL_PASSWORD).await;
    still.expect(StatusCode::LOCKED, "locked");
    assert_eq!(still.json["locked_until"], until.as_str());
    api.advance(Duration::seconds(1));
    api.login_token("staff01", INITIAL_PASSWORD).await;

    // An unknown account locks exactly the same way.
    for _ in 0..2 {
        api.login("ghost", "Wrong#Pw1")
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    api.login("ghost", "Wrong#Pw1")
        .await
        .expect(StatusCode::LOCKED, "locked");
}

pub(super) async fn unknown_account_and_wrong_password_are_identical(api: &Api) {
    api.provision("staff01");
    api.provision("staff02");
    let (secret, _) = api.enroll("staff02").await;
    for lang in [None, Some("en")] {
        let with_lang = |call: Call| match lang {
            Some(l) => call.header(header::ACCEPT_LANGUAGE, l),
            None => call,
        };
        let body = |id: &str, pw: &str| json!({"institution_code": INSTITUTION_CODE, "login_id": id, "password": pw});
        let wrong = api
            .send(with_lang(Call::post(
                "/login",
                body("staff01", "Wrong#Pw1"),
            )))
            .await;
        let unknown = api
            .send(with_lang(Call::post("/login", body("nobody", "Wrong#Pw1"))))
            .await;
        wrong.expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert_eq!(wrong.status, unknown.status);
        assert_eq!(wrong.bytes, unknown.bytes, "byte-identical bodies");
        assert_eq!(wrong.headers, unknown.headers, "identical headers");

        // The same for the one-call authentication, even with a valid passcode.
        let body = |id: &str| json!({"institution_code": INSTITUTION_CODE, "login_id": id, "password": "Wrong#Pw1", "passcode": api.code(&secret)});
        let wrong = api
            .send(with_lang(Call::post("/authenticate", body("staff02"))))
            .await;
        let unknown = api
            .send(with_lang(Call::post("/authenticate", body("nobody2"))))
            .await;
        wrong.expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert_eq!(wrong.bytes, unknown.bytes);
        assert_eq!(wrong.headers, unknown.headers);
    }
}

pub(super) async fn passcode_step_errors_and_lock(api: &Api) {
    // No GET /enrollment yet: there is no secret to confirm.
    api.provision("staff00");
    let (_, token) = api.login_token("staff00", INITIAL_PASSWORD).await;
    api.passcode(&token, "123456")
        .await
        .expect(StatusCode::CONFLICT, "enrollment_required");

    api.provision("staff01");
    let (_, token) = api.login_token("staff01", INITIAL_PASSWORD).await;
    let secret = SetupKey::parse(&api.enrollment(&token).await.str("setup_key")).unwrap();

    // Malformed passcodes are 400 and do not count toward the lock.
    for bad in ["12345", "1234567", "12345a", "１２３４５"] {
        api.passcode(&token, bad)
            .await
            .expect(StatusCode::BAD_REQUEST, "malformed");
    }
    // Full-width digits are a well-formed (here wrong) passcode.
    let wrong = api.wrong_code(&secret);
    let full_width: String = wrong
        .chars()
        .map(|c| char::from_u32(u32::from(c) - u32::from('0') + u32::from('０')).unwrap())
        .collect();
    api.passcode(&token, &full_width)
        .await
        .expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
    api.passcode(&token, &wrong)
        .await
        .expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
    let locked = api.passcode(&token, &wrong).await;
    locked.expect(StatusCode::LOCKED, "locked");
    assert_eq!(
        locked.json["locked_until"],
        rfc3339(START + Duration::minutes(30)).as_str()
    );
    // The lock voids the login token…
    api.passcode(&token, &api.code(&secret))
        .await
        .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
    // …and stops the next login at the password step.
    api.login("staff01", INITIAL_PASSWORD)
        .await
        .expect(StatusCode::LOCKED, "locked");
    api.advance(Duration::minutes(30));
    let (_, token) = api.login_token("staff01", INITIAL_PASSWORD).await;
    // A registration not completed belongs to its login (issue 10, point 1): this login
    // has a new setup key, and the earlier one no longer registers anything.
    let fresh = SetupKey::parse(&api.enrollment(&token).await.str("setup_key")).unwrap();
    assert!(fresh != secret, "a new login, a new pending secret");
    api.passcode(&token, &api.code(&secret))
        .await
        .expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
    api.advance(Duration::seconds(30));
    api.passcode(&token, &api.code(&fresh)).await.ok();

    // Login tokens not of the documented form (64 lowercase hex digits) are the body's
    // form: 400. One of that form that was never issued names no login: 401.
    for token in ["", "0", &"g".repeat(64), &"A".repeat(64), &"a".repeat(65)] {
        api.passcode(token, "123456")
            .await
            .expect(StatusCode::BAD_REQUEST, "malformed");
    }
    api.passcode(&"a".repeat(64), "123456")
        .await
        .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
}
