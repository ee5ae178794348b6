//! Criterion benches: the composition check, one argon2id hash with the
//! default parameters, and a full history check against 5 generations with
//! 1 and 2 worker threads.
//!
//! ```text
//! cargo bench -p shikaku-password --bench password
//! ```

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use shikaku_password::{Hasher, Password, PasswordHistory, Policy};

fn composition(c: &mut Criterion) {
    let policy = Policy::default();
    let mut group = c.benchmark_group("composition");
    for (name, pw) in [
        ("valid_10", "Staff-2024"),
        ("valid_20", "Staff-2024-abcdEFGH#"),
        ("invalid_all_rules", "ｐａｓｓ word"),
    ] {
        group.bench_with_input(BenchmarkId::from_parameter(name), pw, |b, pw| {
            b.iter(|| policy.check(black_box(pw)));
        });
    }
    group.finish();
}

fn hash(c: &mut Criterion) {
    let hasher = Hasher::default();
    let password = Password::new("Staff-2024");
    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    let mut group = c.benchmark_group("argon2id_m19456_t2_p1");
    group.sample_size(20);
    group.bench_function("hash", |b| {
        b.iter(|| hasher.hash(black_box(&password), &mut rng));
    });
    let stored = hasher.hash(&password, &mut rng).expect("hash");
    group.bench_function("verify", |b| {
        b.iter(|| hasher.verify(black_box(&password), &stored));
    });
    group.finish();
}

/// 5 generations: the current password and 4 retired ones, each with a
/// prefix verifier, so a 12-character new password costs 8 argon2 runs.
fn history(c: &mut Criterion) {
    let policy = Policy::default();
    let passwords = ["Aaaaa-11", "Bbbbb-22", "Ccccc-33", "Ddddd-44", "Eeeee-55"];
    let builder_hasher = Hasher::default();
    let mut rng = ChaCha20Rng::from_seed([2; 32]);
    let mut history = PasswordHistory::new(
        builder_hasher
            .hash(&Password::new(passwords[0]), &mut rng)
            .expect("hash"),
    );
    for pair in passwords.windows(2) {
        history
            .change(
                &policy,
                &builder_hasher,
                "A001",
                &Password::new(pair[0]),
                &Password::new(pair[1]),
                &mut rng,
            )
            .expect("change");
    }
    assert_eq!(history.len(), 5);
    let current = Password::new("Eeeee-55");
    let new = Password::new("Ggggg-77abcd"); // 12 characters: every rule applies

    let mut group = c.benchmark_group("history_check_5_generations");
    group.sample_size(10);
    for workers in [1usize, 2] {
        let hasher = Hasher::builder().workers(workers).build().expect("hasher");
        group.bench_with_input(
            BenchmarkId::new("workers", workers),
            &hasher,
            |b, hasher| {
                b.iter(|| {
                    history
                        .check_change(&policy, hasher, "A001", &current, black_box(&new))
                        .expect("accepted");
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, composition, hash, history);
criterion_main!(benches);
