//! The `accounts` table: staff accounts by id or by 機関コード + ログイン ID, and the
//! read-modify-write behind [`Store::update_account`](shikaku::Store::update_account).

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction, params, params_from_iter};
use shikaku::{AccountId, AccountKey, AccountPage, AccountRecord, NewAccount, StoreError};

use super::SqliteStore;
use crate::error::sql;
use crate::rows::AccountRow;

const SELECT_BY_ID: &str = "SELECT id, institution_code, login_id, password_history, \
    must_change_password, disabled, mfa_secret, mfa_last_step, mfa_drift, mfa_enrolled_at, \
    pending_secret, pending_print_prompt_shown, pending_created_at, session_slot, \
    created_at, updated_at, pending_ticket FROM accounts WHERE id = ?1";

impl SqliteStore {
    /// Whether any account exists (the key file logic asks before minting a key).
    pub(crate) fn has_accounts(&self) -> Result<bool, StoreError> {
        self.read("count accounts", |conn| {
            conn.query_row("SELECT EXISTS (SELECT 1 FROM accounts)", [], |r| r.get(0))
        })
    }
}

/// Inserts a new account (no authenticator, no sessions); its id is the new row's.
pub(super) fn insert(
    store: &SqliteStore,
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
    record.id = AccountId(store.write("insert an account", |tx| {
        tx.prepare_cached(
            "INSERT INTO accounts (institution_code, login_id, password_history, \
             must_change_password, disabled, session_slot, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
        )
        .and_then(|mut stmt| {
            stmt.query_row(
                params![
                    row.institution_code,
                    row.login_id,
                    row.password_history,
                    row.must_change_password,
                    row.disabled,
                    row.session_slot,
                    row.created_at,
                    row.updated_at,
                ],
                |r| r.get::<_, i64>(0),
            )
        })
        .map_err(sql("insert an account"))
    })?);
    Ok(record)
}

pub(super) fn by_id(
    store: &SqliteStore,
    id: AccountId,
) -> Result<Option<AccountRecord>, StoreError> {
    store.read_one("read an account", SELECT_BY_ID, id.0, AccountRow::from_row)
}

pub(super) fn by_key(
    store: &SqliteStore,
    key: &AccountKey,
) -> Result<Option<AccountRecord>, StoreError> {
    store
        .read("read an account", |conn| select_by_key(conn, key))?
        .map(AccountRecord::try_from)
        .transpose()
}

/// Every account, ordered by 機関コード then ログイン ID.
pub(super) fn all(store: &SqliteStore) -> Result<Vec<AccountRecord>, StoreError> {
    let rows = store.read("list accounts", |conn| {
        conn.prepare_cached(&format!(
            "SELECT {} FROM accounts ORDER BY institution_code, login_id",
            AccountRow::COLUMNS
        ))?
        .query_map([], AccountRow::from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    rows.into_iter().map(AccountRecord::try_from).collect()
}

/// One page in key order (see [`page_sql`]).
pub(super) fn page(
    store: &SqliteStore,
    page: &AccountPage,
) -> Result<Vec<AccountRecord>, StoreError> {
    let (query, values) = page_sql(page);
    let rows = store.read("list a page of accounts", |conn| {
        conn.prepare_cached(&query)?
            .query_map(params_from_iter(values), AccountRow::from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    rows.into_iter().map(AccountRecord::try_from).collect()
}

/// The statement of one page and its parameters: the keys after `page.after` (a
/// row-value comparison, so the page starts inside the `UNIQUE` index on
/// `(institution_code, login_id)` and runs along it), of one institution if asked, at
/// most `page.limit` ([`AccountPage::MAX_LIMIT`] at most).
pub(super) fn page_sql(page: &AccountPage) -> (String, Vec<Value>) {
    let mut filters = Vec::new();
    let mut values = Vec::new();
    if let Some(code) = &page.institution {
        values.push(Value::Text(code.as_str().to_owned()));
        filters.push(format!("institution_code = ?{}", values.len()));
    }
    if let Some(after) = &page.after {
        values.push(Value::Text(after.institution_code.as_str().to_owned()));
        values.push(Value::Text(after.login_id.as_str().to_owned()));
        let n = values.len();
        filters.push(format!("(institution_code, login_id) > (?{}, ?{n})", n - 1));
    }
    let limit = page.limit.min(AccountPage::MAX_LIMIT);
    values.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    let query = format!(
        "SELECT {} FROM accounts{} ORDER BY institution_code, login_id LIMIT ?{}",
        AccountRow::COLUMNS,
        where_clause(&filters),
        values.len()
    );
    (query, values)
}

/// ` WHERE a AND b …`, or nothing.
pub(super) fn where_clause(filters: &[String]) -> String {
    if filters.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", filters.join(" AND "))
    }
}

/// Stores `record` exactly, its id included. `AUTOINCREMENT` remembers the largest id
/// ever inserted (`sqlite_sequence`), so later inserts get larger ones. A taken id
/// (the primary key) or key (the `UNIQUE` pair) is [`StoreError::Conflict`].
pub(super) fn import(store: &SqliteStore, record: &AccountRecord) -> Result<(), StoreError> {
    const OP: &str = "import an account";
    let row = AccountRow::try_from(record)?;
    store.write(OP, |tx| {
        tx.prepare_cached(&format!(
            "INSERT INTO accounts ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, \
             ?12, ?13, ?14, ?15, ?16, ?17)",
            AccountRow::COLUMNS
        ))
        .and_then(|mut s| {
            s.execute(params![
                row.id,
                row.institution_code,
                row.login_id,
                row.password_history,
                row.must_change_password,
                row.disabled,
                row.mfa_secret,
                row.mfa_last_step,
                row.mfa_drift,
                row.mfa_enrolled_at,
                row.pending_secret,
                row.pending_print_prompt_shown,
                row.pending_created_at,
                row.session_slot,
                row.created_at,
                row.updated_at,
                row.pending_ticket,
            ])
        })
        .map_err(sql(OP))
    })?;
    Ok(())
}

/// Reads the account, lets `f` change a copy and writes it back if `f` says so, all
/// under the write lock.
pub(super) fn update(
    store: &SqliteStore,
    id: AccountId,
    f: &mut dyn FnMut(&mut AccountRecord) -> bool,
) -> Result<Option<AccountRecord>, StoreError> {
    const OP: &str = "update an account";
    store.write(OP, |tx| {
        let Some(row) = tx
            .prepare_cached(SELECT_BY_ID)
            .and_then(|mut s| s.query_row([id.0], AccountRow::from_row).optional())
            .map_err(sql(OP))?
        else {
            return Ok(None);
        };
        let stored = AccountRecord::try_from(row)?;
        let mut draft = stored.clone();
        if !f(&mut draft) {
            return Ok(Some(stored));
        }
        draft.id = id; // the id is the row's identity; a closure cannot move it
        write_row(tx, &AccountRow::try_from(&draft)?).map_err(sql(OP))?;
        Ok(Some(draft))
    })
}

fn select_by_key(conn: &Connection, key: &AccountKey) -> rusqlite::Result<Option<AccountRow>> {
    conn.prepare_cached(&format!(
        "SELECT {} FROM accounts WHERE institution_code = ?1 AND login_id = ?2",
        AccountRow::COLUMNS
    ))?
    .query_row(
        params![key.institution_code.as_str(), key.login_id.as_str()],
        AccountRow::from_row,
    )
    .optional()
}

fn write_row(tx: &Transaction<'_>, row: &AccountRow) -> rusqlite::Result<usize> {
    tx.prepare_cached(
        "UPDATE accounts SET institution_code = ?2, login_id = ?3, password_history = ?4, \
         must_change_password = ?5, disabled = ?6, mfa_secret = ?7, mfa_last_step = ?8, \
         mfa_drift = ?9, mfa_enrolled_at = ?10, pending_secret = ?11, \
         pending_print_prompt_shown = ?12, pending_created_at = ?13, session_slot = ?14, \
         created_at = ?15, updated_at = ?16, pending_ticket = ?17 WHERE id = ?1",
    )?
    .execute(params![
        row.id,
        row.institution_code,
        row.login_id,
        row.password_history,
        row.must_change_password,
        row.disabled,
        row.mfa_secret,
        row.mfa_last_step,
        row.mfa_drift,
        row.mfa_enrolled_at,
        row.pending_secret,
        row.pending_print_prompt_shown,
        row.pending_created_at,
        row.session_slot,
        row.created_at,
        row.updated_at,
        row.pending_ticket,
    ])
}
