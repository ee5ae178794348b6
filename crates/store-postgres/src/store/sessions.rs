//! The `sessions` table: signed-in sessions keyed by the SHA-256 digest of their
//! token, each with its clock (epoch and last activity).

use postgres::GenericClient;
use shikaku::lockout::IdleTimeout;
use shikaku::{AccountId, SessionRecord, StoreError, TokenDigest};
use time::OffsetDateTime;

use super::PostgresStore;
use crate::rows::{SessionRow, session_columns};
use crate::sql::Sql;

/// `SELECT` of the session whose digest is `$1`, then `$suffix`, as one literal.
macro_rules! select {
    ($suffix:literal) => {
        concat!(
            "SELECT ",
            session_columns!(),
            " FROM sessions WHERE digest = $1",
            $suffix
        )
    };
}

pub(super) fn insert(store: &PostgresStore, session: &SessionRecord) -> Result<(), StoreError> {
    let row = SessionRow::try_from(session)?;
    store.with_client("store a session", |client| {
        upsert(client, &row)?;
        Ok(())
    })
}

pub(super) fn by_digest(
    store: &PostgresStore,
    digest: &TokenDigest,
) -> Result<Option<SessionRecord>, StoreError> {
    let row = store.with_client("read a session", |client| {
        Ok(client
            .query_opt(select!(""), &[&&digest.0[..]])?
            .map(|r| SessionRow::from_row(&r))
            .transpose()?)
    })?;
    row.map(SessionRecord::try_from).transpose()
}

/// Locks the session's row, lets `f` change it and stores it, in one transaction.
pub(super) fn update(
    store: &PostgresStore,
    digest: &TokenDigest,
    f: &mut dyn FnMut(&mut SessionRecord),
) -> Result<Option<SessionRecord>, StoreError> {
    store.transaction("update a session", |tx| {
        let Some(row) = tx.query_opt(select!(" FOR UPDATE"), &[&&digest.0[..]])? else {
            return Ok(None);
        };
        let mut session = SessionRecord::try_from(SessionRow::from_row(&row)?)?;
        f(&mut session);
        session.digest = *digest; // the digest is the row's identity
        upsert(tx, &SessionRow::try_from(&session)?)?;
        Ok(Some(session))
    })
}

/// Whether a session was there to delete.
pub(super) fn delete(store: &PostgresStore, digest: &TokenDigest) -> Result<bool, StoreError> {
    store.with_client("delete a session", |client| {
        Ok(client.execute("DELETE FROM sessions WHERE digest = $1", &[&&digest.0[..]])? > 0)
    })
}

pub(super) fn delete_all_of(store: &PostgresStore, account: AccountId) -> Result<(), StoreError> {
    store.with_client("delete an account's sessions", |client| {
        client.execute("DELETE FROM sessions WHERE account_id = $1", &[&account.0])?;
        Ok(())
    })
}

/// Deletes the sessions whose idle expiry (last activity + `idle`) is at or before
/// `ended_before`; each only while its clock is still the one read (a session touched
/// meanwhile stays). Returns how many went.
pub(super) fn delete_ended(
    store: &PostgresStore,
    idle: &IdleTimeout,
    ended_before: OffsetDateTime,
) -> Result<usize, StoreError> {
    store.transaction("delete ended sessions", |tx| {
        let mut deleted = 0u64;
        for row in tx.query(
            concat!("SELECT ", session_columns!(), " FROM sessions"),
            &[],
        )? {
            let row = SessionRow::from_row(&row)?;
            let (digest, clock) = (row.digest.clone(), row.clock.clone());
            let session = SessionRecord::try_from(row)?;
            if session.clock.expires_at(idle) <= ended_before {
                deleted += tx.execute(
                    "DELETE FROM sessions WHERE digest = $1 AND clock = $2",
                    &[&digest, &clock],
                )?;
            }
        }
        Ok(usize::try_from(deleted).unwrap_or(usize::MAX))
    })
}

fn upsert(
    client: &mut Sql<'_, impl GenericClient>,
    row: &SessionRow,
) -> Result<u64, postgres::Error> {
    client.execute(
        "INSERT INTO sessions (digest, account_id, clock, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (digest) DO UPDATE SET account_id = excluded.account_id, \
         clock = excluded.clock, created_at = excluded.created_at",
        &[&row.digest, &row.account_id, &row.clock, &row.created_at],
    )
}
