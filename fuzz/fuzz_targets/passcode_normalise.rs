//! `Passcode::parse` on arbitrary UTF-8 (what the login screen receives).
//!
//! Properties:
//! * it never panics;
//! * it agrees with a model written here: accepted exactly when the text,
//!   with ASCII whitespace and U+3000 trimmed from both ends, is six
//!   characters each an ASCII digit or a full-width digit (U+FF10..=U+FF19),
//!   optionally with one space (ASCII or U+3000) exactly between the halves;
//! * an accepted passcode's `as_str()` is exactly 6 ASCII digits, the
//!   model's digits;
//! * differential: the full-width form and a spaced form (surrounding ASCII
//!   and ideographic spaces, a line break) of an accepted code give the same
//!   passcode; and for *any* input, turning every ASCII digit into its
//!   full-width twin, or wrapping it in spaces, changes nothing.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shikaku_totp::Passcode;

/// The digits the manual's passcode field should accept from `text`, if any.
fn model(text: &str) -> Option<String> {
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0C' | '\u{3000}');
    let trimmed = text.trim_matches(is_space);
    // One space (ASCII or U+3000) exactly between the halves: "123 456".
    let chars: Vec<char> = trimmed.chars().collect();
    let core: Vec<char> = if chars.len() == 7 && matches!(chars[3], ' ' | '\u{3000}') {
        chars.iter().enumerate().filter(|(i, _)| *i != 3).map(|(_, c)| *c).collect()
    } else {
        chars
    };
    let mut digits = String::new();
    for c in core {
        let ascii = match c {
            '0'..='9' => c,
            '\u{FF10}'..='\u{FF19}' => char::from_u32(u32::from(c) - 0xFF10 + u32::from('0'))?,
            _ => return None,
        };
        digits.push(ascii);
    }
    (digits.chars().count() == 6).then_some(digits)
}

fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(u32::from(c) - u32::from('0') + 0xFF10).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn parsed(text: &str) -> Option<String> {
    Passcode::parse(text)
        .ok()
        .map(|code| code.as_str().to_owned())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let result = Passcode::parse(text);
    if let Err(error) = &result {
        assert!(!error.to_string().is_empty());
    }
    let got = result.ok().map(|code| {
        let digits = code.as_str();
        assert_eq!(digits.len(), 6, "{digits:?}");
        assert_eq!(code.len(), 6);
        assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{digits:?}");
        digits.to_owned()
    });
    assert_eq!(got, model(text), "input {text:?}");

    // Same outcome whatever the IME's width and the surrounding spaces.
    assert_eq!(
        parsed(&full_width(text)),
        got,
        "full-width form of {text:?}"
    );
    let spaced = format!(" \u{3000}\t{text}\u{3000} \r\n");
    assert_eq!(parsed(&spaced), got, "spaced form of {text:?}");

    if let Some(digits) = &got {
        assert_eq!(parsed(&full_width(digits)).as_ref(), Some(digits));
        let spaced = format!("\u{3000} {digits}\n");
        assert_eq!(parsed(&spaced).as_ref(), Some(digits));
        assert_eq!(parsed(&full_width(&spaced)).as_ref(), Some(digits));
    }
});
