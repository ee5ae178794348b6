//! Tests of the round trips a store call costs, looking inside the pool: statements are
//! prepared once per connection and survive what can invalidate them.
//! On a real server (`TempPostgres`, feature `testing`).

use std::collections::BTreeSet;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use shikaku::password::{Hasher, Password, PasswordHistory, Pepper};
use shikaku::testing::{START, account_key};
use shikaku::{
    AccountId, AuditEvent, AuditKind, Channel, LoginTicketRecord, NewAccount, Store, TokenDigest,
};

use crate::testing::TempPostgres;
use crate::{PostgresOptions, PostgresStore};

/// A store with one connection, so every call uses the same one.
fn one_connection() -> PostgresStore {
    let mut options = PostgresOptions::new(TempPostgres::shared().new_database());
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
