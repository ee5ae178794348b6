//! [`Lockout`]: consecutive-failure counting for one credential.
//!
//! One `Lockout` guards one credential of one account — the manual counts wrong
//! passwords and wrong passcodes separately, so an account holds two.
//!
//! ```text
//!                     failure, n + 1 < threshold
//!                       +----------------+
//!                       |                |
//!                       v                |
//!   Default ------> Open { n } ----------+
//!                     ^   |  ^
//!                     |   |  |  success / unlock: n := 0 (from either state)
//!                     |   |  +----------------------------------------------+
//!                     |   |                                                 |
//!                     |   | failure, n + 1 == threshold                     |
//!                     |   v                                                 |
//!                     |  Locked { until = now + duration, refused = 0 } ----+
//!                     |   |   ^
//!                     |   |   | attempt while locked (begin_attempt / note_refusal):
//!                     |   |   |   refused := refused + 1
//!                     |   +---+   and, under count_failures_while_locked(true),
//!                     |           until := max(until, now + duration)
//!                     |   |
//!                     +---+ now >= until: the count starts fresh, n := 0
//!                           (take_ended(now) reports { until, refused } first)
//! ```
//!
//! A lock ends *at* `until`: at `until - 1ns` the credential is locked, at
//! `until` it is open with the full threshold of attempts. Nothing has to run
//! at that instant; the expiry is applied lazily by whichever call comes next,
//! and [`Lockout::next_deadline`] tells a caller that wants to schedule
//! something (a notification, a cache eviction) when that is.
//!
//! `begin_attempt` is `record_failure` done *before* the verification, so that
//! concurrent attempts cannot overtake the count; `record_success_of(attempt)`
//! afterwards refunds it and forgives the failures counted before it, while
//! attempts reserved after it stay counted. See the crate docs for the
//! store-side protocol.
//!
//! # Refusals: one lock period, one count
//!
//! A lock counts the attempts it turns away (`refused`), so that a client
//! hammering a locked identifier costs an audit trail one record per lock
//! period instead of one per request. The count lives in the stored state and
//! changes in the same atomic update as the attempt, so concurrent refusals are
//! counted exactly:
//!
//! * [`Lockout::refusals`] after a refused [`begin_attempt`](Lockout::begin_attempt)
//!   (or [`note_refusal`](Lockout::note_refusal)) says whether this was the
//!   period's first refusal (`count == 1`) — the one to record at once;
//! * [`Lockout::take_ended`] reports the tally of a lock that is over by `now`
//!   and clears it, exactly once, whichever call comes first; a lock lifted by a
//!   success is reported by reading [`refusals`](Lockout::refusals) before the
//!   success.
//!
//! The count is not part of the lock's meaning: it never changes a status, an
//! `until` or an attempt, and a state stored before it existed reads as 0.

use core::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::LockoutPolicy;
use crate::instant::{after, normalize};

/// Consecutive-failure state of one credential (the password, or the passcode)
/// of one account.
///
/// Plain data: `Clone`, comparable, and serde-serialisable so a store can keep
/// it next to the account, e.g. `{"state":"open","failures":2}` or
/// `{"state":"locked","until":"2025-04-01T00:30:00Z"}` (with `"refused":N` once
/// the lock has turned attempts away). Instants are stored in UTC.
/// Deserialising refuses unknown fields and states.
///
/// Every method that depends on time takes `now`; none reads a clock.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Lockout {
    state: State,
}

/// The private state machine; see the module diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case", deny_unknown_fields)]
enum State {
    /// Not locked; `failures` consecutive failures so far.
    Open { failures: u32 },
    /// Locked until the instant (exclusive), normalised to UTC; `refused`
    /// attempts turned away so far (left out of the stored form while 0, so a
    /// state stored before the count existed reads back unchanged).
    Locked {
        #[serde(with = "time::serde::rfc3339")]
        until: OffsetDateTime,
        #[serde(default, skip_serializing_if = "crate::instant::is_zero")]
        refused: u32,
    },
}

impl Default for State {
    fn default() -> Self {
        Self::Open { failures: 0 }
    }
}

impl State {
    /// This state as seen at `now`: an expired lock is a fresh count.
    fn at(self, now: OffsetDateTime) -> Self {
        match self {
            Self::Locked { until, .. } if now >= until => Self::default(),
            other => other,
        }
    }
}

/// What a credential's lockout looks like at some instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum LockStatus {
    /// Attempts are allowed.
    Open {
        /// How many more consecutive failures are accepted; the last of them
        /// locks. Always ≥ 1 (a full `threshold` after a success or a lock's
        /// end).
        attempts_left: u32,
    },
    /// Attempts are refused until the instant.
    Locked {
        /// When the lock ends (exclusive: the credential is open *at* this
        /// instant). In UTC.
        #[serde(with = "time::serde::rfc3339")]
        until: OffsetDateTime,
    },
}

impl LockStatus {
    /// Whether attempts are refused.
    pub const fn is_locked(&self) -> bool {
        matches!(self, Self::Locked { .. })
    }

    /// How many more consecutive failures are accepted (0 while locked).
    pub const fn attempts_left(&self) -> u32 {
        match self {
            Self::Open { attempts_left } => *attempts_left,
            Self::Locked { .. } => 0,
        }
    }

    /// When the lock ends, if locked.
    pub const fn locked_until(&self) -> Option<OffsetDateTime> {
        match self {
            Self::Open { .. } => None,
            Self::Locked { until } => Some(*until),
        }
    }
}

/// [`Lockout::begin_attempt`] refused: the credential is locked.
///
/// Tell the user to come back at `until` (the manual: 30 分経過後に…).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Locked {
    /// When the lock ends (exclusive). In UTC.
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
}

impl fmt::Display for Locked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "locked after repeated failures until {}", self.until)
    }
}

impl std::error::Error for Locked {}

/// Permission for one verification, already counted as a failure.
///
/// If the verification succeeds, call [`Lockout::record_success`] (and store
/// the result); if it fails, there is nothing more to record — tell the user
/// [`if_failed`](Self::if_failed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use = "verify the credential, then call `record_success` if it matched"]
pub struct Attempt {
    /// The status to report if the verification fails (it is the stored
    /// status already): `Open` with the attempts that remain, or `Locked` when
    /// this attempt was the last one allowed.
    pub if_failed: LockStatus,
    /// Which consecutive failure this attempt was counted as (1, 2, …): the
    /// attempts reserved after it hold the later slots.
    slot: u32,
}

impl Lockout {
    /// A credential with no failures: the same as [`Default`].
    pub const fn new() -> Self {
        Self {
            state: State::Open { failures: 0 },
        }
    }

    /// The status at `now`, under `policy`. Does not change anything.
    ///
    /// If the policy's threshold was lowered below the failures already
    /// counted, the credential is open with one attempt left: changing the
    /// policy never locks anyone retroactively.
    pub fn status(&self, policy: &LockoutPolicy, now: OffsetDateTime) -> LockStatus {
        Self::status_of(self.state.at(normalize(now)), policy)
    }

    fn status_of(state: State, policy: &LockoutPolicy) -> LockStatus {
        match state {
            State::Open { failures } => LockStatus::Open {
                attempts_left: policy.threshold().saturating_sub(failures).max(1),
            },
            State::Locked { until, .. } => LockStatus::Locked { until },
        }
    }

    /// Records one failed verification at `now` and returns the status after
    /// it.
    ///
    /// The `threshold`-th consecutive failure locks until `now + duration`.
    /// While locked, a failure changes nothing — unless the policy
    /// [counts failures while locked](LockoutPolicy::count_failures_while_locked),
    /// in which case the lock is pushed to `now + duration`.
    ///
    /// For verifications that may run concurrently use
    /// [`begin_attempt`](Self::begin_attempt) instead, which counts *before*
    /// verifying.
    pub fn record_failure(&mut self, policy: &LockoutPolicy, now: OffsetDateTime) -> LockStatus {
        let now = normalize(now);
        self.state = match self.state.at(now) {
            State::Open { failures } => {
                let failures = failures.saturating_add(1);
                if failures >= policy.threshold() {
                    State::Locked {
                        until: after(now, policy.duration()),
                        refused: 0,
                    }
                } else {
                    State::Open { failures }
                }
            }
            State::Locked { until, refused } => State::Locked {
                until: Self::locked_failure(until, policy, now),
                refused,
            },
        };
        Self::status_of(self.state, policy)
    }

    /// The end of a lock after a failure at `now` while it holds.
    fn locked_failure(
        until: OffsetDateTime,
        policy: &LockoutPolicy,
        now: OffsetDateTime,
    ) -> OffsetDateTime {
        if policy.counts_failures_while_locked() {
            until.max(after(now, policy.duration()))
        } else {
            until
        }
    }

    /// The atomic-lockout primitive: asks to verify one credential at `now`.
    ///
    /// * Locked → `Err(Locked { until })`; do not verify. The refusal is added
    ///   to the lock's [`refusals`](Self::refusals). (Under a policy that
    ///   [counts failures while locked](LockoutPolicy::count_failures_while_locked)
    ///   the refused attempt also counts as a failure and `until` moves.)
    /// * Open → the attempt is recorded as a failure **up front** and
    ///   `Ok(Attempt)` is returned; verify, and on success call
    ///   [`record_success`](Self::record_success), which refunds it.
    ///
    /// Because the count is raised before anyone verifies, N attempts racing
    /// on the same account — each loading, calling this and storing within one
    /// transaction — get at most `threshold` verifications between them, and
    /// the one that takes the last slot has already locked the credential for
    /// everyone after it.
    pub fn begin_attempt(
        &mut self,
        policy: &LockoutPolicy,
        now: OffsetDateTime,
    ) -> Result<Attempt, Locked> {
        let now = normalize(now);
        if let State::Locked { until, refused } = self.state.at(now) {
            let until = Self::locked_failure(until, policy, now);
            self.state = State::Locked {
                until,
                refused: refused.saturating_add(1),
            };
            return Err(Locked { until });
        }
        let slot = match self.state.at(now) {
            State::Open { failures } => failures.saturating_add(1),
            State::Locked { .. } => policy.threshold(),
        };
        let if_failed = self.record_failure(policy, now);
        Ok(Attempt { if_failed, slot })
    }

    /// Records a successful verification: the count is reset and a lock, if
    /// any, is lifted.
    ///
    /// After [`begin_attempt`](Self::begin_attempt) this is the refund of the
    /// failure counted up front — including the lock when that attempt was the
    /// last one allowed. Call it only for a verification that `begin_attempt`
    /// permitted (or, without `begin_attempt`, one made while
    /// [`status`](Self::status) was open): it does not look at the clock.
    pub fn record_success(&mut self) {
        self.state = State::default();
    }

    /// Records that the verification `attempt` permitted succeeded: the failures
    /// counted before it are forgiven, and the attempts reserved *after* it —
    /// concurrent guesses still being verified — stay counted.
    ///
    /// This is the refund to use with [`begin_attempt`](Self::begin_attempt).
    /// A success therefore ends only the run of failures that came before it: an
    /// attacker whose guesses race a receipt computer's correct logins is still
    /// locked after `threshold` of them. When those later attempts had locked
    /// the credential, the lock is lifted but they remain counted.
    pub fn record_success_of(&mut self, attempt: Attempt) {
        let later = match (self.state, attempt.if_failed) {
            (State::Open { failures }, _) => failures.saturating_sub(attempt.slot),
            // This attempt took the last slot: nothing could be reserved after it.
            (State::Locked { .. }, LockStatus::Locked { .. }) => 0,
            // Later attempts took the remaining slots and locked.
            (State::Locked { .. }, LockStatus::Open { attempts_left }) => attempts_left,
        };
        self.state = State::Open { failures: later };
    }

    /// Lifts a lock and clears the count, for an administrator's unlock.
    pub fn unlock(&mut self) {
        self.state = State::default();
    }

    /// When the current lock ends, if one is stored.
    ///
    /// The instant may already have passed (the expiry is applied lazily);
    /// then the credential is open. `None` means nothing will change by the
    /// passing of time alone.
    pub const fn next_deadline(&self) -> Option<OffsetDateTime> {
        match self.state {
            State::Open { .. } => None,
            State::Locked { until, .. } => Some(until),
        }
    }

    /// Counts one attempt turned away at `now` without reserving anything — for
    /// a caller that refuses on this credential's lock while verifying another
    /// (a right password while the passcode is locked). Returns the lock's
    /// refusals afterwards, or `None` (and changes nothing) when no lock is in
    /// force at `now`. The lock's end does not move, whatever the policy.
    pub fn note_refusal(&mut self, now: OffsetDateTime) -> Option<Refusals> {
        let now = normalize(now);
        if let State::Locked { until, refused } = self.state.at(now) {
            let count = refused.saturating_add(1);
            self.state = State::Locked {
                until,
                refused: count,
            };
            Some(Refusals { until, count })
        } else {
            None
        }
    }

    /// The stored lock's refusals so far: `Some` while a lock is stored — even
    /// one already over, until [`take_ended`](Self::take_ended) or the next
    /// attempt clears it — with a `count` that may be 0; `None` when open.
    ///
    /// Read it after a refused [`begin_attempt`](Self::begin_attempt): a count
    /// of 1 marks the lock period's first refusal.
    pub const fn refusals(&self) -> Option<Refusals> {
        match self.state {
            State::Open { .. } => None,
            State::Locked { until, refused } => Some(Refusals {
                until,
                count: refused,
            }),
        }
    }

    /// Closes the books of a lock that is over at `now`: the credential is open
    /// with a fresh count (as every method would see it anyway) and the lock's
    /// refusals are returned — once. `None`, with nothing changed, when no lock
    /// is stored or the stored one is still in force.
    ///
    /// Call it before [`begin_attempt`](Self::begin_attempt) in the same update
    /// to learn that a lock period ended, and what it refused.
    pub fn take_ended(&mut self, now: OffsetDateTime) -> Option<Refusals> {
        match self.state {
            State::Locked { until, refused } if normalize(now) >= until => {
                self.state = State::default();
                Some(Refusals {
                    until,
                    count: refused,
                })
            }
            _ => None,
        }
    }

    /// Whether a store may forget this credential at `now`: no failures counted
    /// and no lock in force — and no refusals of an ended lock still to report
    /// (see [`take_ended`](Self::take_ended)). Equal to [`Lockout::new`] as far as
    /// every answer at or after `now` goes.
    pub fn is_clear_at(&self, now: OffsetDateTime) -> bool {
        match self.state {
            State::Open { failures } => failures == 0,
            State::Locked { until, refused } => refused == 0 && normalize(now) >= until,
        }
    }
}

/// The attempts one lock period turned away: what an audit trail records instead
/// of one event per refused request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Refusals {
    /// When the lock ends (ended), exclusive. In UTC.
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
    /// How many attempts it refused (saturating at `u32::MAX`).
    pub count: u32,
}

#[cfg(test)]
mod tests;
