//! Session timing: the idle timeout, and one active session per account.
//!
//! Two pieces of state, each owned by a different row of a store:
//!
//! * [`SessionSlot`] — per **account**: which login is the current one. Every
//!   login takes a new [`SessionEpoch`]; that alone ends every earlier session
//!   of the account (重要事項: ログアウトせずに再ログインした場合).
//! * [`SessionClock`] — per **session**: its epoch and its last activity.
//!
//! ```text
//!   SessionSlot (per account)               SessionClock (per session, epoch e)
//!
//!   none current (last = 0)                 start(e, t): last_activity := t
//!     | begin() -> e1                          |
//!     v                                        v
//!   current = e1                      +---> Active { expires_at = last_activity + idle }
//!     | begin() -> e2                 |        |        |
//!     |   (e1 is superseded)          +--------+        | now >= expires_at
//!     v                               touch(now):       v
//!   current = e2                      last_activity    Expired { at = expires_at }
//!     | end(e2)                       := now           (touch no longer extends)
//!     v
//!   none current (e2 logged out)
//!
//!   clock.status(slot) = Superseded        if e is not the slot's current epoch
//!                      | Active / Expired  otherwise, from the clock
//! ```
//!
//! **Precedence.** The slot is asked first: a session that was both idle for
//! 30 minutes *and* replaced by a newer login reports
//! [`SessionStatus::Superseded`]. The answer then does not change with `now`
//! (it would otherwise flip from `Superseded` to `Expired` as time passes),
//! and the user learns that their account was used to log in elsewhere — if
//! it was not them, that is the message that matters.
//!
//! A session ended by its own logout also reports `Superseded` (it is no
//! longer the account's current session); a store normally deletes it at
//! logout anyway. Where a stale copy must be told apart,
//! [`SessionSlot::ended_by_logout`] answers whether the logout ended it.
//!
//! **Edges.** A session is active while `now < last_activity + idle` and
//! expired from that instant on: with the manual's 30 minutes, 29:59.999 of
//! inactivity is active and 30:00.000 is expired. Activity at 29:59.999
//! extends to 30 minutes from then; activity at 30:00.000 extends nothing.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::Error;
use crate::instant::{DurationRepr, after, normalize};

/// The manual's idle timeout: 30 minutes without activity.
const MANUAL_IDLE: Duration = Duration::minutes(30);

/// How long a session may go without activity before it expires.
///
/// [`Default`] is the manual's 30 minutes. Stored as
/// `{"duration_secs":1800}`; deserialising validates like
/// [`new`](Self::new).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "IdleTimeoutRepr", into = "IdleTimeoutRepr")]
pub struct IdleTimeout {
    duration: Duration,
}

impl IdleTimeout {
    /// An idle timeout of `duration`.
    ///
    /// # Errors
    ///
    /// [`Error::NonPositiveIdleTimeout`] if `duration` is zero or negative.
    pub fn new(duration: Duration) -> Result<Self, Error> {
        if duration.is_positive() {
            Ok(Self { duration })
        } else {
            Err(Error::NonPositiveIdleTimeout(duration))
        }
    }

    /// The timeout (> 0).
    pub const fn duration(&self) -> Duration {
        self.duration
    }
}

impl Default for IdleTimeout {
    /// 30 minutes, as the manual says.
    fn default() -> Self {
        Self {
            duration: MANUAL_IDLE,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdleTimeoutRepr {
    duration_secs: i64,
    #[serde(default, skip_serializing_if = "crate::instant::is_zero")]
    duration_nanos: u32,
}

impl From<IdleTimeout> for IdleTimeoutRepr {
    fn from(t: IdleTimeout) -> Self {
        let DurationRepr {
            duration_secs,
            duration_nanos,
        } = t.duration.into();
        Self {
            duration_secs,
            duration_nanos,
        }
    }
}

impl TryFrom<IdleTimeoutRepr> for IdleTimeout {
    type Error = Error;

    fn try_from(r: IdleTimeoutRepr) -> Result<Self, Error> {
        Self::new(
            DurationRepr {
                duration_secs: r.duration_secs,
                duration_nanos: r.duration_nanos,
            }
            .try_into()?,
        )
    }
}

/// Which login of an account a session belongs to.
///
/// Issued by [`SessionSlot::begin`], one per login, never 0. Serialised as the
/// bare number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionEpoch(u64);

impl SessionEpoch {
    /// The number, for a store's column.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// An epoch read back from a store's column.
    pub const fn from_raw(raw: u64) -> Self {
        Self(raw)
    }
}

/// Per account: which login is the current one.
///
/// [`Default`] has no session. Stored as `{"last_issued":7,"active":true}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSlot {
    /// The latest epoch handed out (0: none yet).
    last_issued: u64,
    /// Whether that epoch is still current (not ended by a logout).
    active: bool,
}

impl SessionSlot {
    /// Starts a login: returns its new epoch, which becomes the current one.
    /// Every earlier session of the account is superseded from now on.
    pub const fn begin(&mut self) -> SessionEpoch {
        // Epochs count up from 1. After u64::MAX logins they wrap to 1 rather
        // than repeat the latest: what matters is that the new epoch differs
        // from the one it supersedes.
        self.last_issued = match self.last_issued.checked_add(1) {
            Some(next) => next,
            None => 1,
        };
        self.active = true;
        SessionEpoch(self.last_issued)
    }

    /// The current session's epoch, if one is logged in.
    pub const fn current(&self) -> Option<SessionEpoch> {
        if self.active {
            Some(SessionEpoch(self.last_issued))
        } else {
            None
        }
    }

    /// Logs out the session `epoch`. Returns whether it was the current one;
    /// ending a superseded or already ended session changes nothing (so a
    /// stale tab's logout cannot end the newer login).
    pub fn end(&mut self, epoch: SessionEpoch) -> bool {
        let was_current = self.current() == Some(epoch);
        if was_current {
            self.active = false;
        }
        was_current
    }

    /// Whether `epoch` was ended by [`end`](Self::end) and no login has
    /// happened since — as opposed to replaced by a later login. Both make
    /// [`SessionClock::status`] report [`SessionStatus::Superseded`]; this
    /// tells a screen which message fits.
    pub const fn ended_by_logout(&self, epoch: SessionEpoch) -> bool {
        !self.active && epoch.0 == self.last_issued
    }

    /// Whether `epoch` is the current session.
    const fn is_current(&self, epoch: SessionEpoch) -> bool {
        self.active && epoch.0 == self.last_issued
    }
}

/// What a session looks like at some instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum SessionStatus {
    /// The session may be used.
    Active {
        /// When it expires unless there is activity first. In UTC.
        #[serde(with = "time::serde::rfc3339")]
        expires_at: OffsetDateTime,
    },
    /// No activity for the idle timeout (the manual's 30 minutes without
    /// operation). Log in again.
    Expired {
        /// When it expired: last activity + idle timeout. In UTC.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// No longer the account's current session: the account logged in again
    /// without logging this one out (the manual's
    /// ログアウトせずに再ログインした場合) — or this one was logged out, which
    /// [`SessionSlot::ended_by_logout`] tells apart. Takes precedence over
    /// `Expired`.
    Superseded,
}

impl SessionStatus {
    /// Whether the session may be used.
    pub const fn is_active(&self) -> bool {
        matches!(self, Self::Active { .. })
    }
}

/// Per session: its epoch and when it was last used.
///
/// Stored as `{"epoch":7,"last_activity":"2025-04-01T00:00:00Z"}` (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionClock {
    epoch: SessionEpoch,
    #[serde(with = "time::serde::rfc3339")]
    last_activity: OffsetDateTime,
}

impl SessionClock {
    /// A session of login `epoch` (from [`SessionSlot::begin`]), active from
    /// `now`.
    pub fn start(epoch: SessionEpoch, now: OffsetDateTime) -> Self {
        Self {
            epoch,
            last_activity: normalize(now),
        }
    }

    /// The login this session belongs to.
    pub const fn epoch(&self) -> SessionEpoch {
        self.epoch
    }

    /// The last activity that counted (in UTC).
    pub const fn last_activity(&self) -> OffsetDateTime {
        self.last_activity
    }

    /// When the session expires without further activity:
    /// `last_activity + idle`, saturating.
    pub fn expires_at(&self, idle: &IdleTimeout) -> OffsetDateTime {
        after(self.last_activity, idle.duration())
    }

    /// The status at `now`. Does not change anything. `slot` is the
    /// account's; see the module docs for the precedence of its answer.
    pub fn status(
        &self,
        slot: &SessionSlot,
        idle: &IdleTimeout,
        now: OffsetDateTime,
    ) -> SessionStatus {
        if !slot.is_current(self.epoch) {
            return SessionStatus::Superseded;
        }
        let expires_at = self.expires_at(idle);
        if normalize(now) < expires_at {
            SessionStatus::Active { expires_at }
        } else {
            SessionStatus::Expired { at: expires_at }
        }
    }

    /// Records activity at `now` and returns the status after it.
    ///
    /// Only an active session is extended (to `now + idle`); an expired or
    /// superseded one stays so. A `now` earlier than the last
    /// activity does not move it back.
    pub fn touch(
        &mut self,
        slot: &SessionSlot,
        idle: &IdleTimeout,
        now: OffsetDateTime,
    ) -> SessionStatus {
        let status = self.status(slot, idle, now);
        if status.is_active() {
            self.last_activity = self.last_activity.max(normalize(now));
            SessionStatus::Active {
                expires_at: self.expires_at(idle),
            }
        } else {
            status
        }
    }

    /// When this session will expire unless touched, or `None` if it is no
    /// longer the account's current session (nothing will happen to it by
    /// time alone). The instant may already have passed.
    pub fn next_deadline(&self, slot: &SessionSlot, idle: &IdleTimeout) -> Option<OffsetDateTime> {
        if slot.is_current(self.epoch) {
            Some(self.expires_at(idle))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instant::MAX;
    use time::PrimitiveDateTime;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2025-04-01 09:00 +09:00);

    fn login() -> (SessionSlot, SessionClock) {
        let mut slot = SessionSlot::default();
        let e = slot.begin();
        (slot, SessionClock::start(e, T0))
    }

    #[test]
    fn idle_timeout_validates() {
        assert_eq!(IdleTimeout::default().duration(), Duration::minutes(30));
        assert_eq!(
            IdleTimeout::new(Duration::ZERO),
            Err(Error::NonPositiveIdleTimeout(Duration::ZERO))
        );
        assert_eq!(
            IdleTimeout::new(Duration::minutes(-1)),
            Err(Error::NonPositiveIdleTimeout(Duration::minutes(-1)))
        );
        assert_eq!(
            IdleTimeout::new(Duration::minutes(30)),
            Ok(IdleTimeout::default())
        );
    }

    #[test]
    fn idle_timeout_serde_validates() {
        let json = serde_json::to_string(&IdleTimeout::default()).unwrap();
        assert_eq!(json, r#"{"duration_secs":1800}"#);
        assert_eq!(
            serde_json::from_str::<IdleTimeout>(&json).unwrap(),
            IdleTimeout::default()
        );
        let odd = IdleTimeout::new(Duration::new(1, 5)).unwrap();
        let json = serde_json::to_string(&odd).unwrap();
        assert_eq!(json, r#"{"duration_secs":1,"duration_nanos":5}"#);
        assert_eq!(serde_json::from_str::<IdleTimeout>(&json).unwrap(), odd);
        for bad in [
            r#"{"duration_secs":0}"#,
            r#"{"duration_secs":-60}"#,
            r#"{}"#,
            r#"{"duration_secs":60,"duration_nanos":2000000000}"#,
            r#"{"duration_secs":60,"minutes":1}"#,
        ] {
            assert!(serde_json::from_str::<IdleTimeout>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn epochs_count_from_one_and_wrap_without_repeating() {
        let mut slot = SessionSlot::default();
        assert_eq!(slot.current(), None);
        assert_eq!(slot.begin(), SessionEpoch(1));
        assert_eq!(slot.begin(), SessionEpoch(2));
        let mut last = SessionSlot {
            last_issued: u64::MAX,
            active: true,
        };
        assert_eq!(last.begin(), SessionEpoch(1));
        let old = SessionClock::start(SessionEpoch(u64::MAX), T0);
        assert_eq!(
            old.status(&last, &IdleTimeout::default(), T0),
            SessionStatus::Superseded
        );
    }

    #[test]
    fn end_only_ends_the_current_session() {
        let mut slot = SessionSlot::default();
        let e1 = slot.begin();
        let e2 = slot.begin();
        assert!(!slot.end(e1), "a superseded tab's logout must not end e2");
        assert_eq!(slot.current(), Some(e2));
        assert!(slot.end(e2));
        assert_eq!(slot.current(), None);
        assert!(!slot.end(e2), "already ended");
    }

    #[test]
    fn precedence_superseded_over_expired() {
        let idle = IdleTimeout::default();
        let (mut slot, clock) = login();
        let _ = slot.begin();
        assert_eq!(clock.status(&slot, &idle, T0), SessionStatus::Superseded);
        assert_eq!(
            clock.status(&slot, &idle, T0 + Duration::hours(5)),
            SessionStatus::Superseded
        );
        assert_eq!(clock.next_deadline(&slot, &idle), None);
    }

    #[test]
    fn a_logged_out_session_is_no_longer_current_and_says_why() {
        let idle = IdleTimeout::default();
        let (mut slot, clock) = login();
        assert!(!slot.ended_by_logout(clock.epoch()));
        assert!(slot.end(clock.epoch()));
        assert!(slot.ended_by_logout(clock.epoch()));
        assert_eq!(clock.status(&slot, &idle, T0), SessionStatus::Superseded);
        assert_eq!(
            clock.status(&slot, &idle, T0 + Duration::hours(1)),
            SessionStatus::Superseded
        );
        assert_eq!(clock.next_deadline(&slot, &idle), None);
        // A later login: now it was superseded, not (just) logged out.
        let next = slot.begin();
        assert!(!slot.ended_by_logout(clock.epoch()));
        assert!(!slot.ended_by_logout(next));
        assert_eq!(clock.status(&slot, &idle, T0), SessionStatus::Superseded);
    }

    #[test]
    fn touch_moves_last_activity_only_forward() {
        let idle = IdleTimeout::default();
        let (slot, mut clock) = login();
        let t = T0 + Duration::minutes(10);
        let _ = clock.touch(&slot, &idle, t);
        assert_eq!(clock.last_activity(), t);
        let back = clock.touch(&slot, &idle, T0);
        assert_eq!(clock.last_activity(), t);
        assert_eq!(
            back,
            SessionStatus::Active {
                expires_at: t + Duration::minutes(30)
            }
        );
    }

    #[test]
    fn far_future_saturates() {
        let idle = IdleTimeout::new(Duration::MAX).unwrap();
        let (slot, _) = login();
        let e = slot.current().unwrap();
        let mut clock = SessionClock::start(e, PrimitiveDateTime::MAX.assume_utc());
        assert_eq!(clock.expires_at(&idle), MAX);
        assert_eq!(
            clock.touch(&slot, &idle, PrimitiveDateTime::MAX.assume_utc()),
            SessionStatus::Expired { at: MAX }
        );
        assert!(serde_json::to_string(&clock).is_ok());
    }

    #[test]
    fn serde_forms() {
        let (mut slot, clock) = login();
        assert_eq!(
            serde_json::to_string(&slot).unwrap(),
            r#"{"last_issued":1,"active":true}"#
        );
        let json = serde_json::to_string(&clock).unwrap();
        assert_eq!(
            json,
            r#"{"epoch":1,"last_activity":"2025-04-01T00:00:00Z"}"#
        );
        assert_eq!(serde_json::from_str::<SessionClock>(&json).unwrap(), clock);
        slot.end(clock.epoch());
        let json = serde_json::to_string(&slot).unwrap();
        assert_eq!(serde_json::from_str::<SessionSlot>(&json).unwrap(), slot);
        assert!(serde_json::from_str::<SessionSlot>(r#"{"last_issued":1}"#).is_err());
        assert!(serde_json::from_str::<SessionClock>(r#"{"epoch":1}"#).is_err());
        for (status, text) in [
            (
                SessionStatus::Active {
                    expires_at: datetime!(2025-04-01 00:30 UTC),
                },
                r#"{"status":"active","expires_at":"2025-04-01T00:30:00Z"}"#,
            ),
            (
                SessionStatus::Expired {
                    at: datetime!(2025-04-01 00:30 UTC),
                },
                r#"{"status":"expired","at":"2025-04-01T00:30:00Z"}"#,
            ),
            (SessionStatus::Superseded, r#"{"status":"superseded"}"#),
        ] {
            assert_eq!(serde_json::to_string(&status).unwrap(), text);
            assert_eq!(serde_json::from_str::<SessionStatus>(text).unwrap(), status);
        }
        assert_eq!(serde_json::to_string(&SessionEpoch(7)).unwrap(), "7");
    }
}
