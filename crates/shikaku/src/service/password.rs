//! \[パスワード変更\] 《変更》: the current password under the password lock, the new one
//! against the policy and the history, written in one atomic update; the account's
//! half-finished logins (obtained with the old password) end.

use crate::audit::{AuditKind, Channel};
use crate::error::Error;
use crate::password::{ChangeError, Password, Violation};
use crate::store::Store;

use super::guards::PasswordStep;
use super::{PasswordChange, SessionEnd, SessionInfo, Shikaku};

impl<S: Store> Shikaku<S> {
    /// 《変更》 on \[パスワード変更\]: current password, new password, new password again,
    /// for the session [`session`](Self::session) has just checked.
    ///
    /// The new password is written only while that session is still the account's one
    /// active session; otherwise the answer is [`Error::SessionEnded`], as from
    /// [`session`](Self::session).
    pub fn change_password(
        &self,
        session: &SessionInfo,
        current: &Password,
        new: &Password,
        new_again: &Password,
    ) -> Result<PasswordChange, Error> {
        if self.clock.now() >= session.expires_at {
            return Err(Error::SessionEnded(SessionEnd::Expired));
        }
        let key = &session.key;
        let account = match self.password_step(key, current, Channel::Web)? {
            PasswordStep::Verified(account, _) => account,
            PasswordStep::Invalid => {
                return Ok(PasswordChange::WrongCurrent { locked_until: None });
            }
            PasswordStep::LockedNow(until) => {
                return Ok(PasswordChange::WrongCurrent {
                    locked_until: Some(until),
                });
            }
            PasswordStep::Locked(until) => return Ok(PasswordChange::Locked { until }),
        };
        let still_active =
            |sessions: &crate::lockout::SessionSlot| sessions.current() == Some(session.epoch);
        if account.id != session.account || !still_active(&account.sessions) {
            return Err(Error::SessionEnded(SessionEnd::Superseded));
        }
        let policy = &self.config.password_policy;
        let account_id = account.id.to_string();
        let mut history = account.password.clone();
        let mut violations: Vec<Violation> = Vec::new();
        if new.as_str() != new_again.as_str() {
            violations.push(Violation::confirmation_mismatch());
        }
        let changed = self.argon2(|| {
            if violations.is_empty() {
                self.rng
                    .with(|r| history.change(policy, &self.hasher, &account_id, current, new, r))
            } else {
                history.check_change(policy, &self.hasher, &account_id, current, new)
            }
        });
        if let Err(e) = changed {
            match e {
                ChangeError::Policy(v) => violations.extend(v),
                other => return Err(Error::Hashing(other.to_string())),
            }
        }
        if !violations.is_empty() {
            let codes: Vec<&str> = violations.iter().map(|v| v.code().as_str()).collect();
            self.emit(
                AuditKind::PasswordChangeRejected,
                Some(key),
                Channel::Web,
                Some(codes.join(",")),
            );
            return Ok(PasswordChange::Rejected(violations));
        }
        // Write only if nobody changed the password since we read it (optimistic check).
        let before = account.password.current().clone();
        let now = self.clock.now();
        let mut applied = false;
        let mut superseded = false;
        self.store.update_account(account.id, &mut |a| {
            superseded = !still_active(&a.sessions);
            applied = !superseded && a.password.current() == &before;
            if applied {
                a.password = history.clone();
                a.must_change_password = false;
                a.updated_at = now;
            }
            applied
        })?;
        if superseded {
            return Err(Error::SessionEnded(SessionEnd::Superseded));
        }
        if !applied {
            return Ok(PasswordChange::WrongCurrent { locked_until: None });
        }
        // A half-finished login obtained with the old password cannot finish (a login
        // racing this change looks again after storing its ticket: login.rs).
        self.store.delete_tickets_of(account.id)?;
        self.emit(AuditKind::PasswordChanged, Some(key), Channel::Web, None);
        Ok(PasswordChange::Changed)
    }
}
