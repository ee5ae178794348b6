//! Pages of the audit log: every filter, both orders, walked by cursor while events are
//! appended.

use std::sync::Arc;

use time::{Duration, UtcOffset};

use super::{INSTITUTIONS, code, key};
use crate::testing::START;
use crate::{
    AuditEvent, AuditKind, AuditOrder, AuditQuery, AuditSeq, Channel, LoginId, Store,
    StoredAuditEvent,
};

/// The audit log this scenario pages through: kinds, identifiers (some events about
/// no account) and instants that do not follow the order of arrival.
fn audit_log() -> Vec<AuditEvent> {
    let kinds = [
        AuditKind::PasswordFailed,
        AuditKind::SessionStarted,
        AuditKind::LoggedOut,
    ];
    let who = [
        Some(key(INSTITUTIONS[0], "staff01")),
        Some(key(INSTITUTIONS[0], "staff02")),
        Some(key(INSTITUTIONS[1], "staff01")),
        None,
        Some(key(INSTITUTIONS[2], "Staff01")),
    ];
    (0..61i64)
        .map(|i| {
            // Minutes 0..60 in a scrambled order, each with its own nanoseconds.
            let minute = (i * 17) % 61;
            let at = START + Duration::minutes(minute) + Duration::nanoseconds(minute * 1001);
            AuditEvent {
                at: at.to_offset(UtcOffset::from_hms(9, 0, 0).unwrap()),
                kind: kinds[usize::try_from(i % 3).unwrap()],
                account: who[usize::try_from(i % 5).unwrap()].clone(),
                channel: if i % 2 == 0 {
                    Channel::Web
                } else {
                    Channel::Admin
                },
                detail: (i % 4 == 0).then(|| format!("detail {i}")),
            }
        })
        .collect()
}

/// Walks every page of `query` (its `after` replaced by the cursor), `between` after
/// each page.
fn walk_audit<S: Store>(
    store: &S,
    query: &AuditQuery,
    mut between: impl FnMut(),
) -> Vec<StoredAuditEvent> {
    let mut seen: Vec<StoredAuditEvent> = Vec::new();
    loop {
        assert!(seen.len() < 10_000, "the walk does not end");
        let page = AuditQuery {
            after: seen.last().map(|e| e.seq),
            ..query.clone()
        };
        let rows = store.audit_page(&page).unwrap();
        assert!(
            rows.len() <= query.limit,
            "{} rows for a limit of {}",
            rows.len(),
            query.limit
        );
        if rows.is_empty() {
            return seen;
        }
        for row in rows {
            if let Some(last) = seen.last() {
                match query.order {
                    AuditOrder::NewestFirst => assert!(row.seq < last.seq, "newest first"),
                    AuditOrder::OldestFirst => assert!(row.seq > last.seq, "oldest first"),
                }
            }
            seen.push(row);
        }
        between();
    }
}

/// Audit pages: each filter (institution, login ID, kind, `since` inclusive, `until`
/// exclusive) and their combination, walked by cursor both ways, give exactly the
/// events an independent reading of the filter selects, each once; events about no
/// account match no institution or login filter; limits; appends during a walk.
pub fn audit_pages_filter_and_walk_the_log_once<S: Store>(store: Arc<S>) {
    let log = audit_log();
    for event in &log {
        store.append_audit(event).unwrap();
    }
    // The whole log, oldest first: every event as appended, with increasing numbers.
    let everything = AuditQuery {
        order: AuditOrder::OldestFirst,
        limit: 10,
        ..AuditQuery::default()
    };
    let stored = walk_audit(&*store, &everything, || {});
    assert_eq!(
        stored.iter().map(|e| e.event.clone()).collect::<Vec<_>>(),
        log
    );

    let minute = |m: i64| START + Duration::minutes(m) + Duration::nanoseconds(m * 1001);
    let (since, until) = (minute(10), minute(40));
    let a = code(INSTITUTIONS[0]);
    let staff01 = LoginId::parse("staff01").unwrap();
    let base = AuditQuery {
        limit: 4,
        ..AuditQuery::default()
    };
    let queries = [
        base.clone(),
        AuditQuery {
            institution: Some(a.clone()),
            ..base.clone()
        },
        AuditQuery {
            institution: Some(a.clone()),
            login_id: Some(staff01.clone()),
            ..base.clone()
        },
        AuditQuery {
            login_id: Some(staff01),
            ..base.clone()
        },
        AuditQuery {
            institution: Some(code("9999999999")),
            ..base.clone()
        },
        AuditQuery {
            kind: Some(AuditKind::PasswordFailed),
            ..base.clone()
        },
        AuditQuery {
            kind: Some(AuditKind::Enrolled),
            ..base.clone()
        },
        AuditQuery {
            since: Some(since),
            ..base.clone()
        },
        AuditQuery {
            until: Some(until),
            ..base.clone()
        },
        AuditQuery {
            since: Some(since),
            until: Some(until),
            ..base.clone()
        },
        AuditQuery {
            since: Some(until),
            until: Some(since),
            ..base.clone()
        },
        AuditQuery {
            institution: Some(a),
            kind: Some(AuditKind::SessionStarted),
            since: Some(minute(5)),
            until: Some(minute(55)),
            ..base.clone()
        },
    ];
    // The filter read independently of `AuditQuery::matches`.
    let selects = |q: &AuditQuery, e: &AuditEvent| {
        let account = e.account.as_ref();
        q.institution
            .as_ref()
            .is_none_or(|c| account.is_some_and(|k| k.institution_code == *c))
            && q.login_id
                .as_ref()
                .is_none_or(|l| account.is_some_and(|k| k.login_id == *l))
            && q.kind.is_none_or(|k| e.kind == k)
            && q.since.is_none_or(|s| e.at >= s)
            && q.until.is_none_or(|u| e.at < u)
    };
    for query in &queries {
        let expected: Vec<StoredAuditEvent> = stored
            .iter()
            .filter(|e| selects(query, &e.event))
            .cloned()
            .collect();
        for e in &stored {
            assert_eq!(
                query.matches(e.seq, &e.event),
                selects(query, &e.event),
                "{query:?}"
            );
        }
        let oldest = AuditQuery {
            order: AuditOrder::OldestFirst,
            ..query.clone()
        };
        assert_eq!(walk_audit(&*store, &oldest, || {}), expected, "{oldest:?}");
        let mut newest_expected = expected.clone();
        newest_expected.reverse();
        assert_eq!(
            walk_audit(&*store, query, || {}),
            newest_expected,
            "{query:?}"
        );
        // One page of a larger limit is the walk's beginning.
        let big = AuditQuery {
            limit: 9,
            ..query.clone()
        };
        let page = store.audit_page(&big).unwrap();
        assert_eq!(page.len(), newest_expected.len().min(9));
        assert_eq!(page[..], newest_expected[..page.len()]);
    }
    // Hand-checked edges: `since` is inclusive and `until` exclusive at the same instant;
    // no event about no account passes an identifier filter.
    let at_since = stored.iter().find(|e| e.event.at == since).unwrap().seq;
    let at_until = stored.iter().find(|e| e.event.at == until).unwrap().seq;
    let bounded = walk_audit(&*store, &queries[9], || {});
    assert!(
        bounded.iter().any(|e| e.seq == at_since),
        "since is inclusive"
    );
    assert!(
        bounded.iter().all(|e| e.seq != at_until),
        "until is exclusive"
    );
    assert_eq!(bounded.len(), 30);
    for query in &queries[1..5] {
        assert!(
            walk_audit(&*store, query, || {})
                .iter()
                .all(|e| e.event.account.is_some())
        );
    }
    assert_eq!(
        walk_audit(&*store, &queries[1], || {}).len(),
        25,
        "two identifiers of 5"
    );
    assert_eq!(
        walk_audit(&*store, &queries[3], || {}).len(),
        25,
        "staff01 of two institutions"
    );
    assert!(walk_audit(&*store, &queries[4], || {}).is_empty());
    assert!(walk_audit(&*store, &queries[10], || {}).is_empty());

    // Limits: none asked, one, more than there are (never an error).
    assert!(
        store
            .audit_page(&AuditQuery {
                limit: 0,
                ..base.clone()
            })
            .unwrap()
            .is_empty()
    );
    let newest = store
        .audit_page(&AuditQuery {
            limit: 1,
            ..base.clone()
        })
        .unwrap();
    assert_eq!(newest[..], stored[stored.len() - 1..]);
    let oldest = AuditQuery {
        order: AuditOrder::OldestFirst,
        limit: usize::MAX,
        ..base.clone()
    };
    assert_eq!(store.audit_page(&oldest).unwrap(), stored);
    // A cursor beyond either end.
    let last = stored[stored.len() - 1].seq;
    let after_last = AuditQuery {
        after: Some(last),
        ..oldest
    };
    assert!(store.audit_page(&after_last).unwrap().is_empty());
    let before_first = AuditQuery {
        after: Some(stored[0].seq),
        ..base.clone()
    };
    assert!(store.audit_page(&before_first).unwrap().is_empty());
    assert_eq!(
        store
            .audit_page(&AuditQuery {
                after: Some(AuditSeq(last.0 + 1)),
                limit: 100,
                ..base.clone()
            })
            .unwrap()
            .len(),
        stored.len()
    );

    // Events appended during a walk: newest first never shows them (they are newer than
    // the cursor); oldest first ends with them.
    let late = |n: i64| AuditEvent {
        at: START - Duration::days(n),
        kind: AuditKind::LoggedOut,
        account: Some(key(INSTITUTIONS[0], "staff01")),
        channel: Channel::Web,
        detail: None,
    };
    let mut n = 0i64;
    let walked = walk_audit(&*store, &base, || {
        n += 1;
        store.append_audit(&late(n)).unwrap();
    });
    let mut reversed = stored.clone();
    reversed.reverse();
    assert_eq!(walked, reversed);
    let appended = n;
    let walked = walk_audit(
        &*store,
        &AuditQuery {
            order: AuditOrder::OldestFirst,
            ..base
        },
        || {},
    );
    assert_eq!(
        walked.len(),
        stored.len() + usize::try_from(appended).unwrap()
    );
    assert_eq!(walked[..stored.len()], stored[..]);
    assert!(
        walked[stored.len()..]
            .iter()
            .map(|e| &e.event)
            .eq((1..=appended).map(late).collect::<Vec<_>>().iter())
    );
}
