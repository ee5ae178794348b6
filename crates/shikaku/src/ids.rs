//! The manual's identifiers: 機関コード ([`InstitutionCode`]) and ログイン ID ([`LoginId`]).
//!
//! Both are normalised before anything else sees them, so the lockout counters, the
//! store and the audit log all agree on one spelling: full-width (全角) ASCII as a
//! Japanese IME types it becomes half-width, and surrounding spaces are trimmed.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Error;

/// How many digits an institution code has by default (医療機関コード: 10 digits).
pub const DEFAULT_INSTITUTION_CODE_DIGITS: usize = 10;

/// The longest login ID accepted.
pub const MAX_LOGIN_ID_CHARS: usize = 64;

/// Maps full-width ASCII (U+FF01..=U+FF5E) to ASCII and the ideographic space to a space.
fn half_width(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            other => other,
        })
        .collect()
}

/// 機関コード: the institution code, a fixed number of ASCII digits once normalised.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InstitutionCode(String);

impl InstitutionCode {
    /// Parses and normalises an institution code of exactly `digits` digits.
    ///
    /// Full-width digits are accepted and surrounding spaces trimmed.
    ///
    /// ```
    /// use shikaku::InstitutionCode;
    /// let code = InstitutionCode::parse("０１２３４５６７８９", 10).unwrap();
    /// assert_eq!(code.as_str(), "0123456789");
    /// assert!(InstitutionCode::parse("12345", 10).is_err());
    /// ```
    pub fn parse(input: &str, digits: usize) -> Result<Self, Error> {
        let normalised = half_width(input);
        let trimmed = normalised.trim();
        if trimmed.chars().count() != digits || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::InvalidInstitutionCode { digits });
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The normalised digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for InstitutionCode {
    type Error = Error;
    fn try_from(value: String) -> Result<Self, Error> {
        let digits = half_width(&value).trim().chars().count().max(1);
        Self::parse(&value, digits)
    }
}

impl From<InstitutionCode> for String {
    fn from(value: InstitutionCode) -> Self {
        value.0
    }
}

impl fmt::Display for InstitutionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for InstitutionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InstitutionCode({})", self.0)
    }
}

/// ログイン ID: 1–64 visible ASCII characters (letters, digits and `._-@`), case-sensitive.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LoginId(String);

impl LoginId {
    /// Parses and normalises a login ID (full-width ASCII to half-width, trimmed).
    ///
    /// ```
    /// use shikaku::LoginId;
    /// assert_eq!(LoginId::parse(" ｓｔａｆｆ01 ").unwrap().as_str(), "staff01");
    /// assert!(LoginId::parse("staff 01").is_err());
    /// ```
    pub fn parse(input: &str) -> Result<Self, Error> {
        let normalised = half_width(input);
        let trimmed = normalised.trim();
        let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
        let count = trimmed.chars().count();
        if count == 0 || count > MAX_LOGIN_ID_CHARS || !trimmed.chars().all(ok_char) {
            return Err(Error::InvalidLoginId);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The normalised login ID.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A login ID this crate builds from characters it knows are allowed (a fingerprint).
    pub(crate) fn from_known_good(value: String) -> Self {
        debug_assert!(Self::parse(&value).is_ok(), "{value}");
        Self(value)
    }
}

impl TryFrom<String> for LoginId {
    type Error = Error;
    fn try_from(value: String) -> Result<Self, Error> {
        Self::parse(&value)
    }
}

impl From<LoginId> for String {
    fn from(value: LoginId) -> Self {
        value.0
    }
}

impl fmt::Display for LoginId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for LoginId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LoginId({})", self.0)
    }
}

/// The normalised identifier an account is known by: 機関コード + ログイン ID.
///
/// Lockout counters are keyed on it whether or not such an account exists, so an
/// unknown identifier locks exactly like a known one and reveals nothing.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountKey {
    /// 機関コード.
    pub institution_code: InstitutionCode,
    /// ログイン ID.
    pub login_id: LoginId,
}

impl AccountKey {
    /// A key from its parts.
    pub fn new(institution_code: InstitutionCode, login_id: LoginId) -> Self {
        Self {
            institution_code,
            login_id,
        }
    }

    /// A stable text form, `institution_code/login_id` (neither part can contain `/`).
    pub fn storage_key(&self) -> String {
        format!("{}/{}", self.institution_code, self.login_id)
    }
}

impl fmt::Display for AccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.institution_code, self.login_id)
    }
}

/// A store-assigned account number; never shown to staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountId(pub i64);

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn institution_code_edges() {
        assert!(InstitutionCode::parse("123456789", 10).is_err());
        assert!(InstitutionCode::parse("12345678901", 10).is_err());
        assert!(InstitutionCode::parse("12345６７８９０", 10).is_ok());
        assert!(InstitutionCode::parse("12345678a0", 10).is_err());
        assert!(
            InstitutionCode::parse("١٢٣٤٥٦٧٨٩٠", 10).is_err(),
            "Arabic-Indic digits refused"
        );
        assert_eq!(
            InstitutionCode::parse("　0123456789　", 10)
                .unwrap()
                .as_str(),
            "0123456789"
        );
        assert!(InstitutionCode::parse("1234567", 7).is_ok());
        assert_eq!(
            InstitutionCode::try_from(" 0123456789".to_owned())
                .unwrap()
                .as_str(),
            "0123456789"
        );
    }

    #[test]
    fn login_id_edges() {
        assert!(LoginId::parse("").is_err());
        assert!(LoginId::parse("   ").is_err());
        assert!(LoginId::parse(&"a".repeat(64)).is_ok());
        assert!(LoginId::parse(&"a".repeat(65)).is_err());
        assert!(
            LoginId::parse("staff/01").is_err(),
            "slash would make keys ambiguous"
        );
        assert!(LoginId::parse("staff\u{0}").is_err());
        assert!(LoginId::parse("職員").is_err());
        assert_eq!(
            LoginId::parse("Staff.01@clinic").unwrap().as_str(),
            "Staff.01@clinic"
        );
    }
}
