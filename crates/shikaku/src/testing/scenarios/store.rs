//! The store's own contract beyond the flows, through the [`Store`] trait alone (so
//! every implementation runs it): pages of accounts and of the audit log walked by
//! cursor, API keys, the key check value, copying accounts and counters between
//! stores, and the readiness ping.
//!
//! | file | scenarios |
//! |---|---|
//! | `accounts.rs` | account pages: every account of the start once, in key (byte) order, while accounts are added; the institution filter; limits and the cap |
//! | `audit.rs` | audit pages: each filter and their combination, both orders, cursors, limits, appends during a walk |
//! | `keys.rs` | API keys; the key check value, first writer wins, also racing; the ping |
//! | `copy.rs` | `import_account` keeps the id and every field; `all_attempts` |
//! | `pruning.rs` | `prune` forgets only counters with nothing to remember; `prune_sessions` and `prune_audit` (batches, sequence numbers kept) |

// The suite hands every scenario its store by value; these only borrow it.
#![allow(clippy::needless_pass_by_value)]

mod accounts;
mod audit;
mod copy;
mod keys;
mod pruning;

use std::sync::Arc;

pub use accounts::accounts_pages_walk_every_account_once;
pub use audit::audit_pages_filter_and_walk_the_log_once;
pub use copy::{
    all_attempts_lists_changed_counters_by_key, import_account_keeps_id_and_every_field,
};
pub use keys::{
    api_keys_are_stored_found_and_revoked_once, key_check_keeps_the_first_value,
    key_check_racing_nodes_agree, ping_answers_on_a_working_store,
};
pub use pruning::{
    prune_audit_removes_old_events_a_batch_at_a_time,
    prune_forgets_only_counters_with_nothing_to_remember,
    prune_sessions_removes_the_sessions_ended_before_the_cutoff,
};

use crate::password::PasswordHistory;
use crate::testing::{Harness, LOGIN_ID, START};
use crate::{AccountKey, InstitutionCode, LoginId, MemoryStore, NewAccount, Store, TokenDigest};

const INSTITUTIONS: [&str; 3] = ["0123456789", "1000000001", "2000000002"];

fn code(text: &str) -> InstitutionCode {
    InstitutionCode::try_from(text.to_owned()).unwrap()
}

fn key(institution: &str, login_id: &str) -> AccountKey {
    AccountKey::new(code(institution), LoginId::parse(login_id).unwrap())
}

/// A real password history, hashed once (by a service over a scratch memory store).
fn some_history() -> PasswordHistory {
    let h = Harness::new(Arc::new(MemoryStore::new()));
    h.provision(LOGIN_ID);
    let store = h.service.store();
    store
        .account_by_key(&h.key(LOGIN_ID))
        .unwrap()
        .unwrap()
        .password
}

fn new_account(key: AccountKey, password: &PasswordHistory) -> NewAccount {
    NewAccount {
        key,
        password: password.clone(),
        must_change_password: false,
        created_at: START,
    }
}

fn digest(byte: u8) -> TokenDigest {
    TokenDigest([byte; 32])
}
