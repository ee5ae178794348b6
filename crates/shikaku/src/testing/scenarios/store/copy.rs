//! Copying between stores: accounts imported exactly, counters listed whole.

use std::sync::Arc;

use time::{Duration, UtcOffset};

use super::{INSTITUTIONS, key, new_account};
use crate::lockout::LockoutPolicy;
use crate::testing::{Harness, INITIAL_PASSWORD, LOGIN_ID, START};
use crate::{AccountId, AccountRecord, Attempts, MemoryStore, PasswordChange, Store, StoreError};

/// Two accounts as a source store holds them after real use: one with an
/// Authenticator, a changed password (a retired generation) and a session; one with a
/// registration in progress that belongs to a login.
fn used_accounts() -> (AccountRecord, AccountRecord) {
    let h = Harness::new(Arc::new(MemoryStore::new()));
    h.provision(LOGIN_ID);
    h.provision("staff02");
    let (_, session) = h.enroll(LOGIN_ID);
    let changed = h.change_password(&session, INITIAL_PASSWORD, "After#Reset1", "After#Reset1");
    assert!(
        matches!(changed, Ok(PasswordChange::Changed)),
        "{changed:?}"
    );
    let (ticket, _) = h.ticket("staff02", INITIAL_PASSWORD);
    h.service.enrollment(&ticket).unwrap();
    let store = h.service.store();
    let get = |login: &str| store.account_by_key(&h.key(login)).unwrap().unwrap();
    let (enrolled, pending) = (get(LOGIN_ID), get("staff02"));
    assert!(enrolled.mfa.as_ref().is_some_and(|m| m.last_step.is_some()));
    assert!(enrolled.password.retired_len() > 0);
    assert!(
        pending
            .pending_mfa
            .as_ref()
            .is_some_and(|p| p.ticket.is_some())
    );
    (enrolled, pending)
}

/// Importing keeps the id and every field exactly; later inserts get larger ids; a
/// taken id or key is a conflict and changes nothing.
pub fn import_account_keeps_id_and_every_field<S: Store>(store: Arc<S>) {
    let (enrolled, pending) = used_accounts();
    let jst = UtcOffset::from_hms(9, 0, 0).unwrap();
    // Everything at once, and instants to the nanosecond, some not in UTC.
    let full = AccountRecord {
        id: AccountId(500),
        key: key(INSTITUTIONS[1], "imported.Full"),
        must_change_password: true,
        disabled: true,
        pending_mfa: pending.pending_mfa.clone(),
        created_at: (START - Duration::days(400) + Duration::nanoseconds(123_456_789))
            .to_offset(jst),
        updated_at: START + Duration::days(3) + Duration::nanoseconds(1),
        ..enrolled.clone()
    };
    let low = AccountRecord {
        id: AccountId(42),
        ..pending
    };
    store.import_account(&full).unwrap();
    store.import_account(&low).unwrap();
    assert_eq!(store.account(full.id).unwrap(), Some(full.clone()));
    assert_eq!(store.account_by_key(&full.key).unwrap(), Some(full.clone()));
    assert_eq!(store.account(low.id).unwrap(), Some(low.clone()));
    assert_eq!(
        store.account(enrolled.id).unwrap(),
        None,
        "the source's id is not used"
    );

    let next = store
        .insert_account(new_account(
            key(INSTITUTIONS[0], "staff03"),
            &enrolled.password,
        ))
        .unwrap();
    assert!(
        next.id > full.id,
        "{:?} after importing {:?}",
        next.id,
        full.id
    );
    let after = store
        .insert_account(new_account(
            key(INSTITUTIONS[0], "staff04"),
            &enrolled.password,
        ))
        .unwrap();
    assert!(after.id > next.id);

    let same_id = AccountRecord {
        key: key(INSTITUTIONS[2], "someone"),
        ..low.clone()
    };
    assert!(matches!(
        store.import_account(&same_id),
        Err(StoreError::Conflict)
    ));
    let same_key = AccountRecord {
        id: AccountId(9000),
        ..full.clone()
    };
    assert!(matches!(
        store.import_account(&same_key),
        Err(StoreError::Conflict)
    ));
    let inserted_id = AccountRecord {
        id: next.id,
        key: key(INSTITUTIONS[2], "other"),
        ..low.clone()
    };
    assert!(matches!(
        store.import_account(&inserted_id),
        Err(StoreError::Conflict)
    ));
    assert_eq!(store.account(AccountId(9000)).unwrap(), None);
    assert_eq!(store.account_by_key(&same_id.key).unwrap(), None);
    assert_eq!(
        store.account(low.id).unwrap(),
        Some(low.clone()),
        "unchanged"
    );
    let mut expected = vec![full, low, next, after];
    expected.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(store.accounts().unwrap(), expected);
}

/// Every identifier's changed counters, by key; counters back at zero (or never
/// changed) are not listed.
pub fn all_attempts_lists_changed_counters_by_key<S: Store>(store: Arc<S>) {
    assert!(store.all_attempts().unwrap().is_empty());
    let policy = LockoutPolicy::default();
    let now = START + Duration::nanoseconds(5);
    let fail_password = |a: &mut Attempts| {
        a.password.record_failure(&policy, now);
    };
    let later = store
        .update_attempts(&key(INSTITUTIONS[2], "a"), &mut |a| fail_password(a))
        .unwrap();
    let earlier = store
        .update_attempts(&key(INSTITUTIONS[0], "zz"), &mut |a| {
            a.passcode.record_failure(&policy, now);
            a.passcode.record_failure(&policy, now);
        })
        .unwrap();
    let locked = store
        .update_attempts(&key(INSTITUTIONS[0], "Zz"), &mut |a| {
            for _ in 0..3 {
                a.password.record_failure(&policy, now);
            }
        })
        .unwrap();
    store
        .update_attempts(&key(INSTITUTIONS[1], "untouched"), &mut |_| {})
        .unwrap();
    store
        .update_attempts(&key(INSTITUTIONS[1], "cleared"), &mut |a| fail_password(a))
        .unwrap();
    store
        .update_attempts(&key(INSTITUTIONS[1], "cleared"), &mut |a| {
            a.password.unlock();
            a.passcode.unlock();
        })
        .unwrap();
    assert_eq!(
        store.attempts(&key(INSTITUTIONS[1], "cleared")).unwrap(),
        Attempts::default()
    );
    assert_ne!(later, Attempts::default());
    assert_ne!(locked, earlier);
    assert_eq!(
        store.all_attempts().unwrap(),
        vec![
            (key(INSTITUTIONS[0], "Zz"), locked),
            (key(INSTITUTIONS[0], "zz"), earlier),
            (key(INSTITUTIONS[2], "a"), later),
        ]
    );
}
