//! Free helpers of the kit: passcodes at an instant, a passcode that is surely wrong,
//! other spellings of the same text, the encodings adapters give a token, and the
//! unwrapping of outcomes.

use time::{Duration, OffsetDateTime};

use super::INSTITUTION_CODE;
use crate::totp::{Secret, SetupKey, Verifier};
use crate::{AccountKey, Config, Error, PasswordLogin, SessionEnd, SessionInfo};

/// 機関コード [`INSTITUTION_CODE`] + `login_id`, as the default configuration parses them.
pub fn account_key(login_id: &str) -> AccountKey {
    Config::default()
        .account_key(INSTITUTION_CODE, login_id)
        .unwrap()
}

/// The secret behind a setup key as [Authenticator 登録] shows it.
pub fn secret_of(setup_key: &str) -> Secret {
    SetupKey::parse(setup_key).unwrap()
}

/// The passcode text an Authenticator with `secret` shows at `at`.
pub fn code_at(secret: &Secret, at: OffsetDateTime) -> String {
    Verifier::default().generate(secret, at).as_str().to_owned()
}

/// A well-formed 6-digit passcode that matches no step within ±3 of `at`: wrong under
/// any verification window the manual allows, and never a replay.
pub fn wrong_code(secret: &Secret, at: OffsetDateTime) -> String {
    let near: Vec<String> = (-3..=3)
        .map(|s| code_at(secret, at + Duration::seconds(30 * s)))
        .collect();
    (0..)
        .map(|n: u32| format!("{:06}", (n * 104_729 + 13) % 1_000_000))
        .find(|c| !near.contains(c))
        .unwrap()
}

/// The same text with ASCII digits and letters in their full-width forms
/// (`0` → `０`, `a` → `ａ`), as a Japanese IME types them.
pub fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                char::from_u32(u32::from(c) + 0xFEE0).unwrap()
            } else {
                c
            }
        })
        .collect()
}

/// Lowercase hex, as the JSON API carries a token.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes unpadded base64url (as the screens' session cookie carries a token).
pub fn from_base64url(text: &str) -> Vec<u8> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => panic!("not base64url: {text}"),
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push(u8::try_from((bits >> n) & 0xff).unwrap());
        }
    }
    out
}

/// The lock's end of a password login that must have met the lock.
pub fn locked_until(outcome: PasswordLogin) -> OffsetDateTime {
    match outcome {
        PasswordLogin::Locked { until } => until,
        other => panic!("expected Locked, got {other:?}"),
    }
}

/// Why a session check found the session ended (it must have).
pub fn ended(checked: Result<SessionInfo, Error>) -> SessionEnd {
    match checked {
        Err(Error::SessionEnded(end)) => end,
        other => panic!("expected an ended session, got {other:?}"),
    }
}
