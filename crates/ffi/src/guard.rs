//! The boundary: [`ErrorSlot::run`] wraps the body of every fallible entry point (panics caught,
//! the error object written), [`shield`] every infallible one, and the argument readers
//! turn raw pointers into checked Rust values or a [`Failure`].

use std::ffi::{CStr, c_char};
use std::panic::{self, AssertUnwindSafe};
use std::ptr::{self, NonNull};
use std::sync::Arc;

use shikaku::{AccountKey, Token};
use zeroize::Zeroize;

use crate::failure::Failure;
use crate::handle::shikaku_service;
use crate::messages::Context;
use crate::objects::shikaku_error;
use crate::types::{shikaku_status, shikaku_token};

/// Where a fallible entry point puts its error object: the caller's `shikaku_error **`.
pub(crate) struct ErrorSlot(Option<NonNull<*mut shikaku_error>>);

impl ErrorSlot {
    /// Takes the caller's `error` parameter and sets `*error` to null (when `error` is
    /// not null itself), so a success leaves no stale pointer behind.
    ///
    /// # Safety
    ///
    /// `error` is null or valid for writing one pointer for the whole call.
    pub(crate) unsafe fn new(error: *mut *mut shikaku_error) -> Self {
        let slot = NonNull::new(error);
        if let Some(slot) = slot {
            // SAFETY: the caller guarantees that a non-null `error` is valid for writes.
            unsafe { slot.as_ptr().write(ptr::null_mut()) };
        }
        Self(slot)
    }

    /// Runs the body of the entry point: a panic in it becomes [`Failure::Panic`], a
    /// failure its status and (when the caller asked for one) an error object. The body
    /// fills the context once it knows the service, so the message is in the service's
    /// language and quotes its numbers.
    pub(crate) fn run<F>(self, body: F) -> shikaku_status
    where
        F: FnOnce(&mut Context) -> Result<(), Failure>,
    {
        let mut context = Context::default();
        let failure = match panic::catch_unwind(AssertUnwindSafe(|| body(&mut context))) {
            Ok(Ok(())) => return shikaku_status::Ok,
            Ok(Err(failure)) => failure,
            Err(_payload) => Failure::Panic,
        };
        let status = failure.status();
        if let Some(slot) = self.0 {
            let object = panic::catch_unwind(AssertUnwindSafe(|| {
                Box::into_raw(Box::new(shikaku_error::new(failure, &context)))
            }))
            .unwrap_or(ptr::null_mut());
            // SAFETY: valid for writes by the contract of `ErrorSlot::new`.
            unsafe { slot.as_ptr().write(object) };
        }
        status
    }
}

/// Runs the body of an entry point without a status (getters, free functions): a panic
/// answers `fallback`.
pub(crate) fn shield<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    panic::catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// A borrowed, checked service handle; the reference count keeps the service alive for
/// the call even if another thread closes the handle meanwhile.
///
/// # Safety
///
/// `ptr` is null or a handle from `shikaku_open_*` that has not been freed.
pub(crate) unsafe fn service(
    ptr: *const shikaku_service,
    context: &mut Context,
) -> Result<Arc<shikaku_service>, Failure> {
    if ptr.is_null() {
        return Err(Failure::NullArgument("service"));
    }
    // SAFETY: non-null, and the caller guarantees it points to a live `shikaku_service`
    // (a closed one still allocated fails the tag check instead).
    let handle = unsafe { &*ptr };
    if !handle.is_open() {
        return Err(Failure::InvalidHandle("service"));
    }
    // SAFETY: `ptr` came from `Arc::into_raw` in `shikaku_open_*` and that reference is
    // still held (the handle is open), so adding one and taking it back is balanced.
    let arc = unsafe {
        Arc::increment_strong_count(ptr);
        Arc::from_raw(ptr)
    };
    context.lang = arc.lang();
    context.idle = arc.facade().config().idle_timeout.duration();
    Ok(arc)
}

/// A borrowed UTF-8 C string.
///
/// # Safety
///
/// `ptr` is null or a NUL-terminated string that stays valid and unchanged for `'a`.
pub(crate) unsafe fn text<'a>(ptr: *const c_char, name: &'static str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::NullArgument(name));
    }
    // SAFETY: non-null and NUL-terminated by the caller's contract.
    let c = unsafe { CStr::from_ptr(ptr) };
    c.to_str().map_err(|_| Failure::InvalidUtf8(name))
}

/// An optional borrowed UTF-8 C string (`NULL` = none).
///
/// # Safety
///
/// As [`text`].
pub(crate) unsafe fn optional_text<'a>(
    ptr: *const c_char,
    name: &'static str,
) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded contract.
    unsafe { text(ptr, name) }.map(Some)
}

/// A token passed in.
///
/// # Safety
///
/// `ptr` is null or valid for reading a `shikaku_token`.
pub(crate) unsafe fn token(
    ptr: *const shikaku_token,
    name: &'static str,
) -> Result<Token, Failure> {
    if ptr.is_null() {
        return Err(Failure::NullArgument(name));
    }
    // SAFETY: non-null and readable by the caller's contract; any 32 bytes are a token.
    let mut bytes = unsafe { ptr.read_unaligned() }.bytes;
    let token = Token::from_bytes(bytes);
    bytes.zeroize();
    Ok(token)
}

/// 機関コード + ログイン ID as typed, parsed with the service's configuration.
///
/// # Safety
///
/// As [`text`] for both pointers.
pub(crate) unsafe fn account_key(
    service: &shikaku_service,
    institution_code: *const c_char,
    login_id: *const c_char,
) -> Result<AccountKey, Failure> {
    // SAFETY: forwarded contract.
    let code = unsafe { text(institution_code, "institution_code") }?;
    // SAFETY: forwarded contract.
    let id = unsafe { text(login_id, "login_id") }?;
    Ok(service.facade().config().account_key(code, id)?)
}

/// An out-parameter checked for null and already holding a defined value, so the caller
/// never reads garbage after a failure.
pub(crate) struct Out<T>(NonNull<T>);

impl<T> Out<T> {
    /// # Safety
    ///
    /// `ptr` is null or valid for writing a `T` (alignment included) for the whole call.
    pub(crate) unsafe fn required(
        ptr: *mut T,
        name: &'static str,
        initial: T,
    ) -> Result<Self, Failure> {
        let out = Self(NonNull::new(ptr).ok_or(Failure::NullArgument(name))?);
        out.set(initial);
        Ok(out)
    }

    /// `None` when the caller passed null (it does not want this output, or — for a
    /// required one — the call fails once the service is known, so the message is in its
    /// language).
    ///
    /// # Safety
    ///
    /// As [`Out::required`].
    pub(crate) unsafe fn optional(ptr: *mut T, initial: T) -> Option<Self> {
        let out = Self(NonNull::new(ptr)?);
        out.set(initial);
        Some(out)
    }

    /// Writes the value (the old one is plain data or null and is not dropped).
    pub(crate) fn set(&self, value: T) {
        // SAFETY: valid for writes by the constructors' contract.
        unsafe { self.0.as_ptr().write(value) };
    }
}

/// Text in memory shikaku owns: NUL-terminated, wiped when dropped.
pub(crate) struct CText(Box<[u8]>);

impl CText {
    /// The text up to its first NUL (strings from C never hold one), NUL-terminated.
    pub(crate) fn new(text: &str) -> Self {
        let end = text.find('\0').unwrap_or(text.len());
        let mut bytes = Vec::with_capacity(end + 1);
        bytes.extend_from_slice(&text.as_bytes()[..end]);
        bytes.push(0);
        Self(bytes.into_boxed_slice())
    }

    pub(crate) fn as_ptr(&self) -> *const c_char {
        self.0.as_ptr().cast()
    }

    /// Hands the text to the caller, who frees it with `shikaku_string_free`.
    pub(crate) fn into_raw(self) -> *mut c_char {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: the box is moved out of a `ManuallyDrop` that is never used again, so
        // it is owned exactly once (by the caller, until `shikaku_string_free`).
        let boxed = unsafe { ptr::read(&this.0) };
        Box::into_raw(boxed).cast()
    }

    /// Takes back a string handed out by [`CText::into_raw`].
    ///
    /// # Safety
    ///
    /// `ptr` came from [`CText::into_raw`], was not freed, and its bytes up to the NUL
    /// were not changed (the length is recomputed from the NUL).
    pub(crate) unsafe fn from_raw(ptr: *mut c_char) -> Self {
        // SAFETY: NUL-terminated by construction.
        let len = unsafe { CStr::from_ptr(ptr) }.to_bytes_with_nul().len();
        // SAFETY: the allocation is the `Box<[u8]>` of exactly `len` bytes made by
        // `into_raw`, returned here once.
        Self(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(ptr.cast::<u8>(), len)) })
    }
}

impl Drop for CText {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Hands `bytes` to the caller as a raw `(pointer, length)`; `(NULL, 0)` when empty.
pub(crate) fn boxed_slice_into_raw<T>(items: Vec<T>) -> (*mut T, usize) {
    if items.is_empty() {
        return (ptr::null_mut(), 0);
    }
    let boxed = items.into_boxed_slice();
    let len = boxed.len();
    (Box::into_raw(boxed).cast(), len)
}

/// Takes back what [`boxed_slice_into_raw`] handed out.
///
/// # Safety
///
/// `(data, len)` came from [`boxed_slice_into_raw`] with the same `T` and was not freed;
/// `data` is not null.
pub(crate) unsafe fn boxed_slice_from_raw<T>(data: *mut T, len: usize) -> Box<[T]> {
    // SAFETY: the allocation is that boxed slice, returned here once.
    unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(data, len)) }
}
