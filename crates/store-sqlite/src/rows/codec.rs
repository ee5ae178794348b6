//! Column codecs shared by the rows: instants, JSON, enum names, digests, identifiers,
//! and [`Place`], which names where a value that does not decode was found.

use serde::Serialize;
use serde::de::DeserializeOwned;
use shikaku::{AccountKey, InstitutionCode, LoginId, StoreError, TokenDigest};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`: RFC 3339, UTC, fixed width, so text order is time
/// order and no precision is lost.
pub(super) const INSTANT: &[time::format_description::BorrowedFormatItem<'_>] =
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

pub(super) fn instant_from_sql(
    text: &str,
    place: &Place<'_>,
) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| place.corrupt("is not an RFC 3339 instant"))
}

pub(super) fn json_to_sql<T: Serialize>(value: &T, what: &str) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Corrupt(format!("{what} cannot be encoded as JSON: {e}")))
}

pub(super) fn json_from_sql<T: DeserializeOwned>(
    text: &str,
    place: &Place<'_>,
) -> Result<T, StoreError> {
    // serde_json's message can quote the offending value (a password hash, say), so
    // only its category and position are reported.
    serde_json::from_str(text).map_err(|e| {
        let category = match e.classify() {
            serde_json::error::Category::Io => "an I/O error",
            serde_json::error::Category::Syntax => "invalid JSON",
            serde_json::error::Category::Data => "JSON of the wrong shape",
            serde_json::error::Category::Eof => "truncated JSON",
        };
        place.corrupt(&format!(
            "holds {category} (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

/// A unit enum's serde name (`"web"`, `"password_failed"`).
pub(super) fn name_to_sql<T: Serialize>(value: &T, what: &str) -> Result<String, StoreError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => Ok(name),
        _ => Err(StoreError::Corrupt(format!(
            "{what} has no stable name to store"
        ))),
    }
}

pub(super) fn name_from_sql<T: DeserializeOwned>(
    name: String,
    place: &Place<'_>,
) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(name))
        .map_err(|_| place.corrupt("holds a name this build does not know"))
}

pub(super) fn digest_from_sql(bytes: &[u8], place: &Place<'_>) -> Result<TokenDigest, StoreError> {
    let array: [u8; 32] = bytes
        .try_into()
        .map_err(|_| place.corrupt("is not 32 bytes"))?;
    Ok(TokenDigest(array))
}

pub(super) fn key_from_sql(
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

pub(super) fn step_to_sql(step: u64) -> Result<i64, StoreError> {
    i64::try_from(step)
        .map_err(|_| StoreError::Corrupt(format!("the time step {step} is too large to store")))
}

/// Where a value came from, for error messages: `accounts row 3, column mfa_drift`.
pub(super) struct Place<'a> {
    table: &'static str,
    row: &'a dyn std::fmt::Display,
    column: &'static str,
}

impl<'a> Place<'a> {
    pub(super) fn new(table: &'static str, row: &'a dyn std::fmt::Display) -> Self {
        Self {
            table,
            row,
            column: "",
        }
    }

    pub(super) fn column(&self, column: &'static str) -> Self {
        Self {
            table: self.table,
            row: self.row,
            column,
        }
    }

    pub(super) fn corrupt(&self, why: &str) -> StoreError {
        StoreError::Corrupt(format!(
            "{} row {}, column {}, {why}",
            self.table, self.row, self.column
        ))
    }
}
