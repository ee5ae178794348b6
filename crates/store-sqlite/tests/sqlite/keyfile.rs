//! The master key file beside the database: created 0600 on first run, reused after,
//! never overwritten, refused when exposed or malformed.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use shikaku::Store;
use shikaku_store_sqlite::{Error, key_file_path, open_or_create};

use crate::support::{hasher, new_account};
use shikaku::testing::INITIAL_PASSWORD;

#[test]
fn first_run_creates_a_private_key_file_and_later_runs_reuse_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shikaku.db");
    let (store, key) = open_or_create(&db).unwrap();
    let key_path = key_file_path(&db);
    assert_eq!(key_path, dir.path().join("shikaku.db.key"));
    let meta = fs::metadata(&key_path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    store
        .insert_account(new_account(&hasher(), "staff00", INITIAL_PASSWORD))
        .unwrap();
    for file in ["shikaku.db", "shikaku.db-wal", "shikaku.db-shm"] {
        let mode = fs::metadata(dir.path().join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "{file} holds hashes and sealed secrets"
        );
    }
    let text = fs::read_to_string(&key_path).unwrap();
    assert_eq!(text.trim(), key.current().to_hex().as_str());
    assert_eq!(
        key.current_id(),
        shikaku::KeyId::FIRST,
        "a new file holds key 1"
    );
    assert_eq!(text.trim().len(), 64);
    store
        .insert_account(new_account(&hasher(), "staff01", INITIAL_PASSWORD))
        .unwrap();
    drop(store);
    let (store, again) = open_or_create(&db).unwrap();
    assert_eq!(again.check_values(), key.check_values());
    assert_eq!(store.accounts().unwrap().len(), 2);
    assert_eq!(
        fs::read_to_string(&key_path).unwrap(),
        text,
        "never rewritten"
    );
}

#[test]
fn two_databases_get_two_keys() {
    let dir = tempfile::tempdir().unwrap();
    let (_, a) = open_or_create(dir.path().join("a.db")).unwrap();
    let (_, b) = open_or_create(dir.path().join("b.db")).unwrap();
    assert_ne!(a.check_values(), b.check_values());
}

#[test]
fn a_group_or_world_readable_key_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shikaku.db");
    let (_, key) = open_or_create(&db).unwrap();
    let key_path = key_file_path(&db);
    for mode in [0o644, 0o640, 0o604] {
        fs::set_permissions(&key_path, fs::Permissions::from_mode(mode)).unwrap();
        let err = open_or_create(&db).unwrap_err();
        assert!(
            matches!(err, Error::KeyFileExposed { mode: m, .. } if m & 0o777 == mode),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(message.contains("chmod 600"), "{message}");
        assert!(
            !message.contains(key.current().to_hex().as_str()),
            "the key is not in the message"
        );
    }
    fs::set_permissions(&key_path, fs::Permissions::from_mode(0o400)).unwrap();
    let (_, again) = open_or_create(&db).unwrap();
    assert_eq!(
        again.check_values(),
        key.check_values(),
        "owner-only read is fine"
    );
}

#[test]
fn a_malformed_key_file_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shikaku.db");
    let key_path = key_file_path(&db);
    for content in [
        "",
        "abc\n",
        &"zz".repeat(32),
        &"ab".repeat(33),
        &"ab".repeat(400),
    ] {
        fs::write(&key_path, content).unwrap();
        fs::set_permissions(&key_path, fs::Permissions::from_mode(0o600)).unwrap();
        let err = open_or_create(&db).unwrap_err();
        assert!(
            matches!(err, Error::KeyFileMalformed { .. }),
            "{content:?}: {err:?}"
        );
        assert!(err.to_string().contains("64 hex digits"));
        assert_eq!(
            fs::read_to_string(&key_path).unwrap(),
            content,
            "never overwritten"
        );
    }
    // Upper-case hex with surrounding white space is a key.
    fs::write(&key_path, format!("  {}\n\n", "AB".repeat(32))).unwrap();
    let (_, key) = open_or_create(&db).unwrap();
    assert_eq!(key.current().to_hex().as_str(), "ab".repeat(32));
    // A ring: the first line is current; comments and blank lines are ignored.
    let ring = format!("# keys\n\n2 {}\n1 {}\n", "cd".repeat(32), "ab".repeat(32));
    fs::write(&key_path, &ring).unwrap();
    let (_, keys) = open_or_create(&db).unwrap();
    assert_eq!(keys.current_id().get(), 2);
    assert_eq!(keys.current().to_hex().as_str(), "cd".repeat(32));
    // A malformed ring names the line, never its content.
    fs::write(&key_path, format!("2 {}\n1 xyz\n", "cd".repeat(32))).unwrap();
    let err = open_or_create(&db).unwrap_err().to_string();
    assert!(err.contains("line 2"), "{err}");
    assert!(!err.contains(&"cd".repeat(32)), "{err}");
}

#[test]
fn a_missing_key_is_not_replaced_while_accounts_need_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shikaku.db");
    let (store, _) = open_or_create(&db).unwrap();
    let key_path = key_file_path(&db);
    fs::remove_file(&key_path).unwrap();
    drop(store);
    // No accounts yet: nothing is sealed, a new key is harmless.
    let (store, _) = open_or_create(&db).unwrap();
    store
        .insert_account(new_account(&hasher(), "staff01", INITIAL_PASSWORD))
        .unwrap();
    drop(store);
    fs::remove_file(&key_path).unwrap();
    let err = open_or_create(&db).unwrap_err();
    assert!(matches!(err, Error::KeyFileMissing { .. }), "{err:?}");
    assert!(err.to_string().contains("restore it from a backup"));
    assert!(!key_path.exists(), "no key was invented");
}
