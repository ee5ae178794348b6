//! The `api_keys` table: administration API keys, kept as the SHA-256 digest of the
//! key, with the institutions each may act on.

use shikaku::{ApiKeyId, ApiKeyRecord, NewApiKey, StoreError, TokenDigest};
use time::OffsetDateTime;

use super::PostgresStore;
use crate::rows::{ApiKeyRow, api_key_columns, instant_to_sql};

/// Stores a key; a digest already stored is [`StoreError::Conflict`].
pub(super) fn insert(store: &PostgresStore, key: NewApiKey) -> Result<ApiKeyRecord, StoreError> {
    let scope = serde_json::to_value(&key.scope)
        .map_err(|e| StoreError::Corrupt(format!("the API key scope cannot be encoded: {e}")))?;
    let created_at = instant_to_sql(key.created_at)?;
    let digest = &key.digest.0[..];
    let id: i64 = store.with_client("store an API key", |client| {
        Ok(client
            .query_one(
                "INSERT INTO api_keys (name, digest, scope, created_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
                &[&key.name, &digest, &scope, &created_at],
            )?
            .try_get(0)?)
    })?;
    Ok(ApiKeyRecord {
        id: ApiKeyId(id),
        name: key.name,
        digest: key.digest,
        scope: key.scope,
        created_at: key.created_at,
        revoked_at: None,
    })
}

pub(super) fn by_digest(
    store: &PostgresStore,
    digest: &TokenDigest,
) -> Result<Option<ApiKeyRecord>, StoreError> {
    let row = store.with_client("read an API key", |client| {
        Ok(client
            .query_opt(
                concat!(
                    "SELECT ",
                    api_key_columns!(),
                    " FROM api_keys WHERE digest = $1"
                ),
                &[&&digest.0[..]],
            )?
            .map(|r| ApiKeyRow::from_row(&r))
            .transpose()?)
    })?;
    row.map(ApiKeyRecord::try_from).transpose()
}

/// Every key, by id.
pub(super) fn all(store: &PostgresStore) -> Result<Vec<ApiKeyRecord>, StoreError> {
    let rows = store.with_client("list API keys", |client| {
        Ok(client
            .query(
                concat!("SELECT ", api_key_columns!(), " FROM api_keys ORDER BY id"),
                &[],
            )?
            .iter()
            .map(ApiKeyRow::from_row)
            .collect::<Result<Vec<_>, _>>()?)
    })?;
    rows.into_iter().map(ApiKeyRecord::try_from).collect()
}

/// Marks the key revoked unless it already is (one conditional `UPDATE`: the first
/// revocation's time stays, whatever the races).
pub(super) fn revoke(
    store: &PostgresStore,
    id: ApiKeyId,
    at: OffsetDateTime,
) -> Result<bool, StoreError> {
    let at = instant_to_sql(at)?;
    store.with_client("revoke an API key", |client| {
        Ok(client.execute(
            "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            &[&id.0, &at],
        )? == 1)
    })
}
