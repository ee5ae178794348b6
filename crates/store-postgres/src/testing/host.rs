//! What [`TempPostgres`](super::TempPostgres) needs from the machine: the PostgreSQL
//! binaries, and — since `initdb` and `postgres` refuse to run as root — an
//! unprivileged user to run them as when this process is root.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The command that installs what is missing.
pub(super) const INSTALL: &str = "sudo apt-get install postgresql";

/// `initdb` and `postgres` from one installation.
#[derive(Clone, Debug)]
pub(super) struct Binaries {
    pub(super) initdb: PathBuf,
    pub(super) postgres: PathBuf,
}

/// Finds `initdb` on `PATH` (resolving symlinks: `postgres` must come from the same
/// directory), else the newest `/usr/lib/postgresql/<version>/bin`. Panics naming the
/// install command when there is none.
pub(super) fn binaries() -> Binaries {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join("initdb"))
        .find(|p| p.is_file())
        .and_then(|p| p.canonicalize().ok())
        .and_then(|p| p.parent().map(Path::to_path_buf));
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let version = e.file_name().to_str()?.parse::<u32>().ok()?;
                    Some((version, e.path().join("bin")))
                })
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    let candidates = on_path
        .into_iter()
        .chain(versions.into_iter().rev().map(|(_, dir)| dir));
    for dir in candidates {
        let (initdb, postgres) = (dir.join("initdb"), dir.join("postgres"));
        if initdb.is_file() && postgres.is_file() {
            return Binaries { initdb, postgres };
        }
    }
    panic!(
        "TempPostgres needs PostgreSQL's `initdb` and `postgres` binaries (on PATH or under \
         /usr/lib/postgresql/*/bin) and found none: install them with `{INSTALL}` \
         (or run `bash .ci/setup`)"
    );
}

/// Who runs the server: this process's user, or (when it is root) an unprivileged
/// one by `setpriv` (or `runuser` where `setpriv` is missing).
#[derive(Clone, Debug)]
pub(super) enum RunAs {
    Me,
    User { name: String, uid: u32, gid: u32 },
}

impl RunAs {
    /// `nobody` when this process is root, else this process's user.
    pub(super) fn detect() -> Self {
        if effective_uid() != Some(0) {
            return Self::Me;
        }
        let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        for line in passwd.lines() {
            let fields: Vec<&str> = line.split(':').collect();
            if let [name, _, uid, gid, ..] = fields[..]
                && name == "nobody"
                && let (Ok(uid), Ok(gid)) = (uid.parse(), gid.parse())
            {
                return Self::User {
                    name: name.to_owned(),
                    uid,
                    gid,
                };
            }
        }
        panic!(
            "TempPostgres runs as root, and initdb/postgres refuse root; it runs them as the \
             user `nobody`, which this machine lacks (add it, or run the tests as another user)"
        );
    }

    /// A command running `program` as this user.
    pub(super) fn command(&self, program: &Path) -> Command {
        match self {
            Self::Me => Command::new(program),
            Self::User { name, uid, gid } => {
                if which("setpriv") {
                    let mut c = Command::new("setpriv");
                    c.arg(format!("--reuid={uid}"))
                        .arg(format!("--regid={gid}"))
                        .arg("--clear-groups")
                        .arg("--")
                        .arg(program);
                    c
                } else {
                    let mut c = Command::new("runuser");
                    c.args(["-u", name, "--"]).arg(program);
                    c
                }
            }
        }
    }

    /// Gives `path` to this user (nothing to do when it is this process's).
    pub(super) fn own(&self, path: &Path) {
        if let Self::User { uid, gid, .. } = self {
            std::os::unix::fs::chown(path, Some(*uid), Some(*gid)).unwrap_or_else(|e| {
                panic!(
                    "TempPostgres could not chown {} to the server's user: {e}",
                    path.display()
                )
            });
        }
    }
}

/// This process's effective user id, from `/proc/self/status` (no `unsafe` libc call).
fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// Sends `signal` (`INT`, `KILL`, …) to `pid`; `false` if there is no such process.
pub(super) fn signal(pid: u32, signal: &str) -> bool {
    Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub(super) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port on 127.0.0.1: {e}"))
}

pub(super) fn postmaster_pid(data: &Path) -> Option<u32> {
    fs::read_to_string(data.join("postmaster.pid"))
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

/// Whether a process of the old server is still alive: any process whose working
/// directory is the data directory (the server and its sessions all chdir there).
pub(super) fn any_backend_left(data: &Path) -> bool {
    let data = data.canonicalize().unwrap_or_else(|_| data.to_path_buf());
    let Ok(entries) = fs::read_dir("/proc") else {
        return false;
    };
    entries.filter_map(Result::ok).any(|e| {
        e.file_name()
            .to_str()
            .is_some_and(|s| s.bytes().all(|b| b.is_ascii_digit()))
            && fs::read_link(e.path().join("cwd")).is_ok_and(|cwd| cwd == data)
    })
}
