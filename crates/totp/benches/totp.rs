//! Criterion benches for shikaku-totp. Figures and commands are recorded in
//! docs/performance.md ("## shikaku-totp").
//!
//! * `verify_reject_window1`: the worst case of a login, a wrong passcode
//!   checked against all three steps of the ±1 window, side by side with
//!   `totp-rs`, a naive loop over totp-lite, totp-lite's three code
//!   generations alone, and the floor of three raw HMAC-SHA-1 computations
//!   (hmac 0.12 / sha1 0.10, the versions totp-lite uses).
//! * `setup_key_parse`: reading a typed or pasted setup key.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use shikaku_totp::{Passcode, Secret, SetupKey, Verification, Verifier};
use time::OffsetDateTime;
use totp_lite::{Sha1, totp_custom};

const KEY: &[u8; 20] = b"12345678901234567890";
const UNIX: i64 = 1_775_000_000;

/// A passcode that matches none of the three steps around `UNIX`.
fn wrong_passcode() -> String {
    let window: Vec<String> = (-1..=1_i64)
        .map(|d| totp_custom::<Sha1>(30, 6, KEY, (UNIX / 30 + d).unsigned_abs() * 30))
        .collect();
    (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|candidate| !window.contains(candidate))
        .expect("some 6-digit string is not one of three codes")
}

fn verify_reject(c: &mut Criterion) {
    let wrong = wrong_passcode();
    let now = OffsetDateTime::from_unix_timestamp(UNIX).expect("valid time");
    let t = UNIX.unsigned_abs();

    let secret = Secret::from_bytes(KEY).expect("valid secret");
    let passcode = Passcode::parse(&wrong).expect("6 digits");
    let verifier = Verifier::default();
    assert_eq!(
        verifier.verify(&secret, &passcode, now, None),
        Verification::Rejected
    );

    let totp_rs = totp_rs::Builder::new()
        .with_secret(KEY.to_vec())
        .with_skew(1)
        .with_digits(6)
        .with_step_duration(30)
        .build()
        .expect("valid totp-rs config");
    assert_eq!(totp_rs.check(&wrong, t), None);

    let mut group = c.benchmark_group("verify_reject_window1");
    group.bench_function("shikaku-totp", |b| {
        b.iter(|| {
            verifier.verify(
                black_box(&secret),
                black_box(&passcode),
                black_box(now),
                black_box(None),
            )
        });
    });
    group.bench_function("totp-rs", |b| {
        b.iter(|| totp_rs.check(black_box(&wrong), black_box(t)));
    });
    group.bench_function("totp-lite naive loop", |b| {
        // The obvious way: parse time, loop, compare Strings with `==`.
        b.iter(|| {
            let code: String = black_box(wrong.as_str()).to_owned();
            let step = black_box(t) / 30;
            (step - 1..=step + 1)
                .any(|s| totp_custom::<Sha1>(30, 6, black_box(KEY), s * 30) == code)
        });
    });
    group.bench_function("totp-lite x3 (generation only)", |b| {
        // The lower bound of any verifier that lets totp-lite compute the
        // candidates: three `totp_custom` calls, nothing compared.
        b.iter(|| {
            let step = black_box(t) / 30;
            (step - 1..=step + 1)
                .map(|s| totp_custom::<Sha1>(30, 6, black_box(KEY), s * 30).len())
                .sum::<usize>()
        });
    });
    group.bench_function("hmac-sha1 x3 (floor)", |b| {
        b.iter(|| {
            let step = black_box(t) / 30;
            let mut acc = 0_u8;
            for s in step - 1..=step + 1 {
                let mut mac =
                    Hmac::<sha1::Sha1>::new_from_slice(black_box(KEY)).expect("any key length");
                mac.update(&s.to_be_bytes());
                acc ^= mac.finalize().into_bytes()[19];
            }
            acc
        });
    });
    group.finish();
}

fn setup_key_parse(c: &mut Criterion) {
    let secret = Secret::from_bytes(KEY).expect("valid secret");
    let key = secret.setup_key();
    let display = key.display_form();
    let copy = key.copy_form();
    // What a PDF viewer hands back: lowercase is not needed, line breaks are.
    let pdf = display.replacen(' ', "\r\n", 3);
    let full_width: String = display
        .chars()
        .map(|c| match c {
            ' ' => '\u{3000}',
            c => char::from_u32(u32::from(c) + 0xFEE0).expect("full-width form exists"),
        })
        .collect();

    let mut group = c.benchmark_group("setup_key_parse");
    for (name, text) in [
        ("copy form", copy.as_str()),
        ("display form", display.as_str()),
        ("pdf line breaks", pdf.as_str()),
        ("full width", full_width.as_str()),
    ] {
        assert_eq!(SetupKey::parse(text).as_ref(), Ok(&secret), "{name}");
        group.bench_function(name, |b| b.iter(|| SetupKey::parse(black_box(text))));
    }
    group.finish();
}

criterion_group!(benches, verify_reject, setup_key_parse);
criterion_main!(benches);
