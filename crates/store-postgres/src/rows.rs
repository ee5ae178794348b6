//! Storage rows: one plain struct per table, column for column, converted to and from
//! the facade's records with `TryFrom` — the SQLite store's rows, with PostgreSQL's
//! types (jsonb, bytea, boolean, bigint).
//!
//! Reading a row never panics: a value that does not decode (JSON of the wrong shape,
//! an instant out of form, a digest of the wrong length, an identifier the facade
//! would refuse) becomes [`StoreError::Corrupt`] naming the table, the row and the
//! column — but never the value, which may be a password hash.

mod admin;
mod codec;

pub(crate) use admin::{ApiKeyRow, AuditRow, api_key_columns, audit_columns};
pub(crate) use codec::instant_to_sql;
use codec::{
    Place, digest_from_sql, instant_from_sql, json_from_sql, json_to_sql, key_from_sql, step_to_sql,
};
use postgres::Row;
use serde_json::Value;
use shikaku::{
    AccountId, AccountKey, AccountRecord, Attempts, LoginTicketRecord, MfaRecord, PendingMfa,
    SealedSecret, SessionRecord, StoreError,
};

// Each row's column list is a macro expanding to a string literal, so statements can be
// built with `concat!` as `&'static str`: the key of the per-connection statement
// cache (`crate::sql`).

// ----- accounts ----------------------------------------------------------------------------

/// The column list every `SELECT` of an [`AccountRow`] uses, in
/// [`AccountRow::from_row`]'s order; also the order of `INSERT`s of a whole row
/// (`$1` … `$17`).
macro_rules! account_columns {
    () => {
        "id, institution_code, login_id, password_history, must_change_password, disabled, \
         mfa_secret, mfa_last_step, mfa_drift, mfa_enrolled_at, pending_secret, \
         pending_print_prompt_shown, pending_created_at, pending_ticket, session_slot, \
         created_at, updated_at"
    };
}
pub(crate) use account_columns;

/// One row of `accounts`.
#[derive(Debug)]
pub(crate) struct AccountRow {
    pub(crate) id: i64,
    pub(crate) institution_code: String,
    pub(crate) login_id: String,
    pub(crate) password_history: Value,
    pub(crate) must_change_password: bool,
    pub(crate) disabled: bool,
    pub(crate) mfa_secret: Option<Vec<u8>>,
    pub(crate) mfa_last_step: Option<i64>,
    pub(crate) mfa_drift: Option<i64>,
    pub(crate) mfa_enrolled_at: Option<String>,
    pub(crate) pending_secret: Option<Vec<u8>>,
    pub(crate) pending_print_prompt_shown: Option<bool>,
    pub(crate) pending_created_at: Option<String>,
    pub(crate) pending_ticket: Option<Vec<u8>>,
    pub(crate) session_slot: Value,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

impl AccountRow {
    /// [`account_columns!`], for statements built at run time.
    pub(crate) const COLUMNS: &'static str = account_columns!();

    pub(crate) fn from_row(row: &Row) -> Result<Self, postgres::Error> {
        Ok(Self {
            id: row.try_get(0)?,
            institution_code: row.try_get(1)?,
            login_id: row.try_get(2)?,
            password_history: row.try_get(3)?,
            must_change_password: row.try_get(4)?,
            disabled: row.try_get(5)?,
            mfa_secret: row.try_get(6)?,
            mfa_last_step: row.try_get(7)?,
            mfa_drift: row.try_get(8)?,
            mfa_enrolled_at: row.try_get(9)?,
            pending_secret: row.try_get(10)?,
            pending_print_prompt_shown: row.try_get(11)?,
            pending_created_at: row.try_get(12)?,
            pending_ticket: row.try_get(13)?,
            session_slot: row.try_get(14)?,
            created_at: row.try_get(15)?,
            updated_at: row.try_get(16)?,
        })
    }

    /// The values in [`account_columns!`] order, for `$1` … `$17`.
    pub(crate) fn params(&self) -> [&(dyn postgres::types::ToSql + Sync); 17] {
        [
            &self.id,
            &self.institution_code,
            &self.login_id,
            &self.password_history,
            &self.must_change_password,
            &self.disabled,
            &self.mfa_secret,
            &self.mfa_last_step,
            &self.mfa_drift,
            &self.mfa_enrolled_at,
            &self.pending_secret,
            &self.pending_print_prompt_shown,
            &self.pending_created_at,
            &self.pending_ticket,
            &self.session_slot,
            &self.created_at,
            &self.updated_at,
        ]
    }
}

impl TryFrom<AccountRow> for AccountRecord {
    type Error = StoreError;

    fn try_from(row: AccountRow) -> Result<Self, StoreError> {
        let id = row.id;
        let at = Place::new("accounts", &id);
        let key = key_from_sql(row.institution_code, row.login_id, &at)?;
        let mfa = match (row.mfa_secret, row.mfa_drift, row.mfa_enrolled_at) {
            (None, None, None) if row.mfa_last_step.is_none() => None,
            (Some(secret), Some(drift), Some(enrolled_at)) => Some(MfaRecord {
                secret: SealedSecret(secret),
                last_step: row
                    .mfa_last_step
                    .map(u64::try_from)
                    .transpose()
                    .map_err(|_| at.column("mfa_last_step").corrupt("is negative"))?,
                drift,
                enrolled_at: instant_from_sql(&enrolled_at, &at.column("mfa_enrolled_at"))?,
            }),
            _ => return Err(at.column("mfa_*").corrupt("is only partly set")),
        };
        let pending_mfa = match (
            row.pending_secret,
            row.pending_print_prompt_shown,
            row.pending_created_at,
        ) {
            (None, None, None) if row.pending_ticket.is_none() => None,
            (Some(secret), Some(print_prompt_shown), Some(created_at)) => Some(PendingMfa {
                secret: SealedSecret(secret),
                ticket: row
                    .pending_ticket
                    .map(|d| digest_from_sql(&d, &at.column("pending_ticket")))
                    .transpose()?,
                print_prompt_shown,
                created_at: instant_from_sql(&created_at, &at.column("pending_created_at"))?,
            }),
            _ => return Err(at.column("pending_*").corrupt("is only partly set")),
        };
        Ok(Self {
            id: AccountId(id),
            key,
            password: json_from_sql(row.password_history, &at.column("password_history"))?,
            must_change_password: row.must_change_password,
            disabled: row.disabled,
            mfa,
            pending_mfa,
            sessions: json_from_sql(row.session_slot, &at.column("session_slot"))?,
            created_at: instant_from_sql(&row.created_at, &at.column("created_at"))?,
            updated_at: instant_from_sql(&row.updated_at, &at.column("updated_at"))?,
        })
    }
}

impl TryFrom<&AccountRecord> for AccountRow {
    type Error = StoreError;

    fn try_from(record: &AccountRecord) -> Result<Self, StoreError> {
        let mfa = record.mfa.as_ref();
        let pending = record.pending_mfa.as_ref();
        Ok(Self {
            id: record.id.0,
            institution_code: record.key.institution_code.as_str().to_owned(),
            login_id: record.key.login_id.as_str().to_owned(),
            password_history: json_to_sql(&record.password, "the password history")?,
            must_change_password: record.must_change_password,
            disabled: record.disabled,
            mfa_secret: mfa.map(|m| m.secret.0.clone()),
            mfa_last_step: mfa.and_then(|m| m.last_step).map(step_to_sql).transpose()?,
            mfa_drift: mfa.map(|m| m.drift),
            mfa_enrolled_at: mfa.map(|m| instant_to_sql(m.enrolled_at)).transpose()?,
            pending_secret: pending.map(|p| p.secret.0.clone()),
            pending_print_prompt_shown: pending.map(|p| p.print_prompt_shown),
            pending_created_at: pending.map(|p| instant_to_sql(p.created_at)).transpose()?,
            pending_ticket: pending.and_then(|p| p.ticket).map(|d| d.0.to_vec()),
            session_slot: json_to_sql(&record.sessions, "the session slot")?,
            created_at: instant_to_sql(record.created_at)?,
            updated_at: instant_to_sql(record.updated_at)?,
        })
    }
}

// ----- attempts ----------------------------------------------------------------------------

/// The two lockout columns of one row of `attempts` (the key columns are bound apart).
#[derive(Debug)]
pub(crate) struct AttemptsRow {
    pub(crate) password_lockout: Value,
    pub(crate) passcode_lockout: Value,
}

impl AttemptsRow {
    /// Reads the two lockout columns starting at column `first`.
    pub(crate) fn from_row(row: &Row, first: usize) -> Result<Self, postgres::Error> {
        Ok(Self {
            password_lockout: row.try_get(first)?,
            passcode_lockout: row.try_get(first + 1)?,
        })
    }

    /// Decodes the row of identifier `key`.
    pub(crate) fn decode(self, key: &str) -> Result<Attempts, StoreError> {
        let at = Place::new("attempts", &key);
        Ok(Attempts {
            password: json_from_sql(self.password_lockout, &at.column("password_lockout"))?,
            passcode: json_from_sql(self.passcode_lockout, &at.column("passcode_lockout"))?,
        })
    }
}

/// The identifier of an `attempts` row.
pub(crate) fn attempts_key(code: String, login: String) -> Result<AccountKey, StoreError> {
    let name = format!("{code}/{login}");
    key_from_sql(code, login, &Place::new("attempts", &name))
}

impl TryFrom<&Attempts> for AttemptsRow {
    type Error = StoreError;

    fn try_from(attempts: &Attempts) -> Result<Self, StoreError> {
        Ok(Self {
            password_lockout: json_to_sql(&attempts.password, "the password lockout")?,
            passcode_lockout: json_to_sql(&attempts.passcode, "the passcode lockout")?,
        })
    }
}

// ----- login_tickets -------------------------------------------------------------------------

/// [`TicketRow`]'s columns, in [`TicketRow::from_row`]'s order.
macro_rules! ticket_columns {
    () => {
        "digest, account_id, issued_at, expires_at"
    };
}
pub(crate) use ticket_columns;

/// One row of `login_tickets`.
#[derive(Debug)]
pub(crate) struct TicketRow {
    pub(crate) digest: Vec<u8>,
    pub(crate) account_id: i64,
    pub(crate) issued_at: String,
    pub(crate) expires_at: String,
}

impl TicketRow {
    pub(crate) fn from_row(row: &Row) -> Result<Self, postgres::Error> {
        Ok(Self {
            digest: row.try_get(0)?,
            account_id: row.try_get(1)?,
            issued_at: row.try_get(2)?,
            expires_at: row.try_get(3)?,
        })
    }
}

impl TryFrom<TicketRow> for LoginTicketRecord {
    type Error = StoreError;

    fn try_from(row: TicketRow) -> Result<Self, StoreError> {
        let name = format!("of account {}", row.account_id);
        let at = Place::new("login_tickets", &name);
        Ok(Self {
            digest: digest_from_sql(&row.digest, &at.column("digest"))?,
            account: AccountId(row.account_id),
            issued_at: instant_from_sql(&row.issued_at, &at.column("issued_at"))?,
            expires_at: instant_from_sql(&row.expires_at, &at.column("expires_at"))?,
        })
    }
}

impl TryFrom<&LoginTicketRecord> for TicketRow {
    type Error = StoreError;

    fn try_from(ticket: &LoginTicketRecord) -> Result<Self, StoreError> {
        Ok(Self {
            digest: ticket.digest.0.to_vec(),
            account_id: ticket.account.0,
            issued_at: instant_to_sql(ticket.issued_at)?,
            expires_at: instant_to_sql(ticket.expires_at)?,
        })
    }
}

// ----- sessions ------------------------------------------------------------------------------

/// [`SessionRow`]'s columns, in [`SessionRow::from_row`]'s order.
macro_rules! session_columns {
    () => {
        "digest, account_id, clock, created_at"
    };
}
pub(crate) use session_columns;

/// One row of `sessions`.
#[derive(Debug)]
pub(crate) struct SessionRow {
    pub(crate) digest: Vec<u8>,
    pub(crate) account_id: i64,
    pub(crate) clock: Value,
    pub(crate) created_at: String,
}

impl SessionRow {
    pub(crate) fn from_row(row: &Row) -> Result<Self, postgres::Error> {
        Ok(Self {
            digest: row.try_get(0)?,
            account_id: row.try_get(1)?,
            clock: row.try_get(2)?,
            created_at: row.try_get(3)?,
        })
    }
}

impl TryFrom<SessionRow> for SessionRecord {
    type Error = StoreError;

    fn try_from(row: SessionRow) -> Result<Self, StoreError> {
        let name = format!("of account {}", row.account_id);
        let at = Place::new("sessions", &name);
        Ok(Self {
            digest: digest_from_sql(&row.digest, &at.column("digest"))?,
            account: AccountId(row.account_id),
            clock: json_from_sql(row.clock, &at.column("clock"))?,
            created_at: instant_from_sql(&row.created_at, &at.column("created_at"))?,
        })
    }
}

impl TryFrom<&SessionRecord> for SessionRow {
    type Error = StoreError;

    fn try_from(session: &SessionRecord) -> Result<Self, StoreError> {
        Ok(Self {
            digest: session.digest.0.to_vec(),
            account_id: session.account.0,
            clock: json_to_sql(&session.clock, "the session clock")?,
            created_at: instant_to_sql(session.created_at)?,
        })
    }
}
