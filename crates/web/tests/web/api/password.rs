//! `POST /password`: every violation listed (in both languages), history rules, and the
//! lock on wrong current passwords.

use axum::http::StatusCode;
use serde_json::{Value, json};
use shikaku::password::{Policy, Violation};
use shikaku::testing::INITIAL_PASSWORD;

use super::harness::{Api, Call};

pub(super) async fn password_change_lists_every_violation(api: &Api) {
    api.provision("staff01");
    let (secret, session) = api.enroll("staff01").await;
    let policy = Policy::default();

    let short = api
        .change_password(&session, INITIAL_PASSWORD, "short", "short")
        .await;
    short.expect(StatusCode::UNPROCESSABLE_ENTITY, "password_policy");
    let expected: Vec<Value> = policy
        .check("short")
        .unwrap_err()
        .iter()
        .map(|v| json!({"code": v.code().as_str(), "message": v.message_ja()}))
        .collect();
    assert_eq!(short.json["violations"], Value::Array(expected));
    let codes: Vec<&str> = short.json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap())
        .collect();
    for code in [
        "too_short",
        "missing_digit",
        "missing_uppercase",
        "missing_special",
    ] {
        assert!(codes.contains(&code), "{codes:?}");
    }

    // English, plus a confirmation mismatch and an empty password: all listed.
    let en = api
        .send(
            Call::post(
                "/password",
                json!({"current_password": INITIAL_PASSWORD, "new_password": "", "new_password_confirm": "x"}),
            )
            .bearer(&session)
            .en(),
        )
        .await;
    en.expect(StatusCode::UNPROCESSABLE_ENTITY, "password_policy");
    let violations = en.json["violations"].as_array().unwrap();
    assert_eq!(violations[0]["code"], "confirmation_mismatch");
    let mut expected = vec![json!({
        "code": "confirmation_mismatch",
        "message": Violation::confirmation_mismatch().message_en(),
    })];
    expected.extend(
        policy
            .check("")
            .unwrap_err()
            .iter()
            .map(|v| json!({"code": v.code().as_str(), "message": v.message_en()})),
    );
    assert_eq!(violations, &expected);

    // A wrong current password.
    api.change_password(&session, "Wrong#Pw1", "Changed#Pw22", "Changed#Pw22")
        .await
        .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");

    // Success: the new password logs in, the old one does not.
    api.change_password(&session, INITIAL_PASSWORD, "Changed#Pw2", "Changed#Pw2")
        .await
        .no_content();
    api.login("staff01", INITIAL_PASSWORD)
        .await
        .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
    let session = api.sign_in("staff01", "Changed#Pw2", &secret).await;

    // History: back to the previous (short) password, or one sharing its first 5.
    let reused = api
        .change_password(&session, "Changed#Pw2", INITIAL_PASSWORD, INITIAL_PASSWORD)
        .await;
    reused.expect(StatusCode::UNPROCESSABLE_ENTITY, "password_policy");
    assert_eq!(reused.json["violations"][0]["code"], "reused_generation");
    let similar = api
        .change_password(&session, "Changed#Pw2", "Initi#Other9", "Initi#Other9")
        .await;
    similar.expect(StatusCode::UNPROCESSABLE_ENTITY, "password_policy");
    assert_eq!(
        similar.json["violations"][0]["code"],
        "similar_to_generation"
    );
}

pub(super) async fn password_change_locks_on_wrong_current_passwords(api: &Api) {
    api.provision("staff01");
    let (_, session) = api.enroll("staff01").await;
    for _ in 0..2 {
        api.change_password(&session, "Wrong#Pw1", "Changed#Pw2", "Changed#Pw2")
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    let locked = api
        .change_password(&session, "Wrong#Pw1", "Changed#Pw2", "Changed#Pw2")
        .await;
    locked.expect(StatusCode::LOCKED, "locked");
    let until = locked.str("locked_until");
    // The right current password during the lock: still locked, same instant.
    let again = api
        .change_password(&session, INITIAL_PASSWORD, "Changed#Pw2", "Changed#Pw2")
        .await;
    again.expect(StatusCode::LOCKED, "locked");
    assert_eq!(again.str("locked_until"), until);
}
