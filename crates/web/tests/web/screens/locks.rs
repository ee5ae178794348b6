//! Locks and messages: three wrong passwords, three wrong passcodes (the login voided),
//! malformed identifiers (named, not counted), a disabled account, 《戻る》, English.

use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};
use time::Duration;

use super::*;

#[tokio::test]
async fn three_wrong_passwords_lock_the_login() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    for _ in 0..2 {
        b.password("staff01", "Wrong#pass1")
            .await
            .assert_page("機関コード、ログイン ID 又はパスワードが正しくありません。");
    }
    let locked = b.password("staff01", "Wrong#pass1").await;
    // The kit's start (09:00 JST) + 30 minutes.
    locked.assert_page(
        "アカウントがロックされているため、ログインできません。2026年4月1日 09:30 以降",
    );
    // The form keeps what was typed, except the password.
    assert!(locked.body.contains("value=\"staff01\""));
    assert!(!locked.body.contains("Wrong#pass1"));
    // Even the right password is refused while locked…
    b.password("staff01", INITIAL_PASSWORD)
        .await
        .assert_page("ロックされている");
    // …and accepted once the lock lifts.
    w.clock.advance(Duration::minutes(30));
    b.password("staff01", INITIAL_PASSWORD)
        .await
        .assert_redirect("/enroll");
}

#[tokio::test]
async fn malformed_identifiers_name_the_field_and_are_not_counted() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    for _ in 0..3 {
        let form = b.get("/login").await;
        let reply = b
            .post(
                "/login",
                &form,
                &[
                    ("institution_code", "12345"),
                    ("login_id", "staff01"),
                    ("password", "x"),
                ],
            )
            .await;
        reply.assert_page("機関コードは 10 桁の数字で入力してください。");
    }
    let form = b.get("/login").await;
    b.post(
        "/login",
        &form,
        &[
            ("institution_code", INSTITUTION_CODE),
            ("login_id", "staff 01"),
            ("password", "x"),
        ],
    )
    .await
    .assert_page("ログイン ID は 64 文字以内の半角英数字");
    let form = b.get("/login").await;
    b.post("/login", &form, &[("institution_code", INSTITUTION_CODE)])
        .await
        .assert_page("機関コード、ログイン ID、パスワードを入力してください。");
    // None of that counted toward the lock.
    b.password("staff01", INITIAL_PASSWORD)
        .await
        .assert_redirect("/enroll");
}

#[tokio::test]
async fn a_disabled_account_is_told_so_after_the_right_password() {
    let w = world();
    w.provision("staff01");
    let key = w.key("staff01");
    w.service.set_disabled(&key, true).unwrap();
    let mut b = w.browser();
    b.password("staff01", INITIAL_PASSWORD)
        .await
        .assert_page("利用が停止されている");
    b.password("staff01", "Wrong#pass1")
        .await
        .assert_page("正しくありません");
}

#[tokio::test]
async fn three_wrong_passcodes_lock_and_void_the_login() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    let key = b.register("staff01").await;
    w.next_step();

    let mut c = w.browser();
    c.password("staff01", INITIAL_PASSWORD)
        .await
        .assert_redirect("/login/passcode");
    // Not six digits: a clear message, not counted.
    c.passcode("12a456")
        .await
        .assert_page("パスコードは 6 桁の数字で入力してください。");
    let right = w.code_for_key(&key);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    c.passcode(wrong)
        .await
        .assert_page("パスコードが正しくありません");
    c.passcode(wrong)
        .await
        .assert_page("パスコードが正しくありません");
    let locked = c.passcode(wrong).await;
    locked.assert_page("アカウントがロックされているため、ログインできません。");
    assert!(locked.body.contains("disabled>パスコードを送信"));
    // The login is void: back to the password.
    c.get("/login/passcode").await.assert_redirect("/login");
    // 《戻る》 still works (and gives a fresh id).
    let before = c.cookie.clone();
    c.post("/login/cancel", &locked, &[])
        .await
        .assert_redirect("/login");
    assert_ne!(c.cookie, before);
    // While the passcode lock lasts, the right password does not open a login.
    c.password("staff01", INITIAL_PASSWORD)
        .await
        .assert_page("ロックされている");
}

#[tokio::test]
async fn back_on_the_registration_screen_drops_the_login() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    b.password("staff01", INITIAL_PASSWORD)
        .await
        .assert_redirect("/enroll");
    let ticket = b.cookie.clone();
    let enroll = b.get("/enroll").await;
    b.post("/login/cancel", &enroll, &[])
        .await
        .assert_redirect("/login");
    assert!(
        b.cookie.is_some() && b.cookie != ticket,
        "fresh pre-session id"
    );
    let mut stale = w.browser();
    stale.cookie = ticket;
    stale.get("/enroll").await.assert_redirect("/login");
}

#[tokio::test]
async fn english_screens_follow_the_lang_switch() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    b.get("/login?lang=en")
        .await
        .assert_page("Institution code");
    // The language cookie is separate: no cookie jar here, so ask explicitly.
    let form = b.get("/login?lang=en").await;
    let reply = b
        .post(
            "/login?lang=en",
            &form,
            &[
                ("institution_code", "1"),
                ("login_id", "staff01"),
                ("password", "x"),
            ],
        )
        .await;
    reply.assert_page("Enter the institution code as 10 digits.");
}
