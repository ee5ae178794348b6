//! Browser end-to-end: the real `shikaku` binary serving the screens, driven in
//! headless Debian Chromium by `e2e/run.mjs` (playwright-core), with the QR code read
//! off the page by `zbarimg` and passcodes made by `oathtool` — tools nobody here wrote.
//!
//! The test provisions one user per scenario with `shikaku user add --create --json` (so
//! one scenario's lock cannot disturb another), starts two servers on free loopback ports,
//! each told its public origin `http://127.0.0.1:PORT` (the manual's timings, and one with
//! a 3-second idle timeout), runs
//! `node --test e2e/run.mjs` against them and fails with node's report unless every
//! browser test passed. Screenshots of every screen land in `e2e/screenshots/`.
//!
//! Needs node, `/usr/bin/chromium` (or `$CHROMIUM`), `zbarimg`, `oathtool` and
//! `e2e/node_modules/playwright-core`: `bash .ci/setup` installs them. A missing tool
//! fails the test (it is never skipped silently).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use shikaku::testing::INSTITUTION_CODE;

const BIN: &str = env!("CARGO_BIN_EXE_shikaku");
/// Short enough (< 13 characters) that the password-history rules apply.
const FLOW_PASSWORD: &str = "Clinic#2024a";
const IDLE_SECONDS: u32 = 3;
/// The whole browser run; it normally takes well under a minute.
const NODE_TIMEOUT: Duration = Duration::from_secs(240);

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Fails (never skips) when a tool the test needs is missing.
fn require_tools(root: &Path) {
    let runs = |program: &str, arg: &str| {
        Command::new(program)
            .arg(arg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let mut missing = Vec::new();
    if !runs("node", "--version") {
        missing.push("node".to_owned());
    }
    if !Path::new(&chromium).is_file() {
        missing.push(chromium);
    }
    if !runs("zbarimg", "--version") {
        missing.push("zbarimg (zbar-tools)".to_owned());
    }
    if !runs("oathtool", "--version") {
        missing.push("oathtool".to_owned());
    }
    if !root.join("e2e/node_modules/playwright-core").is_dir() {
        missing.push("e2e/node_modules/playwright-core".to_owned());
    }
    assert!(
        missing.is_empty(),
        "the browser end-to-end test needs {}: run `bash .ci/setup`",
        missing.join(", ")
    );
}

fn output_text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `shikaku user add … --json`: the user's initial settings, as JSON.
fn add_user(db: &Path, config: &Path, login_id: &str, password: Option<&str>) -> serde_json::Value {
    let mut command = Command::new(BIN);
    command
        .args(["user", "add", "--create", "--db"])
        .arg(db)
        .arg("--config")
        .arg(config)
        .args([
            "--institution-code",
            INSTITUTION_CODE,
            "--login-id",
            login_id,
            "--json",
        ]);
    if let Some(password) = password {
        command.args(["--password", password]);
    }
    let output = command.output().expect("run shikaku user add");
    assert!(
        output.status.success(),
        "user add: {}",
        output_text(&output)
    );
    let settings: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("user add --json prints JSON");
    assert_eq!(settings["login_id"], login_id);
    let password = settings["initial_password"]
        .as_str()
        .expect("an initial password");
    if let Some(given) = password_given(&command) {
        assert_eq!(password, given);
    }
    serde_json::json!({
        "institution_code": settings["institution_code"],
        "login_id": settings["login_id"],
        "password": password,
    })
}

/// The `--password` a command was given, if any.
fn password_given(command: &Command) -> Option<String> {
    let args: Vec<_> = command.get_args().collect();
    args.windows(2)
        .find(|pair| pair[0] == "--password")
        .map(|pair| pair[1].to_string_lossy().into_owned())
}

/// A running `shikaku serve`, killed when dropped (also when the test fails).
struct Server {
    child: Child,
    url: String,
    log: Arc<Mutex<String>>,
}

/// A loopback port nobody listens on now (the kernel's choice; the server binds it right
/// after, and must be told its public origin before it starts).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

impl Server {
    fn start(db: &Path, config: &Path) -> Self {
        let port = free_port();
        let origin = format!("http://127.0.0.1:{port}");
        let mut child = Command::new(BIN)
            .arg("serve")
            .arg("--db")
            .arg(db)
            .arg("--config")
            .arg(config)
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .args(["--public-origin", &origin])
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start shikaku serve");
        let log = Arc::new(Mutex::new(String::new()));
        let (found, url) = mpsc::channel();
        // Drain both pipes for the server's whole life (a full pipe would stall it).
        let stdout = child.stdout.take().expect("piped stdout");
        let out_log = Arc::clone(&log);
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("shikaku serving on ").nth(1)
                    && let Some(url) = rest.split_whitespace().next()
                {
                    let _ = found.send(url.trim_end_matches('/').to_owned());
                }
                let mut log = out_log.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut stderr = child.stderr.take().expect("piped stderr");
        let err_log = Arc::clone(&log);
        thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            err_log.lock().unwrap().push_str(&text);
        });
        let url = match url.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "shikaku serve printed no URL within 30 s:\n{}",
                    log.lock().unwrap()
                );
            }
        };
        Self { child, url, log }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs node with a time limit; returns its exit status success and output.
fn run_node(root: &Path, envs: &[(&str, String)]) -> (bool, String) {
    let mut command = Command::new("node");
    command
        .args(["--test", "--test-reporter=spec", "run.mjs"])
        .current_dir(root.join("e2e"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in envs {
        command.env(key, value);
    }
    let child = command.spawn().expect("start node");
    let pid = child.id();
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match finished.recv_timeout(NODE_TIMEOUT) {
        Ok(Ok(output)) => (output.status.success(), output_text(&output)),
        Ok(Err(e)) => (false, format!("waiting for node failed: {e}")),
        Err(_) => {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            (
                false,
                format!("node did not finish within {NODE_TIMEOUT:?} (killed)"),
            )
        }
    }
}

#[test]
fn the_manuals_flows_in_headless_chromium() {
    let root = workspace_root();
    require_tools(&root);

    let dir = tempfile::tempdir().expect("temp dir");
    let quick = "[server]\ninsecure_cookies = true\nhashing_threads = 2\n\n\
                 [argon2]\nm_cost_kib = 1024\n";
    let config = dir.path().join("e2e.toml");
    std::fs::write(&config, quick).expect("write config");
    let idle_config = dir.path().join("idle.toml");
    std::fs::write(
        &idle_config,
        format!("{quick}\n[session]\nidle_timeout_seconds = {IDLE_SECONDS}\n"),
    )
    .expect("write idle config");
    let db = dir.path().join("e2e.db");
    let idle_db = dir.path().join("idle.db");

    // One user per scenario, so no lock spills over into another scenario.
    let users = serde_json::json!({
        "flow": add_user(&db, &config, "staff01", Some(FLOW_PASSWORD)),
        "lockpw": add_user(&db, &config, "lock.password", None),
        "lockpc": add_user(&db, &config, "lock.passcode", None),
        "idle": add_user(&idle_db, &idle_config, "idle01", None),
    });

    let server = Server::start(&db, &config);
    let idle_server = Server::start(&idle_db, &idle_config);
    let (passed, report) = run_node(
        &root,
        &[
            ("SHIKAKU_URL", server.url.clone()),
            ("SHIKAKU_IDLE_URL", idle_server.url.clone()),
            ("SHIKAKU_IDLE_SECONDS", IDLE_SECONDS.to_string()),
            ("SHIKAKU_USERS", users.to_string()),
        ],
    );
    println!("{report}");
    if !passed {
        let log = server.log.lock().unwrap().clone();
        let idle_log = idle_server.log.lock().unwrap().clone();
        panic!(
            "the browser tests failed (report above)\n--- server log ---\n{log}\n\
             --- idle server log ---\n{idle_log}"
        );
    }
    // The flows really ran: a skipped suite would exit 0 too.
    assert_eq!(summary(&report, "fail"), Some(0), "{report}");
    let passed = summary(&report, "pass").unwrap_or(0);
    assert!(
        passed >= FLOW_TESTS,
        "only {passed} browser tests passed, expected the {FLOW_TESTS} flow tests:\n{report}"
    );
}

/// The flow suite's tests in `e2e/run.mjs`.
const FLOW_TESTS: usize = 9;

/// A number from the spec reporter's summary (`ℹ pass 8`).
fn summary(report: &str, what: &str) -> Option<usize> {
    let prefix = format!("ℹ {what} ");
    report
        .lines()
        .find_map(|line| line.trim().strip_prefix(&prefix))
        .and_then(|n| n.trim().parse().ok())
}
