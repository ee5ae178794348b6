//! The workspace's one test kit (feature `testing`): the world every test suite builds
//! on, and the behaviour suite every [`Store`](crate::Store) implementation must pass.
//!
//! | file | what |
//! |---|---|
//! | `harness.rs` | [`Harness`]: the real facade over any store, with a [`ManualClock`](crate::ManualClock) at [`START`], a CSPRNG seeded with [`SEED`] and a [`MemoryAuditSink`](crate::MemoryAuditSink); helpers to provision, log in, enroll and read passcodes |
//! | `support.rs` | free helpers: passcodes at an instant, a wrong passcode, other spellings, token encodings, outcome unwrapping |
//! | `faulty.rs` | [`FaultyStore`]: a store that can be switched to fail every call |
//! | `hooked.rs` | [`HookedStore`]: a store that runs a test's code at a chosen point of a flow (between a snapshot and its update, between reserving an attempt and verifying it) |
//! | `suite.rs` | [`store_behaviour_suite!`](crate::store_behaviour_suite): every scenario as a `#[test]` |
//! | `scenarios/` | the scenarios, one file per flow of the manual |
//!
//! Every world in the workspace — the facade's behaviour suite, the store crates'
//! tests, the web crate's screen and JSON API tests, the cli's in-process attack
//! target — starts from the same constants ([`INSTITUTION_CODE`], [`LOGIN_ID`],
//! [`INITIAL_PASSWORD`], [`START`]), so a value seen in one suite means the same in all.
//!
//! A store crate runs the whole behaviour suite with one macro call:
//!
//! ```ignore
//! shikaku::store_behaviour_suite!(|| std::sync::Arc::new(shikaku::MemoryStore::new()));
//! ```
//!
//! An adapter's tests build their world on a [`Harness`]:
//!
//! ```
//! use std::sync::Arc;
//! use shikaku::testing::{Harness, INITIAL_PASSWORD, LOGIN_ID};
//! use shikaku::{MemoryStore, PasscodeLogin};
//!
//! let h = Harness::new(Arc::new(MemoryStore::new()));
//! h.provision(LOGIN_ID);
//! let (secret, session) = h.enroll(LOGIN_ID);
//! assert!(h.service.session(&session).is_ok());
//! h.next_step(); // the enrollment's passcode is spent; the next step's is fresh
//! let (ticket, needs_enrollment) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
//! assert!(!needs_enrollment);
//! assert!(matches!(h.submit(&ticket, &h.code(&secret, 0)), PasscodeLogin::Session(_)));
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use time::OffsetDateTime;

mod faulty;
mod harness;
mod hooked;
pub mod scenarios;
mod suite;
mod support;

pub use faulty::FaultyStore;
pub use harness::{Harness, HarnessBuilder};
pub use hooked::{HookPoint, HookedStore};
pub use support::{
    account_key, code_at, ended, from_base64url, full_width, hex, locked_until, secret_of,
    wrong_code,
};

/// 機関コード of every test world (10 digits, the default).
pub const INSTITUTION_CODE: &str = "0123456789";

/// The ログイン ID a test uses when it needs just one account.
pub const LOGIN_ID: &str = "staff01";

/// The initial password every test account is provisioned with: compliant, and under 13
/// characters, so the password-history rules apply to it.
pub const INITIAL_PASSWORD: &str = "Initial#Pw1";

/// When every test world starts: 2026-04-01 09:00:00 JST, the first second of a
/// 30-second passcode step.
pub const START: OffsetDateTime = time::macros::datetime!(2026-04-01 00:00:00 UTC);

/// The seed of a [`Harness`]'s CSPRNG (and so of its master key): the same seed over the
/// same store opens the same sealed secrets and peppered hashes.
pub const SEED: u64 = 0x0053_4849_4b41_4b55;
