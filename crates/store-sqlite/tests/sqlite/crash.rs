//! Crash safety: a process changing passwords is SIGKILLed at arbitrary moments.
//!
//! The parent re-runs this test binary with `crash::worker` selected and the database
//! named in an environment variable. The worker loops over four accounts, changing each
//! one's password to the next of a deterministic sequence (`password(account, n)`)
//! inside one `update_account` transaction (argon2 included, so the transaction is
//! long), and appends an *intent* line `account generation` to a log inside the
//! transaction, before its commit. The parent kills it (SIGKILL: no destructor, no
//! rollback, no WAL checkpoint) after a varying number of intents, then reopens the
//! database and checks:
//!
//! * `PRAGMA integrity_check` is ok;
//! * every account decodes, and its current password is either the old or the new
//!   one of the last change the worker started — nothing else;
//! * its history is intact: exactly the preceding generations, newest first, each
//!   verifying against its own password, at most 5 generations in all.

use std::env;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use shikaku::password::{Hasher, Password, Policy};
use shikaku::{AuditEvent, AuditKind, Channel, Store};
use shikaku_store_sqlite::SqliteStore;

use crate::support::{START, hasher, hasher_with_memory, key, new_account, rng};
use shikaku::testing::INITIAL_PASSWORD;

const ACCOUNTS: usize = 4;
const ROUNDS: usize = 24;
const ENV_DB: &str = "SHIKAKU_SQLITE_CRASH_DB";
const ENV_LOG: &str = "SHIKAKU_SQLITE_CRASH_LOG";
const ENV_GENERATIONS: &str = "SHIKAKU_SQLITE_CRASH_GENERATIONS";

/// The `generation`-th password of account `account`: 15 characters, so the policy's
/// history rules reduce to "not the current one", which the sequence never repeats.
fn password(account: usize, generation: u32) -> Password {
    Password::new(format!("Gen{generation:05}#acct{account}x"))
}

fn login(account: usize) -> String {
    format!("acct{account}")
}

/// SplitMix64: varied but reproducible kill points without OS randomness.
struct SplitMix(u64);

impl SplitMix {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

/// The child process's loop. Only does anything when started by the crash test.
#[test]
#[ignore = "the crash test runs this in a child process and kills it"]
fn worker() {
    let (Ok(db), Ok(log_path), Ok(generations)) = (
        env::var(ENV_DB),
        env::var(ENV_LOG),
        env::var(ENV_GENERATIONS),
    ) else {
        eprintln!("crash::worker runs only as a child of crash::sigkill_mid_password_change");
        return;
    };
    let mut generations: Vec<u32> = generations.split(',').map(|g| g.parse().unwrap()).collect();
    let store = SqliteStore::open(&db).unwrap();
    // A few milliseconds of argon2 per change keeps the transaction open long enough
    // for many kills to land inside it.
    let hasher = hasher_with_memory(2048);
    let policy = Policy::default();
    let mut log = OpenOptions::new().append(true).open(&log_path).unwrap();
    let ids: Vec<_> = (0..ACCOUNTS)
        .map(|a| store.account_by_key(&key(&login(a))).unwrap().unwrap().id)
        .collect();
    let mut rng = rng(u64::from(generations.iter().sum::<u32>()));
    for n in 0.. {
        let a = n % ACCOUNTS;
        let next = generations[a] + 1;
        let (old, new) = (password(a, generations[a]), password(a, next));
        store
            .update_account(ids[a], &mut |r| {
                // One write(2) per line, before the commit: a killed worker leaves at
                // worst a torn last line, which the parent ignores.
                log.write_all(format!("{a} {next}\n").as_bytes()).unwrap();
                // The argon2 work happens inside the transaction, so most kills land
                // between BEGIN IMMEDIATE and COMMIT.
                r.password
                    .change(&policy, &hasher, &ids[a].to_string(), &old, &new, &mut rng)
                    .unwrap();
                r.must_change_password = false;
                r.updated_at = START + time::Duration::seconds(i64::from(next));
                true
            })
            .unwrap();
        store
            .append_audit(&AuditEvent {
                at: START,
                kind: AuditKind::PasswordChanged,
                account: Some(key(&login(a))),
                channel: Channel::Web,
                detail: Some(format!("generation {next}")),
            })
            .unwrap();
        generations[a] = next;
    }
}

/// Complete intent lines `(account, generation)` of one round.
fn intents(log: &Path) -> Vec<(usize, u32)> {
    let text = fs::read_to_string(log).unwrap();
    let complete = text.rfind('\n').map_or("", |end| &text[..end]);
    complete
        .lines()
        .map(|line| {
            let (a, g) = line.split_once(' ').unwrap();
            (a.parse().unwrap(), g.parse().unwrap())
        })
        .collect()
}

/// Checks the database after a kill; returns how many accounts were caught with a
/// change started but not committed.
fn check_after_kill(db: &Path, log: &Path, hasher: &Hasher, generations: &mut [u32]) -> usize {
    let store = SqliteStore::open(db).unwrap();
    store.check_integrity().unwrap();
    store.recent_audit(usize::MAX).unwrap(); // every audit row decodes
    let intents = intents(log);
    let mut interrupted = 0;
    for (a, known) in generations.iter_mut().enumerate() {
        let started: Vec<u32> = intents
            .iter()
            .filter(|(acct, _)| *acct == a)
            .map(|(_, g)| *g)
            .collect();
        let expected: Vec<u32> =
            (*known + 1..=*known + u32::try_from(started.len()).unwrap()).collect();
        assert_eq!(
            started, expected,
            "account {a}: the worker changes one generation at a time"
        );
        let candidates = match started.last() {
            Some(&new) => vec![new - 1, new],
            None => vec![*known],
        };
        let record = store.account_by_key(&key(&login(a))).unwrap().unwrap();
        let history = &record.password;
        let working: Vec<u32> = candidates
            .iter()
            .copied()
            .filter(|&g| history.verify_current(hasher, &password(a, g)).unwrap())
            .collect();
        assert_eq!(
            working.len(),
            1,
            "account {a}: exactly one of {candidates:?} works, got {working:?}"
        );
        let now = working[0];
        if started.last().is_some_and(|&new| new != now) {
            interrupted += 1;
        }
        assert!(
            history.len() <= 5,
            "account {a}: {} generations",
            history.len()
        );
        assert_eq!(
            history.retired_len(),
            (now as usize).min(4),
            "account {a} at generation {now}"
        );
        for (k, retired) in history.retired().enumerate() {
            let g = now - 1 - u32::try_from(k).unwrap();
            assert!(
                hasher.verify(&password(a, g), retired.hash()).unwrap(),
                "account {a}: retired generation {k} is the password of generation {g}"
            );
        }
        assert_eq!(record.must_change_password, now == 0);
        *known = now;
    }
    interrupted
}

#[test]
#[allow(clippy::disallowed_methods)] // an adapter's test: it waits for a child process in real time
fn sigkill_mid_password_change_leaves_old_or_new_password() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let log = dir.path().join("intents.log");
    let hasher = hasher();
    {
        let store = SqliteStore::open(&db).unwrap();
        for a in 0..ACCOUNTS {
            let mut account = new_account(&hasher, &login(a), "unused#Pass1");
            account.password = shikaku::password::PasswordHistory::new(
                hasher.hash(&password(a, 0), &mut rng(a as u64)).unwrap(),
            );
            store.insert_account(account).unwrap();
        }
    }
    let exe = env::current_exe().unwrap();
    let mut generations = vec![0u32; ACCOUNTS];
    let mut kill_points = SplitMix(0x0053_4849_4b41_4b55);
    let (mut interrupted, started) = (0, Instant::now());
    for round in 0..ROUNDS {
        fs::write(&log, "").unwrap();
        let joined: Vec<String> = generations.iter().map(u32::to_string).collect();
        let mut child = Command::new(&exe)
            .args([
                "crash::worker",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ENV_DB, &db)
            .env(ENV_LOG, &log)
            .env(ENV_GENERATIONS, joined.join(","))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Let it start 1..=12 changes, then a little longer, so kills land before, in
        // and after the transaction.
        let wanted = 1 + usize::try_from(kill_points.below(12)).unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while fs::read_to_string(&log).unwrap().matches('\n').count() < wanted {
            if let Some(status) = child.try_wait().unwrap() {
                let out = child.wait_with_output().unwrap();
                panic!(
                    "round {round}: the worker stopped by itself ({status}): {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            assert!(
                Instant::now() < deadline,
                "round {round}: the worker made no progress"
            );
            std::thread::sleep(Duration::from_micros(200));
        }
        std::thread::sleep(Duration::from_micros(kill_points.below(1500)));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert_eq!(
            status.signal(),
            Some(9),
            "round {round}: killed, not exited: {status}"
        );
        interrupted += check_after_kill(&db, &log, &hasher, &mut generations);
    }
    let total: u32 = generations.iter().sum();
    eprintln!(
        "{ROUNDS} kills, {total} committed changes, {interrupted} caught mid-change, {:?}",
        started.elapsed()
    );
    assert!(total as usize >= ROUNDS, "the workers made progress");
    assert!(interrupted > 0, "some kill landed inside a password change");
}

#[test]
fn a_panicking_closure_rolls_back_and_the_store_goes_on() {
    let s = crate::support::Scratch::new();
    let hasher = hasher();
    let id = s
        .store
        .insert_account(new_account(&hasher, "staff01", INITIAL_PASSWORD))
        .unwrap()
        .id;
    let store = std::sync::Arc::new(SqliteStore::open(s.db_path()).unwrap());
    let panicking = std::sync::Arc::clone(&store);
    let joined = std::thread::spawn(move || {
        panicking.update_account(id, &mut |a| {
            a.disabled = true;
            panic!("abandoned mid-transaction");
        })
    })
    .join();
    assert!(joined.is_err());
    assert!(
        !store.account(id).unwrap().unwrap().disabled,
        "nothing was written"
    );
    let after = store
        .update_account(id, &mut |a| {
            a.disabled = true;
            true
        })
        .unwrap()
        .unwrap();
    assert!(
        after.disabled,
        "the writer connection still works after the panic"
    );
    store.check_integrity().unwrap();
}
