//! Running it in production (issue 14), on the real binary: `shikaku backup` while the
//! server serves and writes, then a server on the copy (with the key file kept apart)
//! logs the enrolled account in; `shikaku audit export` streams every event once, in
//! order, between its bounds, while the server appends more.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde_json::{Value, json};
use shikaku::testing::{code_at, secret_of};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::http;
use crate::server::{
    BIN, INITIAL_PASSWORD, Server, add_user, cheap_config, login, login_ticket, setup_key,
};
use crate::text;

fn shikaku(args: &[&str], db: &Path, config: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--db")
        .arg(db)
        .arg("--config")
        .arg(config)
        .output()
        .unwrap()
}

/// Logs in with the password and the Authenticator of `setup_key` (the next step's
/// code, so a code the original server accepted in this step is not a replay).
fn passcode_login(addr: std::net::SocketAddr, login_id: &str, setup_key: &str) -> u16 {
    let body = login(addr, login_id, INITIAL_PASSWORD).unwrap().json();
    assert_eq!(body["next"], "passcode", "{body}");
    let code = code_at(
        &secret_of(setup_key),
        OffsetDateTime::now_utc() + Duration::seconds(30),
    );
    http::request(
        addr,
        "POST",
        "/api/v1/passcode",
        None,
        Some(&json!({"login_token": body["login_token"], "passcode": code})),
    )
    .unwrap()
    .status
}

/// A client keeps logging in (each login writes counters, a ticket and audit events)
/// while `shikaku backup` copies the database; a second backup to the same file is
/// refused and leaves it alone. The copy alone does not start (its key is not in it);
/// with the key file copied beside it, a server on the copy logs the enrolled account
/// in with its password and Authenticator. PostgreSQL is refused with its tools named.
#[test]
fn a_backup_while_serving_serves_with_the_key_file_restored_apart() {
    let dir = tempfile::tempdir().unwrap();
    let (db, config) = (dir.path().join("shikaku.db"), cheap_config(dir.path()));
    add_user(&db, &config, "backup01", INITIAL_PASSWORD);
    add_user(&db, &config, "backup02", INITIAL_PASSWORD);
    let server = Server::start(&db, &config);
    let ticket = login_ticket(server.addr(), "backup01", INITIAL_PASSWORD);
    let key = setup_key(server.addr(), &ticket);
    let enrolled = http::request(
        server.addr(),
        "POST",
        "/api/v1/passcode",
        None,
        Some(&json!({"login_token": ticket, "passcode": code_at(&secret_of(&key), OffsetDateTime::now_utc())})),
    )
    .unwrap();
    assert_eq!(enrolled.status, 200, "{}", enrolled.text());

    let stop = Arc::new(AtomicBool::new(false));
    let logins = Arc::new(AtomicUsize::new(0));
    let client = {
        let (stop, logins, addr) = (Arc::clone(&stop), Arc::clone(&logins), server.addr());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let r = login(addr, "backup02", INITIAL_PASSWORD).unwrap();
                assert_eq!(r.status, 200, "{}", r.text());
                logins.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    while logins.load(Ordering::SeqCst) < 5 {
        std::thread::yield_now();
    }
    let copy = dir.path().join("copy.db");
    let copy_arg = copy.to_str().unwrap();
    let backup = shikaku(&["backup", "--to", copy_arg], &db, &config);
    let during = logins.load(Ordering::SeqCst);
    assert!(backup.status.success(), "{}", text(&backup));
    let said = text(&backup);
    assert!(
        said.contains("shikaku.db.key") && said.contains("not in the backup"),
        "{said}"
    );
    let again = shikaku(&["backup", "--to", copy_arg], &db, &config);
    assert!(!again.status.success());
    assert!(text(&again).contains("exists"), "{}", text(&again));
    while logins.load(Ordering::SeqCst) < during + 5 {
        std::thread::yield_now();
    }
    stop.store(true, Ordering::SeqCst);
    client.join().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }

    // The restore: the copy as the database of a new place, first without its key.
    let restored = tempfile::tempdir().unwrap();
    let rdb = restored.path().join("shikaku.db");
    std::fs::copy(&copy, &rdb).unwrap();
    let mut keyless = Command::new(BIN)
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--public-origin",
            "http://127.0.0.1:1",
        ])
        .arg("--db")
        .arg(&rdb)
        .arg("--config")
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while keyless.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = keyless.kill();
            panic!("a server started on a backup without its key file");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let keyless = keyless.wait_with_output().unwrap();
    assert!(!keyless.status.success(), "served without its key");
    assert!(text(&keyless).contains("key file"), "{}", text(&keyless));
    std::fs::copy(
        dir.path().join("shikaku.db.key"),
        restored.path().join("shikaku.db.key"),
    )
    .unwrap();
    let served = Server::start(&rdb, &config);
    assert_eq!(passcode_login(served.addr(), "backup01", &key), 200);
    let users = shikaku(&["user", "list", "--json"], &rdb, &config);
    assert_eq!(String::from_utf8_lossy(&users.stdout).lines().count(), 2);
    drop(server);

    let postgres = Command::new(BIN)
        .args(["backup", "--to"])
        .arg(dir.path().join("pg.db"))
        .args(["--database-url", "postgres://shikaku@127.0.0.1:1/shikaku"])
        .output()
        .unwrap();
    assert!(!postgres.status.success());
    assert!(text(&postgres).contains("pg_dump"), "{}", text(&postgres));
    assert!(!dir.path().join("pg.db").exists());
}

fn lines(output: &Output) -> Vec<Value> {
    assert!(output.status.success(), "{}", text(output));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn seqs(events: &[Value]) -> Vec<i64> {
    events.iter().map(|e| e["seq"].as_i64().unwrap()).collect()
}

/// 1,200 events (more than two of the export's pages), exported while the server
/// appends more: every event once, in sequence order; `--since`/`--until` bound by
/// instant, `--after-seq` carries on; a reader that hangs up ends the export quietly.
#[test]
fn audit_export_streams_every_event_once_in_order_between_its_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let (db, config) = (dir.path().join("shikaku.db"), cheap_config(dir.path()));
    add_user(&db, &config, "export01", INITIAL_PASSWORD);
    let server = Server::start(&db, &config);
    let guess = |i: usize| {
        let r = login(server.addr(), &format!("nobody{i:04}"), "Wrong#Pass1").unwrap();
        assert_eq!(r.status, 401, "{}", r.text());
    };
    (0..1200).for_each(guess);

    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (stop, addr) = (Arc::clone(&stop), server.addr());
        std::thread::spawn(move || {
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                let _ = login(addr, &format!("later{i:04}"), "Wrong#Pass1").unwrap();
                i += 1;
            }
        })
    };
    let all = lines(&shikaku(&["audit", "export", "--json"], &db, &config));
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    assert!(all.len() > 1200, "{}", all.len());
    let order = seqs(&all);
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "oldest first, each once"
    );
    assert_eq!(order.iter().collect::<HashSet<_>>().len(), order.len());
    assert_eq!(all[0]["kind"], "account_provisioned");
    assert!(all[1..1201].iter().all(|e| e["kind"] == "password_failed"));

    // Bounds by instant: [since, until) of events 300 and 900.
    let (since, until) = (
        all[300]["at"].as_str().unwrap(),
        all[900]["at"].as_str().unwrap(),
    );
    let at = |e: &Value| OffsetDateTime::parse(e["at"].as_str().unwrap(), &Rfc3339).unwrap();
    let (from, to) = (at(&all[300]), at(&all[900]));
    let bounded = lines(&shikaku(
        &[
            "audit", "export", "--json", "--since", since, "--until", until,
        ],
        &db,
        &config,
    ));
    let expected: Vec<i64> = all
        .iter()
        .filter(|e| at(e) >= from && at(e) < to)
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs(&bounded), expected);
    assert!(!expected.is_empty());
    let after = order[999].to_string();
    let rest = lines(&shikaku(
        &["audit", "export", "--json", "--after-seq", &after],
        &db,
        &config,
    ));
    assert_eq!(seqs(&rest[..all.len() - 1000]), order[1000..]);
    // Text lines too: one per event, the sequence number first.
    let plain = shikaku(&["audit", "export"], &db, &config);
    let first = String::from_utf8_lossy(&plain.stdout)
        .lines()
        .next()
        .map(str::to_owned);
    assert!(first.is_some_and(|l| l.trim_start().starts_with("1 ")));

    // A reader that stops after one line: the export ends without an error message.
    let mut child = Command::new(BIN)
        .args(["audit", "export", "--json", "--db"])
        .arg(&db)
        .arg("--config")
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(first.contains("\"seq\":1"), "{first}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.status.success(), "{:?} {stderr}", output.status);
    drop(server);
}
