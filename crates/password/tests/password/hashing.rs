//! argon2id hashing against the reference implementation, PHC strings,
//! needs-rehash, pepper.

use shikaku_password::{Error, Hasher, Password, PasswordHash, Pepper};

use crate::{FixedBytes, rng, small_hasher};

struct Vector {
    password: String,
    salt: Vec<u8>,
    phc: String,
}

/// Vectors made with the reference C implementation's CLI (see the file).
fn reference_vectors() -> Vec<Vector> {
    include_str!("../data/argon2-reference.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 3, "{l}");
            Vector {
                password: cols[0].to_owned(),
                salt: cols[1].as_bytes().to_vec(),
                phc: cols[2].to_owned(),
            }
        })
        .collect()
}

fn param(phc: &str, name: &str) -> u32 {
    let params = phc.split('$').nth(3).unwrap();
    params
        .split(',')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn verifies_every_reference_vector() {
    let hasher = Hasher::default();
    let vectors = reference_vectors();
    assert_eq!(vectors.len(), 8);
    for v in vectors {
        let hash: PasswordHash = v.phc.parse().unwrap();
        assert!(
            hasher
                .verify(&Password::new(v.password.as_str()), &hash)
                .unwrap(),
            "{}",
            v.phc
        );
        let wrong = Password::new(format!("{}x", v.password));
        assert!(!hasher.verify(&wrong, &hash).unwrap(), "{}", v.phc);
    }
}

#[test]
fn hashes_exactly_like_the_reference_implementation() {
    let mut compared = 0;
    for v in reference_vectors() {
        if !v.phc.starts_with("$argon2id$v=19$") {
            continue; // this crate only makes argon2id v19
        }
        let hasher = Hasher::builder()
            .m_cost(param(&v.phc, "m"))
            .t_cost(param(&v.phc, "t"))
            .p_cost(param(&v.phc, "p"))
            .build()
            .unwrap();
        let made = hasher
            .hash(
                &Password::new(v.password.as_str()),
                &mut FixedBytes(v.salt.clone()),
            )
            .unwrap();
        assert_eq!(made.as_str(), v.phc);
        compared += 1;
    }
    assert_eq!(compared, 5);
}

#[test]
fn default_parameters_are_m19456_t2_p1() {
    let hasher = Hasher::default();
    assert_eq!(
        (hasher.m_cost(), hasher.t_cost(), hasher.p_cost()),
        (19_456, 2, 1)
    );
    assert_eq!(hasher.workers(), 2);
    assert!(!hasher.has_pepper());
    let hash = hasher
        .hash(&Password::new("Staff-2024"), &mut rng(1))
        .unwrap();
    assert!(
        hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash:?}"
    );
    assert!(!hasher.needs_rehash(&hash));
}

#[test]
fn salts_come_from_the_injected_rng() {
    let hasher = small_hasher();
    let pw = Password::new("Staff-2024");
    let a = hasher.hash(&pw, &mut rng(1)).unwrap();
    let b = hasher.hash(&pw, &mut rng(1)).unwrap();
    let c = hasher.hash(&pw, &mut rng(2)).unwrap();
    assert_eq!(a, b, "same seed, same salt");
    assert_ne!(a, c, "another seed, another salt");
}

#[test]
fn raising_parameters_keeps_old_records_valid_and_asks_for_rehash() {
    let old = small_hasher();
    let pw = Password::new("Staff-2024");
    let hash = old.hash(&pw, &mut rng(1)).unwrap();
    let new = Hasher::builder().m_cost(256).t_cost(2).build().unwrap();
    assert!(new.verify(&pw, &hash).unwrap());
    assert!(new.needs_rehash(&hash));
    assert!(!old.needs_rehash(&hash));
    let rehashed = new.hash(&pw, &mut rng(2)).unwrap();
    assert!(!new.needs_rehash(&rehashed));
    assert!(
        old.verify(&pw, &rehashed).unwrap(),
        "params travel in the PHC string"
    );
}

#[test]
fn other_variants_and_versions_verify_but_need_rehash() {
    let hasher = Hasher::builder().m_cost(64).t_cost(1).build().unwrap();
    for v in reference_vectors() {
        let hash: PasswordHash = v.phc.parse().unwrap();
        let ours = v.phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$");
        assert_eq!(hasher.needs_rehash(&hash), !ours, "{}", v.phc);
    }
}

#[test]
fn pepper_is_mixed_in() {
    let pw = Password::new("Staff-2024");
    let peppered = Hasher::builder()
        .m_cost(64)
        .t_cost(1)
        .pepper(Pepper::new(*b"0123456789abcdef0123456789abcdef").unwrap())
        .build()
        .unwrap();
    let other_pepper = Hasher::builder()
        .m_cost(64)
        .t_cost(1)
        .pepper(Pepper::new(*b"0123456789abcdef0123456789abcdeX").unwrap())
        .build()
        .unwrap();
    let plain = small_hasher();
    assert!(peppered.has_pepper());
    let hash = peppered.hash(&pw, &mut rng(1)).unwrap();
    assert!(peppered.verify(&pw, &hash).unwrap());
    assert!(!plain.verify(&pw, &hash).unwrap(), "the pepper is required");
    assert!(
        !other_pepper.verify(&pw, &hash).unwrap(),
        "and it must be the same pepper"
    );
    // Same salt, with and without the pepper: different hashes.
    let salt = b"shikakusalt00001".to_vec();
    let a = peppered.hash(&pw, &mut FixedBytes(salt.clone())).unwrap();
    let b = plain.hash(&pw, &mut FixedBytes(salt)).unwrap();
    assert_ne!(a, b);
}

#[test]
fn pepper_must_be_long_enough_and_is_redacted() {
    assert!(matches!(
        Pepper::new(vec![1; 15]),
        Err(Error::InvalidPepper(_))
    ));
    assert!(matches!(
        Pepper::new(vec![1; 1025]),
        Err(Error::InvalidPepper(_))
    ));
    let pepper = Pepper::new(b"super-secret-pepper-bytes".to_vec()).unwrap();
    assert_eq!(format!("{pepper:?}"), "Pepper(***)");
    let hasher = Hasher::builder().pepper(pepper).build().unwrap();
    let shown = format!("{hasher:?}");
    assert!(!shown.contains("super"), "{shown}");
    assert!(shown.contains("pepper_ids: [1]"), "{shown}");
}

#[test]
fn builder_refuses_out_of_range_settings() {
    let bad = [
        Hasher::builder().m_cost(7),
        Hasher::builder().m_cost(15).p_cost(2),
        Hasher::builder().m_cost((1 << 20) + 1),
        Hasher::builder().t_cost(0),
        Hasher::builder().t_cost(65),
        Hasher::builder().p_cost(0),
        Hasher::builder().p_cost(17),
        Hasher::builder().workers(0),
        Hasher::builder().workers(65),
        Hasher::builder().pool_capacity(65),
    ];
    for b in bad {
        let shown = format!("{b:?}");
        assert!(
            matches!(b.build(), Err(Error::InvalidHasherParams(_))),
            "{shown} was accepted"
        );
    }
}

#[test]
fn stored_hashes_are_validated() {
    let malformed = [
        "",
        "Staff-2024",
        "$argon2id",
        "$argon2id$v=19$m=64,t=1,p=1$c2hpa2FrdXNhbHQwMDAwMg",
        "$argon2id$v=19$m=64,t=1,p=1$c2hpa2FrdXNhbHQwMDAwMg$!!!",
        "$argon2id$v=19$m=64,t=1,p=1,x=3$c2hpa2FrdXNhbHQwMDAwMg$tE1kcP3f4nroMAf4foaqYxzowPbLuFY7T8IjLZoThPA",
        "$argon2id$v=19$m=abc,t=1,p=1$c2hpa2FrdXNhbHQwMDAwMg$tE1kcP3f4nroMAf4foaqYxzowPbLuFY7T8IjLZoThPA",
    ];
    for s in malformed {
        assert!(
            matches!(PasswordHash::try_from(s), Err(Error::MalformedHash(_))),
            "{s:?} accepted"
        );
    }
    let unsupported = [
        "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
        "$argon2id$m=64,t=1,p=1$c2hpa2FrdXNhbHQwMDAwMg$tE1kcP3f4nroMAf4foaqYxzowPbLuFY7T8IjLZoThPA",
        "$argon2id$v=18$m=64,t=1,p=1$c2hpa2FrdXNhbHQwMDAwMg$tE1kcP3f4nroMAf4foaqYxzowPbLuFY7T8IjLZoThPA",
        "$argon2id$v=19$m=4194304,t=1,p=1$c2hpa2FrdXNhbHQwMDAwMg$tE1kcP3f4nroMAf4foaqYxzowPbLuFY7T8IjLZoThPA",
        "$argon2id$v=19$m=64,t=1000,p=1$c2hpa2FrdXNhbHQwMDAwMg$tE1kcP3f4nroMAf4foaqYxzowPbLuFY7T8IjLZoThPA",
    ];
    for s in unsupported {
        assert!(
            matches!(PasswordHash::try_from(s), Err(Error::UnsupportedHash(_))),
            "{s:?} accepted"
        );
    }
}

#[test]
fn password_hash_serde_is_the_phc_string_and_debug_hides_salt_and_hash() {
    let hash = small_hasher()
        .hash(&Password::new("Staff-2024"), &mut rng(1))
        .unwrap();
    let json = serde_json::to_string(&hash).unwrap();
    assert_eq!(json, format!("\"{}\"", hash.as_str()));
    let back: PasswordHash = serde_json::from_str(&json).unwrap();
    assert_eq!(back, hash);
    assert!(serde_json::from_str::<PasswordHash>("\"$argon2id$nope\"").is_err());

    let shown = format!("{hash:?}");
    assert_eq!(shown, "PasswordHash(\"$argon2id$v=19$m=64,t=1,p=1$…\")");
    let salt_and_hash: Vec<&str> = hash.as_str().rsplitn(3, '$').take(2).collect();
    for secret in salt_and_hash {
        assert!(!shown.contains(secret));
    }
}

#[test]
fn pooled_memory_serves_hashes_of_other_sizes() {
    // A hasher with m=256 verifies an m=64 record and an m=19456 record (a
    // larger buffer than its pool's), and still hashes correctly afterwards.
    let hasher = Hasher::builder().m_cost(256).t_cost(1).build().unwrap();
    for v in reference_vectors() {
        let hash: PasswordHash = v.phc.parse().unwrap();
        assert!(
            hasher
                .verify(&Password::new(v.password.as_str()), &hash)
                .unwrap()
        );
    }
    let pw = Password::new("Staff-2024");
    let made = hasher.hash(&pw, &mut rng(3)).unwrap();
    assert!(hasher.verify(&pw, &made).unwrap());
}

#[test]
fn concurrent_hashing_through_a_shared_hasher() {
    let hasher = std::sync::Arc::new(small_hasher());
    let handles: Vec<_> = (0..4u8)
        .map(|i| {
            let hasher = std::sync::Arc::clone(&hasher);
            std::thread::spawn(move || {
                let pw = Password::new(format!("Staff-{i}-2024"));
                for round in 0..10 {
                    let hash = hasher.hash(&pw, &mut rng(i * 16 + round)).unwrap();
                    assert!(hasher.verify(&pw, &hash).unwrap());
                    assert!(!hasher.verify(&Password::new("Other-1!"), &hash).unwrap());
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}
