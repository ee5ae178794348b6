//! Freeing the strings and byte buffers shikaku returns.

use std::ffi::c_char;
use std::ptr;

use zeroize::Zeroize;

use crate::guard::{self, CText, shield};
use crate::types::shikaku_bytes;

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
