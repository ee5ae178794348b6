//! The behaviour suite every [`Store`] implementation must pass (feature `testing`).
//!
//! Each scenario drives the whole facade over a fresh store with a [`ManualClock`] and a
//! seeded CSPRNG, so the manual's rules are checked at their exact edges (29:59 vs
//! 30:00). A store crate runs all of them with one macro call:
//!
//! ```ignore
//! shikaku::store_behaviour_suite!(|| std::sync::Arc::new(shikaku::MemoryStore::new()));
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rand_core::SeedableRng;
use time::{Duration, OffsetDateTime};

use crate::password::Password;
use crate::store::{AccountRecord, Attempts, LoginTicketRecord, NewAccount, SessionRecord};
use crate::totp::{SetupKey, Verifier};
use crate::{
    AccountId, AccountKey, AuditEvent, AuditKind, Authentication, Config, Error, ManualClock,
    MasterKey, MemoryAuditSink, MemoryStore, PasscodeLogin, PasswordChange, PasswordLogin,
    PrintPrompt, SessionEnd, SharedRng, Shikaku, Store, StoreError, Token, TokenDigest,
};

/// 機関コード used by the scenarios.
pub const INSTITUTION: &str = "0123456789";
/// The initial password used by the scenarios.
pub const INITIAL: &str = "Initial#Pw1";

/// A service over `store` with a manual clock at a fixed instant and a seeded RNG.
pub struct Harness<S: Store> {
    pub service: Shikaku<S>,
    pub clock: ManualClock,
    pub audit: MemoryAuditSink,
}

/// 2026-04-01 09:00:00 JST.
pub fn start_time() -> OffsetDateTime {
    time::macros::datetime!(2026-04-01 00:00:00 UTC)
}

impl<S: Store> Harness<S> {
    pub fn new(store: Arc<S>) -> Self {
        Self::with_config(store, Config::for_tests())
    }

    pub fn with_config(store: Arc<S>, config: Config) -> Self {
        let clock = ManualClock::new(start_time());
        let audit = MemoryAuditSink::default();
        let rng = SharedRng::new(rand_chacha::ChaCha20Rng::seed_from_u64(
            0x0053_4849_4b41_4b55,
        ));
        let master = MasterKey::generate(&rng);
        let service = Shikaku::builder(store)
            .master_key(master)
            .config(config)
            .clock(clock.clone())
            .rng(rng)
            .audit_sink(audit.clone())
            .build()
            .unwrap();
        Self {
            service,
            clock,
            audit,
        }
    }

    pub fn provision(&self, login_id: &str) {
        self.service
            .provision(INSTITUTION, login_id, Some(Password::new(INITIAL)))
            .unwrap();
    }

    pub fn login(&self, login_id: &str, password: &str) -> PasswordLogin {
        self.service
            .password_login(INSTITUTION, login_id, &Password::new(password))
            .unwrap()
    }

    /// Password login that must succeed; returns (ticket, needs_enrollment).
    pub fn ticket(&self, login_id: &str, password: &str) -> (Token, bool) {
        match self.login(login_id, password) {
            PasswordLogin::NeedsEnrollment(t) => (t.token, true),
            PasswordLogin::NeedsPasscode(t) => (t.token, false),
            other => panic!("expected a ticket, got {other:?}"),
        }
    }

    /// The current passcode for a secret, `steps` 30-second steps from now.
    pub fn code(&self, secret: &crate::totp::Secret, steps: i64) -> String {
        let at = self.clock.now_for_tests() + Duration::seconds(30 * steps);
        Verifier::default().generate(secret, at).as_str().to_owned()
    }

    /// Registers the Authenticator of a fresh account; returns its secret and session.
    pub fn enroll(&self, login_id: &str) -> (crate::totp::Secret, Token) {
        let (ticket, needs) = self.ticket(login_id, INITIAL);
        assert!(needs, "a fresh account needs enrollment");
        let view = self.service.enrollment(&ticket).unwrap();
        let secret = SetupKey::parse(&view.setup_key.copy_form()).unwrap();
        match self
            .service
            .submit_passcode(&ticket, &self.code(&secret, 0))
            .unwrap()
        {
            PasscodeLogin::Session(grant) => {
                assert!(grant.enrolled);
                (secret, grant.token)
            }
            other => panic!("enrollment failed: {other:?}"),
        }
    }

    pub fn count(&self, kind: AuditKind) -> usize {
        self.audit.kinds().iter().filter(|k| **k == kind).count()
    }
}

impl ManualClock {
    fn now_for_tests(&self) -> OffsetDateTime {
        crate::Clock::now(self)
    }
}

fn locked_until(outcome: PasswordLogin) -> OffsetDateTime {
    match outcome {
        PasswordLogin::Locked { until } => until,
        other => panic!("expected Locked, got {other:?}"),
    }
}

// ----- Scenarios -------------------------------------------------------------------------

/// 第1章 2: first registration, both print confirmations, completion, menu.
pub fn first_time_registration<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    let (ticket, needs) = h.ticket("staff01", INITIAL);
    assert!(needs);
    let view = h.service.enrollment(&ticket).unwrap();
    assert!(view.otpauth_uri.starts_with("otpauth://totp/"));
    assert!(view.otpauth_uri.contains("staff01"));
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
    assert!(matches!(
        h.service.submit_passcode(&ticket, &wrong).unwrap(),
        PasscodeLogin::Invalid
    ));
    let grant = match h
        .service
        .submit_passcode(&ticket, &h.code(&secret, 0))
        .unwrap()
    {
        PasscodeLogin::Session(g) => g,
        other => panic!("{other:?}"),
    };
    assert!(grant.enrolled);
    assert_eq!(h.count(AuditKind::Enrolled), 1);
    let info = h.service.session(&grant.token).unwrap().unwrap();
    assert_eq!(info.key.login_id.as_str(), "staff01");
    // The ticket is spent.
    assert!(matches!(
        h.service.submit_passcode(&ticket, &h.code(&secret, 1)),
        Err(Error::LoginExpired)
    ));
    // Registered: the next login asks for the passcode, not enrollment.
    h.service.logout(&grant.token).unwrap();
    let (_, needs) = h.ticket("staff01", INITIAL);
    assert!(!needs);
    assert!(h.service.accounts().unwrap()[0].enrolled);
}

/// The code that confirmed the registration cannot open the first login; the next step's can.
pub fn enrollment_code_is_not_reusable<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    let (secret, session) = h.enroll("staff01");
    h.service.logout(&session).unwrap();
    let (ticket, _) = h.ticket("staff01", INITIAL);
    let same = h.code(&secret, 0);
    assert!(matches!(
        h.service.submit_passcode(&ticket, &same).unwrap(),
        PasscodeLogin::Invalid
    ));
    assert_eq!(h.count(AuditKind::ReplayRefused), 1);
    // Full-width and spaced forms of the same code are the same code: still a replay.
    let wide: String = same
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
        .collect();
    assert!(matches!(
        h.service.submit_passcode(&ticket, &wide).unwrap(),
        PasscodeLogin::Invalid
    ));
    h.clock.advance(Duration::seconds(30));
    assert!(matches!(
        h.service
            .submit_passcode(&ticket, &h.code(&secret, 0))
            .unwrap(),
        PasscodeLogin::Session(_)
    ));
}

/// 3 wrong passwords lock for exactly 30 minutes; the right password is refused meanwhile.
pub fn password_lock_edges<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    h.clock.advance(Duration::minutes(1));
    assert!(matches!(
        h.login("staff01", "Wrong#Pass1"),
        PasswordLogin::Invalid
    ));
    assert!(matches!(
        h.login("staff01", "Wrong#Pass2"),
        PasswordLogin::Invalid
    ));
    let locked_at = crate::Clock::now(&h.clock);
    let until = locked_until(h.login("staff01", "Wrong#Pass3"));
    assert_eq!(until, locked_at + Duration::minutes(30));
    assert_eq!(
        locked_until(h.login("staff01", INITIAL)),
        until,
        "right password during the lock"
    );
    h.clock.set(until - Duration::milliseconds(1));
    assert_eq!(
        locked_until(h.login("staff01", INITIAL)),
        until,
        "29:59.999 still locked, not extended"
    );
    h.clock.set(until);
    assert!(
        matches!(
            h.login("staff01", INITIAL),
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
    h.provision("staff01");
    for _ in 0..2 {
        assert!(matches!(
            h.login("staff01", "Wrong#Pass1"),
            PasswordLogin::Invalid
        ));
    }
    let _ = h.ticket("staff01", INITIAL);
    for _ in 0..2 {
        assert!(matches!(
            h.login("staff01", "Wrong#Pass1"),
            PasswordLogin::Invalid
        ));
    }
    assert!(matches!(
        h.login("staff01", INITIAL),
        PasswordLogin::NeedsEnrollment(_)
    ));
}

/// Unknown identifiers lock exactly like known ones, and answer like a wrong password.
pub fn unknown_identifier_is_indistinguishable<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    assert!(matches!(h.login("nobody", INITIAL), PasswordLogin::Invalid));
    assert!(matches!(h.login("nobody", INITIAL), PasswordLogin::Invalid));
    let _ = locked_until(h.login("nobody", INITIAL));
    // The lock of "nobody" does not touch staff01.
    assert!(matches!(
        h.login("staff01", INITIAL),
        PasswordLogin::NeedsEnrollment(_)
    ));
    // Full-width spelling of the same identifier shares its counter.
    let wide_inst: String = INSTITUTION
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
        .collect();
    let out = h
        .service
        .password_login(&wide_inst, "ｎｏｂｏｄｙ", &Password::new(INITIAL))
        .unwrap();
    assert!(matches!(out, PasswordLogin::Locked { .. }));
}

/// 3 wrong passcodes lock; the pending login is voided; the lock holds at the password step.
pub fn passcode_lock_edges<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    let (secret, session) = h.enroll("staff01");
    h.service.logout(&session).unwrap();
    h.clock.advance(Duration::minutes(5));
    let (ticket, _) = h.ticket("staff01", INITIAL);
    // A second browser's half-finished login, quiet during the lock.
    let (other_browser, _) = h.ticket("staff01", INITIAL);
    let good = h.code(&secret, 0);
    let bad = format!(
        "{:06}",
        (good.parse::<u32>().unwrap() + 500_000) % 1_000_000
    );
    assert!(matches!(
        h.service.submit_passcode(&ticket, &bad).unwrap(),
        PasscodeLogin::Invalid
    ));
    assert!(matches!(
        h.service.submit_passcode(&ticket, &bad).unwrap(),
        PasscodeLogin::Invalid
    ));
    let now = crate::Clock::now(&h.clock);
    let until = match h.service.submit_passcode(&ticket, &bad).unwrap() {
        PasscodeLogin::Locked { until } => until,
        other => panic!("{other:?}"),
    };
    assert_eq!(until, now + Duration::minutes(30));
    assert!(
        matches!(
            h.service.submit_passcode(&ticket, &good),
            Err(Error::LoginExpired)
        ),
        "login voided"
    );
    assert!(
        matches!(
            h.service.submit_passcode(&other_browser, &good),
            Err(Error::LoginExpired)
        ),
        "every pending login of the account is voided"
    );
    assert_eq!(
        locked_until(h.login("staff01", INITIAL)),
        until,
        "password step reports the passcode lock"
    );
    h.clock.set(until - Duration::milliseconds(1));
    assert!(matches!(
        h.login("staff01", INITIAL),
        PasswordLogin::Locked { .. }
    ));
    h.clock.set(until);
    let (ticket, _) = h.ticket("staff01", INITIAL);
    assert!(matches!(
        h.service
            .submit_passcode(&ticket, &h.code(&secret, 0))
            .unwrap(),
        PasscodeLogin::Session(_)
    ));
}

/// A correct password never resets the passcode failure count.
pub fn password_does_not_reset_passcode_count<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    let (secret, session) = h.enroll("staff01");
    h.service.logout(&session).unwrap();
    h.clock.advance(Duration::minutes(1));
    let bad = format!(
        "{:06}",
        (h.code(&secret, 0).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    let (ticket, _) = h.ticket("staff01", INITIAL);
    for _ in 0..2 {
        assert!(matches!(
            h.service.submit_passcode(&ticket, &bad).unwrap(),
            PasscodeLogin::Invalid
        ));
    }
    let (ticket, _) = h.ticket("staff01", INITIAL);
    assert!(matches!(
        h.service.submit_passcode(&ticket, &bad).unwrap(),
        PasscodeLogin::Locked { .. }
    ));
}

/// 30 idle minutes end a session: 29:59.999 alive (and extended), 30:00 dead.
pub fn idle_timeout_edges<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    let (_, session) = h.enroll("staff01");
    h.clock
        .advance(Duration::minutes(30) - Duration::milliseconds(1));
    let info = h
        .service
        .session(&session)
        .unwrap()
        .expect("alive at 29:59.999");
    assert_eq!(
        info.expires_at,
        crate::Clock::now(&h.clock) + Duration::minutes(30),
        "activity extends"
    );
    h.clock
        .advance(Duration::minutes(30) - Duration::milliseconds(1));
    assert!(h.service.session(&session).unwrap().is_ok());
    h.clock.advance(Duration::minutes(30));
    assert_eq!(
        h.service.session(&session).unwrap().unwrap_err(),
        SessionEnd::Expired
    );
    assert_eq!(
        h.service.session(&session).unwrap().unwrap_err(),
        SessionEnd::Unknown,
        "gone after"
    );
}

/// Logging in again without logging out ends the earlier session, which says so.
pub fn second_login_supersedes_first<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    let (secret, first) = h.enroll("staff01");
    h.clock.advance(Duration::seconds(30));
    let (ticket, _) = h.ticket("staff01", INITIAL);
    let second = match h
        .service
        .submit_passcode(&ticket, &h.code(&secret, 0))
        .unwrap()
    {
        PasscodeLogin::Session(g) => g.token,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        h.service.session(&first).unwrap().unwrap_err(),
        SessionEnd::Superseded
    );
    assert!(h.service.session(&second).unwrap().is_ok());
    assert_eq!(h.count(AuditKind::SessionSuperseded), 1);
}

/// Logout ends the session server-side.
pub fn logout_ends_session<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    let (_, session) = h.enroll("staff01");
    assert!(h.service.logout(&session).unwrap());
    assert_eq!(
        h.service.session(&session).unwrap().unwrap_err(),
        SessionEnd::Unknown
    );
    assert!(!h.service.logout(&session).unwrap());
}

/// [パスワード変更]: every violation listed, history rules, wrong current counts.
pub fn password_change_rules<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    let (_, session) = h.enroll("staff01");
    let change = |cur: &str, new: &str, again: &str| {
        h.service
            .change_password(
                &session,
                &Password::new(cur),
                &Password::new(new),
                &Password::new(again),
            )
            .unwrap()
    };
    let codes = |out: PasswordChange| match out {
        PasswordChange::Rejected(v) => v.iter().map(|v| v.code().as_str()).collect::<Vec<_>>(),
        other => panic!("expected Rejected, got {other:?}"),
    };
    let c = codes(change(INITIAL, "short", "short"));
    for expected in [
        "too_short",
        "missing_digit",
        "missing_uppercase",
        "missing_special",
    ] {
        assert!(c.contains(&expected), "{expected} in {c:?}");
    }
    assert!(
        codes(change(INITIAL, "Other#Pass1", "Other#Pass2")).contains(&"confirmation_mismatch")
    );
    assert!(codes(change(INITIAL, INITIAL, INITIAL)).contains(&"same_as_current"));
    // Same first 5 characters as the current password, under 13 characters.
    assert!(
        codes(change(INITIAL, "Initi#Xyz12", "Initi#Xyz12")).contains(&"similar_to_generation")
    );
    assert!(matches!(
        change(INITIAL, "Second#Pw12", "Second#Pw12"),
        PasswordChange::Changed
    ));
    // The old password is now a retired generation.
    assert!(codes(change("Second#Pw12", INITIAL, INITIAL)).contains(&"reused_generation"));
    assert!(
        codes(change("Second#Pw12", "Initi@Abc99", "Initi@Abc99"))
            .contains(&"similar_to_generation")
    );
    // 13 characters or more: the history rules do not apply.
    assert!(matches!(
        change("Second#Pw12", "Initi@Abc9999", "Initi@Abc9999"),
        PasswordChange::Changed
    ));
    assert!(matches!(
        h.login("staff01", INITIAL),
        PasswordLogin::Invalid
    ));
    assert!(matches!(
        h.login("staff01", "Initi@Abc9999"),
        PasswordLogin::NeedsPasscode(_)
    ));
    assert_eq!(h.count(AuditKind::PasswordChanged), 2);
}

/// A wrong current password counts toward the password lock.
pub fn wrong_current_password_counts<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    let (_, session) = h.enroll("staff01");
    let p = |s: &str| Password::new(s);
    let new = p("Fresh#Pass12");
    for _ in 0..2 {
        let out = h
            .service
            .change_password(&session, &p("Wrong#Pass1"), &new, &new)
            .unwrap();
        assert!(matches!(
            out,
            PasswordChange::WrongCurrent { locked_until: None }
        ));
    }
    let out = h
        .service
        .change_password(&session, &p("Wrong#Pass1"), &new, &new)
        .unwrap();
    assert!(matches!(
        out,
        PasswordChange::WrongCurrent {
            locked_until: Some(_)
        }
    ));
    let out = h
        .service
        .change_password(&session, &p(INITIAL), &new, &new)
        .unwrap();
    assert!(matches!(out, PasswordChange::Locked { .. }));
    assert!(matches!(
        h.login("staff01", INITIAL),
        PasswordLogin::Locked { .. }
    ));
}

/// The manual's example: staff123 → staff456 is refused (shared first 5 characters).
pub fn five_generations_and_manual_example<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    let (_, session) = h.enroll("staff01");
    let mut current = INITIAL.to_owned();
    let gens = [
        "Gen1#Pass01",
        "Gen2#Pass02",
        "Gen3#Pass03",
        "Gen4#Pass04",
        "Gen5#Pass05",
    ];
    for next in gens {
        let out = h
            .service
            .change_password(
                &session,
                &Password::new(current.as_str()),
                &Password::new(next),
                &Password::new(next),
            )
            .unwrap();
        assert!(matches!(out, PasswordChange::Changed), "{next}: {out:?}");
        current = next.to_owned();
    }
    // Depth 5 including the current one: Gen1..Gen5 are remembered, INITIAL has dropped out.
    let try_change = |current: &str, new: &str| {
        h.service
            .change_password(
                &session,
                &Password::new(current),
                &Password::new(new),
                &Password::new(new),
            )
            .unwrap()
    };
    assert!(
        matches!(
            try_change(&current, "Gen1#Pass01"),
            PasswordChange::Rejected(_)
        ),
        "5th generation back"
    );
    assert!(matches!(
        try_change(&current, "Staff#123x"),
        PasswordChange::Changed
    ));
    let out = try_change("Staff#123x", "Staff#456y");
    assert!(
        matches!(out, PasswordChange::Rejected(ref v) if v.iter().any(|v| v.code().as_str() == "similar_to_generation"))
    );
}

/// One-call receipt-computer authentication: enrollment first, replays and locks apply.
pub fn receipt_computer_authentication<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    let auth = |pw: &str, code: &str| {
        h.service
            .authenticate(INSTITUTION, "staff01", &Password::new(pw), code)
            .unwrap()
    };
    assert!(matches!(
        auth(INITIAL, "123456"),
        Authentication::EnrollmentRequired
    ));
    let (secret, _) = h.enroll("staff01");
    h.clock.advance(Duration::seconds(30));
    let code = h.code(&secret, 0);
    match auth(INITIAL, &code) {
        Authentication::Verified(id) => assert_eq!(id.login_id.as_str(), "staff01"),
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
    assert!(matches!(
        h.service
            .authenticate(INSTITUTION, "staff01", &Password::new(INITIAL), "12345"),
        Err(Error::MalformedPasscode)
    ));
    h.clock.advance(Duration::seconds(30));
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

/// Administration: unlock, MFA reset, password reset (forced change), disable.
pub fn administration<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    h.provision("staff02");
    assert!(matches!(
        h.service.provision(INSTITUTION, "staff01", None),
        Err(Error::Store(crate::StoreError::Conflict))
    ));
    let (_, session) = h.enroll("staff01");
    let key = h.service.account_key(INSTITUTION, "staff01").unwrap();
    for _ in 0..3 {
        let _ = h.login("staff01", "Wrong#Pass1");
    }
    assert!(matches!(
        h.login("staff01", INITIAL),
        PasswordLogin::Locked { .. }
    ));
    h.service.unlock(&key).unwrap();
    assert!(matches!(
        h.login("staff01", INITIAL),
        PasswordLogin::NeedsPasscode(_)
    ));
    h.service.reset_mfa(&key).unwrap();
    assert_eq!(
        h.service.session(&session).unwrap().unwrap_err(),
        SessionEnd::Unknown
    );
    assert!(matches!(
        h.login("staff01", INITIAL),
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
        h.login("staff01", INITIAL),
        PasswordLogin::Invalid
    ));
    let (ticket, _) = h.ticket("staff01", settings.initial_password.as_str());
    let view = h.service.enrollment(&ticket).unwrap();
    let secret = SetupKey::parse(&view.setup_key.copy_form()).unwrap();
    let grant = match h
        .service
        .submit_passcode(&ticket, &h.code(&secret, 0))
        .unwrap()
    {
        PasscodeLogin::Session(g) => g,
        other => panic!("{other:?}"),
    };
    assert!(grant.must_change_password);
    assert!(
        h.service
            .session(&grant.token)
            .unwrap()
            .unwrap()
            .must_change_password
    );
    let new = Password::new("After#Reset1");
    let out = h
        .service
        .change_password(&grant.token, &settings.initial_password, &new, &new)
        .unwrap();
    assert!(matches!(out, PasswordChange::Changed));
    assert!(
        !h.service
            .session(&grant.token)
            .unwrap()
            .unwrap()
            .must_change_password
    );
    h.service.set_disabled(&key, true).unwrap();
    assert_eq!(
        h.service.session(&grant.token).unwrap().unwrap_err(),
        SessionEnd::Unknown
    );
    assert!(matches!(
        h.login("staff01", "After#Reset1"),
        PasswordLogin::Disabled
    ));
    h.service.set_disabled(&key, false).unwrap();
    assert!(matches!(
        h.login("staff01", "After#Reset1"),
        PasswordLogin::NeedsPasscode(_)
    ));
    let list = h.service.accounts().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].key.login_id.as_str(), "staff01");
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

/// N concurrent wrong passwords: at most 3 verified guesses, then the lock.
pub fn concurrent_wrong_passwords<S: Store>(store: Arc<S>) {
    let h = Arc::new(Harness::new(store));
    h.provision("staff01");
    let threads: Vec<_> = (0..24)
        .map(|i| {
            let h = Arc::clone(&h);
            std::thread::spawn(move || h.login("staff01", &format!("Wrong#Pass{i}")))
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
        h.login("staff01", INITIAL),
        PasswordLogin::Locked { .. }
    ));
}

/// Two concurrent submissions of the same valid passcode: exactly one session.
pub fn concurrent_same_passcode<S: Store>(store: Arc<S>) {
    let h = Arc::new(Harness::new(store));
    h.provision("staff01");
    let (secret, session) = h.enroll("staff01");
    h.service.logout(&session).unwrap();
    h.clock.advance(Duration::seconds(30));
    let tickets: Vec<Token> = (0..2).map(|_| h.ticket("staff01", INITIAL).0).collect();
    let code = h.code(&secret, 0);
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

/// Clock drift of accepted passcodes is recorded and shown to administrators.
pub fn drift_is_recorded<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    let (secret, session) = h.enroll("staff01");
    h.service.logout(&session).unwrap();
    h.clock.advance(Duration::minutes(2));
    let (ticket, _) = h.ticket("staff01", INITIAL);
    // The phone runs 30 s fast.
    assert!(matches!(
        h.service
            .submit_passcode(&ticket, &h.code(&secret, 1))
            .unwrap(),
        PasscodeLogin::Session(_)
    ));
    assert_eq!(h.service.accounts().unwrap()[0].drift, Some(1));
}

/// Half-finished logins expire with the idle timeout, and 《戻る》 ends them.
pub fn login_ticket_expiry<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    let (ticket, _) = h.ticket("staff01", INITIAL);
    h.clock
        .advance(Duration::minutes(30) - Duration::milliseconds(1));
    assert!(h.service.enrollment(&ticket).is_ok());
    h.clock.advance(Duration::milliseconds(1));
    assert!(matches!(
        h.service.enrollment(&ticket),
        Err(Error::LoginExpired)
    ));
    let (ticket, _) = h.ticket("staff01", INITIAL);
    h.service.abandon_login(&ticket).unwrap();
    assert!(matches!(
        h.service.enrollment(&ticket),
        Err(Error::LoginExpired)
    ));
}

/// No audit event, and no Debug output of the service's answers, holds a secret.
pub fn audit_holds_no_secret<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    let (ticket, _) = h.ticket("staff01", INITIAL);
    let view = h.service.enrollment(&ticket).unwrap();
    let key = view.setup_key.copy_form().to_string();
    let secret = SetupKey::parse(&key).unwrap();
    let code = h.code(&secret, 0);
    let outcome = h.service.submit_passcode(&ticket, &code).unwrap();
    let debug = format!("{view:?} {outcome:?} {ticket:?}");
    let mut everything = format!("{:?}{debug}", h.audit.events());
    everything.push_str(&format!("{:?}", h.service.recent_audit(100).unwrap()));
    for secret_text in [
        INITIAL,
        key.as_str(),
        &code,
        ticket.expose(),
        view.otpauth_uri.as_str(),
    ] {
        assert!(!everything.contains(secret_text), "leaked {secret_text}");
    }
    // Records themselves hold no plaintext either.
    let record = format!("{:?}", h.service.store().accounts().unwrap());
    assert!(!record.contains(INITIAL) && !record.contains(key.as_str()));
}

/// Raising the argon2 cost upgrades a stored hash at the next correct login.
pub fn rehash_on_login<S: Store>(store: Arc<S>) {
    let cheap = Harness::new(Arc::clone(&store));
    cheap.provision("staff01");
    let probe = Arc::clone(&store);
    let before = probe.accounts().unwrap()[0]
        .password
        .current()
        .as_str()
        .to_owned();
    let mut config = Config::for_tests();
    config.hash_cost.m_cost *= 2;
    // The same seed gives the same master key, so the pepper is unchanged.
    let dearer = Harness::with_config(store, config);
    assert!(matches!(
        dearer.login("staff01", INITIAL),
        PasswordLogin::NeedsEnrollment(_)
    ));
    let after = probe.accounts().unwrap()[0]
        .password
        .current()
        .as_str()
        .to_owned();
    assert_ne!(before, after, "rehashed");
    assert!(
        after.contains(&format!("m={}", Config::for_tests().hash_cost.m_cost * 2)),
        "{after}"
    );
    // The new hash verifies, and a wrong password does not trigger a rehash.
    assert!(matches!(
        dearer.login("staff01", INITIAL),
        PasswordLogin::NeedsEnrollment(_)
    ));
    assert!(matches!(
        dearer.login("staff01", "Wrong#Pw12"),
        PasswordLogin::Invalid
    ));
    assert_eq!(
        probe.accounts().unwrap()[0].password.current().as_str(),
        after
    );
}

/// A passcode sent before any registration exists is refused without counting.
pub fn passcode_before_enrollment_is_not_counted<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision("staff01");
    let (ticket, needs) = h.ticket("staff01", INITIAL);
    assert!(needs);
    for _ in 0..5 {
        assert!(matches!(
            h.service.submit_passcode(&ticket, "123456"),
            Err(Error::EnrollmentRequired)
        ));
    }
    let view = h.service.enrollment(&ticket).unwrap();
    let secret = SetupKey::parse(&view.setup_key.copy_form()).unwrap();
    assert!(matches!(
        h.service
            .submit_passcode(&ticket, &h.code(&secret, 0))
            .unwrap(),
        PasscodeLogin::Session(_)
    ));
}

/// Runs every scenario against stores from `make`.
#[macro_export]
macro_rules! store_behaviour_suite {
    ($make:expr) => {
        $crate::store_behaviour_suite!(@tests $make;
            first_time_registration, enrollment_code_is_not_reusable, password_lock_edges,
            password_success_resets_count, unknown_identifier_is_indistinguishable,
            passcode_lock_edges, password_does_not_reset_passcode_count, idle_timeout_edges,
            second_login_supersedes_first, logout_ends_session, password_change_rules,
            wrong_current_password_counts, five_generations_and_manual_example,
            receipt_computer_authentication, administration, concurrent_wrong_passwords,
            concurrent_same_passcode, drift_is_recorded, login_ticket_expiry,
            audit_holds_no_secret, rehash_on_login, passcode_before_enrollment_is_not_counted
        );
    };
    (@tests $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $crate::testing::$name(($make)());
            }
        )*
    };
}

/// A store that can be switched to fail every call with [`StoreError::Unavailable`]
/// (a disk I/O error), to reach the error paths of adapters.
#[derive(Default)]
pub struct FaultyStore<S = MemoryStore> {
    inner: S,
    broken: AtomicBool,
}

impl<S: Store> FaultyStore<S> {
    /// Wraps `inner`, working.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            broken: AtomicBool::new(false),
        }
    }

    /// From now on every call fails (`true`) or works again (`false`).
    pub fn set_broken(&self, broken: bool) {
        self.broken.store(broken, Ordering::SeqCst);
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn check(&self) -> Result<(), StoreError> {
        if self.broken.load(Ordering::SeqCst) {
            Err(StoreError::Unavailable("disk I/O error (test)".into()))
        } else {
            Ok(())
        }
    }
}

impl<S: Store> Store for FaultyStore<S> {
    fn insert_account(&self, account: NewAccount) -> Result<AccountRecord, StoreError> {
        self.check()?;
        self.inner.insert_account(account)
    }
    fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
        self.check()?;
        self.inner.account(id)
    }
    fn account_by_key(&self, key: &AccountKey) -> Result<Option<AccountRecord>, StoreError> {
        self.check()?;
        self.inner.account_by_key(key)
    }
    fn accounts(&self) -> Result<Vec<AccountRecord>, StoreError> {
        self.check()?;
        self.inner.accounts()
    }
    fn update_account(
        &self,
        id: AccountId,
        f: &mut dyn FnMut(&mut AccountRecord) -> bool,
    ) -> Result<Option<AccountRecord>, StoreError> {
        self.check()?;
        self.inner.update_account(id, f)
    }
    fn update_attempts(
        &self,
        key: &AccountKey,
        f: &mut dyn FnMut(&mut Attempts),
    ) -> Result<Attempts, StoreError> {
        self.check()?;
        self.inner.update_attempts(key, f)
    }
    fn attempts(&self, key: &AccountKey) -> Result<Attempts, StoreError> {
        self.check()?;
        self.inner.attempts(key)
    }
    fn insert_ticket(&self, ticket: LoginTicketRecord) -> Result<(), StoreError> {
        self.check()?;
        self.inner.insert_ticket(ticket)
    }
    fn ticket(&self, digest: &TokenDigest) -> Result<Option<LoginTicketRecord>, StoreError> {
        self.check()?;
        self.inner.ticket(digest)
    }
    fn delete_ticket(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        self.check()?;
        self.inner.delete_ticket(digest)
    }
    fn delete_tickets_of(&self, account: AccountId) -> Result<(), StoreError> {
        self.check()?;
        self.inner.delete_tickets_of(account)
    }
    fn insert_session(&self, session: SessionRecord) -> Result<(), StoreError> {
        self.check()?;
        self.inner.insert_session(session)
    }
    fn session(&self, digest: &TokenDigest) -> Result<Option<SessionRecord>, StoreError> {
        self.check()?;
        self.inner.session(digest)
    }
    fn update_session(
        &self,
        digest: &TokenDigest,
        f: &mut dyn FnMut(&mut SessionRecord),
    ) -> Result<Option<SessionRecord>, StoreError> {
        self.check()?;
        self.inner.update_session(digest, f)
    }
    fn delete_session(&self, digest: &TokenDigest) -> Result<bool, StoreError> {
        self.check()?;
        self.inner.delete_session(digest)
    }
    fn delete_sessions_of(&self, account: AccountId) -> Result<(), StoreError> {
        self.check()?;
        self.inner.delete_sessions_of(account)
    }
    fn append_audit(&self, event: &AuditEvent) -> Result<(), StoreError> {
        self.check()?;
        self.inner.append_audit(event)
    }
    fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, StoreError> {
        self.check()?;
        self.inner.recent_audit(limit)
    }
    fn prune(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        self.check()?;
        self.inner.prune(now)
    }
}
