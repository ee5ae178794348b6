//! The column forms every store keeps, so a record moves between stores unchanged
//! (`shikaku db copy`) and each store decodes it the same way: instants as fixed-width
//! UTC text, time steps as signed 64-bit integers, token digests as 32 bytes, and the
//! 機関コード/ログイン ID pair parsed as the adapters parse it. [`Place`] names where a
//! value that does not decode was found, without the value.
//!
//! For [`Store`](crate::Store) implementations; the facade never calls these.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use crate::{AccountKey, InstitutionCode, LoginId, StoreError, TokenDigest};

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`: RFC 3339, UTC, fixed width, so text order is time
/// order and no precision is lost.
pub const INSTANT: &[time::format_description::BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z");

/// An instant as stored ([`INSTANT`]); [`StoreError::Corrupt`] outside the years
/// 0000–9999, which the fixed width cannot hold.
pub fn instant_to_sql(at: OffsetDateTime) -> Result<String, StoreError> {
    let utc = at.to_offset(UtcOffset::UTC);
    if !(0..=9999).contains(&utc.year()) {
        return Err(StoreError::Corrupt(format!(
            "the instant {utc} is outside the years 0000–9999 and cannot be stored"
        )));
    }
    utc.format(INSTANT)
        .map_err(|e| StoreError::Corrupt(format!("the instant {utc} cannot be formatted: {e}")))
}

/// A stored instant (any RFC 3339 text).
pub fn instant_from_sql(text: &str, place: &Place<'_>) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| place.corrupt("is not an RFC 3339 instant"))
}

/// A stored token digest: exactly 32 bytes.
pub fn digest_from_sql(bytes: &[u8], place: &Place<'_>) -> Result<TokenDigest, StoreError> {
    let array: [u8; 32] = bytes
        .try_into()
        .map_err(|_| place.corrupt("is not 32 bytes"))?;
    Ok(TokenDigest(array))
}

/// A stored 機関コード and ログイン ID, parsed as the adapters parse them.
pub fn key_from_sql(
    institution_code: String,
    login_id: String,
    place: &Place<'_>,
) -> Result<AccountKey, StoreError> {
    let code = InstitutionCode::try_from(institution_code).map_err(|_| {
        place
            .column("institution_code")
            .corrupt("is not a 機関コード")
    })?;
    let login = LoginId::try_from(login_id)
        .map_err(|_| place.column("login_id").corrupt("is not a ログイン ID"))?;
    Ok(AccountKey::new(code, login))
}

/// A TOTP time step as stored (SQL integers are signed).
pub fn step_to_sql(step: u64) -> Result<i64, StoreError> {
    i64::try_from(step)
        .map_err(|_| StoreError::Corrupt(format!("the time step {step} is too large to store")))
}

/// Where a value came from, for error messages: `accounts row 3, column mfa_drift`.
pub struct Place<'a> {
    table: &'static str,
    row: &'a dyn std::fmt::Display,
    column: &'static str,
}

impl<'a> Place<'a> {
    /// A row of `table`, named by `row` (its id or key).
    pub fn new(table: &'static str, row: &'a dyn std::fmt::Display) -> Self {
        Self {
            table,
            row,
            column: "",
        }
    }

    /// The same row, this column.
    #[must_use]
    pub fn column(&self, column: &'static str) -> Self {
        Self {
            table: self.table,
            row: self.row,
            column,
        }
    }

    /// [`StoreError::Corrupt`] naming the place and `why` (never the value).
    pub fn corrupt(&self, why: &str) -> StoreError {
        StoreError::Corrupt(format!(
            "{} row {}, column {}, {why}",
            self.table, self.row, self.column
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_fixed_width_utc_and_round_trip() {
        let at = time::macros::datetime!(2026-04-01 09:00:00.5 +09:00);
        let text = instant_to_sql(at).unwrap();
        assert_eq!(text, "2026-04-01T00:00:00.500000000Z");
        let place = Place::new("t", &1);
        assert_eq!(instant_from_sql(&text, &place).unwrap(), at);
        let before_year_0 = time::macros::datetime!(-0001-12-31 23:00 UTC);
        assert!(matches!(
            instant_to_sql(before_year_0),
            Err(StoreError::Corrupt(_))
        ));
    }

    #[test]
    fn undecodable_values_name_their_place_not_their_value() {
        let place = Place::new("accounts", &3);
        let err = key_from_sql("0123456789".into(), "Secret pw".into(), &place).unwrap_err();
        assert_eq!(
            err.to_string(),
            StoreError::Corrupt("accounts row 3, column login_id, is not a ログイン ID".into())
                .to_string()
        );
        assert!(!err.to_string().contains("Secret pw"));
        assert!(digest_from_sql(&[0; 31], &place).is_err());
        assert!(step_to_sql(u64::MAX).is_err());
    }
}
