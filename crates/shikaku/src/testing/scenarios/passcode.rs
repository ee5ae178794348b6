//! 《パスコードを送信》: the passcode lock at its edges (and the pending logins it voids),
//! its count across logins, and the clock drift of accepted passcodes.

use std::sync::Arc;

use time::Duration;

use crate::testing::{Harness, INITIAL_PASSWORD, LOGIN_ID, locked_until};
use crate::{Error, PasscodeLogin, PasswordLogin, Store};

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
