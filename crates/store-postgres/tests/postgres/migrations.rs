//! Schema migrations: nodes starting at once on an empty database migrate it exactly
//! once; a database of a newer build is refused; version 1's key check value becomes
//! key 1's.

use std::sync::{Arc, Barrier};
use std::thread;

use shikaku_store_postgres::{Error, PostgresStore, SCHEMA_VERSION};

use crate::support::{fresh_url, options, raw};

#[test]
fn eight_nodes_starting_at_once_migrate_exactly_once() {
    let url = fresh_url();
    let barrier = Arc::new(Barrier::new(8));
    let nodes: Vec<_> = (0..8)
        .map(|_| {
            let (url, barrier) = (url.clone(), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                PostgresStore::connect(&options(url))
            })
        })
        .collect();
    for node in nodes {
        let store = node.join().unwrap().expect("every node starts");
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    }
    let mut db = raw(&url);
    let rows = db
        .query(
            "SELECT version, name FROM schema_migrations ORDER BY version",
            &[],
        )
        .unwrap();
    let versions: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    let expected: Vec<i32> = (1..=i32::try_from(SCHEMA_VERSION).unwrap()).collect();
    assert_eq!(versions, expected, "each migration recorded once");
    // Applying a migration twice would have failed a node (CREATE TABLE of an existing
    // table); and the tables are there once each.
    let accounts: i64 = db
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE tablename = 'accounts'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(accounts, 1);
}

#[test]
fn a_later_start_applies_nothing_and_keeps_the_data() {
    let url = fresh_url();
    let first = PostgresStore::connect(&options(url.clone())).unwrap();
    shikaku::Store::append_audit(
        &first,
        &shikaku::AuditEvent {
            at: crate::support::START,
            kind: shikaku::AuditKind::AccountProvisioned,
            account: None,
            channel: shikaku::Channel::Admin,
            detail: None,
        },
    )
    .unwrap();
    drop(first);
    let again = PostgresStore::connect(&options(url)).unwrap();
    assert_eq!(shikaku::Store::recent_audit(&again, 10).unwrap().len(), 1);
    assert_eq!(again.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn a_database_of_a_newer_build_is_refused() {
    let url = fresh_url();
    drop(PostgresStore::connect(&options(url.clone())).unwrap());
    raw(&url)
        .execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, 'from the future')",
            &[&(i32::try_from(SCHEMA_VERSION).unwrap() + 1)],
        )
        .unwrap();
    let err = PostgresStore::connect(&options(url)).unwrap_err();
    assert_eq!(
        err,
        Error::SchemaTooNew {
            found: SCHEMA_VERSION + 1,
            supported: SCHEMA_VERSION
        }
    );
    assert!(err.to_string().contains("upgrade shikaku"), "{err}");
}

/// A database of version 1 holds one key check value (`meta`); version 2 keeps it as
/// key 1's (the key of a key file without ids), so nodes restarted after the upgrade
/// with their old key file recognise it.
#[test]
fn a_version_1_key_check_value_becomes_key_ones() {
    use shikaku::{KeyCheck, KeyId, Store};
    let url = fresh_url();
    drop(PostgresStore::connect(&options(url.clone())).unwrap());
    // Back to what version 1 wrote, with a value recorded.
    raw(&url)
        .batch_execute(
            "DROP TABLE key_checks; \
             CREATE TABLE meta (id integer PRIMARY KEY CHECK (id = 1), \
                 key_check bytea NOT NULL CHECK (length(key_check) = 32)); \
             INSERT INTO meta VALUES (1, decode(repeat('07', 32), 'hex')); \
             DELETE FROM schema_migrations WHERE version = 2;",
        )
        .unwrap();
    let store = PostgresStore::connect(&options(url.clone())).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(
        store.key_checks().unwrap(),
        [(KeyId::FIRST, KeyCheck([7; 32]))]
    );
    assert_eq!(
        store.key_check(KeyId::FIRST, &KeyCheck([8; 32])).unwrap(),
        KeyCheck([7; 32])
    );
    let two = KeyId::new(2).unwrap();
    assert_eq!(
        store.key_check(two, &KeyCheck([8; 32])).unwrap(),
        KeyCheck([8; 32])
    );
    let meta: i64 = raw(&url)
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE tablename = 'meta'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(meta, 0, "meta is gone");
}
