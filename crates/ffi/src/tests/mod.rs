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

mod admin;
mod flows;
mod robustness;
mod text;
