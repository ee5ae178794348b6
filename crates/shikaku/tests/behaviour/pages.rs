//! What walks every account — the start-up key checks, the timing dummies of
//! housekeeping, `key status` — reads the store a page at a time
//! (`AccountPage::MAX_LIMIT` accounts) and still sees the accounts past the first page.

use std::sync::Arc;

use shikaku::testing::Harness;
use shikaku::{Error, KeyId, MasterKey, MemoryStore, Shikaku};

/// One more than a page.
const ACCOUNTS: usize = shikaku::AccountPage::MAX_LIMIT + 1;

#[test]
fn an_account_past_the_first_page_is_seen_by_every_walk() {
    let store = Arc::new(MemoryStore::new());
    let first = Harness::new(Arc::clone(&store));
    for n in 0..ACCOUNTS - 1 {
        first.provision(&format!("a{n:04}"));
    }
    // The last account in key order registers its Authenticator under key 2.
    let two = KeyId::new(2).unwrap();
    let keys = first
        .keys
        .with_added(two, MasterKey::from_bytes(&[0x42; 32]).unwrap())
        .unwrap()
        .with_current(two)
        .unwrap();
    let node = Harness::builder(Arc::clone(&store))
        .master_keys(keys)
        .build();
    node.provision("zz-last");
    node.enroll("zz-last");

    let usage = node.service.key_usage().unwrap();
    assert_eq!(usage.accounts, ACCOUNTS as u64);
    assert_eq!(usage.of(two).sealed_secrets, 1);
    node.service.prune().unwrap();

    // A node started with the old key file alone: its secret is on the second page.
    let old = Shikaku::builder(Arc::clone(&store))
        .master_keys(first.keys)
        .build();
    assert!(
        matches!(old, Err(Error::MasterKeyMissing { id }) if id == two),
        "{:?}",
        old.err()
    );
}
