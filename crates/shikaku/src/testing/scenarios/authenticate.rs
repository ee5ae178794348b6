//! The receipt computer's one-call authentication: enrollment first, then the same
//! replay guard and locks as the screens — a passcode lock reached here voids the
//! pending logins as one reached on the passcode screen does.

use std::sync::Arc;

use crate::password::Password;
use crate::testing::{Harness, INITIAL_PASSWORD, LOGIN_ID, wrong_code};
use crate::totp::Passcode;
use crate::{Authentication, Error, Store};

/// One-call receipt-computer authentication: enrollment first, replays and locks apply.
pub fn receipt_computer_authentication<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let key = h.key(LOGIN_ID);
    let auth = |pw: &str, code: &str| {
        h.service
            .authenticate(&key, &Password::new(pw), &Passcode::parse(code).unwrap())
            .unwrap()
    };
    const INITIAL: &str = INITIAL_PASSWORD;
    assert!(matches!(
        auth(INITIAL, "123456"),
        Authentication::EnrollmentRequired
    ));
    let (secret, _) = h.enroll(LOGIN_ID);
    h.next_step();
    let code = h.code(&secret, 0);
    match auth(INITIAL, &code) {
        Authentication::Verified(id) => assert_eq!(id.login_id.as_str(), LOGIN_ID),
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(auth(INITIAL, &code), Authentication::InvalidPasscode),
        "replay refused"
    );
    assert!(matches!(
        auth("Wrong#Pass1", &code),
        Authentication::InvalidCredentials
    ));
    // Five digits are not a passcode: refused at the edge, before the facade (so never
    // an attempt — the count below would lock one step earlier otherwise).
    assert!(matches!(
        Passcode::parse("12345"),
        Err(crate::totp::Error::MalformedPasscode)
    ));
    h.next_step();
    let bad = format!(
        "{:06}",
        (h.code(&secret, 0).parse::<u32>().unwrap() + 3) % 1_000_000
    );
    assert!(matches!(
        auth(INITIAL, &bad),
        Authentication::InvalidPasscode
    ));
    assert!(
        matches!(auth(INITIAL, &bad), Authentication::Locked { .. }),
        "replay + 1 wrong + this = 3"
    );
    assert!(matches!(
        auth(INITIAL, &h.code(&secret, 0)),
        Authentication::Locked { .. }
    ));
}

/// Issue 10 (4): three wrong passcodes through the one-call authentication lock the
/// passcode and void every pending login of the account, as a lock on the passcode
/// screen does.
pub fn a_passcode_lock_through_authenticate_voids_pending_logins<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (secret, session) = h.enroll(LOGIN_ID);
    h.service.logout(&session).unwrap();
    h.next_step();
    // The staff member's browser waits on the passcode screen.
    let (ticket, needs) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert!(!needs);
    let key = h.key(LOGIN_ID);
    let bad = Passcode::parse(&wrong_code(&secret, h.now())).unwrap();
    let auth = || {
        h.service
            .authenticate(&key, &Password::new(INITIAL_PASSWORD), &bad)
            .unwrap()
    };
    assert!(matches!(auth(), Authentication::InvalidPasscode));
    assert!(matches!(auth(), Authentication::InvalidPasscode));
    assert!(matches!(auth(), Authentication::Locked { .. }));
    assert!(matches!(
        h.service.submit_passcode(&ticket, &h.passcode(&secret, 0)),
        Err(Error::LoginExpired)
    ));
    assert!(matches!(
        h.service.login_stage(&ticket),
        Err(Error::LoginExpired)
    ));
}
