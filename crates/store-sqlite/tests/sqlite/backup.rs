//! `SqliteStore::backup_to`: an online copy while another thread writes, consistent
//! (one snapshot), complete, served from like the original; never over an existing
//! file, owner-only, and never holding the key.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use shikaku::testing::{Harness, INITIAL_PASSWORD, LOGIN_ID, START, secret_of};
use shikaku::{AuditEvent, AuditKind, Channel, PasscodeLogin, Store};
use shikaku_store_sqlite::{Error, SCHEMA_VERSION, SqliteStore};

use crate::support::{key, raw};

/// A writer appends account `w{i}` and then its audit event, in that order, as fast
/// as it can; three backups are taken meanwhile. Each copy is one snapshot (never an
/// event without its account, at most the last account without its event), passes
/// SQLite's integrity check, and serves: the enrolled account logs in from it with its
/// password and its Authenticator, under the same master key.
#[test]
fn a_backup_taken_while_a_writer_writes_is_one_snapshot_and_serves() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shikaku.db");
    let store = Arc::new(SqliteStore::open(&db).unwrap());
    let h = Harness::new(Arc::clone(&store));
    h.provision(LOGIN_ID);
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    let setup_key = h.service.enrollment(&ticket).unwrap().setup_key.copy_form();
    assert!(matches!(
        h.submit(&ticket, &h.code_for_key(&setup_key)),
        PasscodeLogin::Session(_)
    ));

    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, stop, h) = (Arc::clone(&store), Arc::clone(&stop), &h);
        let template = store.account_by_key(&h.key(LOGIN_ID)).unwrap().unwrap();
        std::thread::spawn(move || {
            let mut written = 0u32;
            while !stop.load(Ordering::SeqCst) {
                let k = key(&format!("w{written}"));
                store
                    .insert_account(shikaku::NewAccount {
                        key: k.clone(),
                        password: template.password.clone(),
                        must_change_password: false,
                        created_at: START,
                    })
                    .unwrap();
                store
                    .append_audit(&AuditEvent {
                        at: START,
                        kind: AuditKind::AccountProvisioned,
                        account: Some(k),
                        channel: Channel::Admin,
                        detail: Some("writer".to_owned()),
                    })
                    .unwrap();
                written += 1;
            }
            written
        })
    };
    let mut seen = Vec::new();
    for n in 0..3 {
        // Let the writer get going (and on between the copies).
        while store.accounts().unwrap().len() < 1 + 20 * (n + 1) {
            std::thread::yield_now();
        }
        let copy = dir.path().join(format!("copy-{n}.db"));
        store.backup_to(&copy).unwrap();
        seen.push(copy);
    }
    stop.store(true, Ordering::SeqCst);
    let written = writer.join().unwrap();

    let mut last = 0;
    for copy in &seen {
        let wal = std::path::PathBuf::from(format!("{}-wal", copy.display()));
        assert!(!wal.exists(), "a copy is one file");
        let conn = raw(copy);
        let count = |sql: &str| -> usize {
            conn.query_row(sql, [], |r| r.get::<_, i64>(0))
                .unwrap()
                .try_into()
                .unwrap()
        };
        let accounts = count("SELECT count(*) FROM accounts WHERE login_id LIKE 'w%'");
        let events = count("SELECT count(*) FROM audit_events WHERE detail = 'writer'");
        assert!(
            events == accounts || events + 1 == accounts,
            "{accounts} accounts, {events} events: not one snapshot"
        );
        assert!(accounts >= last && accounts <= written as usize);
        last = accounts;
        drop(conn);

        let copied = Arc::new(SqliteStore::open(copy).unwrap());
        copied.check_integrity().unwrap();
        assert_eq!(copied.schema_version().unwrap(), SCHEMA_VERSION);
        // The same master key (the harness's seed): the copy serves the enrolled account.
        let served = Harness::new(Arc::clone(&copied));
        served.next_step();
        let (ticket, needs_enrollment) = served.ticket(LOGIN_ID, INITIAL_PASSWORD);
        assert!(!needs_enrollment, "the Authenticator is in the copy");
        let code = served.code(&secret_of(&setup_key), 0);
        assert!(matches!(
            served.submit(&ticket, &code),
            PasscodeLogin::Session(_)
        ));
    }
    assert!(last > 0, "the copies saw the writer's work");
}

/// An existing file is never replaced — not even an empty one — and the copy of a
/// database opened read-only (as `shikaku backup` opens it) is owner-only and holds no
/// key: there is no key file beside it, and the database has no key to copy.
#[test]
fn a_backup_never_replaces_a_file_and_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shikaku.db");
    {
        let store = Arc::new(SqliteStore::open(&db).unwrap());
        Harness::new(store).provision(LOGIN_ID);
    }
    let store = SqliteStore::open_read_only(&db).unwrap();
    for existing in ["", "precious"] {
        let path = dir.path().join(format!("existing-{}.db", existing.len()));
        std::fs::write(&path, existing).unwrap();
        match store.backup_to(&path) {
            Err(Error::Io { source, .. }) => {
                assert_eq!(source.kind(), std::io::ErrorKind::AlreadyExists);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), existing);
    }
    let copy = dir.path().join("copy.db");
    store.backup_to(&copy).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    assert!(!shikaku_store_sqlite::key_file_path(&copy).exists());
    let copied = SqliteStore::open_read_only(&copy).unwrap();
    assert_eq!(copied.accounts().unwrap().len(), 1);
}
