//! Account lockout and session timing for shikaku, as the operations manual
//! states them — with no clock inside.
//!
//! # The rules
//!
//! * **Lockout** (画面項目説明 ログイン ④ / パスコード ③): 3 consecutive wrong
//!   passwords lock the account for 30 minutes; 3 consecutive wrong passcodes
//!   likewise. The two are counted separately: an account holds one
//!   [`Lockout`] for its password and one for its passcode, both under the
//!   same [`LockoutPolicy`]. A success resets its own count; when a lock ends
//!   the count starts afresh. Failures while locked are not counted and do not
//!   extend the lock — a [policy option](LockoutPolicy::count_failures_while_locked)
//!   can make them restart it. A lock does count the attempts it refuses
//!   ([`Refusals`]), so an audit trail can record one event per lock period
//!   instead of one per refused request.
//! * **Sessions** (7 重要事項): 30 minutes without activity ends a session
//!   ([`IdleTimeout`]); logging in again without logging out ends the earlier
//!   session. An account has one [`SessionSlot`]; each login takes a new
//!   [`SessionEpoch`] from it, and each session keeps a [`SessionClock`]. A
//!   replaced session reports [`SessionStatus::Superseded`], distinct from
//!   [`SessionStatus::Expired`], so a screen can say which happened.
//!
//! # Design
//!
//! * **Sans-IO.** Nothing here reads a clock, sleeps or touches storage. Every
//!   call that depends on time takes `now: OffsetDateTime`, and the machines
//!   say when they will next change by themselves ([`Lockout::next_deadline`],
//!   [`SessionClock::next_deadline`]). Expiry is lazy: the next call at or
//!   after the deadline sees it.
//! * **Plain, validated data.** Every state is `serde`-serialisable so a store
//!   can persist it; deserialising validates (unknown fields and states, zero
//!   thresholds, non-positive durations are refused). Stored instants are UTC,
//!   written as RFC 3339.
//! * **Exact edges.** A lock or session ends *at* its instant: with 30
//!   minutes, 29:59.999 is still locked (active) and 30:00.000 is open
//!   (expired).
//! * **Total.** No input panics: instant arithmetic saturates at the ends of
//!   the representable range and counters saturate.
//!
//! # Atomic lockout: `begin_attempt` inside one transaction
//!
//! Checking "is it locked?", verifying, then recording the failure lets N
//! concurrent requests all pass the check before any failure is stored — N
//! guesses instead of 3. [`Lockout::begin_attempt`] closes that race by
//! counting the attempt as a failure **before** verification. A store uses it
//! like this:
//!
//! 1. In one transaction (or under one per-account lock): load the
//!    `Lockout`, call `begin_attempt(&policy, now)`, store it back, commit.
//!    `Err(Locked { until })` → refuse without verifying.
//! 2. Verify the password (or passcode) outside the transaction — argon2 is
//!    slow and should not hold a lock.
//! 3. On success only: in a second transaction, load, call
//!    [`record_success_of(attempt)`](Lockout::record_success_of), store: the
//!    failures before the attempt are forgiven, those reserved after it stay.
//!    On failure there is nothing to write; report [`Attempt::if_failed`].
//!
//! Whatever the interleaving, at most `threshold` verifications run between
//! two successes (or before a lock ends).
//!
//! For the audit trail, the same first transaction can call
//! [`take_ended(now)`](Lockout::take_ended) before `begin_attempt` (a lock
//! period that is over: its [`Refusals`]) and read
//! [`refusals()`](Lockout::refusals) after a refusal (`count == 1`: the period's
//! first). Recording only those two keeps the trail at a bounded number of
//! events per lock period however many requests a client sends.
//!
//! # Example
//!
//! ```
//! use shikaku_lockout::{
//!     IdleTimeout, LockStatus, Locked, Lockout, LockoutPolicy, SessionClock, SessionSlot,
//!     SessionStatus,
//! };
//! use time::{Duration, macros::datetime};
//!
//! let policy = LockoutPolicy::default(); // 3 failures, 30 minutes
//! let mut password = Lockout::default();
//! let t0 = datetime!(2025-04-01 09:00 +09:00);
//!
//! // Three wrong passwords in a row: each attempt is counted before it is verified.
//! for left in [2, 1] {
//!     let attempt = password.begin_attempt(&policy, t0)?;
//!     assert_eq!(attempt.if_failed, LockStatus::Open { attempts_left: left });
//! }
//! let third = password.begin_attempt(&policy, t0)?;
//! let until = t0 + Duration::minutes(30);
//! assert_eq!(third.if_failed, LockStatus::Locked { until });
//!
//! // Locked: no verification at 29:59.999, a fresh count at 30:00.000.
//! let almost = until - Duration::milliseconds(1);
//! assert_eq!(password.begin_attempt(&policy, almost), Err(Locked { until }));
//! let attempt = password.begin_attempt(&policy, until)?;
//! assert_eq!(attempt.if_failed, LockStatus::Open { attempts_left: 2 });
//! password.record_success_of(attempt); // the right password this time: the run ends
//! assert_eq!(password.status(&policy, until), LockStatus::Open { attempts_left: 3 });
//!
//! // One session per account; 30 minutes idle ends it.
//! let idle = IdleTimeout::default();
//! let mut slot = SessionSlot::default();
//! let mut first = SessionClock::start(slot.begin(), until);
//! let expires_at = until + Duration::minutes(30);
//! assert_eq!(first.touch(&slot, &idle, until), SessionStatus::Active { expires_at });
//! assert_eq!(
//!     first.status(&slot, &idle, expires_at),
//!     SessionStatus::Expired { at: expires_at }
//! );
//!
//! // Logging in again without logging out supersedes the first session.
//! let second = SessionClock::start(slot.begin(), expires_at);
//! assert_eq!(first.status(&slot, &idle, expires_at), SessionStatus::Superseded);
//! assert!(second.status(&slot, &idle, expires_at).is_active());
//! # Ok::<(), Locked>(())
//! ```
//!
//! The rules, the state diagrams and the store protocol are also written up
//! in `docs/lockout.md`.

#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod error;
mod instant;
mod lockout;
mod policy;
mod session;

pub use error::Error;
pub use lockout::{Attempt, LockStatus, Locked, Lockout, Refusals};
pub use policy::LockoutPolicy;
pub use session::{IdleTimeout, SessionClock, SessionEpoch, SessionSlot, SessionStatus};
