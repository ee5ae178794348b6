//! The `key_checks` rows (each master key's check value), the schema version and the
//! ping.

use shikaku::{KeyCheck, KeyId, StoreError};

use super::PostgresStore;

fn check_from_sql(id: i64, bytes: &[u8]) -> Result<KeyCheck, StoreError> {
    let array: [u8; 32] = bytes.try_into().map_err(|_| {
        StoreError::Corrupt(format!(
            "key_checks row {id}, column key_check, is not 32 bytes"
        ))
    })?;
    Ok(KeyCheck(array))
}

fn id_from_sql(id: i64) -> Result<KeyId, StoreError> {
    u32::try_from(id)
        .ok()
        .and_then(KeyId::new)
        .ok_or_else(|| StoreError::Corrupt(format!("key_checks: {id} is not a key id")))
}

/// Records `candidate` for key `id` unless a value is stored, and returns the stored one.
///
/// The insert waits for a concurrent inserter's commit (the primary key), so of nodes
/// starting at once exactly one value wins per id; the `SELECT` that follows, a
/// statement of its own, sees the winner's committed row.
pub(super) fn key_check(
    store: &PostgresStore,
    id: KeyId,
    candidate: &KeyCheck,
) -> Result<KeyCheck, StoreError> {
    let key = i64::from(id.get());
    let value = &candidate.0[..];
    let stored: Vec<u8> = store.with_client("record the key check value", |client| {
        if let Some(row) = client.query_opt(
            "INSERT INTO key_checks (key_id, key_check) VALUES ($1, $2) \
             ON CONFLICT (key_id) DO NOTHING RETURNING key_check",
            &[&key, &value],
        )? {
            return Ok(row.try_get(0)?);
        }
        Ok(client
            .query_one(
                "SELECT key_check FROM key_checks WHERE key_id = $1",
                &[&key],
            )?
            .try_get(0)?)
    })?;
    check_from_sql(key, &stored)
}

/// Every stored key check value, by key id.
pub(super) fn key_checks(store: &PostgresStore) -> Result<Vec<(KeyId, KeyCheck)>, StoreError> {
    let rows: Vec<(i64, Vec<u8>)> = store.with_client("read the key check values", |client| {
        client
            .query(
                "SELECT key_id, key_check FROM key_checks ORDER BY key_id",
                &[],
            )?
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect()
    })?;
    rows.into_iter()
        .map(|(id, bytes)| Ok((id_from_sql(id)?, check_from_sql(id, &bytes)?)))
        .collect()
}

/// One round trip.
pub(super) fn ping(store: &PostgresStore) -> Result<(), StoreError> {
    store.with_client("ping the database", |client| {
        client.batch_execute("SELECT 1")?;
        Ok(())
    })
}

pub(super) fn schema_version(store: &PostgresStore) -> Result<u32, StoreError> {
    let version: i32 = store.with_client("read the schema version", |client| {
        Ok(client
            .query_one(
                "SELECT coalesce(max(version), 0) FROM schema_migrations",
                &[],
            )?
            .try_get(0)?)
    })?;
    u32::try_from(version)
        .map_err(|_| StoreError::Corrupt(format!("the schema version {version} is negative")))
}
