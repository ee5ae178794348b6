//! The query plans of the paged reads: each page is an index range read in the order
//! asked — never a scan of the whole table followed by a sort.

use rusqlite::params_from_iter;
use rusqlite::types::Value;
use shikaku::{AccountKey, AccountPage, AuditKind, AuditOrder, AuditQuery, AuditSeq};
use shikaku::{InstitutionCode, LoginId};
use time::macros::datetime;

use super::{SqliteStore, accounts, audit};

fn plan(store: &SqliteStore, sql: &str, values: Vec<Value>) -> String {
    store
        .read("explain", |conn| {
            conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?
                .query_map(params_from_iter(values), |r| r.get::<_, String>(3))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .unwrap()
        .join("; ")
}

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("shikaku.db")).unwrap();
    (dir, store)
}

fn code() -> InstitutionCode {
    InstitutionCode::try_from("0123456789".to_owned()).unwrap()
}

fn login() -> LoginId {
    LoginId::parse("staff01").unwrap()
}

#[test]
fn audit_pages_read_an_index_in_seq_order() {
    let (_dir, store) = store();
    let at = datetime!(2026-04-01 0:00 UTC);
    let base = AuditQuery {
        limit: 50,
        after: Some(AuditSeq(1000)),
        ..AuditQuery::default()
    };
    let cases = [
        (base.clone(), "INTEGER PRIMARY KEY"),
        (
            AuditQuery {
                institution: Some(code()),
                ..base.clone()
            },
            "audit_events_by_institution",
        ),
        (
            AuditQuery {
                institution: Some(code()),
                login_id: Some(login()),
                since: Some(at),
                ..base.clone()
            },
            "audit_events_by_login",
        ),
        (
            AuditQuery {
                kind: Some(AuditKind::PasswordLocked),
                until: Some(at),
                ..base
            },
            "audit_events_by_kind",
        ),
    ];
    for (query, index) in cases {
        for order in [AuditOrder::NewestFirst, AuditOrder::OldestFirst] {
            let query = AuditQuery {
                order,
                ..query.clone()
            };
            let (sql, values) = audit::page_sql(&query).unwrap();
            let plan = plan(&store, &sql, values);
            assert!(plan.contains(index), "{query:?}: {plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{query:?}: {plan}");
        }
    }
}

#[test]
fn account_pages_read_the_key_index_in_order() {
    let (_dir, store) = store();
    let after = AccountKey::new(code(), login());
    for page in [
        AccountPage {
            limit: 50,
            ..AccountPage::default()
        },
        AccountPage {
            after: Some(after.clone()),
            limit: 50,
            ..AccountPage::default()
        },
        AccountPage {
            institution: Some(code()),
            after: Some(after),
            limit: 50,
        },
    ] {
        let (sql, values) = accounts::page_sql(&page);
        let plan = plan(&store, &sql, values);
        assert!(
            plan.contains("sqlite_autoindex_accounts"),
            "{page:?}: {plan}"
        );
        assert!(!plan.contains("TEMP B-TREE"), "{page:?}: {plan}");
        if page.after.is_some() || page.institution.is_some() {
            assert!(plan.starts_with("SEARCH"), "a range, not a scan: {plan}");
        }
    }
}

/// Housekeeping's removal of old audit events is a range of the index on `at`: however
/// long the log, a run with nothing to remove reads nothing.
#[test]
fn removing_old_audit_events_reads_the_time_index() {
    let (_dir, store) = store();
    let plan = plan(
        &store,
        audit::DELETE_BEFORE,
        vec![
            Value::Text("2026-04-01T00:00:00.000000000Z".to_owned()),
            Value::Integer(5000),
        ],
    );
    assert!(
        plan.contains("COVERING INDEX audit_events_by_time (at<?)"),
        "{plan}"
    );
    assert!(!plan.contains("SCAN audit_events"), "{plan}");
}
