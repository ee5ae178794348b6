//! Refusals: every attempt a lock turns away is counted once, in exactly one lock
//! period, and an audit trail that records a period's first refusal and its tally
//! writes a bounded number of events per period however many requests arrive.

use std::collections::VecDeque;

use proptest::prelude::*;
use shikaku_lockout::{Attempt, Locked, Lockout, LockoutPolicy, Refusals};
use time::{Duration, OffsetDateTime};

use crate::T0;

#[derive(Clone, Debug)]
enum Request {
    /// An attempt of this credential (the facade's `reserve`).
    Attempt,
    /// A request refused on this lock while another credential is verified.
    Refusal,
    /// The oldest outstanding verification ends: right (`true`) or wrong.
    Verify(bool),
    /// Housekeeping: closes the books of an ended lock.
    Sweep,
    Advance(Duration),
    Reload,
}

fn requests() -> impl Strategy<Value = Vec<Request>> {
    prop::collection::vec(
        prop_oneof![
            12 => Just(Request::Attempt),
            2 => Just(Request::Refusal),
            3 => any::<bool>().prop_map(Request::Verify),
            1 => Just(Request::Sweep),
            3 => prop_oneof![
                Just(Duration::ZERO),
                (0i64..=120).prop_map(Duration::seconds),
                (0i64..=40 * 60).prop_map(Duration::seconds),
            ]
            .prop_map(Request::Advance),
            1 => Just(Request::Reload),
        ],
        0..200,
    )
}

fn policies() -> impl Strategy<Value = LockoutPolicy> {
    prop_oneof![
        Just(LockoutPolicy::default()),
        Just(LockoutPolicy::default().count_failures_while_locked(true)),
        (1u32..=4, 1i64..=1_800, any::<bool>()).prop_map(|(threshold, secs, count)| {
            LockoutPolicy::new(threshold, Duration::seconds(secs))
                .unwrap()
                .count_failures_while_locked(count)
        }),
    ]
}

/// What an audit trail following the facade's protocol writes.
#[derive(Default)]
struct Trail {
    /// First refusals of a period, recorded at once.
    firsts: u32,
    /// Tallies reported when a period ended (by time, or lifted by a success).
    tallies: Vec<Refusals>,
}

impl Trail {
    /// Events written: the first refusals, and a summary for every tally above 1.
    fn events(&self) -> usize {
        self.firsts as usize + self.tallies.iter().filter(|t| t.count > 1).count()
    }
}

fn reload(l: &Lockout) -> Lockout {
    serde_json::from_str(&serde_json::to_string(l).unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every refused request is in exactly one reported tally; each period with
    /// refusals has exactly one first refusal; and the events written never exceed
    /// two per lock, however many requests were refused.
    #[test]
    fn every_refusal_is_counted_once_in_one_period(policy in policies(), requests in requests()) {
        let mut l = Lockout::new();
        let mut now = T0;
        let mut outstanding: VecDeque<Attempt> = VecDeque::new();
        let mut refused = 0u64;
        let mut locks = 0usize;
        let mut trail = Trail::default();
        for request in requests {
            match request {
                Request::Attempt => {
                    trail.tallies.extend(l.take_ended(now));
                    match l.begin_attempt(&policy, now) {
                        Ok(attempt) => {
                            if attempt.if_failed.is_locked() {
                                locks += 1;
                            }
                            outstanding.push_back(attempt);
                        }
                        Err(Locked { until }) => {
                            refused += 1;
                            let tally = l.refusals().expect("refused without a stored lock");
                            prop_assert_eq!(tally.until, until);
                            if tally.count == 1 {
                                trail.firsts += 1;
                            }
                        }
                    }
                }
                Request::Refusal => {
                    if let Some(tally) = l.note_refusal(now) {
                        refused += 1;
                        prop_assert!(l.status(&policy, now).is_locked(), "counted while open");
                        if tally.count == 1 {
                            trail.firsts += 1;
                        }
                    }
                }
                Request::Verify(right) => {
                    if let Some(attempt) = outstanding.pop_front() && right {
                        // The success may lift a lock: its tally is read first.
                        trail.tallies.extend(l.refusals());
                        l.record_success_of(attempt);
                        prop_assert_eq!(l.refusals(), None);
                    }
                }
                Request::Sweep => trail.tallies.extend(l.take_ended(now)),
                Request::Advance(d) => now += d,
                Request::Reload => l = reload(&l),
            }
        }
        // Whatever is still stored ends some day.
        let end = OffsetDateTime::new_utc(time::Date::MAX, time::Time::MIDNIGHT);
        trail.tallies.extend(l.take_ended(end));
        prop_assert_eq!(l.refusals(), None);

        let counted: u64 = trail.tallies.iter().map(|t| u64::from(t.count)).sum();
        prop_assert_eq!(counted, refused, "every refusal in exactly one tally");
        let periods_with_refusals = trail.tallies.iter().filter(|t| t.count > 0).count();
        prop_assert_eq!(trail.firsts as usize, periods_with_refusals, "one first per period");
        let (periods, events) = (trail.tallies.len(), trail.events());
        prop_assert!(periods <= locks, "{} periods from {} locks", periods, locks);
        prop_assert!(events <= 2 * locks, "{} events for {} locks", events, locks);
    }

    /// A hammer on a locked credential: n refusals cost two events, whatever n.
    #[test]
    fn a_hammered_lock_costs_two_events(n in 1u32..5_000) {
        let policy = LockoutPolicy::default();
        let mut l = Lockout::new();
        for _ in 0..3 {
            let _ = l.begin_attempt(&policy, T0).unwrap();
        }
        let until = T0 + Duration::minutes(30);
        let mut firsts = 0;
        for i in 0..n {
            let t = T0 + Duration::milliseconds(i64::from(i % 1_799_999));
            prop_assert!(l.take_ended(t).is_none());
            prop_assert_eq!(l.begin_attempt(&policy, t), Err(Locked { until }));
            if l.refusals().map(|r| r.count) == Some(1) {
                firsts += 1;
            }
        }
        prop_assert_eq!(firsts, 1);
        prop_assert_eq!(l.take_ended(until), Some(Refusals { until, count: n }));
    }
}
