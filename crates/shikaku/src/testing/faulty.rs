//! [`FaultyStore`]: a store that fails every call on demand, to reach the error paths of
//! the facade and its adapters (a full disk, an unwritable file).

use std::sync::atomic::{AtomicBool, Ordering};

use time::OffsetDateTime;

use crate::lockout::IdleTimeout;
use crate::store::{
    AccountPage, ApiKeyId, ApiKeyRecord, AuditQuery, KeyCheck, NewApiKey, StoredAuditEvent,
};
use crate::store::{AccountRecord, Attempts, LoginTicketRecord, NewAccount, SessionRecord};
use crate::{
    AccountId, AccountKey, AuditEvent, KeyId, MemoryStore, Store, StoreError, TokenDigest,
};

/// A store that can be switched to fail every call with [`StoreError::Unavailable`]
/// (a disk I/O error), to reach the error paths of adapters.
#[derive(Default)]
pub struct FaultyStore<S = MemoryStore> {
    inner: S,
    broken: AtomicBool,
}

impl<S: Store> FaultyStore<S> {
    /// Wraps `inner`, working.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            broken: AtomicBool::new(false),
        }
    }

    /// From now on every call fails (`true`) or works again (`false`).
    pub fn set_broken(&self, broken: bool) {
        self.broken.store(broken, Ordering::SeqCst);
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn check(&self) -> Result<(), StoreError> {
        if self.broken.load(Ordering::SeqCst) {
            Err(StoreError::Unavailable("disk I/O error (test)".into()))
        } else {
            Ok(())
        }
    }
}

impl<S: Store> Store for FaultyStore<S> {
    fn insert_account(&self, account: NewAccount) -> Result<AccountRecord, StoreError> {
        self.check()?;
        self.inner.insert_account(account)
    }
    fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
        self.check()?;
        self.inner.account(id)
    }
    fn account_by_key(&self, key: &AccountKey) -> Result<Option<AccountRecord>, StoreError> {
        self.check()?;
        self.inner.account_by_key(key)
    }
    fn accounts(&self) -> Result<Vec<AccountRecord>, StoreError> {
        self.check()?;
        self.inner.accounts()
    }
    fn update_account(
        &self,
        id: AccountId,
        f: &mut dyn FnMut(&mut AccountRecord) -> bool,
    ) -> Result<Option<AccountRecord>, StoreError> {
        self.check()?;
        self.inner.update_account(id, f)
    }
    fn update_attempts(
        &self,
        key: &AccountKey,
        f: &mut dyn FnMut(&mut Attempts),
    ) -> Result<Attempts, StoreError> {
        self.check()?;
        self.inner.update_attempts(key, f)
    }
    fn attempts(&self, key: &AccountKey) -> Result<Attempts, StoreError> {
        self.check()?;
        self.inner.attempts(key)
    }
    fn insert_ticket(&self, ticket: LoginTicketRecord) -> Result<(), StoreError> {
        self.check()?;
        self.inner.insert_ticket(ticket)
    }
    fn ticket(&self, digest: &TokenDigest) -> Result<Option<LoginTicketRecord>, StoreError> {
        self.check()?;
        self.inner.ticket(digest)
    }
    fn delete_ticket(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        self.check()?;
        self.inner.delete_ticket(digest)
    }
    fn delete_tickets_of(&self, account: AccountId) -> Result<(), StoreError> {
        self.check()?;
        self.inner.delete_tickets_of(account)
    }
    fn insert_session(&self, session: SessionRecord) -> Result<(), StoreError> {
        self.check()?;
        self.inner.insert_session(session)
    }
    fn session(&self, digest: &TokenDigest) -> Result<Option<SessionRecord>, StoreError> {
        self.check()?;
        self.inner.session(digest)
    }
    fn update_session(
        &self,
        digest: &TokenDigest,
        f: &mut dyn FnMut(&mut SessionRecord),
    ) -> Result<Option<SessionRecord>, StoreError> {
        self.check()?;
        self.inner.update_session(digest, f)
    }
    fn delete_session(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        self.check()?;
        self.inner.delete_session(digest)
    }
    fn delete_sessions_of(&self, account: AccountId) -> Result<(), StoreError> {
        self.check()?;
        self.inner.delete_sessions_of(account)
    }
    fn append_audit(&self, event: &AuditEvent) -> Result<(), StoreError> {
        self.check()?;
        self.inner.append_audit(event)
    }
    fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, StoreError> {
        self.check()?;
        self.inner.recent_audit(limit)
    }
    fn prune(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        self.check()?;
        self.inner.prune(now)
    }
    fn locked_attempts(&self) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
        self.check()?;
        self.inner.locked_attempts()
    }
    fn prune_sessions(
        &self,
        idle: &IdleTimeout,
        ended_before: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        self.check()?;
        self.inner.prune_sessions(idle, ended_before)
    }
    fn prune_audit(&self, before: OffsetDateTime, limit: usize) -> Result<usize, StoreError> {
        self.check()?;
        self.inner.prune_audit(before, limit)
    }
    fn audit_page(&self, query: &AuditQuery) -> Result<Vec<StoredAuditEvent>, StoreError> {
        self.check()?;
        self.inner.audit_page(query)
    }
    fn accounts_page(&self, page: &AccountPage) -> Result<Vec<AccountRecord>, StoreError> {
        self.check()?;
        self.inner.accounts_page(page)
    }
    fn insert_api_key(&self, key: NewApiKey) -> Result<ApiKeyRecord, StoreError> {
        self.check()?;
        self.inner.insert_api_key(key)
    }
    fn api_key(&self, digest: &TokenDigest) -> Result<Option<ApiKeyRecord>, StoreError> {
        self.check()?;
        self.inner.api_key(digest)
    }
    fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        self.check()?;
        self.inner.api_keys()
    }
    fn revoke_api_key(&self, id: ApiKeyId, at: OffsetDateTime) -> Result<bool, StoreError> {
        self.check()?;
        self.inner.revoke_api_key(id, at)
    }
    fn key_check(&self, id: KeyId, candidate: &KeyCheck) -> Result<KeyCheck, StoreError> {
        self.check()?;
        self.inner.key_check(id, candidate)
    }
    fn key_checks(&self) -> Result<Vec<(KeyId, KeyCheck)>, StoreError> {
        self.check()?;
        self.inner.key_checks()
    }
    fn ping(&self) -> Result<(), StoreError> {
        self.check()?;
        self.inner.ping()
    }
    fn import_account(&self, record: &AccountRecord) -> Result<(), StoreError> {
        self.check()?;
        self.inner.import_account(record)
    }
    fn all_attempts(&self) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
        self.check()?;
        self.inner.all_attempts()
    }
}
