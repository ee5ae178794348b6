//! Column codecs of the rows: JSON as text and enum names here; instants, digests,
//! identifiers, time steps and [`Place`] are every store's, from [`shikaku::columns`].

use serde::Serialize;
use serde::de::DeserializeOwned;
use shikaku::StoreError;
pub(crate) use shikaku::columns::instant_to_sql;
pub(super) use shikaku::columns::{
    Place, digest_from_sql, instant_from_sql, key_from_sql, step_to_sql,
};

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
