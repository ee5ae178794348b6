//! The facade's one error type.

use std::fmt;

/// Why a store operation failed. Store adapters map their database errors onto these,
/// so no adapter's error type leaks into the public API.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// An account with that 機関コード and ログイン ID already exists.
    Conflict,
    /// The store cannot be read or written right now (disk full, read-only file, locked).
    Unavailable(String),
    /// A stored row could not be understood.
    Corrupt(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Conflict => {
                f.write_str("an account with this institution code and login ID already exists")
            }
            Self::Unavailable(why) => write!(f, "the store is unavailable: {why}"),
            Self::Corrupt(why) => write!(f, "a stored record is corrupt: {why}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// Everything that can go wrong in the facade other than an expected outcome
/// (wrong password, lock, …), which operations return as values.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// 機関コード is not the configured number of digits.
    InvalidInstitutionCode {
        /// Digits expected.
        digits: usize,
    },
    /// ログイン ID is empty, too long or has a character outside `A-Za-z0-9._-@`.
    InvalidLoginId,
    /// The half-finished login (after the password, before the passcode) is unknown or expired.
    LoginExpired,
    /// The session is not active any more (idle, ended by a login elsewhere, logged out).
    SessionEnded(crate::SessionEnd),
    /// This account has no Authenticator registered yet.
    EnrollmentRequired,
    /// This account already has an Authenticator registered.
    AlreadyEnrolled,
    /// No account with this 機関コード and ログイン ID.
    UnknownAccount,
    /// An administrator-supplied initial password breaks the policy.
    InitialPasswordRejected(crate::password::Violations),
    /// The master key is not 32 bytes (64 hex digits).
    InvalidMasterKey,
    /// The master key is not the one this database was created with (its key check
    /// value differs, or it cannot open a stored secret).
    MasterKeyMismatch,
    /// A stored record (a sealed secret, a password hash) was made under a master key
    /// this node does not hold.
    MasterKeyMissing {
        /// The key the record names.
        id: crate::KeyId,
    },
    /// A key file's keys cannot be used as asked (malformed, two keys under one id, no
    /// such key, the current key retired). Never holds key material.
    InvalidKeyRing(String),
    /// A master key cannot be retired: records still use it.
    KeyInUse {
        /// The key.
        id: crate::KeyId,
        /// Its records.
        counts: crate::KeyCounts,
    },
    /// The configuration is inconsistent.
    InvalidConfig(String),
    /// Sealing or opening a secret failed (wrong master key or tampered record).
    Crypto,
    /// Password hashing failed.
    Hashing(String),
    /// Rendering a QR code or the enrollment sheet failed.
    Render(String),
    /// The store failed.
    Store(StoreError),
    /// The API key presented is unknown or revoked (one answer for both).
    Unauthorized,
    /// An API key cannot be created as asked (its name, or an empty scope).
    InvalidApiKey(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidInstitutionCode { digits } => {
                write!(f, "the institution code must be {digits} digits")
            }
            Self::InvalidLoginId => f.write_str(
                "the login ID must be 1 to 64 characters of letters, digits and . _ - @",
            ),
            Self::LoginExpired => f.write_str("the login has expired; enter the password again"),
            Self::SessionEnded(end) => write!(f, "the session is not active: {end}"),
            Self::EnrollmentRequired => {
                f.write_str("no Authenticator is registered for this account")
            }
            Self::AlreadyEnrolled => {
                f.write_str("an Authenticator is already registered for this account")
            }
            Self::UnknownAccount => f.write_str("no such account"),
            Self::InitialPasswordRejected(v) => {
                write!(f, "the initial password breaks the policy: {v}")
            }
            Self::InvalidMasterKey => {
                f.write_str("the master key must be 32 bytes (64 hex digits)")
            }
            Self::MasterKeyMismatch => f.write_str(
                "the master key does not belong to this database (its key check value \
                 differs): start with the key file the database was created with, shared \
                 by every node ([keys] master_key_file / SHIKAKU_MASTER_KEY_FILE)",
            ),
            Self::MasterKeyMissing { id } => write!(
                f,
                "stored records were made under master key {id}, which this node's key file \
                 does not hold: start every node with a key file holding every key in use \
                 (`shikaku key status` lists them)"
            ),
            Self::InvalidKeyRing(why) => write!(f, "master keys: {why}"),
            Self::KeyInUse { id, counts } => write!(
                f,
                "master key {id} is still in use: {} sealed TOTP secrets (`shikaku key \
                 rotate` moves them), {} password hashes (each moves at its user's next \
                 login), {} retired password generations (`--forget-history` drops them)",
                counts.sealed_secrets, counts.password_hashes, counts.retired_generations
            ),
            Self::InvalidConfig(why) => write!(f, "invalid configuration: {why}"),
            Self::Crypto => f.write_str(
                "a sealed secret could not be opened (wrong master key or tampered record)",
            ),
            Self::Hashing(why) => write!(f, "password hashing failed: {why}"),
            Self::Render(why) => write!(f, "rendering failed: {why}"),
            Self::Store(e) => write!(f, "{e}"),
            Self::Unauthorized => f.write_str("the API key is unknown or revoked"),
            Self::InvalidApiKey(why) => write!(f, "invalid API key: {why}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}
