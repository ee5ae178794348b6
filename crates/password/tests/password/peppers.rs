//! Peppers by id: a hash names the pepper it was made with (PHC `keyid`), a
//! hasher holding the current pepper and older ones verifies each hash with its
//! own, `needs_rehash` moves hashes to the current pepper, and the history's
//! retired generations and prefix verifiers keep working under older peppers.

use shikaku_password::{
    ChangeError, Error, Hasher, Password, PasswordHash, PasswordHistory, Pepper, Policy,
    ViolationCode,
};

use crate::rng;

fn pepper(byte: u8) -> Pepper {
    Pepper::new([byte; 32]).unwrap()
}

/// m = 64 KiB, t = 1, with pepper `current` (id = byte) and `older` ones.
fn hasher(current: u8, older: &[u8]) -> Hasher {
    let mut builder = Hasher::builder()
        .m_cost(64)
        .t_cost(1)
        .keyed_pepper(u32::from(current), pepper(current));
    for id in older {
        builder = builder.older_pepper(u32::from(*id), pepper(*id));
    }
    builder.build().unwrap()
}

#[test]
fn a_hash_names_its_pepper_and_pepper_one_is_named_by_none() {
    let mut rng = rng(1);
    let pw = Password::new("Staff-2024");
    let one = hasher(1, &[]).hash(&pw, &mut rng).unwrap();
    assert!(
        one.as_str().starts_with("$argon2id$v=19$m=64,t=1,p=1$"),
        "pepper 1 as before pepper ids: {one:?}"
    );
    assert_eq!(one.pepper_id(), Some(1));
    let two = hasher(2, &[1]).hash(&pw, &mut rng).unwrap();
    assert!(
        two.as_str()
            .starts_with("$argon2id$v=19$m=64,t=1,p=1,keyid=AAAAAg$")
    );
    assert_eq!(two.pepper_id(), Some(2));
    // The keyid round-trips through the PHC string (as stored).
    let back = PasswordHash::try_from(two.as_str()).unwrap();
    assert_eq!(back.pepper_id(), Some(2));
    let big = Hasher::builder()
        .m_cost(64)
        .t_cost(1)
        .keyed_pepper(70_000, pepper(7))
        .build()
        .unwrap();
    assert_eq!(big.hash(&pw, &mut rng).unwrap().pepper_id(), Some(70_000));
    // A keyid this crate does not write names no pepper.
    let odd = PasswordHash::try_from(
        "$argon2id$v=19$m=64,t=1,p=1,keyid=AQ$c29tZXNhbHRzb21lc2FsdA$\
         AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    )
    .unwrap();
    assert_eq!(odd.pepper_id(), None);
    assert!(matches!(
        hasher(1, &[]).verify(&pw, &odd),
        Err(Error::UnsupportedHash(_))
    ));
}

#[test]
fn each_hash_verifies_with_its_own_pepper_and_moves_to_the_current_one() {
    let mut rng = rng(2);
    let pw = Password::new("Staff-2024");
    let wrong = Password::new("Staff-2025");
    let old = hasher(1, &[]);
    let stored = old.hash(&pw, &mut rng).unwrap();
    assert!(!old.needs_rehash(&stored));

    // Step 1 of a rotation: the new pepper is known but not current.
    let added = hasher(1, &[2]);
    assert!(added.verify(&pw, &stored).unwrap());
    assert!(!added.needs_rehash(&stored), "pepper 1 is still current");

    // Step 2: the new pepper is current, the old one still verifies.
    let rotated = hasher(2, &[1]);
    assert!(rotated.verify(&pw, &stored).unwrap());
    assert!(!rotated.verify(&wrong, &stored).unwrap());
    assert!(rotated.needs_rehash(&stored), "a hash under pepper 1 moves");
    let moved = rotated.hash(&pw, &mut rng).unwrap();
    assert!(!rotated.needs_rehash(&moved));
    assert!(rotated.verify(&pw, &moved).unwrap());
    // A node still on pepper 1 (rolling restart) reads the moved hash too.
    assert!(added.verify(&pw, &moved).unwrap());

    // The same costs whatever the pepper: one setting.
    assert_eq!(stored.settings().unwrap(), moved.settings().unwrap());
    assert_eq!(moved.settings().unwrap(), rotated.settings().unwrap());

    // Step 3: pepper 1 retired. Its hashes can no longer be verified, and say why.
    let retired = hasher(2, &[]);
    assert!(retired.verify(&pw, &moved).unwrap());
    assert_eq!(retired.verify(&pw, &stored), Err(Error::UnknownPepper(1)));
    assert!(retired.needs_rehash(&stored));

    // The same id under another pepper is a mismatch (false), not an error.
    let impostor = Hasher::builder()
        .m_cost(64)
        .t_cost(1)
        .keyed_pepper(2, pepper(9))
        .build()
        .unwrap();
    assert!(!impostor.verify(&pw, &moved).unwrap());
}

#[test]
fn dummies_name_the_current_pepper() {
    let mut rng = rng(3);
    let rotated = hasher(2, &[1]);
    let stored = hasher(1, &[]).hash(&Password::new("x"), &mut rng).unwrap();
    let settings = stored.settings().unwrap();
    let dummy = rotated
        .hash_with_settings(&Password::new("dummy"), &settings, &mut rng)
        .unwrap();
    assert_eq!(dummy.pepper_id(), Some(2));
    assert_eq!(dummy.settings().unwrap(), settings);
    // Verifiable once pepper 1 is gone.
    assert!(
        hasher(2, &[])
            .verify(&Password::new("dummy"), &dummy)
            .unwrap()
    );
}

#[test]
fn ids_are_checked_when_the_hasher_is_built() {
    let base = || Hasher::builder().m_cost(64).t_cost(1);
    assert!(base().keyed_pepper(0, pepper(1)).build().is_err());
    assert!(
        base()
            .keyed_pepper(2, pepper(2))
            .older_pepper(2, pepper(3))
            .build()
            .is_err()
    );
    assert!(base().older_pepper(1, pepper(1)).build().is_err());
    let h = base()
        .keyed_pepper(3, pepper(3))
        .older_pepper(1, pepper(1))
        .build()
        .unwrap();
    assert_eq!((h.pepper_id(), h.pepper_ids()), (3, vec![3, 1]));
    assert!(format!("{h:?}").contains("pepper_ids: [3, 1]"));
    assert!(!format!("{h:?}").contains("[3; 32]"));
}

/// A history built under pepper 1 (retired generations, prefix verifiers), then
/// checked and changed under pepper 2 with pepper 1 still held: the rules still
/// apply to every generation, and the new generations are made under pepper 2.
#[test]
fn the_history_keeps_its_rules_across_peppers() {
    let policy = Policy::default();
    let mut rng = rng(4);
    let old = hasher(1, &[]);
    let account = "A001";
    let mut history =
        PasswordHistory::new(old.hash(&Password::new("Alpha-001"), &mut rng).unwrap());
    history
        .change(
            &policy,
            &old,
            account,
            &Password::new("Alpha-001"),
            &Password::new("Bravo-002"),
            &mut rng,
        )
        .unwrap();
    let rotated = hasher(2, &[1]);
    let refused =
        |history: &PasswordHistory, hasher: &Hasher, current: &str, new: &str| match history
            .check_change(
                &policy,
                hasher,
                account,
                &Password::new(current),
                &Password::new(new),
            ) {
            Ok(()) => Vec::new(),
            Err(ChangeError::Policy(v)) => v.codes(),
            Err(e) => panic!("{e}"),
        };
    // The retired generation (hash + prefix verifier under pepper 1) still counts.
    assert_eq!(
        refused(&history, &rotated, "Bravo-002", "Alpha-001"),
        [ViolationCode::ReusedGeneration]
    );
    assert_eq!(
        refused(&history, &rotated, "Bravo-002", "Alpha-999"),
        [ViolationCode::SimilarToGeneration]
    );
    // A change under pepper 2: the new current hash and the new prefix verifier name 2,
    // the older generation keeps naming 1.
    history
        .change(
            &policy,
            &rotated,
            account,
            &Password::new("Bravo-002"),
            &Password::new("Charl-003"),
            &mut rng,
        )
        .unwrap();
    assert_eq!(history.current().pepper_id(), Some(2));
    let retired: Vec<_> = history.retired().collect();
    assert_eq!(
        retired[0].prefix_verifier().unwrap().hash().pepper_id(),
        Some(2)
    );
    assert_eq!(retired[1].hash().pepper_id(), Some(1));
    assert_eq!(
        refused(&history, &rotated, "Charl-003", "Bravo-777"),
        [ViolationCode::SimilarToGeneration]
    );
    assert_eq!(
        refused(&history, &rotated, "Charl-003", "Alpha-001"),
        [ViolationCode::ReusedGeneration]
    );
    // Without pepper 1 the older generation cannot be checked: an error, not a pass.
    assert!(matches!(
        history.check_change(
            &policy,
            &hasher(2, &[]),
            account,
            &Password::new("Charl-003"),
            &Password::new("Delta-004"),
        ),
        Err(ChangeError::Hashing(Error::UnknownPepper(1)))
    ));
}
