//! Sessions: the 30-minute idle rule, the end of a session when the account logs in
//! elsewhere, and 《ログアウト》.

use crate::audit::{AuditKind, Channel};
use crate::error::Error;
use crate::keys::Token;
use crate::lockout::SessionStatus;
use crate::store::Store;

use super::{SessionEnd, SessionInfo, Shikaku};

impl<S: Store> Shikaku<S> {
    /// Checks a session and, when active, records the activity (extends the idle timeout).
    ///
    /// A session that is not active is [`Error::SessionEnded`] with the reason — the one
    /// way every call learns it ([`change_password`](Self::change_password) answers the
    /// same).
    pub fn session(&self, token: &Token) -> Result<SessionInfo, Error> {
        let digest = token.digest();
        let Some(session) = self.store.session(&digest)? else {
            return Err(Error::SessionEnded(SessionEnd::Unknown));
        };
        let Some(account) = self.store.account(session.account)? else {
            self.store.delete_session(&digest)?;
            return Err(Error::SessionEnded(SessionEnd::Unknown));
        };
        let now = self.clock.now();
        let idle = &self.config.idle_timeout;
        let mut status = session.clock.status(&account.sessions, idle, now);
        if let SessionStatus::Active { .. } = status {
            let updated = self.store.update_session(&digest, &mut |s| {
                status = s.clock.touch(&account.sessions, idle, now);
            })?;
            if updated.is_none() {
                return Err(Error::SessionEnded(SessionEnd::Unknown));
            }
        }
        match status {
            SessionStatus::Active { expires_at } => Ok(SessionInfo {
                account: account.id,
                key: account.key,
                expires_at,
                must_change_password: account.must_change_password,
                epoch: session.clock.epoch(),
            }),
            SessionStatus::Expired { .. } => {
                self.store.delete_session(&digest)?;
                self.emit(
                    AuditKind::SessionExpired,
                    Some(&account.key),
                    Channel::Web,
                    None,
                );
                Err(Error::SessionEnded(SessionEnd::Expired))
            }
            SessionStatus::Superseded => {
                self.store.delete_session(&digest)?;
                self.emit(
                    AuditKind::SessionSuperseded,
                    Some(&account.key),
                    Channel::Web,
                    None,
                );
                Err(Error::SessionEnded(SessionEnd::Superseded))
            }
        }
    }

    /// 《ログアウト》: ends the session server-side. `false` if it was not active.
    pub fn logout(&self, token: &Token) -> Result<bool, Error> {
        let digest = token.digest();
        let Some(session) = self.store.session(&digest)? else {
            return Ok(false);
        };
        self.store.delete_session(&digest)?;
        let account = self.store.account(session.account)?;
        if let Some(account) = &account {
            let epoch = session.clock.epoch();
            self.store.update_account(account.id, &mut |a| {
                if a.sessions.current() == Some(epoch) {
                    a.sessions.end(epoch);
                    true
                } else {
                    false
                }
            })?;
            self.emit(AuditKind::LoggedOut, Some(&account.key), Channel::Web, None);
        }
        Ok(true)
    }
}
