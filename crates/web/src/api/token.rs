//! The JSON API's spelling of a facade token (`login_token`, `session_token`, the
//! `Bearer` credential): exactly 64 lowercase hex digits. The one place the API
//! turns a [`Token`] into text and back (the browser's cookie spelling is the
//! security layer's, `RandomToken`).

use shikaku::Token;
use zeroize::Zeroizing;

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The 64 lowercase hex digits of `token` (wiped when dropped).
pub(crate) fn encode(token: &Token) -> Zeroizing<String> {
    let mut text = Zeroizing::new(String::with_capacity(Token::LEN * 2));
    for byte in token.as_bytes() {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// The token a client presented: exactly 64 lowercase hex digits, nothing else
/// (no uppercase, no prefix, no whitespace), so every token has one spelling.
pub(crate) fn parse(text: &str) -> Option<Token> {
    let digits = text.as_bytes();
    if digits.len() != Token::LEN * 2 {
        return None;
    }
    let mut bytes = Zeroizing::new([0u8; Token::LEN]);
    for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(Token::from_bytes(*bytes))
}

fn nibble(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_64_lowercase_hex_digits() {
        let token = Token::from_bytes([0x5a; 32]);
        assert_eq!(encode(&token).as_str(), "5a".repeat(32));
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::try_from(i * 8).unwrap();
        }
        let token = Token::from_bytes(bytes);
        let text = encode(&token);
        assert_eq!(text.len(), 64);
        assert_eq!(&text[..6], "000810");
        assert_eq!(parse(&text), Some(token));
    }

    #[test]
    fn parsing_is_strict() {
        let good = "0123456789abcdef".repeat(4);
        assert!(parse(&good).is_some());
        for bad in [
            String::new(),
            good[1..].to_owned(),
            format!("{good}0"),
            good.to_uppercase(),
            format!(" {}", &good[1..]),
            format!("{}g", &good[..63]),
            "あ".repeat(21) + "a",
        ] {
            assert!(parse(&bad).is_none(), "{bad:?}");
        }
    }
}
