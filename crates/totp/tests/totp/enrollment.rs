//! Pending enrollments: a secret is not active until a passcode confirms it,
//! and the confirming passcode cannot log in.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use shikaku_totp::{OtpauthUri, PendingEnrollment, SetupKey, Verification, Verifier};

use crate::support::in_step;

const STEP: u64 = 59_200_000;

#[test]
fn the_confirming_code_cannot_be_reused_for_the_first_login() {
    let mut rng = ChaCha20Rng::from_seed([11; 32]);
    let verifier = Verifier::default();
    let pending = PendingEnrollment::new(&mut rng);
    let now = in_step(STEP, 20);
    let code = verifier.generate(pending.secret(), now);

    let (secret, confirmed) = pending
        .confirm(&verifier, &code, now)
        .unwrap_or_else(|(_, outcome)| panic!("not confirmed: {outcome:?}"));
    assert_eq!(confirmed.step, STEP);

    // Login 5 seconds later with the same code: refused as a replay, also
    // in the next step while the code is still inside the window.
    for later in [in_step(STEP, 25), in_step(STEP + 1, 5)] {
        assert_eq!(
            verifier.verify(&secret, &code, later, Some(confirmed.step)),
            Verification::Replayed { step: STEP }
        );
    }
    // The next code logs in.
    let next = verifier.generate(&secret, in_step(STEP + 1, 5));
    assert!(
        verifier
            .verify(&secret, &next, in_step(STEP + 1, 5), Some(confirmed.step))
            .is_accepted()
    );
}

#[test]
fn each_enrollment_gets_a_fresh_secret_and_the_views_agree() {
    let mut rng = ChaCha20Rng::from_seed([12; 32]);
    let a = PendingEnrollment::new(&mut rng);
    let b = PendingEnrollment::new(&mut rng);
    assert_ne!(a.secret(), b.secret());
    assert_eq!(a.secret().expose_bytes().len(), 20);

    // QR code and setup key carry the same secret.
    let uri = OtpauthUri::parse(&a.otpauth_uri("Clinic", "user01").to_uri_string())
        .expect("own URI parses");
    assert_eq!(uri.secret(), a.secret());
    assert_eq!(
        SetupKey::parse(&a.setup_key().display_form()).as_ref(),
        Ok(a.secret())
    );
    assert_eq!(
        SetupKey::parse(&a.setup_key().copy_form()).as_ref(),
        Ok(a.secret())
    );
}

#[test]
fn a_code_from_another_secret_does_not_confirm() {
    let mut rng = ChaCha20Rng::from_seed([13; 32]);
    let verifier = Verifier::default();
    let now = in_step(STEP, 0);
    let pending = PendingEnrollment::new(&mut rng);
    let other = PendingEnrollment::new(&mut rng);
    let code = verifier.generate(other.secret(), now);
    // Make sure the two secrets' codes differ around now (fixed seeds).
    assert!(
        (STEP - 1..=STEP + 1)
            .all(|s| verifier.generate(pending.secret(), in_step(s, 0)).as_str() != code.as_str())
    );
    let (pending, outcome) = pending
        .confirm(&verifier, &code, now)
        .expect_err("wrong secret");
    assert_eq!(outcome, Verification::Rejected);
    // Still pending, still confirmable.
    let right = verifier.generate(pending.secret(), now);
    assert!(pending.confirm(&verifier, &right, now).is_ok());
}
