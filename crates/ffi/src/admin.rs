//! Administration (ユーザ設定情報の発行, unlock, resets, disable/enable, the account list)
//! and the password rules on their own.

use std::ffi::c_char;
use std::ptr;

use shikaku::lockout::LockStatus;
use shikaku::password::{Password, Policy};
use shikaku::{AccountKey, Shikaku};
use shikaku_store_sqlite::SqliteStore;

use crate::failure::Failure;
use crate::guard::{self, CText, ErrorSlot, Out, shield};
use crate::handle::shikaku_service;
use crate::objects::{shikaku_error, unix_seconds_ceil};
use crate::types::{shikaku_account, shikaku_account_list, shikaku_identity, shikaku_status};

/// ユーザ設定情報の発行: creates a staff account. With `password` `NULL` a compliant
/// initial password is generated; a given one must meet the password rules
/// (`SHIKAKU_STATUS_PASSWORD_POLICY` lists what it breaks).
///
/// On success `*initial_password` (when not `NULL`) is the initial password to hand to
/// the staff member, owned by the caller: free it with
/// `shikaku_string_free`, which zeroes it.
/// `SHIKAKU_STATUS_ACCOUNT_EXISTS` when the account exists. Runs argon2.
///
/// # Safety
///
/// `service` is a live handle; the strings are NUL-terminated (`password` may be
/// `NULL`); `initial_password` is `NULL` or valid for writing a pointer; `error` is
/// `NULL` or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_provision(
    service: *const shikaku_service,
    institution_code: *const c_char,
    login_id: *const c_char,
    password: *const c_char,
    initial_password: *mut *mut c_char,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        // SAFETY: `initial_password` per this function's contract.
        let out = unsafe { Out::optional(initial_password, ptr::null_mut()) };
        // SAFETY: `service` per this function's contract.
        let handle = unsafe { guard::service(service, context) }?;
        // SAFETY: the strings per this function's contract.
        let key = unsafe { guard::account_key(&handle, institution_code, login_id) }?;
        // SAFETY: as above.
        let given = unsafe { guard::optional_text(password, "password") }?.map(Password::new);
        let settings = handle.facade().provision(&key, given)?;
        if let Some(out) = out {
            out.set(CText::new(settings.initial_password.as_str()).into_raw());
        }
        Ok(())
    })
}

/// Clears both lock counters (password and passcode) of an account.
///
/// # Safety
///
/// `service` is a live handle; the strings are NUL-terminated; `error` is `NULL` or
/// valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_unlock(
    service: *const shikaku_service,
    institution_code: *const c_char,
    login_id: *const c_char,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: the arguments per this function's contract, which is `account_action`'s.
    unsafe {
        account_action(service, institution_code, login_id, error, |facade, key| {
            facade.unlock(key)
        })
    }
}

/// Device lost: removes the Authenticator registration (the next login registers again)
/// and ends the account's sessions and pending logins. `SHIKAKU_STATUS_UNKNOWN_ACCOUNT`
/// when there is no such account.
///
/// # Safety
///
/// `service` is a live handle; the strings are NUL-terminated; `error` is `NULL` or
/// valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_reset_mfa(
    service: *const shikaku_service,
    institution_code: *const c_char,
    login_id: *const c_char,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: the arguments per this function's contract, which is `account_action`'s.
    unsafe {
        account_action(service, institution_code, login_id, error, |facade, key| {
            facade.reset_mfa(key)
        })
    }
}

/// Issues a new initial password; the user must change it after the next login, and the
/// account's sessions and pending logins end.
///
/// On success `*initial_password` is the new password, owned by the caller: free it with
/// `shikaku_string_free`. Runs argon2.
///
/// # Safety
///
/// `service` is a live handle; the strings are NUL-terminated; `initial_password` is
/// valid for writing a pointer; `error` is `NULL` or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_reset_password(
    service: *const shikaku_service,
    institution_code: *const c_char,
    login_id: *const c_char,
    initial_password: *mut *mut c_char,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        // SAFETY: `initial_password` per this function's contract.
        let out = unsafe { Out::optional(initial_password, ptr::null_mut()) };
        // SAFETY: `service` per this function's contract.
        let handle = unsafe { guard::service(service, context) }?;
        let out = out.ok_or(Failure::NullArgument("initial_password"))?;
        // SAFETY: the strings per this function's contract.
        let key = unsafe { guard::account_key(&handle, institution_code, login_id) }?;
        let settings = handle.facade().reset_password(&key)?;
        out.set(CText::new(settings.initial_password.as_str()).into_raw());
        Ok(())
    })
}

/// Disables (`disabled` true; ends its sessions) or enables an account.
///
/// # Safety
///
/// `service` is a live handle; the strings are NUL-terminated; `error` is `NULL` or
/// valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_set_disabled(
    service: *const shikaku_service,
    institution_code: *const c_char,
    login_id: *const c_char,
    disabled: bool,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: the arguments per this function's contract, which is `account_action`'s.
    unsafe {
        account_action(service, institution_code, login_id, error, |facade, key| {
            facade.set_disabled(key, disabled)
        })
    }
}

/// The body of the account actions that answer a status and nothing else (unlock, reset
/// MFA, disable/enable): the service, then the account key, then `action`.
///
/// # Safety
///
/// `service` is a live handle; the strings are NUL-terminated; `error` is `NULL` or
/// valid for writing a pointer.
unsafe fn account_action(
    service: *const shikaku_service,
    institution_code: *const c_char,
    login_id: *const c_char,
    error: *mut *mut shikaku_error,
    action: impl FnOnce(&Shikaku<SqliteStore>, &AccountKey) -> Result<(), shikaku::Error>,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        // SAFETY: `service` per this function's contract.
        let handle = unsafe { guard::service(service, context) }?;
        // SAFETY: the strings per this function's contract.
        let key = unsafe { guard::account_key(&handle, institution_code, login_id) }?;
        action(handle.facade(), &key)?;
        Ok(())
    })
}

fn locked_until(status: &LockStatus) -> i64 {
    match status {
        LockStatus::Locked { until } => unix_seconds_ceil(*until),
        _ => 0,
    }
}

/// Every account with its state now (MFA, locks, drift), as `shikaku user list`.
///
/// On success `*out` holds the list, owned by the caller: free it with
/// `shikaku_account_list_free`.
///
/// # Safety
///
/// `service` is a live handle; `out` is valid for writing a `shikaku_account_list`;
/// `error` is `NULL` or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_accounts(
    service: *const shikaku_service,
    out: *mut shikaku_account_list,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        let empty = shikaku_account_list {
            items: ptr::null_mut(),
            len: 0,
        };
        // SAFETY: `out` per this function's contract.
        let out = unsafe { Out::optional(out, empty) };
        // SAFETY: `service` per this function's contract.
        let handle = unsafe { guard::service(service, context) }?;
        let out = out.ok_or(Failure::NullArgument("out"))?;
        let items: Vec<shikaku_account> = handle
            .facade()
            .accounts()?
            .iter()
            .map(|a| shikaku_account {
                account: shikaku_identity::of(&a.key),
                enrolled: a.enrolled,
                disabled: a.disabled,
                must_change_password: a.must_change_password,
                has_drift: a.drift.is_some(),
                drift: a.drift.unwrap_or(0),
                password_locked_until: locked_until(&a.password_lock),
                passcode_locked_until: locked_until(&a.passcode_lock),
                created_at: a.created_at.unix_timestamp(),
            })
            .collect();
        let (items, len) = guard::boxed_slice_into_raw(items);
        out.set(shikaku_account_list { items, len });
        Ok(())
    })
}

/// Frees an account list and sets it to `{NULL, 0}`. `NULL` and an empty list are ignored.
///
/// # Safety
///
/// `list` is `NULL` or points to a list filled by `shikaku_accounts` and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_account_list_free(list: *mut shikaku_account_list) {
    shield((), || {
        // SAFETY: null or valid by contract.
        let Some(list) = (unsafe { list.as_mut() }) else {
            return;
        };
        if !list.items.is_null() {
            // SAFETY: made by `guard::boxed_slice_into_raw` in `shikaku_accounts`, freed once.
            drop(unsafe { guard::boxed_slice_from_raw(list.items, list.len) });
        }
        list.items = ptr::null_mut();
        list.len = 0;
    });
}

/// The password rules alone (8–20 characters; a digit, a lowercase and an uppercase
/// letter and a special character; nothing else): `SHIKAKU_STATUS_OK`, or
/// `SHIKAKU_STATUS_PASSWORD_POLICY` with every broken rule in the error.
///
/// With `service` `NULL` the manual's rules are used (and the error's language is
/// Japanese; both languages are in the error); with a service, its configured rules.
/// The history rules need an account: they are checked by `shikaku_change_password`.
///
/// # Safety
///
/// `service` is `NULL` or a live handle; `password` is NUL-terminated; `error` is `NULL`
/// or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_check_password(
    service: *const shikaku_service,
    password: *const c_char,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        let handle = if service.is_null() {
            None
        } else {
            // SAFETY: `service` per this function's contract.
            Some(unsafe { guard::service(service, context) }?)
        };
        // SAFETY: `password` per this function's contract.
        let password = Password::new(unsafe { guard::text(password, "password") }?);
        let default = Policy::default();
        let policy = handle
            .as_ref()
            .map_or(&default, |h| &h.facade().config().password_policy);
        policy
            .check(password.as_str())
            .map_err(|violations| Failure::PasswordPolicy {
                violations: violations.into_vec(),
                new: false,
            })
    })
}
