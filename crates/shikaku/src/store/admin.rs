//! What administration and operations ask of a store beyond the flows: pages of
//! accounts and audit events, API keys, the key check value, and copying between stores.
//!
//! Paging is by key set (a cursor naming the last row seen), never by offset, so a page
//! walk returns every row that existed throughout it exactly once while rows are added.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::audit::{AuditEvent, AuditKind};
use crate::ids::{AccountKey, InstitutionCode, LoginId};
use crate::keys::TokenDigest;

use super::{AccountRecord, Store};
use crate::error::Error;

/// One page of accounts, ordered by [`AccountKey`] (institution code, then login ID).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountPage {
    /// Only this institution's accounts.
    pub institution: Option<InstitutionCode>,
    /// Only keys after this one (exclusive): the last key of the previous page.
    pub after: Option<AccountKey>,
    /// At most this many, and never more than [`AccountPage::MAX_LIMIT`] (a larger
    /// limit is answered as that one, not refused).
    pub limit: usize,
}

impl AccountPage {
    /// The largest page a store answers.
    pub const MAX_LIMIT: usize = 1000;

    /// Calls `each` with every page of `store`'s accounts, `batch` at a time (clamped
    /// to 1..=[`Self::MAX_LIMIT`]), in key order: what walks every account holds one
    /// page in memory, never the whole table.
    pub(crate) fn walk<S: Store + ?Sized>(
        store: &S,
        batch: usize,
        each: &mut dyn FnMut(&[AccountRecord]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut page = AccountPage {
            institution: None,
            after: None,
            limit: batch.clamp(1, AccountPage::MAX_LIMIT),
        };
        loop {
            let accounts = store.accounts_page(&page)?;
            each(&accounts)?;
            match accounts.last() {
                Some(last) if accounts.len() == page.limit => page.after = Some(last.key.clone()),
                _ => return Ok(()),
            }
        }
    }
}

/// The store's sequence number of an audit event: increases with every append.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AuditSeq(pub i64);

/// Which way an audit page runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuditOrder {
    /// Newest first (the API's pages); the cursor excludes `seq >= after`.
    #[default]
    NewestFirst,
    /// Oldest first (exports); the cursor excludes `seq <= after`.
    OldestFirst,
}

/// A filtered page of audit events.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only events about this institution's identifiers.
    pub institution: Option<InstitutionCode>,
    /// Only events about this login ID (with `institution`, one identifier).
    pub login_id: Option<LoginId>,
    /// Only this kind.
    pub kind: Option<AuditKind>,
    /// Only events at or after this instant.
    pub since: Option<OffsetDateTime>,
    /// Only events before this instant (exclusive).
    pub until: Option<OffsetDateTime>,
    /// The cursor: the last sequence number of the previous page.
    pub after: Option<AuditSeq>,
    /// Direction.
    pub order: AuditOrder,
    /// At most this many, and never more than [`AccountPage::MAX_LIMIT`] (a larger
    /// limit is answered as that one, not refused).
    pub limit: usize,
}

impl AuditQuery {
    /// Whether `event` (stored as `seq`) belongs in this query's answer — the reference
    /// semantics every store implements (in SQL or, for the memory store, with this).
    pub fn matches(&self, seq: AuditSeq, event: &AuditEvent) -> bool {
        let key = event.account.as_ref();
        self.institution
            .as_ref()
            .is_none_or(|code| key.is_some_and(|k| &k.institution_code == code))
            && self
                .login_id
                .as_ref()
                .is_none_or(|id| key.is_some_and(|k| &k.login_id == id))
            && self.kind.is_none_or(|kind| event.kind == kind)
            && self.since.is_none_or(|since| event.at >= since)
            && self.until.is_none_or(|until| event.at < until)
            && self.after.is_none_or(|after| match self.order {
                AuditOrder::NewestFirst => seq < after,
                AuditOrder::OldestFirst => seq > after,
            })
    }
}

/// An audit event with its sequence number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAuditEvent {
    /// Where it stands in the log.
    pub seq: AuditSeq,
    /// The event.
    pub event: AuditEvent,
}

/// A store-assigned API key number: shown in lists, audit events and `revoke`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ApiKeyId(pub i64);

impl fmt::Display for ApiKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Which institutions an API key may administer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiKeyScope {
    /// Every institution.
    All,
    /// Only these (never empty).
    Institutions(BTreeSet<InstitutionCode>),
}

impl ApiKeyScope {
    /// Whether the key may act on `code`'s accounts.
    pub fn allows(&self, code: &InstitutionCode) -> bool {
        match self {
            Self::All => true,
            Self::Institutions(codes) => codes.contains(code),
        }
    }
}

/// What [`Store::insert_api_key`](super::Store::insert_api_key) takes; the store assigns the id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewApiKey {
    /// A name for people ("clinic-sync", "vendor-x").
    pub name: String,
    /// The SHA-256 of the key; the key itself is never stored.
    pub digest: TokenDigest,
    /// Where it may act.
    pub scope: ApiKeyScope,
    /// Now.
    pub created_at: OffsetDateTime,
}

/// A stored API key (its digest, never the key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    /// Store-assigned number.
    pub id: ApiKeyId,
    /// A name for people.
    pub name: String,
    /// The SHA-256 of the key.
    pub digest: TokenDigest,
    /// Where it may act.
    pub scope: ApiKeyScope,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Revoked, if it was.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// What a store keeps to recognise a master key without holding it: an HKDF output
/// of the key under its own label ([`MasterKey::check_value`](crate::MasterKey::check_value)),
/// one per key id. A node whose key gives another value for its id refuses to start.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyCheck(pub [u8; 32]);

impl KeyCheck {
    /// Constant-time comparison.
    pub fn matches(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for KeyCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "KeyCheck({:02x}{:02x}{:02x}{:02x}…)",
            self.0[0], self.0[1], self.0[2], self.0[3]
        )
    }
}
