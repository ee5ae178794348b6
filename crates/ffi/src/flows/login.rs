//! 《ログイン》: signing in with a password, a login's stage, and 《戻る》.

use std::ffi::c_char;

use shikaku::PasswordLogin;
use shikaku::password::Password;

use crate::failure::Failure;
use crate::guard::{self, ErrorSlot, Out};
use crate::handle::shikaku_service;
use crate::objects::shikaku_error;
use crate::types::{shikaku_login, shikaku_next, shikaku_status, shikaku_token};

use super::{NO_LOGIN, login_of, next_of};

/// 《ログイン》: institution code, login ID and password.
///
/// `SHIKAKU_STATUS_OK` fills `*out`: `next` says whether [Authenticator 登録]
/// (`SHIKAKU_NEXT_ENROLL`) or the passcode (`SHIKAKU_NEXT_PASSCODE`) follows, `token` is
/// the login token for those calls. Otherwise `*out` is zeroed and the status is the
/// answer: `SHIKAKU_STATUS_INVALID_CREDENTIALS` (wrong password or unknown account),
/// `SHIKAKU_STATUS_LOCKED` (the error says until when), `SHIKAKU_STATUS_ACCOUNT_DISABLED`,
/// or a malformed identifier. Runs argon2.
///
/// # Safety
///
/// `service` is a live handle; the strings are NUL-terminated; `out` is valid for writing
/// a `shikaku_login`; `error` is `NULL` or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_password_login(
    service: *const shikaku_service,
    institution_code: *const c_char,
    login_id: *const c_char,
    password: *const c_char,
    out: *mut shikaku_login,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        // SAFETY: `out` per this function's contract.
        let out = unsafe { Out::optional(out, NO_LOGIN) };
        // SAFETY: `service` per this function's contract.
        let handle = unsafe { guard::service(service, context) }?;
        let out = out.ok_or(Failure::NullArgument("out"))?;
        // SAFETY: the strings per this function's contract.
        let key = unsafe { guard::account_key(&handle, institution_code, login_id) }?;
        // SAFETY: as above.
        let password = Password::new(unsafe { guard::text(password, "password") }?);
        match handle.facade().password_login(&key, &password)? {
            PasswordLogin::NeedsEnrollment(ticket) => {
                out.set(login_of(shikaku_next::Enroll, &ticket));
            }
            PasswordLogin::NeedsPasscode(ticket) => {
                out.set(login_of(shikaku_next::Passcode, &ticket));
            }
            PasswordLogin::Locked { until } => return Err(Failure::Locked(until)),
            PasswordLogin::Invalid => return Err(Failure::InvalidCredentials),
            PasswordLogin::Disabled => return Err(Failure::AccountDisabled),
        }
        Ok(())
    })
}

/// Where a login stands: `*out` is `SHIKAKU_NEXT_ENROLL` or `SHIKAKU_NEXT_PASSCODE`;
/// `SHIKAKU_STATUS_LOGIN_EXPIRED` when the login token no longer works.
///
/// # Safety
///
/// `service` is a live handle; `login_token` is valid for reading a token; `out` is
/// valid for writing a `shikaku_next`; `error` is `NULL` or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_login_stage(
    service: *const shikaku_service,
    login_token: *const shikaku_token,
    out: *mut shikaku_next,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        // SAFETY: `out` per this function's contract.
        let out = unsafe { Out::optional(out, shikaku_next::None) };
        // SAFETY: `service` per this function's contract.
        let handle = unsafe { guard::service(service, context) }?;
        let out = out.ok_or(Failure::NullArgument("out"))?;
        // SAFETY: `login_token` per this function's contract.
        let token = unsafe { guard::token(login_token, "login_token") }?;
        out.set(next_of(handle.facade().login_stage(&token)?));
        Ok(())
    })
}

/// 《戻る》: ends a half-finished login (the login token stops working).
///
/// # Safety
///
/// `service` is a live handle; `login_token` is valid for reading a token; `error` is
/// `NULL` or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_abandon_login(
    service: *const shikaku_service,
    login_token: *const shikaku_token,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        // SAFETY: `service` per this function's contract.
        let handle = unsafe { guard::service(service, context) }?;
        // SAFETY: `login_token` per this function's contract.
        let token = unsafe { guard::token(login_token, "login_token") }?;
        handle.facade().abandon_login(&token)?;
        Ok(())
    })
}
