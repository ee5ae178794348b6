//! The Japanese and English texts of each [`Violation`](super::Violation),
//! and how a refused character is named in them.

use super::Kind;

/// The message to show a Japanese-speaking user.
pub(super) fn ja(kind: &Kind) -> String {
    match kind {
        Kind::TooShort { min, actual } => {
            format!("パスワードは{min}文字以上で入力してください（入力は{actual}文字です）。")
        }
        Kind::TooLong { max, actual } => {
            format!("パスワードは{max}文字以下で入力してください（入力は{actual}文字です）。")
        }
        Kind::MissingDigit => "数字を1文字以上含めてください。".to_owned(),
        Kind::MissingLowercase => "英字小文字を1文字以上含めてください。".to_owned(),
        Kind::MissingUppercase => "英字大文字を1文字以上含めてください。".to_owned(),
        Kind::MissingSpecial { specials } => {
            format!("特殊文字（{specials}）を1文字以上含めてください。")
        }
        Kind::DisallowedCharacter {
            character,
            position,
        } => format!(
            "{position}文字目の{}は使用できません。使用できるのは半角の数字・英字と特殊文字だけです。",
            describe_ja(*character)
        ),
        Kind::SameAsCurrent => "現在のパスワードと同じパスワードは使用できません。".to_owned(),
        Kind::ReusedGeneration {
            depth,
            applies_below,
        } => format!(
            "新しいパスワードが{applies_below}文字未満の場合、{depth}世代前までのパスワードと同じパスワードは使用できません。"
        ),
        Kind::SimilarToGeneration {
            depth,
            applies_below,
            prefix_length,
        } => format!(
            "新しいパスワードが{applies_below}文字未満の場合、{depth}世代前までのパスワードと先頭{prefix_length}文字が同じパスワードは使用できません。"
        ),
        Kind::ConfirmationMismatch => {
            "新しいパスワードと再入力したパスワードが一致しません。".to_owned()
        }
    }
}

/// The message to show an English-speaking user (also the `Display` form).
pub(super) fn en(kind: &Kind) -> String {
    match kind {
        Kind::TooShort { min, actual } => {
            format!("The password must be at least {min} characters long (it has {actual}).")
        }
        Kind::TooLong { max, actual } => {
            format!("The password must be at most {max} characters long (it has {actual}).")
        }
        Kind::MissingDigit => "Include at least one digit.".to_owned(),
        Kind::MissingLowercase => "Include at least one lowercase letter.".to_owned(),
        Kind::MissingUppercase => "Include at least one uppercase letter.".to_owned(),
        Kind::MissingSpecial { specials } => {
            format!("Include at least one special character ({specials}).")
        }
        Kind::DisallowedCharacter {
            character,
            position,
        } => format!(
            "Character {position}, {}, is not allowed. Use only ASCII letters, digits and the special characters.",
            describe_en(*character)
        ),
        Kind::SameAsCurrent => "The new password must differ from the current password.".to_owned(),
        Kind::ReusedGeneration {
            depth,
            applies_below,
        } => format!(
            "A new password shorter than {applies_below} characters must not equal any of the last {depth} passwords."
        ),
        Kind::SimilarToGeneration {
            depth,
            applies_below,
            prefix_length,
        } => format!(
            "A new password shorter than {applies_below} characters must not share its first {prefix_length} characters with any of the last {depth} passwords."
        ),
        Kind::ConfirmationMismatch => {
            "The new password and its confirmation do not match.".to_owned()
        }
    }
}

/// Code point notation, `U+0041`.
fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// Characters that must not be printed raw in a message: they are invisible,
/// reorder the surrounding text (bidi controls) or merge with the quote
/// marks around them (combining marks, variation selectors).
fn is_unprintable(c: char) -> bool {
    if c.is_control() || c.is_whitespace() {
        return true;
    }
    matches!(u32::from(c),
        0x00AD                  // soft hyphen
        | 0x034F                // combining grapheme joiner
        | 0x0300..=0x036F       // combining diacritical marks
        | 0x061C                // Arabic letter mark
        | 0x115F..=0x1160       // Hangul fillers
        | 0x17B4..=0x17B5
        | 0x180B..=0x180F       // Mongolian selectors
        | 0x1AB0..=0x1AFF
        | 0x1DC0..=0x1DFF
        | 0x200B..=0x200F       // zero-width, LRM, RLM
        | 0x2028..=0x202E       // separators, bidi embeddings/overrides
        | 0x2060..=0x206F       // word joiner, bidi isolates, invisible operators
        | 0x20D0..=0x20FF
        | 0x3099..=0x309A       // combining kana voiced marks
        | 0x3164                // Hangul filler
        | 0xFE00..=0xFE0F       // variation selectors
        | 0xFE20..=0xFE2F
        | 0xFEFF                // BOM / zero-width no-break space
        | 0xFFA0
        | 0xFFF0..=0xFFFB
        | 0xE000..=0xF8FF       // private use
        | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF     // tags, variation selectors supplement
        | 0xF0000..=0x10FFFF    // supplementary private use
    ) || (u32::from(c) & 0xFFFE) == 0xFFFE // noncharacters
}

/// Full-width forms of ASCII (`Ａ`, `１`, `！` …), a common slip when typing
/// with a Japanese input method.
fn is_full_width_ascii(c: char) -> bool {
    matches!(u32::from(c), 0xFF01..=0xFF5E)
}

fn describe_ja(c: char) -> String {
    let cp = code_point(c);
    match c {
        ' ' => format!("半角スペース（{cp}）"),
        '\u{3000}' => format!("全角スペース（{cp}）"),
        _ if c.is_control() => format!("制御文字（{cp}）"),
        _ if c.is_whitespace() => format!("空白文字（{cp}）"),
        _ if is_unprintable(c) => format!("表示されない文字（{cp}）"),
        _ if is_full_width_ascii(c) => format!("全角文字「{c}」（{cp}）"),
        _ => format!("「{c}」（{cp}）"),
    }
}

fn describe_en(c: char) -> String {
    let cp = code_point(c);
    match c {
        ' ' => format!("a space ({cp})"),
        '\u{3000}' => format!("a full-width space ({cp})"),
        _ if c.is_control() => format!("a control character ({cp})"),
        _ if c.is_whitespace() => format!("a whitespace character ({cp})"),
        _ if is_unprintable(c) => format!("an invisible character ({cp})"),
        _ if is_full_width_ascii(c) => format!("the full-width character '{c}' ({cp})"),
        _ => format!("'{c}' ({cp})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Violation;

    #[test]
    fn unprintable_characters_are_named_by_code_point_only() {
        for c in [
            '\0', '\u{7}', '\u{7f}', '\u{202E}', '\u{200B}', '\u{FEFF}', '\u{301}',
        ] {
            let v = Violation::disallowed_character(c, 4);
            for msg in [v.message_ja(), v.message_en(), v.to_string()] {
                assert!(!msg.contains(c), "{msg:?} prints {c:?} raw");
                assert!(msg.contains(&code_point(c)), "{msg:?} lacks the code point");
            }
        }
        assert!(
            Violation::disallowed_character('\0', 1)
                .message_en()
                .contains("U+0000")
        );
    }

    #[test]
    fn visible_characters_are_quoted_with_their_code_point() {
        let v = Violation::disallowed_character('Ａ', 3);
        assert_eq!(
            v.message_ja(),
            "3文字目の全角文字「Ａ」（U+FF21）は使用できません。使用できるのは半角の数字・英字と特殊文字だけです。"
        );
        assert!(v.message_en().contains("'Ａ' (U+FF21)"));
        assert!(v.message_en().starts_with("Character 3,"));
        let plus = Violation::disallowed_character('+', 9);
        assert!(plus.message_ja().starts_with("9文字目の「+」（U+002B）"));
    }
}
