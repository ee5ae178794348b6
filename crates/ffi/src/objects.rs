//! The objects shikaku hands out and their accessors and free functions: error objects,
//! enrollment views, strings, byte buffers; token helpers; the version and the status
//! names.

use std::ffi::{CStr, c_char};
use std::ptr;

use shikaku::password::Violation;
use zeroize::Zeroize;

use crate::failure::Failure;
use crate::guard::{self, CText, ErrorSlot, Out, shield};
use crate::messages::{self, Context, Lang};
use crate::types::{shikaku_bytes, shikaku_lang, shikaku_status, shikaku_token};

/// Why a call failed: a status, its messages in Japanese and English, when a lock lifts,
/// and the broken password rules. Opaque; made by the call that failed, owned by the
/// caller, freed with `shikaku_error_free`. Strings read from it live as long as it.
pub struct shikaku_error {
    status: shikaku_status,
    lang: Lang,
    message_ja: CText,
    message_en: CText,
    locked_until: i64,
    violations: Vec<ViolationText>,
}

struct ViolationText {
    code: CText,
    ja: CText,
    en: CText,
}

impl ViolationText {
    fn new(violation: &Violation) -> Self {
        Self {
            code: CText::new(violation.code().as_str()),
            ja: CText::new(&violation.message_ja()),
            en: CText::new(&violation.message_en()),
        }
    }
}

impl shikaku_error {
    pub(crate) fn new(failure: Failure, context: &Context) -> Self {
        let locked_until = failure.locked_until().map_or(0, unix_seconds_ceil);
        Self {
            status: failure.status(),
            lang: context.lang,
            message_ja: CText::new(&failure.message(Lang::Ja, context)),
            message_en: CText::new(&failure.message(Lang::En, context)),
            locked_until,
            violations: failure
                .into_violations()
                .iter()
                .map(ViolationText::new)
                .collect(),
        }
    }

    fn message(&self, lang: Lang) -> *const c_char {
        match lang {
            Lang::Ja => self.message_ja.as_ptr(),
            Lang::En => self.message_en.as_ptr(),
        }
    }
}

/// An instant as unix seconds, rounded up (a lock's end: never shown too early).
pub(crate) fn unix_seconds_ceil(at: time::OffsetDateTime) -> i64 {
    let seconds = at.unix_timestamp();
    if at.nanosecond() > 0 {
        seconds.saturating_add(1)
    } else {
        seconds
    }
}

/// # Safety
///
/// `error` is null or an error object not yet freed.
unsafe fn error_ref<'a>(error: *const shikaku_error) -> Option<&'a shikaku_error> {
    // SAFETY: null or live, by the caller's contract.
    unsafe { error.as_ref() }
}

/// The status of an error (`SHIKAKU_STATUS_NULL_ARGUMENT` for `NULL`).
///
/// # Safety
///
/// `error` is `NULL` or an error object not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_error_status(error: *const shikaku_error) -> shikaku_status {
    shield(shikaku_status::Panic, || {
        // SAFETY: per this function's contract.
        unsafe { error_ref(error) }.map_or(shikaku_status::NullArgument, |e| e.status)
    })
}

/// The stable snake_case name of an error's status (`"locked"`, `"password_policy"`, …):
/// a static string, never freed. `"null_argument"` for `NULL`.
///
/// # Safety
///
/// `error` is `NULL` or an error object not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_error_name(error: *const shikaku_error) -> *const c_char {
    // SAFETY: per this function's contract.
    let status = unsafe { shikaku_error_status(error) };
    shield(c"unknown".as_ptr(), || status_name(status as u32).as_ptr())
}

/// The message for people, in the language of the service that made the error (Japanese
/// for errors made without one). Borrowed from `error`; `NULL` for `NULL`.
///
/// # Safety
///
/// `error` is `NULL` or an error object not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_error_message(error: *const shikaku_error) -> *const c_char {
    shield(ptr::null(), || {
        // SAFETY: per this function's contract.
        unsafe { error_ref(error) }.map_or(ptr::null(), |e| e.message(e.lang))
    })
}

/// The message in `lang` (`SHIKAKU_LANG_JA` or `SHIKAKU_LANG_EN`). Borrowed from `error`;
/// `NULL` for a `NULL` error or an unknown language.
///
/// # Safety
///
/// `error` is `NULL` or an error object not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_error_message_in(
    error: *const shikaku_error,
    lang: shikaku_lang,
) -> *const c_char {
    shield(ptr::null(), || {
        // SAFETY: per this function's contract.
        match (unsafe { error_ref(error) }, Lang::from_c(lang)) {
            (Some(e), Some(lang)) => e.message(lang),
            _ => ptr::null(),
        }
    })
}

/// When the lock lifts, in unix seconds rounded up, for `SHIKAKU_STATUS_LOCKED`; 0 for
/// any other error and for `NULL`.
///
/// # Safety
///
/// `error` is `NULL` or an error object not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_error_locked_until(error: *const shikaku_error) -> i64 {
    shield(0, || {
        // SAFETY: per this function's contract.
        unsafe { error_ref(error) }.map_or(0, |e| e.locked_until)
    })
}

/// How many broken password rules `SHIKAKU_STATUS_PASSWORD_POLICY` lists (0 otherwise).
///
/// # Safety
///
/// `error` is `NULL` or an error object not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_error_violation_count(error: *const shikaku_error) -> usize {
    shield(0, || {
        // SAFETY: per this function's contract.
        unsafe { error_ref(error) }.map_or(0, |e| e.violations.len())
    })
}

/// The stable code of broken rule `index` (`"too_short"`, `"missing_digit"`,
/// `"reused_generation"`, … — docs/password-policy.md). Borrowed from `error`; `NULL`
/// when `index` is out of range.
///
/// # Safety
///
/// `error` is `NULL` or an error object not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_error_violation_code(
    error: *const shikaku_error,
    index: usize,
) -> *const c_char {
    shield(ptr::null(), || {
        // SAFETY: per this function's contract.
        unsafe { error_ref(error) }
            .and_then(|e| e.violations.get(index))
            .map_or(ptr::null(), |v| v.code.as_ptr())
    })
}

/// The message of broken rule `index` in `lang`. Borrowed from `error`; `NULL` when
/// `index` is out of range or `lang` unknown. It may quote a refused character of the
/// password: show it to the user, do not log it (log the code).
///
/// # Safety
///
/// `error` is `NULL` or an error object not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_error_violation_message(
    error: *const shikaku_error,
    index: usize,
    lang: shikaku_lang,
) -> *const c_char {
    shield(ptr::null(), || {
        // SAFETY: per this function's contract.
        let violation = unsafe { error_ref(error) }.and_then(|e| e.violations.get(index));
        match (violation, Lang::from_c(lang)) {
            (Some(v), Some(Lang::Ja)) => v.ja.as_ptr(),
            (Some(v), Some(Lang::En)) => v.en.as_ptr(),
            _ => ptr::null(),
        }
    })
}

/// Frees an error object (its texts are zeroed first). `NULL` is ignored.
///
/// # Safety
///
/// `error` is `NULL` or an error object not yet freed; it is not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_error_free(error: *mut shikaku_error) {
    shield((), || {
        if !error.is_null() {
            // SAFETY: made by `Box::into_raw` in `guard::run`, freed once by contract.
            drop(unsafe { Box::from_raw(error) });
        }
    });
}

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

/// Frees a string shikaku returned as `char *` (an initial password, the print sheet),
/// zeroing it first. `NULL` is ignored.
///
/// # Safety
///
/// `text` is `NULL` or a `char *` returned by shikaku, not yet freed and not modified.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_string_free(text: *mut c_char) {
    shield((), || {
        if !text.is_null() {
            // SAFETY: handed out by `CText::into_raw`, unmodified and freed once by contract.
            drop(unsafe { CText::from_raw(text) });
        }
    });
}

/// Frees a byte buffer shikaku returned, zeroing it first, and sets it to `{NULL, 0}`.
/// `NULL` and an empty buffer are ignored.
///
/// # Safety
///
/// `bytes` is `NULL` or points to a `shikaku_bytes` filled by shikaku and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_bytes_free(bytes: *mut shikaku_bytes) {
    shield((), || {
        // SAFETY: null or valid by contract.
        let Some(bytes) = (unsafe { bytes.as_mut() }) else {
            return;
        };
        if !bytes.data.is_null() {
            // SAFETY: made by `guard::boxed_slice_into_raw`, freed once by contract.
            let mut owned = unsafe { guard::boxed_slice_from_raw(bytes.data, bytes.len) };
            owned.zeroize();
        }
        bytes.data = ptr::null_mut();
        bytes.len = 0;
    });
}

/// Writes a token as the JSON API's text: 64 lowercase hex digits and a NUL, into `buf`
/// of `buf_len` bytes (at least 65; else `SHIKAKU_STATUS_INVALID_ARGUMENT`). The text is
/// a bearer credential: wipe the buffer when done.
///
/// # Safety
///
/// `token` is valid for reading a token; `buf` is valid for writing `buf_len` bytes;
/// `error` is `NULL` or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_token_to_hex(
    token: *const shikaku_token,
    buf: *mut c_char,
    buf_len: usize,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|_| {
        // SAFETY: `token` per this function's contract.
        let token = unsafe { guard::token(token, "token") }?;
        if buf.is_null() {
            return Err(Failure::NullArgument("buf"));
        }
        if buf_len < 65 {
            return Err(Failure::InvalidArgument {
                name: "buf_len",
                why: messages::Text {
                    ja: "65 バイト以上のバッファを渡してください。",
                    en: "the buffer must hold at least 65 bytes.",
                },
            });
        }
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for (i, byte) in token.as_bytes().iter().enumerate() {
            let pair = [
                DIGITS[usize::from(byte >> 4)],
                DIGITS[usize::from(byte & 15)],
            ];
            for (j, digit) in pair.into_iter().enumerate() {
                // SAFETY: `2 * i + j` < 64 < `buf_len`, inside the caller's buffer.
                unsafe { buf.add(2 * i + j).write(c_char::from_ne_bytes([digit])) };
            }
        }
        // SAFETY: 64 < `buf_len`.
        unsafe { buf.add(64).write(0) };
        Ok(())
    })
}

/// Reads a token from the JSON API's text: 64 hex digits (either case), nothing else;
/// else `SHIKAKU_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `hex` is a NUL-terminated string; `out` is valid for writing a token; `error` is
/// `NULL` or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_token_from_hex(
    hex: *const c_char,
    out: *mut shikaku_token,
    error: *mut *mut shikaku_error,
) -> shikaku_status {
    // SAFETY: `error` per this function's contract.
    let error = unsafe { ErrorSlot::new(error) };
    error.run(|_| {
        // SAFETY: `out` per this function's contract.
        let out = unsafe { Out::required(out, "out", shikaku_token::default()) }?;
        // SAFETY: `hex` per this function's contract.
        let text = unsafe { guard::text(hex, "hex") }?.as_bytes();
        let invalid = || Failure::InvalidArgument {
            name: "hex",
            why: messages::Text {
                ja: "トークンは 64 桁の 16 進数で指定してください。",
                en: "a token is 64 hexadecimal digits.",
            },
        };
        if text.len() != 64 {
            return Err(invalid());
        }
        let mut token = shikaku_token::default();
        for (byte, pair) in token.bytes.iter_mut().zip(text.chunks_exact(2)) {
            let digit = |c: u8| char::from(c).to_digit(16).ok_or_else(invalid);
            let value = digit(pair[0])? * 16 + digit(pair[1])?;
            *byte = u8::try_from(value).map_err(|_| invalid())?;
        }
        out.set(token);
        token.bytes.zeroize();
        Ok(())
    })
}

/// Overwrites a token with zeros. `NULL` is ignored.
///
/// # Safety
///
/// `token` is `NULL` or valid for writing a token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shikaku_token_clear(token: *mut shikaku_token) {
    shield((), || {
        // SAFETY: null or valid by contract.
        if let Some(token) = unsafe { token.as_mut() } {
            token.bytes.zeroize();
        }
    });
}

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
