//! The plain data of the C ABI: status codes, languages, tokens and the caller-allocated
//! result structures. Everything here is `#[repr(C)]` (or a `uint32_t`) and holds no
//! pointer that the caller must free, except `shikaku_bytes` and
//! `shikaku_account_list`, whose free functions are named on them.

use std::ffi::c_char;

/// The outcome of a call: `SHIKAKU_STATUS_OK` (0) or why not.
///
/// The numbers are stable. Codes 1–19 are the manual's answers (a wrong password, a lock,
/// …), named as the JSON API's `error` codes (where the API says `unauthenticated`, this
/// says `login_expired` or `session_unknown`); 20–29 are mistakes of the calling program;
/// 30 and up are failures of the environment (configuration, database) or of shikaku.
/// `shikaku_status_name` gives each its snake_case name.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum shikaku_status {
    /// Success.
    Ok = 0,
    /// Wrong password or unknown account (the same answer for both); for a password
    /// change, the current password is wrong. Counts toward the password lock.
    InvalidCredentials = 1,
    /// Wrong or replayed passcode (each is accepted once). Counts toward the passcode lock.
    InvalidPasscode = 2,
    /// 3 consecutive wrong passwords or passcodes: the account is locked for 30 minutes.
    /// `shikaku_error_locked_until` says until when.
    Locked = 3,
    /// An administrator disabled the account (said only after the right password).
    AccountDisabled = 4,
    /// No Authenticator is registered yet: log in with the password and register first.
    EnrollmentRequired = 5,
    /// An Authenticator is already registered: send a passcode.
    AlreadyEnrolled = 6,
    /// An administrator reset the password: change it before anything else.
    PasswordChangeRequired = 7,
    /// The password breaks the password rules; the error lists every broken rule.
    PasswordPolicy = 8,
    /// The login token is unknown, used or expired: start again with the password.
    LoginExpired = 9,
    /// The session ended after 30 minutes without activity.
    SessionExpired = 10,
    /// The session ended because the account logged in again.
    SessionSuperseded = 11,
    /// The session token is unknown or logged out.
    SessionUnknown = 12,
    /// No account with this institution code and login ID (administration).
    UnknownAccount = 13,
    /// An account with this institution code and login ID already exists (provision).
    AccountExists = 14,
    /// A required pointer argument is `NULL`.
    NullArgument = 20,
    /// A string argument is not valid UTF-8.
    InvalidUtf8 = 21,
    /// An argument is out of range (an unknown language, a token that is not 64 hex
    /// digits, a buffer too small).
    InvalidArgument = 22,
    /// The institution code is not the configured number of digits.
    MalformedInstitutionCode = 23,
    /// The login ID is empty, too long or has a character outside `A-Za-z0-9._-@`.
    MalformedLoginId = 24,
    /// The passcode is not 6 digits. Not counted toward any lock.
    MalformedPasscode = 25,
    /// The service handle is closed or not a service handle.
    InvalidHandle = 26,
    /// The configuration file cannot be read or is invalid.
    Config = 30,
    /// The database or its key file cannot be opened (see the message).
    OpenFailed = 31,
    /// Not supported by this build (for example a PostgreSQL URL).
    Unsupported = 32,
    /// The database cannot be read or written now (disk full, read-only, locked).
    StoreUnavailable = 33,
    /// A stored record cannot be understood.
    StoreCorrupt = 34,
    /// An internal failure (sealing, hashing or rendering); the message says which.
    Internal = 40,
    /// A bug: shikaku panicked, and the panic was stopped at the boundary.
    Panic = 41,
}

/// A language for messages: `SHIKAKU_LANG_JA` (0) or `SHIKAKU_LANG_EN` (1).
///
/// A plain `uint32_t` so that any value a caller passes is defined behaviour; other
/// values are refused with `SHIKAKU_STATUS_INVALID_ARGUMENT`.
pub type shikaku_lang = u32;

/// Japanese (the default).
pub const SHIKAKU_LANG_JA: shikaku_lang = 0;
/// English.
pub const SHIKAKU_LANG_EN: shikaku_lang = 1;

/// A login token or a session token: 256 random bits.
///
/// Caller-owned. It is a bearer credential: keep it in memory only, and wipe it with
/// `shikaku_token_clear` when done. The JSON API's text
/// form (64 lowercase hex digits) comes from
/// `shikaku_token_to_hex`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct shikaku_token {
    /// The 32 bytes.
    pub bytes: [u8; 32],
}

/// Which screen follows the password.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum shikaku_next {
    /// Not set (a zeroed structure).
    None = 0,
    /// No Authenticator yet: [Authenticator 登録], then a passcode confirms it.
    Enroll = 1,
    /// An Authenticator is registered: ask for the 6-digit passcode.
    Passcode = 2,
}

/// Which print confirmation 《Authenticator 登録確認に進む》 shows.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum shikaku_print_prompt {
    /// Not set (a zeroed structure).
    None = 0,
    /// 初回: 「印刷する」「印刷せずに確認へ進む」.
    FirstTime = 1,
    /// 2 回目以降: 「確認へ進む」.
    Later = 2,
}

/// 機関コード and ログイン ID, normalised, as NUL-terminated ASCII inside the structure
/// (an institution code has at most 32 digits, a login ID at most 64 characters).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct shikaku_identity {
    /// 機関コード.
    pub institution_code: [c_char; 33],
    /// ログイン ID.
    pub login_id: [c_char; 65],
}

/// The answer to a password login that was accepted.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct shikaku_login {
    /// Enrollment or passcode.
    pub next: shikaku_next,
    /// The login token, for the enrollment calls and the passcode.
    pub token: shikaku_token,
    /// When the login token stops working (unix seconds).
    pub expires_at: i64,
}

/// A session opened by the right passcode.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct shikaku_session_grant {
    /// The session token.
    pub token: shikaku_token,
    /// When the session ends unless used (unix seconds); every check extends it.
    pub expires_at: i64,
    /// This passcode completed the Authenticator registration (MFA 登録完了).
    pub enrolled: bool,
    /// An administrator reset the password: go to `[パスワード変更]` first.
    pub must_change_password: bool,
}

/// An active session, as `shikaku_session_check` found it.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct shikaku_session_info {
    /// Whose session.
    pub account: shikaku_identity,
    /// When it ends unless used again (unix seconds).
    pub expires_at: i64,
    /// The user must change the password before anything else.
    pub must_change_password: bool,
}

/// The verified identity of a one-call authentication.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct shikaku_authentication {
    /// Who.
    pub account: shikaku_identity,
    /// When (unix seconds).
    pub authenticated_at: i64,
}

/// One account, as `shikaku user list` shows it.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct shikaku_account {
    /// 機関コード and ログイン ID.
    pub account: shikaku_identity,
    /// An Authenticator is registered.
    pub enrolled: bool,
    /// Disabled by an administrator.
    pub disabled: bool,
    /// Must change the password at the next login.
    pub must_change_password: bool,
    /// `drift` is set (an Authenticator is registered).
    pub has_drift: bool,
    /// Clock drift of the newest accepted passcode, in 30-second steps.
    pub drift: i64,
    /// When the password lock lifts (unix seconds), or 0 when not locked.
    pub password_locked_until: i64,
    /// When the passcode lock lifts (unix seconds), or 0 when not locked.
    pub passcode_locked_until: i64,
    /// When the account was created (unix seconds).
    pub created_at: i64,
}

/// Every account: `len` entries at `items`. Owned by the caller; free it with
/// `shikaku_account_list_free`.
#[repr(C)]
pub struct shikaku_account_list {
    /// The accounts (`NULL` when `len` is 0).
    pub items: *mut shikaku_account,
    /// How many.
    pub len: usize,
}

/// Bytes returned by shikaku (the QR code as PNG). Owned by the caller; free it with
/// `shikaku_bytes_free`, which zeroes them first.
#[repr(C)]
pub struct shikaku_bytes {
    /// The bytes (`NULL` when `len` is 0).
    pub data: *mut u8,
    /// How many.
    pub len: usize,
}

impl shikaku_identity {
    pub(crate) const fn empty() -> Self {
        Self {
            institution_code: [0; 33],
            login_id: [0; 65],
        }
    }

    pub(crate) fn of(key: &shikaku::AccountKey) -> Self {
        let mut out = Self::empty();
        copy_c(&mut out.institution_code, key.institution_code.as_str());
        copy_c(&mut out.login_id, key.login_id.as_str());
        out
    }
}

/// Copies `text` into a fixed NUL-terminated field, truncated to fit (identifiers are
/// ASCII and within the bounds by construction).
fn copy_c(field: &mut [c_char], text: &str) {
    let room = field.len().saturating_sub(1);
    for (slot, byte) in field.iter_mut().zip(text.bytes().take(room)) {
        *slot = c_char::from_ne_bytes([byte]);
    }
    if let Some(last) = field.get_mut(text.len().min(room)) {
        *last = 0;
    }
}
