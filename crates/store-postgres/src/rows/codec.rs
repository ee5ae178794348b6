//! Column codecs of the rows: state objects as their serde JSON (jsonb here) and enum
//! names; instants, digests, identifiers, time steps and [`Place`] are every store's,
//! from [`shikaku::columns`], so both stores hold the same values.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use shikaku::StoreError;
pub(crate) use shikaku::columns::{
    Place, digest_from_sql, instant_from_sql, instant_to_sql, key_from_sql, step_to_sql,
};

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

#[cfg(test)]
mod tests {
    use super::*;
    use shikaku::TokenDigest;
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
