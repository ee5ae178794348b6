//! Guessing: 3 verified guesses, then the lock — however many arrive at once.

use shikaku::AuditKind;
use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};
use time::Duration;

use crate::binary::{self, MANUAL, Server};
use crate::client::{Browser, Response};
use crate::inproc::{self, InProc, code_at, login, wrong_code};
use crate::{m, says_passcode_locked, says_password_locked, shared};

const GUESSES: usize = 50;

pub(crate) use crate::client::all_at_once;

/// 50 browsers, each with a fresh [ログイン] form, post a wrong password for one account.
fn wrong_password_storm(addr: std::net::SocketAddr, login_id: &str) -> Vec<Response> {
    let requests = (0..GUESSES)
        .map(|i| {
            let mut b = Browser::new(addr);
            b.get("/login");
            let bytes = b.form_bytes(
                "/login",
                &[
                    ("institution_code", INSTITUTION_CODE),
                    ("login_id", login_id),
                    ("password", &format!("Wrong#Pass{i:02}")),
                ],
            );
            (b, bytes)
        })
        .collect();
    all_at_once(requests).into_iter().map(|(_, r)| r).collect()
}

/// Every answer is [ログイン] again: "wrong" at most twice, the lock for the rest.
fn assert_login_answers(answers: &[Response]) -> usize {
    let mut invalid = 0;
    for r in answers {
        if says_password_locked(r) {
            continue;
        }
        r.assert_page(m().err_invalid_credentials);
        invalid += 1;
    }
    assert!(
        invalid <= 2,
        "{invalid} answers said 'wrong password': the third failure must lock"
    );
    invalid
}

/// The real binary on SQLite with the manual's argon2 cost.
#[test]
fn fifty_parallel_wrong_passwords_get_three_verifications_then_the_lock() {
    let _machine = shared();
    let server = Server::prepare(MANUAL)
        .add_user("storm01", INITIAL_PASSWORD)
        .serve("info");
    let answers = wrong_password_storm(server.addr, "storm01");
    let invalid = assert_login_answers(&answers);

    // The right password during the lock gets the lock answer, and no login.
    let mut b = server.browser();
    let r = inproc::login(&mut b, "storm01", INITIAL_PASSWORD);
    assert!(says_password_locked(&r), "{} {}", r.status, r.text());

    let events = server.audit();
    let verified = binary::count(&events, "password_failed", "storm01");
    let refused = binary::count(&events, "password_attempt_while_locked", "storm01");
    println!(
        "password storm (binary, argon2 19 MiB t=2): {GUESSES} sent at once → {verified} verified, \
         {refused} refused by the lock, {invalid} answered 'wrong'"
    );
    assert!(verified <= 3, "{verified} wrong passwords were verified");
    assert_eq!(verified, 3, "the lock needs exactly 3 failures");
    assert_eq!(
        GUESSES - invalid,
        GUESSES - 2,
        "every other attempt met the lock (the third failure says locked too)"
    );
    // The lock records its first refusal once, not once per refused request (issue 14).
    assert_eq!(refused, 1);
    let detail = events
        .iter()
        .find(|e| e["kind"] == "password_attempt_while_locked")
        .and_then(|e| e["detail"].as_str());
    assert!(
        detail.is_some_and(|d| d.starts_with("until ")),
        "{detail:?}"
    );
    assert_eq!(binary::count(&events, "password_locked", "storm01"), 1);
    assert_eq!(binary::count(&events, "password_accepted", "storm01"), 0);
}

/// The same storm against the in-process app (MemoryStore, the manual's argon2 cost),
/// counted by the audit sink.
#[test]
fn fifty_parallel_wrong_passwords_in_process() {
    let _machine = shared();
    let w = InProc::start_with_real_cost();
    w.provision("storm02");
    let answers = wrong_password_storm(w.addr, "storm02");
    assert_login_answers(&answers);
    let mut b = w.browser();
    assert!(says_password_locked(&login(
        &mut b,
        "storm02",
        INITIAL_PASSWORD
    )));
    assert_eq!(w.count(AuditKind::PasswordFailed), 3);
    assert_eq!(w.count(AuditKind::PasswordLocked), 1);
    // One event for the lock period's first refusal; the other refusals are counted in
    // the stored lock (reported as `count=N` when the period is over).
    assert_eq!(w.count(AuditKind::PasswordAttemptWhileLocked), 1);
    assert_eq!(w.count(AuditKind::PasswordAccepted), 0);
}

#[allow(clippy::disallowed_methods)] // the real binary runs on the system clock
fn system_now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// The real binary: 10 browsers each hold a login ticket of one registered account; 50
/// wrong passcodes arrive at once across them.
#[test]
fn fifty_parallel_wrong_passcodes_get_three_verifications_then_the_lock() {
    let _machine = shared();
    let server = Server::prepare(MANUAL)
        .add_user("storm03", INITIAL_PASSWORD)
        .serve("info");
    let mut first = server.browser();
    let key = inproc::enroll(&mut first, "storm03", INITIAL_PASSWORD, |k| {
        code_at(k, system_now())
    });
    inproc::logout(&mut first);

    let ticket_holder = || {
        let mut b = server.browser();
        let r = login(&mut b, "storm03", INITIAL_PASSWORD);
        assert_eq!(r.redirect(), "/login/passcode");
        b.get("/login/passcode");
        b
    };
    let holders: Vec<Browser> = (0..10).map(|_| ticket_holder()).collect();
    // One more login, half-way too, that takes no part in the storm.
    let mut bystander = ticket_holder();
    let wrong = wrong_code(&key, system_now());
    let requests = (0..GUESSES)
        .map(|i| {
            let b = holders[i % holders.len()].clone();
            let bytes = b.form_bytes("/login/passcode", &[("passcode", &wrong)]);
            (b, bytes)
        })
        .collect();
    let answers = all_at_once(requests);
    let mut said_wrong = 0;
    for (_, r) in &answers {
        if r.status == 303 {
            // The ticket this browser held was voided by the lock.
            assert_eq!(r.location(), "/login");
        } else if !says_passcode_locked(r) {
            r.assert_page(m().err_passcode_wrong);
            said_wrong += 1;
        }
    }
    assert!(
        said_wrong <= 2,
        "{said_wrong} answers said 'wrong passcode'"
    );

    // The lock voids every pending login of the account, the bystander's too: the right
    // passcode gets nowhere (and a new login meets the lock at the password step, below).
    let right = code_at(&key, system_now());
    let r = bystander.post("/login/passcode", &[("passcode", &right)]);
    assert_eq!(r.redirect(), "/login", "the bystander's login must be gone");
    // Every login that met the lock is gone: no session for anyone.
    for mut b in holders {
        let r = b.post("/login/passcode", &[("passcode", &right)]);
        assert_eq!(r.redirect(), "/login", "a passcode got through the lock");
    }
    // The right password during a passcode lock issues no ticket.
    let mut late = server.browser();
    let r = login(&mut late, "storm03", INITIAL_PASSWORD);
    assert!(says_password_locked(&r), "{} {}", r.status, r.text());

    let events = server.audit();
    let verified = binary::count(&events, "passcode_failed", "storm03")
        + binary::count(&events, "replay_refused", "storm03");
    let refused = binary::count(&events, "passcode_attempt_while_locked", "storm03");
    println!(
        "passcode storm (binary): {GUESSES} sent at once over 10 tickets → {verified} verified, \
         {refused} refused by the lock"
    );
    assert_eq!(verified, 3, "{verified} wrong passcodes were verified");
    assert_eq!(binary::count(&events, "passcode_locked", "storm03"), 1);
    // One session: the enrollment's.
    assert_eq!(binary::count(&events, "session_started", "storm03"), 1);
}

/// 2 wrong passcodes, a new login with the right password, 1 more wrong passcode: locked.
#[test]
fn a_correct_password_does_not_reset_the_passcode_count() {
    let _machine = shared();
    let w = InProc::start();
    let key = w.enrolled("count01");
    let wrong = wrong_code(&key, w.now());
    let mut b = w.browser();
    let r = login(&mut b, "count01", INITIAL_PASSWORD);
    assert_eq!(r.redirect(), "/login/passcode");
    b.get("/login/passcode");
    for _ in 0..2 {
        let r = b.post("/login/passcode", &[("passcode", &wrong)]);
        r.assert_page(m().err_passcode_wrong);
    }
    // 《戻る》 and the right password again: a fresh ticket, the same count.
    b.post("/login/cancel", &[]);
    let r = login(&mut b, "count01", INITIAL_PASSWORD);
    assert_eq!(r.redirect(), "/login/passcode");
    b.get("/login/passcode");
    let r = b.post("/login/passcode", &[("passcode", &wrong)]);
    assert!(
        says_passcode_locked(&r),
        "the third wrong passcode after a correct password must lock: {}",
        r.text()
    );
    assert_eq!(w.count(AuditKind::PasscodeFailed), 3);
    assert_eq!(w.count(AuditKind::PasscodeLocked), 1);
}

/// After the passcode lock, the login that hit it is gone: the right passcode on the
/// same ticket leads back to the password, and other tickets are dead before the lock
/// lifts.
#[test]
fn a_passcode_lock_voids_the_pending_login() {
    let _machine = shared();
    let w = InProc::start();
    let key = w.enrolled("void01");
    let wrong = wrong_code(&key, w.now());
    let mut other = w.browser();
    assert_eq!(
        login(&mut other, "void01", INITIAL_PASSWORD).redirect(),
        "/login/passcode"
    );
    other.get("/login/passcode");
    let mut b = w.browser();
    assert_eq!(
        login(&mut b, "void01", INITIAL_PASSWORD).redirect(),
        "/login/passcode"
    );
    b.get("/login/passcode");
    for _ in 0..2 {
        b.post("/login/passcode", &[("passcode", &wrong)])
            .assert_page(m().err_passcode_wrong);
    }
    let r = b.post("/login/passcode", &[("passcode", &wrong)]);
    assert!(says_passcode_locked(&r), "{}", r.text());

    let verified_before = w.count(AuditKind::PasscodeFailed);
    let r = b.post("/login/passcode", &[("passcode", &w.code(&key))]);
    assert_eq!(r.redirect(), "/login", "the locked login must be gone");
    assert_eq!(w.count(AuditKind::PasscodeFailed), verified_before);
    assert_eq!(
        w.count(AuditKind::SessionStarted),
        1,
        "only the enrollment's"
    );

    // When the lock lifts, the other browser's half-finished login has expired too.
    w.clock.advance(Duration::minutes(30));
    let r = other.post("/login/passcode", &[("passcode", &w.code(&key))]);
    assert_eq!(r.redirect(), "/login", "{}", r.text());
    // A new login works again.
    let mut c = w.browser();
    let r = inproc::login_with_code(&mut c, "void01", INITIAL_PASSWORD, &w.code(&key));
    assert_eq!(r.redirect(), "/menu");
}

/// The password lock holds for 29:59 without verifying anything and lifts at 30:00.
#[test]
fn the_password_lock_lifts_at_exactly_thirty_minutes() {
    let _machine = shared();
    let w = InProc::start();
    w.provision("expiry01");
    let mut b = w.browser();
    for i in 0..3 {
        login(&mut b, "expiry01", &format!("Wrong#Pass{i}"));
    }
    assert_eq!(w.count(AuditKind::PasswordLocked), 1);
    w.clock
        .advance(Duration::minutes(29) + Duration::seconds(59));
    let r = login(&mut b, "expiry01", INITIAL_PASSWORD);
    assert!(says_password_locked(&r), "29:59: {}", r.text());
    assert_eq!(w.count(AuditKind::PasswordFailed), 3, "nothing verified");
    w.clock.advance(Duration::seconds(1));
    let r = login(&mut b, "expiry01", INITIAL_PASSWORD);
    assert_eq!(r.redirect(), "/enroll", "30:00: {}", r.text());
}

/// A passcode sent before [Authenticator 登録] was ever shown (no secret exists yet)
/// is never verified, so it must not count toward the passcode lock: the user who
/// then opens [Authenticator 登録] can still register.
#[test]
fn a_passcode_before_the_enrollment_view_is_not_counted() {
    let _machine = shared();
    let w = InProc::start();
    w.provision("early01");
    let mut b = w.browser();
    assert_eq!(
        login(&mut b, "early01", INITIAL_PASSWORD).redirect(),
        "/enroll"
    );
    b.get("/login/passcode").assert_page(m().passcode_label);
    for _ in 0..3 {
        let r = b.post("/login/passcode", &[("passcode", "123456")]);
        assert_eq!(r.redirect(), "/enroll", "{}", r.text());
    }
    assert_eq!(
        w.count(AuditKind::PasscodeFailed),
        0,
        "nothing was verified"
    );
    let key = b.get("/enroll").setup_key().unwrap();
    b.post("/enroll/proceed", &[]);
    b.get("/login/passcode");
    let r = b.post("/login/passcode", &[("passcode", &w.code(&key))]);
    assert_eq!(r.redirect(), "/enroll/done", "{}", r.text());
}

/// Issue 10, item 10 (docs/lockout.md, "Rules for a store"): an attacker interleaves wrong
/// passwords with a receipt computer that logs in correctly and often, over the JSON API.
/// Guesses that merely take turns with correct logins are not consecutive (the manual's
/// "3 回連続") and do not lock. But a guess that lands while a correct login is being
/// verified — its attempt reserved, its success not yet recorded — is no longer wiped by
/// that success: with two more guesses the identifier is locked after 3 guesses, for the
/// correct client too. The in-process server over a `HookedStore`, which sends the
/// attacker's guess over HTTP at exactly that moment.
#[test]
fn guesses_interleaved_with_another_clients_correct_logins_lock_after_three() {
    use std::sync::{Arc, Mutex};

    use shikaku::MemoryStore;
    use shikaku::testing::{HookPoint, HookedStore};

    use crate::api::{call, credentials, error_of};

    let _machine = shared();
    let hooked = Arc::new(HookedStore::new(Arc::new(MemoryStore::new())));
    let w = InProc::start_on(Arc::clone(&hooked));
    w.provision("inter01");
    let addr = w.addr;
    let guess = move || {
        call(
            addr,
            "POST",
            "/api/v1/login",
            None,
            Some(&credentials("inter01", "Wrong#Pass1")),
        )
    };
    let correct = || {
        call(
            addr,
            "POST",
            "/api/v1/login",
            None,
            Some(&credentials("inter01", INITIAL_PASSWORD)),
        )
    };

    // Taking turns: each correct login ends the run of failures.
    for _ in 0..3 {
        assert_eq!(error_of(&guess(), 401), "invalid_credentials");
        assert_eq!(correct().status, 200);
    }
    assert_eq!(w.count(AuditKind::PasswordLocked), 0);

    // The first guess lands during a correct login.
    let during = Arc::new(Mutex::new(None));
    {
        let during = Arc::clone(&during);
        hooked.arm(HookPoint::AfterAttemptsUpdate, move || {
            *during.lock().unwrap() = Some(guess());
        });
    }
    let r = correct();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        hooked.pending(),
        0,
        "the guess ran during the correct login"
    );
    let first = during.lock().unwrap().take().unwrap();
    assert_eq!(error_of(&first, 401), "invalid_credentials");
    // Two more: the third guess in a row since that correct login began locks.
    assert_eq!(error_of(&guess(), 401), "invalid_credentials");
    let r = guess();
    assert_eq!(error_of(&r, 423), "locked", "3 guesses, no lock");
    assert_eq!(w.count(AuditKind::PasswordLocked), 1);
    // The receipt computer is locked out too, and nothing more is verified.
    let r = correct();
    assert_eq!(error_of(&r, 423), "locked");
    assert_eq!(w.count(AuditKind::PasswordFailed), 3 + 3);
}
