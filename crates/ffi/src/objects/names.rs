//! The version and the status names.

use std::ffi::{CStr, c_char};

use crate::guard::shield;
use crate::types::shikaku_status;

/// This library's version, e.g. `"0.1.0"`: a static string, never freed.
#[unsafe(no_mangle)]
pub extern "C" fn shikaku_version() -> *const c_char {
    const VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(version) => version,
            Err(_) => c"unknown",
        };
    shield(c"unknown".as_ptr(), || VERSION.as_ptr())
}

/// The stable snake_case name of a status (`"ok"`, `"invalid_credentials"`, `"locked"`,
/// …), `"unknown"` for a number that is none: a static string, never freed.
#[unsafe(no_mangle)]
pub extern "C" fn shikaku_status_name(status: u32) -> *const c_char {
    shield(c"unknown".as_ptr(), || status_name(status).as_ptr())
}

pub(crate) fn status_name(status: u32) -> &'static CStr {
    use shikaku_status as S;
    const ALL: [(shikaku_status, &CStr); 29] = [
        (S::Ok, c"ok"),
        (S::InvalidCredentials, c"invalid_credentials"),
        (S::InvalidPasscode, c"invalid_passcode"),
        (S::Locked, c"locked"),
        (S::AccountDisabled, c"account_disabled"),
        (S::EnrollmentRequired, c"enrollment_required"),
        (S::AlreadyEnrolled, c"already_enrolled"),
        (S::PasswordChangeRequired, c"password_change_required"),
        (S::PasswordPolicy, c"password_policy"),
        (S::LoginExpired, c"login_expired"),
        (S::SessionExpired, c"session_expired"),
        (S::SessionSuperseded, c"session_superseded"),
        (S::SessionUnknown, c"session_unknown"),
        (S::UnknownAccount, c"unknown_account"),
        (S::AccountExists, c"account_exists"),
        (S::NullArgument, c"null_argument"),
        (S::InvalidUtf8, c"invalid_utf8"),
        (S::InvalidArgument, c"invalid_argument"),
        (S::MalformedInstitutionCode, c"malformed_institution_code"),
        (S::MalformedLoginId, c"malformed_login_id"),
        (S::MalformedPasscode, c"malformed_passcode"),
        (S::InvalidHandle, c"invalid_handle"),
        (S::Config, c"config"),
        (S::OpenFailed, c"open_failed"),
        (S::Unsupported, c"unsupported"),
        (S::StoreUnavailable, c"store_unavailable"),
        (S::StoreCorrupt, c"store_corrupt"),
        (S::Internal, c"internal"),
        (S::Panic, c"panic"),
    ];
    ALL.iter()
        .find(|(s, _)| *s as u32 == status)
        .map_or(c"unknown", |(_, name)| name)
}
