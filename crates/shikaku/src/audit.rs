//! Audit events: one for every security-relevant step, never holding a secret.

use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use crate::ids::AccountKey;
use crate::store::Store;

/// When a lock lifts, as the audit log and the API write it: RFC 3339 in UTC, whole
/// seconds, rounded up (waiting until the time given is always enough), e.g.
/// `2026-04-01T00:30:00Z`.
pub fn lock_end_text(until: OffsetDateTime) -> String {
    let utc = until.to_offset(UtcOffset::UTC);
    let whole = match utc.replace_nanosecond(0) {
        Ok(floor) if floor != utc => floor.saturating_add(time::Duration::SECOND),
        Ok(floor) => floor,
        Err(_) => utc,
    };
    whole.format(&Rfc3339).unwrap_or_else(|_| {
        // Only years outside 0000..=9999 cannot be written; no lock lasts that long.
        "9999-12-31T23:59:59Z".to_owned()
    })
}

/// The detail of a lock's first refusal: `until <lock end>`.
pub(crate) fn until_detail(until: OffsetDateTime) -> String {
    format!("until {}", lock_end_text(until))
}

/// The detail of a lock period's refusal count: `count=N until <lock end>`.
pub(crate) fn count_detail(count: u32, until: OffsetDateTime) -> String {
    format!("count={count} until {}", lock_end_text(until))
}

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuditKind {
    /// An administrator issued an account.
    AccountProvisioned,
    /// The password was accepted; the passcode step follows.
    PasswordAccepted,
    /// A wrong password (or an unknown identifier).
    PasswordFailed,
    /// The third wrong password locked the identifier.
    PasswordLocked,
    /// An attempt arrived while the password lock was in force.
    PasswordAttemptWhileLocked,
    /// A correct password for a disabled account.
    DisabledLoginRefused,
    /// A wrong passcode.
    PasscodeFailed,
    /// A passcode whose time step was already used.
    ReplayRefused,
    /// The third wrong passcode locked the identifier; the pending login was voided.
    PasscodeLocked,
    /// An attempt arrived while the passcode lock was in force.
    PasscodeAttemptWhileLocked,
    /// An Authenticator was registered (MFA 登録完了).
    Enrolled,
    /// A session began.
    SessionStarted,
    /// An earlier session was ended by a new login.
    SessionSuperseded,
    /// A session ended after 30 idle minutes.
    SessionExpired,
    /// The user logged out.
    LoggedOut,
    /// The password was changed.
    PasswordChanged,
    /// A password change was refused by the policy.
    PasswordChangeRejected,
    /// The one-call receipt-computer authentication succeeded.
    Authenticated,
    /// Administrator: lock counters cleared.
    AdminUnlocked,
    /// Administrator: Authenticator registration removed (device lost).
    AdminMfaReset,
    /// Administrator: a new initial password was issued.
    AdminPasswordReset,
    /// Administrator: account disabled.
    AdminDisabled,
    /// Administrator: account enabled.
    AdminEnabled,
    /// Administrator: one account's state was read.
    AdminAccountRead,
    /// Administrator: a page of the account list was read.
    AdminAccountsListed,
    /// Administrator: a page of the audit log was read.
    AdminAuditRead,
    /// An API key was issued (its id and name; never the key).
    ApiKeyCreated,
    /// An API key was revoked.
    ApiKeyRevoked,
}

impl AuditKind {
    /// The snake_case name, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccountProvisioned => "account_provisioned",
            Self::PasswordAccepted => "password_accepted",
            Self::PasswordFailed => "password_failed",
            Self::PasswordLocked => "password_locked",
            Self::PasswordAttemptWhileLocked => "password_attempt_while_locked",
            Self::DisabledLoginRefused => "disabled_login_refused",
            Self::PasscodeFailed => "passcode_failed",
            Self::ReplayRefused => "replay_refused",
            Self::PasscodeLocked => "passcode_locked",
            Self::PasscodeAttemptWhileLocked => "passcode_attempt_while_locked",
            Self::Enrolled => "enrolled",
            Self::SessionStarted => "session_started",
            Self::SessionSuperseded => "session_superseded",
            Self::SessionExpired => "session_expired",
            Self::LoggedOut => "logged_out",
            Self::PasswordChanged => "password_changed",
            Self::PasswordChangeRejected => "password_change_rejected",
            Self::Authenticated => "authenticated",
            Self::AdminUnlocked => "admin_unlocked",
            Self::AdminMfaReset => "admin_mfa_reset",
            Self::AdminPasswordReset => "admin_password_reset",
            Self::AdminDisabled => "admin_disabled",
            Self::AdminEnabled => "admin_enabled",
            Self::AdminAccountRead => "admin_account_read",
            Self::AdminAccountsListed => "admin_accounts_listed",
            Self::AdminAuditRead => "admin_audit_read",
            Self::ApiKeyCreated => "api_key_created",
            Self::ApiKeyRevoked => "api_key_revoked",
        }
    }
}

/// Through which door the step came.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The browser screens / JSON login flow.
    Web,
    /// The one-call receipt-computer authentication.
    ReceiptComputer,
    /// An administrator.
    Admin,
}

/// One audit record. Holds identifiers and outcomes only, never a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// What.
    pub kind: AuditKind,
    /// Who (normalised 機関コード/ログイン ID; the account may not exist).
    pub account: Option<AccountKey>,
    /// Through which door.
    pub channel: Channel,
    /// Non-secret details (a lock's end, a drift in steps, violation codes).
    pub detail: Option<String>,
}

/// Receives audit events. Implementations must not block for long and must not fail the
/// operation: a sink that cannot record logs the problem itself.
pub trait AuditSink: Send + Sync + 'static {
    /// Records one event.
    fn record(&self, event: &AuditEvent);
}

/// Writes events into the store (`shikaku audit` reads them back).
pub struct StoreAuditSink<S: ?Sized>(pub Arc<S>);

impl<S: Store + ?Sized> AuditSink for StoreAuditSink<S> {
    fn record(&self, event: &AuditEvent) {
        if let Err(e) = self.0.append_audit(event) {
            tracing::error!(error = %e, kind = event.kind.as_str(), "could not store audit event");
        }
    }
}

/// Emits events as `tracing` records at INFO level (target `shikaku::audit`).
#[derive(Clone, Copy, Debug, Default)]
pub struct TracingAuditSink;

impl AuditSink for TracingAuditSink {
    fn record(&self, event: &AuditEvent) {
        tracing::info!(
            target: "shikaku::audit",
            kind = event.kind.as_str(),
            account = event.account.as_ref().map(ToString::to_string),
            channel = ?event.channel,
            detail = event.detail.as_deref(),
            "audit"
        );
    }
}

/// Keeps events in memory: for tests.
#[derive(Clone, Debug, Default)]
pub struct MemoryAuditSink(Arc<Mutex<Vec<AuditEvent>>>);

impl MemoryAuditSink {
    /// All events so far.
    pub fn events(&self) -> Vec<AuditEvent> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The kinds of all events so far.
    pub fn kinds(&self) -> Vec<AuditKind> {
        self.events().into_iter().map(|e| e.kind).collect()
    }
}

impl AuditSink for MemoryAuditSink {
    fn record(&self, event: &AuditEvent) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(event.clone());
    }
}

/// Sends each event to several sinks.
pub(crate) struct Fanout(pub(crate) Vec<Arc<dyn AuditSink>>);

impl AuditSink for Fanout {
    fn record(&self, event: &AuditEvent) {
        for sink in &self.0 {
            sink.record(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn lock_ends_are_whole_utc_seconds_rounded_up() {
        let at = datetime!(2026-04-01 09:30:15.25 +09:00);
        assert_eq!(lock_end_text(at), "2026-04-01T00:30:16Z");
        let whole = datetime!(2026-04-01 00:30:00 UTC);
        assert_eq!(lock_end_text(whole), "2026-04-01T00:30:00Z");
        assert_eq!(until_detail(whole), "until 2026-04-01T00:30:00Z");
        assert_eq!(count_detail(60, at), "count=60 until 2026-04-01T00:30:16Z");
    }
}
