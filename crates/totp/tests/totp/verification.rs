//! Window edges and replay refusal.

use shikaku_totp::{Error, Match, Passcode, Verification, Verifier};

use crate::support::{code_of_step, in_step, rfc_secret};

/// A step in 2026 (any step works; this one is far from T = 0).
const STEP: u64 = 59_200_000;

fn accepted(step: u64, drift: i64) -> Verification {
    Verification::Accepted(Match { step, drift })
}

#[test]
fn the_codes_around_step_differ() {
    // The edge tests below rely on these seven codes being distinct (they
    // are: this is a fixed secret and a fixed step).
    let secret = rfc_secret();
    let mut codes: Vec<String> = (STEP - 3..=STEP + 3)
        .map(|s| code_of_step(&secret, s).as_str().to_owned())
        .collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 7);
}

#[test]
fn current_code_at_both_ends_of_its_step() {
    let secret = rfc_secret();
    let verifier = Verifier::default();
    let code = code_of_step(&secret, STEP);
    for second in [0, 1, 15, 29] {
        assert_eq!(
            verifier.verify(&secret, &code, in_step(STEP, second), None),
            accepted(STEP, 0),
            "second {second}"
        );
    }
}

#[test]
fn default_window_is_one_step_each_way() {
    let secret = rfc_secret();
    let verifier = Verifier::default();
    let now = in_step(STEP, 10);
    let verify = |step| verifier.verify(&secret, &code_of_step(&secret, step), now, None);
    assert_eq!(verify(STEP - 1), accepted(STEP - 1, -1));
    assert_eq!(verify(STEP + 1), accepted(STEP + 1, 1));
    assert_eq!(verify(STEP - 2), Verification::Rejected);
    assert_eq!(verify(STEP + 2), Verification::Rejected);
}

#[test]
fn window_edges_move_with_the_second_hand() {
    let secret = rfc_secret();
    let verifier = Verifier::default();
    let previous = code_of_step(&secret, STEP - 1);
    // Last second of STEP: the previous code is still one step behind.
    assert_eq!(
        verifier.verify(&secret, &previous, in_step(STEP, 29), None),
        accepted(STEP - 1, -1)
    );
    // First second of STEP + 1: it is now two behind, outside the window.
    assert_eq!(
        verifier.verify(&secret, &previous, in_step(STEP + 1, 0), None),
        Verification::Rejected
    );
    // A code from the future is accepted from the last second of the step
    // before it, not earlier.
    let next = code_of_step(&secret, STEP + 1);
    assert_eq!(
        verifier.verify(&secret, &next, in_step(STEP - 1, 29), None),
        Verification::Rejected
    );
    assert_eq!(
        verifier.verify(&secret, &next, in_step(STEP, 0), None),
        accepted(STEP + 1, 1)
    );
}

#[test]
fn window_is_configurable() {
    let secret = rfc_secret();
    let now = in_step(STEP, 5);
    let strict = Verifier::builder().window(0).build().expect("window 0");
    assert_eq!(
        strict.verify(&secret, &code_of_step(&secret, STEP), now, None),
        accepted(STEP, 0)
    );
    assert_eq!(
        strict.verify(&secret, &code_of_step(&secret, STEP - 1), now, None),
        Verification::Rejected
    );

    let wide = Verifier::builder().window(2).build().expect("window 2");
    assert_eq!(wide.window(), 2);
    for drift in -2..=2_i64 {
        let step = STEP.checked_add_signed(drift).expect("no overflow");
        assert_eq!(
            wide.verify(&secret, &code_of_step(&secret, step), now, None),
            accepted(step, drift)
        );
    }
    for step in [STEP - 3, STEP + 3] {
        assert_eq!(
            wide.verify(&secret, &code_of_step(&secret, step), now, None),
            Verification::Rejected
        );
    }

    assert_eq!(
        Verifier::builder().window(200).build(),
        Err(Error::WindowTooLarge { window: 200 })
    );
}

#[test]
fn a_code_is_accepted_once() {
    let secret = rfc_secret();
    let verifier = Verifier::default();
    let now = in_step(STEP, 3);
    let code = code_of_step(&secret, STEP);

    let first = verifier.verify(&secret, &code, now, None);
    assert_eq!(first, accepted(STEP, 0));
    let last = first.accepted().expect("accepted").step;

    // Same code again, in the same step or the next one: a replay.
    assert_eq!(
        verifier.verify(&secret, &code, now, Some(last)),
        Verification::Replayed { step: STEP }
    );
    assert_eq!(
        verifier.verify(&secret, &code, in_step(STEP + 1, 0), Some(last)),
        Verification::Replayed { step: STEP }
    );
    // An older code that is still inside the window: also refused.
    assert_eq!(
        verifier.verify(&secret, &code_of_step(&secret, STEP - 1), now, Some(last)),
        Verification::Replayed { step: STEP - 1 }
    );
    // The next step's code is fresh.
    let later = in_step(STEP + 1, 2);
    assert_eq!(
        verifier.verify(&secret, &code_of_step(&secret, STEP + 1), later, Some(last)),
        accepted(STEP + 1, 0)
    );
    // A wrong code is rejected, not reported as a replay.
    let wrong = wrong_code(&secret, STEP);
    assert_eq!(
        verifier.verify(&secret, &wrong, now, Some(last)),
        Verification::Rejected
    );
}

#[test]
fn after_a_future_code_the_current_one_is_a_replay() {
    // The staff member's phone ran ahead and a +1 code was accepted; the
    // current step's code is then older than the last accepted step.
    let secret = rfc_secret();
    let verifier = Verifier::default();
    let now = in_step(STEP, 0);
    assert_eq!(
        verifier.verify(
            &secret,
            &code_of_step(&secret, STEP + 1),
            now,
            Some(STEP - 5)
        ),
        accepted(STEP + 1, 1)
    );
    assert_eq!(
        verifier.verify(&secret, &code_of_step(&secret, STEP), now, Some(STEP + 1)),
        Verification::Replayed { step: STEP }
    );
}

#[test]
fn typed_input_is_normalised_before_verification() {
    let secret = rfc_secret();
    let verifier = Verifier::default();
    let code = code_of_step(&secret, STEP);
    let full_width: String = code
        .as_str()
        .chars()
        .map(|c| char::from_u32(u32::from(c) + 0xFEE0).expect("full-width digit"))
        .collect();
    let typed = format!("\u{3000}{full_width} ");
    let parsed = Passcode::parse(&typed).expect("normalised");
    assert_eq!(
        verifier.verify(&secret, &parsed, in_step(STEP, 0), None),
        accepted(STEP, 0)
    );
    // One space between the halves (as apps display it) is the same code, so it is
    // subject to the same replay check.
    let spaced = format!("{} {}", &code.as_str()[..3], &code.as_str()[3..]);
    let parsed = Passcode::parse(&spaced).expect("halves");
    assert_eq!(parsed.as_str(), code.as_str());
    assert!(matches!(
        verifier.verify(&secret, &parsed, in_step(STEP, 0), Some(STEP)),
        Verification::Replayed { .. }
    ));
    // Spaces elsewhere make it malformed: it never reaches the verifier.
    let elsewhere = format!("{} {}", &code.as_str()[..2], &code.as_str()[2..]);
    assert!(matches!(
        Passcode::parse(&elsewhere),
        Err(Error::MalformedPasscode)
    ));
}

/// A six-digit code that is not the code of any step in `step ± 3`.
fn wrong_code(secret: &shikaku_totp::Secret, step: u64) -> Passcode {
    let near: Vec<String> = (step - 3..=step + 3)
        .map(|s| code_of_step(secret, s).as_str().to_owned())
        .collect();
    (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|c| !near.contains(c))
        .and_then(|c| Passcode::parse(&c).ok())
        .expect("a wrong code exists")
}
