//! The fuzzer's generators ([`Gen`]): values of each documented form as people and
//! programs type them, and mutations that may or may not break that form (the
//! document decides, in `fuzz.rs`).

use rand::RngExt;
use rand_chacha::ChaCha20Rng;
use serde_json::{Value, json};
use shikaku::testing::INSTITUTION_CODE;

/// The spaces identifiers may be surrounded with (Unicode White_Space but controls).
pub(super) const SPACES: &[char] = &[
    ' ', '\u{a0}', '\u{1680}', '\u{2000}', '\u{2005}', '\u{200a}', '\u{2028}', '\u{2029}',
    '\u{202f}', '\u{205f}', '\u{3000}',
];
/// Characters a mutation inserts: controls, look-alikes, non-spaces that look like
/// spaces, separators, letters of other scripts.
const NASTY: &[char] = &[
    '\u{0}', '\t', '\n', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}', '\u{200b}', '\u{feff}',
    '\u{180e}', ' ', '\u{3000}', '/', '?', '#', '%', '+', '&', '=', '"', '\\', 'é', 'Ａ', 'ｚ',
    '０', '９', '＿', '．', '＠', '－', '٣', '𝟘', '😀', 'あ', '漢', 'a', 'Z', '5', '.', '_', '@',
    '-', '$', '~', '`', ':', 'T', 'Z',
];
const SPECIALS: &str = "`~!@#$%^&*_{}|:;'<>,.?-()/";

pub(super) struct Gen(pub(super) ChaCha20Rng);

impl Gen {
    pub(super) fn below(&mut self, n: usize) -> usize {
        self.0.random_range(0..n)
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.0.random_bool(p)
    }

    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub(super) fn spaces(&mut self) -> String {
        let n = if self.chance(0.7) {
            0
        } else {
            1 + self.below(2)
        };
        (0..n).map(|_| self.pick(SPACES)).collect()
    }

    /// Half or full width.
    pub(super) fn width(&mut self, c: char) -> char {
        if c.is_ascii_graphic() && self.chance(0.25) {
            char::from_u32(u32::from(c) + 0xFEE0).unwrap()
        } else {
            c
        }
    }

    pub(super) fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| {
                let d = char::from(b'0' + u8::try_from(self.below(10)).unwrap());
                self.width(d)
            })
            .collect()
    }

    pub(super) fn institution_code(&mut self) -> String {
        let code = if self.chance(0.5) {
            INSTITUTION_CODE.to_owned()
        } else {
            self.digits(10)
        };
        format!("{}{code}{}", self.spaces(), self.spaces())
    }

    pub(super) fn login_id(&mut self) -> String {
        const ALLOWED: &[u8] =
            b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@";
        let n = if self.chance(0.1) {
            64
        } else {
            1 + self.below(12)
        };
        let id: String = (0..n)
            .map(|_| {
                let c = char::from(self.pick(ALLOWED));
                self.width(c)
            })
            .collect();
        format!("{}{id}{}", self.spaces(), self.spaces())
    }

    /// Any text without a control character.
    pub(super) fn password(&mut self) -> String {
        let n = 1 + self.below(24);
        (0..n)
            .map(|_| {
                loop {
                    let c = if self.chance(0.7) {
                        char::from(u8::try_from(0x20 + self.below(0x5f)).unwrap())
                    } else {
                        self.pick(NASTY)
                    };
                    if !c.is_control() {
                        break c;
                    }
                }
            })
            .collect()
    }

    /// A password that meets the rules.
    pub(super) fn policy_password(&mut self) -> String {
        let classes: [&str; 4] = [
            "0123456789",
            "abcdefghijklmnopqrstuvwxyz",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            SPECIALS,
        ];
        let n = 8 + self.below(13);
        let mut chars: Vec<char> = (0..n)
            .map(|i| {
                let class = classes[if i < 4 { i } else { self.below(4) }];
                let all: Vec<char> = class.chars().collect();
                self.pick(&all)
            })
            .collect();
        for i in (1..chars.len()).rev() {
            let j = self.below(i + 1);
            chars.swap(i, j);
        }
        chars.into_iter().collect()
    }

    pub(super) fn passcode(&mut self) -> String {
        let pad = |g: &mut Self| -> String {
            let n = if g.chance(0.7) { 0 } else { 1 + g.below(2) };
            (0..n).map(|_| g.pick(&[' ', '\u{3000}'])).collect()
        };
        let middle = if self.chance(0.3) {
            self.pick(&[" ", "\u{3000}"]).to_owned()
        } else {
            String::new()
        };
        format!(
            "{}{}{middle}{}{}",
            pad(self),
            self.digits(3),
            self.digits(3),
            pad(self)
        )
    }

    pub(super) fn token(&mut self) -> String {
        (0..64)
            .map(|_| char::from(b"0123456789abcdef"[self.below(16)]))
            .collect()
    }

    pub(super) fn instant(&mut self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            2000 + self.below(60),
            1 + self.below(12),
            1 + self.below(28),
            self.below(24),
            self.below(60),
            self.below(60)
        )
    }

    /// A change that may or may not break the value's form.
    pub(super) fn mutate_text(&mut self, text: &str) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        match self.below(7) {
            0 => String::new(),
            1 if !chars.is_empty() => {
                let i = self.below(chars.len());
                chars.remove(i);
                chars.into_iter().collect()
            }
            2 => {
                let i = self.below(chars.len() + 1);
                chars.insert(i, self.pick(NASTY));
                chars.into_iter().collect()
            }
            3 if !chars.is_empty() => {
                let i = self.below(chars.len());
                chars[i] = self.pick(NASTY);
                chars.into_iter().collect()
            }
            4 => format!("{text}{text}"),
            5 => text.to_uppercase(),
            _ => (0..self.below(5)).map(|_| self.pick(NASTY)).collect(),
        }
    }

    pub(super) fn mutate_value(&mut self, value: &Value) -> Value {
        match self.below(10) {
            0 => json!(null),
            1 => json!(12345),
            2 => json!(true),
            3 => json!([value.clone()]),
            _ => match value.as_str() {
                Some(text) => Value::String(self.mutate_text(text)),
                None => Value::String(self.password()),
            },
        }
    }
}

/// Percent-encodes everything but the unreserved characters.
pub(super) fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
