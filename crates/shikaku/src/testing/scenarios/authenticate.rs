//! The receipt computer's one-call authentication: enrollment first, then the same
//! replay guard and locks as the screens.

use std::sync::Arc;

use crate::password::Password;
use crate::testing::{Harness, INITIAL_PASSWORD, LOGIN_ID};
use crate::totp::Passcode;
use crate::{Authentication, Store};

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
