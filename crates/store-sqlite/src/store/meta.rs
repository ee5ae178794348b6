//! The `key_checks` table: each master key's check value, recorded once by the first
//! node to start with that key; and the readiness ping.

use rusqlite::OptionalExtension;
use shikaku::{KeyCheck, KeyId, StoreError};

use super::SqliteStore;
use crate::error::sql;
use crate::rows::{key_check_from_sql, key_id_from_sql};

const SELECT: &str = "SELECT key_check FROM key_checks WHERE key_id = ?1";

/// The stored key check value of key `id`, recording `candidate` first if there is none.
///
/// A value never changes once written, so a stored one is simply read (no write
/// lock, and a read-only store answers too). Otherwise one `BEGIN IMMEDIATE`
/// transaction inserts the candidate unless a row appeared meanwhile
/// (`ON CONFLICT DO NOTHING`) and reads back what is stored: of nodes starting at
/// once, the first to take the write lock wins and every other one reads its value.
pub(super) fn key_check(
    store: &SqliteStore,
    id: KeyId,
    candidate: &KeyCheck,
) -> Result<KeyCheck, StoreError> {
    const OP: &str = "record the key check value";
    let key = i64::from(id.get());
    let stored = store.read("read the key check value", |conn| {
        conn.prepare_cached(SELECT)?
            .query_row([key], |r| r.get::<_, Vec<u8>>(0))
            .optional()
    })?;
    if let Some(bytes) = stored {
        return key_check_from_sql(key, &bytes);
    }
    let bytes = store.write(OP, |tx| {
        tx.prepare_cached(
            "INSERT INTO key_checks (key_id, key_check) VALUES (?1, ?2) \
             ON CONFLICT (key_id) DO NOTHING",
        )
        .and_then(|mut s| s.execute(rusqlite::params![key, candidate.0]))
        .map_err(sql(OP))?;
        tx.prepare_cached(SELECT)
            .and_then(|mut s| s.query_row([key], |r| r.get::<_, Vec<u8>>(0)))
            .map_err(sql(OP))
    })?;
    key_check_from_sql(key, &bytes)
}

/// Every stored key check value, by key id.
pub(super) fn key_checks(store: &SqliteStore) -> Result<Vec<(KeyId, KeyCheck)>, StoreError> {
    let rows = store.read("read the key check values", |conn| {
        conn.prepare_cached("SELECT key_id, key_check FROM key_checks ORDER BY key_id")?
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?
            .collect::<Result<Vec<_>, _>>()
    })?;
    rows.into_iter()
        .map(|(id, bytes)| Ok((key_id_from_sql(id)?, key_check_from_sql(id, &bytes)?)))
        .collect()
}

/// One read through a pooled connection (the schema version, in the file's header):
/// the database is there and can be read.
pub(super) fn ping(store: &SqliteStore) -> Result<(), StoreError> {
    store.schema_version().map(|_| ())
}
