//! Connection settings and the versioned schema migrations.
//!
//! The schema version lives in the database header (`PRAGMA user_version`); the
//! migrations are an ordered list, version `n` taking the schema from `n - 1` to `n`.
//! Each runs in its own `BEGIN IMMEDIATE` transaction that re-reads the version under
//! the write lock, runs the step's SQL and sets the new version, so two processes
//! opening the same new database never both apply a step, and a crash mid-migration
//! leaves the previous version intact.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use shikaku::StoreError;

use crate::error::{Error, sql};

/// `PRAGMA application_id` of a shikaku database: `"shkk"`.
pub(crate) const APPLICATION_ID: i32 = 0x7368_6b6b;

/// How long a statement waits for another connection's lock before giving up.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// One schema step.
pub(crate) struct Migration {
    /// The schema version after this step.
    pub(crate) version: u32,
    /// What it does, for logs.
    pub(crate) name: &'static str,
    /// The statements.
    pub(crate) sql: &'static str,
}

/// Every migration, oldest first; versions are consecutive from 1.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "accounts, attempts, login tickets, sessions, audit events",
        sql: include_str!("migrations/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "the login ticket that owns a registration in progress",
        sql: include_str!("migrations/0002_pending_ticket.sql"),
    },
    Migration {
        version: 3,
        name: "API keys, the key check value, indexes for audit and account pages",
        sql: include_str!("migrations/0003_admin.sql"),
    },
    Migration {
        version: 4,
        name: "a key check value per master key id",
        sql: include_str!("migrations/0004_key_checks.sql"),
    },
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = {
    let mut latest = 0;
    let mut i = 0;
    while i < MIGRATIONS.len() {
        latest = MIGRATIONS[i].version;
        i += 1;
    }
    latest
};

/// Whether a connection may write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    ReadWrite,
    ReadOnly,
}

/// Opens one connection and applies the per-connection settings.
///
/// * `busy_timeout` 5 s — a writer in another process is waited for, not failed on;
/// * `synchronous = FULL` — every commit is on disk before it returns (see the crate
///   docs for why a credential store wants this even in WAL mode);
/// * `foreign_keys = ON`, `trusted_schema = OFF`;
/// * `secure_delete = ON` — retired password hashes and ended sessions are zeroed in
///   the file rather than left in free pages.
pub(crate) fn connect(path: &Path, access: Access) -> Result<Connection, StoreError> {
    let flags = match access {
        Access::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        Access::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
    } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| {
        StoreError::Unavailable(format!("cannot open the database {}: {e}", path.display()))
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(sql("set busy_timeout"))?;
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA synchronous = FULL;
         PRAGMA trusted_schema = OFF;
         PRAGMA secure_delete = ON;",
    )
    .map_err(sql("configure the connection"))?;
    Ok(conn)
}

/// Puts a read-write database in WAL mode (a no-op when it already is).
///
/// Leaving the rollback journal needs the database to itself, and SQLite answers
/// `SQLITE_BUSY` at once there instead of calling the busy handler (waiting could
/// deadlock inside SQLite). Several processes opening a new database together all meet
/// it, so the switch is retried here, a few milliseconds apart, for up to
/// [`BUSY_TIMEOUT`].
pub(crate) fn enable_wal(conn: &Connection) -> Result<(), StoreError> {
    const PAUSE: Duration = Duration::from_millis(5);
    let mut tries_left = BUSY_TIMEOUT.as_millis() / PAUSE.as_millis();
    let mode: String = loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0)) {
            Ok(mode) => break mode,
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy && tries_left > 0 =>
            {
                tries_left -= 1;
                // An adapter waiting for another process's switch, as busy_timeout would.
                #[allow(clippy::disallowed_methods)]
                std::thread::sleep(PAUSE);
            }
            Err(e) => return Err(crate::error::map_sql("switch to WAL mode", &e)),
        }
    };
    if mode.eq_ignore_ascii_case("wal") {
        Ok(())
    } else {
        Err(StoreError::Unavailable(format!(
            "switch to WAL mode: SQLite kept journal_mode={mode} (is the file on a network \
             file system?)"
        )))
    }
}

fn user_version(conn: &Connection) -> Result<u32, StoreError> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(sql("read the schema version"))?;
    u32::try_from(version)
        .map_err(|_| StoreError::Corrupt(format!("the schema version {version} is negative")))
}

/// Refuses a database that belongs to another application; otherwise returns its
/// schema version.
///
/// The application id, the table count and the version are read in one read
/// transaction, so they come from one snapshot: another process committing the first
/// migration between two of the reads would otherwise make a new database look like
/// someone else's (tables present, application id not yet seen).
fn check_application(conn: &Connection, path: &Path) -> Result<u32, Error> {
    let snapshot = conn
        .unchecked_transaction()
        .map_err(sql("begin reading the header"))?;
    let id: i32 = snapshot
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .map_err(sql("read the application id"))?;
    let tables: i64 = snapshot
        .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
        .map_err(sql("read the schema"))?;
    let version = user_version(&snapshot)?;
    drop(snapshot); // read only: the rollback changes nothing
    if id == APPLICATION_ID || (id == 0 && tables == 0) {
        Ok(version) // ours, or a new, empty database
    } else {
        Err(Error::NotShikaku {
            path: path.to_owned(),
        })
    }
}

/// Brings the schema up to [`SCHEMA_VERSION`], one transaction per step.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), Error> {
    let found = check_application(conn, path)?;
    if found > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for step in MIGRATIONS.iter().filter(|m| m.version > found) {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("begin a migration"))?;
        // Another process may have migrated between our read and our lock.
        let now = user_version(&tx)?;
        if now > SCHEMA_VERSION {
            return Err(Error::SchemaTooNew {
                found: now,
                supported: SCHEMA_VERSION,
            });
        }
        if now >= step.version {
            continue;
        }
        if now + 1 != step.version {
            return Err(StoreError::Corrupt(format!(
                "schema version {now} cannot be migrated by step {} ({})",
                step.version, step.name
            ))
            .into());
        }
        tx.execute_batch(step.sql).map_err(|e| {
            crate::error::map_sql(
                &format!("apply migration {} ({})", step.version, step.name),
                &e,
            )
        })?;
        tx.pragma_update(None, "user_version", step.version)
            .map_err(sql("record the schema version"))?;
        tx.commit().map_err(sql("commit a migration"))?;
    }
    Ok(())
}

/// For a read-only open: the schema must be exactly this build's.
pub(crate) fn check_current(conn: &Connection, path: &Path) -> Result<(), Error> {
    let found = check_application(conn, path)?;
    if found > SCHEMA_VERSION {
        Err(Error::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        })
    } else if found < SCHEMA_VERSION {
        Err(Error::SchemaOutdated {
            found,
            expected: SCHEMA_VERSION,
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes a database of version 3 back to the shape version 2 wrote.
    const UNDO_VERSIONS_3_AND_4: &str = "DROP TABLE api_keys; DROP TABLE key_checks; \
        DROP INDEX audit_events_by_login; DROP INDEX audit_events_by_institution; \
        DROP INDEX audit_events_by_kind; PRAGMA user_version = 2;";

    #[test]
    fn migrations_are_consecutive_from_one() {
        for (i, step) in MIGRATIONS.iter().enumerate() {
            assert_eq!(step.version as usize, i + 1, "{}", step.name);
        }
        assert_eq!(SCHEMA_VERSION as usize, MIGRATIONS.len());
    }

    #[test]
    fn a_migration_that_fails_leaves_the_previous_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE accounts (x INTEGER)")
            .unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        let err = migrate(&mut conn, Path::new(":memory:")).unwrap_err();
        assert!(err.to_string().contains("apply migration 1"), "{err}");
        assert_eq!(user_version(&conn).unwrap(), 0);
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'sessions'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0, "the failed step was rolled back as a whole");
    }

    /// Version 2 (`accounts.pending_ticket`): a database of version 1 holding a
    /// registration in progress migrates, the registration reads back as belonging to no
    /// login, and the facade replaces it at the login's next view (issue 10, item 1).
    #[test]
    fn a_version_1_registration_in_progress_survives_the_migration_and_is_replaced() {
        use std::sync::Arc;

        use shikaku::testing::{Harness, INITIAL_PASSWORD, LOGIN_ID, secret_of};
        use shikaku::{PasscodeLogin, Store};

        use crate::SqliteStore;

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shikaku.db");
        let store = Arc::new(SqliteStore::open(&path).unwrap());
        let h = Harness::new(Arc::clone(&store));
        h.provision(LOGIN_ID);
        let (ticket, needs) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
        assert!(needs);
        let old_key = h
            .service
            .enrollment(&ticket)
            .unwrap()
            .setup_key
            .copy_form()
            .to_string();
        let before = store.account_by_key(&h.key(LOGIN_ID)).unwrap().unwrap();
        let before_pending = before.pending_mfa.clone().unwrap();
        assert!(before_pending.ticket.is_some());
        drop(h);
        drop(store);

        // Back to the shape an older release wrote: version 1, no pending_ticket column
        // (and none of version 3's and 4's tables and indexes).
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(UNDO_VERSIONS_3_AND_4).unwrap();
            conn.execute_batch(
                "ALTER TABLE accounts DROP COLUMN pending_ticket; PRAGMA user_version = 1;",
            )
            .unwrap();
        }

        let store = Arc::new(SqliteStore::open(&path).unwrap());
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let migrated = store.account(before.id).unwrap().unwrap();
        let pending = migrated.pending_mfa.unwrap();
        assert_eq!(pending.ticket, None, "a version 1 row belongs to no login");
        assert_eq!(pending.secret, before_pending.secret);
        assert_eq!(pending.created_at, before_pending.created_at);

        // The same master key (same seed): the login that was under way goes on, and
        // its next view replaces the registration with one of its own.
        let h = Harness::new(Arc::clone(&store));
        let new_key = h
            .service
            .enrollment(&ticket)
            .unwrap()
            .setup_key
            .copy_form()
            .to_string();
        assert_ne!(new_key, old_key);
        let stored = store
            .account(before.id)
            .unwrap()
            .unwrap()
            .pending_mfa
            .unwrap();
        assert_eq!(stored.ticket, Some(ticket.digest()));
        assert!(matches!(
            h.submit(&ticket, &h.code(&secret_of(&new_key), 0)),
            PasscodeLogin::Session(_)
        ));

        // The column takes only a 32-byte digest, and only beside a pending secret.
        let conn = Connection::open(&path).unwrap();
        let set = |sql: &str| conn.execute(sql, []);
        assert!(
            set("UPDATE accounts SET pending_ticket = zeroblob(32)").is_err(),
            "no secret"
        );
        h.provision("staff02");
        let (other, _) = h.ticket("staff02", INITIAL_PASSWORD);
        h.service.enrollment(&other).unwrap();
        assert!(
            set("UPDATE accounts SET pending_ticket = zeroblob(31) WHERE login_id = 'staff02'")
                .is_err()
        );
        assert!(
            set("UPDATE accounts SET pending_ticket = NULL WHERE login_id = 'staff02'").is_ok()
        );
    }
}
