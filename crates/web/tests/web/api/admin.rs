//! The administrator's operations seen through the JSON API: a password reset forces a
//! change first; a disabled account is refused after the right password only.

use axum::http::StatusCode;
use time::Duration;

use super::harness::Api;

pub(super) async fn administrator_states(api: &Api) {
    api.provision("staff01");
    let (secret, session) = api.enroll("staff01").await;

    // An administrator's password reset: the session ends, and the new session must
    // change the password before anything else.
    let settings = api.service.reset_password(&api.key("staff01")).unwrap();
    let issued = settings.initial_password.as_str().to_owned();
    api.session(&session)
        .await
        .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
    api.advance(Duration::seconds(30));
    api.authenticate("staff01", &issued, &api.code(&secret))
        .await
        .expect(StatusCode::FORBIDDEN, "password_change_required");
    let session = api.sign_in("staff01", &issued, &secret).await;
    api.session(&session)
        .await
        .expect(StatusCode::FORBIDDEN, "password_change_required");
    api.change_password(&session, &issued, "Changed#Pw2", "Changed#Pw2")
        .await
        .no_content();
    api.session(&session).await.ok();
    api.advance(Duration::seconds(30));
    api.authenticate("staff01", "Changed#Pw2", &api.code(&secret))
        .await
        .ok();

    // Disabled: refused after the right password only.
    api.service.set_disabled(&api.key("staff01"), true).unwrap();
    api.session(&session)
        .await
        .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
    api.login("staff01", "Changed#Pw2")
        .await
        .expect(StatusCode::FORBIDDEN, "account_disabled");
    api.login("staff01", "Wrong#Pw1")
        .await
        .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
    api.advance(Duration::seconds(30));
    api.authenticate("staff01", "Changed#Pw2", &api.code(&secret))
        .await
        .expect(StatusCode::FORBIDDEN, "account_disabled");
}
