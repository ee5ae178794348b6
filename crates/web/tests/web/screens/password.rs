//! [パスワード変更] through the screens: every rule and history violation next to its
//! field, the lock on wrong current passwords, the forced change after an administrator's
//! reset.

use shikaku::testing::INITIAL_PASSWORD;

use super::*;

async fn change<S: Store>(b: &mut Browser<'_, S>, current: &str, new: &str, again: &str) -> Reply {
    let form = b.get("/password").await;
    form.assert_page("パスワードのルール");
    b.post(
        "/password",
        &form,
        &[
            ("current_password", current),
            ("new_password", new),
            ("new_password_confirm", again),
        ],
    )
    .await
}

/// The messages shown next to one field of [パスワード変更].
fn field_errors(html: &str, field: &str) -> Vec<String> {
    let marker = format!("<ul class=\"field__errors\" id=\"{field}-error\">");
    let Some(start) = html.find(&marker) else {
        return Vec::new();
    };
    let list = &html[start + marker.len()..];
    let list = &list[..list.find("</ul>").unwrap()];
    list.split("<li>")
        .skip(1)
        .map(|item| item[..item.find("</li>").unwrap()].to_owned())
        .collect()
}

#[tokio::test]
async fn password_change_refuses_history_and_rule_breaks_then_accepts() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    let key = b.register("staff01").await;

    // Same first 5 characters as the current password (rule (2)).
    let similar = format!("{}#9999", &INITIAL_PASSWORD[..5]);
    let reply = change(&mut b, INITIAL_PASSWORD, &similar, &similar).await;
    reply.assert_page("入力内容を確認してください。");
    assert_eq!(
        field_errors(&reply.body, "new_password"),
        ["5世代前までのパスワードと先頭5文字が同じになる類似のパスワードは使用できません。"]
    );
    // The current password itself (rule (1)).
    let reply = change(&mut b, INITIAL_PASSWORD, INITIAL_PASSWORD, INITIAL_PASSWORD).await;
    assert!(
        field_errors(&reply.body, "new_password")
            .contains(&"5世代前までのパスワードと同じパスワードは使用できません。".to_owned())
    );
    // Several rules at once, and the mismatch next to ③.
    let reply = change(&mut b, INITIAL_PASSWORD, "abc", "abd").await;
    assert_eq!(
        field_errors(&reply.body, "new_password_confirm"),
        ["新しいパスワードと再度入力したパスワードが一致しません。"]
    );
    let new_errors = field_errors(&reply.body, "new_password");
    assert!(
        new_errors.contains(&"8文字以上で入力してください。".to_owned()),
        "{new_errors:?}"
    );
    assert!(new_errors.contains(&"英字大文字を1つ以上含めてください。".to_owned()));
    // An invisible character is named by code point.
    let reply = change(
        &mut b,
        INITIAL_PASSWORD,
        "Fresh#12\u{200B}ab",
        "Fresh#12\u{200B}ab",
    )
    .await;
    assert_eq!(
        field_errors(&reply.body, "new_password"),
        ["使用できない文字「U+200B」が含まれています。"]
    );
    // Empty fields.
    let reply = change(&mut b, "", "", "").await;
    for field in ["current_password", "new_password", "new_password_confirm"] {
        assert_eq!(field_errors(&reply.body, field), ["入力してください。"]);
    }
    // A wrong current password.
    let reply = change(&mut b, "Wrong#pass1", "Fresh#2025", "Fresh#2025").await;
    assert_eq!(
        field_errors(&reply.body, "current_password"),
        ["現在のパスワードが正しくありません。"]
    );
    assert!(
        !reply.body.contains("Fresh#2025"),
        "passwords are never echoed"
    );

    // Accepted.
    change(&mut b, INITIAL_PASSWORD, "Fresh#2025", "Fresh#2025")
        .await
        .assert_redirect("/password/done");
    b.get("/password/done")
        .await
        .assert_page("パスワードを変更しました。");

    // The new password logs in; the old one no longer does.
    let mut other = w.browser();
    other
        .password("staff01", INITIAL_PASSWORD)
        .await
        .assert_page("正しくありません");
    other.log_in("staff01", "Fresh#2025", &key).await;
}

#[tokio::test]
async fn wrong_current_passwords_lock_password_changes() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    b.register("staff01").await;
    for _ in 0..2 {
        let reply = change(&mut b, "Wrong#pass1", "Fresh#2025", "Fresh#2025").await;
        assert_eq!(field_errors(&reply.body, "current_password").len(), 1);
    }
    let reply = change(&mut b, "Wrong#pass1", "Fresh#2025", "Fresh#2025").await;
    let errors = field_errors(&reply.body, "current_password");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[1].contains("アカウントがロックされています"),
        "{errors:?}"
    );
    let reply = change(&mut b, INITIAL_PASSWORD, "Fresh#2025", "Fresh#2025").await;
    let errors = field_errors(&reply.body, "current_password");
    assert_eq!(errors.len(), 1);
    assert!(errors[0].contains("以降に再度操作してください"));
    // The session itself goes on.
    b.get("/menu").await.assert_page("管理メニュー");
}

#[tokio::test]
async fn after_an_administrators_reset_the_password_must_change_first() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    let key = b.register("staff01").await;
    let account = w.key("staff01");
    let initial = w.service.reset_password(&account).unwrap().initial_password;

    // The reset ended the session.
    b.get("/menu").await.assert_redirect("/login");

    w.next_step();
    b.password("staff01", initial.as_str())
        .await
        .assert_redirect("/login/passcode");
    b.passcode(&w.code_for_key(&key))
        .await
        .assert_redirect("/password");
    b.get("/menu").await.assert_redirect("/password");
    b.get("/password")
        .await
        .assert_page("パスワードが初期化されています。");
    change(&mut b, initial.as_str(), "Fresh#2025", "Fresh#2025")
        .await
        .assert_redirect("/password/done");
    let menu = b.get("/menu").await;
    menu.assert_page("管理メニュー");
}
