//! Tokens as hex, configuration errors, status names and messages.

use super::*;

#[test]
fn tokens_as_hex() {
    let token = shikaku_token {
        bytes: std::array::from_fn(|i| u8::try_from(i * 7).unwrap()),
    };
    let mut buf = [0 as c_char; 65];
    let status =
        unsafe { shikaku_token_to_hex(&token, buf.as_mut_ptr(), buf.len(), ptr::null_mut()) };
    assert_eq!(status, shikaku_status::Ok);
    let hex = unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(hex.len(), 64);
    assert!(hex.starts_with("00070e15"));
    let status = unsafe { shikaku_token_to_hex(&token, buf.as_mut_ptr(), 64, ptr::null_mut()) };
    assert_eq!(status, shikaku_status::InvalidArgument);

    let mut back = shikaku_token::default();
    let upper = CString::new(hex.to_uppercase()).unwrap();
    let status = unsafe { shikaku_token_from_hex(upper.as_ptr(), &mut back, ptr::null_mut()) };
    assert_eq!(status, shikaku_status::Ok);
    assert_eq!(back.bytes, token.bytes);
    for bad in [c"00", c"zz070e15", c""] {
        let status = unsafe { shikaku_token_from_hex(bad.as_ptr(), &mut back, ptr::null_mut()) };
        assert_eq!(status, shikaku_status::InvalidArgument);
    }
    unsafe { shikaku_token_clear(&mut back) };
    assert_eq!(back.bytes, [0; 32]);
}

#[test]
fn configuration_errors_name_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "[session]\nidle_minutes = 3\n").unwrap();
    let path = CString::new(config.to_str().unwrap()).unwrap();
    let mut service = ptr::null_mut();
    let mut error = Error::none();
    let status =
        unsafe { shikaku_open_config(path.as_ptr(), SHIKAKU_LANG_EN, &mut service, error.slot()) };
    assert_eq!(status, shikaku_status::Config);
    assert!(service.is_null());
    let message = error.message();
    assert!(
        message.contains("bad.toml") && message.contains("idle_minutes"),
        "{message}"
    );

    let status = unsafe {
        shikaku_open_config(
            c"/nonexistent/shikaku.toml".as_ptr(),
            SHIKAKU_LANG_JA,
            &mut service,
            error.slot(),
        )
    };
    assert_eq!(status, shikaku_status::Config);
    assert!(error.message().starts_with("設定が正しくありません: "));
}

#[test]
fn status_names_are_unique_and_stable() {
    let names: Vec<String> = (0..64)
        .map(|n| Error::text(shikaku_status_name(n)))
        .filter(|name| name != "unknown")
        .collect();
    assert_eq!(names.len(), 29);
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len());
    assert_eq!(Error::text(shikaku_status_name(3)), "locked");
    assert_eq!(Error::text(shikaku_status_name(8)), "password_policy");
    assert_eq!(Error::text(shikaku_version()), env!("CARGO_PKG_VERSION"));
}

/// The sentences the JSON API also says are the JSON API's, word for word, with the
/// same configured numbers.
#[test]
fn messages_match_the_json_api() {
    use shikaku_web::Lang as WebLang;
    use shikaku_web::messages::Rules;
    for idle in [time::Duration::minutes(30), time::Duration::seconds(90)] {
        let config = shikaku::Config {
            idle_timeout: shikaku::lockout::IdleTimeout::new(idle).unwrap(),
            ..shikaku::Config::default()
        };
        let rules = Rules::from_config(&config);
        for (lang, web) in [(Lang::Ja, WebLang::Ja), (Lang::En, WebLang::En)] {
            let api = &web.t().api;
            let pairs = [
                (m::INVALID_CREDENTIALS, api.invalid_credentials),
                (m::WRONG_CURRENT_PASSWORD, api.wrong_current_password),
                (m::INVALID_PASSCODE, api.invalid_passcode),
                (m::SESSION_EXPIRED, api.session_expired),
                (m::SESSION_SUPERSEDED, api.session_superseded),
                (m::SESSION_UNKNOWN, api.unauthenticated),
                (m::LOGIN_EXPIRED, api.login_expired),
                (m::PASSWORD_CHANGE_REQUIRED, api.password_change_required),
                (m::ACCOUNT_DISABLED, api.account_disabled),
                (m::ENROLLMENT_REQUIRED, api.enrollment_required),
                (m::ALREADY_ENROLLED, api.already_enrolled),
                (m::NEW_PASSWORD_POLICY, api.password_policy),
                (m::LOCKED, api.locked),
                (
                    m::MALFORMED_INSTITUTION_CODE,
                    api.malformed_institution_code,
                ),
                (m::MALFORMED_LOGIN_ID, api.malformed_login_id),
                (m::MALFORMED_PASSCODE, api.malformed_passcode),
            ];
            for (ours, theirs) in pairs {
                assert_eq!(ours.fill_idle(lang, idle), rules.fill(web, theirs));
            }
        }
    }
    let until = time::macros::datetime!(2026-04-01 00:30:00.5 UTC);
    assert_eq!(
        m::lock_end(until),
        shikaku_web::messages::LockEnd::new(until).numeric()
    );
    assert_eq!(m::lock_end(until), "2026-04-01 09:31");
    for seconds in [1, 5, 59, 60, 61, 90, 1800, 7200] {
        let d = time::Duration::seconds(seconds);
        for (lang, web) in [(Lang::Ja, WebLang::Ja), (Lang::En, WebLang::En)] {
            assert_eq!(
                m::duration_text(lang, d),
                shikaku_web::messages::duration_text(web, d)
            );
        }
    }
}

#[test]
fn an_ended_session_quotes_the_configured_idle_timeout() {
    let context = m::Context {
        lang: Lang::En,
        idle: time::Duration::seconds(90),
    };
    let error = Error(Box::into_raw(Box::new(shikaku_error::new(
        crate::failure::Failure::SessionExpired,
        &context,
    ))));
    assert_eq!(
        error.message(),
        "The session ended after 1 minute 30 seconds without activity. Log in again."
    );
    assert_eq!(
        error.message_in(SHIKAKU_LANG_JA),
        "ログインしたまま 1 分 30 秒間操作がなかったため、接続を終了しました。ログインしなおしてください。"
    );
}
