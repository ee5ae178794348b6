//! This crate's error type, and the mapping of SQLite's errors onto [`StoreError`].
//!
//! No `rusqlite` type crosses the public API: everything SQLite reports becomes a
//! [`StoreError`] (for the [`Store`](shikaku::Store) methods) or an [`Error`] (for
//! opening a database and its key file), with a message an operator can act on.

use std::fmt;
use std::io;
use std::path::PathBuf;

use rusqlite::ffi;
use shikaku::StoreError;

/// Why a database or its key file could not be opened.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The database could not be opened, configured or migrated.
    Store(StoreError),
    /// The database was written by a newer version of this crate.
    SchemaTooNew {
        /// The database's schema version (`PRAGMA user_version`).
        found: u32,
        /// The newest schema version this build knows.
        supported: u32,
    },
    /// A read-only open found a schema older than this build's; it must be opened
    /// read-write once so the migrations can run.
    SchemaOutdated {
        /// The database's schema version.
        found: u32,
        /// The schema version this build needs.
        expected: u32,
    },
    /// The file is an SQLite database, but not a shikaku one.
    NotShikaku {
        /// The database file.
        path: PathBuf,
    },
    /// The key file can be read by other users than its owner.
    KeyFileExposed {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The key file does not hold master keys (one as 64 hex digits, or `ID HEX` lines),
    /// or is not a regular file.
    KeyFileMalformed {
        /// The key file.
        path: PathBuf,
        /// What is wrong (never the file's content).
        why: String,
    },
    /// The key file changed between reading it and replacing it (another `shikaku key`
    /// command ran at the same time); nothing was written.
    KeyFileChanged {
        /// The key file.
        path: PathBuf,
    },
    /// The database holds accounts but the key file that seals their secrets is gone.
    KeyFileMissing {
        /// Where the key file was expected.
        path: PathBuf,
    },
    /// Reading or writing a file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// What the operating system said.
        source: io::Error,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Store(e) => write!(f, "{e}"),
            Self::SchemaTooNew { found, supported } => write!(
                f,
                "the database has schema version {found}, but this build understands at most \
                 version {supported}; upgrade shikaku instead of opening it with an older version"
            ),
            Self::SchemaOutdated { found, expected } => write!(
                f,
                "the database has schema version {found} and this build needs version {expected}; \
                 open it read-write once to migrate it"
            ),
            Self::NotShikaku { path } => write!(
                f,
                "{} is an SQLite database of another application, not a shikaku database",
                path.display()
            ),
            Self::KeyFileExposed { path, mode } => write!(
                f,
                "the key file {} has mode {:04o} and can be read by other users; \
                 refusing to use it (run `chmod 600 {}` if it has not leaked)",
                path.display(),
                mode & 0o7777,
                path.display()
            ),
            Self::KeyFileMalformed { path, why } => write!(
                f,
                "the key file {} must be a regular file holding master keys (one as 64 \
                 hex digits, or lines `ID HEX`): {why}",
                path.display()
            ),
            Self::KeyFileChanged { path } => write!(
                f,
                "the key file {} changed while this command ran; nothing was written: \
                 run it again",
                path.display()
            ),
            Self::KeyFileMissing { path } => write!(
                f,
                "the database already holds accounts but its key file {} is missing; \
                 restore it from a backup (a new key could not open the stored secrets)",
                path.display()
            ),
            Self::Io {
                path,
                action,
                source,
            } => {
                write!(f, "could not {action} {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Store(e) => Some(e),
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// Maps an SQLite error met while doing `op` onto a [`StoreError`].
///
/// * a UNIQUE or PRIMARY KEY violation → [`StoreError::Conflict`] (the unique
///   constraints a caller can hit: an account's 機関コード + ログイン ID, an imported
///   account's id, an API key's digest);
/// * busy, locked, read-only, full, I/O, permission, out of memory →
///   [`StoreError::Unavailable`] with what to check;
/// * a malformed file, a value of the wrong type, any other constraint →
///   [`StoreError::Corrupt`].
pub(crate) fn map_sql(op: &str, e: &rusqlite::Error) -> StoreError {
    use ffi::ErrorCode as C;
    use rusqlite::Error as E;
    let unavailable = |why: &str| StoreError::Unavailable(format!("{op}: {why}"));
    let corrupt = |why: String| StoreError::Corrupt(format!("{op}: {why}"));
    match e {
        E::SqliteFailure(err, message) => {
            let detail = message.as_deref().unwrap_or("");
            match err.code {
                C::ConstraintViolation
                    if matches!(
                        err.extended_code,
                        ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                    ) =>
                {
                    StoreError::Conflict
                }
                C::ConstraintViolation => corrupt(format!("a constraint failed ({detail})")),
                C::DatabaseBusy if err.extended_code == ffi::SQLITE_BUSY_SNAPSHOT => unavailable(
                    "another connection wrote between this transaction's read and its write; \
                     retry",
                ),
                C::DatabaseBusy | C::DatabaseLocked => unavailable(
                    "the database stayed locked by another connection for longer than the \
                     busy timeout; retry, and check for a stuck process holding it",
                ),
                C::ReadOnly => unavailable(
                    "the database is read-only (opened read-only, a read-only file or mount, \
                     or a -wal/-shm file that cannot be written); writes are refused",
                ),
                C::DiskFull => unavailable("the disk is full; free space and retry"),
                C::SystemIoFailure => unavailable(&format!(
                    "a disk I/O error occurred ({detail}); check the disk"
                )),
                C::CannotOpen => {
                    unavailable(&format!("the database file cannot be opened ({detail})"))
                }
                C::PermissionDenied | C::AuthorizationForStatementDenied => {
                    unavailable("permission to the database file was denied")
                }
                C::OutOfMemory => unavailable("SQLite ran out of memory"),
                C::FileLockingProtocolFailed => {
                    unavailable("file locking failed; the database must be on a local file system")
                }
                C::DatabaseCorrupt | C::NotADatabase => corrupt(format!(
                    "the database file is malformed ({detail}); restore it from a backup"
                )),
                C::TypeMismatch | C::TooBig => corrupt(format!("a value does not fit ({detail})")),
                _ => unavailable(&format!("SQLite failed: {e}")),
            }
        }
        E::FromSqlConversionFailure(..)
        | E::IntegralValueOutOfRange(..)
        | E::Utf8Error(..)
        | E::InvalidColumnType(..) => corrupt(format!("a column holds an unexpected value: {e}")),
        _ => unavailable(&format!("SQLite failed: {e}")),
    }
}

/// Shorthand: a closure mapping SQLite errors met while doing `op`.
pub(crate) fn sql(op: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| map_sql(op, &e)
}
