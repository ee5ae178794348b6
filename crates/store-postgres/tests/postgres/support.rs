//! Shared helpers: a fresh database per test on the binary's shared server, accounts
//! with real password hashes. The identifiers and the start instant are the workspace
//! test kit's (`shikaku::testing`).

use std::sync::Arc;
use std::time::Duration;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use shikaku::NewAccount;
use shikaku::password::{Hasher, Password, PasswordHistory, Pepper};
use shikaku_store_postgres::testing::TempPostgres;
use shikaku_store_postgres::{PostgresOptions, PostgresStore};

/// The kit's start instant (2026-04-01 09:00 JST) and its 機関コード + ログイン ID.
pub(crate) use shikaku::testing::{START, account_key as key};

/// Options for `url` with test-sized timeouts.
pub(crate) fn options(url: String) -> PostgresOptions {
    let mut o = PostgresOptions::new(url);
    o.pool_timeout = Duration::from_secs(10);
    o
}

/// The URL of a new, empty database on the shared server.
pub(crate) fn fresh_url() -> String {
    TempPostgres::shared().new_database()
}

/// A store on a new, empty database on the shared server.
pub(crate) fn fresh() -> Arc<PostgresStore> {
    Arc::new(PostgresStore::connect(&options(fresh_url())).unwrap())
}

/// Another node: a second store (its own pool) on the same database.
pub(crate) fn node(url: &str, pool_size: u32) -> Arc<PostgresStore> {
    let mut o = options(url.to_owned());
    o.pool_size = pool_size;
    Arc::new(PostgresStore::connect(&o).unwrap())
}

/// A cheap argon2id hasher with a fixed pepper (the cost is not under test here).
pub(crate) fn hasher() -> Hasher {
    Hasher::builder()
        .m_cost(64)
        .t_cost(1)
        .workers(1)
        .pepper(Pepper::new([7u8; 32].to_vec()).unwrap())
        .build()
        .unwrap()
}

pub(crate) fn new_account(hasher: &Hasher, login_id: &str, password: &str) -> NewAccount {
    let mut rng = ChaCha20Rng::seed_from_u64(login_id.len() as u64);
    NewAccount {
        key: key(login_id),
        password: PasswordHistory::new(hasher.hash(&Password::new(password), &mut rng).unwrap()),
        must_change_password: true,
        created_at: START,
    }
}

/// A raw superuser connection to the database behind `url` (for looking behind the
/// store's back).
pub(crate) fn raw(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap()
}
