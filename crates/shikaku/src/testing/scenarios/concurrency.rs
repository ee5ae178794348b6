//! Races: concurrent wrong passwords get at most 3 verifications, and one passcode sent
//! twice at once opens one session.

use std::sync::Arc;

use crate::testing::{Harness, INITIAL_PASSWORD, LOGIN_ID};
use crate::{AuditKind, PasscodeLogin, PasswordLogin, Store, Token};

/// N concurrent wrong passwords: at most 3 verified guesses, then the lock.
pub fn concurrent_wrong_passwords<S: Store>(store: Arc<S>) {
    let h = Arc::new(Harness::new(store));
    h.provision(LOGIN_ID);
    let threads: Vec<_> = (0..24)
        .map(|i| {
            let h = Arc::clone(&h);
            std::thread::spawn(move || h.login(LOGIN_ID, &format!("Wrong#Pass{i}")))
        })
        .collect();
    let outcomes: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let invalid = outcomes
        .iter()
        .filter(|o| matches!(o, PasswordLogin::Invalid))
        .count();
    let locked = outcomes
        .iter()
        .filter(|o| matches!(o, PasswordLogin::Locked { .. }))
        .count();
    assert_eq!(invalid + locked, 24);
    assert!(invalid <= 2, "{invalid} plain failures");
    assert_eq!(
        h.count(AuditKind::PasswordFailed),
        3,
        "exactly 3 verified guesses"
    );
    assert!(matches!(
        h.login(LOGIN_ID, INITIAL_PASSWORD),
        PasswordLogin::Locked { .. }
    ));
}

/// Two concurrent submissions of the same valid passcode: exactly one session.
pub fn concurrent_same_passcode<S: Store>(store: Arc<S>) {
    let h = Arc::new(Harness::new(store));
    h.provision(LOGIN_ID);
    let (secret, session) = h.enroll(LOGIN_ID);
    h.service.logout(&session).unwrap();
    h.next_step();
    let tickets: Vec<Token> = (0..2)
        .map(|_| h.ticket(LOGIN_ID, INITIAL_PASSWORD).0)
        .collect();
    let code = h.passcode(&secret, 0);
    let threads: Vec<_> = tickets
        .into_iter()
        .map(|t| {
            let h = Arc::clone(&h);
            let code = code.clone();
            std::thread::spawn(move || h.service.submit_passcode(&t, &code).unwrap())
        })
        .collect();
    let outcomes: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let sessions = outcomes
        .iter()
        .filter(|o| matches!(o, PasscodeLogin::Session(_)))
        .count();
    assert_eq!(sessions, 1, "{outcomes:?}");
}
