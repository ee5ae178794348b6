//! Master-key rotation on the real binary (issue 14, item 4; docs/key-rotation.md):
//!
//! ```text
//!  12 staff enrolled under key 1 (`<db>.key`, the file `user add --create` made)
//!  key add, key use 2        while the server runs (it keeps its keys until restarted)
//!  restart                   now {2 current, 1}
//!  key retire 1              refused: sealed secrets and password hashes use it
//!  key rotate --batch 1 --pause-ms 150
//!                            while a client logs every user in (password, and a
//!                            passcode once per 30-second step): no login fails
//!  one login each            every password hash moves to key 2
//!  key retire 1              the file holds key 2 alone
//!  restart                   everyone logs in, password and passcode
//!  the old key file (key 1 only), a stranger's key:
//!                            `serve` refuses to start, and says why
//! ```

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use serde_json::json;
use shikaku::testing::{code_at, secret_of};
use shikaku::totp::Secret;
use time::OffsetDateTime;

use crate::http;
use crate::server::{self, BIN, INITIAL_PASSWORD, Server};
use crate::text;

const USERS: usize = 12;

/// One staff member as their client knows them.
struct Staff {
    login_id: String,
    secret: Secret,
    /// The newest 30-second step a passcode of theirs was accepted for.
    last_step: i64,
}

fn step(at: OffsetDateTime) -> i64 {
    at.unix_timestamp().div_euclid(30)
}

/// `shikaku <args>` with the test's database and configuration, nothing from the
/// environment.
fn shikaku(db: &Path, config: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--db")
        .arg(db)
        .arg("--config")
        .arg(config)
        .env_remove("SHIKAKU_CONFIG")
        .env_remove("SHIKAKU_MASTER_KEY_FILE")
        .env_remove("SHIKAKU_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[track_caller]
fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", text(out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn status(db: &Path, config: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(&shikaku(db, config, &["key", "status", "--json"]))).unwrap()
}

/// Key `id`'s row of `key status --json`.
fn key_row(status: &serde_json::Value, id: u64) -> serde_json::Value {
    status["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no key {id}: {status}"))
}

/// First login: password, enrollment, passcode; the client keeps the secret.
fn enroll(addr: SocketAddr, login_id: &str) -> Staff {
    let ticket = server::login_ticket(addr, login_id, INITIAL_PASSWORD);
    let secret = secret_of(&server::setup_key(addr, &ticket));
    let now = OffsetDateTime::now_utc();
    let response = passcode(addr, &ticket, &code_at(&secret, now)).unwrap();
    assert_eq!(response.0, 200, "{login_id}: {}", response.1);
    Staff {
        login_id: login_id.to_owned(),
        secret,
        last_step: step(now),
    }
}

fn passcode(addr: SocketAddr, ticket: &str, code: &str) -> Result<(u16, String), String> {
    http::request(
        addr,
        "POST",
        "/api/v1/passcode",
        None,
        Some(&json!({"login_token": ticket, "passcode": code})),
    )
    .map(|r| (r.status, r.text()))
    .map_err(|e| e.to_string())
}

/// The password step, and the passcode step when the Authenticator shows a code not used
/// yet (this step's, else the next one's, which the ±1 window accepts); `Err` says what
/// failed.
fn log_in(addr: SocketAddr, staff: &mut Staff) -> Result<bool, String> {
    let who = &staff.login_id;
    let response =
        server::login(addr, who, INITIAL_PASSWORD).map_err(|e| format!("{who}: login: {e}"))?;
    if response.status != 200 || response.json()["next"] != "passcode" {
        return Err(format!(
            "{who}: login {}: {}",
            response.status,
            response.text()
        ));
    }
    let ticket = response.json()["login_token"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let now = OffsetDateTime::now_utc();
    let target = (step(now)..=step(now) + 1).find(|s| *s > staff.last_step);
    let Some(target) = target else {
        return Ok(false);
    };
    let at = OffsetDateTime::from_unix_timestamp(target * 30).map_err(|e| e.to_string())?;
    let (status, body) = passcode(addr, &ticket, &code_at(&staff.secret, at))?;
    if status != 200 {
        return Err(format!("{who}: passcode {status}: {body}"));
    }
    staff.last_step = target;
    Ok(true)
}

/// Every user logs in, passcode included (waiting for the next step when someone's
/// codes of this step and the next are spent).
fn everyone_logs_in(addr: SocketAddr, staff: &mut [Staff]) {
    for member in staff {
        loop {
            if log_in(addr, member).unwrap() {
                break;
            }
            #[allow(clippy::disallowed_methods)]
            thread::sleep(std::time::Duration::from_secs(1));
        }
    }
}

#[test]
fn the_master_key_rotates_while_staff_keep_logging_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shikaku.db");
    let config = server::cheap_config(dir.path());
    for i in 0..USERS {
        server::add_user(&db, &config, &format!("staff{i:02}"), INITIAL_PASSWORD);
    }
    let key_file = shikaku_store_sqlite::key_file_path(&db);
    let only_key_one = dir.path().join("key-1-only.key");
    std::fs::copy(&key_file, &only_key_one).unwrap();

    let mut server = Server::start(&db, &config);
    let mut staff: Vec<Staff> = (0..USERS)
        .map(|i| enroll(server.addr(), &format!("staff{i:02}")))
        .collect();

    // Steps 1 and 2 while the server runs.
    let added = ok(&shikaku(&db, &config, &["key", "add"]));
    assert!(added.contains("added master key 2"), "{added}");
    let used = ok(&shikaku(&db, &config, &["key", "use", "2"]));
    assert!(used.contains("master key 2 is now current"), "{used}");
    let file = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(
        file.lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| &l[..2])
            .collect::<Vec<_>>(),
        ["2 ", "1 "],
        "the current key first"
    );
    let before = status(&db, &config);
    assert_eq!(before["current"], 2);
    assert_eq!(key_row(&before, 1)["check_value"], "matches");
    assert_eq!(
        key_row(&before, 2)["check_value"],
        "matches",
        "recorded by `key add`"
    );
    assert_eq!(key_row(&before, 1)["sealed_secrets"], USERS);
    drop(server);
    server = Server::start(&db, &config);
    let addr = server.addr();

    let refused = shikaku(&db, &config, &["key", "retire", "1"]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("still in use"),
        "{}",
        text(&refused)
    );
    assert!(text(&refused).contains("nothing was changed"));
    let refused = shikaku(&db, &config, &["key", "retire", "2"]);
    assert!(text(&refused).contains("current key"), "{}", text(&refused));

    // Step 3 under live traffic.
    let stop = Arc::new(AtomicBool::new(false));
    let logins = Arc::new(Mutex::new((0usize, 0usize, Vec::<String>::new())));
    let client = {
        let (stop, logins) = (Arc::clone(&stop), Arc::clone(&logins));
        thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                for member in &mut staff {
                    let outcome = log_in(addr, member);
                    let mut tally = logins.lock().unwrap();
                    match outcome {
                        Ok(with_passcode) => {
                            tally.0 += 1;
                            tally.1 += usize::from(with_passcode);
                        }
                        Err(why) => tally.2.push(why),
                    }
                }
            }
            staff
        })
    };
    let before_rotation = logins.lock().unwrap().0;
    let rotated = shikaku(
        &db,
        &config,
        &["key", "rotate", "--batch", "1", "--pause-ms", "150"],
    );
    let during = logins.lock().unwrap().0 - before_rotation;
    stop.store(true, Ordering::SeqCst);
    let mut staff = client.join().unwrap();
    let rotated = ok(&rotated);
    assert!(
        rotated.contains(&format!(
            "{USERS} accounts, {USERS} TOTP secrets sealed again"
        )),
        "{rotated}"
    );
    let (total, with_passcode, failures) = logins.lock().unwrap().clone();
    assert!(failures.is_empty(), "logins failed: {failures:#?}");
    assert!(
        during >= USERS,
        "the client logged in during the rotation ({during})"
    );
    assert!(
        with_passcode >= USERS,
        "{with_passcode} passcodes in {total} logins"
    );
    let after = status(&db, &config);
    assert_eq!(key_row(&after, 1)["sealed_secrets"], 0);
    assert_eq!(key_row(&after, 2)["sealed_secrets"], USERS);

    // Logins moved the password hashes: key 1 is unused and leaves the file.
    everyone_logs_in(addr, &mut staff);
    let moved = status(&db, &config);
    assert_eq!(key_row(&moved, 1)["password_hashes"], 0, "{moved}");
    assert_eq!(key_row(&moved, 1)["retirable"], true);
    let retired = ok(&shikaku(&db, &config, &["key", "retire", "1"]));
    assert!(retired.contains("retired master key 1"), "{retired}");
    let file = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(file.lines().filter(|l| !l.starts_with('#')).count(), 1);
    assert!(file.contains("\n2 "));
    drop(server);

    let server = Server::start(&db, &config);
    everyone_logs_in(server.addr(), &mut staff);
    drop(server);

    // The old key file: its key no longer opens anything here.
    let (bind, origin) = server::loopback();
    let serve = |key: &Path| {
        Command::new(BIN)
            .args(["serve", "--bind", &bind, "--public-origin", &origin])
            .arg("--db")
            .arg(&db)
            .arg("--config")
            .arg(&config)
            .arg("--master-key-file")
            .arg(key)
            .env_remove("SHIKAKU_CONFIG")
            .env_remove("SHIKAKU_DATABASE_URL")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let old = serve(&only_key_one);
    assert!(!old.status.success());
    assert!(
        text(&old).contains("made under master key 2, which this node's key file does not hold"),
        "{}",
        text(&old)
    );
    let stranger = dir.path().join("stranger.key");
    ok(&Command::new(BIN)
        .args(["key", "generate", "--out"])
        .arg(&stranger)
        .output()
        .unwrap());
    let wrong = serve(&stranger);
    assert!(!wrong.status.success());
    assert!(
        text(&wrong).contains("does not belong to this database"),
        "{}",
        text(&wrong)
    );
    assert!(!text(&wrong).contains("serving on"));
}
