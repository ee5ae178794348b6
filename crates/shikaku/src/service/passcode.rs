//! 《パスコードを送信》: the 6-digit passcode for a login ticket → a session.

use crate::audit::{AuditKind, Channel};
use crate::error::Error;
use crate::keys::Token;
use crate::lockout::SessionClock;
use crate::store::{SessionRecord, Store};
use crate::totp::Passcode;

use super::guards::PasscodeStep;
use super::{PasscodeLogin, SessionGrant, Shikaku};

impl<S: Store> Shikaku<S> {
    /// 《パスコードを送信》: the 6-digit passcode for a login ticket.
    ///
    /// Typed input becomes a [`Passcode`] at the edge ([`Passcode::parse`] takes full-width
    /// digits and the space apps show between the halves); what does not parse is not an
    /// attempt and never reaches the verifier.
    pub fn submit_passcode(
        &self,
        ticket: &Token,
        passcode: &Passcode,
    ) -> Result<PasscodeLogin, Error> {
        let (ticket_record, account) = self.resolve_ticket(ticket)?;
        match self.passcode_step(
            &account,
            passcode,
            Channel::Web,
            Some(&ticket_record.digest),
        )? {
            PasscodeStep::Accepted {
                enrolled,
                epoch,
                drift,
                must_change,
            } => {
                self.store.delete_ticket(&ticket_record.digest)?;
                let now = self.clock.now();
                let epoch = epoch.ok_or(Error::LoginExpired)?;
                // Every earlier session of the account is superseded from here on.
                let token = Token::generate(&self.rng);
                let clock = SessionClock::start(epoch, now);
                let expires_at = now.saturating_add(self.config.idle_timeout.duration());
                self.store.insert_session(SessionRecord {
                    digest: token.digest(),
                    account: account.id,
                    clock,
                    created_at: now,
                })?;
                self.emit(
                    AuditKind::SessionStarted,
                    Some(&account.key),
                    Channel::Web,
                    Some(format!("drift {drift}")),
                );
                Ok(PasscodeLogin::Session(SessionGrant {
                    token,
                    expires_at,
                    enrolled,
                    must_change_password: must_change,
                }))
            }
            PasscodeStep::Locked(until) => {
                // Locking on passcodes voids the pending logins (this browser's and any
                // other's): after the lock, start again from the password.
                self.store.delete_tickets_of(account.id)?;
                Ok(PasscodeLogin::Locked {
                    until,
                    enrolling: account.mfa.is_none(),
                })
            }
            PasscodeStep::Invalid { enrolling } => Ok(PasscodeLogin::Invalid { enrolling }),
        }
    }
}
