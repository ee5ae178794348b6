//! Target (b): the real `shikaku` binary (`shikaku serve --db … --config … --bind
//! 127.0.0.1:<port>`) over its SQLite store, administered with `shikaku user …` and read
//! back with `shikaku audit --json`. Everything it prints (stdout and stderr) is kept
//! for the log-hygiene test.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use shikaku::testing::INSTITUTION_CODE;
use tempfile::TempDir;

use crate::client::Browser;

const BIN: &str = env!("CARGO_BIN_EXE_shikaku");

/// `shikaku.toml` for a server with the manual's rules and argon2 cost.
pub(crate) const MANUAL: &str = "";
/// The manual's rules with argon2 made cheap (for tests about input, not cost).
pub(crate) const CHEAP: &str = "[argon2]\nm_cost_kib = 64\nt_cost = 1\n";

pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    dir: TempDir,
    child: Child,
    output: Arc<Mutex<Vec<u8>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    /// A database and config in a fresh directory; nothing started yet.
    pub(crate) fn prepare(config: &str) -> Prepared {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("shikaku.toml"), config).unwrap();
        Prepared { dir }
    }

    pub(crate) fn db(&self) -> PathBuf {
        self.dir.path().join("shikaku.db")
    }

    pub(crate) fn config(&self) -> PathBuf {
        self.dir.path().join("shikaku.toml")
    }

    pub(crate) fn browser(&self) -> Browser {
        Browser::new(self.addr)
    }

    /// Every byte the server printed so far (stdout and stderr).
    pub(crate) fn output(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    /// Stops the server and returns everything it printed.
    pub(crate) fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        self.output()
    }

    pub(crate) fn audit(&self) -> Vec<serde_json::Value> {
        audit(&self.db(), &self.config())
    }

    pub(crate) fn users(&self) -> Vec<serde_json::Value> {
        json_lines(&cli(&[
            "user",
            "list",
            "--json",
            "--db",
            path(&self.db()),
            "--config",
            path(&self.config()),
        ]))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) struct Prepared {
    dir: TempDir,
}

impl Prepared {
    pub(crate) fn db(&self) -> PathBuf {
        self.dir.path().join("shikaku.db")
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("shikaku.toml")
    }

    /// `shikaku user add --json` with a chosen password.
    pub(crate) fn add_user(self, login_id: &str, password: &str) -> Self {
        add_user(&self.db(), &self.config(), login_id, password);
        self
    }

    /// `shikaku user add --json` into the server's database, but with another
    /// configuration (`config`): e.g. older `[argon2]` settings than the server's.
    pub(crate) fn add_user_with(self, config: &str, login_id: &str, password: &str) -> Self {
        let other = self.dir.path().join(format!("{login_id}.toml"));
        std::fs::write(&other, config).unwrap();
        add_user(&self.db(), &other, login_id, password);
        self
    }

    /// Starts `shikaku serve` with `RUST_LOG=rust_log` and waits until it accepts.
    pub(crate) fn serve(self, rust_log: &str) -> Server {
        let port = free_port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut child = Command::new(BIN)
            .args(["serve", "--db"])
            .arg(self.db())
            .arg("--config")
            .arg(self.config())
            .args(["--bind", &addr.to_string()])
            .args(["--public-origin", &format!("http://{addr}")])
            .env("RUST_LOG", rust_log)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start shikaku serve");
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut readers = Vec::new();
        let out: Box<dyn Read + Send> = Box::new(child.stdout.take().unwrap());
        let err: Box<dyn Read + Send> = Box::new(child.stderr.take().unwrap());
        for mut pipe in [out, err] {
            let sink = Arc::clone(&output);
            readers.push(std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    sink.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            }));
        }
        let mut server = Server {
            addr,
            dir: self.dir,
            child,
            output,
            readers,
        };
        for _ in 0..200 {
            if TcpStream::connect(addr).is_ok() {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("shikaku serve exited ({status}): {}", server.output());
            }
            pause(Duration::from_millis(25));
        }
        let _ = server.child.kill();
        panic!("shikaku serve did not listen: {}", server.output());
    }
}

/// The one sleep of this suite: waiting for a child process to listen.
#[allow(clippy::disallowed_methods)] // test harness: polling a child process
fn pause(d: Duration) {
    std::thread::sleep(d);
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs the CLI; panics with its output unless it succeeds.
pub(crate) fn cli(args: &[&str]) -> String {
    let output = Command::new(BIN).args(args).output().expect("run shikaku");
    assert!(
        output.status.success(),
        "shikaku {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

pub(crate) fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// `shikaku user add --create --json` (the first one creates the database).
pub(crate) fn add_user(db: &Path, config: &Path, login_id: &str, password: &str) {
    let out = cli(&[
        "user",
        "add",
        "--create",
        "--json",
        "--db",
        path(db),
        "--config",
        path(config),
        "--institution-code",
        INSTITUTION_CODE,
        "--login-id",
        login_id,
        "--password",
        password,
    ]);
    let settings: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(settings["login_id"], login_id);
}

pub(crate) fn audit(db: &Path, config: &Path) -> Vec<serde_json::Value> {
    json_lines(&cli(&[
        "audit",
        "--json",
        "--limit",
        "100000",
        "--db",
        path(db),
        "--config",
        path(config),
    ]))
}

/// How many audit events of `kind` name `login_id`.
pub(crate) fn count(events: &[serde_json::Value], kind: &str, login_id: &str) -> usize {
    events
        .iter()
        .filter(|e| e["kind"] == kind && account_login_id(e).as_deref() == Some(login_id))
        .count()
}

fn account_login_id(event: &serde_json::Value) -> Option<String> {
    let account = &event["account"];
    if let Some(id) = account.get("login_id").and_then(|v| v.as_str()) {
        return Some(id.to_owned());
    }
    // A key serialised as one string, "<code>/<login id>".
    account
        .as_str()
        .and_then(|s| s.rsplit('/').next())
        .map(str::to_owned)
}
