//! [`Policy`]: the manual's password rules, every number configurable.

use std::sync::Arc;

use crate::{Error, Violation, Violations};

/// The manual's special characters: ``` `~!@#$%^&*_{}|:;'<>,.?-()/ ```
/// (26 symbols). Space, `"`, `+`, `=`, `[`, `]` and `\` are not in it.
pub const DEFAULT_SPECIALS: &str = "`~!@#$%^&*_{}|:;'<>,.?-()/";

/// Upper bound accepted for [`PolicyBuilder::max_length`].
pub const MAX_LENGTH_LIMIT: usize = 1024;

/// Upper bound accepted for [`PolicyBuilder::history_depth`]. Each retired
/// generation costs up to two argon2 runs per password change.
pub const MAX_HISTORY_DEPTH: usize = 24;

/// Smallest number of `disallowed_character` violations one check reports
/// before it stops listing them (see [`Policy::check`]).
const MIN_REPORTED_DISALLOWED: usize = 32;

/// The password rules.
///
/// `Policy::default()` is exactly the manual's 「パスワードのルール」:
///
/// | rule | default |
/// |---|---|
/// | length, in characters | 8 ..= 20 |
/// | at least one of each | digit, lowercase, uppercase, special |
/// | special characters | [`DEFAULT_SPECIALS`] |
/// | any other character | refused (`disallowed_character`) |
/// | history depth (current password included) | 5 |
/// | history rules apply when the new password has fewer than | 13 characters |
/// | "similar" means the same first | 5 characters |
///
/// Build another with [`Policy::builder`]; the builder validates the numbers.
///
/// ```
/// use shikaku_password::{Policy, ViolationCode};
///
/// let policy = Policy::default();
/// assert!(policy.check("Staff-2024").is_ok());
///
/// let refused = policy.check("staff 1").unwrap_err();
/// assert_eq!(
///     refused.codes(),
///     [
///         ViolationCode::TooShort,
///         ViolationCode::DisallowedCharacter,
///         ViolationCode::MissingUppercase,
///         ViolationCode::MissingSpecial,
///     ]
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    min_length: usize,
    max_length: usize,
    history_depth: usize,
    history_applies_below: usize,
    prefix_length: usize,
    /// The special characters, in the order given, without duplicates.
    specials: Arc<str>,
    /// Bit `b` set when ASCII byte `b` is a special character.
    ascii_specials: u128,
    /// Non-ASCII special characters, sorted (usually empty).
    other_specials: Box<[char]>,
}

impl Default for Policy {
    fn default() -> Self {
        let (specials, ascii_specials, other_specials) = parse_specials(DEFAULT_SPECIALS);
        Self {
            min_length: 8,
            max_length: 20,
            history_depth: 5,
            history_applies_below: 13,
            prefix_length: 5,
            specials,
            ascii_specials,
            other_specials,
        }
    }
}

/// Splits a special-character set into its display form, an ASCII bitmap and
/// the sorted non-ASCII remainder, dropping duplicates.
fn parse_specials(set: &str) -> (Arc<str>, u128, Box<[char]>) {
    let mut display = String::with_capacity(set.len());
    let mut ascii = 0u128;
    let mut other: Vec<char> = Vec::new();
    for c in set.chars() {
        let fresh = if c.is_ascii() {
            let bit = 1u128 << u32::from(c);
            let fresh = ascii & bit == 0;
            ascii |= bit;
            fresh
        } else if other.contains(&c) {
            false
        } else {
            other.push(c);
            true
        };
        if fresh {
            display.push(c);
        }
    }
    other.sort_unstable();
    (Arc::from(display), ascii, other.into_boxed_slice())
}

impl Policy {
    /// A builder starting from the manual's defaults.
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder::default()
    }

    /// Minimum length in characters (manual: 8).
    #[must_use]
    pub const fn min_length(&self) -> usize {
        self.min_length
    }

    /// Maximum length in characters (manual: 20).
    #[must_use]
    pub const fn max_length(&self) -> usize {
        self.max_length
    }

    /// How many generations the history rules look at, the current password
    /// included as the newest (manual: 5).
    #[must_use]
    pub const fn history_depth(&self) -> usize {
        self.history_depth
    }

    /// The history rules apply when the new password has fewer characters
    /// than this (manual: 13).
    #[must_use]
    pub const fn history_applies_below(&self) -> usize {
        self.history_applies_below
    }

    /// How many leading characters make two passwords "similar" (manual: 5).
    #[must_use]
    pub const fn prefix_length(&self) -> usize {
        self.prefix_length
    }

    /// The special characters, in their configured order.
    #[must_use]
    pub fn specials(&self) -> &str {
        &self.specials
    }

    /// Whether `c` is one of the special characters.
    #[must_use]
    pub fn is_special(&self, c: char) -> bool {
        if c.is_ascii() {
            self.ascii_specials & (1u128 << u32::from(c)) != 0
        } else {
            self.other_specials.binary_search(&c).is_ok()
        }
    }

    /// Whether `c` may appear in a password at all: an ASCII letter, an
    /// ASCII digit or a special character.
    #[must_use]
    pub fn is_allowed(&self, c: char) -> bool {
        c.is_ascii_alphanumeric() || self.is_special(c)
    }

    pub(crate) fn specials_arc(&self) -> Arc<str> {
        Arc::clone(&self.specials)
    }

    /// Checks the composition rules (length and characters) and returns
    /// every broken rule at once.
    ///
    /// Length is counted in characters, not bytes. The text is taken
    /// exactly as given: no trimming, no normalisation. Violations come in
    /// this order: `too_short` / `too_long`; one `disallowed_character` per
    /// refused character, by position; then `missing_digit`,
    /// `missing_lowercase`, `missing_uppercase`, `missing_special`.
    ///
    /// So that hostile input cannot make the list huge, at most
    /// `max(max_length, 32)` `disallowed_character` violations are listed;
    /// a password within the length limit therefore always gets all of them.
    ///
    /// The history rules need the stored history; see
    /// [`PasswordHistory::check_change`](crate::PasswordHistory::check_change).
    ///
    /// # Errors
    /// The non-empty list of violations if any rule is broken.
    pub fn check(&self, password: &str) -> Result<(), Violations> {
        const DIGIT: u8 = 1;
        const LOWER: u8 = 2;
        const UPPER: u8 = 4;
        const SPECIAL: u8 = 8;

        let report_cap = self.max_length.max(MIN_REPORTED_DISALLOWED);
        let mut seen = 0u8;
        let mut count = 0usize;
        let mut disallowed: Vec<Violation> = Vec::new();
        for c in password.chars() {
            count += 1;
            let class = match c {
                '0'..='9' => DIGIT,
                'a'..='z' => LOWER,
                'A'..='Z' => UPPER,
                _ if self.is_special(c) => SPECIAL,
                _ => {
                    if disallowed.len() < report_cap {
                        disallowed.push(Violation::disallowed_character(c, count));
                    }
                    0
                }
            };
            seen |= class;
        }

        let length_ok = (self.min_length..=self.max_length).contains(&count);
        if length_ok && disallowed.is_empty() && seen == DIGIT | LOWER | UPPER | SPECIAL {
            return Ok(());
        }

        let mut list = Vec::with_capacity(disallowed.len() + 5);
        if count < self.min_length {
            list.push(Violation::too_short(self.min_length, count));
        } else if count > self.max_length {
            list.push(Violation::too_long(self.max_length, count));
        }
        list.append(&mut disallowed);
        if seen & DIGIT == 0 {
            list.push(Violation::missing_digit());
        }
        if seen & LOWER == 0 {
            list.push(Violation::missing_lowercase());
        }
        if seen & UPPER == 0 {
            list.push(Violation::missing_uppercase());
        }
        if seen & SPECIAL == 0 {
            list.push(Violation::missing_special(self.specials_arc()));
        }
        match Violations::from_vec(list) {
            Some(violations) => Err(violations),
            None => Ok(()),
        }
    }
}

/// Builds a validated [`Policy`]; starts from the manual's defaults.
///
/// ```
/// use shikaku_password::Policy;
///
/// let strict = Policy::builder().min_length(12).max_length(64).build()?;
/// assert_eq!(strict.history_depth(), 5);
/// assert!(Policy::builder().min_length(30).build().is_err()); // above max 20
/// # Ok::<(), shikaku_password::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct PolicyBuilder {
    min_length: usize,
    max_length: usize,
    history_depth: usize,
    history_applies_below: usize,
    prefix_length: usize,
    specials: String,
}

impl Default for PolicyBuilder {
    fn default() -> Self {
        let d = Policy::default();
        Self {
            min_length: d.min_length,
            max_length: d.max_length,
            history_depth: d.history_depth,
            history_applies_below: d.history_applies_below,
            prefix_length: d.prefix_length,
            specials: DEFAULT_SPECIALS.to_owned(),
        }
    }
}

impl PolicyBuilder {
    /// Minimum length in characters; at least 4 (one of each class).
    pub fn min_length(mut self, n: usize) -> Self {
        self.min_length = n;
        self
    }

    /// Maximum length in characters; at most [`MAX_LENGTH_LIMIT`].
    pub fn max_length(mut self, n: usize) -> Self {
        self.max_length = n;
        self
    }

    /// Generations looked at, current included; 1 ..= [`MAX_HISTORY_DEPTH`].
    /// 1 means only "not the same as the current password".
    pub fn history_depth(mut self, n: usize) -> Self {
        self.history_depth = n;
        self
    }

    /// History rules apply when the new password has fewer characters than
    /// this. 0 switches them off (except "not the current password");
    /// `max_length + 1` applies them always.
    pub fn history_applies_below(mut self, n: usize) -> Self {
        self.history_applies_below = n;
        self
    }

    /// Leading characters compared for similarity; 1 ..= `min_length`.
    pub fn prefix_length(mut self, n: usize) -> Self {
        self.prefix_length = n;
        self
    }

    /// The special-character set. Must be non-empty and must not contain
    /// ASCII letters, ASCII digits or control characters. Duplicates are
    /// ignored.
    pub fn specials(mut self, set: &str) -> Self {
        set.clone_into(&mut self.specials);
        self
    }

    /// Validates and builds the policy.
    ///
    /// # Errors
    /// [`Error::InvalidPolicy`] naming the first impossible setting.
    pub fn build(self) -> Result<Policy, Error> {
        if self.min_length < 4 {
            return Err(Error::InvalidPolicy(
                "min_length must be at least 4 (one digit, lowercase, uppercase and special)",
            ));
        }
        if self.max_length < self.min_length {
            return Err(Error::InvalidPolicy(
                "max_length must not be below min_length",
            ));
        }
        if self.max_length > MAX_LENGTH_LIMIT {
            return Err(Error::InvalidPolicy("max_length must be at most 1024"));
        }
        if !(1..=MAX_HISTORY_DEPTH).contains(&self.history_depth) {
            return Err(Error::InvalidPolicy("history_depth must be 1..=24"));
        }
        if self.prefix_length == 0 || self.prefix_length > self.min_length {
            return Err(Error::InvalidPolicy(
                "prefix_length must be between 1 and min_length",
            ));
        }
        if self.specials.is_empty() {
            return Err(Error::InvalidPolicy(
                "the special-character set must not be empty",
            ));
        }
        if self.specials.chars().any(|c| c.is_ascii_alphanumeric()) {
            return Err(Error::InvalidPolicy(
                "special characters must not include ASCII letters or digits",
            ));
        }
        if self.specials.chars().any(char::is_control) {
            return Err(Error::InvalidPolicy(
                "special characters must not include control characters",
            ));
        }
        let (specials, ascii_specials, other_specials) = parse_specials(&self.specials);
        Ok(Policy {
            min_length: self.min_length,
            max_length: self.max_length,
            history_depth: self.history_depth,
            history_applies_below: self.history_applies_below,
            prefix_length: self.prefix_length,
            specials,
            ascii_specials,
            other_specials,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ViolationCode;

    #[test]
    fn default_is_the_manual() {
        let p = Policy::default();
        assert_eq!(p.min_length(), 8);
        assert_eq!(p.max_length(), 20);
        assert_eq!(p.history_depth(), 5);
        assert_eq!(p.history_applies_below(), 13);
        assert_eq!(p.prefix_length(), 5);
        assert_eq!(p.specials(), "`~!@#$%^&*_{}|:;'<>,.?-()/");
        assert_eq!(p.specials().chars().count(), 26);
        assert_eq!(Policy::builder().build().unwrap(), p);
    }

    #[test]
    fn special_lookup_matches_the_set_exactly() {
        let p = Policy::default();
        for b in 0u8..128 {
            let c = char::from(b);
            assert_eq!(p.is_special(c), DEFAULT_SPECIALS.contains(c), "{c:?}");
        }
        assert!(!p.is_special('！'));
    }

    #[test]
    fn non_ascii_specials_can_be_configured() {
        let p = Policy::builder().specials("!!€").build().unwrap();
        assert_eq!(p.specials(), "!€");
        assert!(p.is_special('€'));
        assert!(p.check("Abcdefg1€").is_ok());
        assert_eq!(
            p.check("Abcdefg1@").unwrap_err().codes(),
            [
                ViolationCode::DisallowedCharacter,
                ViolationCode::MissingSpecial
            ]
        );
    }

    #[test]
    fn builder_refuses_impossible_policies() {
        let cases = [
            Policy::builder().min_length(3),
            Policy::builder().min_length(21),
            Policy::builder().max_length(MAX_LENGTH_LIMIT + 1),
            Policy::builder().history_depth(0),
            Policy::builder().history_depth(MAX_HISTORY_DEPTH + 1),
            Policy::builder().prefix_length(0),
            Policy::builder().prefix_length(9),
            Policy::builder().specials(""),
            Policy::builder().specials("!a"),
            Policy::builder().specials("!7"),
            Policy::builder().specials("!\u{0}"),
        ];
        for b in cases {
            let shown = format!("{b:?}");
            assert!(
                matches!(b.build(), Err(Error::InvalidPolicy(_))),
                "{shown} was accepted"
            );
        }
        assert!(
            Policy::builder()
                .history_depth(MAX_HISTORY_DEPTH)
                .history_applies_below(0)
                .prefix_length(8)
                .build()
                .is_ok()
        );
    }

    #[test]
    fn disallowed_list_is_capped_for_hostile_input() {
        let p = Policy::default();
        let hostile = " ".repeat(10_000);
        let v = p.check(&hostile).unwrap_err();
        let listed = v
            .iter()
            .filter(|v| v.code() == ViolationCode::DisallowedCharacter)
            .count();
        assert_eq!(listed, 32);
        assert!(v.contains(ViolationCode::TooLong));
    }
}
