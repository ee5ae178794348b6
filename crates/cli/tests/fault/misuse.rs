//! Operator mistakes the binary refuses before it touches a file or a socket (issue 10,
//! items 2, 7 and 9): `serve --demo` on a database it did not create or on a
//! non-loopback address, `insecure_cookies` off loopback, `serve` without a public
//! origin, a `user` command with a mistyped `--db`; and the `user` commands finding the
//! server's configuration the way `serve` does (`--config`, else `SHIKAKU_CONFIG`).
//!
//! Every refusal is checked for its message and for an unchanged directory: the same
//! files with the same bytes, nothing created.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use shikaku::Store;
use shikaku_store_sqlite::SqliteStore;

use crate::server::{self, BIN, INITIAL_PASSWORD, INSTITUTION_CODE, Server};

/// Cheap argon2 and a public origin (so only the mistake under test is wrong).
const CONFIG: &str = "[argon2]\nm_cost_kib = 256\nt_cost = 1\n";

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}

/// `shikaku <args>` in `cwd`, without any `SHIKAKU_CONFIG` of the test's environment
/// unless `env` sets it. A `serve` that does not exit within 20 s is killed and fails.
fn shikaku(cwd: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(cwd)
        .env_remove("SHIKAKU_CONFIG")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "shikaku {args:?} did not exit (it should have refused): {}",
                crate::text(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Asserts a refusal: exit status 1, `shikaku: ` and every one of `needles` on stderr.
#[track_caller]
fn assert_refused(out: &Output, needles: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected a refusal: {}{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} not in: {stderr}");
    }
    stderr
}

#[track_caller]
fn assert_ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", crate::text(out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A real database (`prod.db` + key, one account) and its config in a fresh directory.
fn production(dir: &Path) -> (PathBuf, PathBuf) {
    let db = dir.join("prod.db");
    let config = dir.join("prod.toml");
    std::fs::write(
        &config,
        format!("{CONFIG}[database]\npath = {:?}\n", p(&db)),
    )
    .unwrap();
    server::add_user(&db, &config, "staff01", INITIAL_PASSWORD);
    (db, config)
}

/// `--demo --db prod.db`, `--demo` with a config naming `prod.db` (by `--config` and by
/// `SHIKAKU_CONFIG`), and `--demo` on a database with only its key file left: each is
/// refused with the reason, and no byte in the directory changes — no demo account, no
/// printed password, no marker.
#[test]
fn demo_refuses_a_database_it_did_not_create() {
    let dir = tempfile::tempdir().unwrap();
    let (db, config) = production(dir.path());
    let before = snapshot(dir.path());
    let (bind, _) = server::loopback();
    let needles = ["--demo refuses the database", "did not create it", p(&db)];
    let runs = [
        shikaku(
            dir.path(),
            &["serve", "--demo", "--db", p(&db), "--bind", &bind],
            &[],
        ),
        shikaku(
            dir.path(),
            &["serve", "--demo", "--config", p(&config), "--bind", &bind],
            &[],
        ),
        shikaku(
            dir.path(),
            &["serve", "--demo", "--bind", &bind],
            &[("SHIKAKU_CONFIG", &config)],
        ),
    ];
    for out in &runs {
        assert_refused(out, &needles);
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("パスワード"),
            "a password was printed"
        );
        assert_eq!(snapshot(dir.path()), before, "a file changed");
    }

    // A key file without its database (the database was moved away): still not the
    // demo's, still refused.
    let moved = dir.path().join("moved.db");
    std::fs::rename(&db, &moved).unwrap();
    let before = snapshot(dir.path());
    let out = shikaku(
        dir.path(),
        &["serve", "--demo", "--db", p(&db), "--bind", &bind],
        &[],
    );
    assert_refused(&out, &["--demo refuses the database"]);
    assert_eq!(snapshot(dir.path()), before);
}

/// Runs `serve --demo --bind <bind>` in `cwd` until it listens; returns what it printed.
fn demo_until_listening(cwd: &Path, bind: &str) -> String {
    let mut child = Command::new(BIN)
        .args(["serve", "--demo", "--bind", bind])
        .current_dir(cwd)
        .env_remove("SHIKAKU_CONFIG")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let listening = loop {
        if std::net::TcpStream::connect(bind).is_ok() {
            break true;
        }
        if child.try_wait().unwrap().is_some() || start.elapsed() > Duration::from_secs(30) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(listening, "serve --demo did not listen: {log}");
    log
}

/// The control: a database the demo created is its own, recreated at every start (a
/// fresh demo password each time), with the marker beside it.
#[test]
fn demo_recreates_only_its_own_database() {
    let dir = tempfile::tempdir().unwrap();
    let mut passwords = Vec::new();
    for _ in 0..2 {
        let (bind, _) = server::loopback();
        let log = demo_until_listening(dir.path(), &bind);
        let password = log
            .lines()
            .find_map(|l| l.split("(initial password): ").nth(1))
            .unwrap_or_else(|| panic!("no demo password printed: {log}"))
            .trim()
            .to_owned();
        passwords.push(password);
        assert!(dir.path().join("shikaku-demo.db").exists());
        assert!(dir.path().join("shikaku-demo.db.demo").exists());
    }
    assert_ne!(passwords[0], passwords[1], "the demo starts afresh");
}

/// `--demo` and `insecure_cookies = true` listen on loopback only: 0.0.0.0, [::] and a
/// LAN address are refused before any file is created.
#[test]
fn demo_and_insecure_cookies_refuse_a_non_loopback_bind() {
    let dir = tempfile::tempdir().unwrap();
    let insecure = dir.path().join("insecure.toml");
    std::fs::write(
        &insecure,
        format!(
            "{CONFIG}[server]\ninsecure_cookies = true\npublic_origin = \"http://192.0.2.7:8080\"\n"
        ),
    )
    .unwrap();
    let before = snapshot(dir.path());
    for bind in ["0.0.0.0:18080", "[::]:18080", "192.0.2.7:8080"] {
        let out = shikaku(dir.path(), &["serve", "--demo", "--bind", bind], &[]);
        assert_refused(&out, &["--demo listens on loopback only", bind]);
        let out = shikaku(
            dir.path(),
            &["serve", "--config", p(&insecure), "--bind", bind],
            &[],
        );
        assert_refused(
            &out,
            &[
                "[server] insecure_cookies = true is for plain-http loopback only",
                bind,
            ],
        );
        assert_eq!(snapshot(dir.path()), before, "{bind}: a file was created");
    }
}

/// Outside `--demo`, `serve` needs `[server] public_origin` (or `--public-origin`): the
/// refusal names the key, and a malformed origin is refused too. Nothing is created.
#[test]
fn serve_requires_a_public_origin() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("shikaku.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let before = snapshot(dir.path());
    let (bind, origin) = server::loopback();
    let out = shikaku(
        dir.path(),
        &["serve", "--config", p(&config), "--bind", &bind],
        &[],
    );
    assert_refused(
        &out,
        &[
            "[server] public_origin is required",
            "--public-origin",
            "rebinding",
        ],
    );
    for bad in [
        "127.0.0.1:8080",
        "https://clinic.example/login",
        "https://clinic.example//",
        "ftp://clinic.example",
        "https://user@clinic.example",
        "https://clinic.example:0",
        "https://clinic.example:http",
    ] {
        let out = shikaku(
            dir.path(),
            &[
                "serve",
                "--config",
                p(&config),
                "--bind",
                &bind,
                "--public-origin",
                bad,
            ],
            &[],
        );
        assert_refused(&out, &["is not an origin"]);
    }
    assert_eq!(snapshot(dir.path()), before, "a file was created");

    // The same origin from the file works.
    std::fs::write(
        &config,
        format!("{CONFIG}[server]\npublic_origin = \"{origin}\"\n"),
    )
    .unwrap();
    let mut command = Command::new(BIN);
    command
        .args(["serve", "--config", p(&config), "--bind", &bind])
        .current_dir(dir.path())
        .env_remove("SHIKAKU_CONFIG");
    let serving = Server::spawn(command);
    assert_eq!(serving.addr().to_string(), bind);
}

/// A `user` command whose database does not exist (a mistyped `--db`) creates nothing —
/// no database, no key file — and says how to create one; `user add --create` does.
#[test]
fn user_commands_refuse_a_missing_database_unless_asked_to_create_it() {
    let dir = tempfile::tempdir().unwrap();
    let (db, config) = production(dir.path());
    let typo = dir.path().join("prdo.db");
    let before = snapshot(dir.path());
    let account = [
        "--institution-code",
        INSTITUTION_CODE,
        "--login-id",
        "staff01",
    ];
    let with = |cmd: &[&'static str], extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = cmd.iter().map(|s| (*s).to_owned()).collect();
        v.extend(["--db", p(&typo), "--config", p(&config)].map(str::to_owned));
        v.extend(extra.iter().map(|s| (*s).to_owned()));
        v
    };
    let commands = [
        with(&["user", "add"], &account),
        with(&["user", "list"], &[]),
        with(&["user", "unlock"], &account),
        with(&["user", "reset-mfa"], &account),
        with(&["user", "reset-password"], &account),
        with(&["user", "disable"], &account),
        with(&["user", "enable"], &account),
        with(&["audit"], &[]),
    ];
    for args in &commands {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = shikaku(dir.path(), &args, &[]);
        assert_refused(
            &out,
            &[
                "no database at",
                p(&typo),
                "Nothing was created",
                "--create",
            ],
        );
        assert_eq!(snapshot(dir.path()), before, "{args:?} changed a file");
    }
    assert!(!typo.exists());
    assert!(!shikaku_store_sqlite::key_file_path(&typo).exists());

    // The right path works without --create; a first run with --create creates.
    let out = shikaku(
        dir.path(),
        &[
            "user",
            "list",
            "--json",
            "--db",
            p(&db),
            "--config",
            p(&config),
        ],
        &[],
    );
    assert!(assert_ok(&out).contains("staff01"));
    let mut args = with(&["user", "add", "--create"], &account);
    args.push("--json".to_owned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_ok(&shikaku(dir.path(), &args, &[]));
    assert!(typo.exists());
    assert!(shikaku_store_sqlite::key_file_path(&typo).exists());
}

/// The argon2 parameters of an account's stored password hash (`m=…,t=…,p=…`).
fn stored_params(db: &Path, login_id: &str) -> String {
    let store = SqliteStore::open_read_only(db).unwrap();
    let record = store
        .accounts()
        .unwrap()
        .into_iter()
        .find(|r| r.key.login_id.as_str() == login_id)
        .unwrap_or_else(|| panic!("no account {login_id}"));
    let phc = record.password.current().as_str().to_owned();
    phc.split('$')
        .find(|part| part.starts_with("m="))
        .unwrap_or_else(|| panic!("no parameters in the hash"))
        .to_owned()
}

/// `user …` and `audit` find the configuration as `serve` does: `--config`, else
/// `SHIKAKU_CONFIG`; and the database from its `[database] path` when `--db` is absent.
/// So an account added on the server's machine is hashed with the server's `[argon2]`
/// settings (issue 10, item 2: accounts hashed with other settings answered wrong
/// passwords in another time than unknown IDs).
#[test]
fn user_commands_find_the_servers_configuration_like_serve() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let config = dir.path().join("server.toml");
    std::fs::write(
        &config,
        format!(
            "[argon2]\nm_cost_kib = 512\nt_cost = 1\n[database]\npath = {:?}\n",
            p(&db)
        ),
    )
    .unwrap();
    let other = dir.path().join("other.toml");
    std::fs::write(
        &other,
        format!(
            "[argon2]\nm_cost_kib = 1024\nt_cost = 1\n[database]\npath = {:?}\n",
            p(&db)
        ),
    )
    .unwrap();
    let add = |login_id: &str, extra: &[&str], env: &[(&str, &Path)]| {
        let mut args = vec![
            "user",
            "add",
            "--create",
            "--json",
            "--institution-code",
            INSTITUTION_CODE,
            "--login-id",
            login_id,
        ];
        args.extend_from_slice(extra);
        assert_ok(&shikaku(dir.path(), &args, env))
    };
    // By the environment variable alone: no --db, no --config.
    add("byenv01", &[], &[("SHIKAKU_CONFIG", &config)]);
    assert!(db.exists(), "the database of [database] path");
    assert_eq!(stored_params(&db, "byenv01"), "m=512,t=1,p=1");
    // --config wins over the environment, as for serve.
    add(
        "byflag01",
        &["--config", p(&other)],
        &[("SHIKAKU_CONFIG", &config)],
    );
    assert_eq!(stored_params(&db, "byflag01"), "m=1024,t=1,p=1");
    // Without either, the manual's settings — and a note saying so.
    let out = shikaku(
        dir.path(),
        &[
            "user",
            "add",
            "--json",
            "--db",
            p(&db),
            "--institution-code",
            INSTITUTION_CODE,
            "--login-id",
            "bare01",
        ],
        &[],
    );
    assert_ok(&out);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("SHIKAKU_CONFIG"),
        "{out:?}"
    );
    assert_eq!(stored_params(&db, "bare01"), "m=19456,t=2,p=1");

    // list and audit read the same database through the variable.
    let list = assert_ok(&shikaku(
        dir.path(),
        &["user", "list", "--json"],
        &[("SHIKAKU_CONFIG", &config)],
    ));
    for id in ["byenv01", "byflag01", "bare01"] {
        assert!(list.contains(id), "{list}");
    }
    let audit = assert_ok(&shikaku(
        dir.path(),
        &["audit", "--json"],
        &[("SHIKAKU_CONFIG", &config)],
    ));
    assert!(audit.contains("byenv01"), "{audit}");
}
