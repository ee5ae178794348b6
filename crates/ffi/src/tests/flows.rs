//! The manual's flows end to end, and the lock.

use super::*;

#[test]
fn a_first_registration_a_password_change_and_a_logout() {
    let f = Fixture::new();
    let password = f.provision(c"staff01");

    let (status, login, _) = f.login(c"staff01", &password);
    assert_eq!(status, shikaku_status::Ok);
    assert_eq!(login.next, shikaku_next::Enroll);

    let mut stage = shikaku_next::None;
    assert_eq!(
        unsafe { shikaku_login_stage(f.service, &login.token, &mut stage, ptr::null_mut()) },
        shikaku_status::Ok
    );
    assert_eq!(stage, shikaku_next::Enroll);

    let copy = enrollment_copy_key(f.service, &login.token);
    assert_eq!(
        copy,
        enrollment_copy_key(f.service, &login.token),
        "same key when asked again"
    );

    let mut png = shikaku_bytes {
        data: ptr::null_mut(),
        len: 0,
    };
    assert_eq!(
        unsafe { shikaku_enrollment_png(f.service, &login.token, &mut png, ptr::null_mut()) },
        shikaku_status::Ok
    );
    let bytes = unsafe { std::slice::from_raw_parts(png.data, png.len) };
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    unsafe { shikaku_bytes_free(&mut png) };
    assert!(png.data.is_null() && png.len == 0);

    let mut sheet = ptr::null_mut();
    assert_eq!(
        unsafe {
            shikaku_enrollment_sheet_html(f.service, &login.token, &mut sheet, ptr::null_mut())
        },
        shikaku_status::Ok
    );
    assert!(Error::text(sheet).contains("<html"));
    unsafe { shikaku_string_free(sheet) };

    let mut prompt = shikaku_print_prompt::None;
    for expected in [shikaku_print_prompt::FirstTime, shikaku_print_prompt::Later] {
        let status = unsafe {
            shikaku_proceed_to_confirmation(f.service, &login.token, &mut prompt, ptr::null_mut())
        };
        assert_eq!(status, shikaku_status::Ok);
        assert_eq!(prompt, expected);
    }

    // A malformed passcode is not an attempt.
    let mut grant = shikaku_session_grant {
        token: shikaku_token::default(),
        expires_at: 0,
        enrolled: false,
        must_change_password: false,
    };
    let mut error = Error::none();
    let status = unsafe {
        shikaku_submit_passcode(
            f.service,
            &login.token,
            c"12ab".as_ptr(),
            &mut grant,
            error.slot(),
        )
    };
    assert_eq!(status, shikaku_status::MalformedPasscode);
    assert_eq!(error.name(), "malformed_passcode");
    assert_eq!(error.message(), "Enter the passcode as 6 digits.");

    let code = passcode_now(&copy);
    let status = unsafe {
        shikaku_submit_passcode(
            f.service,
            &login.token,
            code.as_ptr(),
            &mut grant,
            ptr::null_mut(),
        )
    };
    assert_eq!(status, shikaku_status::Ok);
    assert!(grant.enrolled);

    let mut info = shikaku_session_info {
        account: shikaku_identity::empty(),
        expires_at: 0,
        must_change_password: true,
    };
    let status =
        unsafe { shikaku_session_check(f.service, &grant.token, &mut info, ptr::null_mut()) };
    assert_eq!(status, shikaku_status::Ok);
    let login_id = unsafe { CStr::from_ptr(info.account.login_id.as_ptr()) };
    assert_eq!(login_id, c"staff01");
    assert!(!info.must_change_password);

    // Refused: every broken rule, with codes and both languages.
    let mut error = Error::none();
    let status = unsafe {
        shikaku_change_password(
            f.service,
            &grant.token,
            password.as_ptr(),
            c"short".as_ptr(),
            c"short".as_ptr(),
            error.slot(),
        )
    };
    assert_eq!(status, shikaku_status::PasswordPolicy);
    let codes = error.violation_codes();
    assert!(codes.contains(&"too_short".to_owned()), "{codes:?}");
    assert!(codes.contains(&"missing_digit".to_owned()), "{codes:?}");
    let ja = Error::text(unsafe { shikaku_error_violation_message(error.0, 0, SHIKAKU_LANG_JA) });
    assert!(ja.contains("8文字以上"), "{ja}");
    assert_eq!(error.message(), m::NEW_PASSWORD_POLICY.en);
    assert!(unsafe { shikaku_error_violation_code(error.0, codes.len()) }.is_null());

    let status = unsafe {
        shikaku_change_password(
            f.service,
            &grant.token,
            password.as_ptr(),
            c"Changed#Pw2".as_ptr(),
            c"Changed#Pw2".as_ptr(),
            ptr::null_mut(),
        )
    };
    assert_eq!(status, shikaku_status::Ok);

    let mut was_active = false;
    assert_eq!(
        unsafe { shikaku_logout(f.service, &grant.token, &mut was_active, ptr::null_mut()) },
        shikaku_status::Ok
    );
    assert!(was_active);
    let mut error = Error::none();
    let status =
        unsafe { shikaku_session_check(f.service, &grant.token, ptr::null_mut(), error.slot()) };
    assert_eq!(status, shikaku_status::SessionUnknown);

    // The next login asks for the passcode, with the new password only.
    let (status, _, _) = f.login(c"staff01", &password);
    assert_eq!(status, shikaku_status::InvalidCredentials);
    let (status, login, _) = f.login(c"staff01", c"Changed#Pw2");
    assert_eq!(status, shikaku_status::Ok);
    assert_eq!(login.next, shikaku_next::Passcode);
    let mut error = Error::none();
    let mut view = ptr::null_mut();
    let status =
        unsafe { shikaku_enrollment_view(f.service, &login.token, &mut view, error.slot()) };
    assert_eq!(status, shikaku_status::AlreadyEnrolled);
    assert!(view.is_null());
    assert_eq!(
        unsafe { shikaku_abandon_login(f.service, &login.token, ptr::null_mut()) },
        shikaku_status::Ok
    );
    let status =
        unsafe { shikaku_login_stage(f.service, &login.token, &mut stage, ptr::null_mut()) };
    assert_eq!(status, shikaku_status::LoginExpired);
}

#[test]
#[allow(clippy::disallowed_methods)] // compares with the real clock the service reads
fn three_wrong_passwords_lock_and_say_until_when() {
    let f = Fixture::new();
    let password = f.provision(c"staff02");
    for _ in 0..2 {
        let (status, login, error) = f.login(c"staff02", c"Wrong#Pass1");
        assert_eq!(status, shikaku_status::InvalidCredentials);
        assert_eq!(login.next, shikaku_next::None, "zeroed on failure");
        assert_eq!(error.message_in(SHIKAKU_LANG_JA), m::INVALID_CREDENTIALS.ja);
    }
    let (status, _, error) = f.login(c"staff02", c"Wrong#Pass1");
    assert_eq!(status, shikaku_status::Locked);
    let until = unsafe { shikaku_error_locked_until(error.0) };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(
        (now + 1790..=now + 1801).contains(&until),
        "{until} vs {now}"
    );
    assert!(error.message().ends_with(" JST."), "{}", error.message());
    assert!(
        error
            .message_in(SHIKAKU_LANG_JA)
            .contains("以降に再度操作してください")
    );

    // The right password is refused while locked; an administrator unlocks.
    let (status, _, _) = f.login(c"staff02", &password);
    assert_eq!(status, shikaku_status::Locked);
    let mut list = shikaku_account_list {
        items: ptr::null_mut(),
        len: 0,
    };
    assert_eq!(
        unsafe { shikaku_accounts(f.service, &mut list, ptr::null_mut()) },
        shikaku_status::Ok
    );
    let accounts = unsafe { std::slice::from_raw_parts(list.items, list.len) };
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].password_locked_until, until);
    assert!(!accounts[0].enrolled);
    unsafe { shikaku_account_list_free(&mut list) };
    assert!(list.items.is_null());

    let unlock = unsafe {
        shikaku_unlock(
            f.service,
            CODE.as_ptr(),
            c"staff02".as_ptr(),
            ptr::null_mut(),
        )
    };
    assert_eq!(unlock, shikaku_status::Ok);
    let (status, _, _) = f.login(c"staff02", &password);
    assert_eq!(status, shikaku_status::Ok);
}
