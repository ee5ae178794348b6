//! The `sessions` table: signed-in sessions keyed by the SHA-256 digest of their
//! token, each with its clock (epoch and last activity).

use rusqlite::{OptionalExtension, Transaction, params};
use shikaku::lockout::IdleTimeout;
use shikaku::{AccountId, SessionRecord, StoreError, TokenDigest};
use time::OffsetDateTime;

use super::SqliteStore;
use crate::error::sql;
use crate::rows::SessionRow;

pub(super) fn insert(store: &SqliteStore, session: &SessionRecord) -> Result<(), StoreError> {
    const OP: &str = "store a session";
    let row = SessionRow::try_from(session)?;
    store.write(OP, |tx| upsert(tx, &row).map_err(sql(OP)))?;
    Ok(())
}

pub(super) fn by_digest(
    store: &SqliteStore,
    digest: &TokenDigest,
) -> Result<Option<SessionRecord>, StoreError> {
    store.read_one(
        "read a session",
        &select_by_digest(),
        digest.0,
        SessionRow::from_row,
    )
}

/// Reads the session, lets `f` change it and stores it, all under the write lock.
pub(super) fn update(
    store: &SqliteStore,
    digest: &TokenDigest,
    f: &mut dyn FnMut(&mut SessionRecord),
) -> Result<Option<SessionRecord>, StoreError> {
    const OP: &str = "update a session";
    store.write(OP, |tx| {
        let Some(row) = tx
            .prepare_cached(&select_by_digest())
            .and_then(|mut s| s.query_row([digest.0], SessionRow::from_row).optional())
            .map_err(sql(OP))?
        else {
            return Ok(None);
        };
        let mut session = SessionRecord::try_from(row)?;
        f(&mut session);
        session.digest = *digest; // the digest is the row's identity
        upsert(tx, &SessionRow::try_from(&session)?).map_err(sql(OP))?;
        Ok(Some(session))
    })
}

/// Whether a session was there to delete.
pub(super) fn delete(store: &SqliteStore, digest: &TokenDigest) -> Result<bool, StoreError> {
    const OP: &str = "delete a session";
    store.write(OP, |tx| {
        let n = tx
            .prepare_cached("DELETE FROM sessions WHERE digest = ?1")
            .and_then(|mut s| s.execute([digest.0]))
            .map_err(sql(OP))?;
        Ok(n > 0)
    })
}

pub(super) fn delete_all_of(store: &SqliteStore, account: AccountId) -> Result<(), StoreError> {
    const OP: &str = "delete an account's sessions";
    store.write(OP, |tx| {
        tx.prepare_cached("DELETE FROM sessions WHERE account_id = ?1")
            .and_then(|mut s| s.execute([account.0]))
            .map_err(sql(OP))
    })?;
    Ok(())
}

/// Deletes the sessions whose idle expiry (last activity + `idle`) is at or before
/// `ended_before`, in one write transaction (no session can be touched between the
/// read and the delete); returns how many went.
pub(super) fn delete_ended(
    store: &SqliteStore,
    idle: &IdleTimeout,
    ended_before: OffsetDateTime,
) -> Result<usize, StoreError> {
    const OP: &str = "delete ended sessions";
    store.write(OP, |tx| {
        let rows = tx
            .prepare_cached(&format!("SELECT {} FROM sessions", SessionRow::COLUMNS))
            .and_then(|mut s| {
                s.query_map([], SessionRow::from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(sql(OP))?;
        let mut delete = tx
            .prepare_cached("DELETE FROM sessions WHERE digest = ?1")
            .map_err(sql(OP))?;
        let mut deleted = 0;
        for row in rows {
            let session = SessionRecord::try_from(row)?;
            if session.clock.expires_at(idle) <= ended_before {
                deleted += delete.execute([session.digest.0]).map_err(sql(OP))?;
            }
        }
        Ok(deleted)
    })
}

fn select_by_digest() -> String {
    format!(
        "SELECT {} FROM sessions WHERE digest = ?1",
        SessionRow::COLUMNS
    )
}

fn upsert(tx: &Transaction<'_>, row: &SessionRow) -> rusqlite::Result<usize> {
    tx.prepare_cached(
        "INSERT INTO sessions (digest, account_id, clock, created_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (digest) DO UPDATE SET account_id = excluded.account_id, \
         clock = excluded.clock, created_at = excluded.created_at",
    )?
    .execute(params![
        row.digest,
        row.account_id,
        row.clock,
        row.created_at
    ])
}
