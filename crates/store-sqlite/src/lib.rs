//! # shikaku-store-sqlite
//!
//! A [`shikaku::Store`] in one SQLite database file: staff accounts, lockout counters,
//! half-finished logins, sessions and the audit log of the 資格確認限定型レセコン連携機能
//! MFA service, kept on the receipt computer's own disk. SQLite is bundled (no system
//! library), the file is in WAL mode, and the host's master key lives in a separate
//! file beside it ([`open_or_create`]).
//!
//! ## Example
//!
//! ```
//! use std::sync::Arc;
//! use shikaku::{Config, PasswordLogin, Shikaku, Store};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let db = dir.path().join("shikaku.db");
//!
//! // First run: creates shikaku.db and shikaku.db.key (mode 0600).
//! let (store, keys) = shikaku_store_sqlite::open_or_create(&db)?;
//! let service = Shikaku::builder(Arc::new(store))
//!     .master_keys(keys)
//!     .config(Config::for_tests()) // cheap argon2 for the example
//!     .build()?;
//! let account = service.config().account_key("0123456789", "staff01")?;
//! let settings = service.provision(&account, None)?;
//! drop(service);
//!
//! // A later run: same key, same accounts.
//! let (store, keys) = shikaku_store_sqlite::open_or_create(&db)?;
//! assert_eq!(store.accounts()?.len(), 1);
//! let service = Shikaku::builder(Arc::new(store)).master_keys(keys).config(Config::for_tests()).build()?;
//! let login = service.password_login(&account, &settings.initial_password)?;
//! assert!(matches!(login, PasswordLogin::NeedsEnrollment(_)));
//! # Ok(())
//! # }
//! ```
//!
//! ## Schema (version 4)
//!
//! | table | key | columns |
//! |---|---|---|
//! | `accounts` | `id INTEGER PRIMARY KEY AUTOINCREMENT`, `UNIQUE (institution_code, login_id)` | `password_history` (JSON), `must_change_password`, `disabled`, `mfa_secret` (sealed BLOB) + `mfa_last_step`/`mfa_drift`/`mfa_enrolled_at`, `pending_secret` (sealed BLOB) + `pending_print_prompt_shown`/`pending_created_at` + `pending_ticket` (the digest of the login ticket that owns the registration; NULL in rows from version 1), `session_slot` (JSON), `created_at`, `updated_at` |
//! | `attempts` | `(institution_code, login_id)` | `password_lockout`, `passcode_lockout` (JSON) |
//! | `login_tickets` | `digest BLOB` (SHA-256 of the token, 32 bytes) | `account_id` → `accounts`, `issued_at`, `expires_at` (indexed) |
//! | `sessions` | `digest BLOB` | `account_id` → `accounts` (indexed), `clock` (JSON), `created_at` |
//! | `audit_events` | `seq INTEGER PRIMARY KEY AUTOINCREMENT` (arrival order) | `at` (indexed), `kind`, `institution_code`, `login_id`, `channel`, `detail`; indexed by `(institution_code, login_id, seq)`, `(institution_code, seq)` and `(kind, seq)` for filtered pages |
//! | `api_keys` | `id INTEGER PRIMARY KEY AUTOINCREMENT`, `digest BLOB UNIQUE` (SHA-256 of the key) | `name`, `scope` (JSON: `"all"` or the institution codes), `created_at`, `revoked_at` |
//! | `key_checks` | `key_id INTEGER PRIMARY KEY` (1 ..= 2³²−1) | `key_check` (that master key's check value, 32 bytes; written once, never removed) |
//!
//! Pages of accounts and of audit events are read by key set — the cursor is the last
//! row of the previous page, `WHERE (institution_code, login_id) > (?, ?)` or
//! `WHERE seq < ?` — never by `OFFSET`, so each page is one index range.
//!
//! Identity and lookup are real columns with constraints (`STRICT` tables, `CHECK`s
//! that an Authenticator is all there or not at all, digests are 32 bytes, JSON is
//! valid). The state objects of the core crates (`PasswordHistory`, `Lockout`,
//! `SessionSlot`, `SessionClock`) are stored as their own serde JSON, so their
//! invariants stay theirs. Instants are TEXT in one fixed-width UTC RFC 3339 form,
//! `2025-04-01T00:30:00.000000000Z`: readable in the `sqlite3` shell, exact to the
//! nanosecond, and ordered as text, so `expires_at <= now` and the time index work.
//!
//! Each table has its own row type converted to the facade's record with `TryFrom`;
//! a row that does not decode is [`StoreError::Corrupt`](shikaku::StoreError::Corrupt)
//! naming table, row and column (never the value — it may be a hash).
//!
//! ## Migrations
//!
//! `PRAGMA user_version` is the schema version; the migrations are an ordered list
//! compiled into the crate ([`SCHEMA_VERSION`] is the newest). [`SqliteStore::open`]
//! applies the missing ones, each in its own `BEGIN IMMEDIATE` transaction that
//! re-checks the version under the lock, so concurrent openers and crashes
//! mid-migration are safe. Version 2 adds `accounts.pending_ticket` (a registration in
//! progress belongs to one login); rows of version 1 keep working, their registration
//! replaced at the next view. Version 3 adds `api_keys`, `meta` and the audit indexes;
//! it only creates, so every row of version 2 stays as it was. A database with a newer version is refused
//! ([`Error::SchemaTooNew`]) rather than misread, and `PRAGMA application_id` marks the
//! file so another application's database is refused too ([`Error::NotShikaku`]).
//!
//! ## Transactions
//!
//! Every `update_*` of the [`Store`](shikaku::Store) contract is
//! `BEGIN IMMEDIATE` → `SELECT` → the closure → `UPDATE`/upsert → `COMMIT`. `IMMEDIATE`
//! takes the database's write lock before the read, so no other connection — in this
//! process or another — can change the row between the read and the write: the facade's
//! atomic lockout reservation and passcode replay guard rest on this. Every other
//! change is one statement in one transaction; `prune` is one transaction.
//!
//! Writes go through one connection behind a mutex (SQLite allows one writer at a
//! time anyway); reads use a small pool of read-only connections that, in WAL mode,
//! never wait for the writer. `busy_timeout` is 5 s, so another process holding the
//! write lock is waited for; past that the call fails with
//! [`StoreError::Unavailable`](shikaku::StoreError::Unavailable).
//!
//! ## Durability: `synchronous = FULL`
//!
//! In WAL mode `NORMAL` never corrupts the file, but a commit can be lost if power
//! fails soon after it returned. For a credential store that means a password change
//! the user was told succeeded can silently revert to the old password, a lock that
//! was applied can vanish, or a logout can be undone. `FULL` syncs the WAL on every
//! commit, so what returned `Ok` survives power loss; the cost (one fsync per login
//! step) is small next to argon2. `secure_delete` is on, so retired hashes and ended
//! sessions are overwritten rather than left in free pages.
//!
//! ## Errors
//!
//! SQLite's errors are mapped onto [`StoreError`](shikaku::StoreError): a taken
//! 機関コード + ログイン ID is `Conflict`; busy, read-only, disk full, I/O and
//! permission problems are `Unavailable` with what to check; a malformed file or row
//! is `Corrupt`. No `rusqlite` type appears in this crate's API.
//!
//! ## Backups
//!
//! [`SqliteStore::backup_to`] writes a consistent copy of the database to a new file
//! while the service runs (`VACUUM INTO`: one read snapshot; writers go on). The copy
//! holds no master key — the key file `<db>.key` is separate by design: back it up
//! apart from the database copies and restore the two together (the copy as `<db>`, the
//! key file as `<db>.key`). `shikaku backup --to FILE` runs it.

#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod error;
mod keyfile;
mod rows;
mod schema;
mod store;

pub use error::Error;
pub use keyfile::{
    create_key_file, key_file_path, open_or_create, read_key_file, replace_key_file,
};
pub use schema::SCHEMA_VERSION;
pub use store::SqliteStore;
