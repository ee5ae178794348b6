//! RFC 6238 Appendix B, SHA-1 rows, from tests/data/rfc6238-sha1.txt.

use shikaku_totp::{Match, Passcode, Verification, Verifier};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::support::{at, data_file, rfc_secret};

struct Vector {
    unix: i64,
    utc: OffsetDateTime,
    step: u64,
    totp: String,
}

fn vectors() -> Vec<Vector> {
    let path = data_file("rfc6238-sha1.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let vectors: Vec<Vector> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [unix, utc, step, totp, mode] = fields[..] else {
                panic!("bad vector line: {line}");
            };
            assert_eq!(mode, "SHA1", "only SHA-1 rows belong here: {line}");
            Vector {
                unix: unix.parse().expect("unix time"),
                utc: OffsetDateTime::parse(utc, &Rfc3339).expect("RFC 3339 time"),
                step: u64::from_str_radix(step, 16).expect("hex T"),
                totp: totp.to_owned(),
            }
        })
        .collect();
    assert_eq!(vectors.len(), 6, "RFC 6238 has six SHA-1 vectors");
    vectors
}

#[test]
fn the_table_is_self_consistent() {
    for v in vectors() {
        assert_eq!(v.utc, at(v.unix), "UTC column of {}", v.unix);
        assert_eq!(
            Verifier::default().step_at(v.utc),
            Some(v.step),
            "T column of {}",
            v.unix
        );
    }
}

#[test]
fn eight_digit_codes_match_the_rfc() {
    let verifier = Verifier::builder().digits(8).build().expect("8 digits");
    let secret = rfc_secret();
    for v in vectors() {
        assert_eq!(
            verifier.generate(&secret, v.utc).as_str(),
            v.totp,
            "time {}",
            v.unix
        );
        let code = Passcode::parse_with_digits(&v.totp, 8).expect("8 digits");
        assert_eq!(
            verifier.verify(&secret, &code, v.utc, None),
            Verification::Accepted(Match {
                step: v.step,
                drift: 0
            }),
            "time {}",
            v.unix
        );
        // A 6-digit reading of an 8-digit code never verifies with 8 digits.
        let six = Passcode::parse(&v.totp[2..]).expect("6 digits");
        assert_eq!(
            verifier.verify(&secret, &six, v.utc, None),
            Verification::Rejected
        );
    }
}

#[test]
fn six_digit_codes_are_the_last_six_rfc_digits() {
    // 10^6 divides 10^8, so the 6-digit code is the 8-digit one mod 10^6.
    let verifier = Verifier::default();
    let secret = rfc_secret();
    for v in vectors() {
        let expected = &v.totp[2..];
        assert_eq!(
            verifier.generate(&secret, v.utc).as_str(),
            expected,
            "time {}",
            v.unix
        );
        let code = Passcode::parse(expected).expect("6 digits");
        assert_eq!(
            verifier.verify(&secret, &code, v.utc, None).accepted(),
            Some(Match {
                step: v.step,
                drift: 0
            })
        );
    }
}

#[test]
fn rfc_codes_verify_one_step_later_with_drift() {
    let verifier = Verifier::builder().digits(8).build().expect("8 digits");
    let secret = rfc_secret();
    for v in vectors() {
        let code = Passcode::parse_with_digits(&v.totp, 8).expect("8 digits");
        let later = v.utc + time::Duration::seconds(30);
        assert_eq!(
            verifier.verify(&secret, &code, later, None),
            Verification::Accepted(Match {
                step: v.step,
                drift: -1
            })
        );
        let much_later = v.utc + time::Duration::seconds(60);
        assert_eq!(
            verifier.verify(&secret, &code, much_later, None),
            Verification::Rejected
        );
    }
}
