//! Read-modify-write under contention: no update is lost, whether the racing writers
//! share one `SqliteStore` (its writer mutex) or use separate ones on the same file (as
//! separate processes would; then only `BEGIN IMMEDIATE` serialises them).

use std::sync::{Arc, Barrier};
use std::thread;

use shikaku::Store;
use shikaku::lockout::LockoutPolicy;
use shikaku_store_sqlite::SqliteStore;
use time::Duration;

use crate::support::{START, Scratch, hasher, key, new_account};
use shikaku::testing::INITIAL_PASSWORD;

const THREADS: usize = 16;
const INCREMENTS: u32 = 25;

/// A threshold no test reaches, so every failure is one more on the count.
fn counting_policy() -> LockoutPolicy {
    LockoutPolicy::new(u32::MAX, Duration::minutes(30)).unwrap()
}

fn hammer(stores: &[Arc<SqliteStore>]) {
    let policy = counting_policy();
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let store = Arc::clone(&stores[i % stores.len()]);
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                for _ in 0..INCREMENTS {
                    store
                        .update_attempts(&key("target"), &mut |a| {
                            let _ = a.password.record_failure(&policy, START);
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let left = stores[0]
        .attempts(&key("target"))
        .unwrap()
        .password
        .status(&policy, START)
        .attempts_left();
    let counted = u32::MAX - left;
    assert_eq!(
        counted,
        u32::try_from(THREADS).unwrap() * INCREMENTS,
        "every increment is counted once"
    );
}

#[test]
fn sixteen_threads_on_one_store_lose_no_update() {
    let s = Scratch::new();
    let store = Arc::new(SqliteStore::open(s.db_path()).unwrap());
    hammer(&[store]);
}

#[test]
fn sixteen_threads_on_four_connections_to_one_file_lose_no_update() {
    let s = Scratch::new();
    let stores: Vec<_> = (0..4)
        .map(|_| Arc::new(SqliteStore::open(s.db_path()).unwrap()))
        .collect();
    hammer(&stores);
}

#[test]
fn the_lockout_threshold_holds_against_racing_guesses() {
    // The facade's protocol: reserve an attempt inside update_attempts, verify outside.
    // However many threads race, at most `threshold` reservations succeed.
    let s = Scratch::new();
    let stores: Vec<_> = (0..2)
        .map(|_| Arc::new(SqliteStore::open(s.db_path()).unwrap()))
        .collect();
    let policy = LockoutPolicy::default();
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let store = Arc::clone(&stores[i % 2]);
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                let mut granted = false;
                store
                    .update_attempts(&key("staff01"), &mut |a| {
                        granted = a.password.begin_attempt(&policy, START).is_ok();
                    })
                    .unwrap();
                granted
            })
        })
        .collect();
    let granted = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|g| *g)
        .count();
    assert_eq!(granted, policy.threshold() as usize);
}

#[test]
fn concurrent_account_updates_serialise() {
    let s = Scratch::new();
    let h = hasher();
    let id = s
        .store
        .insert_account(new_account(&h, "staff01", INITIAL_PASSWORD))
        .unwrap()
        .id;
    let stores: Vec<_> = (0..2)
        .map(|_| Arc::new(SqliteStore::open(s.db_path()).unwrap()))
        .collect();
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let store = Arc::clone(&stores[i % 2]);
            thread::spawn(move || {
                for _ in 0..20 {
                    store
                        .update_account(id, &mut |a| {
                            let _ = a.sessions.begin();
                            true
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for t in handles {
        t.join().unwrap();
    }
    let epoch = s
        .store
        .account(id)
        .unwrap()
        .unwrap()
        .sessions
        .current()
        .unwrap();
    assert_eq!(epoch.get(), 160, "each of the 160 logins got its own epoch");
}

/// Eight nodes opening one new database at once, each with its own key (as separate
/// processes would: separate stores, only `BEGIN IMMEDIATE` between them), agree on one
/// key check value — and the read that finds no value yet cannot let two of them win.
#[test]
fn nodes_on_separate_connections_agree_on_the_key_check_value() {
    for _ in 0..5 {
        let s = Scratch::new();
        let barrier = Arc::new(Barrier::new(8));
        let handles: Vec<_> = (0..8u8)
            .map(|i| {
                let (path, barrier) = (s.db_path(), Arc::clone(&barrier));
                thread::spawn(move || {
                    let store = SqliteStore::open(path).unwrap();
                    barrier.wait();
                    store
                        .key_check(shikaku::KeyId::FIRST, &shikaku::KeyCheck([i; 32]))
                        .unwrap()
                })
            })
            .collect();
        let values: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert!(values.iter().all(|v| *v == values[0]), "{values:?}");
    }
}
