//! [パスワード変更] 《変更》: every rule and history violation listed, the lock on wrong
//! current passwords, five generations, a session that went stale between its check and
//! the change, the half-finished logins a change voids; and the argon2 rehash at login.

use std::sync::Arc;

use time::Duration;

use crate::password::Password;
use crate::testing::{Harness, HookPoint, HookedStore, INITIAL_PASSWORD, LOGIN_ID};
use crate::{
    AuditKind, Config, Error, PasscodeLogin, PasswordChange, PasswordLogin, SessionEnd, Store,
};

/// The violation codes of a refused change.
fn codes(out: PasswordChange) -> Vec<&'static str> {
    match out {
        PasswordChange::Rejected(v) => v.iter().map(|v| v.code().as_str()).collect(),
        other => panic!("expected Rejected, got {other:?}"),
    }
}

/// \[パスワード変更\]: every violation listed, history rules, wrong current counts.
pub fn password_change_rules<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (_, session) = h.enroll(LOGIN_ID);
    let change =
        |cur: &str, new: &str, again: &str| h.change_password(&session, cur, new, again).unwrap();
    const INITIAL: &str = INITIAL_PASSWORD;
    // Passwords sharing the initial password's first 5 characters.
    let prefix = &INITIAL[..5];
    let (similar, similar_again, long_similar) = (
        format!("{prefix}#Xyz12"),
        format!("{prefix}@Abc99"),
        format!("{prefix}@Abc9999"),
    );
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
    assert!(codes(change(INITIAL, &similar, &similar)).contains(&"similar_to_generation"));
    assert!(matches!(
        change(INITIAL, "Second#Pw12", "Second#Pw12"),
        PasswordChange::Changed
    ));
    // The old password is now a retired generation.
    assert!(codes(change("Second#Pw12", INITIAL, INITIAL)).contains(&"reused_generation"));
    assert!(
        codes(change("Second#Pw12", &similar_again, &similar_again))
            .contains(&"similar_to_generation")
    );
    // 13 characters or more: the history rules do not apply.
    assert_eq!(long_similar.chars().count(), 13);
    assert!(matches!(
        change("Second#Pw12", &long_similar, &long_similar),
        PasswordChange::Changed
    ));
    assert!(matches!(h.login(LOGIN_ID, INITIAL), PasswordLogin::Invalid));
    assert!(matches!(
        h.login(LOGIN_ID, &long_similar),
        PasswordLogin::NeedsPasscode(_)
    ));
    assert_eq!(h.count(AuditKind::PasswordChanged), 2);
}

/// A wrong current password counts toward the password lock.
pub fn wrong_current_password_counts<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (_, session) = h.enroll(LOGIN_ID);
    let new = "Fresh#Pass12";
    for _ in 0..2 {
        let out = h
            .change_password(&session, "Wrong#Pass1", new, new)
            .unwrap();
        assert!(matches!(
            out,
            PasswordChange::WrongCurrent { locked_until: None }
        ));
    }
    let out = h
        .change_password(&session, "Wrong#Pass1", new, new)
        .unwrap();
    assert!(matches!(
        out,
        PasswordChange::WrongCurrent {
            locked_until: Some(_)
        }
    ));
    let out = h
        .change_password(&session, INITIAL_PASSWORD, new, new)
        .unwrap();
    assert!(matches!(out, PasswordChange::Locked { .. }));
    assert!(matches!(
        h.login(LOGIN_ID, INITIAL_PASSWORD),
        PasswordLogin::Locked { .. }
    ));
}

/// The manual's example: staff123 → staff456 is refused (shared first 5 characters).
pub fn five_generations_and_manual_example<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (_, session) = h.enroll(LOGIN_ID);
    let mut current = INITIAL_PASSWORD.to_owned();
    let gens = [
        "Gen1#Pass01",
        "Gen2#Pass02",
        "Gen3#Pass03",
        "Gen4#Pass04",
        "Gen5#Pass05",
    ];
    for next in gens {
        let out = h.change_password(&session, &current, next, next).unwrap();
        assert!(matches!(out, PasswordChange::Changed), "{next}: {out:?}");
        current = next.to_owned();
    }
    // Depth 5 including the current one: Gen1..Gen5 are remembered, the initial one has
    // dropped out.
    let try_change =
        |current: &str, new: &str| h.change_password(&session, current, new, new).unwrap();
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

/// A change acts for the session checked in the same request: when a later login
/// superseded that session, or it went idle, in between, the change is refused as an
/// ended session and nothing is written.
pub fn a_stale_session_cannot_change_the_password<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (secret, first) = h.enroll(LOGIN_ID);
    let current = Password::new(INITIAL_PASSWORD);
    let new = Password::new("Changed#Pw2");

    // Checked, then another browser logs in before the change is written.
    let checked = h.service.session(&first).unwrap();
    h.next_step();
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    let second = match h.submit(&ticket, &h.code(&secret, 0)) {
        PasscodeLogin::Session(g) => g.token,
        other => panic!("{other:?}"),
    };
    assert!(matches!(
        h.service.change_password(&checked, &current, &new, &new),
        Err(Error::SessionEnded(SessionEnd::Superseded))
    ));

    // Checked, then 30 idle minutes before the change.
    let checked = h.service.session(&second).unwrap();
    h.advance(Duration::minutes(30));
    assert!(matches!(
        h.service.change_password(&checked, &current, &new, &new),
        Err(Error::SessionEnded(SessionEnd::Expired))
    ));

    // Neither wrote anything.
    assert_eq!(h.count(AuditKind::PasswordChanged), 0);
    assert!(matches!(
        h.login(LOGIN_ID, INITIAL_PASSWORD),
        PasswordLogin::NeedsPasscode(_)
    ));
    assert!(matches!(
        h.login(LOGIN_ID, "Changed#Pw2"),
        PasswordLogin::Invalid
    ));
}

/// Raising the argon2 cost upgrades a stored hash at the next correct login.
pub fn rehash_on_login<S: Store>(store: Arc<S>) {
    let cheap = Harness::new(Arc::clone(&store));
    cheap.provision(LOGIN_ID);
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
        dearer.login(LOGIN_ID, INITIAL_PASSWORD),
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
        dearer.login(LOGIN_ID, INITIAL_PASSWORD),
        PasswordLogin::NeedsEnrollment(_)
    ));
    assert!(matches!(
        dearer.login(LOGIN_ID, "Wrong#Pw12"),
        PasswordLogin::Invalid
    ));
    assert_eq!(
        probe.accounts().unwrap()[0].password.current().as_str(),
        after
    );
}

/// Issue 10 (5): a password change voids every half-finished login of the account — one
/// obtained with the old password cannot complete the passcode step — including a login
/// that verified the old password just before the change and stores its ticket just
/// after.
pub fn a_password_change_voids_pending_logins<S: Store>(store: Arc<S>) {
    let hooked = Arc::new(HookedStore::new(store));
    let h = Arc::new(Harness::new(Arc::clone(&hooked)));
    h.provision(LOGIN_ID);
    let (secret, session) = h.enroll(LOGIN_ID);
    const SECOND: &str = "Second#Pw12";
    const THIRD: &str = "Third#Pw123";
    // Another browser passed the password step with the current password.
    let (ticket, needs) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert!(!needs);
    assert!(matches!(
        h.change_password(&session, INITIAL_PASSWORD, SECOND, SECOND)
            .unwrap(),
        PasswordChange::Changed
    ));
    h.next_step();
    assert!(matches!(
        h.service.submit_passcode(&ticket, &h.passcode(&secret, 0)),
        Err(Error::LoginExpired)
    ));

    // The change commits between a login's password check and its ticket.
    {
        let h2 = Arc::clone(&h);
        hooked.arm(HookPoint::BeforeTicketInsert, move || {
            assert!(matches!(
                h2.change_password(&session, SECOND, THIRD, THIRD).unwrap(),
                PasswordChange::Changed
            ));
        });
    }
    assert!(matches!(h.login(LOGIN_ID, SECOND), PasswordLogin::Invalid));
    assert_eq!(hooked.pending(), 0);

    let (ticket, _) = h.ticket(LOGIN_ID, THIRD);
    assert!(matches!(
        h.submit(&ticket, &h.code(&secret, 0)),
        PasscodeLogin::Session(_)
    ));
}
