//! Passcode verification (RFC 6238) with a drift window and replay refusal.

use serde::{Deserialize, Serialize};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use time::{Duration, OffsetDateTime};
use totp_lite::{Sha1, totp_custom};
use zeroize::Zeroizing;

use crate::{Error, Passcode, Secret};

/// The time step X of RFC 6238 §4.1, in seconds. The manual's Authenticator
/// apps all use 30.
pub const PERIOD_SECONDS: u64 = 30;

/// Steps accepted on each side of the current one unless configured: one,
/// as RFC 6238 §5.2 recommends.
pub const DEFAULT_WINDOW: u8 = 1;

/// The largest window [`VerifierBuilder::window`] accepts: ±10 steps, i.e.
/// five minutes either way. Each extra step makes a guess more likely to
/// succeed (21 candidates give a guess a 1 in 47 620 chance).
pub const MAX_WINDOW: u8 = 10;

/// Passcode length of the manual's Authenticator apps.
pub const DEFAULT_DIGITS: u8 = 6;
/// Shortest passcode RFC 4226 §5.3 allows.
pub const MIN_DIGITS: u8 = 6;
/// Longest passcode RFC 4226 §5.3 allows (RFC 6238's test vectors).
pub const MAX_DIGITS: u8 = 8;

/// Checks passcodes: HMAC-SHA-1, 30-second steps, 6 digits and a window of
/// ±1 step by default.
///
/// The verifier is a value (no clock, no state): the caller passes `now` and
/// the last time step it accepted for the account, and stores the step of an
/// accepted [`Match`] for next time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verifier {
    window: u8,
    digits: u8,
}

impl Default for Verifier {
    fn default() -> Self {
        Self {
            window: DEFAULT_WINDOW,
            digits: DEFAULT_DIGITS,
        }
    }
}

/// Builds a [`Verifier`] with a non-default window (or, for test vectors,
/// digit count). Start with [`Verifier::builder`].
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct VerifierBuilder {
    window: u8,
    digits: u8,
}

impl VerifierBuilder {
    /// Steps accepted before and after the current one (0 = only the
    /// current step; at most [`MAX_WINDOW`]).
    pub fn window(mut self, steps: u8) -> Self {
        self.window = steps;
        self
    }

    /// Passcode length, 6 to 8. Only 6 is what the manual's apps show; 8
    /// exists for RFC 6238's test vectors.
    pub fn digits(mut self, digits: u8) -> Self {
        self.digits = digits;
        self
    }

    /// Checks the settings.
    ///
    /// # Errors
    ///
    /// [`Error::WindowTooLarge`] beyond [`MAX_WINDOW`];
    /// [`Error::UnsupportedDigits`] outside 6..=8.
    pub fn build(self) -> Result<Verifier, Error> {
        if self.window > MAX_WINDOW {
            return Err(Error::WindowTooLarge {
                window: self.window,
            });
        }
        if !(MIN_DIGITS..=MAX_DIGITS).contains(&self.digits) {
            return Err(Error::UnsupportedDigits {
                digits: u32::from(self.digits),
            });
        }
        Ok(Verifier {
            window: self.window,
            digits: self.digits,
        })
    }
}

/// Where an accepted passcode matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Match {
    /// The RFC 6238 time step `T` of the matched code. Store it as the
    /// account's last accepted step: the next verification refuses this step
    /// and every earlier one.
    pub step: u64,
    /// The matched step minus the current step: `-1` means the
    /// Authenticator's clock (or the staff member) was one step behind.
    /// A store may record it to watch for clock drift (RFC 6238 §6).
    pub drift: i64,
}

/// The outcome of [`Verifier::verify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[must_use]
pub enum Verification {
    /// The passcode is right and its step has not been used before.
    Accepted(Match),
    /// The passcode is right for a step that is not newer than the last
    /// accepted one: it (or a code from before it) was already used. Refuse
    /// it like a wrong passcode; whether it counts towards the lockout is the
    /// caller's policy (the code was valid, so someone has seen it).
    Replayed {
        /// The step the passcode belongs to.
        step: u64,
    },
    /// The passcode matches no step in the window.
    Rejected,
}

impl Verification {
    /// The match, if the passcode was accepted.
    #[must_use]
    pub fn accepted(self) -> Option<Match> {
        match self {
            Self::Accepted(m) => Some(m),
            Self::Replayed { .. } | Self::Rejected => None,
        }
    }

    /// `true` for [`Verification::Accepted`] only.
    #[must_use]
    pub fn is_accepted(self) -> bool {
        matches!(self, Self::Accepted(_))
    }
}

impl Verifier {
    /// A builder starting from the defaults.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder {
            window: DEFAULT_WINDOW,
            digits: DEFAULT_DIGITS,
        }
    }

    /// Steps accepted on each side of the current one.
    #[must_use]
    pub fn window(&self) -> u8 {
        self.window
    }

    /// Passcode length.
    #[must_use]
    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// The time step, 30 seconds.
    #[must_use]
    pub fn period(&self) -> Duration {
        Duration::seconds(30)
    }

    /// The RFC 6238 time step `T = floor(unix_time / 30)` at `now`, or `None`
    /// before the Unix epoch, where TOTP is undefined.
    #[must_use]
    pub fn step_at(&self, now: OffsetDateTime) -> Option<u64> {
        u64::try_from(now.unix_timestamp())
            .ok()
            .map(|t| t / PERIOD_SECONDS)
    }

    /// Parses a passcode of this verifier's length (see [`Passcode::parse`]).
    ///
    /// # Errors
    ///
    /// [`Error::MalformedPasscode`] for anything but that many digits.
    pub fn parse_passcode(&self, text: &str) -> Result<Passcode, Error> {
        Passcode::parse_with_digits(text, self.digits)
    }

    /// Checks `passcode` against the steps around `now`.
    ///
    /// `last_accepted_step` is the [`Match::step`] stored after the account's
    /// previous accepted passcode (for a new account: the step that confirmed
    /// the enrollment), or `None` if there never was one. A code for that step
    /// or an earlier one is [`Verification::Replayed`] (RFC 6238 §5.2: a code
    /// is accepted once).
    ///
    /// Every step of the window is computed and compared whatever the input
    /// and wherever it matches, and the comparison and selection are
    /// constant-time (`subtle`), so timing tells nothing about whether or
    /// where the passcode matched. (What remains is totp-lite's decimal
    /// formatting of each expected code, whose time varies by nanoseconds
    /// with the code's own digits, not with the guess.) If the same code
    /// happens to belong to several steps, the fresh step nearest to now
    /// wins (the current one, then one behind, one ahead, two behind, ...).
    ///
    /// A passcode of the wrong length, or a `now` before 1970, is
    /// [`Verification::Rejected`].
    pub fn verify(
        &self,
        secret: &Secret,
        passcode: &Passcode,
        now: OffsetDateTime,
        last_accepted_step: Option<u64>,
    ) -> Verification {
        let Some(current) = self.step_at(now) else {
            return Verification::Rejected;
        };
        if passcode.len() != usize::from(self.digits) {
            return Verification::Rejected;
        }
        let key = secret.expose_bytes();
        let given = passcode.as_bytes();

        let mut fresh = Found::none();
        let mut stale = Found::none();
        for drift in preference_order(self.window) {
            // Steps before T = 0 do not exist; that depends on `now` only.
            let Some(step) = current.checked_add_signed(drift) else {
                continue;
            };
            let Some(candidate) = self.code_at_step(key, step) else {
                continue;
            };
            let matches = candidate.as_bytes().ct_eq(given);
            // Whether a step is fresh depends on public values only.
            let is_fresh = last_accepted_step.is_none_or(|last| step > last);
            if is_fresh {
                fresh.offer(matches, step, drift);
            } else {
                stale.offer(matches, step, drift);
            }
        }

        if fresh.found.into() {
            Verification::Accepted(Match {
                step: fresh.step,
                drift: fresh.drift,
            })
        } else if stale.found.into() {
            Verification::Replayed { step: stale.step }
        } else {
            Verification::Rejected
        }
    }

    /// The passcode an Authenticator shows at `now` (for tests and tools; a
    /// server never needs it). Before 1970 this is the code of step 0.
    #[must_use]
    pub fn generate(&self, secret: &Secret, now: OffsetDateTime) -> Passcode {
        let step = self.step_at(now).unwrap_or(0);
        self.generate_at_step(secret, step)
    }

    /// The passcode of RFC 6238 time step `step` (which comes from a valid
    /// `OffsetDateTime`, so its start time fits in a u64).
    pub(crate) fn generate_at_step(&self, secret: &Secret, step: u64) -> Passcode {
        self.code_at_step(secret.expose_bytes(), step)
            .map(Zeroizing::new)
            .and_then(|code| Passcode::from_generated(&code))
            // Unreachable: totp-lite always yields `digits` ASCII digits and
            // the steps of representable times fit. An all-zero code of the
            // right length keeps this total without a panic.
            .unwrap_or_else(|| Passcode::zeros(self.digits))
    }

    /// totp-lite's code for `step`, or `None` if the step's start time
    /// overflows a u64 (beyond any `OffsetDateTime`).
    ///
    /// The verify path does not wipe these candidate strings: totp-lite
    /// itself leaves the keyed HMAC state and the full HMAC output (from
    /// which every digit follows) unwiped on its stack, so wiping the six
    /// digits would protect nothing while costing about 4 ns per candidate.
    fn code_at_step(&self, key: &[u8], step: u64) -> Option<String> {
        let time = step.checked_mul(PERIOD_SECONDS)?;
        Some(totp_custom::<Sha1>(
            PERIOD_SECONDS,
            u32::from(self.digits),
            key,
            time,
        ))
    }
}

/// The window's offsets, nearest first: 0, -1, +1, -2, +2, ...
fn preference_order(window: u8) -> impl Iterator<Item = i64> {
    (0..=2 * i64::from(window)).map(|i| if i % 2 == 1 { -(i + 1) / 2 } else { i / 2 })
}

/// The first match offered, selected in constant time.
struct Found {
    found: Choice,
    step: u64,
    drift: i64,
}

impl Found {
    fn none() -> Self {
        Self {
            found: Choice::from(0),
            step: 0,
            drift: 0,
        }
    }

    fn offer(&mut self, matches: Choice, step: u64, drift: i64) {
        let take = matches & !self.found;
        self.step.conditional_assign(&step, take);
        self.drift.conditional_assign(&drift, take);
        self.found |= matches;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn secret() -> Secret {
        Secret::from_bytes(b"12345678901234567890").unwrap()
    }

    #[test]
    fn preference_order_is_nearest_first() {
        assert_eq!(preference_order(0).collect::<Vec<_>>(), [0]);
        assert_eq!(preference_order(1).collect::<Vec<_>>(), [0, -1, 1]);
        assert_eq!(
            preference_order(3).collect::<Vec<_>>(),
            [0, -1, 1, -2, 2, -3, 3]
        );
    }

    #[test]
    fn builder_validates() {
        assert_eq!(Verifier::builder().build(), Ok(Verifier::default()));
        assert_eq!(Verifier::builder().window(10).build().unwrap().window(), 10);
        assert_eq!(
            Verifier::builder().window(11).build(),
            Err(Error::WindowTooLarge { window: 11 })
        );
        assert_eq!(
            Verifier::builder().digits(9).build(),
            Err(Error::UnsupportedDigits { digits: 9 })
        );
        assert_eq!(
            Verifier::builder().digits(5).build(),
            Err(Error::UnsupportedDigits { digits: 5 })
        );
    }

    #[test]
    fn step_is_floor_of_unix_time_over_thirty() {
        let v = Verifier::default();
        assert_eq!(v.step_at(datetime!(1970-01-01 00:00:29 UTC)), Some(0));
        assert_eq!(v.step_at(datetime!(1970-01-01 00:00:30 UTC)), Some(1));
        assert_eq!(v.step_at(datetime!(1969-12-31 23:59:59 UTC)), None);
        // Offsets do not matter, only the instant.
        assert_eq!(
            v.step_at(datetime!(2009-02-14 08:31:30 +09:00)),
            Some(1_234_567_890 / 30)
        );
    }

    #[test]
    fn before_the_epoch_nothing_verifies() {
        let v = Verifier::default();
        let code = v.generate_at_step(&secret(), 0);
        assert_eq!(
            v.verify(&secret(), &code, datetime!(1969-12-31 23:59:59 UTC), None),
            Verification::Rejected
        );
        // ... and generation clamps to step 0.
        assert_eq!(
            v.generate(&secret(), datetime!(1960-01-01 0:00 UTC))
                .as_str(),
            code.as_str()
        );
    }

    #[test]
    fn step_zero_has_no_earlier_neighbour() {
        let v = Verifier::default();
        let now = datetime!(1970-01-01 00:00:10 UTC);
        let code = v.generate_at_step(&secret(), 0);
        assert_eq!(
            v.verify(&secret(), &code, now, None),
            Verification::Accepted(Match { step: 0, drift: 0 })
        );
        let ahead = v.generate_at_step(&secret(), 1);
        assert_eq!(
            v.verify(&secret(), &ahead, now, None),
            Verification::Accepted(Match { step: 1, drift: 1 })
        );
    }

    #[test]
    fn wrong_length_passcode_is_rejected() {
        let eight = Verifier::builder().digits(8).build().unwrap();
        let now = datetime!(2026-04-01 09:00 UTC);
        let six = Verifier::default().generate(&secret(), now);
        assert_eq!(
            eight.verify(&secret(), &six, now, None),
            Verification::Rejected
        );
    }

    #[test]
    fn a_fresh_step_wins_over_a_replayed_one() {
        // Search for a secret whose code at step s-1 equals its code at s+1
        // would take ~10^6 tries; instead check the selection logic directly.
        let mut fresh = Found::none();
        fresh.offer(Choice::from(0), 10, 0);
        fresh.offer(Choice::from(1), 9, -1);
        fresh.offer(Choice::from(1), 11, 1);
        assert!(bool::from(fresh.found));
        assert_eq!((fresh.step, fresh.drift), (9, -1));
    }

    #[test]
    fn verification_helpers() {
        let m = Match { step: 3, drift: 0 };
        assert_eq!(Verification::Accepted(m).accepted(), Some(m));
        assert!(Verification::Accepted(m).is_accepted());
        assert_eq!(Verification::Replayed { step: 3 }.accepted(), None);
        assert!(!Verification::Rejected.is_accepted());
    }
}
