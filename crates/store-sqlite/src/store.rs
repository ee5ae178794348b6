//! [`SqliteStore`]: opening the database, and the [`Store`] contract as SQL.
//!
//! The trait impl below is the table of contents; each table's statements live in
//! their own module:
//!
//! | module | holds |
//! |---|---|
//! | `connection` | the writer mutex, the reader pool, one transaction per write |
//! | `accounts` | `accounts`: staff accounts and their read-modify-write |
//! | `attempts` | `attempts`: lockout counters per 機関コード + ログイン ID |
//! | `tickets` | `login_tickets`: half-finished logins |
//! | `sessions` | `sessions` |
//! | `audit` | `audit_events`: appended, read newest first or a filtered page at a time |
//! | `api_keys` | `api_keys`: the administration API's keys, as digests |
//! | `meta` | `meta`: the key check value; the readiness ping |
//! | `backup` | a consistent copy of the whole database while it is in use (`VACUUM INTO`) |

mod accounts;
mod api_keys;
mod attempts;
mod audit;
mod backup;
mod connection;
mod meta;
#[cfg(test)]
mod plans;
mod sessions;
mod tickets;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::Connection;
use shikaku::lockout::IdleTimeout;
use shikaku::{
    AccountId, AccountKey, AccountPage, AccountRecord, ApiKeyId, ApiKeyRecord, Attempts,
    AuditEvent, AuditQuery, KeyCheck, KeyId, LoginTicketRecord, NewAccount, NewApiKey,
    SessionRecord, Store, StoreError, StoredAuditEvent, TokenDigest,
};
use time::OffsetDateTime;

use crate::error::{Error, sql};
use crate::rows::instant_to_sql;
use crate::schema::{self, Access};

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

/// The read-only connections close first, the writer last: SQLite checkpoints the WAL
/// into the database file and removes `-wal`/`-shm` only when the last connection to
/// close can write. (Were a reader last, a short-lived process — `shikaku user add`,
/// which now reads the accounts when the service is built — would leave its changes in
/// `shikaku.db-wal`, and a copy of `shikaku.db` alone would miss them.)
impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.readers
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("read_only", &(self.access == Access::ReadOnly))
            .finish_non_exhaustive()
    }
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
        connection::create_private(path)?;
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
}

impl Store for SqliteStore {
    fn insert_account(&self, account: NewAccount) -> Result<AccountRecord, StoreError> {
        accounts::insert(self, account)
    }

    fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
        accounts::by_id(self, id)
    }

    fn account_by_key(&self, key: &AccountKey) -> Result<Option<AccountRecord>, StoreError> {
        accounts::by_key(self, key)
    }

    fn accounts(&self) -> Result<Vec<AccountRecord>, StoreError> {
        accounts::all(self)
    }

    fn update_account(
        &self,
        id: AccountId,
        f: &mut dyn FnMut(&mut AccountRecord) -> bool,
    ) -> Result<Option<AccountRecord>, StoreError> {
        accounts::update(self, id, f)
    }

    fn update_attempts(
        &self,
        key: &AccountKey,
        f: &mut dyn FnMut(&mut Attempts),
    ) -> Result<Attempts, StoreError> {
        attempts::update(self, key, f)
    }

    fn attempts(&self, key: &AccountKey) -> Result<Attempts, StoreError> {
        attempts::of(self, key)
    }

    fn insert_ticket(&self, ticket: LoginTicketRecord) -> Result<(), StoreError> {
        tickets::insert(self, &ticket)
    }

    fn ticket(&self, digest: &TokenDigest) -> Result<Option<LoginTicketRecord>, StoreError> {
        tickets::by_digest(self, digest)
    }

    fn delete_ticket(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        tickets::delete(self, digest)
    }

    fn delete_tickets_of(&self, account: AccountId) -> Result<(), StoreError> {
        tickets::delete_all_of(self, account)
    }

    fn insert_session(&self, session: SessionRecord) -> Result<(), StoreError> {
        sessions::insert(self, &session)
    }

    fn session(&self, digest: &TokenDigest) -> Result<Option<SessionRecord>, StoreError> {
        sessions::by_digest(self, digest)
    }

    fn update_session(
        &self,
        digest: &TokenDigest,
        f: &mut dyn FnMut(&mut SessionRecord),
    ) -> Result<Option<SessionRecord>, StoreError> {
        sessions::update(self, digest, f)
    }

    fn delete_session(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        sessions::delete(self, digest)
    }

    fn delete_sessions_of(&self, account: AccountId) -> Result<(), StoreError> {
        sessions::delete_all_of(self, account)
    }

    fn append_audit(&self, event: &AuditEvent) -> Result<(), StoreError> {
        audit::append(self, event)
    }

    fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, StoreError> {
        audit::recent(self, limit)
    }

    fn prune(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        const OP: &str = "prune";
        let at = instant_to_sql(now)?;
        // One transaction: expired tickets, then counters with nothing left to remember.
        self.write(OP, |tx| {
            let tickets = tickets::delete_expired(tx, &at).map_err(sql(OP))?;
            let counters = attempts::delete_cleared(tx, OP, now)?;
            Ok(tickets + counters)
        })
    }

    fn locked_attempts(&self) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
        attempts::locked(self)
    }

    fn prune_sessions(
        &self,
        idle: &IdleTimeout,
        ended_before: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        sessions::delete_ended(self, idle, ended_before)
    }

    fn prune_audit(&self, before: OffsetDateTime, limit: usize) -> Result<usize, StoreError> {
        audit::delete_before(self, before, limit)
    }

    fn audit_page(&self, query: &AuditQuery) -> Result<Vec<StoredAuditEvent>, StoreError> {
        audit::page(self, query)
    }

    fn accounts_page(&self, page: &AccountPage) -> Result<Vec<AccountRecord>, StoreError> {
        accounts::page(self, page)
    }

    fn insert_api_key(&self, key: NewApiKey) -> Result<ApiKeyRecord, StoreError> {
        api_keys::insert(self, key)
    }

    fn api_key(&self, digest: &TokenDigest) -> Result<Option<ApiKeyRecord>, StoreError> {
        api_keys::by_digest(self, digest)
    }

    fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        api_keys::all(self)
    }

    fn revoke_api_key(&self, id: ApiKeyId, at: OffsetDateTime) -> Result<bool, StoreError> {
        api_keys::revoke(self, id, at)
    }

    fn key_check(&self, id: KeyId, candidate: &KeyCheck) -> Result<KeyCheck, StoreError> {
        meta::key_check(self, id, candidate)
    }

    fn key_checks(&self) -> Result<Vec<(KeyId, KeyCheck)>, StoreError> {
        meta::key_checks(self)
    }

    fn ping(&self) -> Result<(), StoreError> {
        meta::ping(self)
    }

    fn import_account(&self, record: &AccountRecord) -> Result<(), StoreError> {
        accounts::import(self, record)
    }

    fn all_attempts(&self) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
        attempts::all_changed(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// After reads through the pool, dropping the store leaves the database complete in
    /// its one file: no `-wal` left behind (the writer closed last and checkpointed).
    #[test]
    fn dropping_the_store_after_reads_leaves_no_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shikaku.db");
        let wal = dir.path().join("shikaku.db-wal");
        let store = SqliteStore::open(&path).unwrap();
        store
            .append_audit(&AuditEvent {
                at: OffsetDateTime::UNIX_EPOCH,
                kind: shikaku::AuditKind::AccountProvisioned,
                account: None,
                channel: shikaku::Channel::Admin,
                detail: None,
            })
            .unwrap();
        assert_eq!(store.recent_audit(10).unwrap().len(), 1, "a read");
        assert_eq!(store.accounts().unwrap().len(), 0, "another read");
        assert!(wal.exists(), "WAL mode while open");
        drop(store);
        assert!(!wal.exists(), "checkpointed and removed at close");
        let again = SqliteStore::open_read_only(&path).unwrap();
        assert_eq!(again.recent_audit(10).unwrap().len(), 1);
    }
}
