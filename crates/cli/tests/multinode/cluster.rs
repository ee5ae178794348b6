//! Three `shikaku serve` processes on one PostgreSQL database, and the CLI pointed at it.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use shikaku::testing::INSTITUTION_CODE;
use shikaku_store_postgres::testing::TempPostgres;
use tempfile::TempDir;

use crate::client::Browser;

const BIN: &str = env!("CARGO_BIN_EXE_shikaku");

/// Nodes per cluster.
pub(crate) const NODES: usize = 3;

/// Passcode steps accepted either side of now (`[totp] window`): a test that needs
/// several sessions of one account gets a few fresh codes without waiting 30 s for each.
pub(crate) const WINDOW: u64 = 3;

/// The manual's argon2 cost (19 MiB, two passes), for races on a verification.
pub(crate) const MANUAL_COST: &str = "";
/// Cheap argon2, where the cost is not under test.
pub(crate) const CHEAP: &str = "[argon2]\nm_cost_kib = 64\nt_cost = 1\n";

/// A configuration file: `[database]` keys (`database`, e.g. the timeouts), then the
/// other sections (`rest`). Each node keeps a small pool: several clusters share the
/// PostgreSQL server.
pub(crate) fn config(database: &str, rest: &str) -> String {
    format!("[database]\npool_size = 4\n{database}\n[totp]\nwindow = {WINDOW}\n{rest}")
}

/// The database, the key, the configuration and the running nodes.
pub(crate) struct Cluster {
    dir: TempDir,
    pub(crate) url: String,
    pub(crate) key: PathBuf,
    pub(crate) config: PathBuf,
    pub(crate) nodes: Vec<Node>,
}

impl Cluster {
    /// A fresh database on the shared server, a key, `config`, users, three nodes.
    pub(crate) fn start(config: &str, users: &[&str], password: &str) -> Self {
        Self::start_on(
            TempPostgres::shared().new_database(),
            config,
            users,
            password,
        )
    }

    /// The same on the database at `url`.
    pub(crate) fn start_on(url: String, config: &str, users: &[&str], password: &str) -> Self {
        let mut cluster = Self::prepare(url, config);
        cluster.add_users(users, password);
        for _ in 0..NODES {
            let node = cluster.spawn_node().unwrap_or_else(|e| panic!("{e}"));
            cluster.nodes.push(node);
        }
        cluster
    }

    /// Key file and configuration in a fresh directory; no node yet.
    pub(crate) fn prepare(url: String, config: &str) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let key = dir.path().join("master.key");
        run(&["key", "generate", "--out", path(&key)]);
        let config_path = dir.path().join("shikaku.toml");
        std::fs::write(&config_path, config).expect("write shikaku.toml");
        Self {
            dir,
            url,
            key,
            config: config_path,
            nodes: Vec::new(),
        }
    }

    /// Node `i`'s address.
    pub(crate) fn addr(&self, i: usize) -> SocketAddr {
        self.nodes[i % self.nodes.len()].addr
    }

    /// A browser on node `i`.
    pub(crate) fn browser(&self, i: usize) -> Browser {
        Browser::new(self.addr(i))
    }

    /// Starts `shikaku serve` on this database with this key and configuration.
    pub(crate) fn spawn_node(&self) -> Result<Node, String> {
        let store = [
            "--database-url",
            &self.url,
            "--master-key-file",
            path(&self.key),
        ];
        Node::spawn(&store, &self.config, self.dir.path())
    }

    /// Runs `shikaku <args> --database-url … --master-key-file … --config …`.
    pub(crate) fn cli(&self, args: &[&str]) -> String {
        let mut all = args.to_vec();
        all.extend([
            "--database-url",
            &self.url,
            "--master-key-file",
            path(&self.key),
            "--config",
            path(&self.config),
        ]);
        run(&all)
    }

    /// `shikaku user add` for each of `login_ids` (a few at a time), all with `password`.
    pub(crate) fn add_users(&self, login_ids: &[&str], password: &str) {
        thread::scope(|s| {
            for chunk in login_ids.chunks(login_ids.len().div_ceil(4).max(1)) {
                s.spawn(move || {
                    for id in chunk {
                        self.add_user(id, password);
                    }
                });
            }
        });
    }

    pub(crate) fn add_user(&self, login_id: &str, password: &str) {
        let out = self.cli(&[
            "user",
            "add",
            "--json",
            "--institution-code",
            INSTITUTION_CODE,
            "--login-id",
            login_id,
            "--password",
            password,
        ]);
        let settings: serde_json::Value =
            serde_json::from_str(out.trim()).expect("`user add --json` prints JSON");
        assert_eq!(settings["login_id"], login_id);
    }

    /// `shikaku audit --json --limit 1000`.
    pub(crate) fn audit(&self) -> Vec<serde_json::Value> {
        json_lines(&self.cli(&["audit", "--json", "--limit", "1000"]))
    }

    /// `shikaku user list --json`.
    pub(crate) fn users(&self) -> Vec<serde_json::Value> {
        json_lines(&self.cli(&["user", "list", "--json"]))
    }

    /// `shikaku user unlock`.
    pub(crate) fn unlock(&self, login_id: &str) {
        self.cli(&[
            "user",
            "unlock",
            "--institution-code",
            INSTITUTION_CODE,
            "--login-id",
            login_id,
        ]);
    }

    /// Fails the test if a node printed a panic.
    pub(crate) fn assert_no_panic(&self) {
        for (i, node) in self.nodes.iter().enumerate() {
            let out = node.output();
            assert!(!out.contains("panicked"), "node {i} panicked:\n{out}");
        }
    }
}

/// One `shikaku serve` process; killed (SIGKILL) when dropped.
pub(crate) struct Node {
    pub(crate) addr: SocketAddr,
    child: Child,
    output: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

impl Node {
    /// Starts a node on the store `store` names (`--database-url …`, `--db …`) and waits
    /// until it listens; its exit status and output if it stops first.
    pub(crate) fn spawn(store: &[&str], config: &Path, dir: &Path) -> Result<Self, String> {
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let mut child = Command::new(BIN)
            .arg("serve")
            .args(store)
            .arg("--config")
            .arg(config)
            .args(["--bind", &addr.to_string()])
            .args(["--public-origin", &format!("http://{addr}")])
            .current_dir(dir)
            .env("RUST_LOG", "warn")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start shikaku serve");
        let output = Arc::new(Mutex::new(Vec::new()));
        let pipes: [Box<dyn Read + Send>; 2] = [
            Box::new(child.stdout.take().expect("stdout piped")),
            Box::new(child.stderr.take().expect("stderr piped")),
        ];
        let readers = pipes
            .into_iter()
            .map(|mut pipe| {
                let sink = Arc::clone(&output);
                thread::spawn(move || {
                    let mut buf = [0u8; 8192];
                    while let Ok(n) = pipe.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                        lock(&sink).extend_from_slice(&buf[..n]);
                    }
                })
            })
            .collect();
        let mut node = Self {
            addr,
            child,
            output,
            readers,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if TcpStream::connect(addr).is_ok() {
                return Ok(node);
            }
            if let Some(status) = node.exited() {
                return Err(node.failure(status));
            }
            assert!(
                Instant::now() < deadline,
                "shikaku serve did not listen within 30 s: {}",
                node.output()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn failure(&mut self, status: ExitStatus) -> String {
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        format!("shikaku serve exited ({status}): {}", self.output())
    }

    /// The exit status, if the process has stopped.
    pub(crate) fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("try_wait on shikaku serve")
    }

    /// Kills the process with SIGKILL and reaps it.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Everything the process printed so far.
    pub(crate) fn output(&self) -> String {
        String::from_utf8_lossy(&lock(&self.output)).into_owned()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temporary path")
}

/// Runs the CLI; panics with its output unless it succeeds.
pub(crate) fn run(args: &[&str]) -> String {
    let output = run_status(args);
    assert!(
        output.status.success(),
        "shikaku {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// Runs the CLI, whatever its exit status.
pub(crate) fn run_status(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("run the shikaku binary")
}

pub(crate) fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// How many audit events of `kind` name `login_id`.
pub(crate) fn count(events: &[serde_json::Value], kind: &str, login_id: &str) -> usize {
    events
        .iter()
        .filter(|e| e["kind"] == kind && account_login_id(e).as_deref() == Some(login_id))
        .count()
}

/// The ログイン ID an audit event names.
pub(crate) fn account_login_id(event: &serde_json::Value) -> Option<String> {
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
