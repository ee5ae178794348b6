//! `[パスワード変更]`.

use std::ffi::c_char;

use shikaku::PasswordChange;
use shikaku::password::Password;

use crate::failure::Failure;
use crate::guard::{self, ErrorSlot};
use crate::handle::shikaku_service;
use crate::objects::shikaku_error;
use crate::types::{shikaku_status, shikaku_token};

/// 《変更》 on `[パスワード変更]`, for an active session: the current password, the new
/// one and the new one again.
///
/// `SHIKAKU_STATUS_OK`: changed. `SHIKAKU_STATUS_PASSWORD_POLICY`: the error lists every
/// broken rule (length, character classes, the last 5 generations, the re-entry) with
/// its code and Japanese and English message. `SHIKAKU_STATUS_INVALID_CREDENTIALS`: the
/// current password is wrong (counts toward the lock). `SHIKAKU_STATUS_LOCKED`, and the
/// session statuses of `shikaku_session_check`. Runs argon2 (up to one run per
/// remembered generation).
///
/// # Safety
///
/// `service` is a live handle; `session_token` is valid for reading a token; the
/// passwords are NUL-terminated; `error` is `NULL` or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_change_password(
    service: *const shikaku_service,
    session_token: *const shikaku_token,
    current_password: *const c_char,
    new_password: *const c_char,
    new_password_again: *const c_char,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        // SAFETY: `service` per this function's contract.
        let handle = unsafe { guard::service(service, context) }?;
        // SAFETY: `session_token` per this function's contract.
        let token = unsafe { guard::token(session_token, "session_token") }?;
        // SAFETY: the strings per this function's contract.
        let current = Password::new(unsafe { guard::text(current_password, "current_password") }?);
        // SAFETY: as above.
        let new = Password::new(unsafe { guard::text(new_password, "new_password") }?);
        // SAFETY: as above.
        let again =
            Password::new(unsafe { guard::text(new_password_again, "new_password_again") }?);
        let service = handle.facade();
        let session = service.session(&token)?;
        match service.change_password(&session, &current, &new, &again)? {
            PasswordChange::Changed => Ok(()),
            PasswordChange::Rejected(violations) => Err(Failure::PasswordPolicy {
                violations,
                new: true,
            }),
            PasswordChange::WrongCurrent { locked_until: None } => {
                Err(Failure::WrongCurrentPassword)
            }
            PasswordChange::WrongCurrent {
                locked_until: Some(until),
            }
            | PasswordChange::Locked { until } => Err(Failure::Locked(until)),
        }
    })
}
