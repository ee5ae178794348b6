//! The `login_tickets` table: half-finished logins (the password was right, the
//! passcode is awaited), keyed by the SHA-256 digest of their token.

use rusqlite::{Transaction, params};
use shikaku::{AccountId, LoginTicketRecord, StoreError, TokenDigest};

use super::SqliteStore;
use crate::error::sql;
use crate::rows::TicketRow;

pub(super) fn insert(store: &SqliteStore, ticket: &LoginTicketRecord) -> Result<(), StoreError> {
    const OP: &str = "store a login ticket";
    let row = TicketRow::try_from(ticket)?;
    store.write(OP, |tx| upsert(tx, &row).map_err(sql(OP)))?;
    Ok(())
}

pub(super) fn by_digest(
    store: &SqliteStore,
    digest: &TokenDigest,
) -> Result<Option<LoginTicketRecord>, StoreError> {
    store.read_one(
        "read a login ticket",
        &format!(
            "SELECT {} FROM login_tickets WHERE digest = ?1",
            TicketRow::COLUMNS
        ),
        digest.0,
        TicketRow::from_row,
    )
}

/// Whether a ticket was there to delete.
pub(super) fn delete(store: &SqliteStore, digest: &TokenDigest) -> Result<bool, StoreError> {
    const OP: &str = "delete a login ticket";
    store.write(OP, |tx| {
        let n = tx
            .prepare_cached("DELETE FROM login_tickets WHERE digest = ?1")
            .and_then(|mut s| s.execute([digest.0]))
            .map_err(sql(OP))?;
        Ok(n > 0)
    })
}

pub(super) fn delete_all_of(store: &SqliteStore, account: AccountId) -> Result<(), StoreError> {
    const OP: &str = "delete an account's login tickets";
    store.write(OP, |tx| {
        tx.prepare_cached("DELETE FROM login_tickets WHERE account_id = ?1")
            .and_then(|mut s| s.execute([account.0]))
            .map_err(sql(OP))
    })?;
    Ok(())
}

/// Deletes the tickets expired at `now` (a stored instant), inside the caller's
/// transaction; returns how many went.
pub(super) fn delete_expired(tx: &Transaction<'_>, now: &str) -> rusqlite::Result<usize> {
    tx.prepare_cached("DELETE FROM login_tickets WHERE expires_at <= ?1")
        .and_then(|mut s| s.execute([now]))
}

fn upsert(tx: &Transaction<'_>, row: &TicketRow) -> rusqlite::Result<usize> {
    tx.prepare_cached(
        "INSERT INTO login_tickets (digest, account_id, issued_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (digest) DO UPDATE SET account_id = excluded.account_id, \
         issued_at = excluded.issued_at, expires_at = excluded.expires_at",
    )?
    .execute(params![
        row.digest,
        row.account_id,
        row.issued_at,
        row.expires_at
    ])
}
