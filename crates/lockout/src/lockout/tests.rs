//! Unit tests of [`Lockout`](super::Lockout): the state machine at its exact edges.

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
    assert_eq!(l.state, State::Locked { until, refused: 0 });
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
    // Only the refusals were counted: the lock itself is as it was.
    assert_eq!(l.next_deadline(), before.next_deadline());
    assert_eq!(l.refusals(), Some(Refusals { until, count: 3 }));
    assert_eq!(l.state, State::Locked { until, refused: 3 });
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

// ----- refusals ------------------------------------------------------------------------

#[test]
fn a_lock_counts_its_refusals_and_reports_them_once_when_it_ends() {
    let p = LockoutPolicy::default();
    let mut l = locked(3);
    let until = T0 + Duration::minutes(30);
    assert_eq!(l.refusals(), Some(Refusals { until, count: 0 }));
    for (i, t) in [T0, T0 + Duration::minutes(10), until - ms(1)]
        .into_iter()
        .enumerate()
    {
        assert_eq!(l.take_ended(t), None, "still in force at {t}");
        assert_eq!(l.begin_attempt(&p, t), Err(Locked { until }));
        let count = u32::try_from(i).unwrap() + 1;
        assert_eq!(l.refusals(), Some(Refusals { until, count }));
    }
    // At `until` the lock is over: its tally is reported, once, and the count is fresh.
    assert_eq!(l.take_ended(until), Some(Refusals { until, count: 3 }));
    assert_eq!(l, Lockout::new());
    assert_eq!(l.take_ended(until), None);
    assert_eq!(l.refusals(), None);
    assert_eq!(
        l.begin_attempt(&p, until).unwrap().if_failed,
        LockStatus::Open { attempts_left: 2 }
    );
}

#[test]
fn a_lock_that_refused_nothing_ends_with_a_zero_tally() {
    let mut l = locked(3);
    let until = T0 + Duration::minutes(30);
    assert_eq!(l.take_ended(until), Some(Refusals { until, count: 0 }));
    assert_eq!(l, Lockout::new());
    // An open credential has no lock to end.
    assert_eq!(locked(2).take_ended(until), None);
    assert_eq!(Lockout::new().take_ended(until), None);
}

#[test]
fn refusals_move_with_a_lock_extended_by_the_policy() {
    let p = LockoutPolicy::default().count_failures_while_locked(true);
    let mut l = locked(3);
    let t = T0 + Duration::minutes(20);
    assert!(l.begin_attempt(&p, t).is_err());
    let until = t + Duration::minutes(30);
    // One lock period: the count goes on while its end moves.
    assert_eq!(l.refusals(), Some(Refusals { until, count: 1 }));
    assert!(l.begin_attempt(&p, t).is_err());
    assert_eq!(l.refusals(), Some(Refusals { until, count: 2 }));
    assert_eq!(l.take_ended(T0 + Duration::minutes(30)), None);
    assert_eq!(l.take_ended(until), Some(Refusals { until, count: 2 }));
}

#[test]
fn note_refusal_counts_only_while_locked_and_never_moves_the_lock() {
    let p = LockoutPolicy::default().count_failures_while_locked(true);
    let mut open = locked(2);
    let before = open.clone();
    assert_eq!(open.note_refusal(T0), None);
    assert_eq!(open, before, "nothing reserved, nothing counted");

    let mut l = locked(3);
    let until = T0 + Duration::minutes(30);
    let t = T0 + Duration::minutes(5);
    assert_eq!(l.note_refusal(t), Some(Refusals { until, count: 1 }));
    assert_eq!(l.note_refusal(t), Some(Refusals { until, count: 2 }));
    assert_eq!(l.next_deadline(), Some(until));
    assert_eq!(l.status(&p, t), LockStatus::Locked { until });
    // Over: nothing to count, and the tally is still there to report.
    assert_eq!(l.note_refusal(until), None);
    assert_eq!(l.take_ended(until), Some(Refusals { until, count: 2 }));
}

#[test]
fn a_success_that_lifts_a_lock_leaves_no_tally_behind() {
    let p = LockoutPolicy::default();
    let mut l = locked(2);
    let last = l.begin_attempt(&p, T0).unwrap();
    assert!(last.if_failed.is_locked());
    assert!(l.begin_attempt(&p, T0).is_err());
    let until = T0 + Duration::minutes(30);
    // Read before the refund: the period the success ends.
    assert_eq!(l.refusals(), Some(Refusals { until, count: 1 }));
    l.record_success_of(last);
    assert_eq!(l.refusals(), None);
    assert_eq!(l.take_ended(until), None);
}

#[test]
fn is_clear_at_says_when_a_store_may_forget() {
    let p = LockoutPolicy::default();
    let until = T0 + Duration::minutes(30);
    assert!(Lockout::new().is_clear_at(T0));
    assert!(!locked(1).is_clear_at(until), "a failure is remembered");
    let quiet = locked(3);
    assert!(!quiet.is_clear_at(until - ms(1)), "a lock in force");
    assert!(
        quiet.is_clear_at(until),
        "an ended lock that refused nothing"
    );
    let mut busy = locked(3);
    assert!(busy.begin_attempt(&p, T0).is_err());
    assert!(!busy.is_clear_at(until), "a tally still to report");
    let _ = busy.take_ended(until);
    assert!(busy.is_clear_at(until));
}

#[test]
fn the_tally_is_stored_only_once_there_is_one() {
    let p = LockoutPolicy::default();
    let mut l = locked(3);
    // A lock stored before refusals were counted reads back with none.
    let old = r#"{"state":"locked","until":"2025-04-01T00:30:00Z"}"#;
    assert_eq!(serde_json::to_string(&l).unwrap(), old);
    assert_eq!(serde_json::from_str::<Lockout>(old).unwrap(), l);
    assert!(l.begin_attempt(&p, T0).is_err());
    let json = serde_json::to_string(&l).unwrap();
    assert_eq!(
        json,
        r#"{"state":"locked","until":"2025-04-01T00:30:00Z","refused":1}"#
    );
    assert_eq!(serde_json::from_str::<Lockout>(&json).unwrap(), l);
    for bad in [
        r#"{"state":"locked","until":"2025-04-01T00:30:00Z","refused":-1}"#,
        r#"{"state":"open","failures":0,"refused":1}"#,
    ] {
        assert!(serde_json::from_str::<Lockout>(bad).is_err(), "{bad}");
    }
    let r = Refusals {
        until: datetime!(2025-04-01 00:30 UTC),
        count: 4,
    };
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(json, r#"{"until":"2025-04-01T00:30:00Z","count":4}"#);
    assert_eq!(serde_json::from_str::<Refusals>(&json).unwrap(), r);
}

#[test]
fn the_refusal_count_saturates() {
    let p = LockoutPolicy::default();
    let until = T0 + Duration::minutes(30);
    let mut l = Lockout {
        state: State::Locked {
            until,
            refused: u32::MAX,
        },
    };
    assert!(l.begin_attempt(&p, T0).is_err());
    assert_eq!(l.note_refusal(T0).map(|r| r.count), Some(u32::MAX));
    assert_eq!(l.refusals().map(|r| r.count), Some(u32::MAX));
}
