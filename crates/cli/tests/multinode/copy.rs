//! `shikaku db copy`: from a SQLite node to PostgreSQL nodes, under the same master key.

use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};
use shikaku_store_postgres::testing::TempPostgres;

use crate::cluster::{CHEAP, Node, config, path, run, run_status};
use crate::flows::{Authenticator, api_login, api_passcode, api_whoami, login, session_token};

/// An account registered on SQLite — `user add --create`, then the first login with its
/// Authenticator over the real binary serving the SQLite file (the setup key from
/// [Authenticator 登録], the code it gives) — is copied into an empty PostgreSQL
/// database; a PostgreSQL node started with the SQLite database's key file logs it in
/// with the same password and a code from the same Authenticator. A second copy into the
/// now non-empty database is refused, and so is a node started with another key file.
#[test]
fn an_account_registered_on_sqlite_logs_in_on_postgres_after_db_copy() {
    let id = "copy01";
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config_path = dir.path().join("shikaku.toml");
    std::fs::write(&config_path, config("", CHEAP)).expect("write shikaku.toml");
    let cfg = path(&config_path);
    let sqlite = dir.path().join("shikaku.db");
    let sqlite_key = dir.path().join("shikaku.db.key");
    run(&[
        "user",
        "add",
        "--create",
        "--json",
        "--db",
        path(&sqlite),
        "--config",
        cfg,
        "--institution-code",
        INSTITUTION_CODE,
        "--login-id",
        id,
        "--password",
        INITIAL_PASSWORD,
    ]);
    assert!(sqlite_key.exists(), "user add --create made no key file");

    // The first login on the SQLite node, through the screens.
    let mut auth = {
        let node = Node::spawn(&["--db", path(&sqlite)], &config_path, dir.path())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut b = crate::client::Browser::new(node.addr);
        let r = login(&mut b, id, INITIAL_PASSWORD);
        assert_eq!(r.redirect(), "/enroll", "{}", r.text());
        let key = b
            .get("/enroll")
            .setup_key()
            .expect("the setup key on [Authenticator 登録]");
        let r = b.post("/enroll/proceed", &[]);
        assert!(r.redirect().starts_with("/enroll/print-confirm"), "{r:?}");
        b.get("/login/passcode");
        let mut auth = Authenticator::new(&key);
        let r = b.post("/login/passcode", &[("passcode", &auth.next_code())]);
        assert_eq!(r.redirect(), "/enroll/done", "{}", r.text());
        auth
    };

    let shared = TempPostgres::shared();
    let url = shared.new_database();
    let copy = |url: &str| {
        run_status(&[
            "db",
            "copy",
            "--from",
            path(&sqlite),
            "--to",
            url,
            "--config",
            cfg,
        ])
    };
    let out = copy(&url);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "db copy failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("copied 1 accounts"), "{text}");
    println!("db copy: {}", text.lines().next().unwrap_or(""));

    // A PostgreSQL node under the SQLite database's key: the same password, the same
    // Authenticator (its next code).
    let store = [
        "--database-url",
        &url,
        "--master-key-file",
        path(&sqlite_key),
    ];
    let node = Node::spawn(&store, &config_path, dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let ticket = api_login(node.addr, id, INITIAL_PASSWORD, "passcode");
    let r = api_passcode(node.addr, &ticket, &auth.next_code());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["enrolled"], false, "not a new registration");
    let session = session_token(&r);
    assert_eq!(api_whoami(node.addr, &session).json()["login_id"], id);

    // A second copy into the same, now non-empty, database is refused.
    let out = copy(&url);
    let error = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "a second copy was accepted");
    assert!(error.contains("not empty"), "unclear refusal: {error}");
    println!("second db copy refused: {}", error.trim());

    // A node with another key file refuses to start, naming the key check value.
    let other_key = dir.path().join("other.key");
    run(&["key", "generate", "--out", path(&other_key)]);
    let store = [
        "--database-url",
        &url,
        "--master-key-file",
        path(&other_key),
    ];
    let refused = Node::spawn(&store, &config_path, dir.path())
        .err()
        .expect("a node with another key file started");
    assert!(refused.contains("key check value"), "{refused}");
    println!(
        "node with another key: {}",
        refused.lines().last().unwrap_or("")
    );
    // The right node is unaffected.
    assert_eq!(api_whoami(node.addr, &session).status, 200);
}
