//! The crate's one error type.

use core::fmt;

use crate::secret::{MAX_SECRET_LEN, MIN_SECRET_LEN};
use crate::verifier::{MAX_DIGITS, MAX_WINDOW, MIN_DIGITS};

/// Everything that can go wrong in `shikaku-totp`.
///
/// No variant ever carries secret material: a bad setup key is reported by
/// the offending *character* (which, not being in the base32 alphabet, is not
/// part of any key) and its position, a malformed passcode by nothing at all.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A secret must be 10 to 64 bytes long (RFC 4226 §4 asks for at least
    /// 128 bits and recommends 160; we generate 160).
    SecretLength {
        /// The length that was offered, in bytes.
        len: usize,
    },
    /// The setup key contains a character that is neither a base32 symbol
    /// (A–Z, 2–7, any case, half or full width) nor a tolerated separator
    /// (spaces, hyphens, line breaks) nor trailing `=` padding.
    SetupKeyCharacter {
        /// The offending character.
        character: char,
        /// Its 1-based position, counted in characters of the input as given.
        position: usize,
    },
    /// The setup key has a number of base32 symbols that no byte string
    /// encodes to (1, 3 or 6 more than a multiple of 8), or none at all: a
    /// character was lost or added while copying.
    SetupKeyLength {
        /// How many base32 symbols were found (separators not counted).
        symbols: usize,
    },
    /// The passcode is not exactly the expected number of digits (after
    /// trimming surrounding spaces and converting full-width digits).
    MalformedPasscode,
    /// Only 6 to 8 digit passcodes exist (RFC 4226 §5.3).
    UnsupportedDigits {
        /// The number of digits that was asked for.
        digits: u32,
    },
    /// The verification window is larger than [`MAX_WINDOW`](crate::MAX_WINDOW) steps.
    WindowTooLarge {
        /// The window that was asked for, in steps on each side.
        window: u8,
    },
    /// The text does not start with `otpauth://totp/`.
    NotOtpauthUri,
    /// The URI is an `otpauth://` URI for another kind of one-time password
    /// (for example counter-based `hotp`).
    UnsupportedOtpType {
        /// The type found after `otpauth://` (at most 32 characters of it).
        otp_type: String,
    },
    /// A required URI parameter is absent.
    MissingUriParameter {
        /// The parameter's name.
        name: &'static str,
    },
    /// A URI parameter appears more than once.
    DuplicateUriParameter {
        /// The parameter's name.
        name: &'static str,
    },
    /// A URI parameter or the label has a value this crate cannot use.
    InvalidUriParameter {
        /// The parameter's name (`label` for the path part).
        name: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The URI names an HMAC algorithm other than SHA-1, which the manual's
    /// Authenticator apps use and which is all this crate verifies.
    UnsupportedAlgorithm {
        /// The algorithm named (at most 32 characters of it).
        algorithm: String,
    },
    /// The label's issuer prefix and the `issuer` parameter disagree.
    IssuerMismatch {
        /// The issuer in the label (`ISSUER:account`).
        label: String,
        /// The `issuer=` parameter.
        parameter: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SecretLength { len } => write!(
                f,
                "a TOTP secret must be {MIN_SECRET_LEN} to {MAX_SECRET_LEN} bytes long, not {len}"
            ),
            Self::SetupKeyCharacter {
                character,
                position,
            } => {
                write!(
                    f,
                    "the setup key contains {character:?} (U+{:04X}) at position {position}; \
                     a setup key uses only the letters A-Z and the digits 2-7",
                    u32::from(*character)
                )?;
                match character {
                    '0' | '０' => f.write_str(" (the digit 0 is never used: it is the letter O)"),
                    '1' | '１' => {
                        f.write_str(" (the digit 1 is never used: it is the letter I or L)")
                    }
                    '8' | '８' => f.write_str(" (the digit 8 is never used: it is the letter B)"),
                    '=' | '＝' => f.write_str(" ('=' padding may only come at the end)"),
                    _ => Ok(()),
                }
            }
            Self::SetupKeyLength { symbols: 0 } => f.write_str("the setup key is empty"),
            Self::SetupKeyLength { symbols } => write!(
                f,
                "the setup key has {symbols} characters, which no key has: \
                 a character was probably lost or added while copying it"
            ),
            Self::MalformedPasscode => f.write_str(
                "the passcode must be exactly the digits the Authenticator app shows (6 digits)",
            ),
            Self::UnsupportedDigits { digits } => write!(
                f,
                "a passcode has {MIN_DIGITS} to {MAX_DIGITS} digits, not {digits}"
            ),
            Self::WindowTooLarge { window } => write!(
                f,
                "a verification window of ±{window} steps is too large (at most ±{MAX_WINDOW})"
            ),
            Self::NotOtpauthUri => f.write_str("not an otpauth://totp/ URI"),
            Self::UnsupportedOtpType { otp_type } => write!(
                f,
                "otpauth://{otp_type}/ URIs are not supported; only otpauth://totp/"
            ),
            Self::MissingUriParameter { name } => {
                write!(f, "the otpauth URI has no `{name}` parameter")
            }
            Self::DuplicateUriParameter { name } => {
                write!(f, "the otpauth URI has more than one `{name}` parameter")
            }
            Self::InvalidUriParameter { name, reason } => {
                write!(f, "the otpauth URI's `{name}` is invalid: {reason}")
            }
            Self::UnsupportedAlgorithm { algorithm } => write!(
                f,
                "the otpauth URI asks for algorithm {algorithm:?}; only SHA1 is supported"
            ),
            Self::IssuerMismatch { label, parameter } => write!(
                f,
                "the otpauth URI's label names issuer {label:?} but its issuer parameter is {parameter:?}"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// At most `max` characters of untrusted text, for error messages.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
