//! Master-key rotation without downtime (`docs/key-rotation.md`): two nodes of one store
//! in the middle of a rolling rotation — node A holds the new key 2 beside its current
//! key 1, node B has made key 2 current — while staff keep logging in on both and B
//! seals every TOTP secret again under key 2; then every record leaves key 1, and a
//! node without key 1 serves everyone. Also: a passcode step that meets a re-sealed
//! secret between its read and its update, and the keys a node refuses at start.

// Every scenario takes its store by value (`store_behaviour_suite!`); these hand it to
// several nodes and keep it for direct reads.
#![allow(clippy::needless_pass_by_value)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;

use crate::password::Password;
use crate::testing::{Harness, HookPoint, HookedStore, INITIAL_PASSWORD, LOGIN_ID, SEED};
use crate::totp::{Passcode, Secret};
use crate::{
    Error, KeyId, KeyUsage, MasterKey, MasterKeys, PasscodeLogin, PasswordChange, PasswordLogin,
    Shikaku, Store,
};

const THREADS: usize = 8;
const PER_THREAD: usize = 2;
/// Staff who changed their password once under key 1 (a retired generation each).
const CHANGED: usize = 4;
const NEW_PASSWORD: &str = "Changed#Pw2";

fn two() -> KeyId {
    KeyId::new(2).unwrap()
}

fn new_key() -> MasterKey {
    MasterKey::from_bytes(&[0x42; 32]).unwrap()
}

/// Each node's own CSPRNG stream: nodes drawing the same tokens would take over each
/// other's login tickets.
fn node_seed(node: u64) -> u64 {
    SEED + node
}

fn login_id(i: usize) -> String {
    format!("staff{i:02}")
}

fn password(i: usize) -> &'static str {
    if i < CHANGED {
        NEW_PASSWORD
    } else {
        INITIAL_PASSWORD
    }
}

/// Password and passcode for `login_id` on `h` at its clock's step: a session, or what
/// went wrong (never a panic: the threads of a round must all reach its barrier).
fn try_log_in<S: Store>(
    h: &Harness<S>,
    login_id: &str,
    password: &str,
    secret: &Secret,
) -> Result<(), String> {
    let key = h.key(login_id);
    let ticket = match h.service.password_login(&key, &Password::new(password)) {
        Ok(PasswordLogin::NeedsPasscode(t)) => t.token,
        other => return Err(format!("{login_id}: the password step answered {other:?}")),
    };
    let code = Passcode::parse(&h.code(secret, 0)).map_err(|e| e.to_string())?;
    match h.service.submit_passcode(&ticket, &code) {
        Ok(PasscodeLogin::Session(_)) => Ok(()),
        other => Err(format!("{login_id}: the passcode step answered {other:?}")),
    }
}

/// [`try_log_in`], which must succeed.
fn log_in<S: Store>(h: &Harness<S>, login_id: &str, password: &str, secret: &Secret) {
    try_log_in(h, login_id, password, secret).unwrap_or_else(|why| panic!("{why}"));
}

/// 16 enrolled staff (4 with a retired password generation) under key 1; then node A
/// {1 current, 2} and node B {2 current, 1} over the same store. 8 threads log in on A
/// and B by turns, one round per 30-second step, while B re-seals in batches of 2 — a
/// batch per round. Every login succeeds throughout. Afterwards no secret is under
/// key 1, a login on B moves each password hash, and key 1 may be retired once its
/// retired generations are forgotten; a node without key 1 logs everyone in, and a
/// wrong password costs the same whichever key its account's hash is under.
pub fn master_key_rotation_under_live_traffic<S: Store>(store: Arc<S>) {
    let old = Harness::new(Arc::clone(&store));
    let staff = THREADS * PER_THREAD;
    let mut secrets = Vec::with_capacity(staff);
    for i in 0..staff {
        old.provision(&login_id(i));
        let (secret, session) = old.enroll(&login_id(i));
        if i < CHANGED {
            let changed =
                old.change_password(&session, INITIAL_PASSWORD, NEW_PASSWORD, NEW_PASSWORD);
            assert!(
                matches!(changed, Ok(PasswordChange::Changed)),
                "{changed:?}"
            );
        }
        secrets.push(secret);
    }
    let before = old.service.key_usage().unwrap();
    assert_eq!(before.ids().collect::<Vec<_>>(), [KeyId::FIRST]);
    let one = before.of(KeyId::FIRST);
    assert_eq!((one.sealed_secrets, one.password_hashes), (16, 16));
    assert_eq!(one.retired_generations, CHANGED as u64);

    let added = old.keys.with_added(two(), new_key()).unwrap();
    let used = added.with_current(two()).unwrap();
    let node_a = Arc::new(
        Harness::builder(Arc::clone(&store))
            .seed(node_seed(1))
            .master_keys(added)
            .build(),
    );
    let node_b = Arc::new(
        Harness::builder(Arc::clone(&store))
            .seed(node_seed(2))
            .master_keys(used.clone())
            .build(),
    );
    assert_eq!(node_b.service.current_key_id(), two());
    let nodes = [Arc::clone(&node_a), Arc::clone(&node_b)];
    let next_round = || {
        for node in &nodes {
            node.next_step();
        }
    };

    // The rounds: the coordinator moves the clocks, then lets the 8 threads and one
    // rotation batch go.
    let secrets = Arc::new(secrets);
    let start = Arc::new(Barrier::new(THREADS + 1));
    let end = Arc::new(Barrier::new(THREADS + 1));
    let stop = Arc::new(AtomicBool::new(false));
    let logins: Vec<_> = (0..THREADS)
        .map(|t| {
            let (a, b) = (Arc::clone(&node_a), Arc::clone(&node_b));
            let (secrets, start, end, stop) = (
                Arc::clone(&secrets),
                Arc::clone(&start),
                Arc::clone(&end),
                Arc::clone(&stop),
            );
            thread::spawn(move || {
                let (mut round, mut failures) = (0usize, Vec::new());
                loop {
                    start.wait();
                    if stop.load(Ordering::SeqCst) {
                        return (round, failures);
                    }
                    for i in t * PER_THREAD..(t + 1) * PER_THREAD {
                        let node = if (round + i) % 2 == 0 { &a } else { &b };
                        if let Err(why) = try_log_in(node, &login_id(i), password(i), &secrets[i]) {
                            failures.push(format!("round {round}: {why}"));
                        }
                    }
                    round += 1;
                    end.wait();
                }
            })
        })
        .collect();
    let (go, batches) = mpsc::channel::<()>();
    let rotation = {
        let b = Arc::clone(&node_b);
        thread::spawn(move || {
            b.service
                .rotate_secrets_with_progress(2, &mut |_| {
                    let _ = batches.recv();
                })
                .unwrap()
        })
    };
    let mut rounds = 0;
    let mut after_rotation = 0;
    while after_rotation < 2 {
        assert!(rounds < 40, "the rotation did not finish");
        next_round();
        let _ = go.send(());
        start.wait();
        end.wait();
        rounds += 1;
        if rotation.is_finished() {
            after_rotation += 1;
        }
    }
    stop.store(true, Ordering::SeqCst);
    start.wait();
    for t in logins {
        let (done, failures) = t.join().unwrap();
        assert_eq!(done, rounds);
        assert!(failures.is_empty(), "every login succeeded: {failures:#?}");
    }
    let report = rotation.join().unwrap();
    assert_eq!((report.accounts, report.resealed), (16, 16));
    assert!(report.batches >= 8, "{report:?}");
    assert!(
        rounds >= 9,
        "the batches ran while staff logged in ({rounds} rounds)"
    );

    // Every secret is under key 2; the hashes of those whose last login was on A are
    // back under key 1 (A's current key), the rest under key 2.
    let usage = node_b.service.key_usage().unwrap();
    assert_eq!(usage.of(KeyId::FIRST).sealed_secrets, 0);
    assert_eq!(usage.of(two()).sealed_secrets, 16);
    assert_eq!(usage.unreadable, 0);
    assert!(usage.check_retirable(KeyId::FIRST, false).is_err());
    assert!(
        node_b.service.rotate_secrets(200).unwrap().resealed == 0,
        "nothing left"
    );

    // The timing equaliser: one setting whatever the key; a wrong password costs the
    // same on an account under key 1, one under key 2 and an unknown identifier.
    let hash_key = |i: usize| {
        let account = store
            .account_by_key(&node_b.key(&login_id(i)))
            .unwrap()
            .unwrap();
        crate::keys::pepper_key(account.password.current())
    };
    let under_one = (0..staff).find(|i| hash_key(*i) == Some(KeyId::FIRST));
    let under_two = (0..staff).find(|i| hash_key(*i) == Some(two()));
    let (Some(x), Some(y)) = (under_one, under_two) else {
        panic!("the rounds left hashes under both keys")
    };
    node_b.service.take_verification_counts();
    let mut counts = Vec::new();
    for id in [login_id(x), login_id(y), "nobody".to_owned()] {
        assert!(matches!(
            node_b.login(&id, "Wrong#Pw9"),
            PasswordLogin::Invalid
        ));
        counts.push(node_b.service.take_verification_counts());
    }
    assert_eq!(counts[0].len(), 1, "one dummy, not one per key: {counts:?}");
    assert!(counts.iter().all(|c| *c == counts[0]), "{counts:?}");

    // Every node on B's keys: one login each moves every hash to key 2.
    next_round();
    for i in 0..staff {
        log_in(&node_b, &login_id(i), password(i), &secrets[i]);
    }
    let usage = node_b.service.key_usage().unwrap();
    let left = usage.of(KeyId::FIRST);
    assert_eq!((left.sealed_secrets, left.password_hashes), (0, 0));
    assert_eq!(
        left.retired_generations, CHANGED as u64,
        "history cannot move"
    );
    assert!(matches!(
        usage.check_retirable(KeyId::FIRST, false),
        Err(Error::KeyInUse { counts, .. }) if counts == left
    ));
    usage.check_retirable(KeyId::FIRST, true).unwrap();
    // A node without key 1 would not start while the history names it.
    let retired = used.without(KeyId::FIRST).unwrap();
    assert!(matches!(
        Shikaku::builder(Arc::clone(&store)).master_keys(retired.clone()).build(),
        Err(Error::MasterKeyMissing { id }) if id == KeyId::FIRST
    ));
    assert_eq!(
        node_b
            .service
            .forget_history_under(KeyId::FIRST, 3)
            .unwrap(),
        CHANGED as u64
    );
    let usage = node_b.service.key_usage().unwrap();
    assert_eq!(usage.of(KeyId::FIRST), Default::default());
    usage.check_retirable(KeyId::FIRST, false).unwrap();
    assert!(usage.check_retirable(two(), false).is_err());

    // Key 1 retired: everyone logs in on a node that never had it.
    let node_c = Harness::builder(Arc::clone(&store))
        .seed(node_seed(3))
        .master_keys(retired)
        .build();
    for _ in 0..=rounds + 2 {
        node_c.next_step();
    }
    for i in 0..staff {
        log_in(&node_c, &login_id(i), password(i), &secrets[i]);
    }
    assert_eq!(
        KeyUsage::scan(&*store).unwrap().ids().collect::<Vec<_>>(),
        [two()]
    );
}

/// A passcode step opens the sealed secret of its snapshot, then claims the time step
/// in an update; a rotation that re-seals the secret in between does not end the login
/// (the same secret, sealed again). Also for a registration in progress: its login
/// confirms it after the re-seal, with the QR code it was shown.
pub fn a_passcode_step_survives_a_rotation_between_its_read_and_its_update<S: Store>(
    store: Arc<S>,
) {
    let hooked = Arc::new(HookedStore::new(store));
    let old = Harness::new(Arc::clone(&hooked));
    old.provision(LOGIN_ID);
    let (secret, _) = old.enroll(LOGIN_ID);
    old.provision("pending");
    let (pending_ticket, needs) = old.ticket("pending", INITIAL_PASSWORD);
    assert!(needs);
    let setup_key = old
        .service
        .enrollment(&pending_ticket)
        .unwrap()
        .setup_key
        .copy_form();

    let keys = old
        .keys
        .with_added(two(), new_key())
        .unwrap()
        .with_current(two())
        .unwrap();
    let node = Arc::new(
        Harness::builder(Arc::clone(&hooked))
            .seed(node_seed(1))
            .master_keys(keys)
            .build(),
    );
    node.next_step();
    let (ticket, needs) = node.ticket(LOGIN_ID, INITIAL_PASSWORD);
    assert!(!needs);
    {
        let node = Arc::clone(&node);
        hooked.arm(HookPoint::BeforeAccountUpdate, move || {
            assert_eq!(node.service.rotate_secrets(1).unwrap().resealed, 2);
        });
    }
    let out = node.submit(&ticket, &node.code(&secret, 0));
    assert_eq!(hooked.pending(), 0, "the rotation ran inside the step");
    assert!(matches!(out, PasscodeLogin::Session(_)), "{out:?}");
    let usage = node.service.key_usage().unwrap();
    assert_eq!(usage.of(two()).sealed_secrets, 2);
    assert_eq!(usage.of(KeyId::FIRST).sealed_secrets, 0);

    // The registration in progress, re-sealed: the same setup key, and its login
    // confirms it with the code of the QR code it was shown under key 1.
    assert_eq!(
        node.service
            .enrollment(&pending_ticket)
            .unwrap()
            .setup_key
            .copy_form(),
        setup_key
    );
    let out = node.submit(&pending_ticket, &node.code_for_key(&setup_key));
    assert!(
        matches!(&out, PasscodeLogin::Session(grant) if grant.enrolled),
        "{out:?}"
    );
}

/// The keys a node refuses at start, each before anything is written under them: a
/// wrong key under a known id; keys none of whose ids the store knows; another node's
/// different key under the same new id; an older key file, lacking a key that records
/// name.
pub fn a_node_refuses_master_keys_that_are_not_the_stores<S: Store>(store: Arc<S>) {
    let h = Harness::new(Arc::clone(&store));
    let build = |keys: MasterKeys| {
        Shikaku::builder(Arc::clone(&store))
            .master_keys(keys)
            .build()
    };
    let stranger = || MasterKey::from_bytes(&[0x99; 32]).unwrap();
    // No account yet: only the check values can tell.
    let elsewhere = MasterKeys::new((two(), stranger()), vec![]).unwrap();
    assert!(
        matches!(build(elsewhere.clone()), Err(Error::MasterKeyMismatch)),
        "no id in common"
    );
    assert!(matches!(
        build(MasterKeys::from(stranger())),
        Err(Error::MasterKeyMismatch)
    ));
    assert_eq!(
        store.key_checks().unwrap().len(),
        1,
        "nothing recorded by refused nodes"
    );

    // With records: still not the store's keys (the check values say so first).
    h.provision(LOGIN_ID);
    h.enroll(LOGIN_ID);
    assert!(matches!(build(elsewhere), Err(Error::MasterKeyMismatch)));
    assert!(matches!(
        build(MasterKeys::from(stranger())),
        Err(Error::MasterKeyMismatch)
    ));

    // Key 2 added on one node and recorded; another node made its own key 2.
    let ours = h.keys.with_added(two(), new_key()).unwrap();
    build(ours.clone()).unwrap();
    let theirs = h.keys.with_added(two(), stranger()).unwrap();
    assert!(matches!(build(theirs), Err(Error::MasterKeyMismatch)));

    // Key 2 current and used; a node restarted with the old key file alone.
    let node = Harness::builder(Arc::clone(&store))
        .seed(node_seed(1))
        .master_keys(ours.with_current(two()).unwrap())
        .build();
    node.service.rotate_secrets(10).unwrap();
    assert!(matches!(
        build(h.keys),
        Err(Error::MasterKeyMissing { id }) if id == two()
    ));
    // The message names the key and the remedy, never key material.
    let message = Error::MasterKeyMissing { id: two() }.to_string();
    assert!(
        message.contains("master key 2") && message.contains("key status"),
        "{message}"
    );
}
