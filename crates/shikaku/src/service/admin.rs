//! ユーザ設定情報の発行 and the administrator's operations: unlock, reset the
//! Authenticator or the password, disable and enable, list accounts, read the audit log.

use crate::audit::{AuditEvent, AuditKind, Channel};
use crate::error::Error;
use crate::ids::{AccountId, AccountKey};
use crate::password::{Password, PasswordHistory};
use crate::store::{NewAccount, Store};

use super::{AccountSummary, InitialSettings, Shikaku};

impl<S: Store> Shikaku<S> {
    /// Issues a staff account. With no password given, a compliant one is generated.
    pub fn provision(
        &self,
        key: &AccountKey,
        password: Option<Password>,
    ) -> Result<InitialSettings, Error> {
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
        self.emit(
            AuditKind::AccountProvisioned,
            Some(key),
            Channel::Admin,
            None,
        );
        Ok(InitialSettings {
            institution_code: key.institution_code.clone(),
            login_id: key.login_id.clone(),
            initial_password: password,
        })
    }

    /// Clears both lock counters of an identifier.
    pub fn unlock(&self, key: &AccountKey) -> Result<(), Error> {
        self.store.update_attempts(key, &mut |a| {
            a.password.unlock();
            a.passcode.unlock();
        })?;
        self.emit(AuditKind::AdminUnlocked, Some(key), Channel::Admin, None);
        Ok(())
    }

    /// Device lost: removes the Authenticator registration; the next login enrolls again.
    /// Ends the account's sessions and pending logins.
    pub fn reset_mfa(&self, key: &AccountKey) -> Result<(), Error> {
        let account = self.existing(key)?;
        let now = self.clock.now();
        self.store.update_account(account.id, &mut |a| {
            a.mfa = None;
            a.pending_mfa = None;
            a.sessions.begin();
            a.updated_at = now;
            true
        })?;
        self.end_sessions_and_logins(account.id)?;
        self.emit(AuditKind::AdminMfaReset, Some(key), Channel::Admin, None);
        Ok(())
    }

    /// Issues a new initial password. The old one is retired without a prefix verifier
    /// (its plaintext is not known); the user must change the password at next login;
    /// sessions, pending logins and any registration in progress end (whoever knew the
    /// old password may have seen its QR code).
    pub fn reset_password(&self, key: &AccountKey) -> Result<InitialSettings, Error> {
        let account = self.existing(key)?;
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
        self.emit(
            AuditKind::AdminPasswordReset,
            Some(key),
            Channel::Admin,
            None,
        );
        Ok(InitialSettings {
            institution_code: account.key.institution_code,
            login_id: account.key.login_id,
            initial_password: password,
        })
    }

    /// Disables or re-enables an account. Disabling ends its sessions, pending logins and
    /// any registration in progress.
    pub fn set_disabled(&self, key: &AccountKey, disabled: bool) -> Result<(), Error> {
        let account = self.existing(key)?;
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
        self.emit(kind, Some(key), Channel::Admin, None);
        Ok(())
    }

    /// Every account with its state now.
    pub fn accounts(&self) -> Result<Vec<AccountSummary>, Error> {
        let now = self.clock.now();
        self.store
            .accounts()?
            .into_iter()
            .map(|a| {
                let attempts = self.store.attempts(&a.key)?;
                Ok(AccountSummary {
                    enrolled: a.mfa.is_some(),
                    drift: a.mfa.as_ref().map(|m| m.drift),
                    disabled: a.disabled,
                    must_change_password: a.must_change_password,
                    password_lock: attempts.password.status(&self.config.password_lockout, now),
                    passcode_lock: attempts.passcode.status(&self.config.passcode_lockout, now),
                    created_at: a.created_at,
                    key: a.key,
                })
            })
            .collect()
    }

    /// The newest `limit` audit events from the store, newest first.
    pub fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, Error> {
        Ok(self.store.recent_audit(limit)?)
    }

    /// Removes expired login tickets and empty counters, and recomputes the argon2
    /// settings the timing dummies cover from the accounts as stored now (a setting no
    /// account uses any more is dropped; one written by another process is learnt).
    pub fn prune(&self) -> Result<usize, Error> {
        let removed = self.store.prune(self.clock.now())?;
        let stored = self
            .store
            .accounts()?
            .iter()
            .filter_map(|a| a.password.current().settings().ok())
            .collect::<Vec<_>>();
        self.equaliser.refresh(&self.hasher, &self.rng, stored)?;
        Ok(removed)
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
