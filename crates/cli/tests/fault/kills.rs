//! SIGKILL at random moments while clients change passwords and log in.
//!
//! ```text
//!  setup: 8 client accounts (enrolled, a session each), "locked" (3 wrong passwords),
//!         "counted" (2 wrong passwords)
//!  repeat ≥ 50 times:
//!    serve ──► 4 client threads: change password / log in / try a reused password
//!          └─► after a random delay (seeded): SIGKILL
//!    database, opened directly (server dead): integrity_check + foreign keys ok,
//!        every account row decodes, history ≤ 5 generations, the two counters as set up
//!    serve again ──► per account, the password before and after the last change
//!        the client sent: exactly one logs in, the one the client was told (if it
//!        was told), and the history has exactly min(1 + changes, 5) generations;
//!        "locked" still answers 423
//!  end: one wrong password for "counted" locks it (its 2 failures were kept)
//! ```
//!
//! Each account's passwords cycle through 7 words with different first 5 characters,
//! all shorter than 13 characters, so every change passes the history rules — and a
//! deliberate change back to the previous password must keep being refused (422), which
//! shows the retired generations survive the kills too.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use shikaku::lockout::LockStatus;
use shikaku::{AccountKey, Attempts, Store};
use shikaku_store_sqlite::SqliteStore;

use crate::server::{self, Server};

const CLIENT_THREADS: usize = 4;
const ACCOUNTS_PER_THREAD: usize = 2;
const LOCKED: &str = "locked";
const COUNTED: &str = "counted";
const WORDS: [&str; 7] = [
    "Alpha", "Bravo", "Charl", "Delta", "Echoo", "Foxtr", "Golfy",
];

/// Password `generation` of client account `index`: `Delta#703` (9 characters).
fn password(index: usize, generation: usize) -> String {
    format!("{}#7{index:02}", WORDS[generation % WORDS.len()])
}

fn login_id(index: usize) -> String {
    format!("staff{index:02}")
}

/// What a client knows about one account.
#[derive(Debug)]
struct Account {
    index: usize,
    session: String,
    /// Generation of the password the server last confirmed.
    current: usize,
    /// A change sent without an answer: the server may or may not have made it.
    in_doubt: Option<usize>,
    /// Confirmed changes (the history holds min(1 + changes, 5) generations).
    changes: usize,
    ops: u64,
}

impl Account {
    fn login_id(&self) -> String {
        login_id(self.index)
    }
}

#[derive(Default)]
struct Tally {
    requests: AtomicU64,
    changes: AtomicU64,
    logins: AtomicU64,
    refused_reuses: AtomicU64,
}

/// One client thread: works its accounts until the server dies under it.
fn client(addr: SocketAddr, accounts: &mut [Account], killed: &AtomicBool, tally: &Tally) {
    loop {
        for account in accounts.iter_mut() {
            if killed.load(Ordering::SeqCst) {
                return;
            }
            if client_step(addr, account, tally).is_err() {
                // The server is gone (refused, reset or cut short): wait for the main
                // thread to confirm the kill, then stop.
                while !killed.load(Ordering::SeqCst) {
                    thread::sleep(Duration::from_millis(1));
                }
                return;
            }
        }
    }
}

fn client_step(addr: SocketAddr, a: &mut Account, tally: &Tally) -> std::io::Result<()> {
    let id = a.login_id();
    let current = password(a.index, a.current);
    a.ops += 1;
    tally.requests.fetch_add(1, Ordering::Relaxed);
    match a.ops % 5 {
        // Change to the next password of the cycle.
        0 | 2 => {
            let next = a.current + 1;
            a.in_doubt = Some(next);
            let r = server::change_password(addr, &a.session, &current, &password(a.index, next))?;
            assert_eq!(
                r.status,
                204,
                "{id}: change {} → {next}: {}",
                a.current,
                r.text()
            );
            a.current = next;
            a.in_doubt = None;
            a.changes += 1;
            tally.changes.fetch_add(1, Ordering::Relaxed);
        }
        // Back to the previous password: the history must refuse it.
        3 if a.changes > 0 => {
            let previous = password(a.index, a.current - 1);
            let r = server::change_password(addr, &a.session, &current, &previous)?;
            assert_eq!(r.status, 422, "{id}: reuse of {previous}: {}", r.text());
            let violations = r.json()["violations"].to_string();
            assert!(
                violations.contains("\"reused_generation\""),
                "{id}: {violations}"
            );
            tally.refused_reuses.fetch_add(1, Ordering::Relaxed);
        }
        _ => {
            let r = server::login(addr, &id, &current)?;
            assert_eq!(r.status, 200, "{id}: login: {}", r.text());
            assert_eq!(r.json()["next"], "passcode");
            tally.logins.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(())
}

/// The server is dead: open its database directly and check what it left.
/// Returns each client account's history length.
fn check_database(db: &Path, locked: &Attempts, counted: &Attempts) -> Vec<usize> {
    let store = SqliteStore::open_read_only(db).unwrap_or_else(|e| panic!("open: {e}"));
    store
        .check_integrity()
        .unwrap_or_else(|e| panic!("after a kill: {e}"));
    // Every row decodes into the facade's record (a torn row would be Corrupt).
    let records = store.accounts().unwrap();
    assert_eq!(records.len(), CLIENT_THREADS * ACCOUNTS_PER_THREAD + 2);
    let mut lengths = vec![0; CLIENT_THREADS * ACCOUNTS_PER_THREAD];
    for record in &records {
        let generations = record.password.len();
        assert!(
            generations <= 5,
            "{}: {generations} generations",
            record.key
        );
        let id = record.key.login_id.as_str();
        if let Some(index) = id.strip_prefix("staff") {
            lengths[index.parse::<usize>().unwrap()] = generations;
        }
    }
    let key = |id: &str| {
        records
            .iter()
            .find(|r| r.key.login_id.as_str() == id)
            .unwrap()
            .key
            .clone()
    };
    // Compared as the rules read them: a refusal while locked is counted inside the lock
    // (one audit event per lock period), which leaves the lock itself as it was.
    let config = shikaku::Config::default();
    #[allow(clippy::disallowed_methods)] // the real binary runs on the system clock
    let now = time::OffsetDateTime::now_utc();
    let status = |a: &Attempts| {
        (
            a.password.status(&config.password_lockout, now),
            a.passcode.status(&config.passcode_lockout, now),
        )
    };
    assert_eq!(
        status(&attempts(&store, &key(LOCKED))),
        status(locked),
        "the lock was kept"
    );
    assert_eq!(
        status(&attempts(&store, &key(COUNTED))),
        status(counted),
        "the 2 failures were kept"
    );
    lengths
}

fn attempts(store: &SqliteStore, key: &AccountKey) -> Attempts {
    store.attempts(key).unwrap()
}

/// The server is back: exactly one of the two candidate passwords logs in, and it is the
/// one the client was told, if it was told. Resolves `in_doubt`.
fn verify_account(addr: SocketAddr, a: &mut Account, generations: usize, doubts: &mut Doubts) {
    let id = a.login_id();
    let confirmed = a.current;
    let doubt = a.in_doubt.take();
    // The password before and after the last change sent; before any change, one.
    let candidates = match doubt {
        Some(next) => vec![confirmed, next],
        None if confirmed == 0 => vec![0],
        None => vec![confirmed - 1, confirmed],
    };
    let mut works = Vec::new();
    let mut last_failed = false;
    for &generation in &candidates {
        let r = server::login(addr, &id, &password(a.index, generation)).unwrap();
        match r.status {
            200 => {
                works.push(generation);
                last_failed = false;
            }
            401 => last_failed = true,
            other => panic!("{id}: login answered {other}: {}", r.text()),
        }
    }
    assert_eq!(
        works.len(),
        1,
        "{id}: of generations {candidates:?}, these log in: {works:?}"
    );
    let winner = works[0];
    match doubt {
        None => assert_eq!(
            winner, confirmed,
            "{id}: the server confirmed generation {confirmed}, but {winner} logs in"
        ),
        Some(next) if winner == next => {
            a.changes += 1;
            doubts.committed += 1;
        }
        Some(_) => doubts.not_committed += 1,
    }
    a.current = winner;
    assert_eq!(
        generations,
        (1 + a.changes).min(5),
        "{id}: history length after {} changes",
        a.changes
    );
    if last_failed {
        // Leave the counter at zero, so doubts never add up to a lock.
        let r = server::login(addr, &id, &password(a.index, winner)).unwrap();
        assert_eq!(r.status, 200, "{id}: {}", r.text());
    }
}

#[derive(Default)]
struct Doubts {
    committed: u64,
    not_committed: u64,
}

fn seed() -> u64 {
    match std::env::var("FAULT_SEED") {
        Ok(text) => text.parse().expect("FAULT_SEED must be a number"),
        // Any value will do; the low bits of the clock differ from run to run.
        Err(_) => SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
            .into(),
    }
}

#[test]
fn sigkill_at_random_moments_loses_nothing_confirmed() {
    let kills: usize = std::env::var("FAULT_KILLS").map_or(100, |v| v.parse().unwrap());
    let seed = seed();
    eprintln!("fault: seed {seed} (rerun with FAULT_SEED={seed}), {kills} kills");
    let mut rng = StdRng::seed_from_u64(seed);
    let started = Instant::now();

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shikaku.db");
    let config = server::cheap_config(dir.path());
    let count = CLIENT_THREADS * ACCOUNTS_PER_THREAD;
    for index in 0..count {
        server::add_user(&db, &config, &login_id(index), &password(index, 0));
    }
    server::add_user(&db, &config, LOCKED, "Locked#2024");
    server::add_user(&db, &config, COUNTED, "Counted#2024");

    let mut serving = Server::start(&db, &config);
    let addr = serving.addr();
    let mut accounts: Vec<Account> = (0..count)
        .map(|index| Account {
            index,
            session: server::enroll(addr, &login_id(index), &password(index, 0)),
            current: 0,
            in_doubt: None,
            changes: 0,
            ops: 0,
        })
        .collect();
    for (id, failures) in [(LOCKED, 3), (COUNTED, 2)] {
        for attempt in 1..=failures {
            let r = server::login(addr, id, "Wrong#Pass1").unwrap();
            let expected = if attempt == 3 { 423 } else { 401 };
            assert_eq!(r.status, expected, "{id} attempt {attempt}: {}", r.text());
        }
    }
    serving.kill();
    let (locked, counted) = {
        let store = SqliteStore::open_read_only(&db).unwrap();
        let key = shikaku::testing::account_key;
        (
            attempts(&store, &key(LOCKED)),
            attempts(&store, &key(COUNTED)),
        )
    };
    let policy = shikaku::Config::default().password_lockout;
    let now = time::OffsetDateTime::now_utc();
    assert!(matches!(
        locked.password.status(&policy, now),
        LockStatus::Locked { .. }
    ));
    assert_eq!(
        counted.password.status(&policy, now),
        LockStatus::Open { attempts_left: 1 }
    );

    let tally = Tally::default();
    let mut doubts = Doubts::default();
    let mut delays = Vec::new();
    for _ in 0..kills {
        let mut serving = Server::start(&db, &config);
        let addr = serving.addr();
        let delay = Duration::from_millis(rng.random_range(0..400));
        delays.push(delay);
        let killed = AtomicBool::new(false);
        thread::scope(|s| {
            for chunk in accounts.chunks_mut(ACCOUNTS_PER_THREAD) {
                let (killed, tally) = (&killed, &tally);
                s.spawn(move || client(addr, chunk, killed, tally));
            }
            thread::sleep(delay);
            serving.kill();
            killed.store(true, Ordering::SeqCst);
        });

        let lengths = check_database(&db, &locked, &counted);

        let serving = Server::start(&db, &config);
        let addr = serving.addr();
        for account in &mut accounts {
            verify_account(addr, account, lengths[account.index], &mut doubts);
        }
        let r = server::login(addr, LOCKED, "Locked#2024").unwrap();
        assert_eq!(r.status, 423, "{LOCKED}: {}", r.text());
        drop(serving);
    }

    // The 2 failures of "counted" survived every kill: one more locks it.
    let serving = Server::start(&db, &config);
    let r = server::login(serving.addr(), COUNTED, "Wrong#Pass1").unwrap();
    assert_eq!(r.status, 423, "{COUNTED}: {}", r.text());
    drop(serving);

    let r = |n: &AtomicU64| n.load(Ordering::Relaxed);
    eprintln!(
        "fault: {kills} kills in {:.1} s (delays {:?}–{:?}); {} requests: {} password changes, \
         {} logins, {} reused passwords refused; {} changes in doubt at a kill: {} had been \
         committed, {} had not",
        started.elapsed().as_secs_f64(),
        delays.iter().min().unwrap(),
        delays.iter().max().unwrap(),
        r(&tally.requests),
        r(&tally.changes),
        r(&tally.logins),
        r(&tally.refused_reuses),
        doubts.committed + doubts.not_committed,
        doubts.committed,
        doubts.not_committed
    );
    assert!(r(&tally.changes) > kills as u64, "the clients barely ran");
}
