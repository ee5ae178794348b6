//! The `attempts` table: the password and passcode lockout counters of one
//! 機関コード + ログイン ID, kept whether or not the account exists.

use postgres::Transaction;
use serde_json::Value;
use shikaku::{AccountKey, Attempts, StoreError};
use time::OffsetDateTime;

use super::PostgresStore;
use crate::retry::Failure;
use crate::rows::AttemptsRow;
use crate::sql::Sql;

const SELECT_FOR_UPDATE: &str = "SELECT password_lockout, passcode_lockout FROM attempts \
     WHERE institution_code = $1 AND login_id = $2 FOR UPDATE";

/// The counters of a never-seen identifier, as stored.
pub(super) fn cleared() -> Result<AttemptsRow, StoreError> {
    AttemptsRow::try_from(&Attempts::default())
}

/// Locks the identifier's row, lets `f` change the counters and stores them, in one
/// transaction. An identifier seen for the first time gets its row first with
/// `INSERT … ON CONFLICT DO NOTHING`, so nodes racing on a new identifier all end up
/// locking the one row (none of them fails, none overwrites another's count).
pub(super) fn update(
    store: &PostgresStore,
    key: &AccountKey,
    f: &mut dyn FnMut(&mut Attempts),
) -> Result<Attempts, StoreError> {
    let (code, login) = (key.institution_code.as_str(), key.login_id.as_str());
    let fresh = cleared()?;
    store.transaction("update lockout counters", |tx| {
        let row = lock_row(tx, code, login, &fresh)?;
        let mut attempts = row.decode(&key.storage_key())?;
        f(&mut attempts);
        let row = AttemptsRow::try_from(&attempts)?;
        tx.execute(
            "UPDATE attempts SET password_lockout = $3, passcode_lockout = $4 \
             WHERE institution_code = $1 AND login_id = $2",
            &[&code, &login, &row.password_lockout, &row.passcode_lockout],
        )?;
        Ok(attempts)
    })
}

/// The row of `code`/`login`, locked until the transaction ends; created (as never
/// seen) first when absent. A row deleted by a concurrent `prune` between the insert
/// and the lock is simply created again.
fn lock_row(
    tx: &mut Sql<'_, Transaction<'_>>,
    code: &str,
    login: &str,
    fresh: &AttemptsRow,
) -> Result<AttemptsRow, Failure> {
    for _ in 0..4 {
        if let Some(row) = tx.query_opt(SELECT_FOR_UPDATE, &[&code, &login])? {
            return Ok(AttemptsRow::from_row(&row, 0)?);
        }
        tx.execute(
            "INSERT INTO attempts (institution_code, login_id, password_lockout, \
             passcode_lockout) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (institution_code, login_id) DO NOTHING",
            &[
                &code,
                &login,
                &fresh.password_lockout,
                &fresh.passcode_lockout,
            ],
        )?;
    }
    Err(Failure::Store(StoreError::Unavailable(
        "update lockout counters: the counters' row kept disappearing (a prune running \
         in a loop?)"
            .to_owned(),
    )))
}

/// The counters of `key`; zero if none are stored.
pub(super) fn of(store: &PostgresStore, key: &AccountKey) -> Result<Attempts, StoreError> {
    let (code, login) = (key.institution_code.as_str(), key.login_id.as_str());
    let row = store.with_client("read lockout counters", |client| {
        Ok(client
            .query_opt(
                "SELECT password_lockout, passcode_lockout FROM attempts \
                 WHERE institution_code = $1 AND login_id = $2",
                &[&code, &login],
            )?
            .map(|r| AttemptsRow::from_row(&r, 0))
            .transpose()?)
    })?;
    match row {
        Some(row) => row.decode(&key.storage_key()),
        None => Ok(Attempts::default()),
    }
}

/// Every identifier's counters that differ from zero, by key.
pub(super) fn all(store: &PostgresStore) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
    listed(
        store,
        "list lockout counters",
        "SELECT institution_code, login_id, password_lockout, passcode_lockout \
         FROM attempts ORDER BY institution_code, login_id",
    )
}

/// The counters with a lock of either factor (in force or ended), by key.
pub(super) fn locked(store: &PostgresStore) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
    listed(store, "list locked lockout counters", LOCKED)
}

/// The rows with a lock of either factor (the locked state's JSON form), by key.
const LOCKED: &str = "SELECT institution_code, login_id, password_lockout, passcode_lockout \
     FROM attempts \
     WHERE password_lockout->>'state' = 'locked' OR passcode_lockout->>'state' = 'locked' \
     ORDER BY institution_code, login_id";

/// The counters `query` selects that differ from zero.
fn listed(
    store: &PostgresStore,
    op: &'static str,
    query: &'static str,
) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
    let rows = store.with_client(op, |client| {
        Ok(client
            .query(query, &[])?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<_, String>(0)?,
                    r.try_get::<_, String>(1)?,
                    AttemptsRow::from_row(r, 2)?,
                ))
            })
            .collect::<Result<Vec<_>, postgres::Error>>()?)
    })?;
    let mut all = Vec::new();
    for (code, login, row) in rows {
        let attempts = row.decode(&format!("{code}/{login}"))?;
        if attempts != Attempts::default() {
            let key = crate::rows::attempts_key(code, login)?;
            all.push((key, attempts));
        }
    }
    Ok(all)
}

/// Deletes the counters with nothing left to remember at `now`
/// ([`Attempts::is_clear_at`]: as good as no row at all), inside the caller's
/// transaction; returns how many went. Rows equal to a never-seen identifier's go in
/// one statement; the others (an ended lock) are decoded here and deleted only while
/// they still hold what was read. `DELETE` re-checks its condition on a row another
/// transaction is changing once that one commits, so a counter that has just gone up
/// is never deleted.
pub(super) fn delete_cleared(
    tx: &mut Sql<'_, Transaction<'_>>,
    cleared: &AttemptsRow,
    now: OffsetDateTime,
) -> Result<u64, Failure> {
    let (password, passcode): (&Value, &Value) =
        (&cleared.password_lockout, &cleared.passcode_lockout);
    let mut deleted = tx.execute(
        "DELETE FROM attempts WHERE password_lockout = $1 AND passcode_lockout = $2",
        &[password, passcode],
    )?;
    let ended = tx.query(LOCKED, &[])?;
    for row in &ended {
        let (code, login): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        let stored = AttemptsRow::from_row(row, 2)?;
        let (password, passcode) = (
            stored.password_lockout.clone(),
            stored.passcode_lockout.clone(),
        );
        if stored.decode(&format!("{code}/{login}"))?.is_clear_at(now) {
            deleted += tx.execute(
                "DELETE FROM attempts WHERE institution_code = $1 AND login_id = $2 \
                 AND password_lockout = $3 AND passcode_lockout = $4",
                &[&code, &login, &password, &passcode],
            )?;
        }
    }
    Ok(deleted)
}
