//! The screens: every template renders in both languages, safely, with the
//! manual's labels; language negotiation end to end.

use super::*;
use askama::Template;
use shikaku::testing::{INSTITUTION_CODE, START};
use shikaku_web::messages::Rules;
use shikaku_web::security::CsrfKey;
use shikaku_web::security::RandomToken;
use shikaku_web::views::{
    EnrollCompletePage, EnrollPage, ErrorKind, ErrorPage, FieldError, LoginError, LoginNotice,
    LogoutConfirmPage, MenuNotice, MenuPage, PasscodeError, PasscodePage, PasscodePurpose,
    PasswordChangePage, PasswordChangedPage, PasswordField, PasswordProblem, PrintConfirmPage,
    QrImage, SessionEndReason, SessionEndedPage, SetupKeyText, SignedInUser, StartPage,
};

fn csrf() -> CsrfToken {
    CsrfKey::from_bytes([5; 32]).token_for(&RandomToken::from_bytes([6; 32]))
}

/// A lock that lifts 30 minutes after the kit's start: 2026-04-01 09:30 JST.
fn lock_end() -> time::OffsetDateTime {
    START + time::Duration::minutes(30)
}

fn user() -> SignedInUser {
    SignedInUser {
        institution_code: INSTITUTION_CODE.into(),
        login_id: "staff01".into(),
    }
}

const SVG: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>"#;

fn enroll(lang: Lang) -> EnrollPage {
    EnrollPage {
        lang,
        csrf_token: csrf(),
        qr: QrImage::from_svg(SVG),
        setup_key: SetupKeyText::new("ABCD EFGH IJKL".into(), "ABCDEFGHIJKL".into()),
    }
}

/// Every screen in one language, rendered.
fn all_pages(lang: Lang) -> Vec<(&'static str, String)> {
    let until = lock_end();
    let r = |t: &dyn Fn() -> askama::Result<String>| t().unwrap();
    vec![
        ("start", r(&|| StartPage { lang }.render())),
        ("login", r(&|| LoginPage::new(lang, csrf()).render())),
        (
            "login-locked",
            r(&|| {
                LoginPage {
                    error: Some(LoginError::Locked { until }),
                    ..LoginPage::new(lang, csrf())
                }
                .render()
            }),
        ),
        ("enroll", r(&|| enroll(lang).render())),
        (
            "print-first",
            r(&|| PrintConfirmPage::new(lang, true).render()),
        ),
        (
            "print-again",
            r(&|| PrintConfirmPage::new(lang, false).render()),
        ),
        (
            "passcode",
            r(&|| PasscodePage::new(lang, csrf(), PasscodePurpose::Enrollment).render()),
        ),
        (
            "passcode-locked",
            r(&|| {
                PasscodePage {
                    error: Some(PasscodeError::Locked { until }),
                    ..PasscodePage::new(lang, csrf(), PasscodePurpose::Login)
                }
                .render()
            }),
        ),
        ("enroll-done", r(&|| EnrollCompletePage::new(lang).render())),
        (
            "menu",
            r(&|| {
                MenuPage {
                    lang,
                    user: user(),
                    notice: Some(MenuNotice::MfaRegistered),
                }
                .render()
            }),
        ),
        (
            "logout",
            r(&|| {
                LogoutConfirmPage {
                    lang,
                    csrf_token: csrf(),
                    user: user(),
                }
                .render()
            }),
        ),
        (
            "password",
            r(&|| {
                PasswordChangePage {
                    lang,
                    csrf_token: csrf(),
                    user: user(),
                    errors: vec![FieldError::new(
                        PasswordField::Confirm,
                        PasswordProblem::Mismatch,
                        lang,
                        Rules::manual(),
                    )],
                    must_change: false,
                    rules: Default::default(),
                }
                .render()
            }),
        ),
        (
            "password-done",
            r(&|| PasswordChangedPage { lang, user: user() }.render()),
        ),
        (
            "ended-idle",
            r(&|| {
                SessionEndedPage {
                    lang,
                    reason: SessionEndReason::IdleTimeout,
                    rules: Default::default(),
                }
                .render()
            }),
        ),
        (
            "ended-elsewhere",
            r(&|| {
                SessionEndedPage {
                    lang,
                    reason: SessionEndReason::LoggedInElsewhere,
                    rules: Default::default(),
                }
                .render()
            }),
        ),
        (
            "error-404",
            r(&|| ErrorPage::new(lang, ErrorKind::NotFound).render()),
        ),
    ]
}

#[test]
fn every_page_renders_in_both_languages_without_inline_code() {
    for lang in Lang::ALL {
        for (name, html) in all_pages(lang) {
            assert!(html.starts_with("<!DOCTYPE html>"), "{name}");
            assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{name}");
            assert!(html.contains(lang.t().system_name), "{name}");
            // CSP: no inline script, no inline style, no event-handler attributes.
            for (i, _) in html.match_indices("<script") {
                let tag_end = html[i..].find('>').unwrap() + i;
                assert!(html[i..tag_end].contains(" src="), "{name}: inline script");
            }
            assert!(!html.contains("<style"), "{name}: inline <style>");
            assert!(!html.contains(" style="), "{name}: style attribute");
            for handler in [
                " onclick=",
                " onload=",
                " onerror=",
                " onsubmit=",
                " onchange=",
            ] {
                assert!(!html.contains(handler), "{name}: {handler}");
            }
            let without_specials = html.replace("_{}|", "");
            assert!(
                !without_specials.contains("{}"),
                "{name}: unfilled placeholder"
            );
            // The other language is one link away.
            assert!(html.contains(&format!("lang={}\"", lang.other())), "{name}");
        }
    }
}

#[test]
fn every_form_carries_the_csrf_token_and_posts() {
    for (name, html) in all_pages(Lang::Ja) {
        let forms = html.matches("<form").count();
        let tokens = html
            .matches(&format!(
                "name=\"csrf_token\" value=\"{csrf}\"",
                csrf = csrf()
            ))
            .count();
        assert_eq!(forms, tokens, "{name}: every form has the token");
        assert_eq!(
            html.matches("method=\"post\"").count(),
            forms,
            "{name}: forms post"
        );
    }
}

#[test]
fn hostile_values_are_escaped() {
    let hostile = "\"><script>alert(1)</script><img src=x onerror=alert(2)>";
    let page = LoginPage {
        institution_code: hostile.into(),
        login_id: hostile.into(),
        ..LoginPage::new(Lang::Ja, csrf())
    };
    let html = page.render().unwrap();
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<img src=x"));
    assert!(
        html.contains("&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{html}"
    );

    let menu = MenuPage {
        lang: Lang::En,
        user: SignedInUser {
            institution_code: hostile.into(),
            login_id: hostile.into(),
        },
        notice: None,
    };
    let html = menu.render().unwrap();
    assert!(!html.contains("<script>alert") && !html.contains("<img src=x"));

    let key = EnrollPage {
        setup_key: SetupKeyText::new(hostile.into(), hostile.into()),
        qr: QrImage::from_svg("<svg onload=alert(3)><script>alert(4)</script></svg>"),
        ..enroll(Lang::Ja)
    };
    let html = key.render().unwrap();
    assert!(!html.contains("<script>alert") && !html.contains("onload=alert"));
    assert!(html.contains("src=\"data:image/svg+xml;base64,"));
}

#[test]
fn login_has_the_manuals_labels_and_note() {
    let html = LoginPage::new(Lang::Ja, csrf()).render().unwrap();
    for label in [
        "機関コード",
        "ログイン ID",
        "パスワード",
        ">ログイン</button>",
    ] {
        assert!(html.contains(label), "{label}");
    }
    assert!(html.contains(
        "※パスワードを 3 回連続間違えると、アカウントがロックされ 30 分間ログインできなくなります。"
    ));
    // Labels are bound to their inputs.
    for id in ["institution_code", "login_id", "password"] {
        assert!(
            html.contains(&format!("for=\"{id}\"")) && html.contains(&format!("id=\"{id}\"")),
            "{id}"
        );
    }
    assert!(html.contains("autocomplete=\"current-password\""));
    // The "?" help works without script and is named for screen readers.
    assert!(html.contains("<details class=\"help\">") && html.contains("画面の説明"));
}

#[test]
fn login_refills_ids_but_never_the_password() {
    let page = LoginPage {
        institution_code: INSTITUTION_CODE.into(),
        login_id: "staff01".into(),
        error: Some(LoginError::InvalidCredentials),
        ..LoginPage::new(Lang::Ja, csrf())
    };
    let html = page.render().unwrap();
    assert!(
        html.contains(&format!("value=\"{INSTITUTION_CODE}\""))
            && html.contains("value=\"staff01\"")
    );
    let password_input = &html[html.find("id=\"password\"").unwrap()..];
    let tag = &password_input[..password_input.find('>').unwrap()];
    assert!(!tag.contains("value="), "{tag}");
    assert!(html.contains("role=\"alert\"") && html.contains("正しくありません"));
}

#[test]
fn lock_messages_show_the_lift_time_in_jst() {
    let until = lock_end();
    let html = LoginPage {
        error: Some(LoginError::Locked { until }),
        ..LoginPage::new(Lang::Ja, csrf())
    }
    .render()
    .unwrap();
    assert!(
        html.contains("2026年4月1日 09:30 以降に正しいパスワードで再ログインしてください。"),
        "{html}"
    );
    let html = PasscodePage {
        error: Some(PasscodeError::Locked { until }),
        ..PasscodePage::new(Lang::En, csrf(), PasscodePurpose::Login)
    }
    .render()
    .unwrap();
    assert!(html.contains("after 1 Apr 2026, 09:30 JST"), "{html}");
    assert!(
        html.contains(" disabled>"),
        "send button disabled while locked"
    );
}

/// Issue 10, point 11: the field takes what the server takes — full-width digits typed
/// with the Japanese input mode on (「００８２１４」) and "123 456" — so no `pattern` or
/// `minlength` blocks them in the browser, and it holds 6 full-width digits and a space.
#[test]
fn passcode_input_is_a_one_time_code_field() {
    let html = PasscodePage::new(Lang::Ja, csrf(), PasscodePurpose::Login)
        .render()
        .unwrap();
    for attr in [
        "inputmode=\"numeric\"",
        "autocomplete=\"one-time-code\"",
        "maxlength=\"7\"",
        "data-passcode",
        ">パスコードを送信</button>",
        ">戻る</button>",
        "※パスコードを 3 回連続間違えると",
    ] {
        assert!(html.contains(attr), "{attr}");
    }
    let input = &html[html.find("id=\"passcode\"").unwrap()..];
    let tag = &input[..input.find('>').unwrap()];
    for blocking in ["pattern=", "minlength=", "type=\"number\""] {
        assert!(!tag.contains(blocking), "{blocking} in {tag}");
    }
    assert!(
        "００８ ２１４".chars().count() <= 7,
        "maxlength holds the spaced full-width form"
    );
    assert!(html.contains("formaction=\"/login/cancel\""));
    // The field is wide enough for 6 full-width digits and the space (each about 1em).
    let css = assets::STYLESHEET;
    let rule = &css[css.find(".input--passcode {").unwrap()..];
    let rule = &rule[..rule.find('}').unwrap()];
    assert!(
        rule.contains("width: min(100%, calc(7 * 1.35em + 36px))"),
        "{rule}"
    );
}

/// Issue 10, point 14: the start page's `<title>` is the system name once; every other
/// screen's is its name, then the system name. 《ログアウト》 keeps together.
#[test]
fn the_start_pages_title_does_not_repeat_the_system_name() {
    let system = Lang::Ja.t().system_name;
    let html = StartPage { lang: Lang::Ja }.render().unwrap();
    assert!(html.contains(&format!("<title>{system}</title>")), "{html}");
    let login = LoginPage::new(Lang::Ja, csrf()).render().unwrap();
    assert!(login.contains(&format!("<title>ログイン | {system}</title>")));
    let css = assets::STYLESHEET;
    assert!(css.contains(":lang(ja) .checklist li {\n  word-break: auto-phrase;"));
    let header = &css[css.find(".button--header {").unwrap()..];
    assert!(header[..header.find('}').unwrap()].contains("white-space: nowrap"));
}

/// Issue 10, point 13: [パスワード変更]'s form names its confirmation for the script,
/// which opens it on Enter (the browser test presses Enter); without the script the
/// disabled first submit button still keeps Enter from sending the form.
#[test]
fn enter_on_the_password_form_is_wired_to_the_confirmation() {
    let html = PasswordChangePage {
        lang: Lang::Ja,
        csrf_token: csrf(),
        user: user(),
        errors: Vec::new(),
        must_change: false,
        rules: Default::default(),
    }
    .render()
    .unwrap();
    assert!(html.contains("data-confirm=\"change-confirm\""));
    assert!(html.contains("id=\"change-confirm\" popover"));
    let form = &html[html.find("data-confirm=").unwrap()..];
    assert!(
        form.trim_start_matches(|c| c != '>')[1..]
            .trim_start()
            .starts_with("<button type=\"submit\" class=\"visually-hidden\" disabled")
    );
    assert!(
        assets::SCRIPT.contains("form[data-confirm]") && assets::SCRIPT.contains("showPopover")
    );
}

#[test]
fn enroll_has_qr_setup_key_copy_and_buttons() {
    let html = enroll(Lang::Ja).render().unwrap();
    assert!(html.contains("<img class=\"qr\" src=\"data:image/svg+xml;base64,"));
    assert!(html.contains("ABCD EFGH IJKL"), "display form shown");
    assert!(
        html.contains("data-copy=\"ABCDEFGHIJKL\""),
        "copy form on the button"
    );
    for text in [
        "テキストでコピー",
        "Authenticator 登録確認に進む",
        ">戻る</button>",
        "セットアップキーを用いて登録する場合は、セットアップキーをテキストで入力又は《テキストでコピー》をクリックして登録してください。",
    ] {
        assert!(html.contains(text), "{text}");
    }
    assert!(html.contains("action=\"/enroll/proceed\""));
}

#[test]
fn print_confirmation_has_the_manuals_two_variants() {
    let warning = "二次元バーコードを印刷して保存していないと、アプリに登録したデバイスの紛失又は故障時に、二次元バーコードを再確認することができません。";
    let first = PrintConfirmPage::new(Lang::Ja, true).render().unwrap();
    assert!(first.contains(">印刷する<") && first.contains(">印刷せずに確認へ進む<"));
    assert!(!first.contains(">確認へ進む<"));
    assert!(first.contains("href=\"/enroll/print\" target=\"_blank\""));
    assert!(first.contains(warning));
    let again = PrintConfirmPage::new(Lang::Ja, false).render().unwrap();
    assert!(again.contains(">確認へ進む<"));
    assert!(!again.contains(">印刷する<") && !again.contains("印刷せずに確認へ進む"));
    assert!(again.contains(warning));
}

#[test]
fn session_ended_uses_the_manuals_wording_and_close() {
    let resume = "操作を再開する場合は、《閉じる》をクリックし、ログインしなおしてください。";
    let idle = SessionEndedPage {
        lang: Lang::Ja,
        reason: SessionEndReason::IdleTimeout,
        rules: Default::default(),
    }
    .render()
    .unwrap();
    let elsewhere = SessionEndedPage {
        lang: Lang::Ja,
        reason: SessionEndReason::LoggedInElsewhere,
        rules: Default::default(),
    }
    .render()
    .unwrap();
    assert!(idle.contains("30 分間操作がなかった") && idle.contains(resume));
    assert!(elsewhere.contains("再ログインされた") && elsewhere.contains(resume));
    assert_ne!(idle, elsewhere);
    for html in [idle, elsewhere] {
        assert!(html.contains("href=\"/login\" autofocus>閉じる</a>"));
    }
    assert_eq!(
        SessionEndReason::from_code("idle"),
        Some(SessionEndReason::IdleTimeout)
    );
    assert_eq!(
        SessionEndReason::from_code(SessionEndReason::LoggedInElsewhere.code()),
        Some(SessionEndReason::LoggedInElsewhere)
    );
}

#[test]
fn password_change_errors_sit_next_to_their_fields() {
    let page = PasswordChangePage {
        lang: Lang::Ja,
        csrf_token: csrf(),
        user: user(),
        errors: vec![
            FieldError::new(
                PasswordField::New,
                PasswordProblem::InvalidCharacter('¥'),
                Lang::Ja,
                Rules::manual(),
            ),
            FieldError::new(
                PasswordField::New,
                PasswordProblem::TooShort,
                Lang::Ja,
                Rules::manual(),
            ),
            FieldError::new(
                PasswordField::Confirm,
                PasswordProblem::Mismatch,
                Lang::Ja,
                Rules::manual(),
            ),
        ],
        must_change: false,
        rules: Default::default(),
    };
    let html = page.render().unwrap();
    for label in [
        "現在のパスワードを入力してください。",
        "新しいパスワードを入力してください。",
        "新しいパスワードを再度入力してください。",
        "パスワードのルール",
        "`~!@#$%^&#38;*_{}|:;&#39;&#60;&#62;,.?-()/",
    ] {
        assert!(html.contains(label), "{label}");
    }
    // Each field's errors come right before its input and describe it.
    let new_errors = html.find("id=\"new_password-error\"").unwrap();
    let new_input = html.find("id=\"new_password\"").unwrap();
    let confirm_errors = html.find("id=\"new_password_confirm-error\"").unwrap();
    assert!(new_errors < new_input && new_input < confirm_errors);
    let between = &html[new_errors..new_input];
    assert!(between.contains("使用できない文字「¥」") && between.contains("8文字以上"));
    assert!(!between.contains("一致しません"));
    assert!(html.contains("aria-describedby=\"new_password-error password-rules\""));
    assert!(html.contains("aria-describedby=\"new_password_confirm-error\""));
    assert!(!html.contains("aria-describedby=\"current_password-error"));
    // No password is ever echoed back.
    assert!(!html.contains("type=\"password\" value="));
    // 《変更》 opens the confirmation popover; its OK submits.
    assert!(html.contains("popovertarget=\"change-confirm\">変更</button>"));
    assert!(html.contains("id=\"change-confirm\" popover"));
}

#[test]
fn menu_shows_the_mfa_registered_notice_and_both_actions() {
    let html = MenuPage {
        lang: Lang::Ja,
        user: user(),
        notice: Some(MenuNotice::MfaRegistered),
    }
    .render()
    .unwrap();
    assert!(html.contains("MFA 登録が完了しました。"));
    assert!(html.contains(">パスワード変更</span>") && html.contains(">ログアウト</span>"));
    assert!(html.contains("<details class=\"help\">"));
    let plain = MenuPage {
        lang: Lang::Ja,
        user: user(),
        notice: None,
    }
    .render()
    .unwrap();
    assert!(!plain.contains("MFA 登録が完了しました。"));
}

#[test]
fn logout_confirmation_posts_and_can_be_cancelled() {
    let html = LogoutConfirmPage {
        lang: Lang::Ja,
        csrf_token: csrf(),
        user: user(),
    }
    .render()
    .unwrap();
    assert!(html.contains("ログアウト確認") && html.contains("ログアウトしますか。"));
    assert!(html.contains("action=\"/logout\""));
    assert!(html.contains(">OK</button>") && html.contains("href=\"/menu\">キャンセル</a>"));
    let login = LoginPage {
        notice: Some(LoginNotice::LoggedOut),
        ..LoginPage::new(Lang::Ja, csrf())
    }
    .render()
    .unwrap();
    assert!(login.contains("ログアウトしました。"));
}

// ---- language negotiation through the stack -------------------------------------

#[tokio::test]
async fn lang_switch_link_sets_a_cookie_and_renders_english() {
    let sec = security(CookiePolicy::secure(), true);
    let app = app(&sec);
    let response = send(&app, get_req("/page?lang=en")).await;
    let cookies: Vec<String> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        cookies.iter().any(|c| c.starts_with("lang=en;")),
        "{cookies:?}"
    );
    let html = body_text(response).await;
    assert!(html.contains("<html lang=\"en\">") && html.contains(">Log in</button>"));

    let request = Request::get("/page")
        .header(header::COOKIE, "lang=en")
        .body(Body::empty())
        .unwrap();
    assert!(
        body_text(send(&app, request).await)
            .await
            .contains("<html lang=\"en\">")
    );

    let request = Request::get("/page")
        .header(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9,ja;q=0.5")
        .body(Body::empty())
        .unwrap();
    assert!(
        body_text(send(&app, request).await)
            .await
            .contains("<html lang=\"en\">")
    );

    let html = body_text(send(&app, get_req("/page")).await).await;
    assert!(html.contains("<html lang=\"ja\">"));
}

#[tokio::test]
async fn error_pages_follow_the_language() {
    let sec = security(CookiePolicy::secure(), true);
    let html = body_text(send(&app(&sec), get_req("/nope?lang=en")).await).await;
    assert!(html.contains("Page not found"));
}

#[tokio::test]
async fn extractors_without_the_stack_are_a_500_not_a_panic() {
    let bare: Router = Router::new().route(
        "/page",
        get(|lang: Lang, csrf: CsrfToken| async move { LoginPage::new(lang, csrf) }),
    );
    let response = bare.oneshot(get_req("/page")).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

/// Issue 10, point 1: [Authenticator 登録] says, in the manual's voice, that its QR code
/// and setup key belong to this login only — a new login before the registration shows a
/// new one and the earlier one, printed too, no longer works.
#[test]
fn enroll_says_the_qr_code_is_valid_for_this_login_only() {
    let html = enroll(Lang::Ja).render().unwrap();
    for needle in [
        "この二次元バーコードとセットアップキーは、今回のログインでのみ有効です。",
        "登録を完了する前にログインしなおした場合は、新しい二次元バーコードが表示され",
        "以前の二次元バーコード（印刷したものを含む）は使用できなくなります。",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    let en = enroll(Lang::En).render().unwrap();
    assert!(en.contains("valid for this login only") && en.contains("a printed one too"));
}
