//! Issue 10, point 12: every screen quotes the server's configured numbers — lock
//! threshold and duration, idle timeout, password length, history generations, the
//! short-password rule — never the manual's 「3 回」「30 分」 when the configuration says
//! otherwise.

use shikaku::Config;
use shikaku::lockout::{IdleTimeout, LockoutPolicy};
use shikaku::password::Policy;
use shikaku::testing::INITIAL_PASSWORD;
use time::Duration;

use super::*;

/// Nothing like the manual: 5 wrong passwords lock for 10 minutes, 4 wrong passcodes for
/// 2 minutes, 5 idle seconds end a session; passwords of 9–24 characters, 3 generations,
/// the history rules below 15 characters, 4 leading characters make two similar.
fn unusual() -> Config {
    Config {
        password_lockout: LockoutPolicy::new(5, Duration::minutes(10)).unwrap(),
        passcode_lockout: LockoutPolicy::new(4, Duration::minutes(2)).unwrap(),
        idle_timeout: IdleTimeout::new(Duration::seconds(5)).unwrap(),
        password_policy: Policy::builder()
            .min_length(9)
            .max_length(24)
            .history_depth(3)
            .history_applies_below(15)
            .prefix_length(4)
            .specials("!#%&*-")
            .build()
            .unwrap(),
        ..Config::for_tests()
    }
}

/// The manual's numbers, as a page would print them, none of which may appear.
const MANUAL: [&str; 12] = [
    "3 回",
    "30 分",
    "8文字",
    "20文字",
    "13文字",
    "5世代",
    "先頭5文字",
    "3 wrong",
    "30 minutes",
    "8 to 20",
    "13 characters",
    "last 5",
];

#[track_caller]
fn assert_no_manual_numbers(page: &Reply) {
    for number in MANUAL {
        assert!(
            !page.body.contains(number),
            "{number:?} on a page of a server configured otherwise:\n{}",
            page.body
        );
    }
}

#[tokio::test]
async fn every_screen_quotes_the_configured_numbers() {
    let w = world_with(unusual());
    w.provision("staff01");
    let mut b = w.browser();

    let login = b.get("/login").await;
    login.assert_page(
        "※パスワードを 5 回連続間違えると、アカウントがロックされ 10 分間ログインできなくなります。\
         10 分経過後に正しいパスワードで再ログインしてください。",
    );
    assert_no_manual_numbers(&login);
    let english = b.get("/login?lang=en").await;
    english.assert_page(
        "* After 5 wrong passwords in a row the account is locked and you cannot log in for \
         10 minutes.",
    );
    assert_no_manual_numbers(&english);
    b.get("/login?lang=ja").await;

    // The first registration, every screen on the way.
    b.password("staff01", INITIAL_PASSWORD)
        .await
        .assert_redirect("/enroll");
    let enroll = b.get("/enroll").await;
    assert_no_manual_numbers(&enroll);
    let key = attribute(&enroll.body, "data-copy");
    let passcode = b.get("/login/passcode").await;
    passcode.assert_page(
        "※パスコードを 4 回連続間違えると、アカウントがロックされ 2 分間ログインできなくなります。\
         2 分経過後に正しいパスコードを送信してください。",
    );
    assert_no_manual_numbers(&passcode);
    let code = w.code_for_key(&key);
    b.post("/login/passcode", &passcode, &[("passcode", &code)])
        .await
        .assert_redirect("/enroll/done");
    for path in ["/enroll/done", "/menu", "/logout"] {
        assert_no_manual_numbers(&b.get(path).await);
    }

    // [パスワード変更]: the rules box and each rule's message.
    let form = b.get("/password").await;
    for rule in [
        "9文字以上 24文字以下で設定してください。",
        "パスワード変更時に設定するパスワードが15文字未満の場合、以下を満たしてください。",
        "(1) 3世代前までのパスワードと同じパスワードは使用できません。",
        "(2) 3世代前までのパスワードと先頭4文字が同じになる類似のパスワードは使用できません。",
        "<code class=\"specials\">!#%&#38;*-</code>",
    ] {
        form.assert_page(rule);
    }
    assert_no_manual_numbers(&form);
    let short = b
        .post(
            "/password",
            &form,
            &[
                ("current_password", INITIAL_PASSWORD),
                ("new_password", "Ab1!"),
                ("new_password_confirm", "Ab1!"),
            ],
        )
        .await;
    short.assert_page("9文字以上で入力してください。");
    assert_no_manual_numbers(&short);
    let mut last = short;
    for _ in 0..5 {
        last = b
            .post(
                "/password",
                &last,
                &[
                    ("current_password", "Wrong#pass12"),
                    ("new_password", "Another#pass12"),
                    ("new_password_confirm", "Another#pass12"),
                ],
            )
            .await;
    }
    last.assert_page("パスワードを 5 回連続間違えたため、アカウントがロックされています。");
    assert_no_manual_numbers(&last);

    // 5 idle seconds end the session, and the message says so.
    w.clock.advance(Duration::seconds(5));
    let reply = b.get("/menu").await;
    reply.assert_redirect("/session-ended?reason=idle");
    let ended = b.get(reply.location()).await;
    ended.assert_page("ログインしたまま 5 秒間操作がなかったため、接続を終了しました。");
    assert_no_manual_numbers(&ended);
    let ended = b.get("/session-ended?reason=idle&lang=en").await;
    ended.assert_page("no activity for 5 seconds.");
    assert_no_manual_numbers(&ended);
}

/// The JSON API's message for an idle session quotes the configured timeout too.
#[tokio::test]
async fn the_apis_idle_message_quotes_the_configured_timeout() {
    let w = world_with(unusual());
    w.provision("staff01");
    let mut b = w.browser();
    b.register("staff01").await;
    let session = shikaku_web::security::RandomToken::parse(b.cookie.as_deref().unwrap())
        .unwrap()
        .to_facade();
    let hex: String = session
        .as_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    w.clock.advance(Duration::seconds(5));
    let request = Request::get("/api/v1/session")
        .header(header::HOST, HOST)
        .header(header::AUTHORIZATION, format!("Bearer {hex}"))
        .body(Body::empty())
        .unwrap();
    let response = send(&w.app, request).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let json: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
    assert_eq!(json["error"], "session_expired");
    assert_eq!(
        json["message"],
        "ログインしたまま 5 秒間操作がなかったため、接続を終了しました。ログインしなおしてください。"
    );
}
