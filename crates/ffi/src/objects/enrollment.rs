//! Enrollment views: [Authenticator 登録] for one login, and their accessors.

use std::ffi::c_char;
use std::ptr;

use crate::guard::{CText, shield};

/// [Authenticator 登録] for one login: the setup key in both forms, the otpauth URI and
/// the QR code. Opaque; made by `shikaku_enrollment_view`, owned by
/// the caller, freed with `shikaku_enrollment_free`, which zeroes every string (they
/// all hold or encode the TOTP secret, except the identifiers and the issuer).
pub struct shikaku_enrollment {
    pub(crate) institution_code: CText,
    pub(crate) login_id: CText,
    pub(crate) issuer: CText,
    pub(crate) setup_key_display: CText,
    pub(crate) setup_key_copy: CText,
    pub(crate) otpauth_uri: CText,
    pub(crate) qr_svg: CText,
}

/// Which string of an enrollment view to read.
fn enrollment_text(
    enrollment: *const shikaku_enrollment,
    pick: fn(&shikaku_enrollment) -> &CText,
) -> *const c_char {
    shield(ptr::null(), || {
        // SAFETY: every public caller below forwards its contract: null or live.
        unsafe { enrollment.as_ref() }.map_or(ptr::null(), |e| pick(e).as_ptr())
    })
}

/// 機関コード. Borrowed from `enrollment`; `NULL` for `NULL`.
///
/// # Safety
///
/// `enrollment` is `NULL` or an enrollment view not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_enrollment_institution_code(
    enrollment: *const shikaku_enrollment,
) -> *const c_char {
    enrollment_text(enrollment, |e| &e.institution_code)
}

/// ログイン ID (the account name the app shows). Borrowed; `NULL` for `NULL`.
///
/// # Safety
///
/// `enrollment` is `NULL` or an enrollment view not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_enrollment_login_id(
    enrollment: *const shikaku_enrollment,
) -> *const c_char {
    enrollment_text(enrollment, |e| &e.login_id)
}

/// The issuer the app shows. Borrowed; `NULL` for `NULL`.
///
/// # Safety
///
/// `enrollment` is `NULL` or an enrollment view not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_enrollment_issuer(
    enrollment: *const shikaku_enrollment,
) -> *const c_char {
    enrollment_text(enrollment, |e| &e.issuer)
}

/// セットアップキー as shown on screen: groups of four, `ABCD EFGH …`. A secret.
/// Borrowed; `NULL` for `NULL`.
///
/// # Safety
///
/// `enrollment` is `NULL` or an enrollment view not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_enrollment_setup_key_display(
    enrollment: *const shikaku_enrollment,
) -> *const c_char {
    enrollment_text(enrollment, |e| &e.setup_key_display)
}

/// セットアップキー as 《テキストでコピー》 copies it: uppercase base32, no spaces. A
/// secret. Borrowed; `NULL` for `NULL`.
///
/// # Safety
///
/// `enrollment` is `NULL` or an enrollment view not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_enrollment_setup_key_copy(
    enrollment: *const shikaku_enrollment,
) -> *const c_char {
    enrollment_text(enrollment, |e| &e.setup_key_copy)
}

/// The `otpauth://totp/…` URI the QR code holds. A secret. Borrowed; `NULL` for `NULL`.
///
/// # Safety
///
/// `enrollment` is `NULL` or an enrollment view not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_enrollment_otpauth_uri(
    enrollment: *const shikaku_enrollment,
) -> *const c_char {
    enrollment_text(enrollment, |e| &e.otpauth_uri)
}

/// The QR code as an inline SVG document. Encodes the secret. Borrowed; `NULL` for `NULL`.
///
/// # Safety
///
/// `enrollment` is `NULL` or an enrollment view not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_enrollment_qr_svg(
    enrollment: *const shikaku_enrollment,
) -> *const c_char {
    enrollment_text(enrollment, |e| &e.qr_svg)
}

/// Frees an enrollment view, zeroing its strings. `NULL` is ignored.
///
/// # Safety
///
/// `enrollment` is `NULL` or an enrollment view not yet freed; it is not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_enrollment_free(enrollment: *mut shikaku_enrollment) {
    shield((), || {
        if !enrollment.is_null() {
            // SAFETY: made by `Box::into_raw` in `shikaku_enrollment`, freed once by contract.
            drop(unsafe { Box::from_raw(enrollment) });
        }
    });
}
