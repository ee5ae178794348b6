//! The crate's one error type.

use core::fmt;

/// Everything that can go wrong in this crate other than a refused password.
///
/// A password that breaks the rules is not an error of the program: it is a
/// [`Violations`](crate::Violations) list to show the user. `Error` covers
/// configuration mistakes (a policy or hasher built with impossible numbers),
/// stored data that cannot be used (a malformed PHC string), and failures of
/// the hashing machinery itself.
///
/// Dependency error types never appear here; the variants carry a short,
/// static description instead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A [`PolicyBuilder`](crate::PolicyBuilder) was given numbers or a
    /// special-character set that cannot form a usable policy.
    InvalidPolicy(&'static str),
    /// A [`HasherBuilder`](crate::HasherBuilder) was given argon2 costs or a
    /// worker count outside the supported range.
    InvalidHasherParams(&'static str),
    /// A [`Pepper`](crate::Pepper) was too short or too long.
    InvalidPepper(&'static str),
    /// A stored password hash is not a well-formed PHC string.
    MalformedHash(&'static str),
    /// A stored password hash is well formed but uses an algorithm, version
    /// or parameters this crate does not verify.
    UnsupportedHash(&'static str),
    /// A stored password hash names a pepper (by id) the hasher does not hold:
    /// it cannot be verified until that pepper is given back
    /// ([`HasherBuilder::older_pepper`](crate::HasherBuilder::older_pepper)).
    UnknownPepper(u32),
    /// A requested generated-password length is outside the policy.
    InvalidLength {
        /// The requested length, in characters.
        requested: usize,
        /// The policy's minimum length.
        min: usize,
        /// The policy's maximum length.
        max: usize,
    },
    /// The hashing machinery failed (out of memory, a worker thread could not
    /// be joined, …).
    Hashing(&'static str),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidPolicy(why) => write!(f, "invalid password policy: {why}"),
            Self::InvalidHasherParams(why) => write!(f, "invalid argon2 parameters: {why}"),
            Self::InvalidPepper(why) => write!(f, "invalid pepper: {why}"),
            Self::MalformedHash(why) => write!(f, "malformed password hash: {why}"),
            Self::UnsupportedHash(why) => write!(f, "unsupported password hash: {why}"),
            Self::UnknownPepper(id) => write!(
                f,
                "the password hash was made with pepper {id}, which this hasher does not hold"
            ),
            Self::InvalidLength {
                requested,
                min,
                max,
            } => write!(
                f,
                "a generated password of {requested} characters is outside the policy's {min}..={max}"
            ),
            Self::Hashing(why) => write!(f, "password hashing failed: {why}"),
        }
    }
}

impl std::error::Error for Error {}
