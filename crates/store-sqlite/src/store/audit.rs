//! The `audit_events` table: an append-only log, read back newest first, or a page at
//! a time, filtered, either way from a `seq` cursor.

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter};
use shikaku::{
    AccountPage, AuditEvent, AuditOrder, AuditQuery, AuditSeq, StoreError, StoredAuditEvent,
};
use time::OffsetDateTime;

use super::SqliteStore;
use super::accounts::where_clause;
use crate::error::sql;
use crate::rows::{AuditRow, instant_to_sql};

pub(super) fn append(store: &SqliteStore, event: &AuditEvent) -> Result<(), StoreError> {
    const OP: &str = "append an audit event";
    let row = AuditRow::try_from(event)?;
    store.write(OP, |tx| {
        tx.prepare_cached(
            "INSERT INTO audit_events (at, kind, institution_code, login_id, channel, detail) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .and_then(|mut s| {
            s.execute(params![
                row.at,
                row.kind,
                row.institution_code,
                row.login_id,
                row.channel,
                row.detail
            ])
        })
        .map_err(sql(OP))
    })?;
    Ok(())
}

/// The statement of [`delete_before`] with a bound.
pub(super) const DELETE_BEFORE: &str = "DELETE FROM audit_events WHERE seq IN \
     (SELECT seq FROM audit_events WHERE at < ?1 ORDER BY at LIMIT ?2)";

/// Deletes at most `limit` of the events stamped before `before`, oldest first, in one
/// write transaction (a range of the index on `at`, never a scan of the log); returns
/// how many went.
/// `AUTOINCREMENT` never gives a deleted `seq` again.
pub(super) fn delete_before(
    store: &SqliteStore,
    before: OffsetDateTime,
    limit: usize,
) -> Result<usize, StoreError> {
    const OP: &str = "delete old audit events";
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let bound = match stored_instant(before) {
        Stored::BeforeAll => return Ok(0),
        Stored::At(at) => Some(at),
        Stored::AfterAll => None,
    };
    store.write(OP, |tx| {
        let deleted = match &bound {
            Some(at) => tx
                .prepare_cached(DELETE_BEFORE)
                .and_then(|mut s| s.execute(params![at, limit])),
            None => tx
                .prepare_cached(
                    "DELETE FROM audit_events WHERE seq IN (SELECT seq FROM audit_events \
                     ORDER BY at LIMIT ?1)",
                )
                .and_then(|mut s| s.execute([limit])),
        };
        deleted.map_err(sql(OP))
    })
}

/// The last `limit` events appended, newest first (by arrival, not by `at`).
pub(super) fn recent(store: &SqliteStore, limit: usize) -> Result<Vec<AuditEvent>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = store.read("read audit events", |conn| {
        conn.prepare_cached(&format!(
            "SELECT {} FROM audit_events ORDER BY seq DESC LIMIT ?1",
            AuditRow::COLUMNS
        ))?
        .query_map([limit], AuditRow::from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    rows.into_iter().map(AuditEvent::try_from).collect()
}

/// One page of [`AuditQuery`]: the same answer as [`AuditQuery::matches`] over the log
/// in `seq` order (see [`page_sql`]).
pub(super) fn page(
    store: &SqliteStore,
    query: &AuditQuery,
) -> Result<Vec<StoredAuditEvent>, StoreError> {
    let Some((sql_text, values)) = page_sql(query) else {
        return Ok(Vec::new());
    };
    let rows = store.read("read a page of audit events", |conn| {
        conn.prepare_cached(&sql_text)?
            .query_map(params_from_iter(values), AuditRow::from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    rows.into_iter()
        .map(|row| {
            let seq = AuditSeq(row.seq);
            Ok(StoredAuditEvent {
                seq,
                event: AuditEvent::try_from(row)?,
            })
        })
        .collect()
}

/// The statement of one page and its parameters: the filters as `WHERE` terms (each
/// the leading columns of an index ending in `seq`; see migration 3), the cursor as a
/// `seq` bound, `ORDER BY seq` its way and `LIMIT` (at most
/// [`AccountPage::MAX_LIMIT`]). `None` when a time bound lies outside every instant a
/// row can hold, so nothing can match.
pub(super) fn page_sql(query: &AuditQuery) -> Option<(String, Vec<Value>)> {
    let mut filters = Vec::new();
    let mut values = Vec::new();
    let mut bind = |filters: &mut Vec<String>, term: &str, value: Value| {
        values.push(value);
        filters.push(format!("{term} ?{}", values.len()));
    };
    if let Some(code) = &query.institution {
        let code = Value::Text(code.as_str().to_owned());
        bind(&mut filters, "institution_code =", code);
    }
    if let Some(login) = &query.login_id {
        let login = Value::Text(login.as_str().to_owned());
        bind(&mut filters, "login_id =", login);
    }
    if let Some(kind) = query.kind {
        bind(
            &mut filters,
            "kind =",
            Value::Text(kind.as_str().to_owned()),
        );
    }
    match query.since.map(stored_instant) {
        None | Some(Stored::BeforeAll) => {}
        Some(Stored::At(since)) => bind(&mut filters, "at >=", Value::Text(since)),
        Some(Stored::AfterAll) => return None,
    }
    match query.until.map(stored_instant) {
        None | Some(Stored::AfterAll) => {}
        Some(Stored::At(until)) => bind(&mut filters, "at <", Value::Text(until)),
        Some(Stored::BeforeAll) => return None,
    }
    let (cursor, direction) = match query.order {
        AuditOrder::NewestFirst => ("seq <", "DESC"),
        AuditOrder::OldestFirst => ("seq >", "ASC"),
    };
    if let Some(AuditSeq(after)) = query.after {
        bind(&mut filters, cursor, Value::Integer(after));
    }
    let limit = query.limit.min(AccountPage::MAX_LIMIT);
    values.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    let sql_text = format!(
        "SELECT {} FROM audit_events{} ORDER BY seq {direction} LIMIT ?{}",
        AuditRow::COLUMNS,
        where_clause(&filters),
        values.len()
    );
    Some((sql_text, values))
}

/// Where a query's time bound falls among the instants a row can hold (years
/// 0000–9999, as [`instant_to_sql`] writes them).
enum Stored {
    BeforeAll,
    At(String),
    AfterAll,
}

fn stored_instant(at: OffsetDateTime) -> Stored {
    /// 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z.
    const FIRST: i64 = -62_167_219_200;
    const END: i64 = 253_402_300_800;
    match at.unix_timestamp() {
        t if t < FIRST => Stored::BeforeAll,
        t if t >= END => Stored::AfterAll,
        _ => instant_to_sql(at).map_or(Stored::AfterAll, Stored::At),
    }
}
