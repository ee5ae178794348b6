//! `POST /authenticate`: the receipt computer's one call, normalised identifiers, no
//! session, replays and both locks.

use axum::http::StatusCode;
use serde_json::json;
use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};
use time::Duration;

use super::harness::{Api, Call, rfc3339};

pub(super) async fn authenticate_in_one_call(api: &Api) {
    api.provision("staff01");
    api.authenticate("staff01", INITIAL_PASSWORD, "123456")
        .await
        .expect(StatusCode::CONFLICT, "enrollment_required");
    let (secret, _) = api.enroll("staff01").await;
    api.advance(Duration::seconds(30));
    let code = api.code(&secret);
    // Identifiers typed in full-width are normalised.
    let verified = api
        .send(Call::post(
            "/authenticate",
            json!({"institution_code": "０１２３４５６７８９", "login_id": "ｓｔａｆｆ01", "password": INITIAL_PASSWORD, "passcode": code}),
        ))
        .await;
    assert_eq!(
        verified.ok(),
        &json!({
            "institution_code": INSTITUTION_CODE,
            "login_id": "staff01",
            "authenticated_at": rfc3339(api.now()),
        })
    );
    // No session was created: the password login still needs a passcode.
    api.authenticate("staff01", INITIAL_PASSWORD, &code)
        .await
        .expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
    api.authenticate("staff01", "Wrong#Pw1", &code)
        .await
        .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
    // Passcode lock: the replay above was the first failure.
    let wrong = api.wrong_code(&secret);
    api.authenticate("staff01", INITIAL_PASSWORD, &wrong)
        .await
        .expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
    let locked = api.authenticate("staff01", INITIAL_PASSWORD, &wrong).await;
    locked.expect(StatusCode::LOCKED, "locked");
    api.advance(Duration::seconds(30));
    api.authenticate("staff01", INITIAL_PASSWORD, &api.code(&secret))
        .await
        .expect(StatusCode::LOCKED, "locked");
    // Password lock.
    api.provision("staff02");
    for _ in 0..2 {
        api.authenticate("staff02", "Wrong#Pw1", "123456")
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    api.authenticate("staff02", "Wrong#Pw1", "123456")
        .await
        .expect(StatusCode::LOCKED, "locked");
}
