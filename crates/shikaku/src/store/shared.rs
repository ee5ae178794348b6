//! A shared store is a store: `Arc<dyn Store>` lets a host choose the database at run
//! time (the `shikaku` binary: SQLite or PostgreSQL) and still build one `Shikaku`.

use std::sync::Arc;

use time::OffsetDateTime;

use super::{
    AccountPage, AccountRecord, ApiKeyId, ApiKeyRecord, Attempts, AuditQuery, KeyCheck,
    LoginTicketRecord, NewAccount, NewApiKey, SessionRecord, Store, StoredAuditEvent,
};
use crate::audit::AuditEvent;
use crate::error::StoreError;
use crate::ids::{AccountId, AccountKey};
use crate::keys::{KeyId, TokenDigest};
use crate::lockout::IdleTimeout;

impl<T: Store + ?Sized> Store for Arc<T> {
    fn insert_account(&self, account: NewAccount) -> Result<AccountRecord, StoreError> {
        (**self).insert_account(account)
    }
    fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
        (**self).account(id)
    }
    fn account_by_key(&self, key: &AccountKey) -> Result<Option<AccountRecord>, StoreError> {
        (**self).account_by_key(key)
    }
    fn accounts(&self) -> Result<Vec<AccountRecord>, StoreError> {
        (**self).accounts()
    }
    fn update_account(
        &self,
        id: AccountId,
        f: &mut dyn FnMut(&mut AccountRecord) -> bool,
    ) -> Result<Option<AccountRecord>, StoreError> {
        (**self).update_account(id, f)
    }
    fn update_attempts(
        &self,
        key: &AccountKey,
        f: &mut dyn FnMut(&mut Attempts),
    ) -> Result<Attempts, StoreError> {
        (**self).update_attempts(key, f)
    }
    fn attempts(&self, key: &AccountKey) -> Result<Attempts, StoreError> {
        (**self).attempts(key)
    }
    fn insert_ticket(&self, ticket: LoginTicketRecord) -> Result<(), StoreError> {
        (**self).insert_ticket(ticket)
    }
    fn ticket(&self, digest: &TokenDigest) -> Result<Option<LoginTicketRecord>, StoreError> {
        (**self).ticket(digest)
    }
    fn delete_ticket(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        (**self).delete_ticket(digest)
    }
    fn delete_tickets_of(&self, account: AccountId) -> Result<(), StoreError> {
        (**self).delete_tickets_of(account)
    }
    fn insert_session(&self, session: SessionRecord) -> Result<(), StoreError> {
        (**self).insert_session(session)
    }
    fn session(&self, digest: &TokenDigest) -> Result<Option<SessionRecord>, StoreError> {
        (**self).session(digest)
    }
    fn update_session(
        &self,
        digest: &TokenDigest,
        f: &mut dyn FnMut(&mut SessionRecord),
    ) -> Result<Option<SessionRecord>, StoreError> {
        (**self).update_session(digest, f)
    }
    fn delete_session(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        (**self).delete_session(digest)
    }
    fn delete_sessions_of(&self, account: AccountId) -> Result<(), StoreError> {
        (**self).delete_sessions_of(account)
    }
    fn append_audit(&self, event: &AuditEvent) -> Result<(), StoreError> {
        (**self).append_audit(event)
    }
    fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, StoreError> {
        (**self).recent_audit(limit)
    }
    fn audit_page(&self, query: &AuditQuery) -> Result<Vec<StoredAuditEvent>, StoreError> {
        (**self).audit_page(query)
    }
    fn prune(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        (**self).prune(now)
    }
    fn locked_attempts(&self) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
        (**self).locked_attempts()
    }
    fn prune_sessions(
        &self,
        idle: &IdleTimeout,
        ended_before: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        (**self).prune_sessions(idle, ended_before)
    }
    fn prune_audit(&self, before: OffsetDateTime, limit: usize) -> Result<usize, StoreError> {
        (**self).prune_audit(before, limit)
    }
    fn accounts_page(&self, page: &AccountPage) -> Result<Vec<AccountRecord>, StoreError> {
        (**self).accounts_page(page)
    }
    fn insert_api_key(&self, key: NewApiKey) -> Result<ApiKeyRecord, StoreError> {
        (**self).insert_api_key(key)
    }
    fn api_key(&self, digest: &TokenDigest) -> Result<Option<ApiKeyRecord>, StoreError> {
        (**self).api_key(digest)
    }
    fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        (**self).api_keys()
    }
    fn revoke_api_key(&self, id: ApiKeyId, at: OffsetDateTime) -> Result<bool, StoreError> {
        (**self).revoke_api_key(id, at)
    }
    fn key_check(&self, id: KeyId, candidate: &KeyCheck) -> Result<KeyCheck, StoreError> {
        (**self).key_check(id, candidate)
    }
    fn key_checks(&self) -> Result<Vec<(KeyId, KeyCheck)>, StoreError> {
        (**self).key_checks()
    }
    fn ping(&self) -> Result<(), StoreError> {
        (**self).ping()
    }
    fn import_account(&self, record: &AccountRecord) -> Result<(), StoreError> {
        (**self).import_account(record)
    }
    fn all_attempts(&self) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
        (**self).all_attempts()
    }
}
