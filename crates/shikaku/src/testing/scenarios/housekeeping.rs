//! The periodic housekeeping (issue 14): ended locks' counts written and their counters
//! forgotten, ended sessions removed a week after their idle expiry, audit events older
//! than the retention removed — and nothing an answer depends on.

use std::sync::Arc;

use time::Duration;

use crate::audit::count_detail;
use crate::lockout::Refusals;
use crate::testing::{Harness, INITIAL_PASSWORD, LOGIN_ID, ended, locked_until};
use crate::{
    AuditKind, Channel, Config, ENDED_SESSIONS_KEPT, Error, HousekeepingReport, PasswordLogin,
    SessionEnd, Store,
};

const WRONG: &str = "Wrong#Pass1";

/// A lock nobody tries again is summarised by housekeeping once it is over, and its
/// counters go (an unknown identifier's too); a failure short of a lock stays counted.
pub fn housekeeping_closes_ended_locks_and_forgets_their_counters<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let mut until = h.now();
    for id in [LOGIN_ID, "nobody"] {
        for _ in 0..2 {
            let _ = h.login(id, WRONG);
        }
        until = locked_until(h.login(id, WRONG));
        for _ in 0..5 {
            let _ = h.login(id, INITIAL_PASSWORD);
        }
    }
    let _ = h.login("staff02", WRONG); // one failure: no lock, nothing to forget
    let store = h.service.store();
    let counted = |id: &str| store.attempts(&h.key(id)).unwrap().password.refusals();
    assert_eq!(counted("nobody"), Some(Refusals { until, count: 5 }));

    // While the locks hold, housekeeping changes nothing about them.
    h.advance(until - h.now() - Duration::nanoseconds(1));
    assert_eq!(
        h.service.housekeeping().unwrap(),
        HousekeepingReport::default()
    );
    assert_eq!(h.count(AuditKind::PasswordAttemptWhileLocked), 2);

    h.advance(Duration::nanoseconds(1));
    let report = h.service.housekeeping().unwrap();
    assert_eq!(report.refusal_summaries, 2);
    assert_eq!(report.tickets_and_counters, 2, "both ended locks' counters");
    let summaries: Vec<_> = h
        .audit
        .events()
        .into_iter()
        .filter(|e| e.detail.as_deref() == Some(&count_detail(5, until)))
        .collect();
    assert_eq!(summaries.len(), 2);
    assert!(summaries.iter().all(|e| e.channel == Channel::Admin));
    let left: Vec<_> = store.all_attempts().unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].0, h.key("staff02"));
    // Nothing to do twice; and the next lock period starts from a full count.
    assert!(h.service.housekeeping().unwrap().is_empty());
    assert!(matches!(h.login(LOGIN_ID, WRONG), PasswordLogin::Invalid));
    assert_eq!(h.count(AuditKind::PasswordAttemptWhileLocked), 4);
}

/// A session's record outlives its idle expiry by a week — its owner still learns why it
/// ended — then goes; the session of the latest login stays while it is in use.
pub fn housekeeping_removes_sessions_a_week_after_they_ended<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (secret, first) = h.enroll(LOGIN_ID);
    let idle = h.service.config().idle_timeout;
    let store = h.service.store();
    let idle_expiry = |token: &crate::Token| {
        let session = store.session(&token.digest()).unwrap().unwrap();
        session.clock.expires_at(&idle)
    };
    // A second login supersedes the first; the first is never used again.
    h.next_step();
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    let second = match h.submit(&ticket, &h.code(&secret, 0)) {
        crate::PasscodeLogin::Session(grant) => grant.token,
        other => panic!("{other:?}"),
    };
    let first_gone = idle_expiry(&first) + ENDED_SESSIONS_KEPT;
    // The second is used every 20 minutes all the while: it never ends.
    while h.now() + Duration::minutes(20) < first_gone {
        h.advance(Duration::minutes(20));
        assert!(h.session(&second).is_ok());
    }
    h.advance(first_gone - h.now() - Duration::nanoseconds(1));
    assert!(h.session(&second).is_ok());
    assert_eq!(
        h.service.housekeeping().unwrap().sessions,
        0,
        "a week: not yet"
    );
    h.advance(Duration::nanoseconds(1));
    assert_eq!(h.service.housekeeping().unwrap().sessions, 1);
    assert_eq!(ended(h.session(&first)), SessionEnd::Unknown, "removed");
    assert!(h.session(&second).is_ok(), "the session in use stays");

    // Left idle, the second goes a week after its idle expiry — not a moment before.
    let second_gone = idle_expiry(&second) + ENDED_SESSIONS_KEPT;
    h.advance(second_gone - h.now() - Duration::nanoseconds(1));
    assert_eq!(h.service.housekeeping().unwrap().sessions, 0);
    h.advance(Duration::nanoseconds(1));
    assert_eq!(h.service.housekeeping().unwrap().sessions, 1);
    assert_eq!(ended(h.session(&second)), SessionEnd::Unknown);
}

/// Audit events older than the retention go, the younger stay; a retention under a
/// day is refused when the service is built.
pub fn housekeeping_applies_the_audit_retention<S: Store>(store: Arc<S>) {
    let config = Config {
        audit_retention: Duration::days(30),
        ..Config::for_tests()
    };
    let h = Harness::with_config(store, config);
    h.provision(LOGIN_ID);
    let _ = h.login(LOGIN_ID, WRONG);
    let old = h.service.store().recent_audit(100).unwrap().len();
    assert_eq!(old, 2, "provisioned, a failure");
    h.advance(Duration::days(20));
    let _ = h.login(LOGIN_ID, WRONG);
    h.advance(Duration::days(10));
    assert_eq!(
        h.service.housekeeping().unwrap().audit_events,
        0,
        "30 days exactly"
    );
    h.advance(Duration::nanoseconds(1));
    assert_eq!(h.service.housekeeping().unwrap().audit_events, old);
    let left = h.service.store().recent_audit(100).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].kind, AuditKind::PasswordFailed);
    assert!(left[0].at >= h.now() - Duration::days(30));

    let short = Config {
        audit_retention: Duration::DAY - Duration::nanoseconds(1),
        ..Config::for_tests()
    };
    let refused = crate::Shikaku::builder(Arc::new(crate::MemoryStore::new()))
        .master_key(crate::MasterKey::from_bytes(&[7; 32]).unwrap())
        .config(short)
        .build();
    assert!(
        matches!(&refused, Err(Error::InvalidConfig(why)) if why.contains("audit_retention")),
        "{:?}",
        refused.err()
    );
}
