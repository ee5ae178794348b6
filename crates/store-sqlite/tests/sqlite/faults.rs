//! Faults: a database that cannot be written answers reads and refuses writes with
//! `StoreError::Unavailable` and a message saying why — no panic, no silent success.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use shikaku::{AuditEvent, AuditKind, Channel, Store, StoreError};
use shikaku_store_sqlite::SqliteStore;

use crate::support::{START, Scratch, hasher, key, new_account};
use shikaku::testing::INITIAL_PASSWORD;

fn assert_read_only_refusal<T: std::fmt::Debug>(result: Result<T, StoreError>) {
    match result {
        Err(StoreError::Unavailable(message)) => {
            assert!(message.contains("read-only"), "{message}");
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

fn check_reads_work_and_writes_are_refused(store: &SqliteStore) {
    let h = hasher();
    let accounts = store.accounts().unwrap();
    assert_eq!(accounts.len(), 1);
    let id = accounts[0].id;
    assert!(store.account_by_key(&key("staff01")).unwrap().is_some());
    assert!(store.attempts(&key("staff01")).is_ok());
    assert_read_only_refusal(store.insert_account(new_account(&h, "staff02", INITIAL_PASSWORD)));
    assert_read_only_refusal(store.update_account(id, &mut |a| {
        a.disabled = true;
        true
    }));
    assert_read_only_refusal(store.update_attempts(&key("staff01"), &mut |_| {}));
    assert_read_only_refusal(store.append_audit(&AuditEvent {
        at: START,
        kind: AuditKind::LoggedOut,
        account: None,
        channel: Channel::Web,
        detail: None,
    }));
    assert_read_only_refusal(store.prune(START));
    assert!(
        !store.account(id).unwrap().unwrap().disabled,
        "nothing was written"
    );
    let display = StoreError::Unavailable("x".to_owned()).to_string();
    assert!(display.contains("unavailable"), "{display}");
}

#[test]
fn a_store_opened_read_only_reads_and_refuses_writes() {
    let s = Scratch::new();
    s.store
        .insert_account(new_account(&hasher(), "staff01", INITIAL_PASSWORD))
        .unwrap();
    let store = SqliteStore::open_read_only(s.db_path()).unwrap();
    assert!(store.is_read_only());
    check_reads_work_and_writes_are_refused(&store);
    // The read-write store beside it is unaffected.
    s.store
        .update_attempts(&key("staff01"), &mut |_| {})
        .unwrap();
}

#[test]
fn a_read_only_database_file_reads_and_refuses_writes() {
    let s = Scratch::new();
    s.store
        .insert_account(new_account(&hasher(), "staff01", INITIAL_PASSWORD))
        .unwrap();
    let path = s.db_path();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    if fs::OpenOptions::new().write(true).open(&path).is_ok() {
        // Running as root: permission bits do not stop writes, so the file is not
        // read-only for us. The flag-based test above covers the behaviour.
        eprintln!("skipped: file permissions do not bind this (privileged) user");
        return;
    }
    let store = SqliteStore::open(&path).unwrap();
    check_reads_work_and_writes_are_refused(&store);
}
