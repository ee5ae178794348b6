//! [Authenticator 登録] for a login: the view, the QR code as PNG, the print sheet,
//! and 《Authenticator 登録確認に進む》.

use std::ffi::c_char;
use std::ptr;

use shikaku::PrintPrompt;

use crate::failure::Failure;
use crate::guard::{self, CText, ErrorSlot, Out};
use crate::handle::shikaku_service;
use crate::objects::{shikaku_enrollment, shikaku_error};
use crate::types::{shikaku_bytes, shikaku_print_prompt, shikaku_status, shikaku_token};

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
