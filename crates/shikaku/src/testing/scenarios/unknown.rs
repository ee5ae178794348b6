//! Identifiers that name no account: recorded in the audit log by their fingerprint,
//! never as typed (`service/unknown.rs`).

use std::sync::Arc;

use crate::testing::{Harness, INITIAL_PASSWORD, LOGIN_ID, locked_until};
use crate::{AuditKind, MemoryStore, PasswordLogin, Store};

/// A password typed into the login ID field — well-formed as a login ID — names no
/// account: the audit log records its fingerprint, never the typed text, through the
/// failures, the lock, the refusals and their count. One identifier keeps one
/// fingerprint (also on another node with the same master keys); another identifier
/// gets another; an account's own events keep its login ID.
pub fn an_unknown_identifier_is_recorded_by_its_fingerprint<S: Store>(store: Arc<S>) {
    let h = Harness::new(Arc::clone(&store));
    h.provision(LOGIN_ID);
    let typed = "Staff-2024.x"; // a password of the manual's rules, and a valid login ID
    let key = h.key(typed);
    for _ in 0..2 {
        assert!(matches!(
            h.login(typed, INITIAL_PASSWORD),
            PasswordLogin::Invalid
        ));
    }
    let until = locked_until(h.login(typed, INITIAL_PASSWORD));
    for _ in 0..3 {
        assert_eq!(locked_until(h.login(typed, INITIAL_PASSWORD)), until);
    }
    h.advance(until - h.now());
    assert!(matches!(
        h.login(typed, INITIAL_PASSWORD),
        PasswordLogin::Invalid
    ));
    assert!(matches!(
        h.login(LOGIN_ID, "Wrong#Pass1"),
        PasswordLogin::Invalid
    ));

    let recorded = h.service.audit_identifier(&key).unwrap();
    let login = recorded.login_id.as_str();
    assert!(
        login.starts_with("unknown-") && login.len() == "unknown-".len() + 20,
        "{login}"
    );
    assert_eq!(recorded.institution_code, key.institution_code);
    let stored = format!(
        "{:?} {:?}",
        h.audit.events(),
        h.service.recent_audit(100).unwrap()
    );
    assert!(
        !stored.contains(typed),
        "the typed identifier was recorded: {stored}"
    );
    let of = |kind: AuditKind| {
        h.audit
            .events()
            .into_iter()
            .filter(|e| e.kind == kind && e.account.as_ref() == Some(&recorded))
            .count()
    };
    assert_eq!(
        of(AuditKind::PasswordFailed),
        4,
        "three before the lock, one after"
    );
    assert_eq!(of(AuditKind::PasswordLocked), 1);
    assert_eq!(
        of(AuditKind::PasswordAttemptWhileLocked),
        2,
        "the first and the count"
    );
    assert!(
        h.audit
            .events()
            .iter()
            .any(|e| e.kind == AuditKind::PasswordFailed
                && e.account.as_ref() == Some(&h.key(LOGIN_ID))),
        "an account's own failure keeps its login ID"
    );

    let other = h.service.audit_identifier(&h.key("Staff-2024.y")).unwrap();
    assert_ne!(other, recorded, "another identifier, another fingerprint");
    let node = Harness::builder(store).master_keys(h.keys.clone()).build();
    assert_eq!(
        node.service.audit_identifier(&key).unwrap(),
        recorded,
        "every node alike"
    );
    let stranger = Harness::builder(Arc::new(MemoryStore::new()))
        .seed(7)
        .build();
    assert_ne!(
        stranger.service.audit_identifier(&key).unwrap(),
        recorded,
        "the fingerprint depends on the master key"
    );
}
