//! Attempts refused by a lock: one audit event for the lock period's first refusal and
//! one with the count when the period is over, whatever the number of requests, the
//! doors they come through or their concurrency (issue 14: a client hammering a locked
//! identifier must not grow the store with every request).

use std::sync::{Arc, Mutex};

use time::Duration;

use crate::audit::{count_detail, until_detail};
use crate::lockout::Refusals;
use crate::password::Password;
use crate::testing::{Harness, HookPoint, HookedStore, INITIAL_PASSWORD, LOGIN_ID, locked_until};
use crate::{
    AccountKey, AuditEvent, AuditKind, Authentication, Channel, PasscodeLogin, PasswordLogin, Store,
};

const WRONG: &str = "Wrong#Pass1";

/// The events of `kind` about `key`, oldest first.
fn events_of<S: Store>(h: &Harness<S>, kind: AuditKind, key: &AccountKey) -> Vec<AuditEvent> {
    h.audit
        .events()
        .into_iter()
        .filter(|e| e.kind == kind && e.account.as_ref() == Some(key))
        .collect()
}

fn details(events: &[AuditEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| e.detail.clone().unwrap_or_default())
        .collect()
}

/// Locks `login_id`'s password with three wrong ones; answers the lock's end.
fn lock_password<S: Store>(h: &Harness<S>, login_id: &str) -> time::OffsetDateTime {
    for _ in 0..2 {
        assert!(matches!(h.login(login_id, WRONG), PasswordLogin::Invalid));
    }
    locked_until(h.login(login_id, WRONG))
}

/// 60 refused logins over the lock's 30 minutes — wrong and right passwords, the web
/// screens and the receipt computer — write one event; the next attempt after the lock
/// writes one more with the count. A period with a single refusal writes no summary.
/// The same holds for an identifier without an account.
pub fn a_hammered_password_lock_records_one_refusal_and_one_count<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    for id in [LOGIN_ID, "nobody"] {
        let key = h.key(id);
        let start = h.now();
        let until = lock_password(&h, id);
        let code = crate::totp::Passcode::parse("123456").unwrap();
        for i in 0..60 {
            let password = if i % 2 == 0 { WRONG } else { INITIAL_PASSWORD };
            if i % 3 == 0 {
                let answer = h
                    .service
                    .authenticate(&key, &Password::new(password), &code)
                    .unwrap();
                assert!(matches!(answer, Authentication::Locked { until: u } if u == until));
            } else {
                assert_eq!(locked_until(h.login(id, password)), until);
            }
            h.advance(Duration::seconds(29));
        }
        // An identifier without an account is recorded by its fingerprint, never as typed.
        let recorded = h.service.audit_identifier(&key).unwrap();
        assert_eq!(recorded == key, id == LOGIN_ID, "{id}: {recorded:?}");
        let refused = events_of(&h, AuditKind::PasswordAttemptWhileLocked, &recorded);
        assert_eq!(details(&refused), [until_detail(until)], "{id}");
        assert_eq!(
            refused[0].channel,
            Channel::ReceiptComputer,
            "the first came first"
        );
        let stored = h.service.store().attempts(&key).unwrap().password;
        assert_eq!(stored.refusals(), Some(Refusals { until, count: 60 }));

        // The lock is over: the next attempt closes the period with its count.
        h.advance(until - h.now());
        let _ = h.login(id, WRONG);
        let refused = events_of(&h, AuditKind::PasswordAttemptWhileLocked, &recorded);
        assert_eq!(
            details(&refused),
            [until_detail(until), count_detail(60, until)],
            "{id}"
        );
        assert!(refused[1].at >= until);
        assert!(h.now() - start < Duration::hours(1));

        // A second lock that refuses one request: its first event says it all.
        let _ = h.login(id, WRONG);
        let until = locked_until(h.login(id, WRONG));
        let _ = h.login(id, WRONG);
        h.advance(until - h.now());
        let _ = h.login(id, WRONG);
        let refused = events_of(&h, AuditKind::PasswordAttemptWhileLocked, &recorded);
        assert_eq!(refused.len(), 3, "{id}: {:?}", details(&refused));
        assert_eq!(refused[2].detail, Some(until_detail(until)));
    }
}

/// The passcode lock counts its refusals at both doors — the right password at
/// \[ログイン\] and the receipt computer's passcode — as one period with one event, and the
/// passcode step after the lock writes the count.
pub fn a_passcode_lock_counts_refusals_at_the_password_step_too<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let key = h.key(LOGIN_ID);
    let (secret, session) = h.enroll(LOGIN_ID);
    h.service.logout(&session).unwrap();
    h.next_step();
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    let wrong = crate::testing::wrong_code(&secret, h.now());
    let mut until = None;
    for _ in 0..3 {
        if let PasscodeLogin::Locked { until: at, .. } = h.submit(&ticket, &wrong) {
            until = Some(at);
        }
    }
    let until = until.expect("the third wrong passcode locks");
    for _ in 0..5 {
        assert_eq!(locked_until(h.login(LOGIN_ID, INITIAL_PASSWORD)), until);
    }
    for _ in 0..3 {
        let answer = h
            .service
            .authenticate(
                &key,
                &Password::new(INITIAL_PASSWORD),
                &h.passcode(&secret, 0),
            )
            .unwrap();
        assert!(matches!(answer, Authentication::Locked { until: u } if u == until));
    }
    let refused = events_of(&h, AuditKind::PasscodeAttemptWhileLocked, &key);
    assert_eq!(details(&refused), [until_detail(until)]);
    assert_eq!(refused[0].channel, Channel::Web);
    let stored = h.service.store().attempts(&key).unwrap().passcode;
    assert_eq!(stored.refusals(), Some(Refusals { until, count: 8 }));

    h.advance(until - h.now());
    h.next_step();
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert!(matches!(
        h.submit(&ticket, &h.code(&secret, 0)),
        PasscodeLogin::Session(_)
    ));
    let refused = events_of(&h, AuditKind::PasscodeAttemptWhileLocked, &key);
    assert_eq!(
        details(&refused),
        [until_detail(until), count_detail(8, until)]
    );
    assert_eq!(
        h.service
            .store()
            .attempts(&key)
            .unwrap()
            .passcode
            .refusals(),
        None
    );
}

/// 16 threads hammering a locked identifier at once: one event, and every refusal in
/// the count (the tally changes in the same atomic update as the attempt).
pub fn concurrent_refusals_record_one_event<S: Store>(store: Arc<S>) {
    let h = Arc::new(Harness::new(store));
    h.provision(LOGIN_ID);
    let key = h.key(LOGIN_ID);
    let until = lock_password(&h, LOGIN_ID);
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let h = Arc::clone(&h);
            std::thread::spawn(move || {
                for _ in 0..8 {
                    assert!(matches!(
                        h.login(LOGIN_ID, WRONG),
                        PasswordLogin::Locked { .. }
                    ));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(h.count(AuditKind::PasswordAttemptWhileLocked), 1);
    let stored = h.service.store().attempts(&key).unwrap().password;
    assert_eq!(stored.refusals(), Some(Refusals { until, count: 128 }));
}

/// A lock lifted by a success (the right password took the last slot while guesses
/// arrived and were refused) ends its period there: the count is written then.
pub fn a_success_that_lifts_a_lock_reports_its_refusals<S: Store>(store: Arc<S>) {
    let hooked = Arc::new(HookedStore::new(store));
    let h = Arc::new(Harness::new(Arc::clone(&hooked)));
    h.provision(LOGIN_ID);
    let key = h.key(LOGIN_ID);
    for _ in 0..2 {
        assert!(matches!(h.login(LOGIN_ID, WRONG), PasswordLogin::Invalid));
    }
    let during = Arc::new(Mutex::new(Vec::new()));
    {
        let (h, during) = (Arc::clone(&h), Arc::clone(&during));
        hooked.arm(HookPoint::AfterAttemptsUpdate, move || {
            for _ in 0..3 {
                during.lock().unwrap().push(h.login(LOGIN_ID, WRONG));
            }
        });
    }
    // The right password takes the third slot (locking) and is verified meanwhile.
    let _ = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert_eq!(hooked.pending(), 0);
    let until = h.now() + Duration::minutes(30);
    assert!(
        during
            .lock()
            .unwrap()
            .iter()
            .all(|o| matches!(o, PasswordLogin::Locked { .. }))
    );
    let refused = events_of(&h, AuditKind::PasswordAttemptWhileLocked, &key);
    assert_eq!(
        details(&refused),
        [until_detail(until), count_detail(3, until)]
    );
    let stored = h.service.store().attempts(&key).unwrap().password;
    assert_eq!(stored.refusals(), None, "the success lifted the lock");
}
