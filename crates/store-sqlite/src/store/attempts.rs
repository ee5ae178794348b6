//! The `attempts` table: the password and passcode lockout counters of one
//! 機関コード + ログイン ID, kept whether or not the account exists.

use rusqlite::{OptionalExtension, Transaction, params};
use shikaku::{AccountKey, Attempts, StoreError};
use time::OffsetDateTime;

use super::SqliteStore;
use crate::error::sql;
use crate::rows::{AttemptsRow, KeyedAttemptsRow};

const SELECT_BY_KEY: &str = "SELECT password_lockout, passcode_lockout FROM attempts \
     WHERE institution_code = ?1 AND login_id = ?2";

/// Reads the counters (zero if none are stored), lets `f` change them and stores them,
/// all under the write lock.
pub(super) fn update(
    store: &SqliteStore,
    key: &AccountKey,
    f: &mut dyn FnMut(&mut Attempts),
) -> Result<Attempts, StoreError> {
    const OP: &str = "update lockout counters";
    let (code, login) = (key.institution_code.as_str(), key.login_id.as_str());
    store.write(OP, |tx| {
        let row = tx
            .prepare_cached(SELECT_BY_KEY)
            .and_then(|mut s| s.query_row([code, login], AttemptsRow::from_row).optional())
            .map_err(sql(OP))?;
        let mut attempts = match row {
            Some(row) => row.decode(&key.storage_key())?,
            None => Attempts::default(),
        };
        f(&mut attempts);
        let row = AttemptsRow::try_from(&attempts)?;
        tx.prepare_cached(
            "INSERT INTO attempts (institution_code, login_id, password_lockout, \
             passcode_lockout) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (institution_code, login_id) DO UPDATE SET \
             password_lockout = excluded.password_lockout, \
             passcode_lockout = excluded.passcode_lockout",
        )
        .and_then(|mut s| {
            s.execute(params![
                code,
                login,
                row.password_lockout,
                row.passcode_lockout
            ])
        })
        .map_err(sql(OP))?;
        Ok(attempts)
    })
}

/// The counters of `key`; zero if none are stored.
pub(super) fn of(store: &SqliteStore, key: &AccountKey) -> Result<Attempts, StoreError> {
    let row = store.read("read lockout counters", |conn| {
        conn.prepare_cached(SELECT_BY_KEY)?
            .query_row(
                [key.institution_code.as_str(), key.login_id.as_str()],
                AttemptsRow::from_row,
            )
            .optional()
    })?;
    match row {
        Some(row) => row.decode(&key.storage_key()),
        None => Ok(Attempts::default()),
    }
}

/// Every identifier's counters that differ from zero, by key. (Rows equal to zero are
/// left by updates that changed nothing and go at the next prune; they are not listed.)
pub(super) fn all_changed(store: &SqliteStore) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
    listed(store, "list lockout counters", "")
}

/// The counters with a lock of either factor (in force or ended), by key.
pub(super) fn locked(store: &SqliteStore) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
    listed(store, "list locked lockout counters", LOCKED)
}

/// Rows with a lock of either factor (the locked state's JSON form).
const LOCKED: &str = "WHERE json_extract(password_lockout, '$.state') = 'locked' \
                      OR json_extract(passcode_lockout, '$.state') = 'locked'";

/// The counters `filter` (a `WHERE` clause, or nothing) selects that differ from zero.
fn listed(
    store: &SqliteStore,
    op: &'static str,
    filter: &str,
) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
    let rows = store.read(op, |conn| {
        conn.prepare_cached(&format!(
            "SELECT {} FROM attempts {filter} ORDER BY institution_code, login_id",
            KeyedAttemptsRow::COLUMNS
        ))?
        .query_map([], KeyedAttemptsRow::from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    let mut changed = Vec::new();
    for row in rows {
        let (key, attempts) = row.decode()?;
        if attempts != Attempts::default() {
            changed.push((key, attempts));
        }
    }
    Ok(changed)
}

/// Deletes the counters with nothing left to remember at `now`
/// ([`Attempts::is_clear_at`]: as good as no row at all), inside the caller's
/// transaction; returns how many went.
pub(super) fn delete_cleared(
    tx: &Transaction<'_>,
    op: &'static str,
    now: OffsetDateTime,
) -> Result<usize, StoreError> {
    // Without a lock, a row is clear when it is zero: compared as stored text, so
    // the rows of identifiers that still count failures are never read (a spray of
    // unknown IDs leaves one per guess). A lock is clear once it ended and its
    // refusals were reported: those few rows are decoded.
    let zero = AttemptsRow::try_from(&Attempts::default())?;
    let mut deleted = tx
        .prepare_cached(
            "DELETE FROM attempts WHERE password_lockout = ?1 AND passcode_lockout = ?2",
        )
        .and_then(|mut s| s.execute([&zero.password_lockout, &zero.passcode_lockout]))
        .map_err(sql(op))?;
    let rows = tx
        .prepare_cached(&format!(
            "SELECT institution_code, login_id, password_lockout, passcode_lockout \
             FROM attempts {LOCKED}"
        ))
        .and_then(|mut s| {
            s.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    AttemptsRow {
                        password_lockout: r.get(2)?,
                        passcode_lockout: r.get(3)?,
                    },
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(sql(op))?;
    let mut delete = tx
        .prepare_cached("DELETE FROM attempts WHERE institution_code = ?1 AND login_id = ?2")
        .map_err(sql(op))?;
    for (code, login, row) in rows {
        if row.decode(&format!("{code}/{login}"))?.is_clear_at(now) {
            deleted += delete.execute([&code, &login]).map_err(sql(op))?;
        }
    }
    Ok(deleted)
}
