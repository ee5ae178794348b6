//! The C ABI called from Rust, as a C caller would: raw pointers, status codes, error
//! objects. The C program (tests/c.rs) and the C# program (tests/dotnet.rs) walk the
//! same flows from their own languages.

#![allow(clippy::undocumented_unsafe_blocks)] // test code: every pointer is a local

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use shikaku::totp::{SetupKey, Verifier};

use super::*;
use crate::guard::ErrorSlot;
use crate::messages::{self as m, Lang};

const CODE: &CStr = c"0123456789";
const CHEAP: &str =
    "[argon2]\nm_cost_kib = 64\nt_cost = 1\nworkers = 1\n[server]\nhashing_threads = 2\n";

struct Fixture {
    _dir: tempfile::TempDir,
    service: *mut shikaku_service,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("shikaku.toml");
        std::fs::write(&config, CHEAP).unwrap();
        let path = CString::new(config.to_str().unwrap()).unwrap();
        let mut service = ptr::null_mut();
        let status = unsafe {
            shikaku_open_config(
                path.as_ptr(),
                SHIKAKU_LANG_EN,
                &mut service,
                ptr::null_mut(),
            )
        };
        assert_eq!(status, shikaku_status::Ok);
        assert!(
            dir.path().join("shikaku.db").exists(),
            "beside the config file"
        );
        Self { _dir: dir, service }
    }

    fn provision(&self, login_id: &CStr) -> CString {
        let mut initial = ptr::null_mut();
        let status = unsafe {
            shikaku_provision(
                self.service,
                CODE.as_ptr(),
                login_id.as_ptr(),
                ptr::null(),
                &mut initial,
                ptr::null_mut(),
            )
        };
        assert_eq!(status, shikaku_status::Ok);
        let password = unsafe { CStr::from_ptr(initial) }.to_owned();
        unsafe { shikaku_string_free(initial) };
        password
    }

    fn login(&self, login_id: &CStr, password: &CStr) -> (shikaku_status, shikaku_login, Error) {
        let mut out = NO_LOGIN_FOR_TESTS;
        let mut error = Error::none();
        let status = unsafe {
            shikaku_password_login(
                self.service,
                CODE.as_ptr(),
                login_id.as_ptr(),
                password.as_ptr(),
                &mut out,
                error.slot(),
            )
        };
        (status, out, error)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        unsafe { shikaku_close(self.service) };
    }
}

const NO_LOGIN_FOR_TESTS: shikaku_login = shikaku_login {
    next: shikaku_next::None,
    token: shikaku_token { bytes: [0; 32] },
    expires_at: 0,
};

/// An error object the test owns.
struct Error(*mut shikaku_error);

impl Error {
    fn none() -> Self {
        Self(ptr::null_mut())
    }
    fn slot(&mut self) -> *mut *mut shikaku_error {
        &mut self.0
    }
    fn text(ptr: *const c_char) -> String {
        assert!(!ptr.is_null());
        unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_owned()
    }
    fn name(&self) -> String {
        Self::text(unsafe { shikaku_error_name(self.0) })
    }
    fn message(&self) -> String {
        Self::text(unsafe { shikaku_error_message(self.0) })
    }
    fn message_in(&self, lang: shikaku_lang) -> String {
        Self::text(unsafe { shikaku_error_message_in(self.0, lang) })
    }
    fn violation_codes(&self) -> Vec<String> {
        let n = unsafe { shikaku_error_violation_count(self.0) };
        (0..n)
            .map(|i| Self::text(unsafe { shikaku_error_violation_code(self.0, i) }))
            .collect()
    }
}

impl Drop for Error {
    fn drop(&mut self) {
        unsafe { shikaku_error_free(self.0) };
    }
}

fn enrollment_copy_key(service: *mut shikaku_service, token: &shikaku_token) -> String {
    let mut view = ptr::null_mut();
    let status = unsafe { shikaku_enrollment_view(service, token, &mut view, ptr::null_mut()) };
    assert_eq!(status, shikaku_status::Ok);
    let copy = Error::text(unsafe { shikaku_enrollment_setup_key_copy(view) });
    let display = Error::text(unsafe { shikaku_enrollment_setup_key_display(view) });
    assert_eq!(display.replace(' ', ""), copy);
    assert!(
        Error::text(unsafe { shikaku_enrollment_otpauth_uri(view) }).starts_with("otpauth://totp/")
    );
    assert!(Error::text(unsafe { shikaku_enrollment_qr_svg(view) }).contains("<svg"));
    assert_eq!(
        Error::text(unsafe { shikaku_enrollment_institution_code(view) }),
        "0123456789"
    );
    unsafe { shikaku_enrollment_free(view) };
    copy
}

#[allow(clippy::disallowed_methods)] // the real clock: the service under test reads it too
fn passcode_now(copy_key: &str) -> CString {
    let secret = SetupKey::parse(copy_key).unwrap();
    let code = Verifier::default().generate(&secret, time::OffsetDateTime::now_utc());
    CString::new(code.as_str()).unwrap()
}

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

#[test]
fn bad_pointers_and_bad_text_are_errors_not_crashes() {
    let f = Fixture::new();
    let mut error = Error::none();
    let mut out = ptr::null_mut();
    let status =
        unsafe { shikaku_open_database(ptr::null(), SHIKAKU_LANG_EN, &mut out, error.slot()) };
    assert_eq!(status, shikaku_status::NullArgument);
    assert_eq!(error.message(), "The argument database is NULL.");
    assert_eq!(
        error.message_in(SHIKAKU_LANG_JA),
        "引数 database に NULL が渡されました。"
    );
    assert!(out.is_null());

    let status = unsafe { shikaku_open_database(c"x.db".as_ptr(), 2, &mut out, error.slot()) };
    assert_eq!(status, shikaku_status::InvalidArgument);
    let status = unsafe {
        shikaku_open_database(
            c"postgres://db/shikaku".as_ptr(),
            SHIKAKU_LANG_EN,
            &mut out,
            error.slot(),
        )
    };
    assert_eq!(status, shikaku_status::Unsupported);
    let status = unsafe {
        shikaku_open_database(
            c"x.db".as_ptr(),
            SHIKAKU_LANG_EN,
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    assert_eq!(status, shikaku_status::NullArgument);

    let mut login = NO_LOGIN_FOR_TESTS;
    let status = unsafe {
        shikaku_password_login(
            ptr::null(),
            CODE.as_ptr(),
            c"a".as_ptr(),
            c"b".as_ptr(),
            &mut login,
            error.slot(),
        )
    };
    assert_eq!(status, shikaku_status::NullArgument);
    let status = unsafe {
        shikaku_password_login(
            f.service,
            CODE.as_ptr(),
            c"a".as_ptr(),
            c"b".as_ptr(),
            ptr::null_mut(),
            error.slot(),
        )
    };
    assert_eq!(status, shikaku_status::NullArgument);
    assert_eq!(error.message(), "The argument out is NULL.");
    let bad_utf8 = [0xffu8, 0xfe, 0];
    let status = unsafe {
        shikaku_password_login(
            f.service,
            CODE.as_ptr(),
            c"staff".as_ptr(),
            bad_utf8.as_ptr().cast(),
            &mut login,
            error.slot(),
        )
    };
    assert_eq!(status, shikaku_status::InvalidUtf8);
    assert_eq!(error.message(), "The argument password is not valid UTF-8.");
    let status = unsafe {
        shikaku_password_login(
            f.service,
            CODE.as_ptr(),
            c"staff 01".as_ptr(),
            c"x".as_ptr(),
            &mut login,
            error.slot(),
        )
    };
    assert_eq!(status, shikaku_status::MalformedLoginId);

    // Getters and free functions take NULL.
    assert!(unsafe { shikaku_error_message(ptr::null()) }.is_null());
    assert_eq!(
        unsafe { shikaku_error_status(ptr::null()) },
        shikaku_status::NullArgument
    );
    assert_eq!(unsafe { shikaku_error_locked_until(ptr::null()) }, 0);
    assert!(unsafe { shikaku_enrollment_qr_svg(ptr::null()) }.is_null());
    unsafe {
        shikaku_error_free(ptr::null_mut());
        shikaku_enrollment_free(ptr::null_mut());
        shikaku_string_free(ptr::null_mut());
        shikaku_bytes_free(ptr::null_mut());
        shikaku_account_list_free(ptr::null_mut());
        shikaku_token_clear(ptr::null_mut());
        shikaku_close(ptr::null_mut());
    }
}

#[test]
fn a_panic_stops_at_the_boundary() {
    let mut object: *mut shikaku_error = ptr::null_mut();
    let slot = unsafe { ErrorSlot::new(&mut object) };
    let status = slot.run(|_| panic!("a bug"));
    assert_eq!(status, shikaku_status::Panic);
    let error = Error(object);
    assert_eq!(error.name(), "panic");
    assert_eq!(error.message(), m::PANIC.ja);
}

#[test]
fn a_closed_handle_still_held_by_a_call_is_refused() {
    let mut f = Fixture::new();
    let mut context = m::Context::default();
    // A call in flight on another thread holds a reference…
    let held = unsafe { guard::service(f.service, &mut context) }.unwrap();
    assert_eq!(context.lang, Lang::En);
    unsafe { shikaku_close(f.service) };
    // …so the memory is alive, and a call started after the close is refused.
    let mut error = Error::none();
    let status = unsafe { shikaku_set_language(f.service, SHIKAKU_LANG_JA, error.slot()) };
    assert_eq!(status, shikaku_status::InvalidHandle);
    // A second close is ignored; the in-flight call's reference frees the service.
    unsafe { shikaku_close(f.service) };
    drop(held);
    f.service = ptr::null_mut(); // closed above
}

#[test]
fn one_handle_many_threads() {
    let f = Fixture::new();
    // One account per thread: concurrent attempts on one account are reserved as
    // failures before argon2 runs (docs/lockout.md), so more than 3 at once lock it.
    let ids: Vec<CString> = (0..4)
        .map(|i| CString::new(format!("staff1{i}")).unwrap())
        .collect();
    let passwords: Vec<CString> = ids.iter().map(|id| f.provision(id)).collect();
    let service = f.service as usize;
    std::thread::scope(|scope| {
        for (id, password) in ids.iter().zip(&passwords) {
            scope.spawn(move || {
                let service = service as *mut shikaku_service;
                let mut login = NO_LOGIN_FOR_TESTS;
                let status = unsafe {
                    shikaku_password_login(
                        service,
                        CODE.as_ptr(),
                        id.as_ptr(),
                        password.as_ptr(),
                        &mut login,
                        ptr::null_mut(),
                    )
                };
                assert_eq!(status, shikaku_status::Ok);
                assert_eq!(login.next, shikaku_next::Enroll);
            });
        }
    });
}

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
