//! [`Password`]: a plaintext password that wipes itself.

use core::fmt;

use zeroize::Zeroizing;

/// A plaintext password as typed by a user (or produced by
/// [`generate_password`](crate::generate_password)).
///
/// The text is kept exactly as given: no trimming, no Unicode normalisation,
/// no case folding. Its buffer is overwritten with zeros when the value is
/// dropped, `Debug` prints `Password(***)`, and there is deliberately no
/// `Display` so it cannot end up in a log line by accident.
///
/// ```
/// use shikaku_password::Password;
///
/// let pw = Password::new("Pässwörd1!");
/// assert_eq!(pw.char_count(), 10); // characters, not bytes
/// assert_eq!(pw.as_str().len(), 12);
/// assert_eq!(format!("{pw:?}"), "Password(***)");
/// ```
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wraps a plaintext password. A `String` is taken over without copying,
    /// so its buffer is the one wiped on drop.
    pub fn new(plaintext: impl Into<String>) -> Self {
        Self(Zeroizing::new(plaintext.into()))
    }

    /// The plaintext.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Length in characters (Unicode scalar values), which is how the
    /// manual's "8文字以上 20文字以下" is counted.
    #[must_use]
    pub fn char_count(&self) -> usize {
        self.0.chars().count()
    }

    /// The first `n` characters (all of them if the password is shorter).
    pub(crate) fn prefix(&self, n: usize) -> &str {
        char_prefix(self.as_str(), n)
    }
}

/// The first `n` characters of `s` (all of `s` if it is shorter).
pub(crate) fn char_prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((end, _)) => s.get(..end).unwrap_or(s),
        None => s,
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl From<String> for Password {
    fn from(plaintext: String) -> Self {
        Self::new(plaintext)
    }
}

impl From<&str> for Password {
    fn from(plaintext: &str) -> Self {
        Self::new(plaintext)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_counts_characters_not_bytes() {
        assert_eq!(char_prefix("staff123", 5), "staff");
        assert_eq!(char_prefix("ｓｔａｆｆ123", 5), "ｓｔａｆｆ");
        assert_eq!(char_prefix("abc", 5), "abc");
        assert_eq!(char_prefix("", 5), "");
        assert_eq!(char_prefix("abcdef", 0), "");
    }

    #[test]
    fn debug_is_redacted() {
        let pw = Password::new("Secret-42");
        let shown = format!("{pw:?} {:?}", pw.clone());
        assert!(!shown.contains("Secret"));
        assert_eq!(shown, "Password(***) Password(***)");
    }
}
