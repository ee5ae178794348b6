//! The attack suite ("Prove it holds", item 1): each test attacks one defence over real
//! HTTP on a loopback socket and fails if that defence breaks.
//!
//! Two kinds of target:
//!
//! * **in-process** ([`inproc`]): `shikaku_web::app` over the real facade, served with
//!   `axum::serve` on `127.0.0.1:0`, with a `ManualClock` (29:59 vs 30:00 exactly) and
//!   a `MemoryAuditSink` (every verified guess counted). Cheap argon2.
//! * **the real binary** ([`binary`]): `shikaku serve --db … --config … --bind …` on its
//!   SQLite store, users added with `shikaku user add --json`, verified guesses counted
//!   from `shikaku audit --json`. Used where the real cost or the real process matters:
//!   parallel guessing, response timing, the 10 MB body, and the log at `RUST_LOG=trace`.
//!
//! The client ([`client`]) writes requests byte for byte over `std::net::TcpStream`, so
//! invalid UTF-8, lying headers and simultaneous arrival (all requests held one byte
//! short at a barrier) are possible.
//!
//! | module | defences |
//! |---|---|
//! | [`lockout`] | 3 verified guesses then the lock (passwords, passcodes, in parallel); lock expiry; passcode count survives a correct password; a passcode lock voids the pending login |
//! | [`replay`] | one passcode, one session; no replay from another browser; the enrollment code is spent; normalised forms cannot replay |
//! | [`lifecycle`] | the pending Authenticator secret belongs to one login and dies with it (and with reset-password, reset-mfa, disable); a passcode lock (any entry point) and a password change void pending logins; a superseded session cannot "log out"; cancel/logout end whatever the cookie holds |
//! | [`sessions`] | fixation, server-side logout, no id in the URL, 29:59 / 30:00 idle edge, a new login ends the old one |
//! | [`web`] | CSRF token, Fetch Metadata, login CSRF, 405 on GET, security headers on 200/404/500, cookie attributes |
//! | [`input`] | bad input on every form and JSON field, 10 MB bodies |
//! | [`timing`] | unknown vs known user (stored hash with the server's or older argon2 settings): same status, same body, medians within 10 % |
//! | [`rebinding`] | DNS rebinding: a foreign `Host` with a matching `Origin` is refused (public origin, or loopback names only) |
//! | [`admin_api`] | an API key of one institution (`shikaku api-key create`) manages its accounts only (another's: byte for byte absent), sees its audit events only, is refused at once once revoked; pages of 250 accounts while accounts are added; initial passwords in no log line or audit event |
//! | [`logs`] | no secret in the trace log of a whole flow |
//!
//! Run with `cargo test -p shikaku-cli --test attack -- --nocapture` to see the figures.

mod admin_api;
mod api;
mod binary;
mod client;
mod inproc;
mod input;
mod lifecycle;
mod lockout;
mod log_format;
mod logs;
mod ops;
mod rebinding;
mod replay;
mod sessions;
mod timing;
mod web;

use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// The timing test runs alone; every other test shares the machine.
static MACHINE: RwLock<()> = RwLock::new(());

fn shared() -> RwLockReadGuard<'static, ()> {
    MACHINE.read().unwrap_or_else(PoisonError::into_inner)
}

fn exclusive() -> RwLockWriteGuard<'static, ()> {
    MACHINE.write().unwrap_or_else(PoisonError::into_inner)
}

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
