//! Sessions: 30 idle minutes at their exact edge, a later login elsewhere, 《ログアウト》
//! (of an active session, and of one that had already ended).

use std::sync::Arc;

use time::Duration;

use crate::testing::{Harness, INITIAL_PASSWORD, LOGIN_ID, ended};
use crate::{AuditKind, Error, PasscodeLogin, SessionEnd, Store, Token};

/// 30 idle minutes end a session: 29:59.999 alive (and extended), 30:00 dead.
pub fn idle_timeout_edges<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (_, session) = h.enroll(LOGIN_ID);
    h.advance(Duration::minutes(30) - Duration::milliseconds(1));
    let info = h.service.session(&session).expect("alive at 29:59.999");
    assert_eq!(
        info.expires_at,
        h.now() + Duration::minutes(30),
        "activity extends"
    );
    h.advance(Duration::minutes(30) - Duration::milliseconds(1));
    assert!(h.service.session(&session).is_ok());
    h.advance(Duration::minutes(30));
    assert_eq!(ended(h.service.session(&session)), SessionEnd::Expired);
    assert_eq!(
        ended(h.service.session(&session)),
        SessionEnd::Unknown,
        "gone after"
    );
}

/// Logging in again without logging out ends the earlier session, which says so.
pub fn second_login_supersedes_first<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (secret, first) = h.enroll(LOGIN_ID);
    h.next_step();
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    let second = match h.submit(&ticket, &h.code(&secret, 0)) {
        PasscodeLogin::Session(g) => g.token,
        other => panic!("{other:?}"),
    };
    assert_eq!(ended(h.service.session(&first)), SessionEnd::Superseded);
    assert!(h.service.session(&second).is_ok());
    assert_eq!(h.count(AuditKind::SessionSuperseded), 1);
}

/// Logout ends the session server-side.
pub fn logout_ends_session<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (_, session) = h.enroll(LOGIN_ID);
    assert!(h.service.logout(&session).unwrap());
    assert_eq!(ended(h.service.session(&session)), SessionEnd::Unknown);
    assert!(!h.service.logout(&session).unwrap());
}

/// Issue 10 (3): a session superseded by a later login, or idle for 30 minutes, cannot
/// log out as if it were active: `logout` answers [`Error::SessionEnded`] with the reason
/// (so the screen says "ended by a login elsewhere"), deletes its record, and leaves the
/// later session alone. Unknown tokens keep their answer, `Ok(false)`.
pub fn an_ended_session_cannot_log_out_as_active<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (secret, first) = h.enroll(LOGIN_ID);
    h.next_step();
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    let second = match h.submit(&ticket, &h.code(&secret, 0)) {
        PasscodeLogin::Session(g) => g.token,
        other => panic!("{other:?}"),
    };
    // The first browser's logout form, opened before the second login.
    assert!(matches!(
        h.service.logout(&first),
        Err(Error::SessionEnded(SessionEnd::Superseded))
    ));
    assert_eq!(
        ended(h.service.session(&first)),
        SessionEnd::Unknown,
        "deleted"
    );
    assert!(matches!(h.service.logout(&first), Ok(false)));
    assert!(
        h.service.session(&second).is_ok(),
        "the later session stands"
    );

    h.advance(Duration::minutes(30));
    assert!(matches!(
        h.service.logout(&second),
        Err(Error::SessionEnded(SessionEnd::Expired))
    ));
    assert_eq!(
        ended(h.service.session(&second)),
        SessionEnd::Unknown,
        "deleted"
    );
    assert!(matches!(h.service.logout(&second), Ok(false)));
    assert!(matches!(
        h.service.logout(&Token::from_bytes([7; 32])),
        Ok(false)
    ));
    assert_eq!(h.count(AuditKind::LoggedOut), 0);
    assert_eq!(h.count(AuditKind::SessionSuperseded), 1);
    assert_eq!(h.count(AuditKind::SessionExpired), 1);
}
