//! Upgrading in place: a database written by an older release (schema version 2) is
//! migrated on open to exactly the schema of a new database, keeps every record, and
//! gains version 3's features (API keys, the key check value, paged reads); one of
//! version 3 keeps its key check value as key 1's (version 4: one value per key id).

use std::path::Path;
use std::sync::Arc;

use shikaku::testing::{Harness, INITIAL_PASSWORD, LOGIN_ID, START};
use shikaku::{
    AccountPage, ApiKeyScope, AuditEvent, AuditKind, AuditOrder, AuditQuery, Channel, KeyCheck,
    KeyId, NewApiKey, PasswordLogin, Store, TokenDigest,
};
use shikaku_store_sqlite::{SCHEMA_VERSION, SqliteStore};
use time::Duration;

use crate::support::{key, raw};

/// What versions 1 and 2 created, as those releases shipped it.
const VERSION_2: [&str; 2] = [
    include_str!("../../src/migrations/0001_initial.sql"),
    include_str!("../../src/migrations/0002_pending_ticket.sql"),
];

/// What version 3 added.
const VERSION_3: &str = include_str!("../../src/migrations/0003_admin.sql");

/// Takes a database of version 4 back to what version 2 wrote.
const UNDO_VERSIONS_3_AND_4: &str = "DROP TABLE api_keys; DROP TABLE key_checks; \
    DROP INDEX audit_events_by_login; DROP INDEX audit_events_by_institution; \
    DROP INDEX audit_events_by_kind; PRAGMA user_version = 2;";

/// Every table, index and trigger, by name, with its SQL.
fn schema(path: &Path) -> Vec<(String, Option<String>)> {
    let conn = raw(path);
    let mut stmt = conn
        .prepare("SELECT name, sql FROM sqlite_schema ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn version_2_database(path: &Path) {
    let conn = raw(path);
    for sql in VERSION_2 {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", 2).unwrap();
}

#[test]
fn a_version_2_database_upgrades_to_the_schema_of_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    version_2_database(&old);
    let before = schema(&old);
    assert!(!before.iter().any(|(name, _)| name == "api_keys"));
    let store = SqliteStore::open(&old).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 4);
    drop(store);
    let new = dir.path().join("new.db");
    drop(SqliteStore::open(&new).unwrap());
    assert_eq!(schema(&old), schema(&new));
    for name in [
        "api_keys",
        "key_checks",
        "audit_events_by_login",
        "audit_events_by_kind",
    ] {
        assert!(schema(&old).iter().any(|(n, _)| n == name), "{name}");
    }
}

#[test]
fn a_version_2_database_keeps_its_records_and_gains_the_new_features() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shikaku.db");
    let reference = dir.path().join("reference.db");
    version_2_database(&reference);

    // Real use under the current build, then back to the shape version 2 wrote.
    let store = Arc::new(SqliteStore::open(&path).unwrap());
    let h = Harness::new(Arc::clone(&store));
    h.provision(LOGIN_ID);
    h.provision("staff02");
    h.enroll(LOGIN_ID);
    let _ = h.login("staff02", "Wrong#Pass1");
    for i in 0..5 {
        store
            .append_audit(&AuditEvent {
                at: START + Duration::minutes(i),
                kind: AuditKind::PasswordFailed,
                account: (i % 2 == 0).then(|| key("staff02")),
                channel: Channel::Web,
                detail: None,
            })
            .unwrap();
    }
    let accounts = store.accounts().unwrap();
    let attempts = store.all_attempts().unwrap();
    let mut log = store.recent_audit(1000).unwrap();
    log.reverse();
    assert_eq!(accounts.len(), 2);
    assert_eq!(attempts.len(), 1);
    drop(h);
    drop(store);
    raw(&path).execute_batch(UNDO_VERSIONS_3_AND_4).unwrap();
    assert_eq!(schema(&path), schema(&reference), "the undo is faithful");

    let store = Arc::new(SqliteStore::open(&path).unwrap());
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.accounts().unwrap(), accounts);
    assert_eq!(store.all_attempts().unwrap(), attempts);
    let oldest_first = AuditQuery {
        order: AuditOrder::OldestFirst,
        limit: 1000,
        ..AuditQuery::default()
    };
    let page = store.audit_page(&oldest_first).unwrap();
    assert_eq!(page.into_iter().map(|e| e.event).collect::<Vec<_>>(), log);
    let staff02 = AuditQuery {
        institution: Some(key("staff02").institution_code),
        login_id: Some(key("staff02").login_id),
        kind: Some(AuditKind::PasswordFailed),
        limit: 1000,
        ..AuditQuery::default()
    };
    assert_eq!(
        store.audit_page(&staff02).unwrap().len(),
        4,
        "3 appended, 1 real"
    );
    let page = AccountPage {
        after: Some(key(LOGIN_ID)),
        limit: 10,
        ..AccountPage::default()
    };
    assert_eq!(store.accounts_page(&page).unwrap(), accounts[1..]);

    // The same master key opens the migrated accounts: logins go on as before.
    let h = Harness::new(Arc::clone(&store));
    assert!(matches!(
        h.login(LOGIN_ID, INITIAL_PASSWORD),
        PasswordLogin::NeedsPasscode(_)
    ));
    // Version 3's features on the upgraded file. (A service may record its master
    // key's check value when built; either way the value stays the first one.)
    let check = store.key_check(KeyId::FIRST, &KeyCheck([4; 32])).unwrap();
    assert_eq!(
        store.key_check(KeyId::FIRST, &KeyCheck([5; 32])).unwrap(),
        check
    );
    let api_key = store
        .insert_api_key(NewApiKey {
            name: "clinic-sync".to_owned(),
            digest: TokenDigest([1; 32]),
            scope: ApiKeyScope::All,
            created_at: START,
        })
        .unwrap();
    assert_eq!(store.api_keys().unwrap(), vec![api_key]);
    store.ping().unwrap();

    let next = store
        .insert_account(crate::support::new_account(
            &crate::support::hasher(),
            "staff03",
            INITIAL_PASSWORD,
        ))
        .unwrap();
    assert!(accounts.iter().all(|a| a.id < next.id));
    store.check_integrity().unwrap();
}

/// A database of version 3 holds one key check value (`meta`); version 4 keeps it as
/// key 1's — the key of a key file without ids — so the nodes that start after the
/// upgrade with their old key file recognise it, and a wrong key is still refused.
#[test]
fn a_version_3_key_check_value_becomes_key_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shikaku.db");
    version_2_database(&path);
    let conn = raw(&path);
    conn.execute_batch(VERSION_3).unwrap();
    conn.execute(
        "INSERT INTO meta (id, key_check) VALUES (1, ?1)",
        [[7u8; 32]],
    )
    .unwrap();
    conn.pragma_update(None, "user_version", 3).unwrap();
    drop(conn);

    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), 4);
    assert_eq!(
        store.key_checks().unwrap(),
        [(KeyId::FIRST, KeyCheck([7; 32]))]
    );
    assert_eq!(
        store.key_check(KeyId::FIRST, &KeyCheck([8; 32])).unwrap(),
        KeyCheck([7; 32]),
        "the stored value stays"
    );
    drop(store);
    let new = dir.path().join("new.db");
    drop(SqliteStore::open(&new).unwrap());
    assert_eq!(schema(&path), schema(&new), "meta is gone");
}
