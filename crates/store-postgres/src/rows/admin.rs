//! The rows of the audit log and of the API keys.

use postgres::Row;
use serde_json::Value;
use shikaku::{
    ApiKeyId, ApiKeyRecord, AuditEvent, AuditKind, AuditSeq, Channel, StoreError, StoredAuditEvent,
};

use super::codec::{
    Place, digest_from_sql, instant_from_sql, instant_to_sql, json_from_sql, key_from_sql,
    name_from_sql, name_to_sql,
};

// ----- audit_events --------------------------------------------------------------------------

/// [`AuditRow`]'s columns, in [`AuditRow::from_row`]'s order.
macro_rules! audit_columns {
    () => {
        "seq, at, kind, institution_code, login_id, channel, detail"
    };
}
pub(crate) use audit_columns;

/// One row of `audit_events` (`seq` is assigned by the database).
#[derive(Debug)]
pub(crate) struct AuditRow {
    pub(crate) seq: i64,
    pub(crate) at: String,
    pub(crate) kind: String,
    pub(crate) institution_code: Option<String>,
    pub(crate) login_id: Option<String>,
    pub(crate) channel: String,
    pub(crate) detail: Option<String>,
}

impl AuditRow {
    /// [`audit_columns!`], for statements built at run time.
    pub(crate) const COLUMNS: &'static str = audit_columns!();

    pub(crate) fn from_row(row: &Row) -> Result<Self, postgres::Error> {
        Ok(Self {
            seq: row.try_get(0)?,
            at: row.try_get(1)?,
            kind: row.try_get(2)?,
            institution_code: row.try_get(3)?,
            login_id: row.try_get(4)?,
            channel: row.try_get(5)?,
            detail: row.try_get(6)?,
        })
    }
}

impl TryFrom<AuditRow> for StoredAuditEvent {
    type Error = StoreError;

    fn try_from(row: AuditRow) -> Result<Self, StoreError> {
        let seq = row.seq;
        let at = Place::new("audit_events", &seq);
        let account = match (row.institution_code, row.login_id) {
            (None, None) => None,
            (Some(code), Some(login)) => Some(key_from_sql(code, login, &at)?),
            _ => {
                return Err(at
                    .column("institution_code/login_id")
                    .corrupt("is only partly set"));
            }
        };
        Ok(Self {
            seq: AuditSeq(seq),
            event: AuditEvent {
                at: instant_from_sql(&row.at, &at.column("at"))?,
                kind: name_from_sql::<AuditKind>(row.kind, &at.column("kind"))?,
                account,
                channel: name_from_sql::<Channel>(row.channel, &at.column("channel"))?,
                detail: row.detail,
            },
        })
    }
}

impl TryFrom<&AuditEvent> for AuditRow {
    type Error = StoreError;

    fn try_from(event: &AuditEvent) -> Result<Self, StoreError> {
        let key = event.account.as_ref();
        Ok(Self {
            seq: 0,
            at: instant_to_sql(event.at)?,
            kind: event.kind.as_str().to_owned(),
            institution_code: key.map(|k| k.institution_code.as_str().to_owned()),
            login_id: key.map(|k| k.login_id.as_str().to_owned()),
            channel: name_to_sql(&event.channel, "the audit channel")?,
            detail: event.detail.clone(),
        })
    }
}

// ----- api_keys ------------------------------------------------------------------------------

/// [`ApiKeyRow`]'s columns, in [`ApiKeyRow::from_row`]'s order.
macro_rules! api_key_columns {
    () => {
        "id, name, digest, scope, created_at, revoked_at"
    };
}
pub(crate) use api_key_columns;

/// One row of `api_keys`.
#[derive(Debug)]
pub(crate) struct ApiKeyRow {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) digest: Vec<u8>,
    pub(crate) scope: Value,
    pub(crate) created_at: String,
    pub(crate) revoked_at: Option<String>,
}

impl ApiKeyRow {
    pub(crate) fn from_row(row: &Row) -> Result<Self, postgres::Error> {
        Ok(Self {
            id: row.try_get(0)?,
            name: row.try_get(1)?,
            digest: row.try_get(2)?,
            scope: row.try_get(3)?,
            created_at: row.try_get(4)?,
            revoked_at: row.try_get(5)?,
        })
    }
}

impl TryFrom<ApiKeyRow> for ApiKeyRecord {
    type Error = StoreError;

    fn try_from(row: ApiKeyRow) -> Result<Self, StoreError> {
        let id = row.id;
        let at = Place::new("api_keys", &id);
        Ok(Self {
            id: ApiKeyId(id),
            name: row.name,
            digest: digest_from_sql(&row.digest, &at.column("digest"))?,
            scope: json_from_sql(row.scope, &at.column("scope"))?,
            created_at: instant_from_sql(&row.created_at, &at.column("created_at"))?,
            revoked_at: row
                .revoked_at
                .map(|t| instant_from_sql(&t, &at.column("revoked_at")))
                .transpose()?,
        })
    }
}
