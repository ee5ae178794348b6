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

    /// 《ログアウト》: ends the session server-side.
    ///
    /// `Ok(true)` when the session was the account's active one and is now ended;
    /// `Ok(false)` for a token that names no session (unknown, or already logged out).
    /// A session that had already ended — superseded by a login elsewhere, or idle for
    /// 30 minutes — is [`Error::SessionEnded`] with the reason, as from
    /// [`session`](Self::session), so the screen can say why (「別の端末でログインされた
    /// ため…」) instead of "logged out"; its record is deleted all the same.
    pub fn logout(&self, token: &Token) -> Result<bool, Error> {
        let digest = token.digest();
        let Some(session) = self.store.session(&digest)? else {
            return Ok(false);
        };
        if !self.store.delete_session(&digest)? {
            return Ok(false); // a concurrent logout of the same session came first
        }
        let Some(account) = self.store.account(session.account)? else {
            return Ok(false);
        };
        let now = self.clock.now();
        let epoch = session.clock.epoch();
        let status = session
            .clock
            .status(&account.sessions, &self.config.idle_timeout, now);
        let end = match status {
            SessionStatus::Active { .. } => {
                let mut ended = false;
                self.store.update_account(account.id, &mut |a| {
                    ended = a.sessions.end(epoch);
                    ended
                })?;
                if ended {
                    self.emit(AuditKind::LoggedOut, Some(&account.key), Channel::Web, None);
                    return Ok(true);
                }
                SessionEnd::Superseded // a login elsewhere came in between
            }
            SessionStatus::Expired { .. } => SessionEnd::Expired,
            SessionStatus::Superseded if account.sessions.ended_by_logout(epoch) => {
                return Ok(false);
            }
            SessionStatus::Superseded => SessionEnd::Superseded,
        };
        let kind = match end {
            SessionEnd::Expired => AuditKind::SessionExpired,
            _ => AuditKind::SessionSuperseded,
        };
        self.emit(kind, Some(&account.key), Channel::Web, None);
        Err(Error::SessionEnded(end))
    }
}
