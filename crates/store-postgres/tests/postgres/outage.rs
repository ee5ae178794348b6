//! The database going away and coming back: every call fails with `Unavailable` within
//! the configured bound (never hangs), and the same store works again afterwards.
//! Each test has a server of its own, since it stops it.

// Measuring how long a call took is the point of these tests.
#![allow(clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use shikaku::{Store, StoreError};
use shikaku_store_postgres::testing::{TempPostgres, TempPostgresOptions};
use shikaku_store_postgres::{Error, PostgresOptions, PostgresStore};

use crate::support::{START, key};

/// Short bounds, so the test is quick; the assertion leaves generous room above them.
fn short(url: String) -> PostgresOptions {
    let mut o = PostgresOptions::new(url);
    o.pool_size = 4;
    o.connect_timeout = Duration::from_secs(1);
    o.pool_timeout = Duration::from_secs(1);
    o.statement_timeout = Duration::from_secs(2);
    o
}

/// pool_timeout + connect_timeout is the documented bound; this is a correctness
/// bound, not a speed target, so it allows a slow machine plenty.
const BOUND: Duration = Duration::from_secs(10);

fn every_kind_of_call(store: &PostgresStore) -> Vec<(&'static str, Result<(), StoreError>)> {
    vec![
        ("ping", store.ping()),
        (
            "account_by_key",
            store.account_by_key(&key("staff01")).map(drop),
        ),
        (
            "update_attempts",
            store
                .update_attempts(&key("staff01"), &mut |_| {})
                .map(drop),
        ),
        ("recent_audit", store.recent_audit(5).map(drop)),
        ("prune", store.prune(START).map(drop)),
    ]
}

fn assert_unavailable_within_bound(store: &PostgresStore) {
    for (name, result) in {
        let started = Instant::now();
        let results = every_kind_of_call(store);
        let elapsed = started.elapsed();
        assert!(elapsed < BOUND * 5, "five calls took {elapsed:?}");
        results
    } {
        match result {
            Err(StoreError::Unavailable(why)) => {
                assert!(!why.is_empty(), "{name}");
            }
            other => panic!("{name} while the database is down: {other:?}"),
        }
    }
    let started = Instant::now();
    let result = store.ping();
    let elapsed = started.elapsed();
    assert!(
        matches!(result, Err(StoreError::Unavailable(_))),
        "{result:?}"
    );
    assert!(elapsed < BOUND, "one call took {elapsed:?}");
}

fn assert_works(store: &PostgresStore) {
    for (name, result) in every_kind_of_call(store) {
        assert!(
            result.is_ok(),
            "{name} after the database came back: {result:?}"
        );
    }
}

#[test]
fn a_stopped_database_fails_calls_in_bounded_time_and_the_same_store_recovers() {
    let pg = TempPostgres::start_new(TempPostgresOptions::default());
    let store = PostgresStore::connect(&short(pg.create_database("outage"))).unwrap();
    assert_works(&store);

    pg.stop();
    assert_unavailable_within_bound(&store);
    let message = store.ping().unwrap_err().to_string();
    assert!(message.contains("PostgreSQL"), "{message}");

    pg.start();
    assert_works(&store);
}

#[test]
fn a_killed_database_fails_calls_in_bounded_time_and_the_same_store_recovers() {
    let pg = TempPostgres::start_new(TempPostgresOptions::default());
    let store = PostgresStore::connect(&short(pg.create_database("crash"))).unwrap();
    assert_works(&store);

    pg.kill();
    assert_unavailable_within_bound(&store);

    pg.start();
    assert_works(&store);
}

#[test]
fn connecting_while_the_database_is_down_fails_fast_and_says_so() {
    let pg = TempPostgres::start_new(TempPostgresOptions::default());
    let url = pg.create_database("later");
    pg.stop();
    let started = Instant::now();
    let err = PostgresStore::connect(&short(url.clone())).unwrap_err();
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("refused") && message.contains("is the server running"),
        "{message}"
    );
    pg.start();
    assert!(PostgresStore::connect(&short(url)).is_ok());
}

#[test]
fn a_row_locked_by_a_stuck_node_fails_the_update_after_statement_timeout() {
    // A node that took the counters' row lock and then hung (its transaction open):
    // another node's update waits for the lock only as long as statement_timeout.
    let url = crate::support::fresh_url();
    let mut o = short(url.clone());
    o.statement_timeout = Duration::from_secs(1);
    let store = PostgresStore::connect(&o).unwrap();
    store.update_attempts(&key("staff01"), &mut |_| {}).unwrap();
    let mut stuck = crate::support::raw(&url);
    let mut tx = stuck.transaction().unwrap();
    tx.execute(
        "SELECT 1 FROM attempts WHERE login_id = 'staff01' FOR UPDATE",
        &[],
    )
    .unwrap();

    let started = Instant::now();
    let result = store.update_attempts(&key("staff01"), &mut |_| {});
    let elapsed = started.elapsed();
    match result {
        Err(StoreError::Unavailable(why)) => assert!(why.contains("timed out"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < BOUND,
        "{elapsed:?}"
    );
    assert!(store.ping().is_ok(), "other calls go on");
    tx.rollback().unwrap();
    assert!(
        store.update_attempts(&key("staff01"), &mut |_| {}).is_ok(),
        "and the row is free again"
    );
}

/// A restart while the pool sits idle leaves it holding connections the server closed
/// (each with a pending 57P01): the checkout of a connection idle past the pool's
/// liveness window (500 ms) pings it, so the very first call after the restart succeeds
/// on a fresh connection.
#[test]
fn connections_closed_by_a_restart_while_idle_are_replaced_at_checkout() {
    let pg = TempPostgres::start_new(TempPostgresOptions::default());
    let store = PostgresStore::connect(&short(pg.create_database("restart"))).unwrap();
    assert_works(&store);
    // Idle, whatever the time the restart takes.
    std::thread::sleep(Duration::from_millis(600));
    pg.stop();
    pg.start();
    assert_works(&store);
}
