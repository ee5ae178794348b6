//! [`TempPostgres`]: one server process, its directory, and its watcher.

use std::fs::{self, OpenOptions};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread::sleep;
use std::time::{Duration, Instant};

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use super::certs::{self, TlsFiles};
use super::host::{self, Binaries, INSTALL, RunAs, any_backend_left, free_port, postmaster_pid};
use super::{TempPostgresOptions, fresh_dir, log_tail};

/// Stops the server and removes the directory once this process is gone: it waits for
/// end of input on a pipe only this process holds.
const WATCHER: &str = r#"
cat >/dev/null
pidfile="$1/postmaster.pid"
if [ -f "$pidfile" ]; then
  pid=$(head -n 1 "$pidfile")
  kill -INT "$pid" 2>/dev/null
  # The server removes its pid file last when it stops (an orphaned server may stay a
  # zombie for kill -0 where nothing reaps it).
  i=0
  while [ -f "$pidfile" ] && kill -0 "$pid" 2>/dev/null && [ "$i" -lt 300 ]; do
    sleep 0.1
    i=$((i + 1))
  done
  kill -KILL "$pid" 2>/dev/null
fi
# A server process still writing can make one pass of rm fail: try a few times.
for _ in 1 2 3 4 5 6 7 8 9 10; do
  rm -rf "$2" 2>/dev/null
  [ -e "$2" ] || break
  sleep 1
done
"#;

/// A PostgreSQL server of its own, in a temporary directory; see the
/// [module docs](super).
pub struct TempPostgres {
    dir: PathBuf,
    data: PathBuf,
    socket_dir: PathBuf,
    log: PathBuf,
    port: u16,
    binaries: Binaries,
    run_as: RunAs,
    options: TempPostgresOptions,
    tls: Option<TlsFiles>,
    server: Mutex<Option<Child>>,
    /// Holds the watcher's stdin: closing it (this process ending) sets it off.
    _watcher: Child,
}

impl std::fmt::Debug for TempPostgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TempPostgres")
            .field("dir", &self.dir)
            .field("port", &self.port)
            .field("running", &self.is_running())
            .finish_non_exhaustive()
    }
}

impl TempPostgres {
    /// Creates a cluster in a fresh temporary directory and starts it; returns once it
    /// accepts connections.
    ///
    /// # Panics
    /// When PostgreSQL is not installed (the message names `sudo apt-get install
    /// postgresql`), or `initdb` or the server fails (the message holds their output).
    pub fn start_new(options: TempPostgresOptions) -> Self {
        let binaries = host::binaries();
        let run_as = RunAs::detect();
        let dir = fresh_dir();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
            .unwrap_or_else(|e| panic!("chmod {}: {e}", dir.display()));
        run_as.own(&dir);
        let watcher = Command::new("sh")
            .arg("-c")
            .arg(WATCHER)
            .arg("shikaku-pg-watcher")
            .arg(dir.join("data"))
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("TempPostgres could not start its watcher (sh): {e}"));
        let socket_dir = dir.join("socket");
        fs::create_dir(&socket_dir).unwrap_or_else(|e| panic!("mkdir socket: {e}"));
        run_as.own(&socket_dir);
        let mut server = Self {
            data: dir.join("data"),
            log: dir.join("server.log"),
            socket_dir,
            port: 0,
            binaries,
            run_as,
            tls: None,
            options,
            dir,
            server: Mutex::new(None),
            _watcher: watcher,
        };
        server.initdb();
        if server.options.tls {
            server.tls = Some(server.write_certificates());
        }
        server.write_hba();
        // A free port can be taken between looking and binding: try a few.
        for attempt in 0.. {
            server.port = free_port();
            match server.try_start() {
                Ok(()) => break,
                Err(log) if attempt < 4 && log.contains("could not") => continue,
                Err(log) => panic!("PostgreSQL did not start:\n{log}"),
            }
        }
        server
    }

    /// A new, empty database named `name` (letters, digits and `_`); its URL.
    pub fn create_database(&self, name: &str) -> String {
        assert!(
            !name.is_empty()
                && name.len() < 64
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "a TempPostgres database name is 1 to 63 letters, digits and _: {name:?}"
        );
        self.admin()
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e:?}"));
        self.url_for(name)
    }

    /// A role that logs in with `password` over TCP (SCRAM), owning a database of its
    /// own name; the URL of that database for this role.
    pub fn create_user(&self, name: &str, password: &str) -> String {
        self.create_database(name);
        let quoted = password.replace('\'', "''");
        self.admin()
            .batch_execute(&format!(
                "CREATE ROLE \"{name}\" LOGIN PASSWORD '{quoted}'; \
                 ALTER DATABASE \"{name}\" OWNER TO \"{name}\""
            ))
            .unwrap_or_else(|e| panic!("CREATE ROLE {name}: {e:?}"));
        let password = utf8_percent_encode(password, NON_ALPHANUMERIC);
        format!(
            "postgres://{name}:{password}@127.0.0.1:{}/{name}",
            self.port
        )
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres` (the superuser, no password).
    pub fn url(&self) -> String {
        self.url_for("postgres")
    }

    /// The URL of database `db` for the superuser over TCP.
    pub fn url_for(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// The URL of database `db` for the superuser over the Unix socket.
    pub fn socket_url(&self, db: &str) -> String {
        let dir = self.socket_dir.to_string_lossy();
        let host = utf8_percent_encode(&dir, NON_ALPHANUMERIC);
        format!("postgres://postgres@{host}:{}/{db}", self.port)
    }

    /// The TCP port (the same across [`stop`](Self::stop) and [`start`](Self::start)).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The temporary directory (data, socket, log, certificates).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The CA certificate that signed the server's (TLS servers only).
    pub fn ca_cert(&self) -> Option<&Path> {
        self.tls.as_ref().map(|t| t.ca.as_path())
    }

    /// A CA certificate that signed nothing (TLS servers only): an untrusted issuer.
    pub fn unrelated_ca_cert(&self) -> Option<&Path> {
        self.tls.as_ref().map(|t| t.other_ca.as_path())
    }

    /// Whether the server process is running.
    pub fn is_running(&self) -> bool {
        let mut server = self.lock();
        match server.as_mut().map(Child::try_wait) {
            Some(Ok(None)) => true,
            Some(_) => {
                *server = None;
                false
            }
            None => false,
        }
    }

    /// Stops the server (fast shutdown: sessions are ended, nothing is lost); the data
    /// and the port stay for [`start`](Self::start). Nothing happens if it is stopped.
    pub fn stop(&self) {
        self.halt("INT");
    }

    /// Kills the server outright (`SIGKILL`, as a crash or an OOM kill would).
    pub fn kill(&self) {
        self.halt("KILL");
    }

    /// Starts the server again on the same data and port; returns once it accepts
    /// connections. Nothing happens if it is running.
    pub fn start(&self) {
        if self.is_running() {
            return;
        }
        // After a kill, the old server's sessions may still hold its shared memory for
        // a moment; a start that fails then is tried again.
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            match self.try_start() {
                Ok(()) => return,
                Err(_) if Instant::now() < deadline => sleep(Duration::from_millis(200)),
                Err(log) => panic!("PostgreSQL did not start again:\n{log}"),
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Child>> {
        self.server.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn initdb(&self) {
        let output = self
            .run_as
            .command(&self.binaries.initdb)
            .arg("-D")
            .arg(&self.data)
            .args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ])
            .current_dir(&self.dir)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "could not run {} ({e}); install PostgreSQL with `{INSTALL}`",
                    self.binaries.initdb.display()
                )
            });
        assert!(
            output.status.success(),
            "initdb failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn write_certificates(&self) -> TlsFiles {
        let dir = self.dir.join("tls");
        fs::create_dir(&dir).unwrap_or_else(|e| panic!("mkdir tls: {e}"));
        let files = certs::write(&dir);
        fs::set_permissions(&files.server_key, fs::Permissions::from_mode(0o600))
            .unwrap_or_else(|e| panic!("chmod server.key: {e}"));
        for path in [
            &dir,
            &files.ca,
            &files.other_ca,
            &files.server_cert,
            &files.server_key,
        ] {
            self.run_as.own(path);
        }
        files
    }

    fn write_hba(&self) {
        let host = if self.options.tls { "hostssl" } else { "host" };
        let mut hba = String::from("local all all trust\n");
        if self.options.tls {
            hba.push_str("hostnossl all all 127.0.0.1/32 reject\n");
        }
        hba.push_str(&format!(
            "{host} all postgres 127.0.0.1/32 trust\n{host} all all 127.0.0.1/32 scram-sha-256\n"
        ));
        let path = self.data.join("pg_hba.conf");
        fs::write(&path, hba).unwrap_or_else(|e| panic!("writing pg_hba.conf: {e}"));
        self.run_as.own(&path);
    }

    /// Spawns the server and waits until it accepts connections; the log's tail if it
    /// exits first.
    fn try_start(&self) -> Result<(), String> {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap_or_else(|e| panic!("opening the server log: {e}"));
        self.run_as.own(&self.log);
        let err = log
            .try_clone()
            .unwrap_or_else(|e| panic!("server log: {e}"));
        let mut command = self.run_as.command(&self.binaries.postgres);
        command
            .arg("-D")
            .arg(&self.data)
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-k")
            .arg(&self.socket_dir)
            .args(["-h", "127.0.0.1"])
            .args(self.settings())
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err);
        let child = command.spawn().unwrap_or_else(|e| {
            panic!("could not run postgres ({e}); install it with `{INSTALL}`")
        });
        *self.lock() = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if !self.is_running() {
                return Err(log_tail(&self.log));
            }
            if self.try_admin().is_some() {
                return Ok(());
            }
            if Instant::now() > deadline {
                self.halt("KILL");
                return Err(format!("not ready after 60 s\n{}", log_tail(&self.log)));
            }
            sleep(Duration::from_millis(50));
        }
    }

    fn settings(&self) -> Vec<String> {
        let max = self.options.max_connections.unwrap_or(200);
        let mut s = vec![
            format!("max_connections={max}"),
            "shared_buffers=32MB".to_owned(),
            "log_min_messages=warning".to_owned(),
            "log_min_error_statement=panic".to_owned(),
            // Disk: a test server creates a database per test. Without replication
            // (minimal WAL) and with a checkpoint every 64 MB of WAL, the log is
            // recycled instead of growing towards the default 1 GB.
            "wal_level=minimal".to_owned(),
            "max_wal_senders=0".to_owned(),
            "max_wal_size=64MB".to_owned(),
            "min_wal_size=32MB".to_owned(),
        ];
        if !self.options.durable {
            // No fsync: a commit is in the operating system's cache, not on disk. That
            // survives the server being killed (the kill tests), not the machine
            // crashing. synchronous_commit stays on, so a killed server loses nothing
            // it acknowledged.
            s.extend(["fsync=off", "full_page_writes=off"].map(str::to_owned));
        }
        if let Some(tls) = &self.tls {
            s.push("ssl=on".to_owned());
            s.push(format!("ssl_cert_file={}", tls.server_cert.display()));
            s.push(format!("ssl_key_file={}", tls.server_key.display()));
        }
        s.into_iter()
            .flat_map(|setting| ["-c".to_owned(), setting])
            .collect()
    }

    fn halt(&self, signal: &str) {
        let Some(mut child) = self.lock().take() else {
            return;
        };
        let pid = postmaster_pid(&self.data).unwrap_or_else(|| child.id());
        host::signal(pid, signal);
        let deadline = Instant::now() + Duration::from_secs(30);
        while matches!(child.try_wait(), Ok(None)) {
            if Instant::now() > deadline {
                host::signal(pid, "KILL");
                let _ = child.kill();
                let _ = child.wait();
                return;
            }
            sleep(Duration::from_millis(20));
        }
        if signal == "KILL" {
            // The killed server's sessions end when they notice; wait for them so a
            // start that follows finds the shared memory free.
            let deadline = Instant::now() + Duration::from_secs(10);
            while any_backend_left(&self.data) && Instant::now() < deadline {
                sleep(Duration::from_millis(50));
            }
        }
    }

    fn admin(&self) -> postgres::Client {
        self.try_admin()
            .unwrap_or_else(|| panic!("TempPostgres is not running:\n{}", log_tail(&self.log)))
    }

    fn try_admin(&self) -> Option<postgres::Client> {
        postgres::Config::new()
            .host_path(&self.socket_dir)
            .port(self.port)
            .user("postgres")
            .dbname("postgres")
            .connect_timeout(Duration::from_secs(2))
            .connect(postgres::NoTls)
            .ok()
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        self.stop();
        // Whatever is left (a killed server's last writes racing the removal) is the
        // watcher's to finish once its input closes, right after this.
        for _ in 0..3 {
            if fs::remove_dir_all(&self.dir).is_ok() || !self.dir.exists() {
                break;
            }
            sleep(Duration::from_millis(100));
        }
    }
}
