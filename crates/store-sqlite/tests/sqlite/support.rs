//! Shared helpers: scratch databases, accounts with real password hashes, raw SQL. The
//! identifiers and the start instant are the workspace test kit's (`shikaku::testing`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use shikaku::lockout::IdleTimeout;
use shikaku::password::{Hasher, Password, PasswordHistory, Pepper};
use shikaku::{
    AccountId, AccountKey, AccountPage, AccountRecord, ApiKeyId, ApiKeyRecord, Attempts,
    AuditEvent, AuditQuery, KeyCheck, KeyId, LoginTicketRecord, NewAccount, NewApiKey,
    SessionRecord, Store, StoreError, StoredAuditEvent, TokenDigest,
};
use shikaku_store_sqlite::SqliteStore;
use tempfile::TempDir;
use time::OffsetDateTime;

/// The kit's start instant (2026-04-01 09:00 JST) and its 機関コード + ログイン ID.
pub(crate) use shikaku::testing::{START, account_key as key};

/// A fresh database in its own temporary directory, deleted when dropped.
pub(crate) struct Scratch {
    pub(crate) store: SqliteStore,
    dir: TempDir,
}

impl Scratch {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("shikaku.db")).unwrap();
        Self { store, dir }
    }

    pub(crate) fn db_path(&self) -> PathBuf {
        self.dir.path().join("shikaku.db")
    }
}

/// The facade's suite takes an `Arc<impl Store>`; the temporary directory must live as
/// long as the store, so the scratch database itself is the store.
impl Store for Scratch {
    fn insert_account(&self, account: NewAccount) -> Result<AccountRecord, StoreError> {
        self.store.insert_account(account)
    }
    fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
        self.store.account(id)
    }
    fn account_by_key(&self, key: &AccountKey) -> Result<Option<AccountRecord>, StoreError> {
        self.store.account_by_key(key)
    }
    fn accounts(&self) -> Result<Vec<AccountRecord>, StoreError> {
        self.store.accounts()
    }
    fn update_account(
        &self,
        id: AccountId,
        f: &mut dyn FnMut(&mut AccountRecord) -> bool,
    ) -> Result<Option<AccountRecord>, StoreError> {
        self.store.update_account(id, f)
    }
    fn update_attempts(
        &self,
        key: &AccountKey,
        f: &mut dyn FnMut(&mut Attempts),
    ) -> Result<Attempts, StoreError> {
        self.store.update_attempts(key, f)
    }
    fn attempts(&self, key: &AccountKey) -> Result<Attempts, StoreError> {
        self.store.attempts(key)
    }
    fn insert_ticket(&self, ticket: LoginTicketRecord) -> Result<(), StoreError> {
        self.store.insert_ticket(ticket)
    }
    fn ticket(&self, digest: &TokenDigest) -> Result<Option<LoginTicketRecord>, StoreError> {
        self.store.ticket(digest)
    }
    fn delete_ticket(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        self.store.delete_ticket(digest)
    }
    fn delete_tickets_of(&self, account: AccountId) -> Result<(), StoreError> {
        self.store.delete_tickets_of(account)
    }
    fn insert_session(&self, session: SessionRecord) -> Result<(), StoreError> {
        self.store.insert_session(session)
    }
    fn session(&self, digest: &TokenDigest) -> Result<Option<SessionRecord>, StoreError> {
        self.store.session(digest)
    }
    fn update_session(
        &self,
        digest: &TokenDigest,
        f: &mut dyn FnMut(&mut SessionRecord),
    ) -> Result<Option<SessionRecord>, StoreError> {
        self.store.update_session(digest, f)
    }
    fn delete_session(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        self.store.delete_session(digest)
    }
    fn delete_sessions_of(&self, account: AccountId) -> Result<(), StoreError> {
        self.store.delete_sessions_of(account)
    }
    fn append_audit(&self, event: &AuditEvent) -> Result<(), StoreError> {
        self.store.append_audit(event)
    }
    fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, StoreError> {
        self.store.recent_audit(limit)
    }
    fn prune(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        self.store.prune(now)
    }
    fn locked_attempts(&self) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
        self.store.locked_attempts()
    }
    fn prune_sessions(
        &self,
        idle: &IdleTimeout,
        ended_before: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        self.store.prune_sessions(idle, ended_before)
    }
    fn prune_audit(&self, before: OffsetDateTime, limit: usize) -> Result<usize, StoreError> {
        self.store.prune_audit(before, limit)
    }
    fn audit_page(&self, query: &AuditQuery) -> Result<Vec<StoredAuditEvent>, StoreError> {
        self.store.audit_page(query)
    }
    fn accounts_page(&self, page: &AccountPage) -> Result<Vec<AccountRecord>, StoreError> {
        self.store.accounts_page(page)
    }
    fn insert_api_key(&self, key: NewApiKey) -> Result<ApiKeyRecord, StoreError> {
        self.store.insert_api_key(key)
    }
    fn api_key(&self, digest: &TokenDigest) -> Result<Option<ApiKeyRecord>, StoreError> {
        self.store.api_key(digest)
    }
    fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        self.store.api_keys()
    }
    fn revoke_api_key(&self, id: ApiKeyId, at: OffsetDateTime) -> Result<bool, StoreError> {
        self.store.revoke_api_key(id, at)
    }
    fn key_check(&self, id: KeyId, candidate: &KeyCheck) -> Result<KeyCheck, StoreError> {
        self.store.key_check(id, candidate)
    }
    fn key_checks(&self) -> Result<Vec<(KeyId, KeyCheck)>, StoreError> {
        self.store.key_checks()
    }
    fn ping(&self) -> Result<(), StoreError> {
        self.store.ping()
    }
    fn import_account(&self, record: &AccountRecord) -> Result<(), StoreError> {
        self.store.import_account(record)
    }
    fn all_attempts(&self) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
        self.store.all_attempts()
    }
}

pub(crate) fn scratch() -> Arc<Scratch> {
    Arc::new(Scratch::new())
}

/// A cheap argon2id hasher with a fixed pepper (the cost is not under test here).
pub(crate) fn hasher() -> Hasher {
    hasher_with_memory(64)
}

/// The same pepper with `kib` of argon2 memory (hashes carry their own cost, so any of
/// these verifies the others' hashes).
pub(crate) fn hasher_with_memory(kib: u32) -> Hasher {
    Hasher::builder()
        .m_cost(kib)
        .t_cost(1)
        .workers(1)
        .pepper(Pepper::new([7u8; 32].to_vec()).unwrap())
        .build()
        .unwrap()
}

pub(crate) fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

pub(crate) fn history(hasher: &Hasher, password: &str, seed: u64) -> PasswordHistory {
    PasswordHistory::new(
        hasher
            .hash(&Password::new(password), &mut rng(seed))
            .unwrap(),
    )
}

pub(crate) fn new_account(hasher: &Hasher, login_id: &str, password: &str) -> NewAccount {
    NewAccount {
        key: key(login_id),
        password: history(hasher, password, login_id.len() as u64),
        must_change_password: true,
        created_at: START,
    }
}

/// A raw connection for poking at the file behind the store's back.
pub(crate) fn raw(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    conn
}
