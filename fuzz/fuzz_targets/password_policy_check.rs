//! `Policy::default().check` on arbitrary UTF-8 (the new-password field).
//!
//! Properties:
//! * it never panics, nor do the violations' messages;
//! * it agrees with an independent re-implementation of the manual's
//!   「パスワードのルール」 written here: the same verdict and the same
//!   violation codes in the documented order (length, each disallowed
//!   character by position, missing digit / lowercase / uppercase / special);
//! * a character outside ASCII letters, ASCII digits and the manual's special
//!   characters always yields a `disallowed_character` violation naming that
//!   character and its 1-based position (the first 32 such characters: the
//!   crate caps the list at max(max_length, 32) against hostile input);
//! * no message carries a control character, a line break or an invisible /
//!   bidi character raw (messages quote the user's input).

#![no_main]

use libfuzzer_sys::fuzz_target;
use shikaku_password::{Policy, ViolationCode};

/// The manual's limits, 8 to 20 characters.
const MIN_LENGTH: usize = 8;
const MAX_LENGTH: usize = 20;
/// How many `disallowed_character` violations the crate promises to list.
const REPORTED_DISALLOWED: usize = 32;

/// The manual's special characters: `~!@#$%^&*_{}|:;'<>,.?-()/ (26).
fn is_manual_special(c: char) -> bool {
    matches!(
        c,
        '`' | '~'
            | '!'
            | '@'
            | '#'
            | '$'
            | '%'
            | '^'
            | '&'
            | '*'
            | '_'
            | '{'
            | '}'
            | '|'
            | ':'
            | ';'
            | '\''
            | '<'
            | '>'
            | ','
            | '.'
            | '?'
            | '-'
            | '('
            | ')'
            | '/'
    )
}

/// The manual's rules, spelled out independently of the crate.
fn model(password: &str) -> Vec<(ViolationCode, Option<(char, usize)>)> {
    let chars: Vec<char> = password.chars().collect();
    let mut out = Vec::new();
    if chars.len() < MIN_LENGTH {
        out.push((ViolationCode::TooShort, None));
    } else if chars.len() > MAX_LENGTH {
        out.push((ViolationCode::TooLong, None));
    }
    let disallowed = chars
        .iter()
        .enumerate()
        .filter(|&(_, &c)| !(c.is_ascii_alphanumeric() || is_manual_special(c)))
        .take(REPORTED_DISALLOWED)
        .map(|(i, &c)| (ViolationCode::DisallowedCharacter, Some((c, i + 1))));
    out.extend(disallowed);
    let classes = [
        (
            ViolationCode::MissingDigit,
            chars.iter().any(char::is_ascii_digit),
        ),
        (
            ViolationCode::MissingLowercase,
            chars.iter().any(char::is_ascii_lowercase),
        ),
        (
            ViolationCode::MissingUppercase,
            chars.iter().any(char::is_ascii_uppercase),
        ),
        (
            ViolationCode::MissingSpecial,
            chars.iter().any(|&c| is_manual_special(c)),
        ),
    ];
    out.extend(
        classes
            .into_iter()
            .filter(|&(_, present)| !present)
            .map(|(code, _)| (code, None)),
    );
    out
}

/// Characters a message must never print raw.
fn is_dangerous_in_message(c: char) -> bool {
    c.is_control()
        || (c.is_whitespace() && c != ' ')
        || matches!(
            u32::from(c),
            0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2069 | 0xFEFF
        )
}

fuzz_target!(|data: &[u8]| {
    let Ok(password) = std::str::from_utf8(data) else {
        return;
    };
    let expected = model(password);
    let actual: Vec<(ViolationCode, Option<(char, usize)>)> =
        match Policy::default().check(password) {
            Ok(()) => Vec::new(),
            Err(violations) => {
                assert!(!violations.is_empty());
                assert!(!violations.to_string().is_empty());
                violations
                    .iter()
                    .map(|v| {
                        let messages = [v.message_ja(), v.message_en()];
                        // Only a disallowed-character message quotes the input.
                        if v.code() == ViolationCode::DisallowedCharacter {
                            for message in messages {
                                assert!(
                                    !message.chars().any(is_dangerous_in_message),
                                    "message prints a dangerous character raw: {message:?}"
                                );
                            }
                        }
                        let named = match (v.character(), v.position()) {
                            (Some(c), Some(p)) => Some((c, p)),
                            (None, None) => None,
                            other => panic!("character and position disagree: {other:?}"),
                        };
                        (v.code(), named)
                    })
                    .collect()
            }
        };
    assert_eq!(actual, expected, "password {password:?}");
    // Spelled out, the two properties the manual cares most about:
    let compliant = expected.is_empty();
    assert_eq!(Policy::default().check(password).is_ok(), compliant);
    if let Some((i, c)) = password
        .chars()
        .enumerate()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || is_manual_special(c)))
    {
        assert!(
            actual.contains(&(ViolationCode::DisallowedCharacter, Some((c, i + 1)))),
            "{c:?} at {} not named in {password:?}",
            i + 1
        );
    }
});
