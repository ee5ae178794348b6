//! Store-level contracts that the facade's scenarios do not reach: conflicts, imports
//! and the id sequence, the key check under racing nodes, byte order whatever the
//! database's collation, keyset pages, prune, instants to the nanosecond, and corrupt
//! rows reported without their values.

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};
use std::thread;

use shikaku::lockout::LockoutPolicy;
use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};
use shikaku::{
    AccountId, AccountKey, AccountPage, ApiKeyScope, AuditEvent, AuditKind, AuditOrder, AuditQuery,
    AuditSeq, Channel, InstitutionCode, KeyCheck, KeyId, LoginId, LoginTicketRecord, NewApiKey,
    Store, StoreError, TokenDigest,
};
use shikaku_store_postgres::PostgresStore;
use shikaku_store_postgres::testing::TempPostgres;
use time::Duration;

use crate::support::{START, fresh, fresh_url, hasher, key, new_account, node, options, raw};

fn account_key(code: &str, login: &str) -> AccountKey {
    AccountKey::new(
        InstitutionCode::try_from(code.to_owned()).unwrap(),
        LoginId::try_from(login.to_owned()).unwrap(),
    )
}

#[test]
fn a_taken_key_is_a_conflict() {
    let store = fresh();
    let h = hasher();
    store
        .insert_account(new_account(&h, "staff01", INITIAL_PASSWORD))
        .unwrap();
    assert_eq!(
        store
            .insert_account(new_account(&h, "staff01", INITIAL_PASSWORD))
            .unwrap_err(),
        StoreError::Conflict
    );
}

#[test]
fn imports_keep_their_id_and_later_inserts_get_larger_ones() {
    let source = fresh();
    let h = hasher();
    let mut record = source
        .insert_account(new_account(&h, "moved", INITIAL_PASSWORD))
        .unwrap();
    record.id = AccountId(41);
    record.updated_at = START + Duration::nanoseconds(123_456_789);
    let target = fresh();
    target.import_account(&record).unwrap();
    assert_eq!(
        target.account(AccountId(41)).unwrap().as_ref(),
        Some(&record),
        "exactly as given"
    );
    let next = target
        .insert_account(new_account(&h, "newcomer", INITIAL_PASSWORD))
        .unwrap();
    assert!(next.id.0 > 41, "{:?}", next.id);
    // Taken id, taken key.
    assert_eq!(
        target.import_account(&record).unwrap_err(),
        StoreError::Conflict
    );
    let mut same_key = record.clone();
    same_key.id = AccountId(1000);
    assert_eq!(
        target.import_account(&same_key).unwrap_err(),
        StoreError::Conflict
    );
    // An import below the sequence never moves it back.
    let mut low = record;
    low.id = AccountId(2);
    low.key = key("early");
    target.import_account(&low).unwrap();
    let after = target
        .insert_account(new_account(&h, "later", INITIAL_PASSWORD))
        .unwrap();
    assert!(after.id.0 > next.id.0, "{:?} after {:?}", after.id, next.id);
}

#[test]
fn the_first_key_check_wins_among_nodes_starting_at_once() {
    let url = fresh_url();
    let nodes = [node(&url, 4), node(&url, 4)];
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8u8)
        .map(|i| {
            let store = Arc::clone(&nodes[usize::from(i % 2)]);
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                store.key_check(KeyId::FIRST, &KeyCheck([i; 32])).unwrap()
            })
        })
        .collect();
    let seen: BTreeSet<[u8; 32]> = handles.into_iter().map(|h| h.join().unwrap().0).collect();
    assert_eq!(seen.len(), 1, "every node got the same value");
    let winner = *seen.iter().next().unwrap();
    assert!(
        winner.iter().all(|b| *b == winner[0] && *b < 8),
        "one of the candidates"
    );
    assert_eq!(
        nodes[0]
            .key_check(KeyId::FIRST, &KeyCheck([99; 32]))
            .unwrap()
            .0,
        winner,
        "written once"
    );
}

#[test]
fn accounts_come_in_byte_order_even_in_a_database_that_collates_otherwise() {
    // A database whose default collation (ICU en-US) puts "a" before "B": the columns'
    // own COLLATE "C" must win, or keyset pages would disagree with AccountKey's order.
    let pg = TempPostgres::shared();
    let name = format!("icu_{}", std::process::id());
    raw(&pg.url())
        .batch_execute(&format!(
            "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' \
             LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'"
        ))
        .unwrap();
    let store = PostgresStore::connect(&options(pg.url_for(&name))).unwrap();
    let h = hasher();
    let logins = [
        "b", "B", "a", "_x", "Z9", "a.b", "a-b", "@x", "A", "0", "a_b",
    ];
    for code in [INSTITUTION_CODE, "0000000001"] {
        for login in logins {
            let mut account = new_account(&h, login, INITIAL_PASSWORD);
            account.key = account_key(code, login);
            store.insert_account(account).unwrap();
        }
    }
    let mut expected: Vec<AccountKey> = store
        .accounts()
        .unwrap()
        .iter()
        .map(|a| a.key.clone())
        .collect();
    let listed = expected.clone();
    expected.sort();
    assert_eq!(listed, expected, "accounts() in AccountKey order");

    // A keyset walk, two at a time, sees every account once in the same order.
    let mut walked = Vec::new();
    let mut page = AccountPage {
        limit: 2,
        ..AccountPage::default()
    };
    loop {
        let batch = store.accounts_page(&page).unwrap();
        let Some(last) = batch.last() else { break };
        page.after = Some(last.key.clone());
        walked.extend(batch.into_iter().map(|a| a.key));
    }
    assert_eq!(walked, expected);

    // One institution only.
    let code = InstitutionCode::try_from("0000000001".to_owned()).unwrap();
    let page = AccountPage {
        institution: Some(code.clone()),
        limit: 100,
        ..AccountPage::default()
    };
    let only = store.accounts_page(&page).unwrap();
    assert_eq!(only.len(), logins.len());
    assert!(only.iter().all(|a| a.key.institution_code == code));
}

fn event(i: usize) -> AuditEvent {
    let kinds = [
        AuditKind::PasswordFailed,
        AuditKind::SessionStarted,
        AuditKind::AccountProvisioned,
    ];
    let logins = ["staff01", "staff02"];
    AuditEvent {
        at: START + Duration::seconds(i64::try_from(i).unwrap()),
        kind: kinds[i % 3],
        account: (!i.is_multiple_of(5)).then(|| key(logins[i % 2])),
        channel: Channel::Web,
        detail: Some(format!("n={i}")),
    }
}

#[test]
fn a_reader_paging_oldest_first_never_skips_an_event_appended_by_racing_nodes() {
    // Sequence numbers are drawn before commit: without the append lock two nodes could
    // draw 10 and 11 and commit 11 first, and a reader that saw 11 would page past 10.
    let url = fresh_url();
    let writers: Vec<_> = (0..4).map(|_| node(&url, 4)).collect();
    let reader = node(&url, 1);
    let per_thread = 150;
    let start = Arc::new(Barrier::new(8 + 1));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let (store, start) = (Arc::clone(&writers[t % 4]), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                for i in 0..per_thread {
                    store.append_audit(&event(t * per_thread + i)).unwrap();
                }
            })
        })
        .collect();
    start.wait();
    let mut seen: Vec<AuditSeq> = Vec::new();
    let page = |after: Option<AuditSeq>| {
        reader
            .audit_page(&AuditQuery {
                order: AuditOrder::OldestFirst,
                after,
                limit: 50,
                ..AuditQuery::default()
            })
            .unwrap()
    };
    while seen.len() < 8 * per_thread {
        let next = page(seen.last().copied());
        seen.extend(next.iter().map(|s| s.seq));
        if next.is_empty() && handles.iter().all(thread::JoinHandle::is_finished) {
            break;
        }
    }
    for h in handles {
        h.join().unwrap();
    }
    seen.extend(page(seen.last().copied()).iter().map(|s| s.seq));
    let stored: Vec<AuditSeq> = {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let next = page(after);
            if next.is_empty() {
                break out;
            }
            after = next.last().map(|s| s.seq);
            out.extend(next.iter().map(|s| s.seq));
        }
    };
    assert_eq!(stored.len(), 8 * per_thread);
    assert_eq!(
        seen, stored,
        "the reader saw every event, in order, none skipped"
    );
}

#[test]
fn audit_pages_are_the_reference_semantics_in_keyset_order() {
    let store = fresh();
    let events: Vec<AuditEvent> = (0..60).map(event).collect();
    for e in &events {
        store.append_audit(e).unwrap();
    }
    let all = store
        .audit_page(&AuditQuery {
            order: AuditOrder::OldestFirst,
            limit: 1000,
            ..AuditQuery::default()
        })
        .unwrap();
    assert_eq!(
        all.iter().map(|s| s.event.clone()).collect::<Vec<_>>(),
        events,
        "arrival order"
    );
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
    let recent = store.recent_audit(3).unwrap();
    assert_eq!(
        recent,
        events.iter().rev().take(3).cloned().collect::<Vec<_>>()
    );

    let queries = [
        AuditQuery::default(),
        AuditQuery {
            kind: Some(AuditKind::SessionStarted),
            ..AuditQuery::default()
        },
        AuditQuery {
            login_id: Some(key("staff02").login_id),
            ..AuditQuery::default()
        },
        AuditQuery {
            institution: Some(key("staff01").institution_code),
            since: Some(START + Duration::seconds(10)),
            until: Some(START + Duration::seconds(40)),
            ..AuditQuery::default()
        },
    ];
    for base in queries {
        for order in [AuditOrder::NewestFirst, AuditOrder::OldestFirst] {
            let expected: Vec<AuditSeq> = {
                let mut v: Vec<_> = all
                    .iter()
                    .filter(|s| {
                        AuditQuery {
                            order,
                            ..base.clone()
                        }
                        .matches(s.seq, &s.event)
                    })
                    .map(|s| s.seq)
                    .collect();
                if order == AuditOrder::NewestFirst {
                    v.reverse();
                }
                v
            };
            let mut walked = Vec::new();
            let mut query = AuditQuery {
                order,
                limit: 7,
                ..base.clone()
            };
            loop {
                let page = store.audit_page(&query).unwrap();
                let Some(last) = page.last() else { break };
                query.after = Some(last.seq);
                walked.extend(page.iter().map(|s| s.seq));
            }
            assert_eq!(walked, expected, "{base:?} {order:?}");
        }
    }
}

#[test]
fn pages_are_capped_at_max_limit() {
    let url = fresh_url();
    let store = PostgresStore::connect(&options(url.clone())).unwrap();
    raw(&url)
        .batch_execute(
            "INSERT INTO audit_events (at, kind, channel) \
             SELECT '2026-04-01T00:00:00.000000000Z', 'account_provisioned', 'admin' \
             FROM generate_series(1, 1005)",
        )
        .unwrap();
    let page = store
        .audit_page(&AuditQuery {
            limit: 5000,
            ..AuditQuery::default()
        })
        .unwrap();
    assert_eq!(page.len(), AccountPage::MAX_LIMIT);
}

#[test]
fn api_keys_conflict_on_a_digest_and_keep_the_first_revocation() {
    let store = fresh();
    let new = |name: &str, byte: u8| NewApiKey {
        name: name.to_owned(),
        digest: TokenDigest([byte; 32]),
        scope: ApiKeyScope::Institutions([key("x").institution_code].into_iter().collect()),
        created_at: START,
    };
    let first = store.insert_api_key(new("clinic-sync", 1)).unwrap();
    let second = store.insert_api_key(new("vendor-x", 2)).unwrap();
    assert!(second.id > first.id);
    assert_eq!(
        store.insert_api_key(new("again", 1)).unwrap_err(),
        StoreError::Conflict
    );
    assert!(
        store
            .revoke_api_key(first.id, START + Duration::hours(1))
            .unwrap()
    );
    assert!(
        !store
            .revoke_api_key(first.id, START + Duration::hours(2))
            .unwrap()
    );
    assert!(!store.revoke_api_key(shikaku::ApiKeyId(999), START).unwrap());
    let stored = store.api_key(&TokenDigest([1; 32])).unwrap().unwrap();
    assert_eq!(stored.revoked_at, Some(START + Duration::hours(1)));
    assert_eq!(store.api_keys().unwrap(), vec![stored, second]);
}

#[test]
fn prune_drops_expired_tickets_and_cleared_counters_only() {
    let store = fresh();
    let account = store
        .insert_account(new_account(&hasher(), "staff01", INITIAL_PASSWORD))
        .unwrap();
    for (byte, expires) in [(1u8, START), (2, START + Duration::minutes(5))] {
        store
            .insert_ticket(LoginTicketRecord {
                digest: TokenDigest([byte; 32]),
                account: account.id,
                issued_at: START - Duration::minutes(5),
                expires_at: expires,
            })
            .unwrap();
    }
    let policy = LockoutPolicy::default();
    store.update_attempts(&key("cleared"), &mut |_| {}).unwrap();
    store
        .update_attempts(&key("failing"), &mut |a| {
            let _ = a.password.record_failure(&policy, START);
        })
        .unwrap();
    assert_eq!(store.prune(START).unwrap(), 2, "one ticket, one counter");
    assert!(store.ticket(&TokenDigest([1; 32])).unwrap().is_none());
    assert!(store.ticket(&TokenDigest([2; 32])).unwrap().is_some());
    let left: Vec<_> = store
        .all_attempts()
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(left, vec![key("failing")]);
}

#[test]
fn a_corrupt_row_is_reported_without_its_value() {
    let url = fresh_url();
    let store = PostgresStore::connect(&options(url.clone())).unwrap();
    let id = store
        .insert_account(new_account(&hasher(), "staff01", INITIAL_PASSWORD))
        .unwrap()
        .id;
    raw(&url)
        .execute(
            "UPDATE accounts SET password_history = '\"$argon2id$v=19$leakedhash\"' WHERE id = $1",
            &[&id.0],
        )
        .unwrap();
    match store.account(id) {
        Err(StoreError::Corrupt(why)) => {
            assert!(
                why.contains("accounts row") && why.contains("password_history"),
                "{why}"
            );
            assert!(!why.contains("leakedhash"), "{why}");
        }
        other => panic!("{other:?}"),
    }
}
