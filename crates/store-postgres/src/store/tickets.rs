//! The `login_tickets` table: half-finished logins (the password was right, the
//! passcode is awaited), keyed by the SHA-256 digest of their token.

use postgres::Transaction;
use shikaku::{AccountId, LoginTicketRecord, StoreError, TokenDigest};

use super::PostgresStore;
use crate::rows::{TicketRow, ticket_columns};
use crate::sql::Sql;

pub(super) fn insert(store: &PostgresStore, ticket: &LoginTicketRecord) -> Result<(), StoreError> {
    let row = TicketRow::try_from(ticket)?;
    store.with_client("store a login ticket", |client| {
        client.execute(
            "INSERT INTO login_tickets (digest, account_id, issued_at, expires_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (digest) DO UPDATE SET account_id = excluded.account_id, \
             issued_at = excluded.issued_at, expires_at = excluded.expires_at",
            &[
                &row.digest,
                &row.account_id,
                &row.issued_at,
                &row.expires_at,
            ],
        )?;
        Ok(())
    })
}

pub(super) fn by_digest(
    store: &PostgresStore,
    digest: &TokenDigest,
) -> Result<Option<LoginTicketRecord>, StoreError> {
    let row = store.with_client("read a login ticket", |client| {
        Ok(client
            .query_opt(
                concat!(
                    "SELECT ",
                    ticket_columns!(),
                    " FROM login_tickets WHERE digest = $1"
                ),
                &[&&digest.0[..]],
            )?
            .map(|r| TicketRow::from_row(&r))
            .transpose()?)
    })?;
    row.map(LoginTicketRecord::try_from).transpose()
}

/// Whether a ticket was there to delete.
pub(super) fn delete(store: &PostgresStore, digest: &TokenDigest) -> Result<bool, StoreError> {
    store.with_client("delete a login ticket", |client| {
        Ok(client.execute(
            "DELETE FROM login_tickets WHERE digest = $1",
            &[&&digest.0[..]],
        )? > 0)
    })
}

pub(super) fn delete_all_of(store: &PostgresStore, account: AccountId) -> Result<(), StoreError> {
    store.with_client("delete an account's login tickets", |client| {
        client.execute(
            "DELETE FROM login_tickets WHERE account_id = $1",
            &[&account.0],
        )?;
        Ok(())
    })
}

/// Deletes the tickets expired at `now` (a stored instant), inside the caller's
/// transaction; returns how many went.
pub(super) fn delete_expired(
    tx: &mut Sql<'_, Transaction<'_>>,
    now: &str,
) -> Result<u64, postgres::Error> {
    tx.execute("DELETE FROM login_tickets WHERE expires_at <= $1", &[&now])
}
