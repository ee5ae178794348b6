//! Token helpers: to and from the JSON API's hex, and wiping.

use std::ffi::c_char;

use zeroize::Zeroize;

use crate::failure::Failure;
use crate::guard::{self, ErrorSlot, Out, shield};
use crate::messages;
use crate::types::{shikaku_status, shikaku_token};

use super::error::shikaku_error;

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
