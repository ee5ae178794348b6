//! A full disk and an unwritable database file under a running server.
//!
//! As root, `chmod` stops nothing, so the faults are made for real:
//!
//! * **full disk** — the server runs in a private mount namespace (`unshare --mount`)
//!   with its database on a 2 MiB tmpfs; `nsenter` into that namespace fills the tmpfs
//!   with `dd` until ENOSPC, and later deletes the filler. The mount vanishes with the
//!   server, so nothing outlives the test.
//! * **unwritable file** — `chattr +i` on the database and its `-wal` while the server
//!   has them open: every write(2) fails with EPERM, as on a file that turned read-only
//!   under the process. A guard clears the flag whatever happens.
//!
//! Either way: logins (which must record the lockout counter before verifying) are
//! refused with a JSON error / the error page — never a wrong-password answer, never a
//! login without the counter — the log names the cause, every read keeps working (pages,
//! static files, the OpenAPI document, and a store read: the pending enrollment's setup
//! key), and once the fault is gone writes work again without a restart. A session check
//! is a write (it records the activity for the idle timeout), so during the fault it is
//! refused as well; the session itself survives. Both need root
//! (CI runs as root); without it they fail and say so.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use shikaku_store_sqlite::SqliteStore;

use crate::http::{self, Response};
use crate::server::{self, BIN, Server};

const USER: &str = "staff01";
/// Logged in (enrolled, with a session) before the fault.
const ENROLLED: &str = "staff02";
const PASSWORD: &str = server::INITIAL_PASSWORD;
/// Cheap argon2, and plain-http cookies so the screens can be driven over loopback.
const CONFIG: &str = "[argon2]\nm_cost_kib = 256\nt_cost = 1\n[server]\ninsecure_cookies = true\n";

fn require_root() {
    let uid = Command::new("id").arg("-u").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&uid.stdout).trim(),
        "0",
        "the disk-fault tests need root (tmpfs mounts in a private namespace, chattr); \
         run them as root, as CI does"
    );
}

fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `application/x-www-form-urlencoded` as browsers write it (WHATWG URL §5.2: only
/// `*-._` and alphanumerics stay as they are).
fn form_encode(fields: &[(&str, &str)]) -> Vec<u8> {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"*-._".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

/// The 《ログイン》 screen, opened before the fault: its session cookie and CSRF token.
struct LoginForm {
    cookie: String,
    csrf: String,
}

fn open_login_form(addr: SocketAddr) -> LoginForm {
    let page = http::send(addr, "GET", "/login", &[], None).unwrap();
    assert_eq!(page.status, 200);
    let cookie = page
        .headers("set-cookie")
        .iter()
        .map(|c| c.split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ");
    let text = page.text();
    let marker = "name=\"csrf_token\" value=\"";
    let start = text.find(marker).expect("a CSRF field") + marker.len();
    let csrf = text[start..].split('"').next().unwrap().to_owned();
    LoginForm { cookie, csrf }
}

fn submit_login_form(addr: SocketAddr, form: &LoginForm) -> Response {
    let body = form_encode(&[
        ("csrf_token", &form.csrf),
        ("institution_code", server::INSTITUTION_CODE),
        ("login_id", USER),
        ("password", PASSWORD),
    ]);
    http::send(
        addr,
        "POST",
        "/login",
        &[
            ("Cookie", form.cookie.clone()),
            ("Origin", format!("http://{addr}")),
        ],
        Some(("application/x-www-form-urlencoded", body)),
    )
    .unwrap()
}

/// The same scenario for every fault: `break_it` makes writes fail, `repair` undoes it.
fn writes_fail_clearly_reads_keep_working(
    serving: &Server,
    log_says: &str,
    break_it: impl FnOnce(),
    repair: impl FnOnce(),
) {
    let addr = serving.addr();
    // Before the fault: a logged-in staff member, a half-finished login whose enrollment
    // key exists (a read later), and an open login form.
    let session = server::enroll(addr, ENROLLED, PASSWORD);
    let ticket = server::login_ticket(addr, USER, PASSWORD);
    let setup_key = server::setup_key(addr, &ticket);
    let form = open_login_form(addr);

    break_it();

    // Writes: a login must record its attempt first, so it is refused — as a server
    // error, never as a wrong password, and never by letting the login through.
    for _ in 0..3 {
        let r = server::login(addr, USER, PASSWORD).unwrap();
        let body = r.json();
        assert_eq!(
            (r.status, body["error"].as_str()),
            (503, Some("unavailable")),
            "login during the fault: {body}"
        );
        assert!(r.header("retry-after").is_some(), "503 without Retry-After");
        assert!(!body["message"].as_str().unwrap_or("").is_empty(), "{body}");
    }
    let page = submit_login_form(addr, &form);
    assert_eq!(
        page.status,
        503,
        "the login screen during the fault: {}",
        page.text()
    );
    // This client sends no Accept-Language: the page is the English one (the Japanese
    // 一時的に利用できません page is the multinode outage test's).
    assert!(
        page.text().contains("Temporarily unavailable") && page.text().contains("try again"),
        "the screen should say the service is temporarily unavailable: {}",
        page.text()
    );
    // The load balancer's view: not ready while writes fail.
    let ready = http::send(addr, "GET", "/readyz", &[], None).unwrap();
    assert_eq!(
        ready.status,
        503,
        "readiness during the fault: {}",
        ready.text()
    );
    // The log is read from the server's stderr by another thread: give it a moment.
    let mut log = serving.log();
    for _ in 0..50 {
        if log.contains(log_says) {
            break;
        }
        std::thread::park_timeout(std::time::Duration::from_millis(100));
        log = serving.log();
    }
    assert!(
        log.contains(log_says),
        "the log should say {log_says:?}:\n{log}"
    );

    // Reads keep working: pages, static files, the contract, and the store itself.
    for path in [
        "/",
        "/login",
        "/static/shikaku.css",
        "/static/shikaku.js",
        "/api/v1/openapi.json",
    ] {
        let r = http::send(addr, "GET", path, &[], None).unwrap();
        assert_eq!(r.status, 200, "GET {path} during the fault: {}", r.text());
    }
    assert_eq!(
        server::setup_key(addr, &ticket),
        setup_key,
        "the pending enrollment is read from the database during the fault"
    );
    // A session check records the activity (the 30-minute idle clock), which is a
    // write: a logged-in staff member gets the error too, not a silent pass.
    let r = http::request(addr, "GET", "/api/v1/session", Some(&session), None).unwrap();
    assert_eq!(
        r.status,
        503,
        "session check during the fault: {}",
        r.text()
    );

    repair();

    // Writes work again, without a restart.
    let r = server::login(addr, USER, PASSWORD).unwrap();
    assert_eq!(r.status, 200, "login after the repair: {}", r.text());
    let page = submit_login_form(addr, &open_login_form(addr));
    assert_eq!(page.status, 303, "the login screen after the repair");
    let r = http::request(addr, "GET", "/api/v1/session", Some(&session), None).unwrap();
    assert_eq!(
        r.status,
        200,
        "the session survived the fault: {}",
        r.text()
    );
}

/// Puts `shikaku.db` (+ key) with one account into `dir`.
fn seed(dir: &Path) -> (PathBuf, PathBuf) {
    let db = dir.join("shikaku.db");
    let config = dir.join("shikaku.toml");
    std::fs::write(&config, CONFIG).unwrap();
    server::add_user(&db, &config, USER, PASSWORD);
    server::add_user(&db, &config, ENROLLED, PASSWORD);
    (db, config)
}

#[test]
fn a_full_disk_refuses_writes_clearly_and_keeps_serving_reads() {
    require_root();
    let dir = tempfile::tempdir().unwrap();
    let seed_dir = dir.path().join("seed");
    let disk = dir.path().join("disk");
    std::fs::create_dir_all(&seed_dir).unwrap();
    std::fs::create_dir_all(&disk).unwrap();
    let (_, config) = seed(&seed_dir);

    // sh: mount a 2 MiB tmpfs on $1, copy the seed database into it, serve it.
    let (bind, origin) = server::loopback();
    let mut command = Command::new("unshare");
    command
        .args(["--mount", "--propagation", "private", "--", "sh", "-c"])
        .arg(
            "mount -t tmpfs -o size=2m,mode=0700 tmpfs \"$1\" \
             && cp -p \"$2/shikaku.db\" \"$2/shikaku.db.key\" \"$1/\" \
             && exec \"$3\" serve --db \"$1/shikaku.db\" --config \"$4\" --bind \"$5\" \
             --public-origin \"$6\"",
        )
        .arg("sh")
        .args([&disk, &seed_dir, Path::new(BIN), &config])
        .args([bind, origin]);
    let serving = Server::spawn(command);
    // `unshare` and `sh` exec, so the child is the server, inside the namespace.
    let pid = serving.pid().to_string();
    let in_namespace = |script: &str| {
        let mut c = Command::new("nsenter");
        c.args(["-t", &pid, "-m", "--", "sh", "-c", script, "sh"])
            .arg(&disk);
        c
    };

    writes_fail_clearly_reads_keep_working(
        &serving,
        "the disk is full",
        || {
            // dd stops at ENOSPC (and says so); the disk is then full.
            let _ = in_namespace("dd if=/dev/zero of=\"$1/filler\" bs=4k").output();
            let df = in_namespace("df -k --output=avail \"$1\" | tail -1")
                .output()
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&df.stdout).trim(), "0", "{df:?}");
        },
        || run(&mut in_namespace("rm \"$1/filler\"")),
    );

    // The database went through the full disk intact: copy it out of the namespace
    // (the server is idle) and check it.
    let copy = dir.path().join("copy");
    std::fs::create_dir_all(&copy).unwrap();
    run(in_namespace("cp -p \"$1\"/shikaku.db* \"$2\"/").arg(&copy));
    let store = SqliteStore::open_read_only(copy.join("shikaku.db")).unwrap();
    store.check_integrity().unwrap();
}

/// Clears `chattr +i` from its files when dropped, so the temp dir can be removed even
/// after a failed assertion.
struct Immutable(Vec<PathBuf>);

impl Immutable {
    fn set(files: &[PathBuf]) -> Self {
        run(Command::new("chattr").arg("+i").args(files));
        Self(files.to_vec())
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").args(&self.0).status();
    }
}

#[test]
fn an_unwritable_database_file_refuses_writes_clearly_and_keeps_serving_reads() {
    require_root();
    let dir = tempfile::tempdir().unwrap();
    let (db, config) = seed(dir.path());
    let serving = Server::start(&db, &config);
    let files = [db.clone(), dir.path().join("shikaku.db-wal")];
    let guard = RefCell::new(None);
    writes_fail_clearly_reads_keep_working(
        &serving,
        "a disk I/O error occurred",
        || {
            *guard.borrow_mut() = Some(Immutable::set(&files));
            // Root ignores permission bits, but not the immutable flag.
            assert!(
                std::fs::OpenOptions::new().append(true).open(&db).is_err(),
                "chattr +i did not make the file unwritable"
            );
        },
        || drop(guard.borrow_mut().take()),
    );
    drop(serving);
    SqliteStore::open_read_only(&db)
        .unwrap()
        .check_integrity()
        .unwrap();
}
