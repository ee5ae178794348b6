//! ユーザ設定情報の発行 and the administrator's operations (unlock, Authenticator and
//! password resets, disable), and no secret in the audit log or the service's answers.

use std::sync::Arc;

use crate::password::Password;
use crate::testing::{Harness, INITIAL_PASSWORD, LOGIN_ID, ended, hex};
use crate::totp::SetupKey;
use crate::{
    AuditKind, Error, PasscodeLogin, PasswordChange, PasswordLogin, SessionEnd, Store, StoreError,
};

/// Administration: unlock, MFA reset, password reset (forced change), disable.
pub fn administration<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    h.provision("staff02");
    let key = h.key(LOGIN_ID);
    assert!(matches!(
        h.service.provision(&key, None),
        Err(Error::Store(StoreError::Conflict))
    ));
    let (_, session) = h.enroll(LOGIN_ID);
    for _ in 0..3 {
        let _ = h.login(LOGIN_ID, "Wrong#Pass1");
    }
    assert!(matches!(
        h.login(LOGIN_ID, INITIAL_PASSWORD),
        PasswordLogin::Locked { .. }
    ));
    h.service.unlock(&key).unwrap();
    assert!(matches!(
        h.login(LOGIN_ID, INITIAL_PASSWORD),
        PasswordLogin::NeedsPasscode(_)
    ));
    h.service.reset_mfa(&key).unwrap();
    assert_eq!(ended(h.service.session(&session)), SessionEnd::Unknown);
    assert!(matches!(
        h.login(LOGIN_ID, INITIAL_PASSWORD),
        PasswordLogin::NeedsEnrollment(_)
    ));
    let settings = h.service.reset_password(&key).unwrap();
    assert!(
        h.service
            .config()
            .password_policy
            .check(settings.initial_password.as_str())
            .is_ok()
    );
    assert!(matches!(
        h.login(LOGIN_ID, INITIAL_PASSWORD),
        PasswordLogin::Invalid
    ));
    let (ticket, _) = h.ticket(LOGIN_ID, settings.initial_password.as_str());
    let view = h.service.enrollment(&ticket).unwrap();
    let secret = SetupKey::parse(&view.setup_key.copy_form()).unwrap();
    let grant = match h.submit(&ticket, &h.code(&secret, 0)) {
        PasscodeLogin::Session(g) => g,
        other => panic!("{other:?}"),
    };
    assert!(grant.must_change_password);
    assert!(
        h.service
            .session(&grant.token)
            .unwrap()
            .must_change_password
    );
    let out = h
        .change_password(
            &grant.token,
            settings.initial_password.as_str(),
            "After#Reset1",
            "After#Reset1",
        )
        .unwrap();
    assert!(matches!(out, PasswordChange::Changed));
    assert!(
        !h.service
            .session(&grant.token)
            .unwrap()
            .must_change_password
    );
    h.service.set_disabled(&key, true).unwrap();
    assert_eq!(ended(h.service.session(&grant.token)), SessionEnd::Unknown);
    assert!(matches!(
        h.login(LOGIN_ID, "After#Reset1"),
        PasswordLogin::Disabled
    ));
    h.service.set_disabled(&key, false).unwrap();
    assert!(matches!(
        h.login(LOGIN_ID, "After#Reset1"),
        PasswordLogin::NeedsPasscode(_)
    ));
    let list = h.service.accounts().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].key.login_id.as_str(), LOGIN_ID);
    for kind in [
        AuditKind::AdminUnlocked,
        AuditKind::AdminMfaReset,
        AuditKind::AdminPasswordReset,
        AuditKind::AdminDisabled,
        AuditKind::AdminEnabled,
    ] {
        assert_eq!(h.count(kind), 1, "{kind:?}");
    }
    assert!(h.service.recent_audit(5).unwrap().len() == 5);
}

/// No audit event, and no Debug output of the service's answers, holds a secret.
pub fn audit_holds_no_secret<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    let view = h.service.enrollment(&ticket).unwrap();
    let key = view.setup_key.copy_form().to_string();
    let secret = SetupKey::parse(&key).unwrap();
    let code = h.code(&secret, 0);
    let outcome = h.submit(&ticket, &code);
    let session = match &outcome {
        PasscodeLogin::Session(grant) => hex(grant.token.as_bytes()),
        other => panic!("{other:?}"),
    };
    let debug = format!("{view:?} {outcome:?} {ticket:?}");
    let mut everything = format!("{:?}{debug}", h.audit.events());
    everything.push_str(&format!("{:?}", h.service.recent_audit(100).unwrap()));
    // Tokens as a client carries them (hex in the JSON API).
    let ticket_text = hex(ticket.as_bytes());
    for secret_text in [
        INITIAL_PASSWORD,
        key.as_str(),
        &code,
        &ticket_text,
        &session,
        view.otpauth_uri.as_str(),
    ] {
        assert!(!everything.contains(secret_text), "leaked {secret_text}");
    }
    // Records themselves hold no plaintext either.
    let record = format!("{:?}", h.service.store().accounts().unwrap());
    assert!(!record.contains(INITIAL_PASSWORD) && !record.contains(key.as_str()));
    // The password type itself never prints its text.
    assert!(!format!("{:?}", Password::new(INITIAL_PASSWORD)).contains(INITIAL_PASSWORD));
}
