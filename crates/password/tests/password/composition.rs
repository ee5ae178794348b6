//! 「パスワードのルール」: length, character classes, the special set and
//! refused characters, each at its exact edge.

use shikaku_password::{DEFAULT_SPECIALS, Policy, ViolationCode::*};

use crate::codes;

/// A compliant-by-composition password of exactly `n` characters (n >= 4).
fn of_len(n: usize) -> String {
    format!("Aa1!{}", "x".repeat(n - 4))
}

#[test]
fn length_edges_7_8_20_21() {
    let p = Policy::default();
    assert_eq!(codes(&p, &of_len(7)), [TooShort]);
    assert_eq!(codes(&p, &of_len(8)), []);
    assert_eq!(codes(&p, &of_len(20)), []);
    assert_eq!(codes(&p, &of_len(21)), [TooLong]);
}

#[test]
fn length_is_counted_in_characters_not_bytes() {
    // A policy with a multi-byte special: 8 characters, 10 bytes.
    let p = Policy::builder().specials("!€").build().unwrap();
    assert_eq!(codes(&p, "Aa1€€xxx"), []);
    assert_eq!(codes(&p, "Aa1€€xx"), [TooShort]);
    let twenty = format!("Aa1{}", "€".repeat(17));
    assert_eq!(twenty.len(), 54);
    assert_eq!(codes(&p, &twenty), []);
    assert_eq!(codes(&p, &format!("{twenty}€")), [TooLong]);

    // The default policy: full-width letters are refused, but still count
    // as one character each.
    let d = Policy::default();
    let v = d.check("Aa1!ａａａ").unwrap_err();
    assert_eq!(
        v.codes(),
        [
            TooShort,
            DisallowedCharacter,
            DisallowedCharacter,
            DisallowedCharacter
        ]
    );
    assert!(v.iter().next().unwrap().message_en().contains("(it has 7)"));
}

#[test]
fn each_missing_class_is_reported_alone() {
    let p = Policy::default();
    assert_eq!(codes(&p, "Abcdefg!"), [MissingDigit]);
    assert_eq!(codes(&p, "ABCDEF1!"), [MissingLowercase]);
    assert_eq!(codes(&p, "abcdef1!"), [MissingUppercase]);
    assert_eq!(codes(&p, "Abcdef12"), [MissingSpecial]);
}

#[test]
fn all_violations_come_at_once_in_a_stable_order() {
    let p = Policy::default();
    assert_eq!(
        codes(&p, ""),
        [
            TooShort,
            MissingDigit,
            MissingLowercase,
            MissingUppercase,
            MissingSpecial
        ]
    );
    let v = p.check("ｐａｓｓ word").unwrap_err();
    assert_eq!(
        v.codes(),
        [
            DisallowedCharacter,
            DisallowedCharacter,
            DisallowedCharacter,
            DisallowedCharacter,
            DisallowedCharacter,
            MissingDigit,
            MissingUppercase,
            MissingSpecial
        ]
    );
    let positions: Vec<_> = v.iter().filter_map(|v| v.position()).collect();
    assert_eq!(positions, [1, 2, 3, 4, 5]);
    let chars: Vec<_> = v.iter().filter_map(|v| v.character()).collect();
    assert_eq!(chars, ['ｐ', 'ａ', 'ｓ', 'ｓ', ' ']);
}

#[test]
fn every_special_of_the_manual_counts_alone() {
    let p = Policy::default();
    assert_eq!(DEFAULT_SPECIALS.chars().count(), 26);
    assert_eq!(codes(&p, "Abcdefg1x"), [MissingSpecial]);
    for c in DEFAULT_SPECIALS.chars() {
        let pw = format!("Abcdefg1{c}");
        assert_eq!(codes(&p, &pw), [], "{pw:?} should be accepted");
        let first = format!("{c}Abcdefg1");
        assert_eq!(codes(&p, &first), [], "{first:?} should be accepted");
    }
}

#[test]
fn refused_printable_ascii_is_exactly_space_quote_plus_equals_brackets_backslash() {
    let p = Policy::default();
    let refused: String = (0x20u8..0x7f)
        .map(char::from)
        .filter(|&c| !p.is_allowed(c))
        .collect();
    assert_eq!(refused, " \"+=[\\]");
}

#[test]
fn every_excluded_character_is_refused_and_named_with_its_position() {
    let p = Policy::default();
    let excluded = [
        ' ', '"', '+', '=', '[', ']', '\\', // ASCII outside the set
        '\0', '\t', '\n', '\r', '\u{1b}', '\u{7f}', '\u{85}', // control characters, NUL
        'Ａ', 'ｚ', '１', '！', '＃',
        '\u{3000}', // full-width letters, digits, symbols, space
        'あ', 'ア', '漢', 'é', 'ß', 'Ω', '€', '¥', // other scripts and symbols
        '😀', '👍', '\u{200B}', '\u{202E}', '\u{FEFF}',
        '\u{301}', // emoji, invisible, bidi, combining
    ];
    for c in excluded {
        // Insert after "Abc": the refused character is the 4th.
        let pw = format!("Abc{c}defg1!");
        let v = p.check(&pw).unwrap_err();
        assert_eq!(v.codes(), [DisallowedCharacter], "{c:?}");
        let only = v.iter().next().unwrap();
        assert_eq!(only.character(), Some(c));
        assert_eq!(only.position(), Some(4));
        let code_point = format!("U+{:04X}", u32::from(c));
        for msg in [only.message_ja(), only.message_en()] {
            assert!(msg.contains(&code_point), "{msg:?} must name {code_point}");
        }
        assert!(
            only.message_ja().starts_with("4文字目の"),
            "{}",
            only.message_ja()
        );
        assert!(
            only.message_en().starts_with("Character 4, "),
            "{}",
            only.message_en()
        );
        if c.is_control() || (c.is_whitespace() && c != ' ') {
            for msg in [only.message_ja(), only.message_en()] {
                assert!(!msg.contains(c), "{msg:?} prints {c:?} raw");
            }
        }
    }
}

#[test]
fn nul_is_named_safely() {
    let v = Policy::default().check("Abcdefg1!\0").unwrap_err();
    let only = v.iter().next().unwrap();
    assert_eq!(
        only.message_en(),
        "Character 10, a control character (U+0000), is not allowed. Use only ASCII letters, digits and the special characters."
    );
    assert_eq!(
        only.message_ja(),
        "10文字目の制御文字（U+0000）は使用できません。使用できるのは半角の数字・英字と特殊文字だけです。"
    );
}

#[test]
fn no_trimming_and_no_normalisation() {
    let p = Policy::default();
    // Leading/trailing spaces are characters like any other: refused.
    assert_eq!(codes(&p, " Abcdefg1!"), [DisallowedCharacter]);
    assert_eq!(codes(&p, "Abcdefg1! "), [DisallowedCharacter]);
    // A full-width password is not folded to its ASCII look-alike.
    let v = p.check("Ａｂｃｄｅｆｇ１！").unwrap_err();
    assert!(
        v.codes()
            .iter()
            .filter(|c| **c == DisallowedCharacter)
            .count()
            == 9
    );
}

#[test]
fn messages_are_japanese_and_english() {
    let p = Policy::default();
    let v = p.check("abc").unwrap_err();
    let ja: Vec<_> = v.iter().map(|v| v.message_ja()).collect();
    let en: Vec<_> = v.iter().map(|v| v.message_en()).collect();
    assert_eq!(
        ja,
        [
            "パスワードは8文字以上で入力してください（入力は3文字です）。",
            "数字を1文字以上含めてください。",
            "英字大文字を1文字以上含めてください。",
            "特殊文字（`~!@#$%^&*_{}|:;'<>,.?-()/）を1文字以上含めてください。",
        ]
    );
    assert_eq!(
        en,
        [
            "The password must be at least 8 characters long (it has 3).",
            "Include at least one digit.",
            "Include at least one uppercase letter.",
            "Include at least one special character (`~!@#$%^&*_{}|:;'<>,.?-()/).",
        ]
    );
    let long = p.check(&"Aa1!".repeat(6)).unwrap_err();
    assert_eq!(
        long.iter().next().unwrap().message_ja(),
        "パスワードは20文字以下で入力してください（入力は24文字です）。"
    );
}

#[test]
fn configured_numbers_move_the_edges() {
    let p = Policy::builder()
        .min_length(12)
        .max_length(64)
        .build()
        .unwrap();
    assert_eq!(codes(&p, &of_len(11)), [TooShort]);
    assert_eq!(codes(&p, &of_len(12)), []);
    assert_eq!(codes(&p, &of_len(64)), []);
    assert_eq!(codes(&p, &of_len(65)), [TooLong]);
    let narrow = Policy::builder().specials("#").build().unwrap();
    assert_eq!(codes(&narrow, "Abcdefg1#"), []);
    assert_eq!(
        codes(&narrow, "Abcdefg1!"),
        [DisallowedCharacter, MissingSpecial]
    );
}
