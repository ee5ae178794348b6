//! Administration and the password rules.

use super::*;

#[test]
fn administration() {
    let f = Fixture::new();
    let mut error = Error::none();
    let status = unsafe {
        shikaku_provision(
            f.service,
            CODE.as_ptr(),
            c"staff03".as_ptr(),
            c"weak".as_ptr(),
            ptr::null_mut(),
            error.slot(),
        )
    };
    assert_eq!(status, shikaku_status::PasswordPolicy);
    assert_eq!(error.message(), m::PASSWORD_POLICY.en);

    let password = f.provision(c"staff03");
    let mut error = Error::none();
    let status = unsafe {
        shikaku_provision(
            f.service,
            CODE.as_ptr(),
            c"staff03".as_ptr(),
            ptr::null(),
            ptr::null_mut(),
            error.slot(),
        )
    };
    assert_eq!(status, shikaku_status::AccountExists);

    let disable = |disabled| unsafe {
        shikaku_set_disabled(
            f.service,
            CODE.as_ptr(),
            c"staff03".as_ptr(),
            disabled,
            ptr::null_mut(),
        )
    };
    assert_eq!(disable(true), shikaku_status::Ok);
    assert_eq!(
        f.login(c"staff03", &password).0,
        shikaku_status::AccountDisabled
    );
    assert_eq!(disable(false), shikaku_status::Ok);
    assert_eq!(f.login(c"staff03", &password).0, shikaku_status::Ok);

    let mut fresh = ptr::null_mut();
    let status = unsafe {
        shikaku_reset_password(
            f.service,
            CODE.as_ptr(),
            c"staff03".as_ptr(),
            &mut fresh,
            ptr::null_mut(),
        )
    };
    assert_eq!(status, shikaku_status::Ok);
    let fresh_password = unsafe { CStr::from_ptr(fresh) }.to_owned();
    unsafe { shikaku_string_free(fresh) };
    assert_eq!(
        f.login(c"staff03", &password).0,
        shikaku_status::InvalidCredentials
    );
    assert_eq!(f.login(c"staff03", &fresh_password).0, shikaku_status::Ok);

    assert_eq!(
        unsafe {
            shikaku_reset_mfa(
                f.service,
                CODE.as_ptr(),
                c"staff03".as_ptr(),
                ptr::null_mut(),
            )
        },
        shikaku_status::Ok
    );
    let mut error = Error::none();
    let status =
        unsafe { shikaku_reset_mfa(f.service, CODE.as_ptr(), c"nobody".as_ptr(), error.slot()) };
    assert_eq!(status, shikaku_status::UnknownAccount);
    assert_eq!(error.name(), "unknown_account");

    // The service's language applies to the errors it makes from then on.
    assert_eq!(
        unsafe { shikaku_set_language(f.service, SHIKAKU_LANG_JA, ptr::null_mut()) },
        shikaku_status::Ok
    );
    let mut error = Error::none();
    let status = unsafe {
        shikaku_unlock(
            f.service,
            c"123".as_ptr(),
            c"staff03".as_ptr(),
            error.slot(),
        )
    };
    assert_eq!(status, shikaku_status::MalformedInstitutionCode);
    assert_eq!(
        error.message(),
        "機関コードは 10 桁の数字で入力してください。"
    );
    let mut error = Error::none();
    let status = unsafe { shikaku_set_language(f.service, 7, error.slot()) };
    assert_eq!(status, shikaku_status::InvalidArgument);
}

#[test]
fn the_password_rules_alone() {
    let mut error = Error::none();
    let status =
        unsafe { shikaku_check_password(ptr::null(), c"Valid#Pass1".as_ptr(), error.slot()) };
    assert_eq!(status, shikaku_status::Ok);
    assert!(error.0.is_null(), "no error object on success");

    let status = unsafe { shikaku_check_password(ptr::null(), c"ab cd".as_ptr(), error.slot()) };
    assert_eq!(status, shikaku_status::PasswordPolicy);
    assert_eq!(
        error.violation_codes(),
        [
            "too_short",
            "disallowed_character",
            "missing_digit",
            "missing_uppercase",
            "missing_special"
        ]
    );
    assert_eq!(
        error.message(),
        m::PASSWORD_POLICY.ja,
        "Japanese without a service"
    );
    let en = Error::text(unsafe { shikaku_error_violation_message(error.0, 0, SHIKAKU_LANG_EN) });
    assert_eq!(
        en,
        "The password must be at least 8 characters long (it has 5)."
    );
    assert!(unsafe { shikaku_error_violation_message(error.0, 0, 9) }.is_null());
}
