//! Generated initial passwords.

use shikaku_password::{Error, Policy, generate_password, generate_password_with_length};

use crate::rng;

#[test]
fn generated_passwords_comply_and_avoid_look_alikes() {
    let policy = Policy::default();
    let mut rng = rng(21);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..2_000 {
        let pw = generate_password(&policy, &mut rng);
        assert_eq!(pw.char_count(), 12);
        assert!(policy.check(pw.as_str()).is_ok(), "{}", pw.as_str());
        assert!(
            !pw.as_str().contains([
                '0', '1', 'O', 'o', 'l', 'I', '`', '\'', '|', ',', '.', ';', ':'
            ]),
            "{}",
            pw.as_str()
        );
        seen.insert(pw.as_str().to_owned());
    }
    assert_eq!(seen.len(), 2_000, "no repeats expected from a CSPRNG");
}

#[test]
fn every_position_uses_every_class() {
    // The required classes are shuffled, not pinned to fixed positions.
    let policy = Policy::default();
    let mut rng = rng(22);
    let mut digit_at = [false; 12];
    let mut special_at = [false; 12];
    for _ in 0..2_000 {
        let pw = generate_password(&policy, &mut rng);
        for (i, c) in pw.as_str().chars().enumerate() {
            digit_at[i] |= c.is_ascii_digit();
            special_at[i] |= policy.is_special(c);
        }
    }
    assert!(digit_at.iter().all(|b| *b) && special_at.iter().all(|b| *b));
}

#[test]
fn the_rng_decides() {
    let policy = Policy::default();
    let a = generate_password(&policy, &mut rng(1));
    let b = generate_password(&policy, &mut rng(1));
    let c = generate_password(&policy, &mut rng(2));
    assert_eq!(a.as_str(), b.as_str());
    assert_ne!(a.as_str(), c.as_str());
}

#[test]
fn requested_lengths_must_fit_the_policy() {
    let policy = Policy::default();
    for n in [8, 13, 20] {
        let pw = generate_password_with_length(&policy, n, &mut rng(3)).unwrap();
        assert_eq!(pw.char_count(), n);
        assert!(policy.check(pw.as_str()).is_ok());
    }
    for n in [0, 7, 21] {
        assert_eq!(
            generate_password_with_length(&policy, n, &mut rng(3)).err(),
            Some(Error::InvalidLength {
                requested: n,
                min: 8,
                max: 20
            })
        );
    }
}
