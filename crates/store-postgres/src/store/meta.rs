//! The `meta` row (the master key's check value), the schema version and the ping.

use shikaku::{KeyCheck, StoreError};

use super::PostgresStore;

/// Records `candidate` unless a value is stored, and returns the stored one.
///
/// The insert waits for a concurrent inserter's commit (the primary key), so of nodes
/// starting at once exactly one value wins; the `SELECT` that follows, a statement of
/// its own, sees the winner's committed row.
pub(super) fn key_check(
    store: &PostgresStore,
    candidate: &KeyCheck,
) -> Result<KeyCheck, StoreError> {
    let value = &candidate.0[..];
    let stored: Vec<u8> = store.with_client("record the key check value", |client| {
        if let Some(row) = client.query_opt(
            "INSERT INTO meta (id, key_check) VALUES (1, $1) \
             ON CONFLICT (id) DO NOTHING RETURNING key_check",
            &[&value],
        )? {
            return Ok(row.try_get(0)?);
        }
        Ok(client
            .query_one("SELECT key_check FROM meta WHERE id = 1", &[])?
            .try_get(0)?)
    })?;
    let array: [u8; 32] = stored.as_slice().try_into().map_err(|_| {
        StoreError::Corrupt("meta row 1, column key_check, is not 32 bytes".to_owned())
    })?;
    Ok(KeyCheck(array))
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
