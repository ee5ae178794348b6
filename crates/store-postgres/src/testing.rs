//! A real PostgreSQL server for tests and benchmarks (feature `testing`).
//!
//! [`TempPostgres`] runs `initdb` and `postgres` from the machine's PostgreSQL
//! installation (on `PATH`, or the newest `/usr/lib/postgresql/*/bin`) in a fresh
//! temporary directory, listening on `127.0.0.1` on a free port and on a Unix socket in
//! that directory. Both refuse to run as root, so under root they run as `nobody`
//! (`setpriv`, or `runuser`), the directory given to it. A missing installation is a
//! panic naming `sudo apt-get install postgresql`: tests that need a server fail, never
//! skip.
//!
//! Starting a server costs about a second, so a test binary shares one
//! ([`TempPostgres::shared`]) and gives each test its own database
//! ([`TempPostgres::new_database`]); tests then run in parallel on one server. Tests
//! that stop or restart the server start their own ([`TempPostgres::start_new`]).
//!
//! ```no_run
//! use shikaku_store_postgres::testing::TempPostgres;
//! use shikaku_store_postgres::{PostgresOptions, PostgresStore};
//!
//! let url = TempPostgres::shared().new_database();
//! let store = PostgresStore::connect(&PostgresOptions::new(url)).unwrap();
//! ```
//!
//! Authentication: the superuser `postgres` is trusted (no password) on the socket and
//! on `127.0.0.1`; every other role ([`TempPostgres::create_user`]) logs in over TCP with
//! its password (SCRAM). With [`TempPostgresOptions::tls`], TCP connections must use TLS
//! (a certificate for `localhost`, signed by a CA made on the spot:
//! [`TempPostgres::ca_cert`]).
//!
//! The server's settings are made for speed (`fsync` and `full_page_writes` off: a
//! killed server loses nothing it acknowledged, a crashed machine would);
//! [`TempPostgresOptions::durable`] keeps PostgreSQL's defaults instead, for benchmarks. Dropping the server stops it and removes the
//! directory; a shared server, which is never dropped, is stopped and removed by a
//! small watcher process when the test binary exits, however it exits.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

mod certs;
mod host;
mod server;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

pub use server::TempPostgres;

/// How a [`TempPostgres`] is set up.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct TempPostgresOptions {
    /// PostgreSQL's durable defaults (`fsync` and `full_page_writes` on) instead of the
    /// fast test settings: for benchmarks.
    pub durable: bool,
    /// TLS on, and required of every TCP connection.
    pub tls: bool,
    /// `max_connections` (default 200: many tests' pools at once).
    pub max_connections: Option<u32>,
}

impl TempPostgres {
    /// The server shared by every test of this test binary, started on first use.
    pub fn shared() -> &'static TempPostgres {
        static SHARED: OnceLock<TempPostgres> = OnceLock::new();
        SHARED.get_or_init(|| TempPostgres::start_new(TempPostgresOptions::default()))
    }

    /// A new, empty database with a unique name; its URL.
    pub fn new_database(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        self.create_database(&format!("test_{}_{n}", std::process::id()))
    }
}

/// A fresh directory under the system's temporary directory.
fn fresh_dir() -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let base = std::env::temp_dir();
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("shikaku-pg-{}-{n}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return dir,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => panic!("TempPostgres could not create {}: {e}", dir.display()),
        }
    }
}

/// The last lines of the server's log, for panic messages.
fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
