//! Pages of accounts, walked by cursor while accounts are added.

use std::collections::HashSet;
use std::sync::Arc;

use super::{INSTITUTIONS, code, key, new_account, some_history};
use crate::{AccountKey, AccountPage, Store};

/// Walks every page of `limit` from the start, calling `between` after each page.
fn walk_accounts<S: Store>(
    store: &S,
    institution: Option<&str>,
    limit: usize,
    mut between: impl FnMut(usize),
) -> Vec<AccountKey> {
    let mut seen: Vec<AccountKey> = Vec::new();
    for page_number in 0.. {
        assert!(page_number < 1000, "the walk does not end");
        let page = AccountPage {
            institution: institution.map(code),
            after: seen.last().cloned(),
            limit,
        };
        let rows = store.accounts_page(&page).unwrap();
        assert!(
            rows.len() <= limit,
            "{} rows for a limit of {limit}",
            rows.len()
        );
        if rows.is_empty() {
            break;
        }
        for row in rows {
            if let Some(last) = seen.last() {
                assert!(
                    row.key > *last,
                    "{} after {last}: not in key order",
                    row.key
                );
            }
            if let Some(code) = institution {
                assert_eq!(row.key.institution_code.as_str(), code, "the filter");
            }
            seen.push(row.key);
        }
        between(page_number);
    }
    seen
}

/// Accounts pages: 250 accounts over 3 institutions walked 7 at a time while accounts
/// are added between pages; every account of the start appears once, in key order
/// (byte order: `S` before `s`, `-` before `.` before `@` before `_`); the institution
/// filter, the limit and the [`AccountPage::MAX_LIMIT`] cap.
pub fn accounts_pages_walk_every_account_once<S: Store>(store: Arc<S>) {
    let history = some_history();
    let prefixes = ["staff", "Staff", "s.taff", "s-taff", "s_taff", "s@taff"];
    // Inserted out of key order (97 is prime to 250).
    for i in (0..250).map(|n| (n * 97) % 250) {
        let login = format!("{}{i:03}", prefixes[i % prefixes.len()]);
        let key = key(INSTITUTIONS[i % 3], &login);
        store.insert_account(new_account(key, &history)).unwrap();
    }
    let at_start: Vec<AccountKey> = store
        .accounts()
        .unwrap()
        .into_iter()
        .map(|a| a.key)
        .collect();
    assert_eq!(at_start.len(), 250);
    let mut sorted = at_start.clone();
    sorted.sort();
    assert_eq!(at_start, sorted, "accounts() is in key order");

    let mut added = Vec::new();
    let walked = walk_accounts(&*store, None, 7, |page| {
        // Before the cursor, after it, in each institution in turn.
        let login = format!("{}new{page:03}", if page % 2 == 0 { "a" } else { "z" });
        let key = key(INSTITUTIONS[page % 3], &login);
        store
            .insert_account(new_account(key.clone(), &history))
            .unwrap();
        added.push(key);
    });
    let walked_set: HashSet<&AccountKey> = walked.iter().collect();
    assert_eq!(walked_set.len(), walked.len(), "no account twice");
    for key in &at_start {
        assert!(walked_set.contains(key), "{key} was skipped");
    }
    for key in &walked {
        assert!(
            at_start.contains(key) || added.contains(key),
            "{key} came from nowhere"
        );
    }

    // Undisturbed walks are exactly the list; pages are full until the last.
    let all: Vec<AccountKey> = store
        .accounts()
        .unwrap()
        .into_iter()
        .map(|a| a.key)
        .collect();
    assert_eq!(all.len(), 250 + added.len());
    assert_eq!(walk_accounts(&*store, None, 7, |_| {}), all);
    assert_eq!(walk_accounts(&*store, None, 1, |_| {}), all);
    let first = store
        .accounts_page(&AccountPage {
            limit: 7,
            ..AccountPage::default()
        })
        .unwrap();
    assert_eq!(first.len(), 7);
    assert_eq!(
        first[0],
        store.account_by_key(&all[0]).unwrap().unwrap(),
        "whole records"
    );
    for institution in INSTITUTIONS {
        let expected: Vec<AccountKey> = all
            .iter()
            .filter(|k| k.institution_code.as_str() == institution)
            .cloned()
            .collect();
        assert!(expected.len() > 80);
        assert_eq!(
            walk_accounts(&*store, Some(institution), 7, |_| {}),
            expected
        );
    }
    let nobody = AccountPage {
        institution: Some(code("9999999999")),
        ..AccountPage::default()
    };
    assert!(
        store
            .accounts_page(&AccountPage {
                limit: 50,
                ..nobody
            })
            .unwrap()
            .is_empty()
    );
    // A cursor that is no account's key, inside an institution.
    let after = key(INSTITUTIONS[1], "m");
    let page = AccountPage {
        institution: Some(code(INSTITUTIONS[1])),
        after: Some(after.clone()),
        limit: 3,
    };
    let expected: Vec<&AccountKey> = all
        .iter()
        .filter(|k| k.institution_code.as_str() == INSTITUTIONS[1] && **k > after)
        .take(3)
        .collect();
    let got: Vec<AccountKey> = store
        .accounts_page(&page)
        .unwrap()
        .into_iter()
        .map(|a| a.key)
        .collect();
    assert_eq!(got.iter().collect::<Vec<_>>(), expected);
    // Past the last key: nothing.
    let past = AccountPage {
        after: all.last().cloned(),
        limit: 10,
        ..AccountPage::default()
    };
    assert!(store.accounts_page(&past).unwrap().is_empty());
    assert!(
        store
            .accounts_page(&AccountPage {
                limit: 0,
                ..AccountPage::default()
            })
            .unwrap()
            .is_empty()
    );

    // The cap: a page never holds more than MAX_LIMIT, however many are asked for.
    for i in all.len()..=AccountPage::MAX_LIMIT + 2 {
        let key = key(INSTITUTIONS[2], &format!("bulk{i:05}"));
        store.insert_account(new_account(key, &history)).unwrap();
    }
    for limit in [
        AccountPage::MAX_LIMIT,
        AccountPage::MAX_LIMIT + 1,
        usize::MAX,
    ] {
        let page = AccountPage {
            limit,
            ..AccountPage::default()
        };
        assert_eq!(
            store.accounts_page(&page).unwrap().len(),
            AccountPage::MAX_LIMIT,
            "{limit}"
        );
    }
}
