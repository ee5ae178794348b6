//! Versioned schema migrations, applied at connect.
//!
//! The migrations are an ordered list compiled into the crate, version `n` taking the
//! schema from `n - 1` to `n`; the table `schema_migrations` records each version
//! applied (number, name, when). [`migrate`] runs in one transaction that first takes a
//! transaction-scoped advisory lock (`pg_advisory_xact_lock`, scoped to the database),
//! so when several nodes start at once on an empty database one of them migrates and
//! the others wait for its commit, then find nothing left to do. PostgreSQL's DDL is
//! transactional: a migration that fails leaves the previous version intact.
//! A database migrated by a newer build is refused ([`Error::SchemaTooNew`]).

use postgres::Client;

use crate::error::{Error, describe};

/// One schema step.
pub(crate) struct Migration {
    /// The schema version after this step.
    pub(crate) version: u32,
    /// What it does.
    pub(crate) name: &'static str,
    /// The statements.
    pub(crate) sql: &'static str,
}

/// Every migration, oldest first; versions are consecutive from 1.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "accounts, attempts, login tickets, sessions, audit events, API keys, key check",
        sql: include_str!("migrations/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "a key check value per master key id",
        sql: include_str!("migrations/0002_key_checks.sql"),
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

/// The advisory lock key of migrations: "shkkmigr".
const LOCK_KEY: i64 = 0x7368_6b6b_6d69_6772;

/// How long a node waits for another node's migration before giving up.
const LOCK_WAIT: &str = "120s";

/// Brings the schema to [`SCHEMA_VERSION`]; returns the versions this call applied.
pub(crate) fn migrate(client: &mut Client, target: &str) -> Result<Vec<u32>, Error> {
    let connect = |e: postgres::Error| Error::Connect {
        target: target.to_owned(),
        reason: format!("reading the schema version failed: {}", describe(&e)),
    };
    let mut tx = client.transaction().map_err(connect)?;
    // A migration may take longer than a statement may; waiting for another node's
    // migration is bounded by lock_timeout instead.
    tx.batch_execute(&format!(
        "SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = '{LOCK_WAIT}'"
    ))
    .map_err(connect)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .map_err(connect)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    integer     PRIMARY KEY,
             name       text        NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .map_err(connect)?;
    let found: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
        .and_then(|row| row.try_get(0))
        .map_err(connect)?;
    let found = u32::try_from(found).unwrap_or(0);
    if found > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        let failed = |e: postgres::Error| Error::Migration {
            version: m.version,
            name: m.name,
            reason: describe(&e),
        };
        tx.batch_execute(m.sql).map_err(failed)?;
        let version = i32::try_from(m.version).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[&version, &m.name],
        )
        .map_err(failed)?;
        applied.push(m.version);
    }
    tx.commit().map_err(|e| Error::Migration {
        version: SCHEMA_VERSION,
        name: "commit",
        reason: describe(&e),
    })?;
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "{}", m.name);
        }
        assert_eq!(SCHEMA_VERSION as usize, MIGRATIONS.len());
    }
}
