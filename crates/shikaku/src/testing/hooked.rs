//! [`HookedStore`]: a store that runs a test's code at a chosen point of a flow — between
//! the facade's reads and its update, or between reserving an attempt and verifying it —
//! to put another request exactly there, deterministically, without threads or timing.

use std::sync::{Arc, Mutex, PoisonError};

use time::OffsetDateTime;

use crate::lockout::IdleTimeout;
use crate::store::{
    AccountPage, ApiKeyId, ApiKeyRecord, AuditQuery, KeyCheck, NewApiKey, StoredAuditEvent,
};
use crate::store::{AccountRecord, Attempts, LoginTicketRecord, NewAccount, SessionRecord};
use crate::{AccountId, AccountKey, AuditEvent, KeyId, Store, StoreError, TokenDigest};

/// Where an armed hook runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookPoint {
    /// Right after an [`update_attempts`](Store::update_attempts) has committed — e.g. an
    /// attempt was just reserved and is about to be verified.
    AfterAttemptsUpdate,
    /// Right before an [`update_account`](Store::update_account) reads the record — e.g.
    /// the passcode step has opened the secret of its snapshot and is about to claim the
    /// time step.
    BeforeAccountUpdate,
    /// Right before a login ticket is stored — the password was verified, the ticket
    /// does not exist yet.
    BeforeTicketInsert,
}

type Hook = Box<dyn FnOnce() + Send>;

/// A store that runs armed hooks, each once, at the next call that reaches its
/// [`HookPoint`]. The hook is taken out before it runs, so the requests it makes pass
/// the same point undisturbed; no lock of the wrapped store is held while it runs.
pub struct HookedStore<S> {
    inner: Arc<S>,
    hooks: Mutex<Vec<(HookPoint, Hook)>>,
}

impl<S: Store> HookedStore<S> {
    /// Wraps `inner`, with nothing armed.
    pub fn new(inner: Arc<S>) -> Self {
        Self {
            inner,
            hooks: Mutex::new(Vec::new()),
        }
    }

    /// Runs `hook` once, at the next call that reaches `at`.
    pub fn arm(&self, at: HookPoint, hook: impl FnOnce() + Send + 'static) {
        self.lock().push((at, Box::new(hook)));
    }

    /// How many armed hooks have not run yet.
    pub fn pending(&self) -> usize {
        self.lock().len()
    }

    /// The wrapped store.
    pub fn inner(&self) -> &Arc<S> {
        &self.inner
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(HookPoint, Hook)>> {
        self.hooks.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn fire(&self, at: HookPoint) {
        let hook = {
            let mut hooks = self.lock();
            hooks
                .iter()
                .position(|(point, _)| *point == at)
                .map(|i| hooks.remove(i).1)
        };
        if let Some(hook) = hook {
            hook();
        }
    }
}

impl<S> std::fmt::Debug for HookedStore<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HookedStore")
    }
}

impl<S: Store> Store for HookedStore<S> {
    fn insert_account(&self, account: NewAccount) -> Result<AccountRecord, StoreError> {
        self.inner.insert_account(account)
    }
    fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
        self.inner.account(id)
    }
    fn account_by_key(&self, key: &AccountKey) -> Result<Option<AccountRecord>, StoreError> {
        self.inner.account_by_key(key)
    }
    fn accounts(&self) -> Result<Vec<AccountRecord>, StoreError> {
        self.inner.accounts()
    }
    fn update_account(
        &self,
        id: AccountId,
        f: &mut dyn FnMut(&mut AccountRecord) -> bool,
    ) -> Result<Option<AccountRecord>, StoreError> {
        self.fire(HookPoint::BeforeAccountUpdate);
        self.inner.update_account(id, f)
    }
    fn update_attempts(
        &self,
        key: &AccountKey,
        f: &mut dyn FnMut(&mut Attempts),
    ) -> Result<Attempts, StoreError> {
        let stored = self.inner.update_attempts(key, f);
        self.fire(HookPoint::AfterAttemptsUpdate);
        stored
    }
    fn attempts(&self, key: &AccountKey) -> Result<Attempts, StoreError> {
        self.inner.attempts(key)
    }
    fn insert_ticket(&self, ticket: LoginTicketRecord) -> Result<(), StoreError> {
        self.fire(HookPoint::BeforeTicketInsert);
        self.inner.insert_ticket(ticket)
    }
    fn ticket(&self, digest: &TokenDigest) -> Result<Option<LoginTicketRecord>, StoreError> {
        self.inner.ticket(digest)
    }
    fn delete_ticket(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        self.inner.delete_ticket(digest)
    }
    fn delete_tickets_of(&self, account: AccountId) -> Result<(), StoreError> {
        self.inner.delete_tickets_of(account)
    }
    fn insert_session(&self, session: SessionRecord) -> Result<(), StoreError> {
        self.inner.insert_session(session)
    }
    fn session(&self, digest: &TokenDigest) -> Result<Option<SessionRecord>, StoreError> {
        self.inner.session(digest)
    }
    fn update_session(
        &self,
        digest: &TokenDigest,
        f: &mut dyn FnMut(&mut SessionRecord),
    ) -> Result<Option<SessionRecord>, StoreError> {
        self.inner.update_session(digest, f)
    }
    fn delete_session(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        self.inner.delete_session(digest)
    }
    fn delete_sessions_of(&self, account: AccountId) -> Result<(), StoreError> {
        self.inner.delete_sessions_of(account)
    }
    fn append_audit(&self, event: &AuditEvent) -> Result<(), StoreError> {
        self.inner.append_audit(event)
    }
    fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, StoreError> {
        self.inner.recent_audit(limit)
    }
    fn prune(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        self.inner.prune(now)
    }
    fn locked_attempts(&self) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
        self.inner.locked_attempts()
    }
    fn prune_sessions(
        &self,
        idle: &IdleTimeout,
        ended_before: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        self.inner.prune_sessions(idle, ended_before)
    }
    fn prune_audit(&self, before: OffsetDateTime, limit: usize) -> Result<usize, StoreError> {
        self.inner.prune_audit(before, limit)
    }
    fn audit_page(&self, query: &AuditQuery) -> Result<Vec<StoredAuditEvent>, StoreError> {
        self.inner.audit_page(query)
    }
    fn accounts_page(&self, page: &AccountPage) -> Result<Vec<AccountRecord>, StoreError> {
        self.inner.accounts_page(page)
    }
    fn insert_api_key(&self, key: NewApiKey) -> Result<ApiKeyRecord, StoreError> {
        self.inner.insert_api_key(key)
    }
    fn api_key(&self, digest: &TokenDigest) -> Result<Option<ApiKeyRecord>, StoreError> {
        self.inner.api_key(digest)
    }
    fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        self.inner.api_keys()
    }
    fn revoke_api_key(&self, id: ApiKeyId, at: OffsetDateTime) -> Result<bool, StoreError> {
        self.inner.revoke_api_key(id, at)
    }
    fn key_check(&self, id: KeyId, candidate: &KeyCheck) -> Result<KeyCheck, StoreError> {
        self.inner.key_check(id, candidate)
    }
    fn key_checks(&self) -> Result<Vec<(KeyId, KeyCheck)>, StoreError> {
        self.inner.key_checks()
    }
    fn ping(&self) -> Result<(), StoreError> {
        self.inner.ping()
    }
    fn import_account(&self, record: &AccountRecord) -> Result<(), StoreError> {
        self.inner.import_account(record)
    }
    fn all_attempts(&self) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
        self.inner.all_attempts()
    }
}
