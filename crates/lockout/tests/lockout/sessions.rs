//! Session timing of 7 重要事項: 30 minutes idle, and one session per account.

use shikaku_lockout::{Error, IdleTimeout, SessionClock, SessionSlot, SessionStatus};
use time::Duration;

use crate::T0;

const MIN30: Duration = Duration::minutes(30);

fn almost_30() -> Duration {
    MIN30 - Duration::milliseconds(1)
}

#[test]
fn idle_edge_29_59_999_active_30_00_000_expired() {
    let idle = IdleTimeout::default();
    let mut slot = SessionSlot::default();
    let clock = SessionClock::start(slot.begin(), T0);
    assert_eq!(
        clock.status(&slot, &idle, T0 + almost_30()),
        SessionStatus::Active {
            expires_at: T0 + MIN30
        }
    );
    assert_eq!(
        clock.status(&slot, &idle, T0 + MIN30),
        SessionStatus::Expired { at: T0 + MIN30 }
    );
}

#[test]
fn activity_extends_an_active_session() {
    let idle = IdleTimeout::default();
    let mut slot = SessionSlot::default();
    let mut clock = SessionClock::start(slot.begin(), T0);
    let t1 = T0 + almost_30();
    assert_eq!(
        clock.touch(&slot, &idle, t1),
        SessionStatus::Active {
            expires_at: t1 + MIN30
        }
    );
    assert_eq!(clock.last_activity(), t1);
    // 29:59.999 after the last activity: still active.
    assert!(clock.status(&slot, &idle, t1 + almost_30()).is_active());
    assert_eq!(
        clock.status(&slot, &idle, t1 + MIN30),
        SessionStatus::Expired { at: t1 + MIN30 }
    );
    assert_eq!(clock.next_deadline(&slot, &idle), Some(t1 + MIN30));
}

#[test]
fn activity_at_the_expiry_instant_does_not_revive() {
    let idle = IdleTimeout::default();
    let mut slot = SessionSlot::default();
    let mut clock = SessionClock::start(slot.begin(), T0);
    let at = T0 + MIN30;
    assert_eq!(clock.touch(&slot, &idle, at), SessionStatus::Expired { at });
    assert_eq!(clock.last_activity(), T0);
    assert_eq!(
        clock.touch(&slot, &idle, at + Duration::hours(1)),
        SessionStatus::Expired { at }
    );
}

#[test]
fn a_new_login_supersedes_the_earlier_session() {
    let idle = IdleTimeout::default();
    let mut slot = SessionSlot::default();
    let mut first = SessionClock::start(slot.begin(), T0);
    let t = T0 + Duration::minutes(5);
    let second = SessionClock::start(slot.begin(), t);
    assert_ne!(first.epoch(), second.epoch());
    assert_eq!(slot.current(), Some(second.epoch()));
    assert_eq!(first.status(&slot, &idle, t), SessionStatus::Superseded);
    // Activity on the old tab neither revives nor extends it.
    assert_eq!(first.touch(&slot, &idle, t), SessionStatus::Superseded);
    assert_eq!(first.last_activity(), T0);
    assert_eq!(first.next_deadline(&slot, &idle), None);
    assert!(second.status(&slot, &idle, t).is_active());
}

#[test]
fn superseded_takes_precedence_over_expired() {
    let idle = IdleTimeout::default();
    let mut slot = SessionSlot::default();
    let first = SessionClock::start(slot.begin(), T0);
    // The first session went idle; hours later the account logs in again.
    let later = T0 + Duration::hours(3);
    assert_eq!(
        first.status(&slot, &idle, later),
        SessionStatus::Expired { at: T0 + MIN30 }
    );
    let _second = SessionClock::start(slot.begin(), later);
    assert_eq!(first.status(&slot, &idle, later), SessionStatus::Superseded);
}

#[test]
fn logout_ends_only_its_own_session() {
    let idle = IdleTimeout::default();
    let mut slot = SessionSlot::default();
    let first = SessionClock::start(slot.begin(), T0);
    let second = SessionClock::start(slot.begin(), T0);
    assert!(!slot.end(first.epoch()));
    assert!(second.status(&slot, &idle, T0).is_active());
    assert!(slot.end(second.epoch()));
    assert_eq!(slot.current(), None);
    assert_eq!(second.status(&slot, &idle, T0), SessionStatus::Superseded);
    assert!(
        slot.ended_by_logout(second.epoch()),
        "ended by its own logout"
    );
    assert_eq!(first.status(&slot, &idle, T0), SessionStatus::Superseded);
    assert!(
        !slot.ended_by_logout(first.epoch()),
        "ended by the second login"
    );
}

#[test]
fn idle_timeout_is_validated_and_configurable() {
    assert_eq!(IdleTimeout::default().duration(), MIN30);
    assert_eq!(
        IdleTimeout::new(Duration::ZERO),
        Err(Error::NonPositiveIdleTimeout(Duration::ZERO))
    );
    let idle = IdleTimeout::new(Duration::minutes(5)).unwrap();
    let mut slot = SessionSlot::default();
    let clock = SessionClock::start(slot.begin(), T0);
    assert!(
        clock
            .status(
                &slot,
                &idle,
                T0 + Duration::minutes(5) - Duration::nanoseconds(1)
            )
            .is_active()
    );
    assert!(
        !clock
            .status(&slot, &idle, T0 + Duration::minutes(5))
            .is_active()
    );
}
