//! [`PostgresStore`]: connecting, and the [`Store`] contract as SQL.
//!
//! The trait impl below is the table of contents; each table's statements live in
//! their own module:
//!
//! | module | holds |
//! |---|---|
//! | `accounts` | `accounts`: staff accounts, their read-modify-write, pages, import |
//! | `attempts` | `attempts`: lockout counters per 機関コード + ログイン ID |
//! | `tickets` | `login_tickets`: half-finished logins |
//! | `sessions` | `sessions` |
//! | `audit` | `audit_events`: appends in `seq` order, recent events, filtered pages |
//! | `api_keys` | `api_keys` |
//! | `meta` | `meta` (the key check value), the schema version, ping |

mod accounts;
mod api_keys;
mod attempts;
mod audit;
mod meta;
mod sessions;
mod tickets;

use std::fmt;

use shikaku::lockout::IdleTimeout;
use shikaku::{
    AccountId, AccountKey, AccountPage, AccountRecord, ApiKeyId, ApiKeyRecord, Attempts,
    AuditEvent, AuditQuery, KeyCheck, KeyId, LoginTicketRecord, NewAccount, NewApiKey,
    SessionRecord, Store, StoreError, StoredAuditEvent, TokenDigest,
};
use time::OffsetDateTime;

use crate::connect;
use crate::error::{Error, describe};
use crate::migrations;
use crate::options::PostgresOptions;
use crate::pool::{Manager, Pool};
use crate::rows::instant_to_sql;

/// A [`Store`] in a PostgreSQL database, shared by every node that connects to it.
///
/// Cheap to share (`Arc<PostgresStore>`); every call takes a connection from the
/// store's pool for its duration. Calls block: call them from plain threads or
/// `tokio::task::spawn_blocking`, never directly on an async executor's thread.
pub struct PostgresStore {
    pub(crate) pool: Pool,
    pub(crate) max_retries: u32,
    target: String,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (connections, idle) = self.pool.state();
        f.debug_struct("PostgresStore")
            .field("target", &self.target)
            .field("connections", &connections)
            .field("idle", &idle)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects, applies any pending schema migrations (once, whatever the number of
    /// nodes starting at the same time) and starts the pool.
    ///
    /// Fails with [`Error::Connect`] when the server cannot be reached or refuses the
    /// login (the message names `user@host:port/dbname`, never the password),
    /// [`Error::InvalidUrl`] / [`Error::Tls`] for a URL that cannot be used,
    /// [`Error::InvalidOptions`] for a pool size of 0 or a zero timeout, and
    /// [`Error::SchemaTooNew`] for a database migrated by a newer build.
    pub fn connect(options: &PostgresOptions) -> Result<Self, Error> {
        check(options)?;
        let target = connect::target(options)?;
        let manager = Manager::new(&target, options);
        let mut client = manager.open().map_err(|e| Error::Connect {
            target: target.display.clone(),
            reason: connect_reason(&e),
        })?;
        let applied = migrations::migrate(&mut client, &target.display)?;
        if !applied.is_empty() {
            tracing::info!(target = %target.display, ?applied, "PostgreSQL schema migrated");
        }
        drop(client);
        Ok(Self {
            pool: Pool::new(&target, options),
            max_retries: options.max_retries,
            target: target.display,
        })
    }

    /// The database, as `postgres://user@host:port/dbname` (no password).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The newest schema version recorded in `schema_migrations`.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        meta::schema_version(self)
    }
}

fn check(options: &PostgresOptions) -> Result<(), Error> {
    let invalid = |reason: &str| {
        Err(Error::InvalidOptions {
            reason: reason.to_owned(),
        })
    };
    if options.pool_size == 0 {
        return invalid("pool_size must be at least 1");
    }
    if options.connect_timeout.is_zero()
        || options.pool_timeout.is_zero()
        || options.statement_timeout.is_zero()
    {
        return invalid("connect_timeout, pool_timeout and statement_timeout must be above zero");
    }
    Ok(())
}

/// What went wrong at the first connection, with what to check.
fn connect_reason(e: &postgres::Error) -> String {
    let reason = describe(e);
    if e.as_db_error().is_some() {
        return reason;
    }
    let lower = reason.to_ascii_lowercase();
    if lower.contains("refused") {
        format!("{reason}; is the server running and listening on that address and port?")
    } else if lower.contains("timeout") || lower.contains("timed out") {
        format!("{reason}; the server did not answer within connect_timeout")
    } else if lower.contains("tls") || lower.contains("certificate") {
        format!("{reason}; check sslmode and sslrootcert")
    } else {
        reason
    }
}

impl Store for PostgresStore {
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

    fn audit_page(&self, query: &AuditQuery) -> Result<Vec<StoredAuditEvent>, StoreError> {
        audit::page(self, query)
    }

    fn prune(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        let at = instant_to_sql(now)?;
        let cleared = attempts::cleared()?;
        // One transaction: expired tickets, then counters with nothing left to remember.
        self.transaction("prune", |tx| {
            let tickets = tickets::delete_expired(tx, &at)?;
            let counters = attempts::delete_cleared(tx, &cleared, now)?;
            Ok(usize::try_from(tickets + counters).unwrap_or(usize::MAX))
        })
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
        attempts::all(self)
    }

    fn locked_attempts(&self) -> Result<Vec<(AccountKey, Attempts)>, StoreError> {
        attempts::locked(self)
    }
}
