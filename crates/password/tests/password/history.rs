//! The history rules: 5 generations (current included), 13-character
//! threshold, 5-character prefix, exact comparison, reset without verifier.

use shikaku_password::{
    ChangeError, Hasher, Password, PasswordHistory, Pepper, Policy, ViolationCode, ViolationCode::*,
};

use crate::{rng, small_hasher};

const ACCOUNT: &str = "A001";

/// A history whose generations are `passwords`, oldest first, made through
/// real changes (so every retired generation has a prefix verifier).
fn history_of(hasher: &Hasher, passwords: &[&str]) -> PasswordHistory {
    let policy = Policy::default();
    let mut rng = rng(11);
    let mut history =
        PasswordHistory::new(hasher.hash(&Password::new(passwords[0]), &mut rng).unwrap());
    for pair in passwords.windows(2) {
        history
            .change(
                &policy,
                hasher,
                ACCOUNT,
                &Password::new(pair[0]),
                &Password::new(pair[1]),
                &mut rng,
            )
            .unwrap_or_else(|e| panic!("{} -> {}: {e}", pair[0], pair[1]));
    }
    history
}

/// The codes a change from `current` to `new` is refused with.
fn refusal(
    history: &PasswordHistory,
    hasher: &Hasher,
    current: &str,
    new: &str,
) -> Vec<ViolationCode> {
    refusal_for(history, hasher, ACCOUNT, current, new)
}

fn refusal_for(
    history: &PasswordHistory,
    hasher: &Hasher,
    account: &str,
    current: &str,
    new: &str,
) -> Vec<ViolationCode> {
    match history.check_change(
        &Policy::default(),
        hasher,
        account,
        &Password::new(current),
        &Password::new(new),
    ) {
        Ok(()) => Vec::new(),
        Err(ChangeError::Policy(v)) => v.codes(),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn the_manuals_example_staff123_to_staff456_is_refused() {
    let hasher = small_hasher();
    let history = PasswordHistory::new(
        hasher
            .hash(&Password::new("staff123"), &mut rng(1))
            .unwrap(),
    );
    let codes = refusal(&history, &hasher, "staff123", "staff456");
    assert!(codes.contains(&SimilarToGeneration), "{codes:?}");
    assert_eq!(
        codes,
        [MissingUppercase, MissingSpecial, SimilarToGeneration]
    );

    // The same example with compliant passwords: only the prefix rule.
    let history = history_of(&hasher, &["Staff12!"]);
    assert_eq!(
        refusal(&history, &hasher, "Staff12!", "Staff45!"),
        [SimilarToGeneration]
    );
    // ... and when the similar password is a retired generation, found
    // through its prefix verifier.
    let history = history_of(&hasher, &["Staff12!", "Other34#"]);
    assert_eq!(
        refusal(&history, &hasher, "Other34#", "Staff45!"),
        [SimilarToGeneration]
    );
}

#[test]
fn five_shared_characters_are_refused_four_are_allowed() {
    let hasher = small_hasher();
    // Against the current password (compared in plaintext).
    let history = history_of(&hasher, &["Abcde-12"]);
    assert_eq!(
        refusal(&history, &hasher, "Abcde-12", "Abcde#34"),
        [SimilarToGeneration]
    );
    assert_eq!(refusal(&history, &hasher, "Abcde-12", "Abcd#345"), []);
    // Against a retired generation (through its prefix verifier).
    let history = history_of(&hasher, &["Abcde-12", "Zyxwv-98"]);
    assert_eq!(
        refusal(&history, &hasher, "Zyxwv-98", "Abcde#34"),
        [SimilarToGeneration]
    );
    assert_eq!(refusal(&history, &hasher, "Zyxwv-98", "Abcd#345"), []);
}

#[test]
fn twelve_characters_are_checked_thirteen_are_not() {
    let hasher = small_hasher();
    let history = history_of(&hasher, &["Staff-1234ab", "Other-5678cd"]);
    // 12 characters: equal to a retired generation → refused.
    assert_eq!(
        refusal(&history, &hasher, "Other-5678cd", "Staff-1234ab"),
        [ReusedGeneration]
    );
    // 12 characters sharing a retired prefix → refused.
    assert_eq!(
        refusal(&history, &hasher, "Other-5678cd", "Staff-9999zz"),
        [SimilarToGeneration]
    );
    // 13 characters sharing a prefix with both → the history rules do not apply.
    assert_eq!(
        refusal(&history, &hasher, "Other-5678cd", "Staff-9999zzz"),
        []
    );
    assert_eq!(
        refusal(&history, &hasher, "Other-5678cd", "Other-5678cdX"),
        []
    );

    // A 13-character retired password may be reused as it stands ...
    let history = history_of(&hasher, &["Staff-1234abc", "Other-5678cd"]);
    assert_eq!(
        refusal(&history, &hasher, "Other-5678cd", "Staff-1234abc"),
        []
    );
    // ... but a 12-character new password may not share its first 5 characters.
    assert_eq!(
        refusal(&history, &hasher, "Other-5678cd", "Staff-1234ab"),
        [SimilarToGeneration]
    );
}

#[test]
fn the_current_password_is_always_refused() {
    let hasher = small_hasher();
    let history = history_of(&hasher, &["Staff-1234abc"]);
    assert_eq!(
        refusal(&history, &hasher, "Staff-1234abc", "Staff-1234abc"),
        [SameAsCurrent]
    );
    let history = history_of(&hasher, &["Staff-12"]);
    assert_eq!(
        refusal(&history, &hasher, "Staff-12", "Staff-12"),
        [SameAsCurrent]
    );
    // Even with history rules switched off.
    let off = Policy::builder().history_applies_below(0).build().unwrap();
    let r = history.check_change(
        &off,
        &hasher,
        ACCOUNT,
        &Password::new("Staff-12"),
        &Password::new("Staff-12"),
    );
    assert!(matches!(r, Err(ChangeError::Policy(v)) if v.codes() == [SameAsCurrent]));
}

#[test]
fn comparison_is_exact_and_case_sensitive() {
    let hasher = small_hasher();
    let history = history_of(&hasher, &["Abcde-12", "Zyxwv-98"]);
    // Different case in the prefix: not similar, not equal.
    assert_eq!(refusal(&history, &hasher, "Zyxwv-98", "aBCDE-12"), []);
    assert_eq!(refusal(&history, &hasher, "Zyxwv-98", "zYXWV-98"), []);
    // Equality with a retired generation is found, prefix included only once.
    assert_eq!(
        refusal(&history, &hasher, "Zyxwv-98", "Abcde-12"),
        [ReusedGeneration]
    );
}

#[test]
fn history_holds_five_generations_current_included() {
    let hasher = small_hasher();
    let p = [
        "Aaaaa-11", "Bbbbb-22", "Ccccc-33", "Ddddd-44", "Eeeee-55", "Fffff-66",
    ];
    let history = history_of(&hasher, &p);
    assert_eq!(history.len(), 5);
    assert_eq!(history.retired_len(), 4);
    assert!(
        history
            .verify_current(&hasher, &Password::new("Fffff-66"))
            .unwrap()
    );
    // p[0] is the 6th generation back: dropped, so it may be used again.
    assert_eq!(refusal(&history, &hasher, "Fffff-66", "Aaaaa-11"), []);
    assert_eq!(refusal(&history, &hasher, "Fffff-66", "Aaaaa-99"), []);
    // p[1] .. p[4] are within the 5 generations.
    for old in &p[1..5] {
        assert_eq!(
            refusal(&history, &hasher, "Fffff-66", old),
            [ReusedGeneration],
            "{old}"
        );
        let similar = format!("{}#x9", &old[..5]);
        assert_eq!(
            refusal(&history, &hasher, "Fffff-66", &similar),
            [SimilarToGeneration],
            "{similar}"
        );
    }
    // Retired generations are newest first and each has a prefix verifier.
    let retired: Vec<_> = history.retired().collect();
    assert!(
        hasher
            .verify(&Password::new("Eeeee-55"), retired[0].hash())
            .unwrap()
    );
    assert!(
        hasher
            .verify(&Password::new("Bbbbb-22"), retired[3].hash())
            .unwrap()
    );
    assert!(
        retired
            .iter()
            .all(|g| g.prefix_verifier().map(|v| v.length()) == Some(5))
    );
}

#[test]
fn a_reset_retires_the_current_password_without_a_prefix_verifier() {
    let hasher = small_hasher();
    let policy = Policy::default();
    let mut history = history_of(&hasher, &["Abcde-12"]);
    let temporary = Password::new("Tmp#4567xy");
    history.reset(&policy, hasher.hash(&temporary, &mut rng(5)).unwrap());
    assert_eq!(history.len(), 2);
    let retired = history.retired().next().unwrap();
    assert!(retired.prefix_verifier().is_none());
    // Equality is still caught through the retired hash ...
    assert_eq!(
        refusal(&history, &hasher, "Tmp#4567xy", "Abcde-12"),
        [ReusedGeneration]
    );
    // ... but similarity to it cannot be: there is no prefix verifier.
    assert_eq!(refusal(&history, &hasher, "Tmp#4567xy", "Abcde#34"), []);
    // The current (temporary) password is compared in plaintext as always.
    assert_eq!(
        refusal(&history, &hasher, "Tmp#4567xy", "Tmp#4Zz9"),
        [SimilarToGeneration]
    );
}

#[test]
fn prefix_verifiers_are_bound_to_the_account() {
    let hasher = small_hasher();
    let history = history_of(&hasher, &["Abcde-12", "Zyxwv-98"]);
    assert_eq!(
        refusal_for(&history, &hasher, ACCOUNT, "Zyxwv-98", "Abcde#34"),
        [SimilarToGeneration]
    );
    assert_eq!(
        refusal_for(&history, &hasher, "A002", "Zyxwv-98", "Abcde#34"),
        []
    );
}

#[test]
fn prefix_verifiers_are_keyed_with_the_pepper() {
    let peppered = Hasher::builder()
        .m_cost(64)
        .t_cost(1)
        .pepper(Pepper::new(vec![7; 32]).unwrap())
        .build()
        .unwrap();
    let history = history_of(&peppered, &["Abcde-12", "Zyxwv-98"]);
    assert_eq!(
        refusal(&history, &peppered, "Zyxwv-98", "Abcde#34"),
        [SimilarToGeneration]
    );
    assert_eq!(
        refusal(&history, &peppered, "Zyxwv-98", "Abcde-12"),
        [ReusedGeneration]
    );
    // Without the pepper nothing in the history can be matched.
    let plain = small_hasher();
    assert_eq!(refusal(&history, &plain, "Zyxwv-98", "Abcde#34"), []);
    assert_eq!(refusal(&history, &plain, "Zyxwv-98", "Abcde-12"), []);
}

#[test]
fn composition_and_history_violations_come_together() {
    let hasher = small_hasher();
    let history = history_of(&hasher, &["Abcde-12", "Zyxwv-98"]);
    // Reuses the retired generation's prefix and lacks a special character.
    assert_eq!(
        refusal(&history, &hasher, "Zyxwv-98", "Abcde345"),
        [MissingSpecial, SimilarToGeneration]
    );
    // Too short, same as current: both named.
    let history = history_of(&hasher, &["Abcde-12"]);
    let r = history.check_change(
        &Policy::builder().min_length(10).build().unwrap(),
        &hasher,
        ACCOUNT,
        &Password::new("Abcde-12"),
        &Password::new("Abcde-12"),
    );
    assert!(matches!(r, Err(ChangeError::Policy(v)) if v.codes() == [TooShort, SameAsCurrent]));
}

#[test]
fn a_refused_change_leaves_the_history_untouched() {
    let hasher = small_hasher();
    let mut history = history_of(&hasher, &["Abcde-12", "Zyxwv-98"]);
    let before = history.clone();
    let r = history.change(
        &Policy::default(),
        &hasher,
        ACCOUNT,
        &Password::new("Zyxwv-98"),
        &Password::new("Abcde-12"),
        &mut rng(9),
    );
    assert!(matches!(r, Err(ChangeError::Policy(_))));
    assert_eq!(history, before);
}

#[test]
fn one_and_two_workers_agree() {
    let passwords = ["Aaaaa-11", "Bbbbb-22", "Ccccc-33", "Ddddd-44", "Eeeee-55"];
    for workers in [1, 2, 4] {
        let hasher = Hasher::builder()
            .m_cost(64)
            .t_cost(1)
            .workers(workers)
            .build()
            .unwrap();
        let history = history_of(&hasher, &passwords);
        assert_eq!(
            refusal(&history, &hasher, "Eeeee-55", "Aaaaa-11"),
            [ReusedGeneration]
        );
        assert_eq!(
            refusal(&history, &hasher, "Eeeee-55", "Bbbbb#x9"),
            [SimilarToGeneration]
        );
        assert_eq!(refusal(&history, &hasher, "Eeeee-55", "Ggggg-77"), []);
    }
}

#[test]
fn serde_round_trip_keeps_the_rules_working_and_holds_no_plaintext() {
    let hasher = small_hasher();
    let history = history_of(&hasher, &["Abcde-12", "Zyxwv-98"]);
    let json = serde_json::to_string(&history).unwrap();
    assert!(!json.contains("Abcde") && !json.contains("Zyxwv"));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(value["current"].as_str().unwrap().starts_with("$argon2id$"));
    assert_eq!(value["retired"][0]["prefix_verifier"]["length"], 5);

    let back: PasswordHistory = serde_json::from_str(&json).unwrap();
    assert_eq!(back, history);
    assert_eq!(
        refusal(&back, &hasher, "Zyxwv-98", "Abcde#34"),
        [SimilarToGeneration]
    );

    // A stored history with a broken hash is refused on load.
    let broken = json.replacen("$argon2id$", "$argon9$", 1);
    assert!(serde_json::from_str::<PasswordHistory>(&broken).is_err());
}

#[test]
fn debug_shows_no_salt_hash_or_plaintext() {
    let hasher = small_hasher();
    let history = history_of(&hasher, &["Abcde-12", "Zyxwv-98"]);
    let shown = format!("{history:?}");
    let json = serde_json::to_value(&history).unwrap();
    let current = json["current"].as_str().unwrap();
    let hash_part = current.rsplit('$').next().unwrap();
    assert!(!shown.contains(hash_part), "{shown}");
    assert!(!shown.contains("Abcde"));
    assert!(
        shown.contains("PasswordHash(\"$argon2id$v=19$m=64,t=1,p=1$…\")"),
        "{shown}"
    );
}

#[test]
fn a_shorter_depth_forgets_sooner() {
    let hasher = small_hasher();
    let policy = Policy::builder().history_depth(2).build().unwrap();
    let mut history = PasswordHistory::new(
        hasher
            .hash(&Password::new("Aaaaa-11"), &mut rng(1))
            .unwrap(),
    );
    let mut r = rng(2);
    for pair in [["Aaaaa-11", "Bbbbb-22"], ["Bbbbb-22", "Ccccc-33"]] {
        history
            .change(
                &policy,
                &hasher,
                ACCOUNT,
                &Password::new(pair[0]),
                &Password::new(pair[1]),
                &mut r,
            )
            .unwrap();
    }
    assert_eq!(history.len(), 2);
    let check = |new: &str| {
        history.check_change(
            &policy,
            &hasher,
            ACCOUNT,
            &Password::new("Ccccc-33"),
            &Password::new(new),
        )
    };
    assert!(check("Aaaaa-11").is_ok());
    assert!(
        matches!(check("Bbbbb-22"), Err(ChangeError::Policy(v)) if v.codes() == [ReusedGeneration])
    );
}
