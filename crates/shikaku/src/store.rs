//! The storage seam: what a host implements to keep accounts somewhere else.
//!
//! # Atomicity contract
//!
//! Every `update_*` method is an atomic read-modify-write: the implementation loads
//! the record, calls the closure once, and writes the result back, with no other
//! update of the same record interleaved (one SQL transaction taken with
//! `BEGIN IMMEDIATE`, one mutex, a `SELECT … FOR UPDATE`, …). The lockout rule rests
//! on this: the facade reserves each attempt with
//! [`Lockout::begin_attempt`](crate::lockout::Lockout::begin_attempt) inside
//! [`Store::update_attempts`], so N concurrent guesses can never get more than the
//! threshold of verifications, and a valid passcode's time step is claimed inside
//! [`Store::update_account`], so the same code can open at most one session.
//!
//! Closures are `&mut dyn FnMut` so the trait stays object-safe
//! (`Arc<dyn Store>` works); an implementation may call the closure again if it
//! retries a transaction, so closures only compute from the record they are given.

mod admin;
mod copy;
mod shared;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use admin::{
    AccountPage, ApiKeyId, ApiKeyRecord, ApiKeyScope, AuditOrder, AuditQuery, AuditSeq, KeyCheck,
    NewApiKey, StoredAuditEvent,
};
pub use copy::{CopyReport, copy_store};

use crate::audit::AuditEvent;
use crate::error::StoreError;
use crate::ids::{AccountId, AccountKey};
use crate::keys::{KeyId, SealedSecret, TokenDigest};
use crate::lockout::{IdleTimeout, Lockout, SessionClock, SessionSlot};
use crate::password::PasswordHistory;

/// A registered Authenticator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MfaRecord {
    /// The TOTP secret, sealed.
    pub secret: SealedSecret,
    /// The newest time step accepted; codes at or before it are replays.
    pub last_step: Option<u64>,
    /// Clock drift of the newest accepted passcode, in 30-second steps (RFC 6238 §6).
    pub drift: i64,
    /// When registration completed.
    #[serde(with = "time::serde::rfc3339")]
    pub enrolled_at: OffsetDateTime,
}

/// An Authenticator registration in progress: a secret not yet confirmed by a passcode.
///
/// It belongs to one login: the login ticket that created it ([`Self::ticket`]). Each
/// login that needs a registration gets a fresh secret, so a QR code shown or printed
/// for an earlier (abandoned) login stops working, and only the login that owns the
/// registration can show, print or confirm it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingMfa {
    /// The candidate secret, sealed.
    pub secret: SealedSecret,
    /// Digest of the login ticket whose login created this registration. `None` for a
    /// registration stored before registrations belonged to a login: the next view by
    /// a live login replaces it with one of its own.
    #[serde(default)]
    pub ticket: Option<TokenDigest>,
    /// Whether the first-time print confirmation has been shown.
    pub print_prompt_shown: bool,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// One staff account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountRecord {
    /// Store-assigned number.
    pub id: AccountId,
    /// 機関コード + ログイン ID.
    pub key: AccountKey,
    /// The current password and its retired generations.
    pub password: PasswordHistory,
    /// Set by an administrator's password reset; cleared by a password change.
    pub must_change_password: bool,
    /// Disabled accounts cannot log in.
    pub disabled: bool,
    /// The registered Authenticator, if any.
    pub mfa: Option<MfaRecord>,
    /// A registration in progress, if any.
    pub pending_mfa: Option<PendingMfa>,
    /// Which login is the account's one active session.
    pub sessions: SessionSlot,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// What [`Store::insert_account`] takes; the store assigns the id.
#[derive(Clone, Debug)]
pub struct NewAccount {
    /// 機関コード + ログイン ID.
    pub key: AccountKey,
    /// The initial password.
    pub password: PasswordHistory,
    /// Whether the first login must change the password.
    pub must_change_password: bool,
    /// Now.
    pub created_at: OffsetDateTime,
}

/// The two lockout counters of one identifier, kept whether or not the account exists.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Attempts {
    /// Consecutive wrong passwords.
    pub password: Lockout,
    /// Consecutive wrong passcodes.
    pub passcode: Lockout,
}

impl Attempts {
    /// Whether a store may forget these counters at `now` ([`Store::prune`]): both are
    /// [clear](Lockout::is_clear_at) — no failures, no lock in force, no refusals of an
    /// ended lock still to report. Forgetting them changes no answer at or after `now`.
    pub fn is_clear_at(&self, now: OffsetDateTime) -> bool {
        self.password.is_clear_at(now) && self.passcode.is_clear_at(now)
    }
}

/// A half-finished login: the password was right, the passcode is awaited.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoginTicketRecord {
    /// Digest of the bearer token.
    pub digest: TokenDigest,
    /// Whose.
    pub account: AccountId,
    /// Issued.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// Unusable from this instant.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// A logged-in session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Digest of the bearer token / cookie value.
    pub digest: TokenDigest,
    /// Whose.
    pub account: AccountId,
    /// Epoch and idle timing.
    pub clock: SessionClock,
    /// Started.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Where accounts, counters, tickets, sessions and audit events live.
pub trait Store: Send + Sync + 'static {
    /// Adds an account; [`StoreError::Conflict`] if its key is taken.
    fn insert_account(&self, account: NewAccount) -> Result<AccountRecord, StoreError>;
    /// One account by id.
    fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, StoreError>;
    /// One account by 機関コード + ログイン ID.
    fn account_by_key(&self, key: &AccountKey) -> Result<Option<AccountRecord>, StoreError>;
    /// Every account, ordered by key.
    fn accounts(&self) -> Result<Vec<AccountRecord>, StoreError>;
    /// Atomically updates one account. The closure returns `true` to write its changes,
    /// `false` to leave the record as it was. Returns the record as stored afterwards,
    /// or `None` if there is no such account.
    fn update_account(
        &self,
        id: AccountId,
        f: &mut dyn FnMut(&mut AccountRecord) -> bool,
    ) -> Result<Option<AccountRecord>, StoreError>;

    /// Atomically updates the counters of one identifier (created as default when absent)
    /// and returns them as stored afterwards.
    fn update_attempts(
        &self,
        key: &AccountKey,
        f: &mut dyn FnMut(&mut Attempts),
    ) -> Result<Attempts, StoreError>;
    /// The counters of one identifier (default when absent).
    fn attempts(&self, key: &AccountKey) -> Result<Attempts, StoreError>;

    /// Stores a login ticket.
    fn insert_ticket(&self, ticket: LoginTicketRecord) -> Result<(), StoreError>;
    /// One login ticket.
    fn ticket(&self, digest: &TokenDigest) -> Result<Option<LoginTicketRecord>, StoreError>;
    /// Removes one login ticket; `true` if it existed.
    fn delete_ticket(&self, digest: &TokenDigest) -> Result<bool, StoreError>;
    /// Removes every login ticket of an account.
    fn delete_tickets_of(&self, account: AccountId) -> Result<(), StoreError>;

    /// Stores a session.
    fn insert_session(&self, session: SessionRecord) -> Result<(), StoreError>;
    /// One session.
    fn session(&self, digest: &TokenDigest) -> Result<Option<SessionRecord>, StoreError>;
    /// Atomically updates one session; `None` if absent.
    fn update_session(
        &self,
        digest: &TokenDigest,
        f: &mut dyn FnMut(&mut SessionRecord),
    ) -> Result<Option<SessionRecord>, StoreError>;
    /// Removes one session; `true` if it existed.
    fn delete_session(&self, digest: &TokenDigest) -> Result<bool, StoreError>;
    /// Removes every session of an account.
    fn delete_sessions_of(&self, account: AccountId) -> Result<(), StoreError>;

    /// Appends an audit event.
    fn append_audit(&self, event: &AuditEvent) -> Result<(), StoreError>;
    /// The newest `limit` audit events, newest first.
    fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, StoreError>;

    /// A page of audit events matching `query` (see [`AuditQuery::matches`]), in its
    /// order, at most `query.limit` of them.
    fn audit_page(&self, query: &AuditQuery) -> Result<Vec<StoredAuditEvent>, StoreError>;

    /// Drops expired tickets, and counters with nothing left to remember at `now`
    /// ([`Attempts::is_clear_at`]: never a failure, a lock in force or a lock's refusals
    /// still to report). Returns how many records were removed.
    fn prune(&self, now: OffsetDateTime) -> Result<usize, StoreError>;

    /// Every identifier's counters with a lock of either factor — in force, or ended
    /// with its refusals not yet reported — by key: what housekeeping closes the books
    /// of. Unlike [`all_attempts`](Self::all_attempts) it does not grow with the
    /// identifiers that only failed once or twice (a spray of unknown IDs leaves one
    /// such row per guess).
    ///
    /// The default filters [`all_attempts`](Self::all_attempts); a store with many
    /// counters should select the locked rows itself.
    fn locked_attempts(&self) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
        let mut all = self.all_attempts()?;
        all.retain(|(_, a)| {
            a.password
                .next_deadline()
                .or(a.passcode.next_deadline())
                .is_some()
        });
        Ok(all)
    }

    /// Removes the sessions that ended at or before `ended_before`: those whose idle
    /// expiry (last activity + `idle`) is at or before it. Such a session can never be
    /// active again — a session is only extended while active, and one superseded by a
    /// later login never is — so removing it changes no answer except that its owner's
    /// next request learns nothing more specific than "no session". Returns how many
    /// went.
    ///
    /// The default answers [`StoreError::Unavailable`]: a store that does not implement
    /// it keeps every session, and the facade's housekeeping reports the error.
    fn prune_sessions(
        &self,
        idle: &IdleTimeout,
        ended_before: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        let _ = (idle, ended_before);
        Err(not_implemented("prune_sessions"))
    }

    /// Removes at most `limit` of the audit events stamped before `before`, oldest
    /// first (by instant), in one short transaction (a caller removing a long
    /// history calls again until fewer than `limit` go). Returns how many went. The
    /// sequence numbers of the events kept do not change.
    ///
    /// The default answers [`StoreError::Unavailable`], as for
    /// [`prune_sessions`](Self::prune_sessions).
    fn prune_audit(&self, before: OffsetDateTime, limit: usize) -> Result<usize, StoreError> {
        let _ = (before, limit);
        Err(not_implemented("prune_audit"))
    }

    // --- Administration -------------------------------------------------------------

    /// A page of accounts ordered by key (see [`AccountPage`]).
    fn accounts_page(&self, page: &AccountPage) -> Result<Vec<AccountRecord>, StoreError>;

    /// Stores an API key; the store assigns its id.
    fn insert_api_key(&self, key: NewApiKey) -> Result<ApiKeyRecord, StoreError>;
    /// The API key with this digest, revoked or not.
    fn api_key(&self, digest: &TokenDigest) -> Result<Option<ApiKeyRecord>, StoreError>;
    /// Every API key, by id.
    fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError>;
    /// Marks an API key revoked at `at`; `false` if there is no such key or it was
    /// already revoked (the first revocation time stays).
    fn revoke_api_key(&self, id: ApiKeyId, at: OffsetDateTime) -> Result<bool, StoreError>;

    // --- Store-wide -----------------------------------------------------------------

    /// The key check value of master key `id`: records `candidate` if none is stored
    /// for `id` yet and returns what is stored afterwards. Atomic, so nodes starting at
    /// once agree on one value per id; a node compares it with its own key's. Values
    /// are never changed or removed (a retired key's id is not given again).
    fn key_check(&self, id: KeyId, candidate: &KeyCheck) -> Result<KeyCheck, StoreError>;
    /// Every key check value stored, by key id (ascending).
    fn key_checks(&self) -> Result<Vec<(KeyId, KeyCheck)>, StoreError>;
    /// One cheap round trip to the database, for readiness checks.
    fn ping(&self) -> Result<(), StoreError>;

    // --- Copying between stores (`shikaku db copy`) ---------------------------------

    /// Stores an account exactly as given, keeping its id (sealed secrets are bound to
    /// it) and making later [`Store::insert_account`] ids larger.
    /// [`StoreError::Conflict`] if its id or key is taken.
    fn import_account(&self, record: &AccountRecord) -> Result<(), StoreError>;
    /// Every identifier's counters that differ from the default, by key.
    fn all_attempts(&self) -> Result<Vec<(AccountKey, Attempts)>, StoreError>;
}

/// The answer of a housekeeping method a store does not implement.
fn not_implemented(method: &str) -> StoreError {
    StoreError::Unavailable(format!("this store does not implement Store::{method}"))
}
