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
//!                     |  Locked { until = now + duration } -----------------+
//!                     |   |   ^
//!                     |   |   | failure while locked:
//!                     |   |   |   ignored                         (default)
//!                     |   +---+   until := max(until, now + duration)
//!                     |                  (count_failures_while_locked(true))
//!                     |   |
//!                     +---+ now >= until: the count starts fresh, n := 0
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
/// `{"state":"locked","until":"2025-04-01T00:30:00Z"}`. Instants are stored in
/// UTC. Deserialising refuses unknown fields and states.
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
    /// Locked until the instant (exclusive), normalised to UTC.
    Locked {
        #[serde(with = "time::serde::rfc3339")]
        until: OffsetDateTime,
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
            Self::Locked { until } if now >= until => Self::default(),
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
            State::Locked { until } => LockStatus::Locked { until },
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
                    }
                } else {
                    State::Open { failures }
                }
            }
            State::Locked { until } => State::Locked {
                until: Self::locked_failure(until, policy, now),
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
    /// * Locked → `Err(Locked { until })`; do not verify. (Under a policy that
    ///   [counts failures while locked](LockoutPolicy::count_failures_while_locked)
    ///   the refused attempt counts as one and `until` moves.)
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
        if let State::Locked { until } = self.state.at(now) {
            let until = Self::locked_failure(until, policy, now);
            self.state = State::Locked { until };
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
            State::Locked { until } => Some(until),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instant::MAX;
    use time::macros::datetime;
    use time::{Duration, PrimitiveDateTime, UtcOffset};

    #[test]
    fn a_success_forgives_earlier_failures_but_not_concurrent_later_ones() {
        let p = LockoutPolicy::default();
        let t = datetime!(2026-04-01 00:00 UTC);
        // Two earlier failures, then a right password: the run is over.
        let mut l = Lockout::new();
        l.record_failure(&p, t);
        l.record_failure(&p, t);
        let right = l.begin_attempt(&p, t).unwrap();
        l.record_success_of(right);
        assert_eq!(l.status(&p, t), LockStatus::Open { attempts_left: 3 });

        // A right attempt and a guess race: the guess, reserved after it, stays counted.
        let mut l = Lockout::new();
        let right = l.begin_attempt(&p, t).unwrap();
        let _guess = l.begin_attempt(&p, t).unwrap();
        l.record_success_of(right);
        assert_eq!(l.status(&p, t), LockStatus::Open { attempts_left: 2 });

        // The guess was reserved first: the success ends its run.
        let mut l = Lockout::new();
        let _guess = l.begin_attempt(&p, t).unwrap();
        let right = l.begin_attempt(&p, t).unwrap();
        l.record_success_of(right);
        assert_eq!(l.status(&p, t), LockStatus::Open { attempts_left: 3 });

        // Two guesses reserved after the right attempt locked: the lock lifts,
        // both stay counted, and one more failure locks again.
        let mut l = Lockout::new();
        let right = l.begin_attempt(&p, t).unwrap();
        let _ = l.begin_attempt(&p, t).unwrap();
        let last = l.begin_attempt(&p, t).unwrap();
        assert!(last.if_failed.is_locked());
        l.record_success_of(right);
        assert_eq!(l.status(&p, t), LockStatus::Open { attempts_left: 1 });
        assert!(l.begin_attempt(&p, t).unwrap().if_failed.is_locked());

        // The right attempt took the last slot: the account reopens in full.
        let mut l = Lockout::new();
        l.record_failure(&p, t);
        l.record_failure(&p, t);
        let right = l.begin_attempt(&p, t).unwrap();
        assert!(right.if_failed.is_locked());
        l.record_success_of(right);
        assert_eq!(l.status(&p, t), LockStatus::Open { attempts_left: 3 });
    }

    const T0: OffsetDateTime = datetime!(2025-04-01 09:00 +09:00);

    fn ms(n: i64) -> Duration {
        Duration::milliseconds(n)
    }

    fn locked(n: u32) -> Lockout {
        let policy = LockoutPolicy::default();
        let mut l = Lockout::new();
        for _ in 0..n {
            let _ = l.record_failure(&policy, T0);
        }
        l
    }

    #[test]
    fn counts_down_then_locks_on_the_third() {
        let p = LockoutPolicy::default();
        let mut l = Lockout::default();
        assert_eq!(l.status(&p, T0), LockStatus::Open { attempts_left: 3 });
        assert_eq!(
            l.record_failure(&p, T0),
            LockStatus::Open { attempts_left: 2 }
        );
        assert_eq!(
            l.record_failure(&p, T0),
            LockStatus::Open { attempts_left: 1 }
        );
        let until = T0 + Duration::minutes(30);
        assert_eq!(l.record_failure(&p, T0), LockStatus::Locked { until });
        assert_eq!(l.state, State::Locked { until });
        assert_eq!(l.next_deadline(), Some(until));
    }

    #[test]
    fn lock_holds_until_the_last_nanosecond_and_ends_at_the_instant() {
        let p = LockoutPolicy::default();
        let l = locked(3);
        let until = T0 + Duration::minutes(30);
        assert_eq!(
            l.status(&p, T0 + Duration::minutes(30) - ms(1)),
            LockStatus::Locked { until }
        );
        assert_eq!(
            l.status(&p, until - Duration::nanoseconds(1)),
            LockStatus::Locked { until }
        );
        assert_eq!(l.status(&p, until), LockStatus::Open { attempts_left: 3 });
    }

    #[test]
    fn count_starts_fresh_when_the_lock_ends() {
        let p = LockoutPolicy::default();
        let mut l = locked(3);
        let until = T0 + Duration::minutes(30);
        assert_eq!(
            l.record_failure(&p, until),
            LockStatus::Open { attempts_left: 2 }
        );
        assert_eq!(l.state, State::Open { failures: 1 });
        assert_eq!(l.next_deadline(), None);
    }

    #[test]
    fn failures_while_locked_change_nothing_by_default() {
        let p = LockoutPolicy::default();
        let mut l = locked(3);
        let before = l.clone();
        let until = T0 + Duration::minutes(30);
        for t in [T0, T0 + Duration::minutes(29), until - ms(1)] {
            assert_eq!(l.record_failure(&p, t), LockStatus::Locked { until });
            assert_eq!(l.begin_attempt(&p, t), Err(Locked { until }));
        }
        assert_eq!(l, before);
    }

    #[test]
    fn failures_while_locked_restart_the_lock_when_the_policy_says_so() {
        let p = LockoutPolicy::default().count_failures_while_locked(true);
        let mut l = locked(3);
        let t = T0 + Duration::minutes(20);
        let until = t + Duration::minutes(30);
        assert_eq!(l.record_failure(&p, t), LockStatus::Locked { until });
        let t2 = T0 + Duration::minutes(25);
        assert_eq!(
            l.begin_attempt(&p, t2),
            Err(Locked {
                until: t2 + Duration::minutes(30)
            })
        );
        // A failure with a stale `now` never shortens the lock.
        assert_eq!(
            l.record_failure(&p, T0),
            LockStatus::Locked {
                until: t2 + Duration::minutes(30)
            }
        );
    }

    #[test]
    fn success_resets_the_count() {
        let p = LockoutPolicy::default();
        let mut l = locked(2);
        l.record_success();
        assert_eq!(l, Lockout::new());
        assert_eq!(
            l.record_failure(&p, T0),
            LockStatus::Open { attempts_left: 2 }
        );
    }

    #[test]
    fn unlock_lifts_a_lock() {
        let p = LockoutPolicy::default();
        let mut l = locked(3);
        l.unlock();
        assert_eq!(l.status(&p, T0), LockStatus::Open { attempts_left: 3 });
        assert_eq!(l.next_deadline(), None);
    }

    #[test]
    fn begin_attempt_counts_up_front_and_success_refunds() {
        let p = LockoutPolicy::default();
        let mut l = Lockout::new();
        let a = l.begin_attempt(&p, T0).unwrap();
        assert_eq!(a.if_failed, LockStatus::Open { attempts_left: 2 });
        assert_eq!(l.state, State::Open { failures: 1 });
        l.record_success();
        assert_eq!(l.state, State::Open { failures: 0 });
    }

    #[test]
    fn the_last_allowed_attempt_locks_before_it_is_verified() {
        let p = LockoutPolicy::default();
        let mut l = locked(2);
        let until = T0 + Duration::minutes(30);
        let a = l.begin_attempt(&p, T0).unwrap();
        assert_eq!(a.if_failed, LockStatus::Locked { until });
        // A concurrent fourth attempt is refused while the third is verified.
        assert_eq!(l.begin_attempt(&p, T0), Err(Locked { until }));
        // The third one was right after all.
        l.record_success();
        assert_eq!(l.status(&p, T0), LockStatus::Open { attempts_left: 3 });
    }

    #[test]
    fn lowering_the_threshold_never_locks_retroactively() {
        let p1 = LockoutPolicy::new(1, Duration::minutes(30)).unwrap();
        let mut l = locked(2);
        assert_eq!(l.status(&p1, T0), LockStatus::Open { attempts_left: 1 });
        assert_eq!(
            l.record_failure(&p1, T0),
            LockStatus::Locked {
                until: T0 + Duration::minutes(30)
            }
        );
    }

    #[test]
    fn threshold_one_locks_on_the_first_failure() {
        let p = LockoutPolicy::new(1, Duration::seconds(10)).unwrap();
        let mut l = Lockout::new();
        let a = l.begin_attempt(&p, T0).unwrap();
        assert!(a.if_failed.is_locked());
        assert!(l.begin_attempt(&p, T0).is_err());
    }

    #[test]
    fn far_future_now_saturates_instead_of_panicking() {
        let p = LockoutPolicy::new(1, Duration::MAX).unwrap();
        let ends = [
            PrimitiveDateTime::MAX.assume_utc(),
            PrimitiveDateTime::MAX.assume_offset(UtcOffset::from_hms(-23, 59, 59).unwrap()),
            PrimitiveDateTime::MIN.assume_offset(UtcOffset::from_hms(23, 59, 59).unwrap()),
            datetime!(9999-12-31 23:59 UTC),
        ];
        for now in ends {
            let mut l = Lockout::new();
            let status = l.record_failure(&p, now);
            let _ = l.begin_attempt(&p, now);
            let _ = l.status(&p, now);
            if let Some(until) = l.next_deadline() {
                assert!(until <= MAX);
                assert_eq!(until.offset(), UtcOffset::UTC);
            }
            assert!(serde_json::to_string(&l).is_ok(), "{status:?} must persist");
        }
        // Counting never overflows either.
        let big = LockoutPolicy::new(u32::MAX, Duration::minutes(1)).unwrap();
        let mut l = Lockout {
            state: State::Open {
                failures: u32::MAX - 1,
            },
        };
        assert!(l.record_failure(&big, T0).is_locked());
        let mut l = Lockout {
            state: State::Open { failures: u32::MAX },
        };
        assert_eq!(l.status(&big, T0), LockStatus::Open { attempts_left: 1 });
        assert!(l.record_failure(&big, T0).is_locked());
    }

    #[test]
    fn stored_instants_are_utc_whatever_offset_now_has() {
        let p = LockoutPolicy::default();
        let l = locked(3);
        let until = l.next_deadline().unwrap();
        assert_eq!(until.offset(), UtcOffset::UTC);
        assert_eq!(until, datetime!(2025-04-01 00:30 UTC));
        assert_eq!(
            l.status(&p, datetime!(2025-04-01 09:29:59.999 +09:00))
                .locked_until(),
            Some(until)
        );
    }

    #[test]
    fn serde_form_is_tagged_and_round_trips() {
        let open = locked(2);
        assert_eq!(
            serde_json::to_string(&open).unwrap(),
            r#"{"state":"open","failures":2}"#
        );
        let shut = locked(3);
        let json = serde_json::to_string(&shut).unwrap();
        assert_eq!(json, r#"{"state":"locked","until":"2025-04-01T00:30:00Z"}"#);
        assert_eq!(serde_json::from_str::<Lockout>(&json).unwrap(), shut);
        assert_eq!(
            serde_json::from_str::<Lockout>(r#"{"state":"open","failures":0}"#).unwrap(),
            Lockout::new()
        );
        for bad in [
            r#"{"state":"frozen"}"#,
            r#"{"state":"open"}"#,
            r#"{"state":"open","failures":-1}"#,
            r#"{"state":"open","failures":1,"extra":true}"#,
            r#"{"state":"locked","until":"yesterday"}"#,
        ] {
            assert!(serde_json::from_str::<Lockout>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn status_and_locked_serialise() {
        let s = LockStatus::Open { attempts_left: 2 };
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"status":"open","attempts_left":2}"#
        );
        let until = datetime!(2025-04-01 00:30 UTC);
        let s = LockStatus::Locked { until };
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            json,
            r#"{"status":"locked","until":"2025-04-01T00:30:00Z"}"#
        );
        assert_eq!(serde_json::from_str::<LockStatus>(&json).unwrap(), s);
        let json = serde_json::to_string(&Locked { until }).unwrap();
        assert_eq!(json, r#"{"until":"2025-04-01T00:30:00Z"}"#);
        assert_eq!(
            serde_json::from_str::<Locked>(&json).unwrap(),
            Locked { until }
        );
    }

    #[test]
    fn status_helpers() {
        let until = datetime!(2025-04-01 00:30 UTC);
        let open = LockStatus::Open { attempts_left: 2 };
        let shut = LockStatus::Locked { until };
        assert!(!open.is_locked());
        assert!(shut.is_locked());
        assert_eq!(open.attempts_left(), 2);
        assert_eq!(shut.attempts_left(), 0);
        assert_eq!(open.locked_until(), None);
        assert_eq!(shut.locked_until(), Some(until));
        assert_eq!(
            Locked { until }.to_string(),
            "locked after repeated failures until 2025-04-01 0:30:00.0 +00:00:00"
        );
    }
}
