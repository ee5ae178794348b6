//! [`Corrupting`]: a store that can be switched to answer every call with
//! [`StoreError::Corrupt`] (a row it cannot understand), to reach the API's 500s. The
//! kit's `FaultyStore` inside it gives the 503s (`StoreError::Unavailable`).

use std::sync::atomic::{AtomicBool, Ordering};

use shikaku::{
    AccountId, AccountKey, AccountPage, AccountRecord, ApiKeyId, ApiKeyRecord, Attempts,
    AuditEvent, AuditQuery, KeyCheck, KeyId, LoginTicketRecord, NewAccount, NewApiKey,
    SessionRecord, Store, StoreError, StoredAuditEvent, TokenDigest,
};
use time::OffsetDateTime;

/// Wraps a store; [`Corrupting::set_corrupt`] makes every call fail.
pub(super) struct Corrupting<S> {
    pub(super) inner: S,
    corrupt: AtomicBool,
}

impl<S: Store> Corrupting<S> {
    pub(super) fn new(inner: S) -> Self {
        Self {
            inner,
            corrupt: AtomicBool::new(false),
        }
    }

    pub(super) fn set_corrupt(&self, corrupt: bool) {
        self.corrupt.store(corrupt, Ordering::SeqCst);
    }

    fn check(&self) -> Result<(), StoreError> {
        if self.corrupt.load(Ordering::SeqCst) {
            Err(StoreError::Corrupt("an unreadable row (test)".to_owned()))
        } else {
            Ok(())
        }
    }
}

macro_rules! delegate {
    ($(fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        $(
            fn $name(&self $(, $arg: $ty)*) -> $ret {
                self.check()?;
                self.inner.$name($($arg),*)
            }
        )*
    };
}

impl<S: Store> Store for Corrupting<S> {
    delegate! {
        fn insert_account(&self, account: NewAccount) -> Result<AccountRecord, StoreError>;
        fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, StoreError>;
        fn account_by_key(&self, key: &AccountKey) -> Result<Option<AccountRecord>, StoreError>;
        fn accounts(&self) -> Result<Vec<AccountRecord>, StoreError>;
        fn update_account(&self, id: AccountId, f: &mut dyn FnMut(&mut AccountRecord) -> bool) -> Result<Option<AccountRecord>, StoreError>;
        fn update_attempts(&self, key: &AccountKey, f: &mut dyn FnMut(&mut Attempts)) -> Result<Attempts, StoreError>;
        fn attempts(&self, key: &AccountKey) -> Result<Attempts, StoreError>;
        fn insert_ticket(&self, ticket: LoginTicketRecord) -> Result<(), StoreError>;
        fn ticket(&self, digest: &TokenDigest) -> Result<Option<LoginTicketRecord>, StoreError>;
        fn delete_ticket(&self, digest: &TokenDigest) -> Result<bool, StoreError>;
        fn delete_tickets_of(&self, account: AccountId) -> Result<(), StoreError>;
        fn insert_session(&self, session: SessionRecord) -> Result<(), StoreError>;
        fn session(&self, digest: &TokenDigest) -> Result<Option<SessionRecord>, StoreError>;
        fn update_session(&self, digest: &TokenDigest, f: &mut dyn FnMut(&mut SessionRecord)) -> Result<Option<SessionRecord>, StoreError>;
        fn delete_session(&self, digest: &TokenDigest) -> Result<bool, StoreError>;
        fn delete_sessions_of(&self, account: AccountId) -> Result<(), StoreError>;
        fn append_audit(&self, event: &AuditEvent) -> Result<(), StoreError>;
        fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, StoreError>;
        fn audit_page(&self, query: &AuditQuery) -> Result<Vec<StoredAuditEvent>, StoreError>;
        fn prune(&self, now: OffsetDateTime) -> Result<usize, StoreError>;
        fn accounts_page(&self, page: &AccountPage) -> Result<Vec<AccountRecord>, StoreError>;
        fn insert_api_key(&self, key: NewApiKey) -> Result<ApiKeyRecord, StoreError>;
        fn api_key(&self, digest: &TokenDigest) -> Result<Option<ApiKeyRecord>, StoreError>;
        fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError>;
        fn revoke_api_key(&self, id: ApiKeyId, at: OffsetDateTime) -> Result<bool, StoreError>;
        fn key_check(&self, id: KeyId, candidate: &KeyCheck) -> Result<KeyCheck, StoreError>;
        fn key_checks(&self) -> Result<Vec<(KeyId, KeyCheck)>, StoreError>;
        fn ping(&self) -> Result<(), StoreError>;
        fn import_account(&self, record: &AccountRecord) -> Result<(), StoreError>;
        fn all_attempts(&self) -> Result<Vec<(AccountKey, Attempts)>, StoreError>;
    }
}
