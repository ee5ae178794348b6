//! The crate's one error type.

use core::fmt;

use time::Duration;

/// Why a policy value was refused.
///
/// Returned by [`LockoutPolicy::new`](crate::LockoutPolicy::new),
/// [`IdleTimeout::new`](crate::IdleTimeout::new) and by deserialising either of
/// them: a stored or configured policy goes through the same validation as one
/// built in code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A lockout threshold of zero failures would lock every account before
    /// its first attempt. The threshold must be at least 1.
    ZeroThreshold,
    /// The lock duration must be longer than zero.
    NonPositiveLockDuration(Duration),
    /// The idle timeout must be longer than zero.
    NonPositiveIdleTimeout(Duration),
    /// A serialised duration's `duration_nanos` part was not below one second.
    NanosecondsOutOfRange(u32),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ZeroThreshold => {
                f.write_str("the lockout threshold must be at least 1 failure, got 0")
            }
            Self::NonPositiveLockDuration(d) => {
                write!(f, "the lock duration must be longer than zero, got {d}")
            }
            Self::NonPositiveIdleTimeout(d) => {
                write!(f, "the idle timeout must be longer than zero, got {d}")
            }
            Self::NanosecondsOutOfRange(n) => write!(
                f,
                "duration_nanos must be below 1000000000 (one second), got {n}"
            ),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_rule_and_the_value() {
        assert_eq!(
            Error::ZeroThreshold.to_string(),
            "the lockout threshold must be at least 1 failure, got 0"
        );
        assert_eq!(
            Error::NonPositiveLockDuration(Duration::minutes(-5)).to_string(),
            "the lock duration must be longer than zero, got -5m"
        );
        assert_eq!(
            Error::NonPositiveIdleTimeout(Duration::ZERO).to_string(),
            "the idle timeout must be longer than zero, got 0s"
        );
        assert_eq!(
            Error::NanosecondsOutOfRange(1_000_000_000).to_string(),
            "duration_nanos must be below 1000000000 (one second), got 1000000000"
        );
    }
}
