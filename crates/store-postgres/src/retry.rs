//! Running statements and transactions: a pooled connection, `READ COMMITTED`
//! transactions, and bounded retries after a serialization failure (40001) or a
//! deadlock (40P01) — the two errors after which the server has rolled everything back
//! and running the same work again is both safe and expected.
//!
//! The [`Store`](shikaku::Store) contract allows this: an `update_*` closure may be
//! called again when its transaction is retried, and only computes from the record it
//! is given. Nothing else is retried: after a lost connection the outcome of a
//! `COMMIT` is unknown, so the caller gets `Unavailable` rather than a second write.

use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

use postgres::{Client, IsolationLevel, Transaction};
use shikaku::StoreError;

use crate::PostgresStore;
use crate::error::{is_retryable, store_error};

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
        mut f: impl FnMut(&mut Transaction<'_>) -> Result<T, Failure>,
    ) -> Result<T, StoreError> {
        self.with_client(op, |client| {
            let mut tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::ReadCommitted)
                .start()?;
            let out = f(&mut tx)?;
            tx.commit()?;
            Ok(out)
        })
    }

    /// Runs `f` (one statement, or several that need no atomicity) on a pooled
    /// connection, with the same retries as [`Self::transaction`].
    pub(crate) fn with_client<T>(
        &self,
        op: &'static str,
        mut f: impl FnMut(&mut Client) -> Result<T, Failure>,
    ) -> Result<T, StoreError> {
        let mut conn = self.pool.get(op)?;
        let mut tries = 0u32;
        loop {
            match f(&mut conn) {
                Ok(out) => return Ok(out),
                Err(Failure::Store(e)) => return Err(e),
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
