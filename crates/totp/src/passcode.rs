//! The passcode a staff member types (《パスコード入力》).

use core::fmt;
use core::str::FromStr;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::Error;
use crate::verifier::{DEFAULT_DIGITS, MAX_DIGITS, MIN_DIGITS};

/// A well-formed passcode: only ASCII digits, 6 of them unless asked
/// otherwise.
///
/// Parsing normalises what the login screen receives: surrounding spaces
/// (ASCII whitespace and the ideographic space U+3000) are trimmed and
/// full-width digits `０`–`９`, which a Japanese IME in full-width mode
/// types, become ASCII; one space exactly between the two halves, as
/// Authenticator apps display a code (`287 082`), is allowed. Anything else,
/// including spaces elsewhere inside the code, is
/// [`Error::MalformedPasscode`], so malformed input never reaches the
/// verifier (and the caller may choose not to count it as a wrong passcode).
///
/// ```
/// # use shikaku_totp::{Error, Passcode};
/// assert_eq!(Passcode::parse(" ２８７０８２\u{3000}")?.as_str(), "287082");
/// assert!(matches!(Passcode::parse("28708"), Err(Error::MalformedPasscode)));
/// assert_eq!(Passcode::parse("287 082")?.as_str(), "287082");
/// assert!(matches!(Passcode::parse("28 7082"), Err(Error::MalformedPasscode)));
/// # Ok::<(), Error>(())
/// ```
///
/// `Debug` is redacted and the digits are wiped on drop. There is no
/// `PartialEq`: compare passcodes only through [`Verifier`](crate::Verifier),
/// which does so in constant time.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Passcode {
    digits: [u8; MAX_DIGITS as usize],
    len: u8,
}

impl Passcode {
    /// Parses a 6-digit passcode.
    ///
    /// # Errors
    ///
    /// [`Error::MalformedPasscode`] unless the trimmed input is exactly six
    /// ASCII or full-width digits.
    pub fn parse(text: &str) -> Result<Self, Error> {
        Self::parse_with_digits(text, DEFAULT_DIGITS)
    }

    /// Parses a passcode of `digits` digits (6 to 8; RFC 6238's test vectors
    /// use 8). Normalisation is the same as [`parse`](Self::parse).
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedDigits`] for `digits` outside 6..=8,
    /// [`Error::MalformedPasscode`] for input that is not that many digits.
    pub fn parse_with_digits(text: &str, digits: u8) -> Result<Self, Error> {
        if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits) {
            return Err(Error::UnsupportedDigits {
                digits: u32::from(digits),
            });
        }
        let trimmed = text.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\u{3000}');
        // Authenticator apps show a code as two halves ("123 456"); one space (ASCII or
        // U+3000) exactly between the halves is the same code.
        let half = usize::from(digits / 2);
        let middle = trimmed.chars().nth(half);
        let split = matches!(middle, Some(' ' | '\u{3000}'))
            && trimmed.chars().count() == usize::from(digits) + 1;
        let mut code = Self {
            digits: [0; MAX_DIGITS as usize],
            len: 0,
        };
        for (i, c) in trimmed.chars().enumerate() {
            if split && i == half {
                continue;
            }
            let value = match c {
                '0'..='9' => u32::from(c) - u32::from('0'),
                '０'..='９' => u32::from(c) - u32::from('０'),
                _ => return Err(Error::MalformedPasscode),
            };
            if code.len == digits {
                return Err(Error::MalformedPasscode);
            }
            let slot = code
                .digits
                .get_mut(usize::from(code.len))
                .ok_or(Error::MalformedPasscode)?;
            // `value` is 0..=9, so the conversion cannot fail.
            *slot = b'0' + u8::try_from(value).map_err(|_| Error::MalformedPasscode)?;
            code.len += 1;
        }
        if code.len == digits {
            Ok(code)
        } else {
            Err(Error::MalformedPasscode)
        }
    }

    /// Wraps a code produced by totp-lite (always ASCII digits).
    pub(crate) fn from_generated(code: &str) -> Option<Self> {
        let digits = u8::try_from(code.len()).ok()?;
        Self::parse_with_digits(code, digits).ok()
    }

    /// `000000` (of `digits` digits): the never-taken fallback that keeps
    /// code generation total without a panic.
    pub(crate) fn zeros(digits: u8) -> Self {
        Self {
            digits: [b'0'; MAX_DIGITS as usize],
            len: digits.clamp(MIN_DIGITS, MAX_DIGITS),
        }
    }

    /// The digits, as ASCII.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored, so this never falls back.
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// How many digits the passcode has.
    #[must_use]
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Always `false`: a passcode has at least 6 digits. (For clippy's
    /// `len_without_is_empty`.)
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.digits.get(..usize::from(self.len)).unwrap_or_default()
    }
}

impl FromStr for Passcode {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl TryFrom<&str> for Passcode {
    type Error = Error;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        Self::parse(text)
    }
}

impl fmt::Debug for Passcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passcode(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_six_digits() {
        let code = Passcode::parse("012345").unwrap();
        assert_eq!(code.as_str(), "012345");
        assert_eq!(code.len(), 6);
        assert!(!code.is_empty());
    }

    #[test]
    fn trims_ascii_and_ideographic_spaces() {
        for text in [
            " 123456",
            "123456 ",
            "\t123456\r\n",
            "\u{3000}123456\u{3000}",
            " \u{3000} 123456 \u{3000}",
        ] {
            assert_eq!(
                Passcode::parse(text).unwrap().as_str(),
                "123456",
                "{text:?}"
            );
        }
    }

    #[test]
    fn full_width_digits_become_ascii() {
        assert_eq!(Passcode::parse("０１２３４５").unwrap().as_str(), "012345");
        assert_eq!(Passcode::parse("６７８９0１").unwrap().as_str(), "678901");
    }

    #[test]
    fn everything_else_is_malformed() {
        for text in [
            "",
            "   ",
            "12345",
            "1234567",
            "12 3456",
            "12-3456",
            "12345a",
            "１２３４５",
            "+12345",
            "-12345",
            "123456\u{A0}",
            "１２３４５６７",
            "١٢٣٤٥٦", // Arabic-Indic digits are digits, but not ours.
            "12345６\u{200B}",
        ] {
            assert_eq!(
                Passcode::parse(text).map(|c| c.as_str().to_owned()),
                Err(Error::MalformedPasscode),
                "{text:?}"
            );
        }
    }

    #[test]
    fn eight_digits_on_request() {
        assert_eq!(
            Passcode::parse_with_digits("94287082", 8).unwrap().as_str(),
            "94287082"
        );
        assert_eq!(
            Passcode::parse_with_digits("287082", 8).map(|c| c.len()),
            Err(Error::MalformedPasscode)
        );
        assert_eq!(
            Passcode::parse_with_digits("287082", 5).map(|c| c.len()),
            Err(Error::UnsupportedDigits { digits: 5 })
        );
        assert_eq!(
            Passcode::parse_with_digits("2870820123", 10).map(|c| c.len()),
            Err(Error::UnsupportedDigits { digits: 10 })
        );
    }

    #[test]
    fn from_str_and_try_from() {
        let a: Passcode = "654321".parse().unwrap();
        let b = Passcode::try_from("６５４３２１").unwrap();
        assert_eq!(a.as_str(), b.as_str());
    }

    #[test]
    fn debug_is_redacted() {
        let code = Passcode::parse("123456").unwrap();
        assert_eq!(format!("{code:?}"), "Passcode(***)");
    }
}
