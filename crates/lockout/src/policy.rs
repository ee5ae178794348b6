//! [`LockoutPolicy`]: how many consecutive failures lock, and for how long.

use serde::{Deserialize, Serialize};
use time::Duration;

use crate::Error;
use crate::instant::DurationRepr;

/// The manual's threshold: 3 consecutive wrong passwords (or passcodes).
const MANUAL_THRESHOLD: u32 = 3;
/// The manual's lock: 30 minutes.
const MANUAL_DURATION: Duration = Duration::minutes(30);

/// How many consecutive failures lock a credential, and for how long.
///
/// [`Default`] is the manual's rule (ログイン ④ パスワード, パスコード ③):
/// 3 consecutive failures lock for 30 minutes, and failures while locked are
/// neither counted nor extend the lock. The password and the passcode each
/// get their own [`Lockout`](crate::Lockout) under this policy.
///
/// The fields are private: a policy only exists validated. Deserialising runs
/// the same validation, so a bad configuration file is refused with an
/// [`Error`] rather than producing a policy that locks everyone (threshold 0)
/// or no one (duration 0). Missing fields take the manual's values:
///
/// ```
/// # use shikaku_lockout::LockoutPolicy;
/// let p: LockoutPolicy = serde_json::from_str(r#"{"threshold": 5}"#)?;
/// assert_eq!(p.threshold(), 5);
/// assert_eq!(p.duration(), time::Duration::minutes(30));
/// assert!(serde_json::from_str::<LockoutPolicy>(r#"{"threshold": 0}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PolicyRepr", into = "PolicyRepr")]
pub struct LockoutPolicy {
    threshold: u32,
    duration: Duration,
    count_failures_while_locked: bool,
}

impl LockoutPolicy {
    /// A policy that locks after `threshold` consecutive failures for
    /// `duration`, not counting failures while locked.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroThreshold`] if `threshold` is 0;
    /// [`Error::NonPositiveLockDuration`] if `duration` is zero or negative.
    pub fn new(threshold: u32, duration: Duration) -> Result<Self, Error> {
        if threshold == 0 {
            return Err(Error::ZeroThreshold);
        }
        if !duration.is_positive() {
            return Err(Error::NonPositiveLockDuration(duration));
        }
        Ok(Self {
            threshold,
            duration,
            count_failures_while_locked: false,
        })
    }

    /// Whether a failure while the lock holds restarts it.
    ///
    /// * `false` (the default, and the manual's reading): a failure while
    ///   locked is not counted and does not extend the lock, so a user who
    ///   waits out the 30 minutes can log in whatever was typed meanwhile
    ///   (「30 分経過後に正しいパスワードで再ログインしてください」).
    /// * `true`: every failure — and every attempt refused by
    ///   [`Lockout::begin_attempt`](crate::Lockout::begin_attempt) — while
    ///   locked moves the end of the lock to `now + duration` (never earlier
    ///   than it was). Slows a patient attacker further, at the price that
    ///   anyone who keeps guessing keeps the real user locked out.
    #[must_use]
    pub const fn count_failures_while_locked(mut self, yes: bool) -> Self {
        self.count_failures_while_locked = yes;
        self
    }

    /// Consecutive failures that lock (≥ 1).
    pub const fn threshold(&self) -> u32 {
        self.threshold
    }

    /// How long a lock lasts (> 0).
    pub const fn duration(&self) -> Duration {
        self.duration
    }

    /// Whether failures while locked restart the lock; see
    /// [`count_failures_while_locked`](Self::count_failures_while_locked).
    pub const fn counts_failures_while_locked(&self) -> bool {
        self.count_failures_while_locked
    }
}

impl Default for LockoutPolicy {
    /// The manual's rule: 3 consecutive failures, 30 minutes, failures while
    /// locked not counted.
    fn default() -> Self {
        Self {
            threshold: MANUAL_THRESHOLD,
            duration: MANUAL_DURATION,
            count_failures_while_locked: false,
        }
    }
}

/// The stored form, e.g. `{"threshold":3,"duration_secs":1800,"count_failures_while_locked":false}`.
#[derive(Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct PolicyRepr {
    threshold: u32,
    duration_secs: i64,
    #[serde(skip_serializing_if = "crate::instant::is_zero")]
    duration_nanos: u32,
    count_failures_while_locked: bool,
}

impl Default for PolicyRepr {
    fn default() -> Self {
        LockoutPolicy::default().into()
    }
}

impl From<LockoutPolicy> for PolicyRepr {
    fn from(p: LockoutPolicy) -> Self {
        let DurationRepr {
            duration_secs,
            duration_nanos,
        } = p.duration.into();
        Self {
            threshold: p.threshold,
            duration_secs,
            duration_nanos,
            count_failures_while_locked: p.count_failures_while_locked,
        }
    }
}

impl TryFrom<PolicyRepr> for LockoutPolicy {
    type Error = Error;

    fn try_from(r: PolicyRepr) -> Result<Self, Error> {
        let duration = DurationRepr {
            duration_secs: r.duration_secs,
            duration_nanos: r.duration_nanos,
        }
        .try_into()?;
        Ok(Self::new(r.threshold, duration)?
            .count_failures_while_locked(r.count_failures_while_locked))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_manual() {
        let p = LockoutPolicy::default();
        assert_eq!(p.threshold(), 3);
        assert_eq!(p.duration(), Duration::minutes(30));
        assert!(!p.counts_failures_while_locked());
        assert_eq!(LockoutPolicy::new(3, Duration::minutes(30)), Ok(p));
    }

    #[test]
    fn constructor_refuses_unusable_numbers() {
        assert_eq!(
            LockoutPolicy::new(0, Duration::minutes(30)),
            Err(Error::ZeroThreshold)
        );
        assert_eq!(
            LockoutPolicy::new(3, Duration::ZERO),
            Err(Error::NonPositiveLockDuration(Duration::ZERO))
        );
        assert_eq!(
            LockoutPolicy::new(3, Duration::seconds(-1)),
            Err(Error::NonPositiveLockDuration(Duration::seconds(-1)))
        );
        assert!(LockoutPolicy::new(1, Duration::nanoseconds(1)).is_ok());
        assert!(LockoutPolicy::new(u32::MAX, Duration::MAX).is_ok());
    }

    #[test]
    fn option_is_carried() {
        let p = LockoutPolicy::default().count_failures_while_locked(true);
        assert!(p.counts_failures_while_locked());
        assert!(
            !p.count_failures_while_locked(false)
                .counts_failures_while_locked()
        );
    }

    #[test]
    fn serde_form_is_flat_and_readable() {
        let json = serde_json::to_value(LockoutPolicy::default()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "threshold": 3,
                "duration_secs": 1800,
                "count_failures_while_locked": false,
            })
        );
        let odd = LockoutPolicy::new(5, Duration::new(90, 250))
            .unwrap()
            .count_failures_while_locked(true);
        let json = serde_json::to_string(&odd).unwrap();
        assert_eq!(
            json,
            r#"{"threshold":5,"duration_secs":90,"duration_nanos":250,"count_failures_while_locked":true}"#
        );
        assert_eq!(serde_json::from_str::<LockoutPolicy>(&json).unwrap(), odd);
    }

    #[test]
    fn deserialising_validates_and_defaults() {
        assert_eq!(
            serde_json::from_str::<LockoutPolicy>("{}").unwrap(),
            LockoutPolicy::default()
        );
        let err = serde_json::from_str::<LockoutPolicy>(r#"{"threshold":0}"#).unwrap_err();
        assert!(err.to_string().contains("at least 1"), "{err}");
        let err = serde_json::from_str::<LockoutPolicy>(r#"{"duration_secs":-1}"#).unwrap_err();
        assert!(err.to_string().contains("longer than zero"), "{err}");
        let err =
            serde_json::from_str::<LockoutPolicy>(r#"{"duration_nanos":1000000000}"#).unwrap_err();
        assert!(err.to_string().contains("duration_nanos"), "{err}");
        let err = serde_json::from_str::<LockoutPolicy>(r#"{"treshold":3}"#).unwrap_err();
        assert!(err.to_string().contains("treshold"), "{err}");
    }
}
