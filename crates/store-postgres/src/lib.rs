//! # shikaku-store-postgres
//!
//! A [`shikaku::Store`] in PostgreSQL, for several shikaku nodes sharing one database:
//! lockout counters and the passcode replay guard stay exact across nodes, because
//! every read-modify-write of the [`Store`](shikaku::Store) contract is one
//! transaction holding the row's lock.
//!
//! ```no_run
//! use std::sync::Arc;
//! use shikaku::{MasterKey, Shikaku};
//! use shikaku_store_postgres::{PostgresOptions, PostgresStore};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let key = MasterKey::from_hex(&std::env::var("SHIKAKU_MASTER_KEY")?)?;
//! let mut options = PostgresOptions::new(
//!     "postgres://shikaku:secret@db.internal:5432/shikaku?sslmode=verify-full",
//! );
//! options.pool_size = 16;
//! let store = PostgresStore::connect(&options)?; // migrates the schema if needed
//! let service = Shikaku::builder(Arc::new(store)).master_key(key).build()?;
//! # Ok(())
//! # }
//! ```
//!
//! ## Client: `postgres` + `r2d2`
//!
//! The trait is synchronous and is called from plain threads and from
//! `tokio::task::spawn_blocking`, so the store uses the synchronous `postgres` client
//! (the `rust-postgres` project's blocking wrapper of `tokio-postgres`: each connection
//! drives its own small runtime, so it works on any thread that is not an async
//! executor's) and the `r2d2` pool, which is synchronous too, checks idle connections
//! before handing them out and opens new ones in the background. An async pool (deadpool,
//! bb8) would need a runtime handle in every call and `block_on` inside a blocking
//! thread for no gain; `sqlx` is async-only. The pool's manager is ours (not
//! `r2d2_postgres`) so a liveness check has a client-side timeout and the TLS
//! connector is chosen per `sslmode`.
//!
//! ## Round trips
//!
//! A connection leaving the pool is checked with an empty query only if the server
//! last answered on it more than 500 ms ago (HikariCP's `aliveBypassWindowMs`): under
//! load a connection is reused many times a second and goes out unchecked, while one
//! that sat idle — across a server restart, say — is still checked and, if dead,
//! replaced before the caller's first statement. A connection the server ended within
//! 500 ms of its last use fails its next call once with `Unavailable`.
//!
//! Each pooled connection keeps the statements it has prepared, keyed by the crate's
//! `&'static str` statement text (a fixed set, so the cache needs no bound): a
//! statement's first use on a connection prepares it, every later use is one round
//! trip (Bind/Execute) instead of two. Only the filtered keyset pages, whose text
//! depends on the filters, are prepared for each use. A cached statement a schema
//! change made unusable (`0A000` "cached plan must not change result type", `26000`
//! its name gone) empties that connection's cache and the call runs once more.
//!
//! ## Options and their defaults
//!
//! [`PostgresOptions::new`] sets: `pool_size` 8, `min_idle` 1, `connect_timeout` 5 s,
//! `pool_timeout` 5 s, `statement_timeout` 10 s (also the server's
//! `idle_in_transaction_session_timeout`), `max_retries` 8, `application_name`
//! `"shikaku"`. TCP keepalives are on, and `TCP_USER_TIMEOUT` is `connect_timeout`.
//!
//! ## When the database is down
//!
//! Every call fails with [`StoreError::Unavailable`](shikaku::StoreError::Unavailable)
//! within a bound, never hangs: a call waits at most `pool_timeout` for a connection
//! (plus `connect_timeout` for the liveness check of an idle one); a call that holds a
//! connection when the server stops fails at once (the socket closes) or, if the host
//! vanished, after about 2 × `connect_timeout`; a stuck server cancels the statement
//! after `statement_timeout`. Broken connections are discarded, and when the server is
//! back the pool opens new ones: the same store works again, nothing to restart.
//!
//! ## TLS
//!
//! By rustls with the `ring` provider — no system OpenSSL. The URL's `sslmode` is
//! honoured as libpq does: `disable`, `prefer` (default: TLS if offered, certificate
//! not checked), `require` (TLS, certificate not checked), `verify-ca` (signed by a
//! trusted CA) and `verify-full` (also issued for the URL's host name — what a
//! production deployment over a network should use). Trusted CAs are the system's
//! unless `sslrootcert=/path/ca.pem` names a PEM file (`sslrootcert=system` is the
//! default spelled out). Client certificates (`sslcert`, `sslkey`) are refused with a
//! clear error: authenticate with a password (SCRAM) over `verify-full`.
//!
//! ## Schema (version 2) and encoding
//!
//! The tables are the SQLite store's (`accounts`, `attempts`, `login_tickets`,
//! `sessions`, `audit_events`, `api_keys`, `key_checks`) with the same encoding ideas, so
//! `shikaku db copy` moves records between the two through the trait unchanged:
//! instants are text in one fixed-width UTC form, `2025-04-01T00:30:00.000000000Z`
//! (exact to the nanosecond, which `timestamptz` is not; ordered as text; checked by
//! a `CHECK`), state objects (`PasswordHistory`, `Lockout`, `SessionSlot`,
//! `SessionClock`, `ApiKeyScope`) are their serde JSON as `jsonb`, secrets and digests
//! are `bytea`. Every text column that is ordered is `COLLATE "C"`, so the database
//! orders keys by bytes as the facade does, whatever the database's default collation:
//! keyset pages agree with [`AccountKey`](shikaku::AccountKey)'s order.
//!
//! Migrations are versioned and compiled in ([`SCHEMA_VERSION`]); [`PostgresStore::connect`]
//! applies the missing ones in one transaction under `pg_advisory_xact_lock`, recording
//! each in `schema_migrations`, so nodes starting together migrate exactly once. The
//! connecting user needs `CREATE` on the schema for the first start; the tables go in
//! the first schema of its `search_path` (set another with
//! `?options=-c%20search_path%3Dauth`).
//!
//! ## Transactions
//!
//! * `update_account`, `update_session`, `update_attempts`: `BEGIN` (read committed) →
//!   `SELECT … FOR UPDATE` → the closure → `UPDATE` → `COMMIT`. Another node's update of
//!   the same row waits for the lock and then reads the committed result, so N
//!   concurrent guesses on N nodes reserve at most the threshold, and a passcode's time
//!   step is claimed once. Counters of an identifier never seen get their row first
//!   with `INSERT … ON CONFLICT DO NOTHING`, so racing nodes all lock the same row.
//! * A transaction ended by a serialization failure (40001) or a deadlock (40P01) is
//!   run again, at most `max_retries` times, after a short random pause; the closure may
//!   then be called again, as the trait allows. Nothing else is retried (after a lost
//!   connection a `COMMIT`'s outcome is unknown).
//! * `insert_account` on a taken key and `insert_api_key` on a taken digest are
//!   [`StoreError::Conflict`](shikaku::StoreError::Conflict); `key_check` is
//!   `INSERT … ON CONFLICT DO NOTHING` per key id, so the first writer wins; `import_account`
//!   keeps the id and moves the id sequence past it (`setval`) under a table lock.
//! * Audit appends are numbered by an identity column under an advisory lock held to
//!   the commit, so `seq` order is commit order on every node; pages are keyset
//!   (`seq < $n` / `(institution_code, login_id) > ($a, $b)`), never `OFFSET`, and at
//!   most [`AccountPage::MAX_LIMIT`](shikaku::AccountPage::MAX_LIMIT) long.
//!
//! ## Errors and secrets
//!
//! Connecting fails with this crate's [`Error`]; store calls with
//! [`StoreError`](shikaku::StoreError): a taken key is `Conflict`, a row or value the
//! schema refuses is `Corrupt`, anything about reaching or using the server is
//! `Unavailable`. Messages name the operation, the SQLSTATE, the constraint or
//! column and `user@host:port/dbname` — never the password, and never a PostgreSQL
//! `DETAIL` (which can quote a row). [`PostgresOptions`]' `Debug` hides the password.
//!
//! ## Testing
//!
//! The `testing` feature adds [`testing::TempPostgres`](crate::testing): a real
//! PostgreSQL server started from the `initdb` and `postgres` binaries, one database
//! per test.

#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod connect;
mod error;
mod migrations;
mod options;
mod pool;
mod retry;
mod rows;
mod sql;
mod store;
mod tls;

#[cfg(feature = "testing")]
pub mod testing;

#[cfg(all(test, feature = "testing"))]
mod tests;

pub use error::Error;
pub use migrations::SCHEMA_VERSION;
pub use options::PostgresOptions;
pub use store::PostgresStore;
