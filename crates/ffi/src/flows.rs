//! The manual's flows: 《ログイン》, [Authenticator 登録] and its print confirmation,
//! 《パスコードを送信》, the session, `[パスワード変更]`, 《ログアウト》, and the receipt
//! computer's one-call authentication.

use std::ffi::c_char;
use std::ptr;

use shikaku::password::Password;
use shikaku::{
    Authentication, LoginStage, LoginTicket, PasscodeLogin, PasswordChange, PasswordLogin,
    PrintPrompt,
};
use shikaku_store_sqlite::SqliteStore;

use crate::failure::Failure;
use crate::guard::{self, CText, ErrorSlot, Out};
use crate::handle::shikaku_service;
use crate::objects::{shikaku_enrollment, shikaku_error};
use crate::types::{
    shikaku_authentication, shikaku_bytes, shikaku_identity, shikaku_login, shikaku_next,
    shikaku_print_prompt, shikaku_session_grant, shikaku_session_info, shikaku_status,
    shikaku_token,
};

fn token_out(token: &shikaku::Token) -> shikaku_token {
    shikaku_token {
        bytes: *token.as_bytes(),
    }
}

fn next_of(stage: LoginStage) -> shikaku_next {
    match stage {
        LoginStage::Enrollment => shikaku_next::Enroll,
        LoginStage::Passcode => shikaku_next::Passcode,
    }
}

fn login_of(next: shikaku_next, ticket: &LoginTicket) -> shikaku_login {
    shikaku_login {
        next,
        token: token_out(&ticket.token),
        expires_at: ticket.expires_at.unix_timestamp(),
    }
}

const NO_LOGIN: shikaku_login = shikaku_login {
    next: shikaku_next::None,
    token: shikaku_token { bytes: [0; 32] },
    expires_at: 0,
};

/// The passcode as typed (full-width digits and `123 456` accepted), in the service's
/// number of digits.
///
/// # Safety
///
/// `passcode` is null or a NUL-terminated string.
unsafe fn passcode_arg(
    service: &shikaku::Shikaku<SqliteStore>,
    passcode: *const c_char,
) -> Result<shikaku::totp::Passcode, Failure> {
    // SAFETY: forwarded contract.
    let text = unsafe { guard::text(passcode, "passcode") }?;
    service
        .config()
        .verifier
        .parse_passcode(text)
        .map_err(|_| Failure::MalformedPasscode)
}

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

/// [Authenticator 登録] for a login that needs enrollment: the setup key (display and
/// copy forms), the otpauth URI and the QR code as SVG, read with the
/// `shikaku_enrollment_*` getters.
///
/// Asking again during the same registration gives the same key. On success `*out` is a
/// new enrollment view owned by the caller: free it with `shikaku_enrollment_free`
/// (it holds the TOTP secret: show it to the user, never store or log it).
/// `SHIKAKU_STATUS_ALREADY_ENROLLED` when the account has an Authenticator,
/// `SHIKAKU_STATUS_LOGIN_EXPIRED` when the login token no longer works.
///
/// # Safety
///
/// `service` is a live handle; `login_token` is valid for reading a token; `out` is
/// valid for writing a pointer; `error` is `NULL` or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_enrollment_view(
    service: *const shikaku_service,
    login_token: *const shikaku_token,
    out: *mut *mut shikaku_enrollment,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        // SAFETY: `out` per this function's contract.
        let out = unsafe { Out::optional(out, ptr::null_mut()) };
        // SAFETY: `service` per this function's contract.
        let handle = unsafe { guard::service(service, context) }?;
        let out = out.ok_or(Failure::NullArgument("out"))?;
        // SAFETY: `login_token` per this function's contract.
        let token = unsafe { guard::token(login_token, "login_token") }?;
        let view = handle.facade().enrollment(&token)?;
        let enrollment = shikaku_enrollment {
            institution_code: CText::new(view.institution_code.as_str()),
            login_id: CText::new(view.login_id.as_str()),
            issuer: CText::new(&view.issuer),
            setup_key_display: CText::new(&view.setup_key.display_form()),
            setup_key_copy: CText::new(&view.setup_key.copy_form()),
            otpauth_uri: CText::new(&view.otpauth_uri),
            qr_svg: CText::new(&view.qr_svg),
        };
        out.set(Box::into_raw(Box::new(enrollment)));
        Ok(())
    })
}

/// The QR code of [Authenticator 登録] as a PNG image, for download or print.
///
/// On success `*out` holds the bytes, owned by the caller: free them with
/// `shikaku_bytes_free` (they encode the TOTP secret).
///
/// # Safety
///
/// `service` is a live handle; `login_token` is valid for reading a token; `out` is
/// valid for writing a `shikaku_bytes`; `error` is `NULL` or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_enrollment_png(
    service: *const shikaku_service,
    login_token: *const shikaku_token,
    out: *mut shikaku_bytes,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        let empty = shikaku_bytes {
            data: ptr::null_mut(),
            len: 0,
        };
        // SAFETY: `out` per this function's contract.
        let out = unsafe { Out::optional(out, empty) };
        // SAFETY: `service` per this function's contract.
        let handle = unsafe { guard::service(service, context) }?;
        let out = out.ok_or(Failure::NullArgument("out"))?;
        // SAFETY: `login_token` per this function's contract.
        let token = unsafe { guard::token(login_token, "login_token") }?;
        let png = handle.facade().enrollment_png(&token)?;
        // An exact-size copy (no reallocation leaves a stray copy); `png` wipes itself.
        let (data, len) = guard::boxed_slice_into_raw(png.to_vec());
        out.set(shikaku_bytes { data, len });
        Ok(())
    })
}

/// The printable A4 enrollment sheet (an HTML document with the QR code, the setup key
/// and the date of issue), for 「印刷する」.
///
/// On success `*out` is a NUL-terminated string owned by the caller: free it with
/// `shikaku_string_free` (it holds the TOTP secret).
///
/// # Safety
///
/// `service` is a live handle; `login_token` is valid for reading a token; `out` is
/// valid for writing a pointer; `error` is `NULL` or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_enrollment_sheet_html(
    service: *const shikaku_service,
    login_token: *const shikaku_token,
    out: *mut *mut c_char,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        // SAFETY: `out` per this function's contract.
        let out = unsafe { Out::optional(out, ptr::null_mut()) };
        // SAFETY: `service` per this function's contract.
        let handle = unsafe { guard::service(service, context) }?;
        let out = out.ok_or(Failure::NullArgument("out"))?;
        // SAFETY: `login_token` per this function's contract.
        let token = unsafe { guard::token(login_token, "login_token") }?;
        let html = handle.facade().enrollment_sheet(&token)?;
        out.set(CText::new(&html).into_raw());
        Ok(())
    })
}

/// 《Authenticator 登録確認に進む》: which print confirmation to show. The first call of a
/// registration answers `SHIKAKU_PRINT_PROMPT_FIRST_TIME` (「印刷する」「印刷せずに確認へ
/// 進む」), every later one `SHIKAKU_PRINT_PROMPT_LATER` (「確認へ進む」).
///
/// # Safety
///
/// `service` is a live handle; `login_token` is valid for reading a token; `out` is
/// valid for writing a `shikaku_print_prompt`; `error` is `NULL` or valid for writing a
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_proceed_to_confirmation(
    service: *const shikaku_service,
    login_token: *const shikaku_token,
    out: *mut shikaku_print_prompt,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|context| {
        // SAFETY: `out` per this function's contract.
        let out = unsafe { Out::optional(out, shikaku_print_prompt::None) };
        // SAFETY: `service` per this function's contract.
        let handle = unsafe { guard::service(service, context) }?;
        let out = out.ok_or(Failure::NullArgument("out"))?;
        // SAFETY: `login_token` per this function's contract.
        let token = unsafe { guard::token(login_token, "login_token") }?;
        out.set(match handle.facade().proceed_to_confirmation(&token)? {
            PrintPrompt::FirstTime => shikaku_print_prompt::FirstTime,
            PrintPrompt::Later => shikaku_print_prompt::Later,
        });
        Ok(())
    })
}

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
