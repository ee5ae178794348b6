//! The atomic contract under real concurrency: many threads, and two `PostgresStore`s
//! on one database standing for two nodes, each with its own pool. No update is lost,
//! the lockout threshold holds, and one passcode opens one session across nodes.

use std::sync::{Arc, Barrier};
use std::thread;

use shikaku::lockout::LockoutPolicy;
use shikaku::testing::{Harness, INITIAL_PASSWORD, LOGIN_ID};
use shikaku::{PasscodeLogin, Store, Token};
use shikaku_store_postgres::PostgresStore;
use time::Duration;

use crate::support::{START, fresh_url, hasher, key, new_account, node};

/// A threshold no test reaches, so every failure is one more on the count.
fn counting_policy() -> LockoutPolicy {
    LockoutPolicy::new(u32::MAX, Duration::minutes(30)).unwrap()
}

fn counted(store: &PostgresStore, login_id: &str) -> u32 {
    let left = store
        .attempts(&key(login_id))
        .unwrap()
        .password
        .status(&counting_policy(), START)
        .attempts_left();
    u32::MAX - left
}

/// `threads` threads spread over `stores`, each recording `per_thread` failures of one
/// identifier nobody has seen before.
fn hammer(stores: &[Arc<PostgresStore>], threads: usize, per_thread: u32, login_id: &str) {
    let policy = counting_policy();
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let store = Arc::clone(&stores[i % stores.len()]);
            let barrier = Arc::clone(&barrier);
            let key = key(login_id);
            thread::spawn(move || {
                barrier.wait();
                for _ in 0..per_thread {
                    store
                        .update_attempts(&key, &mut |a| {
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
}

#[test]
fn thirty_two_threads_on_one_unknown_identifier_count_exactly_32() {
    let url = fresh_url();
    let store = node(&url, 32);
    hammer(&[Arc::clone(&store)], 32, 1, "newcomer");
    assert_eq!(counted(&store, "newcomer"), 32);
    assert_eq!(
        store.all_attempts().unwrap().len(),
        1,
        "one row, created once"
    );
}

#[test]
fn two_nodes_lose_no_counter_update() {
    let url = fresh_url();
    let nodes = [node(&url, 8), node(&url, 8)];
    hammer(&nodes, 16, 20, "target");
    assert_eq!(counted(&nodes[0], "target"), 16 * 20);
    assert_eq!(
        counted(&nodes[1], "target"),
        16 * 20,
        "both nodes read the same"
    );
}

#[test]
fn the_lockout_threshold_holds_against_guesses_racing_on_two_nodes() {
    // The facade's protocol: reserve an attempt inside update_attempts, verify outside.
    // However many threads race on however many nodes, at most `threshold` succeed.
    let url = fresh_url();
    let nodes = [node(&url, 8), node(&url, 8)];
    let policy = LockoutPolicy::default();
    let barrier = Arc::new(Barrier::new(24));
    let handles: Vec<_> = (0..24)
        .map(|i| {
            let store = Arc::clone(&nodes[i % 2]);
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
fn account_updates_on_two_nodes_serialise() {
    let url = fresh_url();
    let nodes = [node(&url, 4), node(&url, 4)];
    let id = nodes[0]
        .insert_account(new_account(&hasher(), "staff01", INITIAL_PASSWORD))
        .unwrap()
        .id;
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let store = Arc::clone(&nodes[i % 2]);
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
    let epoch = nodes[1]
        .account(id)
        .unwrap()
        .unwrap()
        .sessions
        .current()
        .unwrap();
    assert_eq!(epoch.get(), 160, "each of the 160 logins got its own epoch");
}

#[test]
fn one_passcode_sent_to_two_nodes_at_once_opens_one_session() {
    let url = fresh_url();
    // Two services with the same master key (the kit's seed) over two pools.
    let a = Arc::new(Harness::new(node(&url, 4)));
    let b = Arc::new(Harness::new(node(&url, 4)));
    a.provision(LOGIN_ID);
    let (secret, session) = a.enroll(LOGIN_ID);
    a.service.logout(&session).unwrap();
    for h in [&a, &b] {
        h.next_step();
    }
    for round in 0..5 {
        let tickets: Vec<Token> = [&a, &b]
            .iter()
            .map(|h| h.ticket(LOGIN_ID, INITIAL_PASSWORD).0)
            .collect();
        let code = a.passcode(&secret, 0);
        let barrier = Arc::new(Barrier::new(2));
        let threads: Vec<_> = [Arc::clone(&a), Arc::clone(&b)]
            .into_iter()
            .zip(tickets)
            .map(|(h, ticket)| {
                let (code, barrier) = (code.clone(), Arc::clone(&barrier));
                thread::spawn(move || {
                    barrier.wait();
                    h.service.submit_passcode(&ticket, &code).unwrap()
                })
            })
            .collect();
        let outcomes: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let sessions = outcomes
            .iter()
            .filter(|o| matches!(o, PasscodeLogin::Session(_)))
            .count();
        assert_eq!(sessions, 1, "round {round}: {outcomes:?}");
        for h in [&a, &b] {
            h.next_step();
        }
    }
}

#[test]
fn calls_work_from_spawn_blocking_threads() {
    // How the web adapter calls the store: from tokio's blocking pool.
    let store = node(&fresh_url(), 4);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let store = Arc::clone(&store);
                tokio::task::spawn_blocking(move || {
                    store
                        .update_attempts(&key("async"), &mut |a| {
                            let _ = a.password.record_failure(&counting_policy(), START);
                        })
                        .unwrap();
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    assert_eq!(counted(&store, "async"), 16);
}
