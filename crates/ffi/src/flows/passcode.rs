//! 《パスコードを送信》.

use std::ffi::c_char;

use shikaku::PasscodeLogin;

use crate::failure::Failure;
use crate::guard::{self, ErrorSlot, Out};
use crate::handle::shikaku_service;
use crate::objects::shikaku_error;
use crate::types::{shikaku_session_grant, shikaku_status, shikaku_token};

use super::{passcode_arg, token_out};

/// 《パスコードを送信》: the 6-digit passcode for a login (full-width digits and a space
/// between the halves are accepted).
///
/// `SHIKAKU_STATUS_OK` fills `*out` with the session: its token, its expiry, whether this
/// passcode completed the registration (`enrolled`), and whether the password must be
/// changed first. Otherwise: `SHIKAKU_STATUS_INVALID_PASSCODE` (the login stands: ask
/// again), `SHIKAKU_STATUS_LOCKED` (the login is gone), `SHIKAKU_STATUS_MALFORMED_PASSCODE`
/// (not counted), `SHIKAKU_STATUS_LOGIN_EXPIRED`.
///
/// # Safety
///
/// `service` is a live handle; `login_token` is valid for reading a token; `passcode` is
/// NUL-terminated; `out` is valid for writing a `shikaku_session_grant`; `error` is
/// `NULL` or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_submit_passcode(
    service: *const shikaku_service,
    login_token: *const shikaku_token,
    passcode: *const c_char,
    out: *mut shikaku_session_grant,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        let none = shikaku_session_grant {
            token: shikaku_token::default(),
            expires_at: 0,
            enrolled: false,
            must_change_password: false,
        };
        // SAFETY: `out` per this function's contract.
        let out = unsafe { Out::optional(out, none) };
        // SAFETY: `service` per this function's contract.
        let handle = unsafe { guard::service(service, context) }?;
        let out = out.ok_or(Failure::NullArgument("out"))?;
        // SAFETY: `login_token` per this function's contract.
        let token = unsafe { guard::token(login_token, "login_token") }?;
        // SAFETY: `passcode` per this function's contract.
        let passcode = unsafe { passcode_arg(handle.facade(), passcode) }?;
        match handle.facade().submit_passcode(&token, &passcode)? {
            PasscodeLogin::Session(grant) => out.set(shikaku_session_grant {
                token: token_out(&grant.token),
                expires_at: grant.expires_at.unix_timestamp(),
                enrolled: grant.enrolled,
                must_change_password: grant.must_change_password,
            }),
            PasscodeLogin::Locked { until, .. } => return Err(Failure::Locked(until)),
            PasscodeLogin::Invalid { .. } => return Err(Failure::InvalidPasscode),
        }
        Ok(())
    })
}
