//! Multi-node proof (issue 11): three real `shikaku serve` processes on three loopback
//! ports share one real PostgreSQL database, and every rule of the manual holds across
//! them as it does on one node.
//!
//! Each test gets a fresh database on the binary's shared PostgreSQL server
//! (`TempPostgres::shared().new_database()`; the outage test starts a server of its own,
//! since it stops it), one master key file (`shikaku key generate`), one configuration
//! file, users provisioned with `shikaku user add`, and three nodes
//! (`shikaku serve --database-url … --master-key-file … --bind 127.0.0.1:<port>
//! --public-origin http://127.0.0.1:<port>`), killed when the test ends. Verified
//! guesses and sessions are counted from `shikaku audit --json`.
//!
//! | module | property |
//! |---|---|
//! | [`storms`] | 60 wrong passwords at once over 3 nodes, the screens and 2 API calls: ≤ 3 verified, then the lock everywhere; 50 wrong passcodes at once: ≤ 3 verified |
//! | [`replay`] | one passcode (and its full-width spelling) sent to all nodes at once: one session |
//! | [`sessions`] | a login on B ends A's session (the manual's message / `session_superseded`); logout on one node ends the session on all; the idle rule whichever node sees the activity |
//! | [`kill`] | SIGKILL of a node during logins, registrations and password changes: the others carry on, nothing is lost or half-written |
//! | [`outage`] | PostgreSQL stopped under traffic: bounded 503s (`unavailable`, `Retry-After`; a Japanese page), no panic, service resumes, the lock survives |
//! | [`admin`] | an API key created with the CLI works on all nodes; revoked with the CLI, every node answers 401 on its next request |
//! | [`forms`] | a form served by one node is accepted by another (one CSRF key, derived from the shared master key) |
//! | [`copy`] | `shikaku db copy` from SQLite: the same password and Authenticator log in on PostgreSQL; a second copy and a foreign key file are refused |
//!
//! argon2 is cheap (64 KiB, one pass) except in the password storm, whose race window is
//! as wide as a real verification. The HTTP client is the attack suite's
//! (`tests/attack/client.rs`: byte-exact requests, a cookie-keeping `Browser`, requests
//! held one byte short at a barrier); [`http`] adds calls that may fail or time out.
//!
//! Run with `cargo test -p shikaku-cli --test multinode -- --nocapture` to see the
//! figures.

// A multi-process harness reads the system clock (TOTP codes, answer times) and sleeps
// (waiting for a process, an idle timeout, a time step).
#![allow(clippy::disallowed_methods)]

#[allow(dead_code)]
#[path = "../attack/client.rs"]
mod client;

mod admin;
mod cluster;
mod copy;
mod flows;
mod forms;
mod http;
mod kill;
mod outage;
mod replay;
mod sessions;
mod storms;

/// The screens' Japanese wording.
fn m() -> &'static shikaku_web::messages::Messages {
    shikaku_web::Lang::Ja.t()
}

/// What follows the lock's end time in a message template ("{} 以降に…").
fn after_time(template: &str) -> &str {
    template.split("{}").nth(1).unwrap_or(template)
}

/// The page says the password lock is in force.
fn says_password_locked(page: &client::Response) -> bool {
    page.status == 200 && page.text().contains(after_time(m().err_locked_password))
}

/// The page says the passcode lock is in force.
fn says_passcode_locked(page: &client::Response) -> bool {
    page.status == 200 && page.text().contains(after_time(m().err_locked_passcode))
}
