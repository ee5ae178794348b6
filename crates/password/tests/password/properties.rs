//! proptest properties.

use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use shikaku_password::{
    Password, PasswordHistory, Policy, ViolationCode, generate_password,
    generate_password_with_length,
};

use crate::small_hasher;

fn policies() -> impl Strategy<Value = Policy> {
    (4usize..=16, 0usize..=24).prop_map(|(min, extra)| {
        Policy::builder()
            .min_length(min)
            .max_length(min + extra)
            .prefix_length(min.min(5))
            .build()
            .unwrap()
    })
}

proptest! {
    #[test]
    fn a_generated_password_always_passes(seed in any::<[u8; 32]>(), policy in policies(), pick in any::<usize>()) {
        let mut rng = ChaCha20Rng::from_seed(seed);
        let pw = generate_password(&policy, &mut rng);
        prop_assert!(policy.check(pw.as_str()).is_ok(), "{}", pw.as_str());
        let span = policy.max_length() - policy.min_length() + 1;
        let n = policy.min_length() + pick % span;
        let pw = generate_password_with_length(&policy, n, &mut rng).unwrap();
        prop_assert_eq!(pw.char_count(), n);
        prop_assert!(policy.check(pw.as_str()).is_ok(), "{}", pw.as_str());
    }

    #[test]
    fn inserting_a_disallowed_character_always_fails_and_names_it(
        seed in any::<[u8; 32]>(),
        c in any::<char>(),
        at in 0usize..20,
    ) {
        let policy = Policy::default();
        prop_assume!(!policy.is_allowed(c));
        let pw = generate_password(&policy, &mut ChaCha20Rng::from_seed(seed));
        let mut chars: Vec<char> = pw.as_str().chars().collect();
        let at = at % (chars.len() + 1);
        chars.insert(at, c);
        let tampered: String = chars.into_iter().collect();
        let v = policy.check(&tampered).unwrap_err();
        prop_assert_eq!(v.codes(), vec![ViolationCode::DisallowedCharacter]);
        let only = v.iter().next().unwrap();
        prop_assert_eq!(only.character(), Some(c));
        prop_assert_eq!(only.position(), Some(at + 1));
        let code_point = format!("U+{:04X}", u32::from(c));
        prop_assert!(only.message_ja().contains(&code_point));
        prop_assert!(only.message_en().contains(&code_point));
    }

    #[test]
    fn the_check_never_panics_and_is_consistent(s in any::<String>()) {
        let policy = Policy::default();
        let n = s.chars().count();
        match policy.check(&s) {
            Ok(()) => {
                prop_assert!((8..=20).contains(&n));
                prop_assert!(s.chars().all(|c| policy.is_allowed(c)));
            }
            Err(v) => {
                prop_assert!(!v.is_empty());
                prop_assert_eq!(v.contains(ViolationCode::TooShort), n < 8);
                prop_assert_eq!(v.contains(ViolationCode::TooLong), n > 20);
                prop_assert_eq!(
                    v.contains(ViolationCode::DisallowedCharacter),
                    s.chars().any(|c| !policy.is_allowed(c))
                );
                for violation in &v {
                    prop_assert!(!violation.message_ja().is_empty());
                    prop_assert!(!violation.message_en().is_empty());
                }
                prop_assert!(!v.to_string().is_empty());
            }
        }
    }

    #[test]
    fn the_check_never_panics_on_printable_unicode(s in "\\PC{0,40}") {
        let _ = Policy::default().check(&s);
    }

    #[test]
    fn length_rules_follow_the_character_count(n in 0usize..40) {
        let s: String = "Aa1!".chars().chain(std::iter::repeat('x')).take(n).collect();
        let v = Policy::default().check(&s);
        prop_assert_eq!(v.is_ok(), (8..=20).contains(&n));
        if let Err(v) = v {
            prop_assert_eq!(v.contains(ViolationCode::TooShort), n < 8);
            prop_assert_eq!(v.contains(ViolationCode::TooLong), n > 20);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Whatever mix of changes and administrator resets, the history holds
    /// exactly the newest `min(n + 1, 5)` generations, newest first.
    #[test]
    fn the_history_keeps_exactly_the_newest_five(
        seed in any::<[u8; 32]>(),
        steps in proptest::collection::vec(any::<bool>(), 0..10),
    ) {
        let hasher = small_hasher();
        let policy = Policy::default();
        let mut rng = ChaCha20Rng::from_seed(seed);
        // 13 characters each: the history rules never refuse these changes.
        let mut passwords = vec![generate_password_with_length(&policy, 13, &mut rng).unwrap()];
        let mut history = PasswordHistory::new(hasher.hash(&passwords[0], &mut rng).unwrap());
        for is_change in &steps {
            let next = generate_password_with_length(&policy, 13, &mut rng).unwrap();
            let current = passwords.last().unwrap().clone();
            if *is_change {
                history.change(&policy, &hasher, "A001", &current, &next, &mut rng).unwrap();
            } else {
                history.reset(&policy, hasher.hash(&next, &mut rng).unwrap());
            }
            passwords.push(next);
        }
        prop_assert_eq!(history.len(), (steps.len() + 1).min(5));
        prop_assert_eq!(history.retired_len(), history.len() - 1);
        prop_assert!(hasher.verify(passwords.last().unwrap(), history.current()).unwrap());
        let expected: Vec<&Password> = passwords.iter().rev().skip(1).take(4).collect();
        for (generation, pw) in history.retired().zip(expected) {
            prop_assert!(hasher.verify(pw, generation.hash()).unwrap());
        }
        // A retired generation has a prefix verifier exactly when it left by a change.
        let how: Vec<bool> = steps.iter().rev().take(4).copied().collect();
        for (generation, by_change) in history.retired().zip(how) {
            prop_assert_eq!(generation.prefix_verifier().is_some(), by_change);
        }
    }
}
