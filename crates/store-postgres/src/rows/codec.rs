//! Column codecs shared by the rows — the SQLite store's, so both stores hold the same
//! values: instants as fixed-width UTC text, state objects as their serde JSON (jsonb
//! here), enum names, 32-byte digests, identifiers — and [`Place`], which names where a
//! value that does not decode was found.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use shikaku::{AccountKey, InstitutionCode, LoginId, StoreError, TokenDigest};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`: RFC 3339, UTC, fixed width, so text order is time
/// order and no precision is lost.
const INSTANT: &[time::format_description::BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z");

/// An instant as stored.
pub(crate) fn instant_to_sql(at: OffsetDateTime) -> Result<String, StoreError> {
    let utc = at.to_offset(UtcOffset::UTC);
    if !(0..=9999).contains(&utc.year()) {
        return Err(StoreError::Corrupt(format!(
            "the instant {utc} is outside the years 0000–9999 and cannot be stored"
        )));
    }
    utc.format(INSTANT)
        .map_err(|e| StoreError::Corrupt(format!("the instant {utc} cannot be formatted: {e}")))
}

pub(crate) fn instant_from_sql(
    text: &str,
    place: &Place<'_>,
) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| place.corrupt("is not an RFC 3339 instant"))
}

pub(crate) fn json_to_sql<T: Serialize>(value: &T, what: &str) -> Result<Value, StoreError> {
    serde_json::to_value(value)
        .map_err(|e| StoreError::Corrupt(format!("{what} cannot be encoded as JSON: {e}")))
}

pub(crate) fn json_from_sql<T: DeserializeOwned>(
    value: Value,
    place: &Place<'_>,
) -> Result<T, StoreError> {
    // serde_json's message can quote the offending value (a password hash, say), so
    // only its category is reported.
    serde_json::from_value(value).map_err(|e| {
        let category = match e.classify() {
            serde_json::error::Category::Io => "an I/O error",
            serde_json::error::Category::Syntax => "invalid JSON",
            serde_json::error::Category::Data => "JSON of the wrong shape",
            serde_json::error::Category::Eof => "truncated JSON",
        };
        place.corrupt(&format!("holds {category}"))
    })
}

/// A unit enum's serde name (`"web"`, `"password_failed"`).
pub(crate) fn name_to_sql<T: Serialize>(value: &T, what: &str) -> Result<String, StoreError> {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => Ok(name),
        _ => Err(StoreError::Corrupt(format!(
            "{what} has no stable name to store"
        ))),
    }
}

pub(crate) fn name_from_sql<T: DeserializeOwned>(
    name: String,
    place: &Place<'_>,
) -> Result<T, StoreError> {
    serde_json::from_value(Value::String(name))
        .map_err(|_| place.corrupt("holds a name this build does not know"))
}

pub(crate) fn digest_from_sql(bytes: &[u8], place: &Place<'_>) -> Result<TokenDigest, StoreError> {
    let array: [u8; 32] = bytes
        .try_into()
        .map_err(|_| place.corrupt("is not 32 bytes"))?;
    Ok(TokenDigest(array))
}

pub(crate) fn key_from_sql(
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

pub(crate) fn step_to_sql(step: u64) -> Result<i64, StoreError> {
    i64::try_from(step)
        .map_err(|_| StoreError::Corrupt(format!("the time step {step} is too large to store")))
}

/// Where a value came from, for error messages: `accounts row 3, column mfa_drift`.
pub(crate) struct Place<'a> {
    table: &'static str,
    row: &'a dyn std::fmt::Display,
    column: &'static str,
}

impl<'a> Place<'a> {
    pub(crate) fn new(table: &'static str, row: &'a dyn std::fmt::Display) -> Self {
        Self {
            table,
            row,
            column: "",
        }
    }

    pub(crate) fn column(&self, column: &'static str) -> Self {
        Self {
            table: self.table,
            row: self.row,
            column,
        }
    }

    pub(crate) fn corrupt(&self, why: &str) -> StoreError {
        StoreError::Corrupt(format!(
            "{} row {}, column {}, {why}",
            self.table, self.row, self.column
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn instants_are_the_sqlite_stores_text() {
        let at = datetime!(2025-04-01 09:00:00.000000001 +09:00);
        let text = instant_to_sql(at).unwrap();
        assert_eq!(text, "2025-04-01T00:00:00.000000001Z");
        assert_eq!(instant_from_sql(&text, &Place::new("t", &1)).unwrap(), at);
        assert!(instant_to_sql(datetime!(-0001-01-01 0:00 UTC)).is_err());
    }

    #[test]
    fn json_errors_name_the_place_but_not_the_value() {
        let place = Place::new("accounts", &7).column("session_slot");
        let value = serde_json::json!({"last_issued": "$argon2id$secret", "active": true});
        let err = json_from_sql::<shikaku::lockout::SessionSlot>(value, &place).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("accounts row 7, column session_slot"),
            "{message}"
        );
        assert!(!message.contains("argon2id"), "{message}");
    }

    #[test]
    fn digests_must_be_32_bytes() {
        let place = Place::new("sessions", &1);
        assert!(digest_from_sql(&[0; 31], &place).is_err());
        assert_eq!(
            digest_from_sql(&[9; 32], &place).unwrap(),
            TokenDigest([9; 32])
        );
    }
}
