//! \[ログイン\] 《ログイン》: institution code, login ID and password; a login ticket for
//! the screen that follows; 《戻る》.

use crate::audit::{AuditKind, Channel};
use crate::error::Error;
use crate::ids::AccountKey;
use crate::keys::Token;
use crate::lockout::LockStatus;
use crate::password::Password;
use crate::store::{LoginTicketRecord, Store};

use super::guards::{Factor, PasswordStep};
use super::{LoginStage, LoginTicket, PasswordLogin, Shikaku};

impl<S: Store> Shikaku<S> {
    /// 《ログイン》: institution code, login ID and password.
    pub fn password_login(
        &self,
        key: &AccountKey,
        password: &Password,
    ) -> Result<PasswordLogin, Error> {
        let (account, passcode_lock) = match self.password_step(key, password, Channel::Web)? {
            PasswordStep::Verified(account, passcode_lock) => (account, passcode_lock),
            PasswordStep::Invalid => return Ok(PasswordLogin::Invalid),
            PasswordStep::Locked(until) | PasswordStep::LockedNow(until) => {
                return Ok(PasswordLogin::Locked { until });
            }
        };
        let verified_hash = account.password.current().clone();
        if account.disabled {
            self.emit(
                AuditKind::DisabledLoginRefused,
                Some(key),
                Channel::Web,
                None,
            );
            return Ok(PasswordLogin::Disabled);
        }
        // A passcode lock still in force stops the login here, before a ticket exists.
        if let LockStatus::Locked { until } = passcode_lock {
            self.refused_on_lock(key, Factor::Passcode, Channel::Web)?;
            return Ok(PasswordLogin::Locked { until });
        }
        let now = self.clock.now();
        let token = Token::generate(&self.rng);
        let digest = token.digest();
        let expires_at = now.saturating_add(self.config.login_ticket_ttl());
        // No Authenticator yet: this login will get a registration of its own (drawn at
        // its first view); the earlier logins and their registration are over.
        if LoginStage::of(&account) == LoginStage::Enrollment {
            self.start_registration_over(&account)?;
            self.store.delete_tickets_of(account.id)?;
        }
        self.store.insert_ticket(LoginTicketRecord {
            digest,
            account: account.id,
            issued_at: now,
            expires_at,
        })?;
        // A password change, a reset or a disable that committed after the password was
        // verified but before the ticket existed could not void it: look again now that
        // it exists (what commits later finds it and voids it).
        let Some(account) = self.store.account(account.id)? else {
            self.store.delete_ticket(&digest)?;
            return Ok(PasswordLogin::Invalid);
        };
        if account.disabled || account.password.current() != &verified_hash {
            self.store.delete_ticket(&digest)?;
            return Ok(if account.disabled {
                PasswordLogin::Disabled
            } else {
                PasswordLogin::Invalid
            });
        }
        self.emit(AuditKind::PasswordAccepted, Some(key), Channel::Web, None);
        let ticket = LoginTicket { token, expires_at };
        Ok(match LoginStage::of(&account) {
            LoginStage::Passcode => PasswordLogin::NeedsPasscode(ticket),
            LoginStage::Enrollment => PasswordLogin::NeedsEnrollment(ticket),
        })
    }

    /// Where a login ticket stands: [`LoginStage::Enrollment`] or [`LoginStage::Passcode`];
    /// [`Error::LoginExpired`] when it no longer stands.
    pub fn login_stage(&self, ticket: &Token) -> Result<LoginStage, Error> {
        let (_, account) = self.resolve_ticket(ticket)?;
        Ok(LoginStage::of(&account))
    }

    /// Ends a half-finished login (《戻る》 on the passcode screen).
    pub fn abandon_login(&self, ticket: &Token) -> Result<(), Error> {
        self.store.delete_ticket(&ticket.digest())?;
        Ok(())
    }
}
