//! Storage rows: one plain struct per table, column for column, converted to and from
//! the facade's records with `TryFrom`.
//!
//! Reading a row never panics: a value that does not decode (bad JSON, an instant out
//! of form, a digest of the wrong length, an identifier the facade would refuse)
//! becomes [`StoreError::Corrupt`] naming the table, the row and the column — but never
//! the value, which may be a password hash.

mod admin;
mod codec;

pub(crate) use admin::{ApiKeyRow, KeyedAttemptsRow, key_check_from_sql, key_id_from_sql};
pub(crate) use codec::instant_to_sql;
use codec::{
    Place, digest_from_sql, instant_from_sql, json_from_sql, json_to_sql, key_from_sql,
    name_from_sql, name_to_sql, step_to_sql,
};
use shikaku::lockout::Lockout;
use shikaku::{
    AccountId, AccountRecord, Attempts, AuditEvent, AuditKind, Channel, LoginTicketRecord,
    MfaRecord, PendingMfa, SealedSecret, SessionRecord, StoreError,
};

// ----- accounts ----------------------------------------------------------------------------

/// One row of `accounts`.
#[derive(Debug)]
pub(crate) struct AccountRow {
    pub(crate) id: i64,
    pub(crate) institution_code: String,
    pub(crate) login_id: String,
    pub(crate) password_history: String,
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
    pub(crate) session_slot: String,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

impl AccountRow {
    /// The column list every `SELECT` of this row uses, in [`Self::from_row`]'s order.
    pub(crate) const COLUMNS: &'static str = "id, institution_code, login_id, password_history, \
        must_change_password, disabled, mfa_secret, mfa_last_step, mfa_drift, mfa_enrolled_at, \
        pending_secret, pending_print_prompt_shown, pending_created_at, session_slot, \
        created_at, updated_at, pending_ticket";

    pub(crate) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            institution_code: row.get(1)?,
            login_id: row.get(2)?,
            password_history: row.get(3)?,
            must_change_password: row.get(4)?,
            disabled: row.get(5)?,
            mfa_secret: row.get(6)?,
            mfa_last_step: row.get(7)?,
            mfa_drift: row.get(8)?,
            mfa_enrolled_at: row.get(9)?,
            pending_secret: row.get(10)?,
            pending_print_prompt_shown: row.get(11)?,
            pending_created_at: row.get(12)?,
            session_slot: row.get(13)?,
            created_at: row.get(14)?,
            updated_at: row.get(15)?,
            pending_ticket: row.get(16)?,
        })
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
            password: json_from_sql(&row.password_history, &at.column("password_history"))?,
            must_change_password: row.must_change_password,
            disabled: row.disabled,
            mfa,
            pending_mfa,
            sessions: json_from_sql(&row.session_slot, &at.column("session_slot"))?,
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

/// One row of `attempts` (the key columns are bound separately).
#[derive(Debug)]
pub(crate) struct AttemptsRow {
    pub(crate) password_lockout: String,
    pub(crate) passcode_lockout: String,
}

impl AttemptsRow {
    pub(crate) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            password_lockout: row.get(0)?,
            passcode_lockout: row.get(1)?,
        })
    }

    /// Decodes the row of identifier `key`.
    pub(crate) fn decode(&self, key: &str) -> Result<Attempts, StoreError> {
        let at = Place::new("attempts", &key);
        Ok(Attempts {
            password: json_from_sql::<Lockout>(
                &self.password_lockout,
                &at.column("password_lockout"),
            )?,
            passcode: json_from_sql::<Lockout>(
                &self.passcode_lockout,
                &at.column("passcode_lockout"),
            )?,
        })
    }
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

/// One row of `login_tickets`.
#[derive(Debug)]
pub(crate) struct TicketRow {
    pub(crate) digest: Vec<u8>,
    pub(crate) account_id: i64,
    pub(crate) issued_at: String,
    pub(crate) expires_at: String,
}

impl TicketRow {
    pub(crate) const COLUMNS: &'static str = "digest, account_id, issued_at, expires_at";

    pub(crate) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            digest: row.get(0)?,
            account_id: row.get(1)?,
            issued_at: row.get(2)?,
            expires_at: row.get(3)?,
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

/// One row of `sessions`.
#[derive(Debug)]
pub(crate) struct SessionRow {
    pub(crate) digest: Vec<u8>,
    pub(crate) account_id: i64,
    pub(crate) clock: String,
    pub(crate) created_at: String,
}

impl SessionRow {
    pub(crate) const COLUMNS: &'static str = "digest, account_id, clock, created_at";

    pub(crate) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            digest: row.get(0)?,
            account_id: row.get(1)?,
            clock: row.get(2)?,
            created_at: row.get(3)?,
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
            clock: json_from_sql(&row.clock, &at.column("clock"))?,
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

// ----- audit_events --------------------------------------------------------------------------

/// One row of `audit_events` (`seq` is assigned by SQLite).
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
    pub(crate) const COLUMNS: &'static str =
        "seq, at, kind, institution_code, login_id, channel, detail";

    pub(crate) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            seq: row.get(0)?,
            at: row.get(1)?,
            kind: row.get(2)?,
            institution_code: row.get(3)?,
            login_id: row.get(4)?,
            channel: row.get(5)?,
            detail: row.get(6)?,
        })
    }
}

impl TryFrom<AuditRow> for AuditEvent {
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
            at: instant_from_sql(&row.at, &at.column("at"))?,
            kind: name_from_sql::<AuditKind>(row.kind, &at.column("kind"))?,
            account,
            channel: name_from_sql::<Channel>(row.channel, &at.column("channel"))?,
            detail: row.detail,
        })
    }
}

impl TryFrom<&AuditEvent> for AuditRow {
    type Error = StoreError;

    fn try_from(event: &AuditEvent) -> Result<Self, StoreError> {
        Ok(Self {
            seq: 0,
            at: instant_to_sql(event.at)?,
            kind: event.kind.as_str().to_owned(),
            institution_code: event
                .account
                .as_ref()
                .map(|k| k.institution_code.as_str().to_owned()),
            login_id: event
                .account
                .as_ref()
                .map(|k| k.login_id.as_str().to_owned()),
            channel: name_to_sql(&event.channel, "the audit channel")?,
            detail: event.detail.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shikaku::TokenDigest;
    use time::macros::datetime;

    #[test]
    fn instants_are_fixed_width_utc_and_round_trip_to_the_nanosecond() {
        let at = datetime!(2025-04-01 09:00:00.000000001 +09:00);
        let text = instant_to_sql(at).unwrap();
        assert_eq!(text, "2025-04-01T00:00:00.000000001Z");
        let place = Place::new("t", &1);
        assert_eq!(instant_from_sql(&text, &place).unwrap(), at);
        let later = instant_to_sql(datetime!(2025-04-01 00:00:00.1 UTC)).unwrap();
        assert!(text < later, "text order is time order");
        assert_eq!(
            instant_to_sql(datetime!(2025-04-01 0:00 UTC))
                .unwrap()
                .len(),
            text.len()
        );
    }

    #[test]
    fn instants_outside_four_digit_years_are_refused_not_mangled() {
        assert!(instant_to_sql(datetime!(-0001-01-01 0:00 UTC)).is_err());
        let place = Place::new("t", &1);
        assert!(instant_from_sql("yesterday", &place).is_err());
    }

    #[test]
    fn json_errors_name_the_place_but_not_the_value() {
        let place = Place::new("accounts", &7).column("session_slot");
        let err = json_from_sql::<shikaku::lockout::SessionSlot>(
            r#"{"last_issued":"$argon2id$secret","active":true}"#,
            &place,
        )
        .unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("accounts row 7, column session_slot"),
            "{message}"
        );
        assert!(!message.contains("argon2id"), "{message}");
    }

    #[test]
    fn digests_must_be_32_bytes() {
        let place = Place::new("sessions", &1);
        assert!(digest_from_sql(&[0; 31], &place).is_err());
        assert_eq!(
            digest_from_sql(&[9; 32], &place).unwrap(),
            TokenDigest([9; 32])
        );
    }

    #[test]
    fn unit_enums_are_stored_by_name() {
        assert_eq!(
            name_to_sql(&Channel::ReceiptComputer, "c").unwrap(),
            "receipt_computer"
        );
        let place = Place::new("audit_events", &1);
        assert_eq!(
            name_from_sql::<Channel>("web".to_owned(), &place).unwrap(),
            Channel::Web
        );
        assert!(name_from_sql::<Channel>("fax".to_owned(), &place).is_err());
    }
}
