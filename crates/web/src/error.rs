//! The crate's error type.

use std::fmt;

/// What `Retry-After` says on every 503 (the store cannot answer right now), page and
/// JSON API alike: seconds.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// Errors from configuring the web layer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A configured origin is not `http(s)://host[:port]`.
    InvalidOrigin {
        /// The value given.
        origin: String,
    },
    /// Something inside the server failed (a pool closed, a task panicked).
    Internal(&'static str),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidOrigin { origin } => write!(
                f,
                "invalid origin {origin:?}: expected scheme://host[:port] with scheme http or https \
                 and no path, query, fragment or user info"
            ),
            Error::Internal(what) => write!(f, "internal error: {what}"),
        }
    }
}

impl std::error::Error for Error {}
