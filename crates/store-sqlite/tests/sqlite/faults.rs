//! Faults: a database that cannot be written answers reads and refuses writes with
//! `StoreError::Unavailable` and a message saying why — no panic, no silent success.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use shikaku::{
    AccountPage, ApiKeyId, ApiKeyScope, AuditEvent, AuditKind, AuditQuery, Channel, KeyCheck,
    KeyId, NewApiKey, Store, StoreError, TokenDigest,
};
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
    // Administration: pages, keys, the stored key check value and the ping read; the
    // rest write.
    let page = AccountPage {
        limit: 10,
        ..AccountPage::default()
    };
    assert_eq!(store.accounts_page(&page).unwrap().len(), 1);
    let query = AuditQuery {
        limit: 10,
        ..AuditQuery::default()
    };
    assert!(store.audit_page(&query).unwrap().is_empty());
    assert!(store.api_keys().unwrap().is_empty());
    assert!(store.api_key(&TokenDigest([1; 32])).unwrap().is_none());
    assert!(store.all_attempts().unwrap().is_empty());
    assert_eq!(
        store.key_check(KeyId::FIRST, &KeyCheck([2; 32])).unwrap(),
        KeyCheck([1; 32])
    );
    assert_eq!(
        store.key_checks().unwrap(),
        [(KeyId::FIRST, KeyCheck([1; 32]))]
    );
    store.ping().unwrap();
    assert_read_only_refusal(store.insert_api_key(NewApiKey {
        name: "k".to_owned(),
        digest: TokenDigest([1; 32]),
        scope: ApiKeyScope::All,
        created_at: START,
    }));
    assert_read_only_refusal(store.revoke_api_key(ApiKeyId(1), START));
    let mut copy = accounts[0].clone();
    copy.id = shikaku::AccountId(99);
    copy.key = key("staff09");
    assert_read_only_refusal(store.import_account(&copy));
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
    s.store.key_check(KeyId::FIRST, &KeyCheck([1; 32])).unwrap();
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
    s.store.key_check(KeyId::FIRST, &KeyCheck([1; 32])).unwrap();
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
