//! Property tests: round trips and a model of verification checked against
//! an independent implementation (totp-rs).

use proptest::prelude::*;
use shikaku_totp::{Error, Match, OtpauthUri, Passcode, Secret, SetupKey, Verification, Verifier};

use crate::support::at;

fn secret_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 10..=64)
}

/// What copying a key through a PDF, a chat window or an IME may insert.
fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        " ", "  ", "-", "\n", "\r\n", "\t", "\u{3000}", "\u{A0}", "ー", "\u{200B}",
    ])
}

proptest! {
    #[test]
    fn display_form_round_trips(bytes in secret_bytes()) {
        let secret = Secret::from_bytes(&bytes).expect("valid length");
        let key = secret.setup_key();
        let display = key.display_form();
        prop_assert!(display.split(' ').all(|group| (1..=4).contains(&group.len())));
        let copy = key.copy_form();
        prop_assert_eq!(display.replace(' ', ""), copy.as_str());
        prop_assert_eq!(SetupKey::parse(&display), Ok(secret.clone()));
        prop_assert_eq!(SetupKey::parse(&key.copy_form()), Ok(secret));
    }

    #[test]
    fn mangled_keys_still_parse(
        bytes in secret_bytes(),
        cuts in proptest::collection::vec((any::<prop::sample::Index>(), separator()), 0..8),
        lowercase in proptest::collection::vec(any::<bool>(), 103),
        padding in 0..7_usize,
    ) {
        let secret = Secret::from_bytes(&bytes).expect("valid length");
        let plain = secret.setup_key().copy_form();
        let mut chars: Vec<String> = plain
            .chars()
            .zip(lowercase.iter().cycle())
            .map(|(c, &lower)| if lower { c.to_ascii_lowercase() } else { c }.to_string())
            .collect();
        for (at, sep) in cuts {
            let i = at.index(chars.len() + 1);
            chars.insert(i, sep.to_owned());
        }
        let text = chars.concat() + &"=".repeat(padding);
        prop_assert_eq!(SetupKey::parse(&text), Ok(secret), "{:?}", text);
    }

    #[test]
    fn a_foreign_character_is_named(
        bytes in secret_bytes(),
        at in any::<prop::sample::Index>(),
        bad in prop::sample::select(vec!['0', '1', '8', '9', '#', '.', '+', '/', 'é', '漢', '_']),
    ) {
        let key = Secret::from_bytes(&bytes).expect("valid length").setup_key().display_form();
        let mut chars: Vec<char> = key.chars().collect();
        let i = at.index(chars.len() + 1);
        chars.insert(i, bad);
        let text: String = chars.into_iter().collect();
        prop_assert_eq!(
            SetupKey::parse(&text),
            Err(Error::SetupKeyCharacter { character: bad, position: i + 1 })
        );
    }

    #[test]
    fn uri_round_trips(
        bytes in secret_bytes(),
        issuer in "\\PC{0,40}",
        account in "[^ ]\\PC{0,40}",
    ) {
        let secret = Secret::from_bytes(&bytes).expect("valid length");
        let uri = OtpauthUri::new(&issuer, &account, &secret);
        let text = uri.to_uri_string();
        // Only ASCII, and nothing a URI or a QR code would choke on.
        prop_assert!(text.bytes().all(|b| b.is_ascii_graphic()), "{}", text.as_str());
        let back = OtpauthUri::parse(&text).expect("own URI parses");
        prop_assert_eq!(back.issuer(), issuer.as_str());
        prop_assert_eq!(back.account(), account.as_str());
        prop_assert_eq!(back.secret(), &secret);
        prop_assert_eq!((back.digits(), back.period()), (6, time::Duration::seconds(30)));
        prop_assert_eq!(back, uri);
    }

    #[test]
    fn uri_parse_never_panics(text in "otpauth://totp/\\PC{0,80}") {
        let _ = OtpauthUri::parse(&text);
    }

    /// Whatever a parsed URI says, writing it back and parsing again says the same
    /// (a re-emitted QR code must not change the account; found by cargo fuzz).
    #[test]
    fn parsed_uris_re_emit_to_the_same_uri(
        label in "[ a-zA-Z%:0-9]{0,24}",
        issuer in proptest::option::of("[ a-zA-Z0-9]{0,12}"),
    ) {
        let mut text = format!("otpauth://totp/{label}?secret=GEZDGNBVGY3TQOJQ");
        if let Some(issuer) = &issuer {
            text.push_str("&issuer=");
            text.push_str(issuer);
        }
        if let Ok(first) = OtpauthUri::parse(&text) {
            let again = OtpauthUri::parse(&first.to_uri_string()).expect("own URI parses");
            prop_assert_eq!(again.issuer(), first.issuer());
            prop_assert_eq!(again.account(), first.account());
            prop_assert_eq!(again, first);
        }
    }

    #[test]
    fn setup_key_parse_never_panics(text in "\\PC{0,120}") {
        let _ = SetupKey::parse(&text);
    }

    #[test]
    fn passcode_normalisation(
        digits in "[0-9]{6}",
        full_width in proptest::collection::vec(any::<bool>(), 6),
        before in "[ \t\u{3000}]{0,3}",
        after in "[ \r\n\u{3000}]{0,3}",
    ) {
        let typed: String = digits
            .chars()
            .zip(&full_width)
            .map(|(c, &wide)| if wide { char::from_u32(u32::from(c) + 0xFEE0).expect("digit") } else { c })
            .collect();
        let code = Passcode::parse(&format!("{before}{typed}{after}")).expect("normalises");
        prop_assert_eq!(code.as_str(), digits.as_str());
    }

    #[test]
    fn a_space_between_the_halves_is_the_same_code(digits in "[0-9]{6}", wide in any::<bool>()) {
        let space = if wide { '\u{3000}' } else { ' ' };
        let typed = format!("{}{space}{}", &digits[..3], &digits[3..]);
        let code = Passcode::parse(&typed).expect("halves");
        prop_assert_eq!(code.as_str(), digits.as_str());
        // Anywhere else a space is malformed.
        let elsewhere = format!("{}{space}{}", &digits[..2], &digits[2..]);
        prop_assert!(Passcode::parse(&elsewhere).is_err());
    }

    #[test]
    fn anything_but_six_digits_is_malformed(text in "\\PC{0,10}") {
        let trimmed = text.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\u{3000}');
        // One space exactly between the halves ("123 456") is allowed.
        let chars: Vec<char> = trimmed.chars().collect();
        let core: String = if chars.len() == 7 && matches!(chars[3], ' ' | '\u{3000}') {
            chars.iter().enumerate().filter(|(i, _)| *i != 3).map(|(_, c)| *c).collect()
        } else {
            trimmed.to_owned()
        };
        let six_digits = core.chars().count() == 6
            && core.chars().all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c));
        prop_assert_eq!(Passcode::parse(&text).is_ok(), six_digits, "{:?}", text);
    }

    /// verify() against a model built on totp-rs's codes: nearest fresh step
    /// first (0, -1, +1), else a replay, else rejected.
    #[test]
    fn verify_matches_the_model(
        bytes in secret_bytes(),
        now in 30_i64..=253_402_300_799, // up to 9999-12-31
        code_step_offset in -3_i64..=3,
        last_offset in proptest::option::of(-3_i64..=3),
        use_real_code in any::<bool>(),
        random_code in "[0-9]{6}",
    ) {
        let secret = Secret::from_bytes(&bytes).expect("valid length");
        let oracle = totp_rs::Builder::new()
            .with_secret(bytes)
            .with_digits(6)
            // totp-rs refuses keys under 128 bits in `build`; RFC 4226 allows them.
            .build_noncompliant();
        let oracle_code = |step: u64| oracle.generate(step * 30).to_string();

        let current = now.unsigned_abs() / 30;
        let code_step = current.checked_add_signed(code_step_offset).expect("positive");
        let given = if use_real_code { oracle_code(code_step) } else { random_code };
        let last = last_offset.map(|d| current.checked_add_signed(d).expect("positive"));

        let candidates = [0_i64, -1, 1].map(|d| (current.checked_add_signed(d).expect("positive"), d));
        let matching: Vec<(u64, i64)> =
            candidates.into_iter().filter(|&(s, _)| oracle_code(s) == given).collect();
        let fresh = matching.iter().find(|&&(s, _)| last.is_none_or(|l| s > l));
        let expected = match (fresh, matching.first()) {
            (Some(&(step, drift)), _) => Verification::Accepted(Match { step, drift }),
            (None, Some(&(step, _))) => Verification::Replayed { step },
            (None, None) => Verification::Rejected,
        };

        let passcode = Passcode::parse(&given).expect("6 digits");
        prop_assert_eq!(Verifier::default().verify(&secret, &passcode, at(now), last), expected);
        let generated = Verifier::default().generate(&secret, at(now));
        prop_assert_eq!(generated.as_str(), oracle_code(current));
    }
}
