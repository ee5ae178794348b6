//! The `audit_events` table: an append-only log, read back newest first or in
//! filtered keyset pages.
//!
//! `seq` comes from an identity column, and each append holds a transaction-scoped
//! advisory lock from drawing its number to its commit. Without it two nodes could
//! draw 10 and 11 and commit 11 first: a reader paging oldest first (an export) would
//! pass 11 and never see 10. With it, numbers become visible in the order drawn, on
//! every node; the price is that appends are serialised — one short insert each, one
//! statement and one round trip.

use postgres::types::ToSql;
use postgres::{Client, Row};
use shikaku::{AccountPage, AuditEvent, AuditOrder, AuditQuery, StoreError, StoredAuditEvent};
use time::{OffsetDateTime, UtcOffset};

use super::PostgresStore;
use crate::rows::{AuditRow, audit_columns, instant_to_sql};
use crate::sql::Sql;

/// The advisory lock key of appends: "shkkaudt".
const APPEND_LOCK: i64 = 0x7368_6b6b_6175_6474;

pub(super) fn append(store: &PostgresStore, event: &AuditEvent) -> Result<(), StoreError> {
    let row = AuditRow::try_from(event)?;
    // One statement, so one round trip in its own implicit transaction: the CTE takes
    // the lock before the INSERT draws `seq` (the row it inserts is built from the
    // CTE's row), and the transaction-scoped lock lasts until the implicit commit.
    store.with_client("append an audit event", |client| {
        client.execute(
            "WITH appending AS (SELECT pg_advisory_xact_lock($1)) \
             INSERT INTO audit_events (at, kind, institution_code, login_id, channel, detail) \
             SELECT $2::text, $3::text, $4::text, $5::text, $6::text, $7::text FROM appending",
            &[
                &APPEND_LOCK,
                &row.at,
                &row.kind,
                &row.institution_code,
                &row.login_id,
                &row.channel,
                &row.detail,
            ],
        )?;
        Ok(())
    })
}

/// Deletes at most `limit` of the events stamped before `before`, oldest first, in one
/// statement (a range of the index on `at`); returns how many went. An identity
/// column never gives a deleted `seq` again.
pub(super) fn delete_before(
    store: &PostgresStore,
    before: OffsetDateTime,
    limit: usize,
) -> Result<usize, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    // Every stored instant lies in the years 0000–9999.
    let bound = match before.to_offset(UtcOffset::UTC).year() {
        ..0 => return Ok(0),
        10_000.. => None,
        _ => Some(instant_to_sql(before)?),
    };
    store.with_client("delete old audit events", |client| {
        let deleted = match &bound {
            Some(at) => client.execute(
                "DELETE FROM audit_events WHERE seq IN (SELECT seq FROM audit_events \
                 WHERE at < $1 ORDER BY at LIMIT $2)",
                &[at, &limit],
            )?,
            None => client.execute(
                "DELETE FROM audit_events WHERE seq IN (SELECT seq FROM audit_events \
                 ORDER BY at LIMIT $1)",
                &[&limit],
            )?,
        };
        Ok(usize::try_from(deleted).unwrap_or(usize::MAX))
    })
}

/// The last `limit` events appended, newest first (by arrival, not by `at`).
pub(super) fn recent(store: &PostgresStore, limit: usize) -> Result<Vec<AuditEvent>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    Ok(read(store, "read audit events", |client| {
        client.query(
            concat!(
                "SELECT ",
                audit_columns!(),
                " FROM audit_events ORDER BY seq DESC LIMIT $1"
            ),
            &[&limit],
        )
    })?
    .into_iter()
    .map(|e| e.event)
    .collect())
}

/// The events matching `query` ([`AuditQuery::matches`]), in its order from its
/// cursor, at most [`AccountPage::MAX_LIMIT`].
pub(super) fn page(
    store: &PostgresStore,
    query: &AuditQuery,
) -> Result<Vec<StoredAuditEvent>, StoreError> {
    let code = query.institution.as_ref().map(|c| c.as_str().to_owned());
    let login = query.login_id.as_ref().map(|l| l.as_str().to_owned());
    let kind = query.kind.map(|k| k.as_str().to_owned());
    let since = query.since.map(instant_to_sql).transpose()?;
    let until = query.until.map(instant_to_sql).transpose()?;
    let after = query.after.map(|seq| seq.0);
    let limit = i64::try_from(query.limit.min(AccountPage::MAX_LIMIT)).unwrap_or(0);
    let (order, after_op) = match query.order {
        AuditOrder::NewestFirst => ("DESC", "<"),
        AuditOrder::OldestFirst => ("ASC", ">"),
    };

    let mut clauses: Vec<String> = Vec::new();
    let mut params: Vec<&(dyn ToSql + Sync)> = Vec::new();
    // Each bound value lives in a local above, so the references outlive the query.
    let filters: [(&str, Option<&(dyn ToSql + Sync)>); 6] = [
        ("institution_code = ?", code.as_ref().map(|v| v as _)),
        ("login_id = ?", login.as_ref().map(|v| v as _)),
        ("kind = ?", kind.as_ref().map(|v| v as _)),
        ("at >= ?", since.as_ref().map(|v| v as _)),
        ("at < ?", until.as_ref().map(|v| v as _)),
        (
            if after_op == "<" {
                "seq < ?"
            } else {
                "seq > ?"
            },
            after.as_ref().map(|v| v as _),
        ),
    ];
    for (clause, value) in filters {
        if let Some(value) = value {
            params.push(value);
            clauses.push(clause.replace('?', &format!("${}", params.len())));
        }
    }
    params.push(&limit);
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    // Built at run time (the filters vary), so not one of the cached statements.
    let sql = format!(
        "SELECT {} FROM audit_events {filter} ORDER BY seq {order} LIMIT ${}",
        AuditRow::COLUMNS,
        params.len()
    );
    read(store, "read a page of audit events", |client| {
        client.query_uncached(&sql, &params)
    })
}

/// The events `query` reads.
fn read(
    store: &PostgresStore,
    op: &'static str,
    mut query: impl FnMut(&mut Sql<'_, Client>) -> Result<Vec<Row>, postgres::Error>,
) -> Result<Vec<StoredAuditEvent>, StoreError> {
    let rows = store.with_client(op, |client| {
        Ok(query(client)?
            .iter()
            .map(AuditRow::from_row)
            .collect::<Result<Vec<_>, _>>()?)
    })?;
    rows.into_iter().map(StoredAuditEvent::try_from).collect()
}
