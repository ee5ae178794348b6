//! Error objects: what a failed call hands back, and their accessors.

use std::ffi::c_char;
use std::ptr;

use shikaku::password::Violation;

use crate::failure::Failure;
use crate::guard::{CText, shield};
use crate::messages::{Context, Lang};
use crate::types::{shikaku_lang, shikaku_status};

use super::names::status_name;

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
