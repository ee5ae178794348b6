//! This crate's error type, and the mapping of PostgreSQL's errors onto [`StoreError`].
//!
//! No `postgres` or `r2d2` type crosses the public API: connecting fails with an
//! [`Error`], every [`Store`](shikaku::Store) method with a [`StoreError`]. Messages
//! name the operation, the SQLSTATE and the constraint or column, never a value: a
//! PostgreSQL `DETAIL` can quote a whole row (a password hash, a sealed secret), so it
//! is never shown, and nothing here ever sees the URL's password.

use std::error::Error as _;
use std::fmt;

use postgres::error::{DbError, SqlState};
use shikaku::StoreError;

/// Why [`PostgresStore::connect`](crate::PostgresStore::connect) failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The URL (or an option) is not usable; the reason names the part, never its value.
    InvalidUrl {
        /// What is wrong.
        reason: String,
    },
    /// A [`PostgresOptions`](crate::PostgresOptions) number is out of range.
    InvalidOptions {
        /// Which, and why.
        reason: String,
    },
    /// TLS could not be set up (trusted roots missing or unreadable).
    Tls {
        /// What is wrong.
        reason: String,
    },
    /// The server could not be reached or refused the login.
    Connect {
        /// `postgres://user@host:port/dbname`, without the password.
        target: String,
        /// What the client or the server said, and what to check.
        reason: String,
    },
    /// A schema migration failed; the database was left at the version before it.
    Migration {
        /// The version being applied.
        version: u32,
        /// What the migration does.
        name: &'static str,
        /// What the server said.
        reason: String,
    },
    /// The database was migrated by a newer version of this crate.
    SchemaTooNew {
        /// The newest version recorded in `schema_migrations`.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidUrl { reason } => write!(f, "invalid PostgreSQL URL: {reason}"),
            Self::InvalidOptions { reason } => write!(f, "invalid PostgreSQL options: {reason}"),
            Self::Tls { reason } => write!(f, "cannot set up TLS to PostgreSQL: {reason}"),
            Self::Connect { target, reason } => {
                write!(f, "could not connect to PostgreSQL at {target}: {reason}")
            }
            Self::Migration {
                version,
                name,
                reason,
            } => write!(
                f,
                "PostgreSQL schema migration {version} ({name}) failed and was rolled back: \
                 {reason}"
            ),
            Self::SchemaTooNew { found, supported } => write!(
                f,
                "the PostgreSQL database has schema version {found}, but this build \
                 understands at most version {supported}; upgrade shikaku on this node \
                 instead of running an older version against it"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// A short description of a client error, safe to show: SQLSTATE and message for a
/// server error (never its `DETAIL`; for data exceptions not even the message, which
/// can quote the value), the client's words and their causes otherwise.
pub(crate) fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return describe_db(db);
    }
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

fn describe_db(db: &DbError) -> String {
    let code = db.code().code();
    let mut text = if code.starts_with("22") {
        format!("the server refused a value (SQLSTATE {code})")
    } else {
        format!("{} (SQLSTATE {code})", db.message())
    };
    if let Some(column) = db.column() {
        text.push_str(&format!(", column {column}"));
    }
    if let Some(hint) = hint(db.code()) {
        text.push_str("; ");
        text.push_str(hint);
    }
    text
}

/// What an operator should check for the usual connection failures.
fn hint(code: &SqlState) -> Option<&'static str> {
    Some(match *code {
        SqlState::INVALID_PASSWORD | SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            "check the user name and password in the URL and the server's pg_hba.conf"
        }
        SqlState::INVALID_CATALOG_NAME => "create the database first (CREATE DATABASE …)",
        SqlState::TOO_MANY_CONNECTIONS => {
            "the server's max_connections is reached; lower pool_size on the nodes or raise it"
        }
        SqlState::INSUFFICIENT_PRIVILEGE => {
            "the user needs CREATE on the schema to migrate and read/write on its tables"
        }
        _ => return None,
    })
}

/// Whether the transaction may simply be run again: a serialization failure or a
/// deadlock, after which the server rolled everything back.
pub(crate) fn is_retryable(e: &postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(&SqlState::T_R_SERIALIZATION_FAILURE | &SqlState::T_R_DEADLOCK_DETECTED)
    )
}

/// Whether a cached prepared statement no longer fits the server: its result type was
/// changed by a schema change (0A000, "cached plan must not change result type") or
/// its name is gone (26000). Either way the server refused it before running it.
/// (0A000 is also "feature not supported" in general, which none of this crate's
/// statements asks for; a second refusal after preparing afresh is not retried.)
pub(crate) fn is_stale_statement(e: &postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(&SqlState::FEATURE_NOT_SUPPORTED | &SqlState::INVALID_SQL_STATEMENT_NAME)
    )
}

/// Maps a client error of operation `op` onto the facade's [`StoreError`].
///
/// * a taken unique key (23505) is `Conflict`;
/// * a value or row the schema refuses (classes 22 and 23) is `Corrupt`;
/// * everything else — the server unreachable, shutting down, out of connections, a
///   statement timeout, a read-only replica — is `Unavailable`.
pub(crate) fn store_error(op: &str, e: &postgres::Error) -> StoreError {
    match e.code() {
        Some(&SqlState::UNIQUE_VIOLATION) => StoreError::Conflict,
        Some(code) if code.code().starts_with("22") || code.code().starts_with("23") => {
            StoreError::Corrupt(format!("{op}: {}", describe(e)))
        }
        Some(&SqlState::QUERY_CANCELED) => StoreError::Unavailable(format!(
            "{op}: the statement timed out (statement_timeout), the database is overloaded \
             or a row is locked by a stuck transaction"
        )),
        _ if e.is_closed() => StoreError::Unavailable(format!(
            "{op}: the connection to PostgreSQL was lost: {}",
            describe(e)
        )),
        _ => StoreError::Unavailable(format!("{op}: {}", describe(e))),
    }
}
