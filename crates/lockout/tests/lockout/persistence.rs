//! Every state survives a store: serialise, deserialise, carry on.

use shikaku_lockout::{
    IdleTimeout, LockStatus, Lockout, LockoutPolicy, SessionClock, SessionEpoch, SessionSlot,
    SessionStatus,
};
use time::Duration;

use crate::T0;

fn reload<T: serde::Serialize + serde::de::DeserializeOwned>(value: &T) -> T {
    let json = serde_json::to_string(value).unwrap();
    serde_json::from_str(&json).unwrap()
}

#[test]
fn a_reloaded_lockout_carries_on_counting() {
    let p = reload(&LockoutPolicy::default());
    let mut l = Lockout::new();
    let _ = l.record_failure(&p, T0);
    let _ = l.record_failure(&p, T0);
    let mut l = reload(&l);
    let status = l.record_failure(&p, T0);
    assert_eq!(
        status,
        LockStatus::Locked {
            until: T0 + Duration::minutes(30)
        }
    );
    let l = reload(&l);
    assert_eq!(l.status(&p, T0), status);
    assert_eq!(reload(&status), status);
}

#[test]
fn a_reloaded_session_keeps_its_epoch_and_clock() {
    let idle = reload(&IdleTimeout::default());
    let mut slot = SessionSlot::default();
    let clock = SessionClock::start(slot.begin(), T0);
    let mut slot = reload(&slot);
    let clock = reload(&clock);
    let t = T0 + Duration::minutes(10);
    let active = clock.status(&slot, &idle, t);
    assert_eq!(
        active,
        SessionStatus::Active {
            expires_at: T0 + Duration::minutes(30)
        }
    );
    assert_eq!(reload(&active), active);
    // The reloaded slot still supersedes the reloaded session on a new login.
    let next = slot.begin();
    assert_ne!(next, clock.epoch());
    assert_eq!(clock.status(&slot, &idle, t), SessionStatus::Superseded);
    assert_eq!(reload(&next), next);
    assert_eq!(SessionEpoch::from_raw(next.get()), next);
}

#[test]
fn a_store_row_keeps_the_offset_free_instant() {
    // A `now` in JST is stored as the same instant in UTC.
    let p = LockoutPolicy::default();
    let mut l = Lockout::new();
    for _ in 0..3 {
        let _ = l.record_failure(&p, T0);
    }
    let json = serde_json::to_string(&l).unwrap();
    assert_eq!(json, r#"{"state":"locked","until":"2025-04-01T00:30:00Z"}"#);
}

#[test]
fn bad_rows_are_refused_with_a_reason() {
    let err = serde_json::from_str::<LockoutPolicy>(r#"{"threshold":0,"duration_secs":1800}"#)
        .unwrap_err();
    assert!(
        err.to_string().contains("threshold must be at least 1"),
        "{err}"
    );
    let err = serde_json::from_str::<IdleTimeout>(r#"{"duration_secs":0}"#).unwrap_err();
    assert!(
        err.to_string()
            .contains("idle timeout must be longer than zero"),
        "{err}"
    );
    assert!(serde_json::from_str::<Lockout>(r#"{"state":"locked"}"#).is_err());
}
