//! The session: checking it, and 《ログアウト》.

use crate::guard::{self, ErrorSlot, Out};
use crate::handle::shikaku_service;
use crate::objects::shikaku_error;
use crate::types::{shikaku_identity, shikaku_session_info, shikaku_status, shikaku_token};

/// Checks a session and records the activity (30 idle minutes end it).
///
/// `SHIKAKU_STATUS_OK` fills `*out` (when not `NULL`) with whose session it is, when it
/// ends unless used again, and whether the password must be changed first. Otherwise
/// `SHIKAKU_STATUS_SESSION_EXPIRED`, `SHIKAKU_STATUS_SESSION_SUPERSEDED` (the account
/// logged in again: show 《閉じる》) or `SHIKAKU_STATUS_SESSION_UNKNOWN`.
///
/// # Safety
///
/// `service` is a live handle; `session_token` is valid for reading a token; `out` is
/// `NULL` or valid for writing a `shikaku_session_info`; `error` is `NULL` or valid for
/// writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_session_check(
    service: *const shikaku_service,
    session_token: *const shikaku_token,
    out: *mut shikaku_session_info,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        let none = shikaku_session_info {
            account: shikaku_identity::empty(),
            expires_at: 0,
            must_change_password: false,
        };
        // SAFETY: `out` per this function's contract.
        let out = unsafe { Out::optional(out, none) };
        // SAFETY: `service` per this function's contract.
        let handle = unsafe { guard::service(service, context) }?;
        // SAFETY: `session_token` per this function's contract.
        let token = unsafe { guard::token(session_token, "session_token") }?;
        let info = handle.facade().session(&token)?;
        if let Some(out) = out {
            out.set(shikaku_session_info {
                account: shikaku_identity::of(&info.key),
                expires_at: info.expires_at.unix_timestamp(),
                must_change_password: info.must_change_password,
            });
        }
        Ok(())
    })
}

/// 《ログアウト》: ends the session. `*was_active` (when not `NULL`) says whether it was
/// still active.
///
/// # Safety
///
/// `service` is a live handle; `session_token` is valid for reading a token; `was_active`
/// is `NULL` or valid for writing a `bool`; `error` is `NULL` or valid for writing a
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_logout(
    service: *const shikaku_service,
    session_token: *const shikaku_token,
    was_active: *mut bool,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        // SAFETY: `was_active` per this function's contract.
        let out = unsafe { Out::optional(was_active, false) };
        // SAFETY: `service` per this function's contract.
        let handle = unsafe { guard::service(service, context) }?;
        // SAFETY: `session_token` per this function's contract.
        let token = unsafe { guard::token(session_token, "session_token") }?;
        let active = handle.facade().logout(&token)?;
        if let Some(out) = out {
            out.set(active);
        }
        Ok(())
    })
}
