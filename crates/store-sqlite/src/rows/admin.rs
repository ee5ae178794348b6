//! The rows of administration: `api_keys`, the `key_checks` values, and
//! `attempts` read whole with their identifiers (for copying between stores).

use shikaku::{
    AccountKey, ApiKeyId, ApiKeyRecord, Attempts, KeyCheck, KeyId, NewApiKey, StoreError,
};

use super::AttemptsRow;
use super::codec::{
    Place, digest_from_sql, instant_from_sql, json_from_sql, json_to_sql, key_from_sql,
};
use crate::rows::instant_to_sql;

// ----- api_keys ------------------------------------------------------------------------------

/// One row of `api_keys` (`id` is assigned by SQLite).
#[derive(Debug)]
pub(crate) struct ApiKeyRow {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) digest: Vec<u8>,
    pub(crate) scope: String,
    pub(crate) created_at: String,
    pub(crate) revoked_at: Option<String>,
}

impl ApiKeyRow {
    pub(crate) const COLUMNS: &'static str = "id, name, digest, scope, created_at, revoked_at";

    pub(crate) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            name: row.get(1)?,
            digest: row.get(2)?,
            scope: row.get(3)?,
            created_at: row.get(4)?,
            revoked_at: row.get(5)?,
        })
    }
}

impl TryFrom<ApiKeyRow> for ApiKeyRecord {
    type Error = StoreError;

    fn try_from(row: ApiKeyRow) -> Result<Self, StoreError> {
        let id = row.id;
        let at = Place::new("api_keys", &id);
        Ok(Self {
            id: ApiKeyId(id),
            name: row.name,
            digest: digest_from_sql(&row.digest, &at.column("digest"))?,
            scope: json_from_sql(&row.scope, &at.column("scope"))?,
            created_at: instant_from_sql(&row.created_at, &at.column("created_at"))?,
            revoked_at: row
                .revoked_at
                .map(|t| instant_from_sql(&t, &at.column("revoked_at")))
                .transpose()?,
        })
    }
}

impl TryFrom<&NewApiKey> for ApiKeyRow {
    type Error = StoreError;

    fn try_from(key: &NewApiKey) -> Result<Self, StoreError> {
        Ok(Self {
            id: 0,
            name: key.name.clone(),
            digest: key.digest.0.to_vec(),
            scope: json_to_sql(&key.scope, "the API key's scope")?,
            created_at: instant_to_sql(key.created_at)?,
            revoked_at: None,
        })
    }
}

// ----- key checks ----------------------------------------------------------------------------

/// The stored key check value of key `id` (32 bytes, checked by the schema too).
pub(crate) fn key_check_from_sql(id: i64, bytes: &[u8]) -> Result<KeyCheck, StoreError> {
    let digest = digest_from_sql(bytes, &Place::new("key_checks", &id).column("key_check"))?;
    Ok(KeyCheck(digest.0))
}

/// A stored key id (1 ..= u32::MAX, checked by the schema too).
pub(crate) fn key_id_from_sql(id: i64) -> Result<KeyId, StoreError> {
    u32::try_from(id)
        .ok()
        .and_then(KeyId::new)
        .ok_or_else(|| StoreError::Corrupt(format!("key_checks: {id} is not a key id")))
}

// ----- attempts, whole -----------------------------------------------------------------------

/// One row of `attempts` with its identifier.
#[derive(Debug)]
pub(crate) struct KeyedAttemptsRow {
    pub(crate) institution_code: String,
    pub(crate) login_id: String,
    pub(crate) counters: AttemptsRow,
}

impl KeyedAttemptsRow {
    pub(crate) const COLUMNS: &'static str =
        "institution_code, login_id, password_lockout, passcode_lockout";

    pub(crate) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            institution_code: row.get(0)?,
            login_id: row.get(1)?,
            counters: AttemptsRow {
                password_lockout: row.get(2)?,
                passcode_lockout: row.get(3)?,
            },
        })
    }

    /// The identifier and its counters.
    pub(crate) fn decode(self) -> Result<(AccountKey, Attempts), StoreError> {
        let name = format!("{}/{}", self.institution_code, self.login_id);
        let attempts = self.counters.decode(&name)?;
        let key = key_from_sql(
            self.institution_code,
            self.login_id,
            &Place::new("attempts", &name),
        )?;
        Ok((key, attempts))
    }
}
