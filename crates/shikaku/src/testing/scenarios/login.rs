//! [ログイン] 《ログイン》: the password lock at its exact edges, unknown identifiers (the
//! same answer and the same argon2 work whatever the stored settings), half-finished
//! logins (their expiry and 《戻る》), and guesses interleaved with correct logins.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use time::Duration;

use crate::password::Password;
use crate::testing::{
    Harness, HookPoint, HookedStore, INITIAL_PASSWORD, INSTITUTION_CODE, LOGIN_ID, full_width,
    locked_until,
};
use crate::{AuditKind, Config, Error, PasswordLogin, Store};

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

/// Issue 10 (2): a wrong password costs the same argon2 work — the same number of
/// verifications of each stored setting — for an unknown identifier, an account hashed
/// under the configured setting and one hashed under an older one. Counted through
/// [`Shikaku::take_verification_counts`](crate::Shikaku::take_verification_counts), not
/// timed.
pub fn wrong_passwords_cost_the_same_whatever_the_stored_settings<S: Store>(store: Arc<S>) {
    // A server with the cheap setting (A) is built over an empty store...
    let a = Harness::new(Arc::clone(&store));
    a.provision(LOGIN_ID);
    // ...and one with a dearer setting (B) over the same store and master key, after an
    // account of setting A exists (as after an argon2 cost upgrade).
    let mut dearer = Config::for_tests();
    dearer.hash_cost.m_cost *= 2;
    let b = Harness::with_config(store, dearer);
    b.provision("staff02");
    let setting = |id: &str| {
        b.service
            .store()
            .account_by_key(&b.key(id))
            .unwrap()
            .unwrap()
            .password
            .current()
            .settings()
            .unwrap()
            .to_string()
    };
    let (at_a, at_b) = (setting(LOGIN_ID), setting("staff02"));
    assert_ne!(at_a, at_b);
    let counts = |settings: &[&String]| -> BTreeMap<String, u64> {
        settings.iter().map(|s| ((*s).clone(), 1)).collect()
    };
    let wrong = |h: &Harness<S>, id: &str| {
        h.service.unlock(&h.key(id)).unwrap();
        let _ = h.service.take_verification_counts();
        assert!(matches!(h.login(id, "Wrong#Pass1"), PasswordLogin::Invalid));
        h.service.take_verification_counts()
    };

    for id in ["nobody", LOGIN_ID, "staff02"] {
        assert_eq!(wrong(&b, id), counts(&[&at_a, &at_b]), "{id} on B");
    }
    // A knew no account of setting B: it learns B when it first meets it, and from then
    // on an unknown identifier costs what that account costs.
    assert_eq!(wrong(&a, "nobody"), counts(&[&at_a]));
    assert_eq!(wrong(&a, "staff02"), counts(&[&at_a, &at_b]));
    for id in ["nobody", LOGIN_ID, "staff02"] {
        assert_eq!(wrong(&a, id), counts(&[&at_a, &at_b]), "{id} on A");
    }
    // A right password runs the same verifications, and moves the account to B.
    let _ = b.service.take_verification_counts();
    let _ = b.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert_eq!(
        b.service.take_verification_counts(),
        counts(&[&at_a, &at_b])
    );
    assert_eq!(setting(LOGIN_ID), at_b, "rehashed at login");
    // Once no account is left at A, pruning drops its dummy.
    b.service.prune().unwrap();
    for id in ["nobody", LOGIN_ID, "staff02"] {
        assert_eq!(wrong(&b, id), counts(&[&at_b]), "{id} after prune");
    }
}

/// Issue 10 (10), decided in docs/lockout.md: a correct login forgives the failures that
/// came before it, not a guess that arrives while it is being verified. Guesses that
/// take turns with correct logins are not consecutive and do not lock; an attacker who
/// times its guesses to land during another client's correct logins is locked at its
/// third guess in a row all the same.
pub fn guesses_during_correct_logins_still_lock<S: Store>(store: Arc<S>) {
    let hooked = Arc::new(HookedStore::new(store));
    let h = Arc::new(Harness::new(Arc::clone(&hooked)));
    h.provision(LOGIN_ID);
    const GUESS: &str = "Wrong#Pass1";
    // Taking turns: each correct login ends the run ("3 回連続" = consecutive).
    for _ in 0..3 {
        assert!(matches!(h.login(LOGIN_ID, GUESS), PasswordLogin::Invalid));
        let _ = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    }
    // A guess that lands while the receipt computer's correct login is being verified
    // (its attempt reserved, its success not yet recorded).
    let during = Arc::new(Mutex::new(None));
    {
        let (h, during) = (Arc::clone(&h), Arc::clone(&during));
        hooked.arm(HookPoint::AfterAttemptsUpdate, move || {
            *during.lock().unwrap() = Some(h.login(LOGIN_ID, GUESS));
        });
    }
    let _ = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert_eq!(
        hooked.pending(),
        0,
        "the guess ran during the correct login"
    );
    assert!(matches!(
        during.lock().unwrap().take(),
        Some(PasswordLogin::Invalid)
    ));
    // That success did not forgive it: two more guesses make three in a row.
    assert!(matches!(h.login(LOGIN_ID, GUESS), PasswordLogin::Invalid));
    let locked_at = h.now();
    assert_eq!(
        locked_until(h.login(LOGIN_ID, GUESS)),
        locked_at + Duration::minutes(30)
    );
    // The lock holds for everyone, the correct client included.
    assert!(matches!(
        h.login(LOGIN_ID, INITIAL_PASSWORD),
        PasswordLogin::Locked { .. }
    ));
    assert_eq!(h.count(AuditKind::PasswordFailed), 6);
    assert_eq!(h.count(AuditKind::PasswordLocked), 1);
}
