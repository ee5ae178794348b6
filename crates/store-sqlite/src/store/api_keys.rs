//! The `api_keys` table: the administration API's keys, kept as digests, by id or by
//! digest; revoked once, never deleted.

use rusqlite::params;
use shikaku::{ApiKeyId, ApiKeyRecord, NewApiKey, StoreError, TokenDigest};
use time::OffsetDateTime;

use super::SqliteStore;
use crate::error::sql;
use crate::rows::{ApiKeyRow, instant_to_sql};

/// Stores a new key; its id is the new row's. A taken digest is
/// [`StoreError::Conflict`] (the `UNIQUE` constraint).
pub(super) fn insert(store: &SqliteStore, key: NewApiKey) -> Result<ApiKeyRecord, StoreError> {
    const OP: &str = "store an API key";
    let row = ApiKeyRow::try_from(&key)?;
    let id = store.write(OP, |tx| {
        tx.prepare_cached(
            "INSERT INTO api_keys (name, digest, scope, created_at) VALUES (?1, ?2, ?3, ?4) \
             RETURNING id",
        )
        .and_then(|mut s| {
            s.query_row(
                params![row.name, row.digest, row.scope, row.created_at],
                |r| r.get::<_, i64>(0),
            )
        })
        .map_err(sql(OP))
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
    store: &SqliteStore,
    digest: &TokenDigest,
) -> Result<Option<ApiKeyRecord>, StoreError> {
    store.read_one(
        "read an API key",
        &format!(
            "SELECT {} FROM api_keys WHERE digest = ?1",
            ApiKeyRow::COLUMNS
        ),
        digest.0,
        ApiKeyRow::from_row,
    )
}

/// Every key, revoked or not, by id.
pub(super) fn all(store: &SqliteStore) -> Result<Vec<ApiKeyRecord>, StoreError> {
    let rows = store.read("list API keys", |conn| {
        conn.prepare_cached(&format!(
            "SELECT {} FROM api_keys ORDER BY id",
            ApiKeyRow::COLUMNS
        ))?
        .query_map([], ApiKeyRow::from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    rows.into_iter().map(ApiKeyRecord::try_from).collect()
}

/// Sets `revoked_at` of a key not yet revoked; `false` if there is no such key or it
/// already was (its first revocation time stays).
pub(super) fn revoke(
    store: &SqliteStore,
    id: ApiKeyId,
    at: OffsetDateTime,
) -> Result<bool, StoreError> {
    const OP: &str = "revoke an API key";
    let at = instant_to_sql(at)?;
    store.write(OP, |tx| {
        let n = tx
            .prepare_cached(
                "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            )
            .and_then(|mut s| s.execute(params![id.0, at]))
            .map_err(sql(OP))?;
        Ok(n > 0)
    })
}
