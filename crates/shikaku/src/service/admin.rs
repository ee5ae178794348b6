//! ユーザ設定情報の発行 and the administrator's operations: unlock, reset the
//! Authenticator or the password, disable and enable, list accounts, read the audit log.
//!
//! Every operation takes the [`AdminCaller`] acting (`…_as`); it asks the caller's
//! scope first ([`AdminCaller::admit`]: outside it an account does not exist) and names
//! the caller in its audit event. The shorter names (`provision`, `unlock`, …) are the
//! same operations for the local operator ([`AdminCaller::local`]), as the CLI calls
//! them.

use std::collections::BTreeSet;

use crate::audit::{AuditKind, Channel};
use crate::error::Error;
use crate::ids::{AccountId, AccountKey, InstitutionCode};
use crate::password::{Password, PasswordHistory};
use crate::store::{
    AccountPage, AccountRecord, AuditOrder, AuditQuery, NewAccount, Store, StoredAuditEvent,
};

use super::api_keys::{AdminCaller, Coverage};
use super::{AccountListing, AccountSummary, AuditListing, InitialSettings, Shikaku};

/// The largest page [`Shikaku::accounts_page`] and [`Shikaku::audit_page`] answer; a
/// larger `limit` is reduced to it.
pub const MAX_PAGE: usize = 500;

impl<S: Store> Shikaku<S> {
    /// Issues a staff account as the local operator (see [`Self::provision_as`]).
    pub fn provision(
        &self,
        key: &AccountKey,
        password: Option<Password>,
    ) -> Result<InitialSettings, Error> {
        self.provision_as(&AdminCaller::local(), key, password)
    }

    /// Issues a staff account. With no password given, a compliant one is generated;
    /// a given one must meet the password policy ([`Error::InitialPasswordRejected`]).
    /// [`StoreError::Conflict`](crate::StoreError::Conflict) if the account exists.
    pub fn provision_as(
        &self,
        caller: &AdminCaller,
        key: &AccountKey,
        password: Option<Password>,
    ) -> Result<InitialSettings, Error> {
        caller.admit(&key.institution_code)?;
        let password = match password {
            Some(p) => {
                self.config
                    .password_policy
                    .check(p.as_str())
                    .map_err(Error::InitialPasswordRejected)?;
                p
            }
            None => self
                .rng
                .with(|r| crate::password::generate_password(&self.config.password_policy, r)),
        };
        let hash = self.hash(&password)?;
        self.store.insert_account(NewAccount {
            key: key.clone(),
            password: PasswordHistory::new(hash),
            must_change_password: false,
            created_at: self.clock.now(),
        })?;
        self.emit_admin(AuditKind::AccountProvisioned, key, caller);
        Ok(InitialSettings {
            institution_code: key.institution_code.clone(),
            login_id: key.login_id.clone(),
            initial_password: password,
        })
    }

    /// Clears both lock counters of an identifier, as the local operator.
    pub fn unlock(&self, key: &AccountKey) -> Result<(), Error> {
        self.unlock_as(&AdminCaller::local(), key)
    }

    /// Clears both lock counters of an identifier. Counters are kept per identifier
    /// whether or not an account exists (so guesses cannot tell), hence this works for
    /// an identifier without an account too.
    pub fn unlock_as(&self, caller: &AdminCaller, key: &AccountKey) -> Result<(), Error> {
        caller.admit(&key.institution_code)?;
        self.store.update_attempts(key, &mut |a| {
            a.password.unlock();
            a.passcode.unlock();
        })?;
        self.emit_admin(AuditKind::AdminUnlocked, key, caller);
        Ok(())
    }

    /// Device lost, as the local operator (see [`Self::reset_mfa_as`]).
    pub fn reset_mfa(&self, key: &AccountKey) -> Result<(), Error> {
        self.reset_mfa_as(&AdminCaller::local(), key)
    }

    /// Device lost: removes the Authenticator registration; the next login enrolls again.
    /// Ends the account's sessions and pending logins.
    pub fn reset_mfa_as(&self, caller: &AdminCaller, key: &AccountKey) -> Result<(), Error> {
        let account = self.administered(caller, key)?;
        let now = self.clock.now();
        self.store.update_account(account.id, &mut |a| {
            a.mfa = None;
            a.pending_mfa = None;
            a.sessions.begin();
            a.updated_at = now;
            true
        })?;
        self.end_sessions_and_logins(account.id)?;
        self.emit_admin(AuditKind::AdminMfaReset, key, caller);
        Ok(())
    }

    /// A new initial password, as the local operator (see [`Self::reset_password_as`]).
    pub fn reset_password(&self, key: &AccountKey) -> Result<InitialSettings, Error> {
        self.reset_password_as(&AdminCaller::local(), key)
    }

    /// Issues a new initial password. The old one is retired without a prefix verifier
    /// (its plaintext is not known); the user must change the password at next login;
    /// sessions, pending logins and any registration in progress end (whoever knew the
    /// old password may have seen its QR code).
    pub fn reset_password_as(
        &self,
        caller: &AdminCaller,
        key: &AccountKey,
    ) -> Result<InitialSettings, Error> {
        let account = self.administered(caller, key)?;
        let password = self
            .rng
            .with(|r| crate::password::generate_password(&self.config.password_policy, r));
        let hash = self.hash(&password)?;
        let now = self.clock.now();
        let policy = &self.config.password_policy;
        self.store.update_account(account.id, &mut |a| {
            a.password.reset(policy, hash.clone());
            a.must_change_password = true;
            a.pending_mfa = None;
            a.sessions.begin();
            a.updated_at = now;
            true
        })?;
        self.end_sessions_and_logins(account.id)?;
        self.emit_admin(AuditKind::AdminPasswordReset, key, caller);
        Ok(InitialSettings {
            institution_code: account.key.institution_code,
            login_id: account.key.login_id,
            initial_password: password,
        })
    }

    /// Disables or re-enables an account, as the local operator.
    pub fn set_disabled(&self, key: &AccountKey, disabled: bool) -> Result<(), Error> {
        self.set_disabled_as(&AdminCaller::local(), key, disabled)
    }

    /// Disables or re-enables an account. Disabling ends its sessions, pending logins and
    /// any registration in progress.
    pub fn set_disabled_as(
        &self,
        caller: &AdminCaller,
        key: &AccountKey,
        disabled: bool,
    ) -> Result<(), Error> {
        let account = self.administered(caller, key)?;
        let now = self.clock.now();
        self.store.update_account(account.id, &mut |a| {
            a.disabled = disabled;
            if disabled {
                a.pending_mfa = None;
                a.sessions.begin();
            }
            a.updated_at = now;
            true
        })?;
        if disabled {
            self.end_sessions_and_logins(account.id)?;
        }
        let kind = if disabled {
            AuditKind::AdminDisabled
        } else {
            AuditKind::AdminEnabled
        };
        self.emit_admin(kind, key, caller);
        Ok(())
    }

    /// Every account with its state now (the local operator's whole list).
    pub fn accounts(&self) -> Result<Vec<AccountSummary>, Error> {
        self.store
            .accounts()?
            .into_iter()
            .map(|a| self.summary(a))
            .collect()
    }

    /// One account with its state now; [`Error::UnknownAccount`] if there is none (or
    /// it is outside the caller's institutions).
    pub fn account_as(
        &self,
        caller: &AdminCaller,
        key: &AccountKey,
    ) -> Result<AccountSummary, Error> {
        let summary = self.summary(self.administered(caller, key)?)?;
        self.emit(
            AuditKind::AdminAccountRead,
            Some(key),
            Channel::Admin,
            Some(format!("{} account", caller.audit_detail())),
        );
        Ok(summary)
    }

    /// A page of the accounts the caller administers (only `institution`'s, if given),
    /// ordered by 機関コード then ログイン ID, starting after the key `after` (the
    /// previous page's `next`), at most `limit` (1 to [`MAX_PAGE`]) of them.
    ///
    /// Paging is by key, not by position: walking the pages returns every account that
    /// existed throughout the walk exactly once, however many are added meanwhile.
    pub fn accounts_page(
        &self,
        caller: &AdminCaller,
        institution: Option<&InstitutionCode>,
        after: Option<&AccountKey>,
        limit: usize,
    ) -> Result<AccountListing, Error> {
        let limit = limit.clamp(1, MAX_PAGE);
        // One more than asked for tells whether a next page exists.
        let wanted = limit + 1;
        let mut records: Vec<AccountRecord> = Vec::new();
        let coverage = caller.coverage(institution);
        let read = format!("accounts institution={}", covered(&coverage));
        match coverage {
            Coverage::All(institution) => {
                records = self.store.accounts_page(&AccountPage {
                    institution,
                    after: after.cloned(),
                    limit: wanted,
                })?;
            }
            Coverage::Only(codes) => {
                for code in codes {
                    if records.len() >= wanted {
                        break;
                    }
                    // Institutions before the cursor's are done; in the cursor's own,
                    // start after it; later ones from their start.
                    let start = match after {
                        Some(key) if key.institution_code > code => continue,
                        Some(key) if key.institution_code == code => Some(key.clone()),
                        _ => None,
                    };
                    records.extend(self.store.accounts_page(&AccountPage {
                        institution: Some(code),
                        after: start,
                        limit: wanted - records.len(),
                    })?);
                }
            }
        }
        records.truncate(wanted);
        let next = (records.len() > limit).then(|| records[limit - 1].key.clone());
        records.truncate(limit);
        let accounts = records
            .into_iter()
            .map(|a| self.summary(a))
            .collect::<Result<_, _>>()?;
        self.emit_read(AuditKind::AdminAccountsListed, caller, &read);
        Ok(AccountListing { accounts, next })
    }

    /// A page of the audit events the caller may see — with a scope of institutions,
    /// only events about their identifiers — matching `query`, in its order, at most
    /// `query.limit` (1 to [`MAX_PAGE`]) of them.
    pub fn audit_page(
        &self,
        caller: &AdminCaller,
        query: &AuditQuery,
    ) -> Result<AuditListing, Error> {
        let limit = query.limit.clamp(1, MAX_PAGE);
        let wanted = limit + 1;
        let coverage = caller.coverage(query.institution.as_ref());
        let read = format!("audit institution={}", covered(&coverage));
        let mut events: Vec<StoredAuditEvent> = match coverage {
            Coverage::All(institution) => self.store.audit_page(&AuditQuery {
                institution,
                limit: wanted,
                ..query.clone()
            })?,
            Coverage::Only(codes) => {
                // Each institution's first `wanted`, merged in the query's order.
                let mut merged = Vec::new();
                for code in codes {
                    merged.extend(self.store.audit_page(&AuditQuery {
                        institution: Some(code),
                        limit: wanted,
                        ..query.clone()
                    })?);
                }
                match query.order {
                    AuditOrder::NewestFirst => merged.sort_by_key(|e| std::cmp::Reverse(e.seq)),
                    AuditOrder::OldestFirst => merged.sort_by_key(|e| e.seq),
                }
                merged
            }
        };
        events.truncate(wanted);
        let next = (events.len() > limit).then(|| events[limit - 1].seq);
        events.truncate(limit);
        self.emit_read(AuditKind::AdminAuditRead, caller, &read);
        Ok(AuditListing { events, next })
    }

    /// The newest `limit` audit events from the store, newest first.
    pub fn recent_audit(&self, limit: usize) -> Result<Vec<crate::AuditEvent>, Error> {
        Ok(self.store.recent_audit(limit)?)
    }

    /// Removes expired login tickets and counters with nothing left to remember
    /// ([`Store::prune`]: no failure, no lock in force, no refusals still to report),
    /// and recomputes the argon2
    /// settings the timing dummies cover from the accounts as stored now (a setting no
    /// account uses any more is dropped; one written by another process is learnt).
    pub fn prune(&self) -> Result<usize, Error> {
        let removed = self.store.prune(self.clock.now())?;
        let mut stored = BTreeSet::new();
        AccountPage::walk(&*self.store, AccountPage::MAX_LIMIT, &mut |accounts| {
            let settings = accounts.iter().map(|a| a.password.current().settings());
            stored.extend(settings.filter_map(Result::ok));
            Ok(())
        })?;
        self.equaliser.refresh(&self.hasher, &self.rng, stored)?;
        Ok(removed)
    }

    /// The account `key` names, if the caller may see it: [`Error::UnknownAccount`]
    /// for an absent account and for one outside the caller's institutions alike.
    fn administered(&self, caller: &AdminCaller, key: &AccountKey) -> Result<AccountRecord, Error> {
        caller.admit(&key.institution_code)?;
        self.existing(key)
    }

    /// An account's state now: its record and its identifier's lock counters.
    fn summary(&self, a: AccountRecord) -> Result<AccountSummary, Error> {
        let now = self.clock.now();
        let attempts = self.store.attempts(&a.key)?;
        Ok(AccountSummary {
            enrolled: a.mfa.is_some(),
            drift: a.mfa.as_ref().map(|m| m.drift),
            disabled: a.disabled,
            must_change_password: a.must_change_password,
            password_lock: attempts.password.status(&self.config.password_lockout, now),
            passcode_lock: attempts.passcode.status(&self.config.passcode_lockout, now),
            created_at: a.created_at,
            updated_at: a.updated_at,
            key: a.key,
        })
    }

    /// An administrative event, naming the caller (never a key).
    fn emit_admin(&self, kind: AuditKind, key: &AccountKey, caller: &AdminCaller) {
        self.emit(kind, Some(key), Channel::Admin, Some(caller.audit_detail()));
    }

    /// A listing was read: no account, the caller and what it covered in `detail`.
    fn emit_read(&self, kind: AuditKind, caller: &AdminCaller, read: &str) {
        let detail = format!("{} {read}", caller.audit_detail());
        self.emit(kind, None, Channel::Admin, Some(detail));
    }

    /// After a reset or a disable: no session and no half-finished login of the account
    /// survives (the session slot was advanced in the same update, so any other node's
    /// copy of a session is superseded too).
    fn end_sessions_and_logins(&self, account: AccountId) -> Result<(), Error> {
        self.store.delete_sessions_of(account)?;
        self.store.delete_tickets_of(account)?;
        Ok(())
    }
}

/// The institutions a listing covered, for its audit event: `all`, `none` (a filter
/// outside the caller's scope), or the codes separated by commas.
fn covered(coverage: &Coverage) -> String {
    match coverage {
        Coverage::All(None) => "all".to_owned(),
        Coverage::All(Some(code)) => code.to_string(),
        Coverage::Only(codes) if codes.is_empty() => "none".to_owned(),
        Coverage::Only(codes) => codes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
    }
}
