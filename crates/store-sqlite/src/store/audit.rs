//! The `audit_events` table: an append-only log, read back newest first.

use rusqlite::params;
use shikaku::{AuditEvent, StoreError};

use super::SqliteStore;
use crate::error::sql;
use crate::rows::AuditRow;

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
