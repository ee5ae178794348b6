//! [ログイン] 《ログイン》: the password lock at its exact edges, unknown identifiers, and
//! half-finished logins (their expiry and 《戻る》).

use std::sync::Arc;

use time::Duration;

use crate::password::Password;
use crate::testing::{
    Harness, INITIAL_PASSWORD, INSTITUTION_CODE, LOGIN_ID, full_width, locked_until,
};
use crate::{AuditKind, Error, PasswordLogin, Store};

/// 3 wrong passwords lock for exactly 30 minutes; the right password is refused meanwhile.
pub fn password_lock_edges<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    h.advance(Duration::minutes(1));
    assert!(matches!(
        h.login(LOGIN_ID, "Wrong#Pass1"),
        PasswordLogin::Invalid
    ));
    assert!(matches!(
        h.login(LOGIN_ID, "Wrong#Pass2"),
        PasswordLogin::Invalid
    ));
    let locked_at = h.now();
    let until = locked_until(h.login(LOGIN_ID, "Wrong#Pass3"));
    assert_eq!(until, locked_at + Duration::minutes(30));
    assert_eq!(
        locked_until(h.login(LOGIN_ID, INITIAL_PASSWORD)),
        until,
        "right password during the lock"
    );
    h.clock.set(until - Duration::milliseconds(1));
    assert_eq!(
        locked_until(h.login(LOGIN_ID, INITIAL_PASSWORD)),
        until,
        "29:59.999 still locked, not extended"
    );
    h.clock.set(until);
    assert!(
        matches!(
            h.login(LOGIN_ID, INITIAL_PASSWORD),
            PasswordLogin::NeedsEnrollment(_)
        ),
        "30:00 unlocked"
    );
    // Only 3 verifications happened; the attempts during the lock were not verified.
    assert_eq!(h.count(AuditKind::PasswordFailed), 3);
    assert_eq!(h.count(AuditKind::PasswordLocked), 1);
}

/// A success resets the count: 2 wrong, 1 right, 2 wrong → still open.
pub fn password_success_resets_count<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    for _ in 0..2 {
        assert!(matches!(
            h.login(LOGIN_ID, "Wrong#Pass1"),
            PasswordLogin::Invalid
        ));
    }
    let _ = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    for _ in 0..2 {
        assert!(matches!(
            h.login(LOGIN_ID, "Wrong#Pass1"),
            PasswordLogin::Invalid
        ));
    }
    assert!(matches!(
        h.login(LOGIN_ID, INITIAL_PASSWORD),
        PasswordLogin::NeedsEnrollment(_)
    ));
}

/// Unknown identifiers lock exactly like known ones, and answer like a wrong password.
pub fn unknown_identifier_is_indistinguishable<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    assert!(matches!(
        h.login("nobody", INITIAL_PASSWORD),
        PasswordLogin::Invalid
    ));
    assert!(matches!(
        h.login("nobody", INITIAL_PASSWORD),
        PasswordLogin::Invalid
    ));
    let _ = locked_until(h.login("nobody", INITIAL_PASSWORD));
    // The lock of "nobody" does not touch staff01.
    assert!(matches!(
        h.login(LOGIN_ID, INITIAL_PASSWORD),
        PasswordLogin::NeedsEnrollment(_)
    ));
    // Full-width spelling of the same identifier is the same key, and shares its counter.
    let wide = h
        .service
        .config()
        .account_key(&full_width(INSTITUTION_CODE), "ｎｏｂｏｄｙ")
        .unwrap();
    assert_eq!(wide, h.key("nobody"));
    let out = h
        .service
        .password_login(&wide, &Password::new(INITIAL_PASSWORD))
        .unwrap();
    assert!(matches!(out, PasswordLogin::Locked { .. }));
}

/// Half-finished logins expire with the idle timeout, and 《戻る》 ends them.
pub fn login_ticket_expiry<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    h.advance(Duration::minutes(30) - Duration::milliseconds(1));
    assert!(h.service.enrollment(&ticket).is_ok());
    h.advance(Duration::milliseconds(1));
    assert!(matches!(
        h.service.enrollment(&ticket),
        Err(Error::LoginExpired)
    ));
    assert!(matches!(
        h.service.login_stage(&ticket),
        Err(Error::LoginExpired)
    ));
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    h.service.abandon_login(&ticket).unwrap();
    assert!(matches!(
        h.service.enrollment(&ticket),
        Err(Error::LoginExpired)
    ));
    assert!(matches!(
        h.service.login_stage(&ticket),
        Err(Error::LoginExpired)
    ));
}
