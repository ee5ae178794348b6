//! The receipt computer's one-call authentication.

use std::ffi::c_char;

use shikaku::Authentication;
use shikaku::password::Password;

use crate::failure::Failure;
use crate::guard::{self, ErrorSlot, Out};
use crate::handle::shikaku_service;
use crate::objects::shikaku_error;
use crate::types::{shikaku_authentication, shikaku_identity, shikaku_status};

use super::passcode_arg;

/// The receipt computer's one-call authentication, once MFA is registered: institution
/// code, login ID, password and passcode together, under the same locks and replay guard
/// as the screens. No session is created.
///
/// `SHIKAKU_STATUS_OK` fills `*out` (when not `NULL`) with who and when. Otherwise
/// `SHIKAKU_STATUS_INVALID_CREDENTIALS`, `SHIKAKU_STATUS_INVALID_PASSCODE`,
/// `SHIKAKU_STATUS_LOCKED`, `SHIKAKU_STATUS_ENROLLMENT_REQUIRED` (register on the login
/// screens first), `SHIKAKU_STATUS_PASSWORD_CHANGE_REQUIRED`,
/// `SHIKAKU_STATUS_ACCOUNT_DISABLED`, or a malformed input. Runs argon2.
///
/// # Safety
///
/// `service` is a live handle; the strings are NUL-terminated; `out` is `NULL` or valid
/// for writing a `shikaku_authentication`; `error` is `NULL` or valid for writing a
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_authenticate(
    service: *const shikaku_service,
    institution_code: *const c_char,
    login_id: *const c_char,
    password: *const c_char,
    passcode: *const c_char,
    out: *mut shikaku_authentication,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        let none = shikaku_authentication {
            account: shikaku_identity::empty(),
            authenticated_at: 0,
        };
        // SAFETY: `out` per this function's contract.
        let out = unsafe { Out::optional(out, none) };
        // SAFETY: `service` per this function's contract.
        let handle = unsafe { guard::service(service, context) }?;
        // SAFETY: the strings per this function's contract.
        let key = unsafe { guard::account_key(&handle, institution_code, login_id) }?;
        // SAFETY: as above.
        let password = Password::new(unsafe { guard::text(password, "password") }?);
        // SAFETY: as above.
        let passcode = unsafe { passcode_arg(handle.facade(), passcode) }?;
        match handle.facade().authenticate(&key, &password, &passcode)? {
            Authentication::Verified(identity) => {
                if let Some(out) = out {
                    out.set(shikaku_authentication {
                        account: shikaku_identity::of(&shikaku::AccountKey::new(
                            identity.institution_code,
                            identity.login_id,
                        )),
                        authenticated_at: identity.authenticated_at.unix_timestamp(),
                    });
                }
                Ok(())
            }
            Authentication::InvalidCredentials => Err(Failure::InvalidCredentials),
            Authentication::InvalidPasscode => Err(Failure::InvalidPasscode),
            Authentication::Locked { until } => Err(Failure::Locked(until)),
            Authentication::EnrollmentRequired => Err(Failure::EnrollmentRequired),
            Authentication::PasswordChangeRequired => Err(Failure::PasswordChangeRequired),
            Authentication::Disabled => Err(Failure::AccountDisabled),
        }
    })
}
