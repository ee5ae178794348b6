//! An in-memory [`Store`]: for tests, demos and hosts that keep nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use time::OffsetDateTime;

use crate::audit::AuditEvent;
use crate::error::StoreError;
use crate::ids::{AccountId, AccountKey};
use crate::keys::{KeyId, TokenDigest};
use crate::lockout::IdleTimeout;
use crate::store::{
    AccountPage, AccountRecord, ApiKeyId, ApiKeyRecord, Attempts, AuditOrder, AuditQuery, AuditSeq,
    KeyCheck, LoginTicketRecord, NewAccount, NewApiKey, SessionRecord, Store, StoredAuditEvent,
};

#[derive(Default)]
struct Inner {
    next_id: i64,
    accounts: BTreeMap<AccountId, AccountRecord>,
    by_key: HashMap<AccountKey, AccountId>,
    attempts: HashMap<AccountKey, Attempts>,
    tickets: HashMap<[u8; 32], LoginTicketRecord>,
    sessions: HashMap<[u8; 32], SessionRecord>,
    /// Each event with its sequence number (kept across removals by `prune_audit`).
    audit: Vec<(AuditSeq, AuditEvent)>,
    last_seq: i64,
    api_keys: Vec<ApiKeyRecord>,
    key_checks: BTreeMap<KeyId, KeyCheck>,
}

/// Everything behind one mutex: every update is trivially atomic.
#[derive(Default)]
pub struct MemoryStore(Mutex<Inner>);

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryStore")
    }
}

impl Store for MemoryStore {
    fn insert_account(&self, account: NewAccount) -> Result<AccountRecord, StoreError> {
        let mut inner = self.lock();
        if inner.by_key.contains_key(&account.key) {
            return Err(StoreError::Conflict);
        }
        inner.next_id = inner
            .next_id
            .max(inner.accounts.keys().last().map_or(0, |id| id.0))
            + 1;
        let id = AccountId(inner.next_id);
        let record = AccountRecord {
            id,
            key: account.key.clone(),
            password: account.password,
            must_change_password: account.must_change_password,
            disabled: false,
            mfa: None,
            pending_mfa: None,
            sessions: Default::default(),
            created_at: account.created_at,
            updated_at: account.created_at,
        };
        inner.by_key.insert(account.key, id);
        inner.accounts.insert(id, record.clone());
        Ok(record)
    }

    fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
        Ok(self.lock().accounts.get(&id).cloned())
    }

    fn account_by_key(&self, key: &AccountKey) -> Result<Option<AccountRecord>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .by_key
            .get(key)
            .and_then(|id| inner.accounts.get(id))
            .cloned())
    }

    fn accounts(&self) -> Result<Vec<AccountRecord>, StoreError> {
        let mut all: Vec<_> = self.lock().accounts.values().cloned().collect();
        all.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(all)
    }

    fn update_account(
        &self,
        id: AccountId,
        f: &mut dyn FnMut(&mut AccountRecord) -> bool,
    ) -> Result<Option<AccountRecord>, StoreError> {
        let mut inner = self.lock();
        let Some(stored) = inner.accounts.get_mut(&id) else {
            return Ok(None);
        };
        let mut draft = stored.clone();
        if f(&mut draft) {
            *stored = draft;
        }
        Ok(Some(stored.clone()))
    }

    fn update_attempts(
        &self,
        key: &AccountKey,
        f: &mut dyn FnMut(&mut Attempts),
    ) -> Result<Attempts, StoreError> {
        let mut inner = self.lock();
        let entry = inner.attempts.entry(key.clone()).or_default();
        f(entry);
        Ok(entry.clone())
    }

    fn attempts(&self, key: &AccountKey) -> Result<Attempts, StoreError> {
        Ok(self.lock().attempts.get(key).cloned().unwrap_or_default())
    }

    fn insert_ticket(&self, ticket: LoginTicketRecord) -> Result<(), StoreError> {
        self.lock().tickets.insert(ticket.digest.0, ticket);
        Ok(())
    }

    fn ticket(&self, digest: &TokenDigest) -> Result<Option<LoginTicketRecord>, StoreError> {
        Ok(self.lock().tickets.get(&digest.0).cloned())
    }

    fn delete_ticket(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        Ok(self.lock().tickets.remove(&digest.0).is_some())
    }

    fn delete_tickets_of(&self, account: AccountId) -> Result<(), StoreError> {
        self.lock().tickets.retain(|_, t| t.account != account);
        Ok(())
    }

    fn insert_session(&self, session: SessionRecord) -> Result<(), StoreError> {
        self.lock().sessions.insert(session.digest.0, session);
        Ok(())
    }

    fn session(&self, digest: &TokenDigest) -> Result<Option<SessionRecord>, StoreError> {
        Ok(self.lock().sessions.get(&digest.0).cloned())
    }

    fn update_session(
        &self,
        digest: &TokenDigest,
        f: &mut dyn FnMut(&mut SessionRecord),
    ) -> Result<Option<SessionRecord>, StoreError> {
        let mut inner = self.lock();
        Ok(inner.sessions.get_mut(&digest.0).map(|s| {
            f(s);
            s.clone()
        }))
    }

    fn delete_session(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        Ok(self.lock().sessions.remove(&digest.0).is_some())
    }

    fn delete_sessions_of(&self, account: AccountId) -> Result<(), StoreError> {
        self.lock().sessions.retain(|_, s| s.account != account);
        Ok(())
    }

    fn append_audit(&self, event: &AuditEvent) -> Result<(), StoreError> {
        let mut inner = self.lock();
        inner.last_seq += 1;
        let seq = AuditSeq(inner.last_seq);
        inner.audit.push((seq, event.clone()));
        Ok(())
    }

    fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, StoreError> {
        Ok(self
            .lock()
            .audit
            .iter()
            .rev()
            .take(limit)
            .map(|(_, event)| event.clone())
            .collect())
    }

    fn prune(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        let mut inner = self.lock();
        let before = inner.tickets.len() + inner.attempts.len();
        inner.tickets.retain(|_, t| t.expires_at > now);
        inner.attempts.retain(|_, a| !a.is_clear_at(now));
        Ok(before - inner.tickets.len() - inner.attempts.len())
    }

    fn prune_sessions(
        &self,
        idle: &IdleTimeout,
        ended_before: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        let mut inner = self.lock();
        let before = inner.sessions.len();
        inner
            .sessions
            .retain(|_, s| s.clock.expires_at(idle) > ended_before);
        Ok(before - inner.sessions.len())
    }

    fn prune_audit(&self, before: OffsetDateTime, limit: usize) -> Result<usize, StoreError> {
        let mut inner = self.lock();
        // The oldest `limit` of those stamped before `before` (by instant, then by seq).
        let mut old: Vec<(OffsetDateTime, AuditSeq)> = inner
            .audit
            .iter()
            .filter(|(_, event)| event.at < before)
            .map(|(seq, event)| (event.at, *seq))
            .collect();
        old.sort();
        old.truncate(limit);
        let gone: HashSet<AuditSeq> = old.into_iter().map(|(_, seq)| seq).collect();
        inner.audit.retain(|(seq, _)| !gone.contains(seq));
        Ok(gone.len())
    }

    fn audit_page(&self, query: &AuditQuery) -> Result<Vec<StoredAuditEvent>, StoreError> {
        let inner = self.lock();
        let numbered = inner.audit.iter().map(|(seq, event)| StoredAuditEvent {
            seq: *seq,
            event: event.clone(),
        });
        let limit = query.limit.min(AccountPage::MAX_LIMIT);
        let keep = |e: &StoredAuditEvent| query.matches(e.seq, &e.event);
        Ok(match query.order {
            AuditOrder::NewestFirst => numbered.rev().filter(keep).take(limit).collect(),
            AuditOrder::OldestFirst => numbered.filter(keep).take(limit).collect(),
        })
    }

    fn accounts_page(&self, page: &AccountPage) -> Result<Vec<AccountRecord>, StoreError> {
        let mut all: Vec<_> = self
            .lock()
            .accounts
            .values()
            .filter(|a| {
                page.institution
                    .as_ref()
                    .is_none_or(|code| &a.key.institution_code == code)
                    && page.after.as_ref().is_none_or(|after| &a.key > after)
            })
            .cloned()
            .collect();
        all.sort_by(|a, b| a.key.cmp(&b.key));
        all.truncate(page.limit.min(AccountPage::MAX_LIMIT));
        Ok(all)
    }

    fn insert_api_key(&self, key: NewApiKey) -> Result<ApiKeyRecord, StoreError> {
        let mut inner = self.lock();
        if inner.api_keys.iter().any(|k| k.digest == key.digest) {
            return Err(StoreError::Conflict);
        }
        let id = ApiKeyId(inner.api_keys.last().map_or(0, |k| k.id.0) + 1);
        let record = ApiKeyRecord {
            id,
            name: key.name,
            digest: key.digest,
            scope: key.scope,
            created_at: key.created_at,
            revoked_at: None,
        };
        inner.api_keys.push(record.clone());
        Ok(record)
    }

    fn api_key(&self, digest: &TokenDigest) -> Result<Option<ApiKeyRecord>, StoreError> {
        Ok(self
            .lock()
            .api_keys
            .iter()
            .find(|k| k.digest == *digest)
            .cloned())
    }

    fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        Ok(self.lock().api_keys.clone())
    }

    fn revoke_api_key(&self, id: ApiKeyId, at: OffsetDateTime) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        match inner.api_keys.iter_mut().find(|k| k.id == id) {
            Some(key) if key.revoked_at.is_none() => {
                key.revoked_at = Some(at);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn key_check(&self, id: KeyId, candidate: &KeyCheck) -> Result<KeyCheck, StoreError> {
        Ok(*self.lock().key_checks.entry(id).or_insert(*candidate))
    }

    fn key_checks(&self) -> Result<Vec<(KeyId, KeyCheck)>, StoreError> {
        Ok(self
            .lock()
            .key_checks
            .iter()
            .map(|(id, c)| (*id, *c))
            .collect())
    }

    fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }

    fn import_account(&self, record: &AccountRecord) -> Result<(), StoreError> {
        let mut inner = self.lock();
        if inner.accounts.contains_key(&record.id) || inner.by_key.contains_key(&record.key) {
            return Err(StoreError::Conflict);
        }
        inner.by_key.insert(record.key.clone(), record.id);
        inner.accounts.insert(record.id, record.clone());
        Ok(())
    }

    fn all_attempts(&self) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
        let mut all: Vec<_> = self
            .lock()
            .attempts
            .iter()
            .filter(|(_, a)| **a != Attempts::default())
            .map(|(k, a)| (k.clone(), a.clone()))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(all)
    }
}
