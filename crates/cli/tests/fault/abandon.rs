//! Clients that send a login and hang up at once must not escape the hashing bound.
//!
//! `hashing_threads` bounds how many argon2 runs (19 MiB each at the default cost) the
//! server makes at once, and so its memory: base + `hashing_threads` × `m_cost`. The
//! flood below sends 200 logins over loopback, each on its own connection closed ~1 ms
//! after the request, and checks the server's peak RSS afterwards.
//!
//! Found by `bench/load.sh` (wrk timeouts at 64 connections raised the peak RSS):
//! `shikaku_web::app::AppState::run` held the semaphore permit in the request's future,
//! which hyper drops when the client disconnects, while the `spawn_blocking` task it had
//! started kept hashing — so each abandoned login freed its permit early and the next one
//! started another hash: 166 threads and a peak RSS of 557 420 KiB for 300 such requests
//! (this test: 268 784 KiB against its bound of 139 024 KiB). The blocking task now holds
//! the permit.

use std::io::Write;
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use crate::server::{self, Server};

fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn abandoned_logins_stay_within_the_hashing_bound() {
    const M_COST_KIB: u64 = 19_456;
    const HASHING_THREADS: u64 = 2;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shikaku.db");
    let config = dir.path().join("shikaku.toml");
    // The default argon2 cost: the memory per hash is what is under test.
    std::fs::write(
        &config,
        format!("[server]\nhashing_threads = {HASHING_THREADS}\n"),
    )
    .unwrap();
    server::add_user(&db, &config, "staff01", server::INITIAL_PASSWORD);
    let serving = Server::start(&db, &config);
    let addr = serving.addr();
    // Warm up: both pooled buffers in use at once, SQLite's caches filled.
    thread::scope(|s| {
        for _ in 0..HASHING_THREADS {
            s.spawn(|| {
                for _ in 0..3 {
                    let r = server::login(addr, "staff01", server::INITIAL_PASSWORD).unwrap();
                    assert_eq!(r.status, 200, "{}", r.text());
                }
            });
        }
    });
    let base = status_kib(serving.pid(), "VmRSS:");

    let body = serde_json::json!({
        "institution_code": server::INSTITUTION_CODE,
        "login_id": "staff01",
        "password": server::INITIAL_PASSWORD,
    })
    .to_string();
    let request = format!(
        "POST /api/v1/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    for _ in 0..200 {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        thread::sleep(Duration::from_millis(1));
        drop(stream); // hang up before the answer
    }
    // Let every hash that was started finish.
    let r = server::login(addr, "staff01", server::INITIAL_PASSWORD).unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    thread::sleep(Duration::from_secs(2));

    let peak = status_kib(serving.pid(), "VmHWM:");
    let bound = base + HASHING_THREADS * M_COST_KIB + 48 * 1024;
    assert!(
        peak <= bound,
        "peak RSS {peak} KiB after abandoned logins; base {base} KiB, bound {bound} KiB \
         (base + {HASHING_THREADS} × {M_COST_KIB} KiB + 48 MiB slack)"
    );
}
