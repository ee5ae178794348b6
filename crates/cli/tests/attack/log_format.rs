//! The server's own log: on stderr (stdout carries only what `serve` prints for people),
//! without ANSI colour codes when stderr is not a terminal, as text or as JSON lines
//! (`[log] format = "json"`) a collector can parse.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_shikaku");

/// Serves with `config`, waits for the listener, asks for the login page, stops, and
/// returns (stdout, stderr).
#[allow(clippy::disallowed_methods)] // waits for a real process on the real clock
fn serve_and_stop(config: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("shikaku.toml");
    std::fs::write(&config_path, config).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--db"])
        .arg(dir.path().join("shikaku.db"))
        .arg("--config")
        .arg(&config_path)
        .args(["--bind", &addr.to_string()])
        .args(["--public-origin", &format!("http://{addr}")])
        .env("RUST_LOG", "info")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start shikaku serve");
    let started = Instant::now();
    while TcpStream::connect(addr).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "serve did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut stream = TcpStream::connect(addr).unwrap();
    std::io::Write::write_all(
        &mut stream,
        format!("GET /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let _ = child.kill();
    let _ = child.wait();
    let mut out = String::new();
    let mut err = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (out, err)
}

#[test]
fn text_logs_go_to_stderr_without_colour_codes() {
    let (out, err) = serve_and_stop("[argon2]\nm_cost_kib = 64\nt_cost = 1\n");
    assert!(out.contains("shikaku serving on"), "stdout: {out}");
    assert!(!out.contains(" INFO "), "log lines on stdout: {out}");
    assert!(
        err.contains("INFO") && err.contains("shikaku serving"),
        "stderr: {err}"
    );
    assert!(
        !err.contains('\u{1b}'),
        "ANSI codes in a piped log: {err:?}"
    );
}

#[test]
fn json_logs_are_one_object_per_line() {
    let (_, err) =
        serve_and_stop("[argon2]\nm_cost_kib = 64\nt_cost = 1\n[log]\nformat = \"json\"\n");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "no log lines");
    let mut serving = false;
    for line in lines {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(
            value["level"].is_string() && value["timestamp"].is_string(),
            "{line}"
        );
        serving |= value["message"] == "shikaku serving";
    }
    assert!(serving, "the start line is missing: {err}");
    assert!(!err.contains('\u{1b}'));
}

#[test]
fn an_unknown_log_format_is_refused_with_the_choices() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("shikaku.toml");
    std::fs::write(&config, "[log]\nformat = \"xml\"\n").unwrap();
    let output = Command::new(BIN)
        .args(["serve", "--public-origin", "http://127.0.0.1:1", "--config"])
        .arg(&config)
        .arg("--db")
        .arg(dir.path().join("x.db"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("text") && err.contains("json"), "{err}");
    assert!(
        !dir.path().join("x.db").exists(),
        "a refused start created the database"
    );
}
