//! The `accounts` table: staff accounts by id or by 機関コード + ログイン ID, the
//! read-modify-write behind [`Store::update_account`](shikaku::Store::update_account),
//! keyset pages, and imports that keep the id.

use postgres::Transaction;
use postgres::types::ToSql;
use shikaku::{AccountId, AccountKey, AccountPage, AccountRecord, NewAccount, StoreError};

use super::PostgresStore;
use crate::retry::Failure;
use crate::rows::{AccountRow, account_columns};
use crate::sql::Sql;

/// `SELECT` of whole rows of `accounts` followed by `$filter`, as one literal.
macro_rules! select {
    ($filter:literal) => {
        concat!("SELECT ", account_columns!(), " FROM accounts ", $filter)
    };
}

/// Inserts a new account (no authenticator, no sessions); its id is the sequence's
/// next. A taken 機関コード + ログイン ID is [`StoreError::Conflict`].
pub(super) fn insert(
    store: &PostgresStore,
    account: NewAccount,
) -> Result<AccountRecord, StoreError> {
    let mut record = AccountRecord {
        id: AccountId(0),
        key: account.key,
        password: account.password,
        must_change_password: account.must_change_password,
        disabled: false,
        mfa: None,
        pending_mfa: None,
        sessions: Default::default(),
        created_at: account.created_at,
        updated_at: account.created_at,
    };
    let row = AccountRow::try_from(&record)?;
    record.id = AccountId(store.with_client("insert an account", |client| {
        Ok(client
            .query_one(
                "INSERT INTO accounts (institution_code, login_id, password_history, \
                 must_change_password, disabled, session_slot, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &[
                    &row.institution_code,
                    &row.login_id,
                    &row.password_history,
                    &row.must_change_password,
                    &row.disabled,
                    &row.session_slot,
                    &row.created_at,
                    &row.updated_at,
                ],
            )?
            .try_get(0)?)
    })?);
    Ok(record)
}

pub(super) fn by_id(
    store: &PostgresStore,
    id: AccountId,
) -> Result<Option<AccountRecord>, StoreError> {
    let row = store.with_client("read an account", |client| {
        Ok(client
            .query_opt(select!("WHERE id = $1"), &[&id.0])?
            .map(|r| AccountRow::from_row(&r))
            .transpose()?)
    })?;
    row.map(AccountRecord::try_from).transpose()
}

pub(super) fn by_key(
    store: &PostgresStore,
    key: &AccountKey,
) -> Result<Option<AccountRecord>, StoreError> {
    let (code, login) = (key.institution_code.as_str(), key.login_id.as_str());
    let row = store.with_client("read an account", |client| {
        Ok(client
            .query_opt(
                select!("WHERE institution_code = $1 AND login_id = $2"),
                &[&code, &login],
            )?
            .map(|r| AccountRow::from_row(&r))
            .transpose()?)
    })?;
    row.map(AccountRecord::try_from).transpose()
}

/// Every account, ordered by 機関コード then ログイン ID (byte order).
pub(super) fn all(store: &PostgresStore) -> Result<Vec<AccountRecord>, StoreError> {
    let rows = store.with_client("list accounts", |client| {
        rows(&client.query(select!("ORDER BY institution_code, login_id"), &[])?)
    })?;
    rows.into_iter().map(AccountRecord::try_from).collect()
}

/// One page in key order: `(institution_code, login_id) > after`, at most
/// [`AccountPage::MAX_LIMIT`] — one range of the `accounts_key` index.
pub(super) fn page(
    store: &PostgresStore,
    page: &AccountPage,
) -> Result<Vec<AccountRecord>, StoreError> {
    let limit = i64::try_from(page.limit.min(AccountPage::MAX_LIMIT)).unwrap_or(0);
    let code = page.institution.as_ref().map(|c| c.as_str().to_owned());
    let after = page.after.as_ref().map(|k| {
        (
            k.institution_code.as_str().to_owned(),
            k.login_id.as_str().to_owned(),
        )
    });
    let mut clauses = Vec::new();
    let mut params: Vec<&(dyn ToSql + Sync)> = Vec::new();
    if let Some(code) = &code {
        params.push(code);
        clauses.push(format!("institution_code = ${}", params.len()));
    }
    if let Some((after_code, after_login)) = &after {
        params.push(after_code);
        params.push(after_login);
        clauses.push(format!(
            "(institution_code, login_id) > (${}, ${})",
            params.len() - 1,
            params.len()
        ));
    }
    params.push(&limit);
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    // Built at run time (the filters vary), so not one of the cached statements.
    let sql = format!(
        "SELECT {} FROM accounts {filter} ORDER BY institution_code, login_id LIMIT ${}",
        AccountRow::COLUMNS,
        params.len()
    );
    let rows = store.with_client("read a page of accounts", |client| {
        rows(&client.query_uncached(&sql, &params)?)
    })?;
    rows.into_iter().map(AccountRecord::try_from).collect()
}

/// Locks the row (`SELECT … FOR UPDATE`), lets `f` change a copy and writes it back if
/// `f` says so, in one transaction: another node's update of the same account waits
/// for this one to commit and then reads its result.
pub(super) fn update(
    store: &PostgresStore,
    id: AccountId,
    f: &mut dyn FnMut(&mut AccountRecord) -> bool,
) -> Result<Option<AccountRecord>, StoreError> {
    store.transaction("update an account", |tx| {
        let Some(row) = tx.query_opt(select!("WHERE id = $1 FOR UPDATE"), &[&id.0])? else {
            return Ok(None);
        };
        let stored = AccountRecord::try_from(AccountRow::from_row(&row)?)?;
        let mut draft = stored.clone();
        if !f(&mut draft) {
            return Ok(Some(stored));
        }
        draft.id = id; // the id is the row's identity; a closure cannot move it
        write_row(tx, &AccountRow::try_from(&draft)?)?;
        Ok(Some(draft))
    })
}

/// Stores `record` with its own id, then moves the id sequence past it, so later
/// inserts get larger ids. The table is locked against concurrent inserts (`SHARE ROW
/// EXCLUSIVE`) for the few statements this takes, so no insert draws an id between
/// reading the sequence and setting it.
pub(super) fn import(store: &PostgresStore, record: &AccountRecord) -> Result<(), StoreError> {
    let row = AccountRow::try_from(record)?;
    store.transaction("import an account", |tx| {
        tx.batch_execute("LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE")?;
        tx.execute(
            concat!(
                "INSERT INTO accounts (",
                account_columns!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
                 $16, $17)"
            ),
            &row.params(),
        )?;
        tx.execute(
            "SELECT setval(s, greatest($1, coalesce(pg_sequence_last_value(s), 0), 1)) \
             FROM (SELECT pg_get_serial_sequence('accounts', 'id')::regclass AS s) AS q",
            &[&row.id],
        )?;
        Ok(())
    })
}

fn write_row(tx: &mut Sql<'_, Transaction<'_>>, row: &AccountRow) -> Result<u64, postgres::Error> {
    tx.execute(
        "UPDATE accounts SET institution_code = $2, login_id = $3, password_history = $4, \
         must_change_password = $5, disabled = $6, mfa_secret = $7, mfa_last_step = $8, \
         mfa_drift = $9, mfa_enrolled_at = $10, pending_secret = $11, \
         pending_print_prompt_shown = $12, pending_created_at = $13, pending_ticket = $14, \
         session_slot = $15, created_at = $16, updated_at = $17 WHERE id = $1",
        &row.params(),
    )
}

fn rows(rows: &[postgres::Row]) -> Result<Vec<AccountRow>, Failure> {
    Ok(rows
        .iter()
        .map(AccountRow::from_row)
        .collect::<Result<Vec<_>, _>>()?)
}
