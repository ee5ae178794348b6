//! API keys, the key check values (one per key id, and nodes racing to record them),
//! the readiness ping.

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};

use time::{Duration, UtcOffset};

use super::{INSTITUTIONS, code, digest};
use crate::testing::START;
use crate::{
    ApiKeyId, ApiKeyScope, InstitutionCode, KeyCheck, KeyId, NewApiKey, Store, StoreError,
};

/// API keys: increasing ids, found by digest (an unknown one is not), a taken digest
/// is a conflict, revocation once (the first time stays), listed by id, both scopes
/// round-trip.
pub fn api_keys_are_stored_found_and_revoked_once<S: Store>(store: Arc<S>) {
    assert!(store.api_keys().unwrap().is_empty());
    let jst = UtcOffset::from_hms(9, 0, 0).unwrap();
    let all = store
        .insert_api_key(NewApiKey {
            name: "clinic-sync".to_owned(),
            digest: digest(1),
            scope: ApiKeyScope::All,
            created_at: START + Duration::nanoseconds(7),
        })
        .unwrap();
    let codes: BTreeSet<InstitutionCode> = [code(INSTITUTIONS[2]), code(INSTITUTIONS[0])].into();
    let some = store
        .insert_api_key(NewApiKey {
            name: "ベンダー X".to_owned(),
            digest: digest(2),
            scope: ApiKeyScope::Institutions(codes.clone()),
            created_at: (START + Duration::minutes(1)).to_offset(jst),
        })
        .unwrap();
    assert!(some.id > all.id, "ids increase");
    assert_eq!(
        (all.name.as_str(), all.digest, &all.scope),
        ("clinic-sync", digest(1), &ApiKeyScope::All)
    );
    assert_eq!(all.created_at, START + Duration::nanoseconds(7));
    assert_eq!(all.revoked_at, None);
    assert_eq!(some.scope, ApiKeyScope::Institutions(codes));
    assert_eq!(store.api_key(&digest(1)).unwrap(), Some(all.clone()));
    assert_eq!(
        store.api_key(&digest(2)).unwrap(),
        Some(some.clone()),
        "the scope round-trips"
    );
    assert_eq!(store.api_key(&digest(3)).unwrap(), None);

    let taken = NewApiKey {
        name: "again".to_owned(),
        digest: digest(1),
        scope: ApiKeyScope::All,
        created_at: START,
    };
    assert!(matches!(
        store.insert_api_key(taken),
        Err(StoreError::Conflict)
    ));
    assert_eq!(store.api_keys().unwrap(), vec![all.clone(), some.clone()]);

    let first = START + Duration::hours(1) + Duration::nanoseconds(3);
    assert!(store.revoke_api_key(all.id, first).unwrap());
    let revoked = store.api_key(&digest(1)).unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(first));
    assert_eq!(
        revoked,
        crate::ApiKeyRecord {
            revoked_at: Some(first),
            ..all.clone()
        }
    );
    assert!(
        !store
            .revoke_api_key(all.id, first + Duration::hours(1))
            .unwrap(),
        "twice"
    );
    assert_eq!(
        store.api_key(&digest(1)).unwrap().unwrap().revoked_at,
        Some(first),
        "the first time stays"
    );
    assert!(
        !store
            .revoke_api_key(ApiKeyId(some.id.0 + 1000), first)
            .unwrap(),
        "no such key"
    );
    assert_eq!(
        store.api_key(&digest(2)).unwrap(),
        Some(some.clone()),
        "the other key is untouched"
    );

    let third = store
        .insert_api_key(NewApiKey {
            name: "third".to_owned(),
            digest: digest(3),
            scope: ApiKeyScope::Institutions([code(INSTITUTIONS[1])].into()),
            created_at: START,
        })
        .unwrap();
    assert!(third.id > some.id);
    let listed = store.api_keys().unwrap();
    assert_eq!(listed, vec![revoked, some, third]);
}

/// The key check values, one per key id: the first candidate of an id is kept and
/// another gets it back; other ids keep their own; all are listed by id.
pub fn key_check_keeps_the_first_value<S: Store>(store: Arc<S>) {
    let (one, two, nine) = (KeyId::FIRST, key_id(2), key_id(9));
    let first = KeyCheck([0xa1; 32]);
    let other = KeyCheck([0x5c; 32]);
    assert!(store.key_checks().unwrap().is_empty());
    assert_eq!(store.key_check(one, &first).unwrap(), first);
    assert_eq!(
        store.key_check(one, &other).unwrap(),
        first,
        "the first value stays"
    );
    assert_eq!(store.key_check(one, &first).unwrap(), first);
    assert!(store.key_check(one, &other).unwrap().matches(&first));
    // Another id has its own value, whatever id 1 holds.
    assert_eq!(store.key_check(nine, &other).unwrap(), other);
    assert_eq!(store.key_check(two, &first).unwrap(), first);
    assert_eq!(store.key_check(nine, &first).unwrap(), other);
    assert_eq!(
        store.key_checks().unwrap(),
        [(one, first), (two, first), (nine, other)],
        "by id, ascending"
    );
    let last = key_id(u32::MAX);
    assert_eq!(
        store.key_check(last, &other).unwrap(),
        other,
        "the largest id"
    );
    assert_eq!(store.key_checks().unwrap().last(), Some(&(last, other)));
}

/// Eight nodes starting at once, each with its own key under id 1 and id 2: all get
/// the same value back for each id, one of theirs.
pub fn key_check_racing_nodes_agree<S: Store>(store: Arc<S>) {
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8u8)
        .map(|i| {
            let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                let one = store
                    .key_check(KeyId::FIRST, &KeyCheck([i + 1; 32]))
                    .unwrap();
                let two = store
                    .key_check(key_id(2), &KeyCheck([i + 101; 32]))
                    .unwrap();
                (one, two)
            })
        })
        .collect();
    let values: Vec<(KeyCheck, KeyCheck)> =
        threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(values.iter().all(|v| *v == values[0]), "{values:?}");
    assert!(
        (1..=8u8).any(|i| values[0].0 == KeyCheck([i; 32])),
        "one of the candidates"
    );
    assert!((101..=108u8).any(|i| values[0].1 == KeyCheck([i; 32])));
    assert_eq!(
        store
            .key_check(KeyId::FIRST, &KeyCheck([0xff; 32]))
            .unwrap(),
        values[0].0
    );
    assert_eq!(
        store.key_checks().unwrap(),
        [(KeyId::FIRST, values[0].0), (key_id(2), values[0].1)]
    );
}

fn key_id(n: u32) -> KeyId {
    KeyId::new(n).unwrap()
}

/// The readiness ping answers on a working store.
pub fn ping_answers_on_a_working_store<S: Store>(store: Arc<S>) {
    store.ping().unwrap();
    store
        .insert_api_key(NewApiKey {
            name: "k".to_owned(),
            digest: digest(9),
            scope: ApiKeyScope::All,
            created_at: START,
        })
        .unwrap();
    store.ping().unwrap();
}
