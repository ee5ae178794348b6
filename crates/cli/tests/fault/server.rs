//! The real `shikaku` binary: provisioning with `shikaku user add`, a served process
//! whose output is kept for diagnostics, and the API calls the scenarios make.

use std::io::{self, BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::json;

use crate::http::{self, Response};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_shikaku");
/// The workspace test kit's 機関コード and initial password.
pub(crate) use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};
/// Cheap argon2 (256 KiB, one pass): the faults are under test, not the hash cost.
pub(crate) const CHEAP_ARGON2: &str = "[argon2]\nm_cost_kib = 256\nt_cost = 1\n";

/// Writes the cheap configuration into `dir`.
pub(crate) fn cheap_config(dir: &Path) -> PathBuf {
    let path = dir.join("shikaku.toml");
    std::fs::write(&path, CHEAP_ARGON2).unwrap();
    path
}

/// `shikaku user add --create --password … --json` (the first one creates the database);
/// panics with the output unless it succeeded.
pub(crate) fn add_user(db: &Path, config: &Path, login_id: &str, password: &str) {
    let output = Command::new(BIN)
        .arg("user")
        .arg("add")
        .arg("--create")
        .arg("--db")
        .arg(db)
        .arg("--config")
        .arg(config)
        .args([
            "--institution-code",
            INSTITUTION_CODE,
            "--login-id",
            login_id,
        ])
        .args(["--password", password, "--json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "user add {login_id}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let settings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(settings["login_id"], login_id);
}

/// A running `shikaku serve`. Dropping it kills it (SIGKILL).
pub(crate) struct Server {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<String>>,
}

fn keep_output(
    source: impl Read + Send + 'static,
    log: Arc<Mutex<String>>,
    url: mpsc::Sender<String>,
) {
    thread::spawn(move || {
        for line in BufReader::new(source).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.strip_prefix("shikaku serving on http://") {
                let _ = url.send(rest.split('/').next().unwrap_or("").to_owned());
            }
            let mut log = log.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
}

/// A loopback address with a port free right now, and its origin: `serve` needs its
/// public origin (`--public-origin`) before it binds, so the port is chosen first.
pub(crate) fn loopback() -> (String, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let origin = format!("http://{bind}");
    (bind, origin)
}

impl Server {
    /// `shikaku serve --db … --config … --bind 127.0.0.1:<free port> --public-origin
    /// http://127.0.0.1:<port>`.
    pub(crate) fn start(db: &Path, config: &Path) -> Self {
        let (bind, origin) = loopback();
        let mut command = Command::new(BIN);
        command
            .arg("serve")
            .arg("--db")
            .arg(db)
            .arg("--config")
            .arg(config)
            .args(["--bind", &bind, "--public-origin", &origin]);
        Self::spawn(command)
    }

    /// Runs `command` (`shikaku serve … --bind 127.0.0.1:<port>`) and waits until it says
    /// where it listens.
    pub(crate) fn spawn(mut command: Command) -> Self {
        let mut child = command
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        keep_output(child.stdout.take().unwrap(), Arc::clone(&log), tx.clone());
        keep_output(child.stderr.take().unwrap(), Arc::clone(&log), tx);
        let Ok(addr) = rx.recv_timeout(Duration::from_secs(60)) else {
            let _ = child.kill();
            let status = child.wait().ok();
            panic!(
                "shikaku serve did not start ({status:?}):\n{}",
                log.lock().unwrap()
            );
        };
        Self {
            child,
            addr: addr.parse().unwrap(),
            log,
        }
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the server printed so far.
    pub(crate) fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// SIGKILL (what `Child::kill` sends on Unix), then reaps it.
    pub(crate) fn kill(&mut self) -> ExitStatus {
        let _ = self.child.kill();
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ----- API calls ---------------------------------------------------------------------------

/// `POST /api/v1/login`.
pub(crate) fn login(addr: SocketAddr, login_id: &str, password: &str) -> io::Result<Response> {
    http::request(
        addr,
        "POST",
        "/api/v1/login",
        None,
        Some(&json!({
            "institution_code": INSTITUTION_CODE,
            "login_id": login_id,
            "password": password,
        })),
    )
}

/// `POST /api/v1/password`.
pub(crate) fn change_password(
    addr: SocketAddr,
    session: &str,
    current: &str,
    new: &str,
) -> io::Result<Response> {
    http::request(
        addr,
        "POST",
        "/api/v1/password",
        Some(session),
        Some(&json!({
            "current_password": current,
            "new_password": new,
            "new_password_confirm": new,
        })),
    )
}

/// A passcode for the setup key, by `oathtool` (RFC 6238, 30 s, 6 digits).
pub(crate) fn oathtool(setup_key: &str) -> String {
    let output = Command::new("oathtool")
        .args(["--totp", "-b", setup_key])
        .output()
        .unwrap_or_else(|e| panic!("oathtool is needed (apt-get install oathtool): {e}"));
    assert!(output.status.success(), "oathtool failed: {output:?}");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

fn expect(response: io::Result<Response>, status: u16, what: &str) -> serde_json::Value {
    let response = response.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(response.status, status, "{what}: {}", response.text());
    if response.body.is_empty() {
        serde_json::Value::Null
    } else {
        response.json()
    }
}

/// A login ticket for a first-time account (`next: "enroll"`).
pub(crate) fn login_ticket(addr: SocketAddr, login_id: &str, password: &str) -> String {
    let body = expect(login(addr, login_id, password), 200, "login");
    assert_eq!(body["next"], "enroll", "{login_id}");
    body["login_token"].as_str().unwrap().to_owned()
}

/// `GET /api/v1/enrollment`: the setup key.
pub(crate) fn setup_key(addr: SocketAddr, ticket: &str) -> String {
    let body = expect(
        http::request(addr, "GET", "/api/v1/enrollment", Some(ticket), None),
        200,
        "enrollment",
    );
    body["setup_key"].as_str().unwrap().to_owned()
}

/// First login of a fresh account: password, enrollment, passcode → a session token.
pub(crate) fn enroll(addr: SocketAddr, login_id: &str, password: &str) -> String {
    let ticket = login_ticket(addr, login_id, password);
    let key = setup_key(addr, &ticket);
    let body = expect(
        http::request(
            addr,
            "POST",
            "/api/v1/passcode",
            None,
            Some(&json!({"login_token": ticket, "passcode": oathtool(&key)})),
        ),
        200,
        "passcode",
    );
    assert_eq!(body["enrolled"], true);
    body["session_token"].as_str().unwrap().to_owned()
}
