//! Copying one store into another (`shikaku db copy`): moving up from SQLite to
//! PostgreSQL under the same master key.
//!
//! What moves: accounts with their password histories, MFA registrations and flags
//! (ids kept, since each sealed TOTP secret is bound to its account's id), the lock
//! counters, the audit log (oldest first, times kept) and API keys (digests and scopes;
//! revoked keys stay revoked). What does not: login tickets and sessions — everyone logs
//! in again on the new store. The target must be empty and must not know another key.
//! The key check values move too: the source's (retired keys' included, so their ids
//! are not given again) and those of the keys the copy is made under.

use super::{AccountPage, AuditOrder, AuditQuery, NewApiKey, Store};
use crate::error::{Error, StoreError};
use crate::keys::MasterKeys;

/// What [`copy_store`] moved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// Accounts (with histories and registrations).
    pub accounts: usize,
    /// Identifiers with lock counters.
    pub counters: usize,
    /// Audit events.
    pub audit_events: usize,
    /// API keys.
    pub api_keys: usize,
}

/// Copies `from` into the empty `to`, whose key check values become the source's and
/// those of `keys` (the source's keys). Refuses a target that holds anything, or whose
/// key check values are other keys', before writing a row.
///
/// # Errors
///
/// [`Error::InvalidConfig`] for a non-empty target, [`Error::MasterKeyMismatch`] for a
/// target recorded under another key (or `keys` that are not the source's),
/// [`Error::Store`] when either store fails.
pub fn copy_store<F, T>(from: &F, to: &T, keys: &MasterKeys) -> Result<CopyReport, Error>
where
    F: Store + ?Sized,
    T: Store + ?Sized,
{
    let first = |limit| AccountPage {
        institution: None,
        after: None,
        limit,
    };
    let any_audit = AuditQuery {
        limit: 1,
        ..AuditQuery::default()
    };
    if !to.accounts_page(&first(1))?.is_empty()
        || !to.audit_page(&any_audit)?.is_empty()
        || !to.api_keys()?.is_empty()
        || !to.all_attempts()?.is_empty()
    {
        return Err(Error::InvalidConfig(
            "the target database is not empty: `db copy` only fills a new database".into(),
        ));
    }
    let mut checks = from.key_checks()?;
    for (id, check) in keys.check_values() {
        match checks.iter().find(|(known, _)| *known == id) {
            Some((_, stored)) if !stored.matches(&check) => return Err(Error::MasterKeyMismatch),
            Some(_) => {}
            None => checks.push((id, check)),
        }
    }
    for (id, check) in &checks {
        if !to.key_check(*id, check)?.matches(check) {
            return Err(Error::MasterKeyMismatch);
        }
    }
    let mut report = CopyReport::default();

    let mut page = first(AccountPage::MAX_LIMIT);
    loop {
        let accounts = from.accounts_page(&page)?;
        for account in &accounts {
            to.import_account(account)?;
        }
        report.accounts += accounts.len();
        match accounts.last() {
            Some(last) if accounts.len() == page.limit => page.after = Some(last.key.clone()),
            _ => break,
        }
    }

    for (key, attempts) in from.all_attempts()? {
        to.update_attempts(&key, &mut |stored| *stored = attempts.clone())?;
        report.counters += 1;
    }

    let mut query = AuditQuery {
        order: AuditOrder::OldestFirst,
        limit: AccountPage::MAX_LIMIT,
        ..AuditQuery::default()
    };
    loop {
        let events = from.audit_page(&query)?;
        for stored in &events {
            to.append_audit(&stored.event)?;
        }
        report.audit_events += events.len();
        match events.last() {
            Some(last) if events.len() == query.limit => query.after = Some(last.seq),
            _ => break,
        }
    }

    for key in from.api_keys()? {
        let copied = to.insert_api_key(NewApiKey {
            name: key.name.clone(),
            digest: key.digest,
            scope: key.scope.clone(),
            created_at: key.created_at,
        })?;
        if let Some(at) = key.revoked_at
            && !to.revoke_api_key(copied.id, at)?
        {
            return Err(Error::Store(StoreError::Unavailable(
                "the target did not record a revoked API key as revoked".into(),
            )));
        }
        report.api_keys += 1;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::store::KeyCheck;
    use crate::{KeyId, MasterKey, MemoryStore};

    #[test]
    fn a_non_empty_or_foreign_target_is_refused_before_any_write() {
        let from = MemoryStore::new();
        let keys = MasterKeys::from(MasterKey::from_bytes(&[1; 32]).unwrap());
        let foreign = MemoryStore::new();
        foreign.key_check(KeyId::FIRST, &KeyCheck([2; 32])).unwrap();
        assert!(matches!(
            copy_store(&from, &foreign, &keys),
            Err(Error::MasterKeyMismatch)
        ));
        // The source knows a retired key 1 besides the current key 2: both move.
        let two = KeyId::new(2).unwrap();
        let rotated =
            MasterKeys::new((two, MasterKey::from_bytes(&[2; 32]).unwrap()), vec![]).unwrap();
        from.key_check(KeyId::FIRST, &keys.current().check_value())
            .unwrap();
        let to = Arc::new(MemoryStore::new());
        assert_eq!(
            copy_store(&from, &*to, &rotated).unwrap(),
            CopyReport::default()
        );
        assert_eq!(
            to.key_checks().unwrap(),
            [
                (KeyId::FIRST, keys.current().check_value()),
                (two, rotated.current().check_value())
            ]
        );
        // Keys that are not the source's are refused.
        let wrong = MasterKeys::from(MasterKey::from_bytes(&[9; 32]).unwrap());
        assert!(matches!(
            copy_store(&from, &MemoryStore::new(), &wrong),
            Err(Error::MasterKeyMismatch)
        ));
    }
}
