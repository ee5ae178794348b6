//! Refusals: [`Violation`], the non-empty [`Violations`] list and the stable
//! [`ViolationCode`]s. The Japanese and English texts are in `messages`.

mod messages;

use core::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Stable, machine-readable name of a rule a password broke.
///
/// The string forms ([`as_str`](Self::as_str), and the serde form) never
/// change once released; hosts may store them, match on them in a UI, or
/// translate them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ViolationCode {
    /// Fewer characters than the policy's minimum (8).
    TooShort,
    /// More characters than the policy's maximum (20).
    TooLong,
    /// No ASCII digit `0`–`9`.
    MissingDigit,
    /// No ASCII lowercase letter `a`–`z`.
    MissingLowercase,
    /// No ASCII uppercase letter `A`–`Z`.
    MissingUppercase,
    /// None of the policy's special characters.
    MissingSpecial,
    /// A character that is neither an ASCII letter, an ASCII digit nor one of
    /// the policy's special characters (space, `"`, `+`, full-width letters,
    /// emoji, control characters, …).
    DisallowedCharacter,
    /// The new password is the current password.
    SameAsCurrent,
    /// The new password (shorter than 13 characters) equals an earlier
    /// generation.
    ReusedGeneration,
    /// The new password (shorter than 13 characters) starts with the same 5
    /// characters as a generation in the history.
    SimilarToGeneration,
    /// The new password and its confirmation (新しいパスワード再入力) differ.
    ConfirmationMismatch,
}

impl ViolationCode {
    /// The stable snake_case name, e.g. `"too_short"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TooShort => "too_short",
            Self::TooLong => "too_long",
            Self::MissingDigit => "missing_digit",
            Self::MissingLowercase => "missing_lowercase",
            Self::MissingUppercase => "missing_uppercase",
            Self::MissingSpecial => "missing_special",
            Self::DisallowedCharacter => "disallowed_character",
            Self::SameAsCurrent => "same_as_current",
            Self::ReusedGeneration => "reused_generation",
            Self::SimilarToGeneration => "similar_to_generation",
            Self::ConfirmationMismatch => "confirmation_mismatch",
        }
    }
}

impl fmt::Display for ViolationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, PartialEq, Eq)]
enum Kind {
    TooShort {
        min: usize,
        actual: usize,
    },
    TooLong {
        max: usize,
        actual: usize,
    },
    MissingDigit,
    MissingLowercase,
    MissingUppercase,
    MissingSpecial {
        specials: Arc<str>,
    },
    DisallowedCharacter {
        character: char,
        /// 1-based, in characters.
        position: usize,
    },
    SameAsCurrent,
    ReusedGeneration {
        depth: usize,
        applies_below: usize,
    },
    SimilarToGeneration {
        depth: usize,
        applies_below: usize,
        prefix_length: usize,
    },
    ConfirmationMismatch,
}

/// One broken rule, with a stable [`code`](Self::code) and a message in
/// Japanese and in English.
///
/// A `disallowed_character` violation names the offending character and its
/// position so the user can find it; invisible characters (controls, NUL,
/// spaces, zero-width and bidi-control characters, combining marks) are
/// named by code point only (`U+0000`), never printed raw. Because messages
/// quote the user's input, log the [`code`](Self::code), not the message.
/// `Debug` shows the code and position but not the character.
#[derive(Clone, PartialEq, Eq)]
pub struct Violation {
    kind: Kind,
}

impl Violation {
    pub(crate) const fn too_short(min: usize, actual: usize) -> Self {
        Self {
            kind: Kind::TooShort { min, actual },
        }
    }

    pub(crate) const fn too_long(max: usize, actual: usize) -> Self {
        Self {
            kind: Kind::TooLong { max, actual },
        }
    }

    pub(crate) const fn missing_digit() -> Self {
        Self {
            kind: Kind::MissingDigit,
        }
    }

    pub(crate) const fn missing_lowercase() -> Self {
        Self {
            kind: Kind::MissingLowercase,
        }
    }

    pub(crate) const fn missing_uppercase() -> Self {
        Self {
            kind: Kind::MissingUppercase,
        }
    }

    pub(crate) fn missing_special(specials: Arc<str>) -> Self {
        Self {
            kind: Kind::MissingSpecial { specials },
        }
    }

    pub(crate) const fn disallowed_character(character: char, position: usize) -> Self {
        Self {
            kind: Kind::DisallowedCharacter {
                character,
                position,
            },
        }
    }

    pub(crate) const fn same_as_current() -> Self {
        Self {
            kind: Kind::SameAsCurrent,
        }
    }

    pub(crate) const fn reused_generation(depth: usize, applies_below: usize) -> Self {
        Self {
            kind: Kind::ReusedGeneration {
                depth,
                applies_below,
            },
        }
    }

    pub(crate) const fn similar_to_generation(
        depth: usize,
        applies_below: usize,
        prefix_length: usize,
    ) -> Self {
        Self {
            kind: Kind::SimilarToGeneration {
                depth,
                applies_below,
                prefix_length,
            },
        }
    }

    /// The new password and its re-entry (《新しいパスワードを再度入力してください》)
    /// differ. The facade compares the two fields; this crate only names the
    /// refusal so it travels in the same list as the others.
    #[must_use]
    pub const fn confirmation_mismatch() -> Self {
        Self {
            kind: Kind::ConfirmationMismatch,
        }
    }

    /// The stable code of the broken rule.
    #[must_use]
    pub const fn code(&self) -> ViolationCode {
        match self.kind {
            Kind::TooShort { .. } => ViolationCode::TooShort,
            Kind::TooLong { .. } => ViolationCode::TooLong,
            Kind::MissingDigit => ViolationCode::MissingDigit,
            Kind::MissingLowercase => ViolationCode::MissingLowercase,
            Kind::MissingUppercase => ViolationCode::MissingUppercase,
            Kind::MissingSpecial { .. } => ViolationCode::MissingSpecial,
            Kind::DisallowedCharacter { .. } => ViolationCode::DisallowedCharacter,
            Kind::SameAsCurrent => ViolationCode::SameAsCurrent,
            Kind::ReusedGeneration { .. } => ViolationCode::ReusedGeneration,
            Kind::SimilarToGeneration { .. } => ViolationCode::SimilarToGeneration,
            Kind::ConfirmationMismatch => ViolationCode::ConfirmationMismatch,
        }
    }

    /// For `disallowed_character`: the refused character.
    #[must_use]
    pub const fn character(&self) -> Option<char> {
        match self.kind {
            Kind::DisallowedCharacter { character, .. } => Some(character),
            _ => None,
        }
    }

    /// For `disallowed_character`: the 1-based position of the refused
    /// character, counted in characters (not bytes).
    #[must_use]
    pub const fn position(&self) -> Option<usize> {
        match self.kind {
            Kind::DisallowedCharacter { position, .. } => Some(position),
            _ => None,
        }
    }

    /// The message to show a Japanese-speaking user.
    #[must_use]
    pub fn message_ja(&self) -> String {
        messages::ja(&self.kind)
    }

    /// The message to show an English-speaking user (also the `Display` form).
    #[must_use]
    pub fn message_en(&self) -> String {
        messages::en(&self.kind)
    }
}

impl fmt::Debug for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Violation");
        d.field("code", &self.code());
        if let Some(position) = self.position() {
            d.field("position", &position);
        }
        d.finish_non_exhaustive()
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())
    }
}

impl std::error::Error for Violation {}

/// A non-empty list of [`Violation`]s: every rule a password broke, in a
/// stable order (length, disallowed characters by position, missing
/// character classes, then history rules).
///
/// `Display` joins the English messages; use [`iter`](Self::iter) with
/// [`Violation::message_ja`] for the Japanese screen.
#[derive(Clone, PartialEq, Eq)]
pub struct Violations(Vec<Violation>);

impl Violations {
    /// A list of exactly one violation.
    #[must_use]
    pub fn single(violation: Violation) -> Self {
        Self(vec![violation])
    }

    /// `None` if `list` is empty.
    #[must_use]
    pub fn from_vec(list: Vec<Violation>) -> Option<Self> {
        if list.is_empty() {
            None
        } else {
            Some(Self(list))
        }
    }

    /// Appends another violation.
    pub fn push(&mut self, violation: Violation) {
        self.0.push(violation);
    }

    /// The violations, in order.
    pub fn iter(&self) -> core::slice::Iter<'_, Violation> {
        self.0.iter()
    }

    /// How many violations (at least 1).
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always `false`: a `Violations` value is never empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The codes, in order (a code may repeat: one `disallowed_character`
    /// per refused character).
    #[must_use]
    pub fn codes(&self) -> Vec<ViolationCode> {
        self.0.iter().map(Violation::code).collect()
    }

    /// Whether any violation has this code.
    #[must_use]
    pub fn contains(&self, code: ViolationCode) -> bool {
        self.0.iter().any(|v| v.code() == code)
    }

    /// The violations as a `Vec`.
    #[must_use]
    pub fn into_vec(self) -> Vec<Violation> {
        self.0
    }
}

impl fmt::Debug for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.0).finish()
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            fmt::Display::fmt(v, f)?;
        }
        Ok(())
    }
}

impl std::error::Error for Violations {}

impl IntoIterator for Violations {
    type Item = Violation;
    type IntoIter = std::vec::IntoIter<Violation>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Violations {
    type Item = &'a Violation;
    type IntoIter = core::slice::Iter<'a, Violation>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl From<Violation> for Violations {
    fn from(violation: Violation) -> Self {
        Self::single(violation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_their_stable_names() {
        let all = [
            (ViolationCode::TooShort, "too_short"),
            (ViolationCode::TooLong, "too_long"),
            (ViolationCode::MissingDigit, "missing_digit"),
            (ViolationCode::MissingLowercase, "missing_lowercase"),
            (ViolationCode::MissingUppercase, "missing_uppercase"),
            (ViolationCode::MissingSpecial, "missing_special"),
            (ViolationCode::DisallowedCharacter, "disallowed_character"),
            (ViolationCode::SameAsCurrent, "same_as_current"),
            (ViolationCode::ReusedGeneration, "reused_generation"),
            (ViolationCode::SimilarToGeneration, "similar_to_generation"),
            (ViolationCode::ConfirmationMismatch, "confirmation_mismatch"),
        ];
        for (code, name) in all {
            assert_eq!(code.as_str(), name);
            assert_eq!(code.to_string(), name);
        }
    }

    #[test]
    fn debug_does_not_show_the_character() {
        let v = Violation::disallowed_character('Q', 2);
        let shown = format!("{v:?}");
        assert!(!shown.contains('Q'), "{shown}");
        assert!(shown.contains("DisallowedCharacter") && shown.contains('2'));
    }

    #[test]
    fn violations_is_never_empty_and_reports_codes() {
        assert!(Violations::from_vec(Vec::new()).is_none());
        let mut list = Violations::single(Violation::missing_digit());
        list.push(Violation::confirmation_mismatch());
        assert_eq!(list.len(), 2);
        assert!(!list.is_empty());
        assert_eq!(
            list.codes(),
            [
                ViolationCode::MissingDigit,
                ViolationCode::ConfirmationMismatch
            ]
        );
        assert!(list.contains(ViolationCode::ConfirmationMismatch));
        assert!(!list.contains(ViolationCode::TooLong));
        assert_eq!(
            list.to_string(),
            "Include at least one digit. The new password and its confirmation do not match."
        );
    }

    #[test]
    fn code_serde_form_is_the_stable_name() {
        let json = serde_json::to_string(&ViolationCode::SimilarToGeneration).unwrap();
        assert_eq!(json, "\"similar_to_generation\"");
        let back: ViolationCode = serde_json::from_str("\"too_long\"").unwrap();
        assert_eq!(back, ViolationCode::TooLong);
    }
}
