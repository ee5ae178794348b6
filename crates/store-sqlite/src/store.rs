//! [`SqliteStore`]: the connections, and the [`Store`] methods as SQL.

use std::fmt;
use std::fs::OpenOptions;
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use shikaku::{
    AccountId, AccountKey, AccountRecord, Attempts, AuditEvent, LoginTicketRecord, NewAccount,
    SessionRecord, Store, StoreError, TokenDigest,
};
use time::OffsetDateTime;

use crate::error::{Error, sql};
use crate::rows::{AccountRow, AttemptsRow, AuditRow, SessionRow, TicketRow, instant_to_sql};
use crate::schema::{self, Access};

/// Idle reader connections kept for reuse; more are opened under load and closed after.
const MAX_IDLE_READERS: usize = 4;

/// A [`Store`] in one SQLite database file (WAL mode).
///
/// One writer connection behind a mutex serialises this process's writes; each write
/// is a `BEGIN IMMEDIATE` transaction, which also serialises it against other
/// processes using the same file. Reads use a small pool of read-only connections and
/// never wait for a writer (WAL snapshots).
pub struct SqliteStore {
    path: PathBuf,
    access: Access,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("read_only", &(self.access == Access::ReadOnly))
            .finish_non_exhaustive()
    }
}

/// Creates an empty database file readable by its owner only, unless one exists.
fn create_private(path: &Path) -> Result<(), Error> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(Error::Io {
            path: path.to_owned(),
            action: "create the database",
            source,
        }),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic inside a transaction rolled it back when the `Transaction` dropped, so
    // the connection behind a poisoned lock is still in a clean state.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SqliteStore {
    /// Opens the database at `path`, creating it if absent (mode 0600: it holds
    /// password hashes and sealed secrets; SQLite gives its `-wal` and `-shm` files the
    /// same mode), switching it to WAL mode and applying any pending migrations.
    ///
    /// Fails with [`Error::SchemaTooNew`] for a database written by a newer version and
    /// [`Error::NotShikaku`] for another application's database.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        create_private(path)?;
        let mut writer = schema::connect(path, Access::ReadWrite)?;
        schema::enable_wal(&writer)?;
        schema::migrate(&mut writer, path)?;
        Ok(Self::with_writer(path, Access::ReadWrite, writer))
    }

    /// Opens an existing database read-only: every read works, every write fails with
    /// [`StoreError::Unavailable`]. The schema must be this build's
    /// ([`Error::SchemaOutdated`] otherwise); nothing is migrated or created.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let conn = schema::connect(path, Access::ReadOnly)?;
        schema::check_current(&conn, path)?;
        Ok(Self::with_writer(path, Access::ReadOnly, conn))
    }

    fn with_writer(path: &Path, access: Access, writer: Connection) -> Self {
        Self {
            path: path.to_owned(),
            access,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether this store was opened with [`open_read_only`](Self::open_read_only).
    pub fn is_read_only(&self) -> bool {
        self.access == Access::ReadOnly
    }

    /// The database's schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        let version: i64 = self.read("read the schema version", |conn| {
            conn.pragma_query_value(None, "user_version", |r| r.get(0))
        })?;
        u32::try_from(version)
            .map_err(|_| StoreError::Corrupt(format!("the schema version {version} is negative")))
    }

    /// Runs SQLite's `PRAGMA integrity_check` and `PRAGMA foreign_key_check`;
    /// [`StoreError::Corrupt`] lists the first problems found.
    pub fn check_integrity(&self) -> Result<(), StoreError> {
        let problems = self.read("check integrity", |conn| {
            let mut problems: Vec<String> = Vec::new();
            let mut stmt = conn.prepare("PRAGMA integrity_check(20)")?;
            for line in stmt.query_map([], |r| r.get::<_, String>(0))? {
                let line = line?;
                if line != "ok" {
                    problems.push(line);
                }
            }
            let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let table: String = row.get(0)?;
                let rowid: Option<i64> = row.get(1)?;
                let parent: String = row.get(2)?;
                problems.push(format!(
                    "{table} row {} refers to a missing {parent} row",
                    rowid.map_or_else(|| "?".to_owned(), |r| r.to_string())
                ));
            }
            Ok(problems)
        })?;
        if problems.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Corrupt(format!(
                "integrity check failed: {}",
                problems.join("; ")
            )))
        }
    }

    /// Whether any account exists (the key file logic asks before minting a key).
    pub(crate) fn has_accounts(&self) -> Result<bool, StoreError> {
        self.read("count accounts", |conn| {
            conn.query_row("SELECT EXISTS (SELECT 1 FROM accounts)", [], |r| r.get(0))
        })
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction on the writer connection and commits
    /// if it returns `Ok`; any error rolls everything back.
    fn write<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(op))?;
        let out = f(&tx)?;
        tx.commit().map_err(sql(op))?;
        Ok(out)
    }

    /// Runs `f` on a read-only connection from the pool (one statement is one snapshot).
    fn read<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let idle = lock(&self.readers).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => schema::connect(&self.path, Access::ReadOnly)?,
        };
        let out = f(&conn).map_err(sql(op));
        let mut idle = lock(&self.readers);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        out
    }

    /// Reads one row and decodes it.
    fn read_one<R, T>(
        &self,
        op: &'static str,
        query: &str,
        param: impl rusqlite::ToSql,
        from_row: fn(&rusqlite::Row<'_>) -> rusqlite::Result<R>,
    ) -> Result<Option<T>, StoreError>
    where
        T: TryFrom<R, Error = StoreError>,
    {
        let row = self.read(op, |conn| {
            conn.prepare_cached(query)?
                .query_row([param], from_row)
                .optional()
        })?;
        row.map(T::try_from).transpose()
    }
}

// ----- SQL -------------------------------------------------------------------------------------

const SELECT_ACCOUNT_BY_ID: &str = "SELECT id, institution_code, login_id, password_history, \
    must_change_password, disabled, mfa_secret, mfa_last_step, mfa_drift, mfa_enrolled_at, \
    pending_secret, pending_print_prompt_shown, pending_created_at, session_slot, \
    created_at, updated_at FROM accounts WHERE id = ?1";

fn select_account_by_key(
    tx: &Connection,
    key: &AccountKey,
) -> rusqlite::Result<Option<AccountRow>> {
    tx.prepare_cached(&format!(
        "SELECT {} FROM accounts WHERE institution_code = ?1 AND login_id = ?2",
        AccountRow::COLUMNS
    ))?
    .query_row(
        params![key.institution_code.as_str(), key.login_id.as_str()],
        AccountRow::from_row,
    )
    .optional()
}

fn write_account(tx: &Transaction<'_>, row: &AccountRow) -> rusqlite::Result<usize> {
    tx.prepare_cached(
        "UPDATE accounts SET institution_code = ?2, login_id = ?3, password_history = ?4, \
         must_change_password = ?5, disabled = ?6, mfa_secret = ?7, mfa_last_step = ?8, \
         mfa_drift = ?9, mfa_enrolled_at = ?10, pending_secret = ?11, \
         pending_print_prompt_shown = ?12, pending_created_at = ?13, session_slot = ?14, \
         created_at = ?15, updated_at = ?16 WHERE id = ?1",
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
    ])
}

fn upsert_ticket(tx: &Transaction<'_>, row: &TicketRow) -> rusqlite::Result<usize> {
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

fn upsert_session(tx: &Transaction<'_>, row: &SessionRow) -> rusqlite::Result<usize> {
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

impl Store for SqliteStore {
    fn insert_account(&self, account: NewAccount) -> Result<AccountRecord, StoreError> {
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
        record.id = AccountId(self.write("insert an account", |tx| {
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

    fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
        self.read_one(
            "read an account",
            SELECT_ACCOUNT_BY_ID,
            id.0,
            AccountRow::from_row,
        )
    }

    fn account_by_key(&self, key: &AccountKey) -> Result<Option<AccountRecord>, StoreError> {
        self.read("read an account", |conn| select_account_by_key(conn, key))?
            .map(AccountRecord::try_from)
            .transpose()
    }

    fn accounts(&self) -> Result<Vec<AccountRecord>, StoreError> {
        let rows = self.read("list accounts", |conn| {
            conn.prepare_cached(&format!(
                "SELECT {} FROM accounts ORDER BY institution_code, login_id",
                AccountRow::COLUMNS
            ))?
            .query_map([], AccountRow::from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        rows.into_iter().map(AccountRecord::try_from).collect()
    }

    fn update_account(
        &self,
        id: AccountId,
        f: &mut dyn FnMut(&mut AccountRecord) -> bool,
    ) -> Result<Option<AccountRecord>, StoreError> {
        const OP: &str = "update an account";
        self.write(OP, |tx| {
            let Some(row) = tx
                .prepare_cached(SELECT_ACCOUNT_BY_ID)
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
            write_account(tx, &AccountRow::try_from(&draft)?).map_err(sql(OP))?;
            Ok(Some(draft))
        })
    }

    fn update_attempts(
        &self,
        key: &AccountKey,
        f: &mut dyn FnMut(&mut Attempts),
    ) -> Result<Attempts, StoreError> {
        const OP: &str = "update lockout counters";
        let (code, login) = (key.institution_code.as_str(), key.login_id.as_str());
        self.write(OP, |tx| {
            let row = tx
                .prepare_cached(
                    "SELECT password_lockout, passcode_lockout FROM attempts \
                     WHERE institution_code = ?1 AND login_id = ?2",
                )
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

    fn attempts(&self, key: &AccountKey) -> Result<Attempts, StoreError> {
        let row = self.read("read lockout counters", |conn| {
            conn.prepare_cached(
                "SELECT password_lockout, passcode_lockout FROM attempts \
                 WHERE institution_code = ?1 AND login_id = ?2",
            )?
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

    fn insert_ticket(&self, ticket: LoginTicketRecord) -> Result<(), StoreError> {
        const OP: &str = "store a login ticket";
        let row = TicketRow::try_from(&ticket)?;
        self.write(OP, |tx| upsert_ticket(tx, &row).map_err(sql(OP)))?;
        Ok(())
    }

    fn ticket(&self, digest: &TokenDigest) -> Result<Option<LoginTicketRecord>, StoreError> {
        self.read_one(
            "read a login ticket",
            &format!(
                "SELECT {} FROM login_tickets WHERE digest = ?1",
                TicketRow::COLUMNS
            ),
            digest.0,
            TicketRow::from_row,
        )
    }

    fn delete_ticket(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        const OP: &str = "delete a login ticket";
        self.write(OP, |tx| {
            let n = tx
                .prepare_cached("DELETE FROM login_tickets WHERE digest = ?1")
                .and_then(|mut s| s.execute([digest.0]))
                .map_err(sql(OP))?;
            Ok(n > 0)
        })
    }

    fn delete_tickets_of(&self, account: AccountId) -> Result<(), StoreError> {
        const OP: &str = "delete an account's login tickets";
        self.write(OP, |tx| {
            tx.prepare_cached("DELETE FROM login_tickets WHERE account_id = ?1")
                .and_then(|mut s| s.execute([account.0]))
                .map_err(sql(OP))
        })?;
        Ok(())
    }

    fn insert_session(&self, session: SessionRecord) -> Result<(), StoreError> {
        const OP: &str = "store a session";
        let row = SessionRow::try_from(&session)?;
        self.write(OP, |tx| upsert_session(tx, &row).map_err(sql(OP)))?;
        Ok(())
    }

    fn session(&self, digest: &TokenDigest) -> Result<Option<SessionRecord>, StoreError> {
        self.read_one(
            "read a session",
            &format!(
                "SELECT {} FROM sessions WHERE digest = ?1",
                SessionRow::COLUMNS
            ),
            digest.0,
            SessionRow::from_row,
        )
    }

    fn update_session(
        &self,
        digest: &TokenDigest,
        f: &mut dyn FnMut(&mut SessionRecord),
    ) -> Result<Option<SessionRecord>, StoreError> {
        const OP: &str = "update a session";
        self.write(OP, |tx| {
            let Some(row) = tx
                .prepare_cached(&format!(
                    "SELECT {} FROM sessions WHERE digest = ?1",
                    SessionRow::COLUMNS
                ))
                .and_then(|mut s| s.query_row([digest.0], SessionRow::from_row).optional())
                .map_err(sql(OP))?
            else {
                return Ok(None);
            };
            let mut session = SessionRecord::try_from(row)?;
            f(&mut session);
            session.digest = *digest; // the digest is the row's identity
            upsert_session(tx, &SessionRow::try_from(&session)?).map_err(sql(OP))?;
            Ok(Some(session))
        })
    }

    fn delete_session(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        const OP: &str = "delete a session";
        self.write(OP, |tx| {
            let n = tx
                .prepare_cached("DELETE FROM sessions WHERE digest = ?1")
                .and_then(|mut s| s.execute([digest.0]))
                .map_err(sql(OP))?;
            Ok(n > 0)
        })
    }

    fn delete_sessions_of(&self, account: AccountId) -> Result<(), StoreError> {
        const OP: &str = "delete an account's sessions";
        self.write(OP, |tx| {
            tx.prepare_cached("DELETE FROM sessions WHERE account_id = ?1")
                .and_then(|mut s| s.execute([account.0]))
                .map_err(sql(OP))
        })?;
        Ok(())
    }

    fn append_audit(&self, event: &AuditEvent) -> Result<(), StoreError> {
        const OP: &str = "append an audit event";
        let row = AuditRow::try_from(event)?;
        self.write(OP, |tx| {
            tx.prepare_cached(
                "INSERT INTO audit_events (at, kind, institution_code, login_id, channel, detail) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.at,
                    row.kind,
                    row.institution_code,
                    row.login_id,
                    row.channel,
                    row.detail
                ])
            })
            .map_err(sql(OP))
        })?;
        Ok(())
    }

    fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.read("read audit events", |conn| {
            conn.prepare_cached(&format!(
                "SELECT {} FROM audit_events ORDER BY seq DESC LIMIT ?1",
                AuditRow::COLUMNS
            ))?
            .query_map([limit], AuditRow::from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        rows.into_iter().map(AuditEvent::try_from).collect()
    }

    fn prune(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        const OP: &str = "prune";
        let now = instant_to_sql(now)?;
        self.write(OP, |tx| {
            let tickets = tx
                .prepare_cached("DELETE FROM login_tickets WHERE expires_at <= ?1")
                .and_then(|mut s| s.execute([&now]))
                .map_err(sql(OP))?;
            let rows = tx
                .prepare_cached(
                    "SELECT institution_code, login_id, password_lockout, passcode_lockout \
                     FROM attempts",
                )
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
                .map_err(sql(OP))?;
            let mut counters = 0;
            let mut delete = tx
                .prepare_cached(
                    "DELETE FROM attempts WHERE institution_code = ?1 AND login_id = ?2",
                )
                .map_err(sql(OP))?;
            for (code, login, row) in rows {
                if row.decode(&format!("{code}/{login}"))? == Attempts::default() {
                    counters += delete.execute([&code, &login]).map_err(sql(OP))?;
                }
            }
            Ok(tickets + counters)
        })
    }
}
