//! Running statements and transactions: a pooled connection, `READ COMMITTED`
//! transactions, and bounded retries after a serialization failure (40001) or a
//! deadlock (40P01) — the two errors after which the server has rolled everything back
//! and running the same work again is both safe and expected.
//!
//! The [`Store`](shikaku::Store) contract allows this: an `update_*` closure may be
//! called again when its transaction is retried, and only computes from the record it
//! is given. Nothing else is retried: after a lost connection the outcome of a
//! `COMMIT` is unknown, so the caller gets `Unavailable` rather than a second write.
//!
//! One more case runs a call again, once: a cached prepared statement the server no
//! longer accepts (`0A000` "cached plan must not change result type" after a schema
//! change, `26000` its name gone; see [`crate::sql`]). The server refused that
//! statement before running it and rolled back the transaction it was in, so this is as
//! safe as the retries above; the connection's statement cache is emptied first, so the
//! second run prepares every statement afresh. It does not count against
//! `max_retries`.

use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

use postgres::{Client, IsolationLevel, Transaction};
use shikaku::StoreError;

use crate::PostgresStore;
use crate::error::{is_retryable, is_stale_statement, store_error};
use crate::pool::Conn;
use crate::sql::Sql;

/// Why one try failed: the database, or a record that does not decode.
pub(crate) enum Failure {
    Db(postgres::Error),
    Store(StoreError),
}

impl From<postgres::Error> for Failure {
    fn from(e: postgres::Error) -> Self {
        Self::Db(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// The longest pause between two tries.
const MAX_BACKOFF: Duration = Duration::from_millis(200);

impl PostgresStore {
    /// Runs `f` in one `READ COMMITTED` transaction and commits; runs it again (a new
    /// transaction, the same connection) after a serialization failure or deadlock, at
    /// most `max_retries` times.
    pub(crate) fn transaction<T>(
        &self,
        op: &'static str,
        mut f: impl FnMut(&mut Sql<'_, Transaction<'_>>) -> Result<T, Failure>,
    ) -> Result<T, StoreError> {
        self.with_conn(op, |conn| {
            let mut tx = conn
                .client
                .build_transaction()
                .isolation_level(IsolationLevel::ReadCommitted)
                .start()?;
            let out = f(&mut Sql::new(&mut tx, &mut conn.statements))?;
            tx.commit()?;
            Ok(out)
        })
    }

    /// Runs `f` (one statement, or several that need no atomicity) on a pooled
    /// connection, with the same retries as [`Self::transaction`].
    pub(crate) fn with_client<T>(
        &self,
        op: &'static str,
        mut f: impl FnMut(&mut Sql<'_, Client>) -> Result<T, Failure>,
    ) -> Result<T, StoreError> {
        self.with_conn(op, |conn| {
            f(&mut Sql::new(&mut conn.client, &mut conn.statements))
        })
    }

    /// Runs `f` on a pooled connection, again after a serialization failure or a
    /// deadlock (at most `max_retries` times), and once more after a stale cached
    /// statement.
    fn with_conn<T>(
        &self,
        op: &'static str,
        mut f: impl FnMut(&mut Conn) -> Result<T, Failure>,
    ) -> Result<T, StoreError> {
        let mut conn = self.pool.get(op)?;
        let mut tries = 0u32;
        let mut reprepared = false;
        loop {
            let result = f(&mut conn);
            if server_answered(&result) {
                conn.answered();
            }
            match result {
                Ok(out) => return Ok(out),
                Err(Failure::Store(e)) => return Err(e),
                Err(Failure::Db(e)) if is_stale_statement(&e) && !reprepared => {
                    tracing::info!(
                        op,
                        reason = %crate::error::describe(&e),
                        cached = conn.statements.len(),
                        "a cached PostgreSQL statement no longer fits the schema; preparing \
                         this connection's statements again"
                    );
                    conn.statements.clear();
                    reprepared = true;
                }
                Err(Failure::Db(e)) if is_retryable(&e) => {
                    if tries >= self.max_retries {
                        return Err(StoreError::Unavailable(format!(
                            "{op}: gave up after {} tries, each ended by a concurrent \
                             transaction ({})",
                            tries + 1,
                            crate::error::describe(&e)
                        )));
                    }
                    backoff(tries);
                    tries += 1;
                }
                Err(Failure::Db(e)) => return Err(store_error(op, &e)),
            }
        }
    }
}

/// Whether the server answered the call (a result, or an error it sent), so the
/// connection was alive at its end: the pool skips the next checkout's ping for a
/// connection that answered very recently ([`crate::pool::ALIVE_BYPASS_WINDOW`]).
fn server_answered<T>(result: &Result<T, Failure>) -> bool {
    match result {
        Ok(_) | Err(Failure::Store(_)) => true,
        Err(Failure::Db(e)) => e.as_db_error().is_some(),
    }
}

/// Sleeps a random time below `min(2^tries ms, MAX_BACKOFF)`, so transactions that
/// collided do not collide again in step.
fn backoff(tries: u32) {
    let cap = Duration::from_millis(1u64 << tries.min(8)).min(MAX_BACKOFF);
    // Jitter only: RandomState's keys are random per instance, which is plenty here.
    let random = RandomState::new().hash_one(tries);
    let cap_micros = u64::try_from(cap.as_micros()).unwrap_or(u64::MAX).max(1);
    let pause = Duration::from_micros(random % cap_micros);
    // An adapter waiting before it retries a transaction the database rolled back.
    #[allow(clippy::disallowed_methods)]
    std::thread::sleep(pause);
}
