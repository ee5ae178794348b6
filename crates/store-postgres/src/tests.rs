//! Tests of the round trips a store call costs, looking inside the pool: statements are
//! prepared once per connection and survive what can invalidate them; a connection is
//! pinged at checkout only when it sat idle past the window, and then one the server
//! ended is replaced. On a real server (`TempPostgres`, feature `testing`).

use std::collections::BTreeSet;
use std::time::Duration;

use postgres::error::SqlState;
use r2d2::ManageConnection;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use shikaku::password::{Hasher, Password, PasswordHistory, Pepper};
use shikaku::testing::{START, account_key};
use shikaku::{
    AccountId, AuditEvent, AuditKind, Channel, LoginTicketRecord, NewAccount, Store, TokenDigest,
};

use crate::pool::{ALIVE_BYPASS_WINDOW, Manager};
use crate::testing::TempPostgres;
use crate::{PostgresOptions, PostgresStore, connect};

/// A store with one connection, so every call uses the same one.
fn one_connection() -> PostgresStore {
    one_connection_to(&TempPostgres::shared().new_database())
}

fn one_connection_to(url: &str) -> PostgresStore {
    let mut options = PostgresOptions::new(url);
    options.pool_size = 1;
    PostgresStore::connect(&options).unwrap()
}

fn add_account(store: &PostgresStore, login_id: &str) -> AccountId {
    let hasher = Hasher::builder()
        .m_cost(64)
        .t_cost(1)
        .workers(1)
        .pepper(Pepper::new([7u8; 32].to_vec()).unwrap())
        .build()
        .unwrap();
    let hash = hasher
        .hash(
            &Password::new("Initial#Pass1"),
            &mut ChaCha20Rng::seed_from_u64(1),
        )
        .unwrap();
    store
        .insert_account(NewAccount {
            key: account_key(login_id),
            password: PasswordHistory::new(hash),
            must_change_password: false,
            created_at: START,
        })
        .unwrap()
        .id
}

/// The store calls of one right-password login, in the facade's order.
fn login(store: &PostgresStore, login_id: &str, n: u8) {
    let key = account_key(login_id);
    store.update_attempts(&key, &mut |_| {}).unwrap();
    let account = store.account_by_key(&key).unwrap().unwrap();
    store.update_attempts(&key, &mut |_| {}).unwrap();
    store.attempts(&key).unwrap();
    store
        .update_account(account.id, &mut |a| {
            a.updated_at = START;
            true
        })
        .unwrap();
    store.delete_tickets_of(account.id).unwrap();
    store
        .insert_ticket(LoginTicketRecord {
            digest: TokenDigest([n; 32]),
            account: account.id,
            issued_at: START,
            expires_at: START,
        })
        .unwrap();
    store.account(account.id).unwrap().unwrap();
    store
        .append_audit(&AuditEvent {
            at: START,
            kind: AuditKind::PasswordAccepted,
            account: Some(key),
            channel: Channel::Web,
            detail: None,
        })
        .unwrap();
}

/// The connection's prepared statements as the server lists them: name, text and when
/// prepared. Read by the simple protocol, which prepares nothing itself.
fn server_side(store: &PostgresStore) -> BTreeSet<String> {
    let mut conn = store.pool.get("test").unwrap();
    conn.client
        .simple_query(
            "SELECT name || ' ' || prepare_time || ' ' || statement FROM pg_prepared_statements",
        )
        .unwrap()
        .into_iter()
        .filter_map(|m| match m {
            postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
            _ => None,
        })
        .collect()
}

fn prepares(store: &PostgresStore) -> (u64, usize) {
    let conn = store.pool.get("test").unwrap();
    (conn.statements.prepares(), conn.statements.len())
}

#[test]
fn statements_are_prepared_once_per_connection() {
    let store = one_connection();
    let id = add_account(&store, "staff01");
    login(&store, "staff01", 1);
    let (first, cached) = prepares(&store);
    let prepared = server_side(&store);
    // insert, and the login's 10 distinct statements.
    assert!(first >= 10, "{first} statements prepared");
    assert_eq!(first, cached as u64, "each prepared once");
    assert_eq!(prepared.len(), cached, "{prepared:#?}");

    for n in 2..=5 {
        login(&store, "staff01", n);
    }
    assert_eq!(store.account(id).unwrap().unwrap().id, id);
    assert_eq!(
        prepares(&store),
        (first, cached),
        "four more logins prepared nothing"
    );
    assert_eq!(
        server_side(&store),
        prepared,
        "the server holds the same statements, prepared at the same instants"
    );
}

#[test]
fn a_cached_statement_whose_result_type_changed_is_prepared_again() {
    let store = one_connection();
    add_account(&store, "staff01");
    login(&store, "staff01", 1);
    let (before, _) = prepares(&store);
    // A schema change under the cache: `login_id`, returned by every account read,
    // becomes varchar. PostgreSQL refuses the statements prepared before it (0A000,
    // "cached plan must not change result type").
    let mut admin = store.pool.get("test").unwrap();
    admin
        .client
        .batch_execute("ALTER TABLE accounts ALTER COLUMN login_id TYPE varchar(64)")
        .unwrap();
    drop(admin);

    login(&store, "staff01", 2);
    let (after, cached) = prepares(&store);
    assert!(
        after > before,
        "the statements were prepared again ({before} → {after})"
    );
    assert_eq!(
        server_side(&store).len(),
        cached,
        "the stale ones were deallocated"
    );
}

#[test]
fn a_statement_deallocated_under_the_cache_is_prepared_again() {
    let store = one_connection();
    add_account(&store, "staff01");
    login(&store, "staff01", 1);
    // What a connection pooler's DEALLOCATE ALL does: the cached names are gone (26000).
    let mut conn = store.pool.get("test").unwrap();
    conn.client.batch_execute("DEALLOCATE ALL").unwrap();
    drop(conn);
    login(&store, "staff01", 2);
    assert_eq!(server_side(&store).len(), prepares(&store).1);
}

/// How many checkouts pinged the store's one connection, this one included.
fn pings(store: &PostgresStore) -> u64 {
    store.pool.get("test").unwrap().pings
}

/// The backend process of the store's one connection.
fn backend_pid(store: &PostgresStore) -> i32 {
    let mut conn = store.pool.get("test").unwrap();
    conn.client
        .query_one("SELECT pg_backend_pid()", &[])
        .unwrap()
        .get(0)
}

/// Ends backend `pid` as a shutdown or restart does (FATAL 57P01, then the socket
/// closes) and waits until it is gone.
fn terminate(url: &str, pid: i32) {
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let ended: bool = admin
        .query_one("SELECT pg_terminate_backend($1, 10000)", &[&pid])
        .unwrap()
        .get(0);
    assert!(ended, "backend {pid} did not end");
}

/// Sits idle for `time`.
fn pause(time: Duration) {
    // Idle time against the pool's liveness window is what the callers test.
    #[allow(clippy::disallowed_methods)]
    std::thread::sleep(time);
}

/// Sits idle past the pool's liveness window.
fn idle_past_the_window() {
    pause(ALIVE_BYPASS_WINDOW + Duration::from_millis(100));
}

#[test]
fn calls_in_quick_succession_send_no_ping_and_a_connection_idle_past_the_window_gets_one() {
    let store = one_connection();
    add_account(&store, "staff01");
    let before = pings(&store);
    for n in 1..=5 {
        login(&store, "staff01", n); // 9 checkouts each
    }
    assert_eq!(
        pings(&store),
        before,
        "no ping between calls in quick succession"
    );

    idle_past_the_window();
    assert_eq!(pings(&store), before + 1, "idle past the window: pinged");
    assert_eq!(
        pings(&store),
        before + 1,
        "and the ping's answer counts as use"
    );
    // A call's answer counts too: 300 ms after a call, 600 ms after the ping, no ping.
    pause(Duration::from_millis(300));
    login(&store, "staff01", 6);
    pause(Duration::from_millis(300));
    assert_eq!(pings(&store), before + 1, "a call's answer counts as use");
}

#[test]
fn a_connection_the_server_ended_while_idle_is_pinged_and_refused() {
    let url = TempPostgres::shared().new_database();
    let options = PostgresOptions::new(url.clone());
    let manager = Manager::new(&connect::target(&options).unwrap(), &options);
    let mut conn = manager.connect().unwrap();
    manager.is_valid(&mut conn).unwrap();
    assert_eq!(conn.pings, 0, "just opened: within the window");
    let pid: i32 = conn
        .client
        .query_one("SELECT pg_backend_pid()", &[])
        .unwrap()
        .get(0);

    terminate(&url, pid);
    idle_past_the_window();
    let err = manager.is_valid(&mut conn).unwrap_err();
    assert_eq!(conn.pings, 1, "idle past the window: pinged");
    assert!(
        err.code() == Some(&SqlState::ADMIN_SHUTDOWN) || err.is_closed(),
        "{err}"
    );
    assert!(manager.has_broken(&mut conn));
}

/// What a restart does to the pool's idle connections: the first call afterwards
/// succeeds, on a new connection.
#[test]
fn a_connection_the_server_ended_while_idle_is_replaced_at_checkout() {
    let url = TempPostgres::shared().new_database();
    let store = one_connection_to(&url);
    add_account(&store, "staff01");
    login(&store, "staff01", 1);
    let pid = backend_pid(&store);
    terminate(&url, pid);
    idle_past_the_window();
    login(&store, "staff01", 2);
    assert_ne!(backend_pid(&store), pid);
}
