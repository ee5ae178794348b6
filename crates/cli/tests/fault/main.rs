//! Fault suite: the real `shikaku` binary under SIGKILL, a full disk and an unwritable
//! database file (the issue "Prove it holds", item 2).
//!
//! * [`kills`] — 100 SIGKILLs (the issue asks for at least 50) at random moments, while
//!   clients change passwords and log in through the JSON API; after each one the
//!   database is checked directly and every account through the restarted server. The
//!   delays are seeded: the seed is printed, `FAULT_SEED=<n>` replays a run and
//!   `FAULT_KILLS=<n>` changes the count.
//! * [`disk`] — a full disk (tmpfs in a private mount namespace) and a database file
//!   made immutable under the running server: clear errors, reads keep working,
//!   writes come back once the fault is gone.
//! * [`misuse`] — operator mistakes refused before any file or socket is touched:
//!   `serve --demo` on a database it did not create or off loopback, `insecure_cookies`
//!   off loopback, no public origin, a `user` command with a mistyped `--db`; and the
//!   `user` commands reading the server's configuration (`--config` / `SHIKAKU_CONFIG`).
//! * [`abandon`] — clients that hang up right after sending a login must not push the
//!   server past its hashing bound (the hashing permit is held by the blocking task).
//! * [`keys`] — the master key rotated (`key add`, `use`, `rotate`, `retire`) while a
//!   client keeps logging everyone in; a node with an old or a stranger's key file
//!   refuses to start.
//! * [`operations`] — `shikaku backup` while the server serves and writes, then a server
//!   on the copy with the key file restored apart; `shikaku audit export` streaming every
//!   event once, in order, between its bounds, while the server appends more.
//!
//! Cheap argon2 (256 KiB, one pass) so the kill cycles fit in well under a minute. Needs
//! `oathtool`, and root for the disk faults (`unshare`, `mount`, `nsenter`, `chattr`).

// A fault harness times kills and waits for processes: it reads the clock and sleeps.
#![allow(clippy::disallowed_methods)]

mod abandon;
mod disk;
mod http;
mod keys;
mod kills;
mod misuse;
mod operations;
mod server;

/// What a command printed, stdout then stderr (for messages and searches).
fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
