//! [Authenticator 登録]: the first registration with both print confirmations, the
//! passcode that confirmed it (spent), a passcode sent before any registration, and the
//! registration in progress belonging to one login (a new login, a reset or a disable
//! ends it; one stored before registrations belonged to a login is replaced).

use std::sync::{Arc, Mutex};

use crate::testing::{
    Harness, HookPoint, HookedStore, INITIAL_PASSWORD, LOGIN_ID, full_width, secret_of,
};
use crate::totp::{Passcode, SetupKey};
use crate::{AuditKind, Error, LoginStage, PasscodeLogin, PrintPrompt, Store, Token};

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

/// The setup key [Authenticator 登録] shows for a login.
fn setup_key<S: Store>(h: &Harness<S>, ticket: &Token) -> String {
    h.service
        .enrollment(ticket)
        .unwrap()
        .setup_key
        .copy_form()
        .to_string()
}

/// Issue 10 (1): the registration in progress belongs to one login. Someone with the
/// password logs in first and sees (prints) the QR code; the staff member's own login
/// then gets a new secret, the earlier login is over on every screen, and the earlier
/// QR code confirms nothing.
pub fn each_login_gets_its_own_registration<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (first, needs) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert!(needs);
    let first_key = setup_key(&h, &first);
    assert_eq!(
        h.service.proceed_to_confirmation(&first).unwrap(),
        PrintPrompt::FirstTime
    );
    assert!(h.service.enrollment_sheet(&first).is_ok(), "printed");

    let (second, needs) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert!(needs);
    let second_key = setup_key(&h, &second);
    assert_ne!(second_key, first_key, "a new login gets a new secret");
    assert_eq!(
        setup_key(&h, &second),
        second_key,
        "stable within its login"
    );

    // The earlier login is over, whichever of its screens it comes back to.
    let first_code = h.passcode(&secret_of(&first_key), 0);
    assert!(matches!(
        h.service.login_stage(&first),
        Err(Error::LoginExpired)
    ));
    assert!(matches!(
        h.service.enrollment(&first),
        Err(Error::LoginExpired)
    ));
    assert!(matches!(
        h.service.enrollment_sheet(&first),
        Err(Error::LoginExpired)
    ));
    assert!(matches!(
        h.service.enrollment_png(&first),
        Err(Error::LoginExpired)
    ));
    assert!(matches!(
        h.service.proceed_to_confirmation(&first),
        Err(Error::LoginExpired)
    ));
    assert!(matches!(
        h.service.submit_passcode(&first, &first_code),
        Err(Error::LoginExpired)
    ));

    // The earlier QR code (scanned or printed) does not confirm the new registration.
    assert!(matches!(
        h.service.submit_passcode(&second, &first_code),
        Ok(PasscodeLogin::Invalid { enrolling: true })
    ));
    // The new registration's print confirmation starts afresh.
    assert_eq!(
        h.service.proceed_to_confirmation(&second).unwrap(),
        PrintPrompt::FirstTime
    );
    let second_secret = secret_of(&second_key);
    assert!(matches!(
        h.submit(&second, &h.code(&second_secret, 0)),
        PasscodeLogin::Session(ref g) if g.enrolled
    ));

    // Registered: the earlier secret never opens a login.
    h.next_step();
    let (ticket, needs) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert!(!needs);
    assert!(matches!(
        h.submit(&ticket, &h.code(&secret_of(&first_key), 0)),
        PasscodeLogin::Invalid { enrolling: false }
    ));
    assert!(matches!(
        h.submit(&ticket, &h.code(&second_secret, 0)),
        PasscodeLogin::Session(_)
    ));
}

/// Issue 10 (1), racing: two logins at the same time (the staff member's and someone
/// else's with the same password) never share one registration. The one that stores its
/// ticket after the other has drawn its secret can neither see nor confirm that secret.
pub fn racing_logins_do_not_share_a_registration<S: Store>(store: Arc<S>) {
    let hooked = Arc::new(HookedStore::new(store));
    let h = Arc::new(Harness::new(Arc::clone(&hooked)));
    h.provision(LOGIN_ID);
    // The other login gets its ticket and shows [Authenticator 登録] while this one is
    // between its password check and storing its ticket.
    let other = Arc::new(Mutex::new(None));
    {
        let (h, other) = (Arc::clone(&h), Arc::clone(&other));
        hooked.arm(HookPoint::BeforeTicketInsert, move || {
            let (ticket, needs) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
            assert!(needs);
            let key = setup_key(&h, &ticket);
            *other.lock().unwrap() = Some((ticket, key));
        });
    }
    let (late, needs) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert!(needs);
    let (owner, owner_key) = other.lock().unwrap().take().unwrap();
    let owner_secret = secret_of(&owner_key);
    assert!(matches!(
        h.service.enrollment(&late),
        Err(Error::LoginExpired)
    ));
    assert!(matches!(
        h.service
            .submit_passcode(&late, &h.passcode(&owner_secret, 0)),
        Err(Error::LoginExpired)
    ));
    assert_eq!(setup_key(&h, &owner), owner_key, "the owner goes on");
    assert!(matches!(
        h.submit(&owner, &h.code(&owner_secret, 0)),
        PasscodeLogin::Session(_)
    ));
}

/// Issue 10 (1): `reset_password` (the reaction to a leaked initial password),
/// `set_disabled(true)` and `reset_mfa` drop the registration in progress, and the
/// login that was showing it is over.
pub fn resets_and_disable_drop_the_registration_in_progress<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let key = h.key(LOGIN_ID);
    let pending = || {
        h.service
            .store()
            .account_by_key(&key)
            .unwrap()
            .unwrap()
            .pending_mfa
    };
    let mut seen = Vec::new();

    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    seen.push(setup_key(&h, &ticket));
    assert!(pending().is_some());
    let settings = h.service.reset_password(&key).unwrap();
    assert_eq!(pending(), None, "reset_password drops it");
    assert!(matches!(
        h.service.enrollment(&ticket),
        Err(Error::LoginExpired)
    ));
    let password = settings.initial_password.as_str().to_owned();

    let (ticket, _) = h.ticket(LOGIN_ID, &password);
    seen.push(setup_key(&h, &ticket));
    h.service.set_disabled(&key, true).unwrap();
    assert_eq!(pending(), None, "disabling drops it");
    assert!(matches!(
        h.service.enrollment(&ticket),
        Err(Error::LoginExpired)
    ));
    h.service.set_disabled(&key, false).unwrap();

    let (ticket, _) = h.ticket(LOGIN_ID, &password);
    seen.push(setup_key(&h, &ticket));
    h.service.reset_mfa(&key).unwrap();
    assert_eq!(pending(), None, "reset_mfa drops it");
    assert!(matches!(
        h.service.enrollment(&ticket),
        Err(Error::LoginExpired)
    ));

    let (ticket, _) = h.ticket(LOGIN_ID, &password);
    let fresh = setup_key(&h, &ticket);
    assert!(
        !seen.contains(&fresh),
        "every registration has its own secret"
    );
    seen.push(fresh);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 4);
}

/// Issue 10 (1), upgrade: a registration stored before registrations belonged to a login
/// (no ticket) keeps working as data and is replaced at the next view; a passcode sent
/// before that view is not this login's to confirm (and not an attempt).
pub fn a_registration_without_a_login_is_replaced_at_the_next_view<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    let legacy_key = setup_key(&h, &ticket);
    let id = h
        .service
        .store()
        .account_by_key(&h.key(LOGIN_ID))
        .unwrap()
        .unwrap()
        .id;
    // As the row of an older release holds it: no ticket.
    h.service
        .store()
        .update_account(id, &mut |a| {
            a.pending_mfa.as_mut().map(|p| p.ticket = None).is_some()
        })
        .unwrap();
    let stored = h.service.store().account(id).unwrap().unwrap();
    assert_eq!(stored.pending_mfa.as_ref().map(|p| p.ticket), Some(None));
    assert_eq!(
        h.service.login_stage(&ticket).unwrap(),
        LoginStage::Enrollment
    );
    let legacy = h.passcode(&secret_of(&legacy_key), 0);
    assert!(matches!(
        h.service.submit_passcode(&ticket, &legacy),
        Err(Error::EnrollmentRequired)
    ));
    let fresh_key = setup_key(&h, &ticket);
    assert_ne!(fresh_key, legacy_key, "replaced at the view");
    assert!(matches!(
        h.service.submit_passcode(&ticket, &legacy),
        Ok(PasscodeLogin::Invalid { enrolling: true })
    ));
    assert!(matches!(
        h.submit(&ticket, &h.code(&secret_of(&fresh_key), 0)),
        PasscodeLogin::Session(_)
    ));
}
