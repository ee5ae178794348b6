//! An Authenticator registration that a passcode has not confirmed yet
//! ([Authenticator 登録] → 《Authenticator 登録確認に進む》 → passcode).

use core::fmt;

use rand_core::CryptoRng;
use time::OffsetDateTime;

use crate::{Match, OtpauthUri, Passcode, Secret, SetupKey, Verification, Verifier};

/// A freshly drawn secret waiting for the staff member to prove that their
/// Authenticator holds it. It is not an active second factor until
/// [`confirm`](PendingEnrollment::confirm) succeeds.
///
/// ```
/// # use shikaku_totp::{PendingEnrollment, Verification, Verifier};
/// # use rand_core::SeedableRng;
/// # let mut rng = rand_chacha::ChaCha20Rng::from_seed([9; 32]);
/// let now = time::macros::datetime!(2026-04-01 09:00:00 UTC);
/// let verifier = Verifier::default();
/// let pending = PendingEnrollment::new(&mut rng);
/// // The app scanned the QR code and shows a passcode:
/// let shown = verifier.generate(pending.secret(), now);
/// let (secret, confirmed) = match pending.confirm(&verifier, &shown, now) {
///     Ok(done) => done,
///     Err((_pending, outcome)) => panic!("not confirmed: {outcome:?}"),
/// };
/// // Store `secret` and `confirmed.step` as the last accepted step: the same
/// // passcode cannot then log in.
/// assert_eq!(
///     verifier.verify(&secret, &shown, now, Some(confirmed.step)),
///     Verification::Replayed { step: confirmed.step }
/// );
/// ```
#[derive(Clone)]
pub struct PendingEnrollment {
    secret: Secret,
}

impl PendingEnrollment {
    /// Draws a new secret.
    pub fn new<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Self {
            secret: Secret::generate(rng),
        }
    }

    /// Resumes a pending enrollment whose secret was stored (for example
    /// between the [Authenticator 登録] screen and the passcode screen).
    #[must_use]
    pub fn from_secret(secret: Secret) -> Self {
        Self { secret }
    }

    /// The secret, to store while the enrollment is pending.
    #[must_use]
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The setup key for 《テキストでコピー》 and the printed sheet.
    #[must_use]
    pub fn setup_key(&self) -> SetupKey {
        self.secret.setup_key()
    }

    /// The URI for the QR code; `account` is the ログイン ID.
    #[must_use]
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> OtpauthUri {
        OtpauthUri::new(issuer, account, &self.secret)
    }

    /// Confirms the enrollment with the passcode the app shows.
    ///
    /// On success the secret becomes the account's active secret and the
    /// caller **must** store `Match::step` as the last accepted step, so the
    /// confirming passcode cannot be replayed for the first login.
    ///
    /// # Errors
    ///
    /// Gives the enrollment back, still pending, with the
    /// [`Verification`] that failed (always [`Verification::Rejected`], as a
    /// pending enrollment has no accepted step to replay).
    pub fn confirm(
        self,
        verifier: &Verifier,
        passcode: &Passcode,
        now: OffsetDateTime,
    ) -> Result<(Secret, Match), (PendingEnrollment, Verification)> {
        match verifier.verify(&self.secret, passcode, now, None) {
            Verification::Accepted(matched) => Ok((self.secret, matched)),
            outcome => Err((self, outcome)),
        }
    }
}

impl fmt::Debug for PendingEnrollment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingEnrollment")
            .field("secret", &self.secret)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;
    use time::macros::datetime;

    #[test]
    fn a_wrong_passcode_leaves_it_pending() {
        let mut rng = ChaCha20Rng::from_seed([3; 32]);
        let now = datetime!(2026-04-01 09:00 UTC);
        let verifier = Verifier::default();
        let pending = PendingEnrollment::new(&mut rng);
        let right = verifier.generate(pending.secret(), now);
        let wrong_digit = if right.as_str().starts_with('0') {
            '1'
        } else {
            '0'
        };
        let wrong = Passcode::parse(&format!("{wrong_digit}{}", &right.as_str()[1..])).unwrap();

        let (pending, outcome) = pending.confirm(&verifier, &wrong, now).unwrap_err();
        assert_eq!(outcome, Verification::Rejected);
        // Still the same secret, and the right code still confirms it.
        let expected = pending.secret().clone();
        let (secret, matched) = pending.confirm(&verifier, &right, now).unwrap();
        assert_eq!(secret, expected);
        assert_eq!(matched.drift, 0);
        assert_eq!(Some(matched.step), verifier.step_at(now));
    }

    #[test]
    fn from_secret_and_views_agree() {
        let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
        let pending = PendingEnrollment::from_secret(secret.clone());
        assert_eq!(pending.secret(), &secret);
        assert_eq!(
            *pending.setup_key().copy_form(),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        let uri = pending.otpauth_uri("Clinic", "user01");
        assert_eq!((uri.issuer(), uri.account()), ("Clinic", "user01"));
        assert_eq!(uri.secret(), &secret);
        assert_eq!(
            format!("{pending:?}"),
            "PendingEnrollment { secret: Secret(***) }"
        );
    }
}
