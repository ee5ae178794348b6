//! Sessions through the JSON API: 30 idle minutes (login tokens too), a later login
//! elsewhere, logout; a login token is not a session token, nor the other way round.

use axum::http::StatusCode;
use shikaku::testing::INITIAL_PASSWORD;
use time::Duration;

use super::harness::{Api, rfc3339};

pub(super) async fn sessions_expire_after_30_idle_minutes(api: &Api) {
    api.provision("staff01");
    let (secret, session) = api.enroll("staff01").await;
    // 29:59 of inactivity: still active, and this use extends it.
    api.advance(Duration::minutes(29) + Duration::seconds(59));
    let info = api.session(&session).await;
    assert_eq!(
        info.ok()["expires_at"],
        rfc3339(api.now() + Duration::minutes(30)).as_str()
    );
    // 30:00 after that use: over.
    api.advance(Duration::minutes(30));
    api.session(&session)
        .await
        .expect(StatusCode::UNAUTHORIZED, "session_expired");
    api.session(&session)
        .await
        .expect(StatusCode::UNAUTHORIZED, "unauthenticated");

    // The same for a password change on an idle session.
    let session = api.sign_in("staff01", INITIAL_PASSWORD, &secret).await;
    api.advance(Duration::minutes(30));
    api.change_password(&session, INITIAL_PASSWORD, "Changed#Pw2", "Changed#Pw2")
        .await
        .expect(StatusCode::UNAUTHORIZED, "session_expired");

    // A login token lives 30 minutes too.
    let (_, token) = api.login_token("staff01", INITIAL_PASSWORD).await;
    api.advance(Duration::minutes(30));
    api.passcode(&token, &api.code(&secret))
        .await
        .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
    api.provision("staff02");
    let (_, token) = api.login_token("staff02", INITIAL_PASSWORD).await;
    api.advance(Duration::minutes(30));
    api.enrollment(&token)
        .await
        .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
}

pub(super) async fn a_later_login_supersedes_the_session(api: &Api) {
    api.provision("staff01");
    let (secret, first) = api.enroll("staff01").await;
    let second = api.sign_in("staff01", INITIAL_PASSWORD, &secret).await;
    api.session(&first)
        .await
        .expect(StatusCode::UNAUTHORIZED, "session_superseded");
    api.session(&second).await.ok();
    let third = api.sign_in("staff01", INITIAL_PASSWORD, &secret).await;
    api.change_password(&second, INITIAL_PASSWORD, "Changed#Pw2", "Changed#Pw2")
        .await
        .expect(StatusCode::UNAUTHORIZED, "session_superseded");
    api.session(&third).await.ok();
    // Logging in with a password alone (no passcode yet) does not end the session.
    api.advance(Duration::seconds(30));
    api.login_token("staff01", INITIAL_PASSWORD).await;
    api.session(&third).await.ok();
}

/// Issue 10, point 3: `POST /logout` with a session that has already ended says how it
/// ended (401 `session_superseded` / `session_expired`), never 204, and leaves the newer
/// session alone.
pub(super) async fn logout_of_an_ended_session_says_how_it_ended(api: &Api) {
    api.provision("staff01");
    let (secret, first) = api.enroll("staff01").await;
    let second = api.sign_in("staff01", INITIAL_PASSWORD, &secret).await;
    api.logout(&first)
        .await
        .expect(StatusCode::UNAUTHORIZED, "session_superseded");
    api.session(&second).await.ok();
    api.logout(&first)
        .await
        .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
    api.advance(Duration::minutes(30));
    api.logout(&second)
        .await
        .expect(StatusCode::UNAUTHORIZED, "session_expired");
    api.session(&second)
        .await
        .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
}

pub(super) async fn logout_ends_the_session(api: &Api) {
    api.provision("staff01");
    let (_, session) = api.enroll("staff01").await;
    api.logout(&session).await.no_content();
    api.session(&session)
        .await
        .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
    api.logout(&session)
        .await
        .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
    api.change_password(&session, INITIAL_PASSWORD, "Changed#Pw2", "Changed#Pw2")
        .await
        .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
    // A login token is not a session token.
    let (_, token) = api.login_token("staff01", INITIAL_PASSWORD).await;
    api.session(&token)
        .await
        .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
    api.logout(&token)
        .await
        .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
    // Nor the other way round.
    api.enrollment(&session)
        .await
        .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
}
