//! The lockout rules of 画面項目説明 (ログイン ④, パスコード ③).

use shikaku_lockout::{Error, LockStatus, Locked, Lockout, LockoutPolicy};
use time::Duration;

use crate::T0;

const MIN30: Duration = Duration::minutes(30);

fn fail(l: &mut Lockout, p: &LockoutPolicy, n: usize) {
    for _ in 0..n {
        let _ = l.record_failure(p, T0);
    }
}

#[test]
fn three_consecutive_failures_lock_for_thirty_minutes() {
    let p = LockoutPolicy::default();
    let mut l = Lockout::default();
    assert_eq!(
        l.record_failure(&p, T0),
        LockStatus::Open { attempts_left: 2 }
    );
    assert_eq!(
        l.record_failure(&p, T0 + Duration::minutes(1)),
        LockStatus::Open { attempts_left: 1 }
    );
    let t3 = T0 + Duration::minutes(2);
    assert_eq!(
        l.record_failure(&p, t3),
        LockStatus::Locked { until: t3 + MIN30 }
    );
    assert_eq!(l.next_deadline(), Some(t3 + MIN30));
}

#[test]
fn lock_edge_29_59_999_locked_30_00_000_open() {
    let p = LockoutPolicy::default();
    let mut l = Lockout::new();
    fail(&mut l, &p, 3);
    let until = T0 + MIN30;
    let almost = T0 + Duration::minutes(29) + Duration::seconds(59) + Duration::milliseconds(999);
    assert_eq!(l.status(&p, almost), LockStatus::Locked { until });
    assert_eq!(l.begin_attempt(&p, almost), Err(Locked { until }));
    assert_eq!(l.status(&p, until), LockStatus::Open { attempts_left: 3 });
    assert!(l.begin_attempt(&p, until).is_ok());
}

#[test]
fn after_the_lock_the_count_starts_fresh() {
    let p = LockoutPolicy::default();
    let mut l = Lockout::new();
    fail(&mut l, &p, 3);
    let until = T0 + MIN30;
    // Two more failures after the lock ends do not lock again: a fresh count.
    assert_eq!(
        l.record_failure(&p, until),
        LockStatus::Open { attempts_left: 2 }
    );
    assert_eq!(
        l.record_failure(&p, until),
        LockStatus::Open { attempts_left: 1 }
    );
    assert_eq!(
        l.record_failure(&p, until),
        LockStatus::Locked {
            until: until + MIN30
        }
    );
}

#[test]
fn a_success_resets_the_count() {
    let p = LockoutPolicy::default();
    let mut l = Lockout::new();
    fail(&mut l, &p, 2);
    l.record_success();
    assert_eq!(l.status(&p, T0), LockStatus::Open { attempts_left: 3 });
    fail(&mut l, &p, 2);
    assert_eq!(l.status(&p, T0), LockStatus::Open { attempts_left: 1 });
}

#[test]
fn there_is_no_time_window_on_consecutive_failures() {
    // "3 回連続" counts consecutive failures however far apart they are.
    let p = LockoutPolicy::default();
    let mut l = Lockout::new();
    let _ = l.record_failure(&p, T0);
    let _ = l.record_failure(&p, T0 + Duration::days(10));
    assert!(l.record_failure(&p, T0 + Duration::days(20)).is_locked());
}

#[test]
fn failures_while_locked_are_ignored_by_default() {
    let p = LockoutPolicy::default();
    let mut l = Lockout::new();
    fail(&mut l, &p, 3);
    let until = T0 + MIN30;
    for minute in 0..30 {
        let t = T0 + Duration::minutes(minute);
        assert_eq!(l.record_failure(&p, t), LockStatus::Locked { until });
        assert_eq!(l.begin_attempt(&p, t), Err(Locked { until }));
    }
    assert_eq!(l.status(&p, until), LockStatus::Open { attempts_left: 3 });
}

#[test]
fn counting_failures_while_locked_restarts_the_lock() {
    let p = LockoutPolicy::default().count_failures_while_locked(true);
    let mut l = Lockout::new();
    fail(&mut l, &p, 3);
    let t = T0 + Duration::minutes(29);
    assert_eq!(
        l.record_failure(&p, t),
        LockStatus::Locked { until: t + MIN30 }
    );
    let t2 = T0 + Duration::minutes(40);
    assert_eq!(l.begin_attempt(&p, t2), Err(Locked { until: t2 + MIN30 }));
    assert_eq!(
        l.status(&p, t2 + MIN30),
        LockStatus::Open { attempts_left: 3 }
    );
}

#[test]
fn password_and_passcode_are_counted_separately() {
    let p = LockoutPolicy::default();
    let mut password = Lockout::new();
    let mut passcode = Lockout::new();
    fail(&mut password, &p, 2);
    // The password is right; the passcode fails three times.
    password.record_success();
    fail(&mut passcode, &p, 3);
    assert!(passcode.status(&p, T0).is_locked());
    assert_eq!(
        password.status(&p, T0),
        LockStatus::Open { attempts_left: 3 }
    );
}

#[test]
fn concurrent_attempts_get_at_most_threshold_verifications() {
    let p = LockoutPolicy::default();
    let mut stored = Lockout::new();
    // Ten requests race; each runs begin_attempt in its own transaction
    // before any verification completes.
    let granted: Vec<_> = (0..10)
        .filter_map(|_| stored.begin_attempt(&p, T0).ok())
        .collect();
    assert_eq!(granted.len(), 3);
    assert_eq!(
        granted.iter().map(|a| a.if_failed).collect::<Vec<_>>(),
        [
            LockStatus::Open { attempts_left: 2 },
            LockStatus::Open { attempts_left: 1 },
            LockStatus::Locked { until: T0 + MIN30 },
        ]
    );
    // One of the three was right: its refund reopens the account.
    stored.record_success();
    assert_eq!(stored.status(&p, T0), LockStatus::Open { attempts_left: 3 });
}

#[test]
fn unlock_is_an_administrators_reset() {
    let p = LockoutPolicy::default();
    let mut l = Lockout::new();
    fail(&mut l, &p, 3);
    l.unlock();
    assert_eq!(l, Lockout::default());
    assert_eq!(l.next_deadline(), None);
}

#[test]
fn policy_numbers_are_validated() {
    assert_eq!(LockoutPolicy::new(0, MIN30), Err(Error::ZeroThreshold));
    assert_eq!(
        LockoutPolicy::new(3, Duration::ZERO),
        Err(Error::NonPositiveLockDuration(Duration::ZERO))
    );
    let e = LockoutPolicy::new(3, Duration::seconds(-5)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the lock duration must be longer than zero, got -5s"
    );
    let custom = LockoutPolicy::new(5, Duration::minutes(10)).unwrap();
    let mut l = Lockout::new();
    fail(&mut l, &custom, 4);
    assert_eq!(l.status(&custom, T0), LockStatus::Open { attempts_left: 1 });
    assert_eq!(
        l.record_failure(&custom, T0),
        LockStatus::Locked {
            until: T0 + Duration::minutes(10)
        }
    );
}
