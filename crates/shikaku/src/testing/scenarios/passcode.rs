//! 《パスコードを送信》: the passcode lock at its edges (and the pending logins it voids),
//! its count across logins, the clock drift of accepted passcodes, and a registration
//! replaced between the step's snapshot and its update.

use std::sync::{Arc, Mutex};

use time::Duration;

use crate::testing::{Harness, HookPoint, HookedStore, INITIAL_PASSWORD, LOGIN_ID, locked_until};
use crate::{AuditKind, Error, PasscodeLogin, PasswordLogin, Store};

/// 3 wrong passcodes lock; the pending login is voided; the lock holds at the password step.
pub fn passcode_lock_edges<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (secret, session) = h.enroll(LOGIN_ID);
    h.service.logout(&session).unwrap();
    h.advance(Duration::minutes(5));
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    // A second browser's half-finished login, quiet during the lock.
    let (other_browser, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    let good = h.code(&secret, 0);
    let bad = format!(
        "{:06}",
        (good.parse::<u32>().unwrap() + 500_000) % 1_000_000
    );
    assert!(matches!(
        h.submit(&ticket, &bad),
        PasscodeLogin::Invalid { enrolling: false }
    ));
    assert!(matches!(
        h.submit(&ticket, &bad),
        PasscodeLogin::Invalid { enrolling: false }
    ));
    let now = h.now();
    let until = match h.submit(&ticket, &bad) {
        PasscodeLogin::Locked {
            until,
            enrolling: false,
        } => until,
        other => panic!("{other:?}"),
    };
    assert_eq!(until, now + Duration::minutes(30));
    assert!(
        matches!(
            h.service.submit_passcode(&ticket, &h.passcode(&secret, 0)),
            Err(Error::LoginExpired)
        ),
        "login voided"
    );
    assert!(
        matches!(
            h.service
                .submit_passcode(&other_browser, &h.passcode(&secret, 0)),
            Err(Error::LoginExpired)
        ),
        "every pending login of the account is voided"
    );
    assert_eq!(
        locked_until(h.login(LOGIN_ID, INITIAL_PASSWORD)),
        until,
        "password step reports the passcode lock"
    );
    h.clock.set(until - Duration::milliseconds(1));
    assert!(matches!(
        h.login(LOGIN_ID, INITIAL_PASSWORD),
        PasswordLogin::Locked { .. }
    ));
    h.clock.set(until);
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert!(matches!(
        h.submit(&ticket, &h.code(&secret, 0)),
        PasscodeLogin::Session(_)
    ));
}

/// A correct password never resets the passcode failure count.
pub fn password_does_not_reset_passcode_count<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (secret, session) = h.enroll(LOGIN_ID);
    h.service.logout(&session).unwrap();
    h.advance(Duration::minutes(1));
    let bad = format!(
        "{:06}",
        (h.code(&secret, 0).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    for _ in 0..2 {
        assert!(matches!(
            h.submit(&ticket, &bad),
            PasscodeLogin::Invalid { enrolling: false }
        ));
    }
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert!(matches!(
        h.submit(&ticket, &bad),
        PasscodeLogin::Locked {
            enrolling: false,
            ..
        }
    ));
}

/// Clock drift of accepted passcodes is recorded and shown to administrators.
pub fn drift_is_recorded<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (secret, session) = h.enroll(LOGIN_ID);
    h.service.logout(&session).unwrap();
    h.advance(Duration::minutes(2));
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    // The phone runs 30 s fast.
    assert!(matches!(
        h.submit(&ticket, &h.code(&secret, 1)),
        PasscodeLogin::Session(_)
    ));
    assert_eq!(h.service.accounts().unwrap()[0].drift, Some(1));
}

/// Issue 10 (8): the passcode step opens the secret of its snapshot of the account and
/// claims the time step in a later atomic update. When the Authenticator is reset and a
/// new device registered in between, the old device's code is not checked against the
/// new record (the update compares the sealed secret, not just "some registration"):
/// the login is over, and the new record's replay guard and drift are untouched.
pub fn an_old_device_code_is_not_checked_against_a_new_registration<S: Store>(store: Arc<S>) {
    let hooked = Arc::new(HookedStore::new(store));
    let h = Arc::new(Harness::new(Arc::clone(&hooked)));
    h.provision(LOGIN_ID);
    let (old_secret, session) = h.enroll(LOGIN_ID);
    h.service.logout(&session).unwrap();
    h.next_step();
    let (ticket, needs) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert!(!needs);
    let key = h.key(LOGIN_ID);
    let record = {
        let (h, key) = (Arc::clone(&h), key.clone());
        move || h.service.store().account_by_key(&key).unwrap().unwrap().mfa
    };
    // Between the snapshot and the update: reset_mfa, and a new device registered.
    let registered = Arc::new(Mutex::new(None));
    {
        let (h, registered, record) = (Arc::clone(&h), Arc::clone(&registered), record.clone());
        hooked.arm(HookPoint::BeforeAccountUpdate, move || {
            h.service.reset_mfa(&key).unwrap();
            let (secret, session) = h.enroll(LOGIN_ID);
            *registered.lock().unwrap() = Some((secret, session, record()));
        });
    }
    // The old device's code of the next step: it would pass the new record's replay
    // guard if it were checked against it.
    let out = h
        .service
        .submit_passcode(&ticket, &h.passcode(&old_secret, 1));
    assert_eq!(hooked.pending(), 0, "the hook ran inside the step");
    assert!(matches!(out, Err(Error::LoginExpired)), "{out:?}");
    let (new_secret, new_session, after_registration) = registered.lock().unwrap().take().unwrap();
    assert_eq!(record(), after_registration, "the new record is untouched");
    assert!(
        h.service.session(&new_session).is_ok(),
        "the new device's session stands"
    );
    assert_eq!(h.count(AuditKind::SessionStarted), 2);

    // From the next step on, only the new device opens a login.
    h.next_step();
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert!(matches!(
        h.submit(&ticket, &h.code(&old_secret, 0)),
        PasscodeLogin::Invalid { enrolling: false }
    ));
    assert!(matches!(
        h.submit(&ticket, &h.code(&new_secret, 0)),
        PasscodeLogin::Session(_)
    ));
}
