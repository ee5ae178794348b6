//! The one-row `meta` table: the master key's check value, recorded once by the first
//! node to start on the database; and the readiness ping.

use rusqlite::OptionalExtension;
use shikaku::{KeyCheck, StoreError};

use super::SqliteStore;
use crate::error::sql;
use crate::rows::key_check_from_sql;

const SELECT: &str = "SELECT key_check FROM meta WHERE id = 1";

/// The stored key check value, recording `candidate` first if there is none.
///
/// The value never changes once written, so a stored one is simply read (no write
/// lock, and a read-only store answers too). Otherwise one `BEGIN IMMEDIATE`
/// transaction inserts the candidate unless a row appeared meanwhile
/// (`ON CONFLICT DO NOTHING`) and reads back what is stored: of nodes starting at
/// once on a new database, the first to take the write lock wins and every other one
/// reads its value.
pub(super) fn key_check(store: &SqliteStore, candidate: &KeyCheck) -> Result<KeyCheck, StoreError> {
    const OP: &str = "record the key check value";
    let stored = store.read("read the key check value", |conn| {
        conn.prepare_cached(SELECT)?
            .query_row([], |r| r.get::<_, Vec<u8>>(0))
            .optional()
    })?;
    if let Some(bytes) = stored {
        return key_check_from_sql(&bytes);
    }
    let bytes = store.write(OP, |tx| {
        tx.prepare_cached(
            "INSERT INTO meta (id, key_check) VALUES (1, ?1) ON CONFLICT (id) DO NOTHING",
        )
        .and_then(|mut s| s.execute([candidate.0]))
        .map_err(sql(OP))?;
        tx.prepare_cached(SELECT)
            .and_then(|mut s| s.query_row([], |r| r.get::<_, Vec<u8>>(0)))
            .map_err(sql(OP))
    })?;
    key_check_from_sql(&bytes)
}

/// One read through a pooled connection (the schema version, in the file's header):
/// the database is there and can be read.
pub(super) fn ping(store: &SqliteStore) -> Result<(), StoreError> {
    store.schema_version().map(|_| ())
}
