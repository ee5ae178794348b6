//! The receipt computer's one-call authentication: institution code, login ID, password
//! and passcode together, under the same locks and replay guard as the screens.

use crate::audit::{AuditKind, Channel};
use crate::error::Error;
use crate::ids::AccountKey;
use crate::password::Password;
use crate::store::Store;
use crate::totp::Passcode;

use super::guards::{PasscodeStep, PasswordStep};
use super::{Authentication, Identity, Shikaku};

impl<S: Store> Shikaku<S> {
    /// The one-call authentication the receipt-computer integration uses once MFA is
    /// registered: institution code, login ID, password and passcode together. The same
    /// lock and replay rules as the screens; no session is created.
    pub fn authenticate(
        &self,
        key: &AccountKey,
        password: &Password,
        passcode: &Passcode,
    ) -> Result<Authentication, Error> {
        let channel = Channel::ReceiptComputer;
        let account = match self.password_step(key, password, channel)? {
            PasswordStep::Verified(account, _) => account,
            PasswordStep::Invalid => return Ok(Authentication::InvalidCredentials),
            PasswordStep::Locked(until) | PasswordStep::LockedNow(until) => {
                return Ok(Authentication::Locked { until });
            }
        };
        if account.disabled {
            self.emit(AuditKind::DisabledLoginRefused, Some(key), channel, None);
            return Ok(Authentication::Disabled);
        }
        if account.mfa.is_none() {
            return Ok(Authentication::EnrollmentRequired);
        }
        if account.must_change_password {
            return Ok(Authentication::PasswordChangeRequired);
        }
        let step = match self.passcode_step(&account, passcode, channel, None) {
            // The account changed under the step (a reset, a disable): the passcode was
            // not checked against the new record; a failed attempt, as before.
            Err(Error::LoginExpired) => return Ok(Authentication::InvalidPasscode),
            other => other?,
        };
        match step {
            PasscodeStep::Accepted { .. } => {
                let now = self.clock.now();
                self.emit(AuditKind::Authenticated, Some(key), channel, None);
                Ok(Authentication::Verified(Identity {
                    institution_code: key.institution_code.clone(),
                    login_id: key.login_id.clone(),
                    authenticated_at: now,
                }))
            }
            PasscodeStep::Locked(until) => {
                // As on the passcode screen: locking on passcodes voids every pending
                // login of the account; after the lock, start again from the password.
                self.store.delete_tickets_of(account.id)?;
                Ok(Authentication::Locked { until })
            }
            PasscodeStep::Invalid { .. } => Ok(Authentication::InvalidPasscode),
        }
    }
}
