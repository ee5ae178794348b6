//! The manual's flows through the screens: first registration (the cookie rotating at
//! each step), later logins, CSRF, the 30-minute idle end, a login elsewhere, logout.

use axum::http::{StatusCode, header};
use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};
use shikaku_web::security::csp_allowing_styles;
use time::Duration;

use super::*;

#[tokio::test]
async fn first_time_registration_through_http_rotating_the_cookie_at_each_step() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();

    b.get("/").await.assert_page("システムの利用を始める");
    let form = b.get("/login").await;
    form.assert_page("機関コード");
    let pre_login = b.cookie.clone().expect("a pre-session cookie");

    // 《ログイン》: the cookie becomes the facade's login ticket.
    let reply = b
        .post(
            "/login",
            &form,
            &[
                ("institution_code", INSTITUTION_CODE),
                ("login_id", "staff01"),
                ("password", INITIAL_PASSWORD),
            ],
        )
        .await;
    reply.assert_redirect("/enroll");
    let ticket = b.cookie.clone().unwrap();
    assert_ne!(ticket, pre_login, "rotated at login");

    // [Authenticator 登録]: QR code and setup key.
    let enroll = b.get("/enroll").await;
    enroll.assert_page("<img class=\"qr\" src=\"data:image/svg+xml;base64,");
    let key = attribute(&enroll.body, "data-copy");
    assert!(key.len() >= 32 && key.bytes().all(|c| c.is_ascii_alphanumeric()));
    assert!(enroll.body.contains("テキストでコピー"));

    // The pre-login id opens nothing.
    let mut stale = w.browser();
    stale.cookie = Some(pre_login.clone());
    stale.get("/enroll").await.assert_redirect("/login");
    stale.get("/login/passcode").await.assert_redirect("/login");

    // 《Authenticator 登録確認に進む》: first the first-time prompt, then the later one.
    let proceed = b.post("/enroll/proceed", &enroll, &[]).await;
    proceed.assert_redirect("/enroll/print-confirm?prompt=first");
    let first = b.get(proceed.location()).await;
    first.assert_page("印刷せずに確認へ進む");
    assert!(first.body.contains("href=\"/enroll/print\""));
    let again = b.post("/enroll/proceed", &enroll, &[]).await;
    again.assert_redirect("/enroll/print-confirm?prompt=later");
    let later = b.get(again.location()).await;
    later.assert_page("確認へ進む");
    assert!(!later.body.contains("印刷せずに確認へ進む"));

    // The print sheet: its own style allowed by hash, never cached, holds the key.
    let sheet = b.get("/enroll/print").await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert_eq!(
        sheet.headers[header::CONTENT_SECURITY_POLICY],
        csp_allowing_styles(&[shikaku::qr::SHEET_CSS])
    );
    assert_eq!(sheet.headers[header::CACHE_CONTROL], "no-store");
    assert!(sheet.body.contains(&key[..4]) && sheet.body.contains("取扱注意"));

    // 《パスコードを送信》: the cookie becomes the session.
    let passcode = b.get("/login/passcode").await;
    passcode.assert_page("送信すると Authenticator の登録確認が行われます");
    let reply = b
        .post(
            "/login/passcode",
            &passcode,
            &[("passcode", &w.code_for_key(&key))],
        )
        .await;
    reply.assert_redirect("/enroll/done");
    let session = b.cookie.clone().unwrap();
    assert_ne!(session, ticket, "rotated at the passcode");

    // 登録確認完了 → 《OK》 → [管理メニュー] with MFA 登録完了.
    let done = b.get("/enroll/done").await;
    done.assert_page("登録確認完了");
    let ok = attribute(
        &done.body[done.body.find("dialog__actions").unwrap()..],
        "href",
    );
    assert_eq!(ok, "/menu?registered=1");
    let menu = b.get(&ok).await;
    menu.assert_page("MFA 登録が完了しました");
    assert!(menu.body.contains("staff01") && menu.body.contains(INSTITUTION_CODE));
    let plain = b.get("/menu").await;
    plain.assert_page("パスワード変更");
    assert!(!plain.body.contains("MFA 登録が完了しました"));

    // Neither earlier id is a session.
    for old in [pre_login, ticket] {
        let mut stale = w.browser();
        stale.cookie = Some(old);
        stale.get("/menu").await.assert_redirect("/login");
        stale.get("/enroll").await.assert_redirect("/login");
    }
}

#[tokio::test]
async fn a_later_login_asks_for_the_passcode_and_the_enrollment_code_is_not_reusable() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    let key = b.register("staff01").await;
    let used = w.code_for_key(&key);

    let mut other = w.browser();
    other
        .password("staff01", INITIAL_PASSWORD)
        .await
        .assert_redirect("/login/passcode");
    // The passcode screen, not the registration.
    other
        .get("/enroll")
        .await
        .assert_redirect("/login/passcode");
    other
        .get("/login/passcode")
        .await
        .assert_page("6 桁のパスコードを入力し、《パスコードを送信》をクリックしてください。</p>");
    // Same time step: the code that confirmed the registration is refused.
    other
        .passcode(&used)
        .await
        .assert_page("パスコードが正しくありません");
    w.next_step();
    other
        .passcode(&w.code_for_key(&key))
        .await
        .assert_redirect("/menu");
    other.get("/menu").await.assert_page("管理メニュー");
}

#[tokio::test]
async fn a_form_post_without_the_csrf_token_is_refused() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    b.get("/login").await;
    let body = form_encode(&[
        ("institution_code", INSTITUTION_CODE),
        ("login_id", "staff01"),
        ("password", INITIAL_PASSWORD),
    ]);
    let reply = b.post_raw("/login", body.clone()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.body.contains("操作を受け付けられませんでした"));
    let wrong = b
        .post_raw("/login", format!("{body}&csrf_token=AAAA"))
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);

    // Signed in: logout without the token is refused and the session stays.
    b.register("staff01").await;
    let reply = b.post_raw("/logout", String::new()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    b.get("/menu").await.assert_page("管理メニュー");
    // A token of another cookie is refused too.
    let mut other = w.browser();
    let foreign = other.get("/login").await;
    let reply = b
        .post_raw("/logout", format!("csrf_token={}", foreign.csrf()))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    b.get("/menu").await.assert_page("管理メニュー");
}

#[tokio::test]
async fn thirty_idle_minutes_end_the_session_exactly() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    b.register("staff01").await;
    let session = b.cookie.clone().unwrap();

    w.clock
        .advance(Duration::minutes(30) - Duration::milliseconds(1));
    b.get("/menu").await.assert_page("管理メニュー");
    // 30:00 after that last activity: over.
    w.clock.advance(Duration::minutes(30));
    let reply = b.get("/menu").await;
    reply.assert_redirect("/session-ended?reason=idle");
    assert!(b.cookie.is_none(), "the cookie is removed");
    let ended = b.get(reply.location()).await;
    ended.assert_page("ログインしたまま 30 分間操作がなかったため");
    assert!(ended.body.contains("href=\"/login\" autofocus>閉じる</a>"));
    // The language switch keeps the message.
    assert!(
        ended
            .body
            .contains("href=\"/session-ended?reason=idle&#38;lang=en\"")
    );
    let english = b.get("/session-ended?reason=idle&lang=en").await;
    english.assert_page("no activity for 30 minutes");

    // The dead session cookie, presented again, is just unknown.
    let mut stale = w.browser();
    stale.cookie = Some(session);
    stale.get("/menu").await.assert_redirect("/login");
}

#[tokio::test]
async fn logging_in_again_elsewhere_ends_the_first_session() {
    let w = world();
    w.provision("staff01");
    let mut first = w.browser();
    let key = first.register("staff01").await;
    first.get("/menu").await.assert_page("管理メニュー");

    let mut second = w.browser();
    second.log_in("staff01", INITIAL_PASSWORD, &key).await;

    let reply = first.get("/menu").await;
    reply.assert_redirect("/session-ended?reason=elsewhere");
    first
        .get(reply.location())
        .await
        .assert_page("ログアウトせずに再ログインされたため");
    second.get("/menu").await.assert_page("管理メニュー");
}

#[tokio::test]
async fn logout_confirms_then_the_old_cookie_leads_to_login() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    b.register("staff01").await;
    let session = b.cookie.clone().unwrap();

    let confirm = b.get("/logout").await;
    confirm.assert_page("ログアウトしますか。");
    let reply = b.post("/logout", &confirm, &[]).await;
    reply.assert_redirect("/login?notice=logged-out");
    assert!(b.cookie.is_none(), "removal cookie");
    let login = b.get(reply.location()).await;
    login.assert_page("ログアウトしました。");
    assert!(b.cookie.is_some(), "a fresh pre-session id");
    assert_ne!(b.cookie.as_deref(), Some(session.as_str()));

    let mut stale = w.browser();
    stale.cookie = Some(session);
    stale.get("/menu").await.assert_redirect("/login");
    stale.get("/password").await.assert_redirect("/login");
    stale.get("/logout").await.assert_redirect("/login");
}

/// Issue 10, point 3: 《OK》 of a logout confirmation opened before a login elsewhere
/// (or before 30 idle minutes) answers with 7 重要事項's message, like every other
/// screen — never 「ログアウトしました。」 — and leaves the newer session alone.
#[tokio::test]
async fn logout_of_an_ended_session_shows_why_it_ended() {
    let w = world();
    w.provision("staff01");
    let mut first = w.browser();
    let key = first.register("staff01").await;
    let confirm = first.get("/logout").await;
    confirm.assert_page("ログアウトしますか。");

    let mut second = w.browser();
    second.log_in("staff01", INITIAL_PASSWORD, &key).await;

    let reply = first.post("/logout", &confirm, &[]).await;
    reply.assert_redirect("/session-ended?reason=elsewhere");
    assert!(first.cookie.is_none(), "the cookie is removed");
    let ended = first.get(reply.location()).await;
    ended.assert_page("ログアウトせずに再ログインされたため");
    assert!(ended.body.contains(">閉じる</a>"));
    assert!(!ended.body.contains("ログアウトしました"));
    second.get("/menu").await.assert_page("管理メニュー");

    // The same after the idle timeout.
    let confirm = second.get("/logout").await;
    w.clock.advance(Duration::minutes(30));
    second
        .post("/logout", &confirm, &[])
        .await
        .assert_redirect("/session-ended?reason=idle");
    assert!(second.cookie.is_none());
}

/// Issue 10, point 6: `POST /login/cancel` (《戻る》) with a session cookie — a stale
/// passcode form, another tab — logs that session out before the cookie is replaced.
#[tokio::test]
async fn cancel_with_a_session_cookie_ends_the_session() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    b.register("staff01").await;
    let session = b.cookie.clone().unwrap();
    let page = b.get("/password").await;
    page.assert_page("パスワード変更");

    b.post("/login/cancel", &page, &[])
        .await
        .assert_redirect("/login");
    assert_ne!(b.cookie.as_deref(), Some(session.as_str()), "a new id");

    let mut stale = w.browser();
    stale.cookie = Some(session);
    stale.get("/menu").await.assert_redirect("/login");
    assert!(
        w.audit.kinds().contains(&shikaku::AuditKind::LoggedOut),
        "logged out server-side"
    );
}

/// Issue 10, point 6: `POST /logout` with a login-ticket cookie (between the password
/// and the passcode) abandons the ticket before removing the cookie.
#[tokio::test]
async fn logout_with_a_login_ticket_abandons_it() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    b.password("staff01", INITIAL_PASSWORD)
        .await
        .assert_redirect("/enroll");
    let ticket = b.cookie.clone().unwrap();
    let enroll = b.get("/enroll").await;
    enroll.assert_page("Authenticator 登録");

    let reply = b.post("/logout", &enroll, &[]).await;
    reply.assert_redirect("/login");
    assert!(b.cookie.is_none(), "the cookie is removed");

    let mut stale = w.browser();
    stale.cookie = Some(ticket.clone());
    stale.get("/enroll").await.assert_redirect("/login");
    stale.get("/login/passcode").await.assert_redirect("/login");
    let token = shikaku_web::security::RandomToken::parse(&ticket)
        .unwrap()
        .to_facade();
    assert!(matches!(
        w.service.login_stage(&token),
        Err(shikaku::Error::LoginExpired)
    ));
}

#[tokio::test]
async fn signed_in_pages_without_a_session_lead_to_login() {
    let w = world();
    let mut b = w.browser();
    for path in [
        "/menu",
        "/password",
        "/password/done",
        "/logout",
        "/enroll/done",
        "/enroll",
        "/enroll/print",
        "/enroll/print-confirm",
        "/login/passcode",
        "/session-ended",
        "/session-ended?reason=bogus",
    ] {
        b.get(path).await.assert_redirect("/login");
    }
}

/// Issue 10, point 7 (DNS rebinding): a hostile page whose name now resolves to the
/// server posts the login form from the staff member's browser — `Host:
/// evil.example:8080` and the matching `Origin`, even with a valid cookie and CSRF token.
/// Refused with 421 before the password is looked at: three such posts lock nothing.
#[tokio::test]
async fn a_login_posted_through_a_rebound_name_is_refused() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    let form = b.get("/login").await;
    let body = form_encode(&[
        ("institution_code", INSTITUTION_CODE),
        ("login_id", "staff01"),
        ("password", "Wrong#pass1"),
        ("csrf_token", &form.csrf()),
    ]);
    let rebound = "evil.example:8080";
    for _ in 0..3 {
        let request = Request::post("/login")
            .header(header::HOST, rebound)
            .header(header::ORIGIN, format!("http://{rebound}"))
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        let reply = b.send(request, Body::from(body.clone())).await;
        assert_eq!(
            reply.status,
            StatusCode::MISDIRECTED_REQUEST,
            "{}",
            reply.body
        );
        assert!(reply.body.contains("このアドレスでは利用できません"));
    }
    // The page itself is not served under that name either.
    let request = Request::get("/login").header(header::HOST, rebound);
    let reply = b.send(request, Body::empty()).await;
    assert_eq!(reply.status, StatusCode::MISDIRECTED_REQUEST);
    // Nothing was counted: the account is not locked.
    b.password("staff01", INITIAL_PASSWORD)
        .await
        .assert_redirect("/enroll");
}

/// With `WebOptions::public_origin`, the screens answer that host and port only; its own
/// `Origin` is required of a form post.
#[tokio::test]
async fn a_configured_public_origin_is_the_only_name_answered() {
    let harness = Harness::new(Arc::new(MemoryStore::new()));
    let origin = "https://clinic.example:8443";
    let app = app(
        Arc::clone(&harness.service),
        WebOptions {
            public_origin: Some(origin.to_owned()),
            ..WebOptions::default()
        },
    )
    .unwrap();
    harness.provision("staff01");
    let get = |host: &str| {
        Request::get("/login")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap()
    };
    for (host, status) in [
        ("clinic.example:8443", StatusCode::OK),
        ("127.0.0.1:8443", StatusCode::MISDIRECTED_REQUEST),
        ("localhost:8443", StatusCode::MISDIRECTED_REQUEST),
        ("evil.example:8443", StatusCode::MISDIRECTED_REQUEST),
        ("clinic.example", StatusCode::MISDIRECTED_REQUEST),
    ] {
        assert_eq!(send(&app, get(host)).await.status(), status, "{host}");
    }
    let page = send(&app, get("clinic.example:8443")).await;
    let cookie = set_session_cookie(page.headers(), CookiePolicy::secure()).unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let csrf = csrf_in(&body_text(page).await);
    let body = form_encode(&[
        ("institution_code", INSTITUTION_CODE),
        ("login_id", "staff01"),
        ("password", INITIAL_PASSWORD),
        ("csrf_token", &csrf),
    ]);
    let post = |origin: &str| {
        Request::post("/login")
            .header(header::HOST, "clinic.example:8443")
            .header(header::ORIGIN, origin)
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.clone()))
            .unwrap()
    };
    assert_eq!(
        send(&app, post("https://evil.example:8443")).await.status(),
        StatusCode::FORBIDDEN
    );
    let reply = send(&app, post(origin)).await;
    assert_eq!(reply.status(), StatusCode::SEE_OTHER);
    assert_eq!(reply.headers()[header::LOCATION], "/enroll");
}

/// A browser whose cookie is a session that has already ended (a login elsewhere, or
/// idle) logs in again from [ログイン]: the dead session is cleared, not a 500 — the
/// facade answers its logout with `SessionEnded` now (issue 10, point 3).
#[tokio::test]
async fn logging_in_over_an_ended_session_cookie_works() {
    let w = world();
    w.provision("staff01");
    let mut first = w.browser();
    let key = first.register("staff01").await;
    let mut second = w.browser();
    second.log_in("staff01", INITIAL_PASSWORD, &key).await;

    // The first browser still holds its (superseded) session cookie on [ログイン].
    assert!(first.cookie.is_some());
    first.log_in("staff01", INITIAL_PASSWORD, &key).await;
    first.get("/menu").await.assert_page("管理メニュー");

    // The same after the idle timeout.
    w.clock.advance(Duration::minutes(30));
    first.log_in("staff01", INITIAL_PASSWORD, &key).await;
    first.get("/menu").await.assert_page("管理メニュー");
}
