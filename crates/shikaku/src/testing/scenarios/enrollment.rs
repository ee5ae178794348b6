//! [Authenticator 登録]: the first registration with both print confirmations, the
//! passcode that confirmed it (spent), and a passcode sent before any registration.

use std::sync::Arc;

use crate::testing::{Harness, INITIAL_PASSWORD, LOGIN_ID, full_width};
use crate::totp::{Passcode, SetupKey};
use crate::{AuditKind, Error, LoginStage, PasscodeLogin, PrintPrompt, Store};

/// 第1章 2: first registration, both print confirmations, completion, menu.
pub fn first_time_registration<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (ticket, needs) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert!(needs);
    assert_eq!(
        h.service.login_stage(&ticket).unwrap(),
        LoginStage::Enrollment
    );
    let view = h.service.enrollment(&ticket).unwrap();
    assert!(view.otpauth_uri.starts_with("otpauth://totp/"));
    assert!(view.otpauth_uri.contains(LOGIN_ID));
    assert!(view.qr_svg.contains("<svg"));
    let copy = view.setup_key.copy_form();
    assert_eq!(copy.len(), 32, "160-bit secret = 32 base32 characters");
    // The same secret on a second look (a QR already scanned stays valid).
    let again = h.service.enrollment(&ticket).unwrap();
    assert_eq!(again.setup_key.copy_form().as_str(), copy.as_str());
    assert_eq!(
        h.service.proceed_to_confirmation(&ticket).unwrap(),
        PrintPrompt::FirstTime
    );
    assert_eq!(
        h.service.proceed_to_confirmation(&ticket).unwrap(),
        PrintPrompt::Later
    );
    assert_eq!(
        h.service.proceed_to_confirmation(&ticket).unwrap(),
        PrintPrompt::Later
    );
    let sheet = h.service.enrollment_sheet(&ticket).unwrap();
    assert!(sheet.contains(copy.as_str()));
    let secret = SetupKey::parse(&copy).unwrap();
    let wrong = format!(
        "{:06}",
        (h.code(&secret, 0).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    // A wrong passcode answers on [Authenticator 登録], where the login stands.
    assert!(matches!(
        h.submit(&ticket, &wrong),
        PasscodeLogin::Invalid { enrolling: true }
    ));
    let grant = match h.submit(&ticket, &h.code(&secret, 0)) {
        PasscodeLogin::Session(g) => g,
        other => panic!("{other:?}"),
    };
    assert!(grant.enrolled);
    assert_eq!(h.count(AuditKind::Enrolled), 1);
    let info = h.service.session(&grant.token).unwrap();
    assert_eq!(info.key.login_id.as_str(), LOGIN_ID);
    // The ticket is spent.
    assert!(matches!(
        h.service.submit_passcode(&ticket, &h.passcode(&secret, 1)),
        Err(Error::LoginExpired)
    ));
    assert!(matches!(
        h.service.login_stage(&ticket),
        Err(Error::LoginExpired)
    ));
    // Registered: the next login asks for the passcode, not enrollment.
    h.service.logout(&grant.token).unwrap();
    let (ticket, needs) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert!(!needs);
    assert_eq!(
        h.service.login_stage(&ticket).unwrap(),
        LoginStage::Passcode
    );
    assert!(matches!(
        h.service.enrollment(&ticket),
        Err(Error::AlreadyEnrolled)
    ));
    assert!(h.service.accounts().unwrap()[0].enrolled);
}

/// The code that confirmed the registration cannot open the first login; the next step's can.
pub fn enrollment_code_is_not_reusable<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (secret, session) = h.enroll(LOGIN_ID);
    h.service.logout(&session).unwrap();
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    let same = h.code(&secret, 0);
    assert!(matches!(
        h.submit(&ticket, &same),
        PasscodeLogin::Invalid { enrolling: false }
    ));
    assert_eq!(h.count(AuditKind::ReplayRefused), 1);
    // The full-width form of the same code is the same code: still a replay.
    assert!(matches!(
        h.submit(&ticket, &full_width(&same)),
        PasscodeLogin::Invalid { enrolling: false }
    ));
    assert_eq!(h.count(AuditKind::ReplayRefused), 2);
    h.next_step();
    assert!(matches!(
        h.submit(&ticket, &h.code(&secret, 0)),
        PasscodeLogin::Session(_)
    ));
}

/// A passcode sent before any registration exists is refused without counting.
pub fn passcode_before_enrollment_is_not_counted<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (ticket, needs) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert!(needs);
    let any = Passcode::parse("123456").unwrap();
    for _ in 0..5 {
        assert!(matches!(
            h.service.submit_passcode(&ticket, &any),
            Err(Error::EnrollmentRequired)
        ));
    }
    let view = h.service.enrollment(&ticket).unwrap();
    let secret = SetupKey::parse(&view.setup_key.copy_form()).unwrap();
    assert!(matches!(
        h.submit(&ticket, &h.code(&secret, 0)),
        PasscodeLogin::Session(_)
    ));
}
