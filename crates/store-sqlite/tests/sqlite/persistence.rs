//! What is written survives closing and reopening; migrations run once; a database
//! this build does not understand is refused, not misread.

use shikaku::lockout::{LockoutPolicy, SessionClock, SessionSlot};
use shikaku::{
    AuditEvent, AuditKind, Channel, LoginTicketRecord, SessionRecord, Store, TokenDigest,
};
use shikaku_store_sqlite::{Error, SCHEMA_VERSION, SqliteStore};
use time::Duration;

use crate::support::{START, Scratch, hasher, key, new_account, raw};
use shikaku::testing::INITIAL_PASSWORD;

#[test]
fn accounts_counters_tickets_sessions_and_audit_survive_a_reopen() {
    let s = Scratch::new();
    let path = s.db_path();
    let h = hasher();
    let policy = LockoutPolicy::default();
    let (account, attempts, ticket, session, event);
    {
        let store = SqliteStore::open(&path).unwrap();
        account = store
            .insert_account(new_account(&h, "staff01", INITIAL_PASSWORD))
            .unwrap();
        attempts = store
            .update_attempts(&key("staff01"), &mut |a| {
                let _ = a.password.record_failure(&policy, START);
                let _ = a.passcode.record_failure(&policy, START);
                let _ = a.passcode.record_failure(&policy, START);
            })
            .unwrap();
        ticket = LoginTicketRecord {
            digest: TokenDigest([1; 32]),
            account: account.id,
            issued_at: START,
            expires_at: START + Duration::minutes(30),
        };
        store.insert_ticket(ticket.clone()).unwrap();
        let mut slot = SessionSlot::default();
        session = SessionRecord {
            digest: TokenDigest([2; 32]),
            account: account.id,
            clock: SessionClock::start(slot.begin(), START),
            created_at: START,
        };
        store.insert_session(session.clone()).unwrap();
        event = AuditEvent {
            at: START,
            kind: AuditKind::SessionStarted,
            account: Some(key("staff01")),
            channel: Channel::Web,
            detail: None,
        };
        store.append_audit(&event).unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.account(account.id).unwrap(), Some(account));
    assert_eq!(store.attempts(&key("staff01")).unwrap(), attempts);
    assert_eq!(
        attempts.passcode.status(&policy, START).attempts_left(),
        1,
        "two failures kept"
    );
    assert_eq!(store.ticket(&ticket.digest).unwrap(), Some(ticket));
    assert_eq!(store.session(&session.digest).unwrap(), Some(session));
    assert_eq!(store.recent_audit(10).unwrap(), vec![event]);
    // New ids continue after the old ones.
    let next = store
        .insert_account(new_account(&h, "staff02", INITIAL_PASSWORD))
        .unwrap();
    assert!(next.id.0 > 1);
}

#[test]
fn migrations_run_once_and_reopening_changes_nothing() {
    let s = Scratch::new();
    let path = s.db_path();
    assert_eq!(s.store.schema_version().unwrap(), SCHEMA_VERSION);
    let h = hasher();
    s.store
        .insert_account(new_account(&h, "staff01", INITIAL_PASSWORD))
        .unwrap();
    let schema = |p: &std::path::Path| -> Vec<String> {
        let conn = raw(p);
        let mut stmt = conn
            .prepare("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let before = schema(&path);
    for _ in 0..3 {
        let again = SqliteStore::open(&path).unwrap();
        assert_eq!(again.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(again.accounts().unwrap().len(), 1);
    }
    assert_eq!(schema(&path), before);
    let mode: String = raw(&path)
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn two_stores_opening_a_new_database_at_once_both_succeed() {
    // The race is short (one store committing the first migration between another's
    // reads of the header), so it is run on many new databases.
    let dir = tempfile::tempdir().unwrap();
    for round in 0..24 {
        let path = dir.path().join(format!("race-{round}.db"));
        let start = std::sync::Arc::new(std::sync::Barrier::new(4));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                let start = start.clone();
                std::thread::spawn(move || {
                    start.wait();
                    SqliteStore::open(path).map(|s| s.schema_version().unwrap())
                })
            })
            .collect();
        for h in handles {
            let opened = h.join().unwrap();
            assert_eq!(
                opened.as_ref().ok(),
                Some(&SCHEMA_VERSION),
                "round {round}: {opened:?}"
            );
        }
    }
}

#[test]
fn a_newer_schema_is_refused_with_a_clear_error() {
    let s = Scratch::new();
    let path = s.db_path();
    raw(&path)
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(
        matches!(err, Error::SchemaTooNew { found, supported } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("upgrade shikaku"), "{message}");
    assert!(matches!(
        SqliteStore::open_read_only(&path),
        Err(Error::SchemaTooNew { .. })
    ));
    // Refusing changed nothing.
    let version: u32 = raw(&path)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION + 1);
}

#[test]
fn another_applications_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    raw(&path)
        .execute_batch("CREATE TABLE notes (body TEXT)")
        .unwrap();
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(matches!(err, Error::NotShikaku { .. }), "{err:?}");
    assert!(err.to_string().contains("not a shikaku database"));
    let tables: i64 = raw(&path)
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1, "nothing was added to it");
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.db");
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(
        err.to_string().contains("malformed") || err.to_string().contains("not a database"),
        "{err}"
    );
}

#[test]
fn a_read_only_open_needs_an_up_to_date_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.db");
    assert!(
        SqliteStore::open_read_only(&path).is_err(),
        "read-only never creates"
    );
    assert!(!path.exists());
    raw(&path)
        .execute_batch("PRAGMA application_id = 1936223083")
        .unwrap();
    let err = SqliteStore::open_read_only(&path).unwrap_err();
    assert!(
        matches!(err, Error::SchemaOutdated { found: 0, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("open it read-write once"));
}
