//! Properties over arbitrary event sequences.
//!
//! Each test keeps its own account of what it has observed through the public
//! API (failures accepted in the current run, the lock it was told about) and
//! checks the machine against it after every event.

use proptest::prelude::*;
use shikaku_lockout::{
    IdleTimeout, LockStatus, Locked, Lockout, LockoutPolicy, SessionClock, SessionSlot,
    SessionStatus,
};
use time::{Duration, OffsetDateTime};

use crate::T0;

fn policies() -> impl Strategy<Value = LockoutPolicy> {
    prop_oneof![
        Just(LockoutPolicy::default()),
        Just(LockoutPolicy::default().count_failures_while_locked(true)),
        (1u32..=6, 1i64..=3_600, any::<bool>()).prop_map(|(threshold, secs, count)| {
            LockoutPolicy::new(threshold, Duration::seconds(secs))
                .unwrap()
                .count_failures_while_locked(count)
        }),
    ]
}

/// Time steps: often zero (a burst), sometimes around the lock's end.
fn steps() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::ZERO),
        (0i64..=2_000).prop_map(Duration::milliseconds),
        (0i64..=45 * 60 * 1000).prop_map(Duration::milliseconds),
    ]
}

#[derive(Clone, Debug)]
enum Event {
    Failure,
    Success,
    Advance(Duration),
    Reload,
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    prop::collection::vec(
        prop_oneof![
            6 => Just(Event::Failure),
            1 => Just(Event::Success),
            3 => steps().prop_map(Event::Advance),
            1 => Just(Event::Reload),
        ],
        0..80,
    )
}

fn reload(l: &Lockout) -> Lockout {
    let json = serde_json::to_string(l).unwrap();
    let back: Lockout = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, l);
    back
}

/// The lock the test was told about, forgotten once `now` reaches its end.
fn observed_lock(lock: &mut Option<OffsetDateTime>, run: &mut u32, now: OffsetDateTime) {
    if lock.is_some_and(|until| now >= until) {
        *lock = None;
        *run = 0;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// No more than `threshold` (3 for the manual) consecutive failures are
    /// ever accepted before the lock, and the status always says exactly what
    /// the accepted failures and the lock imply.
    #[test]
    fn never_more_than_threshold_consecutive_failures(policy in policies(), events in events()) {
        let threshold = policy.threshold();
        let mut l = Lockout::new();
        let mut now = T0;
        let mut run = 0u32; // failures accepted since the last success / lock end
        let mut lock: Option<OffsetDateTime> = None;
        for event in events {
            observed_lock(&mut lock, &mut run, now);
            match event {
                Event::Failure => {
                    let after = l.record_failure(&policy, now);
                    if let Some(until) = lock {
                        let expected = if policy.counts_failures_while_locked() {
                            until.max(now + policy.duration())
                        } else {
                            until
                        };
                        prop_assert_eq!(after, LockStatus::Locked { until: expected });
                        lock = Some(expected);
                    } else {
                        run += 1;
                        prop_assert!(run <= threshold, "accepted {} > {}", run, threshold);
                        if run == threshold {
                            let until = now + policy.duration();
                            prop_assert_eq!(after, LockStatus::Locked { until });
                            lock = Some(until);
                        } else {
                            prop_assert_eq!(after, LockStatus::Open { attempts_left: threshold - run });
                        }
                    }
                }
                Event::Success => {
                    l.record_success();
                    run = 0;
                    lock = None;
                }
                Event::Advance(d) => now += d,
                Event::Reload => l = reload(&l),
            }
            observed_lock(&mut lock, &mut run, now);
            let expected = match lock {
                Some(until) => LockStatus::Locked { until },
                None => LockStatus::Open { attempts_left: threshold - run },
            };
            prop_assert_eq!(l.status(&policy, now), expected);
            match lock {
                Some(until) => prop_assert_eq!(l.next_deadline(), Some(until)),
                // Only a lock that has already ended may still be stored.
                None => prop_assert!(l.next_deadline().is_none_or(|until| until <= now)),
            }
        }
    }
}

#[derive(Clone, Debug)]
enum Race {
    /// A request loads the row, calls `begin_attempt`, stores it.
    Begin,
    /// The oldest outstanding verification finishes: right (`true`) or wrong.
    Verify(bool),
    Advance(Duration),
    Reload,
}

fn races() -> impl Strategy<Value = Vec<Race>> {
    prop::collection::vec(
        prop_oneof![
            6 => Just(Race::Begin),
            3 => any::<bool>().prop_map(Race::Verify),
            2 => steps().prop_map(Race::Advance),
            1 => Just(Race::Reload),
        ],
        0..100,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// However `begin_attempt`, verifications, refunds and time interleave,
    /// the number of `begin_attempt` calls that returned `Ok` within one
    /// failure run (no success in between, no lock expiry) never exceeds the
    /// threshold; and a refusal always names a future instant.
    #[test]
    fn begin_attempt_grants_at_most_threshold_per_run(policy in policies(), races in races()) {
        let threshold = policy.threshold();
        let mut l = Lockout::new();
        let mut now = T0;
        let mut run = 0u32; // Ok(Attempt)s granted in this failure run
        let mut lock: Option<OffsetDateTime> = None;
        let mut outstanding = std::collections::VecDeque::new();
        for race in races {
            observed_lock(&mut lock, &mut run, now);
            match race {
                Race::Begin => match l.begin_attempt(&policy, now) {
                    Ok(attempt) => {
                        prop_assert!(lock.is_none(), "granted while a lock was announced");
                        run += 1;
                        prop_assert!(run <= threshold, "{} verifications > {}", run, threshold);
                        if run == threshold {
                            let until = now + policy.duration();
                            prop_assert_eq!(attempt.if_failed, LockStatus::Locked { until });
                            lock = Some(until);
                        } else {
                            prop_assert_eq!(
                                attempt.if_failed,
                                LockStatus::Open { attempts_left: threshold - run }
                            );
                        }
                        outstanding.push_back(attempt);
                    }
                    Err(Locked { until }) => {
                        prop_assert!(until > now, "refused with a lock that already ended");
                        let announced = lock.expect("refused without a lock");
                        prop_assert!(until >= announced, "a lock never ends earlier");
                        if !policy.counts_failures_while_locked() {
                            prop_assert_eq!(until, announced);
                        }
                        lock = Some(until);
                    }
                },
                Race::Verify(right) => {
                    if outstanding.pop_front().is_some() && right {
                        l.record_success();
                        run = 0;
                        lock = None;
                    }
                }
                Race::Advance(d) => now += d,
                Race::Reload => l = reload(&l),
            }
        }
    }

    /// With the manual's policy and any burst of simultaneous requests, exactly
    /// three are verified and the rest are refused until the lock ends.
    #[test]
    fn a_burst_gets_exactly_three(n in 0usize..50) {
        let policy = LockoutPolicy::default();
        let mut l = Lockout::new();
        let granted = (0..n).filter(|_| l.begin_attempt(&policy, T0).is_ok()).count();
        prop_assert_eq!(granted, n.min(3));
    }
}

#[derive(Clone, Debug)]
enum Use {
    Touch(Duration),
    Look(Duration),
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// A session is active exactly until some gap between counted activities
    /// reaches the idle timeout, and never comes back after that.
    #[test]
    fn idle_expiry_is_exact_and_final(
        idle_ms in 1i64..=120_000,
        uses in prop::collection::vec(
            prop_oneof![
                (0i64..=150_000).prop_map(|ms| Use::Touch(Duration::milliseconds(ms))),
                (0i64..=150_000).prop_map(|ms| Use::Look(Duration::milliseconds(ms))),
            ],
            0..40,
        ),
    ) {
        let idle = IdleTimeout::new(Duration::milliseconds(idle_ms)).unwrap();
        let mut slot = SessionSlot::default();
        let mut clock = SessionClock::start(slot.begin(), T0);
        let mut now = T0;
        let mut last = T0;
        let mut expired_at: Option<OffsetDateTime> = None;
        for u in uses {
            let (step, touch) = match u {
                Use::Touch(d) => (d, true),
                Use::Look(d) => (d, false),
            };
            now += step;
            if expired_at.is_none() && now - last >= idle.duration() {
                expired_at = Some(last + idle.duration());
            }
            let status = if touch {
                clock.touch(&slot, &idle, now)
            } else {
                clock.status(&slot, &idle, now)
            };
            match expired_at {
                Some(at) => prop_assert_eq!(status, SessionStatus::Expired { at }),
                None => {
                    if touch {
                        last = now;
                    }
                    prop_assert_eq!(status, SessionStatus::Active { expires_at: last + idle.duration() });
                }
            }
        }
        // A new login supersedes it, whatever its clock says.
        let _ = slot.begin();
        prop_assert_eq!(clock.status(&slot, &idle, now), SessionStatus::Superseded);
    }
}
