//! RFC 4648 base64 (standard alphabet, padded) and base64url (no padding).
//!
//! Two tiny, fully tested codecs so the crate needs no base64 dependency:
//! the standard alphabet builds `data:` URIs for the QR image, the URL-safe
//! alphabet carries 256-bit random tokens in cookies and form fields.

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn encode(input: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextets = [(n >> 18) & 63, (n >> 12) & 63, (n >> 6) & 63, n & 63];
        let emit = chunk.len() + 1;
        for (i, s) in sextets.iter().enumerate() {
            if i < emit {
                out.push(char::from(alphabet[*s as usize]));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 with `=` padding (RFC 4648 §4).
pub(crate) fn base64_std(input: &[u8]) -> String {
    encode(input, STD, true)
}

/// URL-safe base64 without padding (RFC 4648 §5).
pub(crate) fn base64url(input: &[u8]) -> String {
    encode(input, URL, false)
}

fn url_value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Decodes unpadded base64url into exactly `N` bytes.
///
/// Strict: refuses padding, other alphabets, wrong lengths and non-canonical
/// trailing bits, so every token has exactly one accepted spelling.
pub(crate) fn base64url_decode_exact<const N: usize>(input: &str) -> Option<[u8; N]> {
    let bytes = input.as_bytes();
    if bytes.len() != (N * 4).div_ceil(3) {
        return None;
    }
    let mut out = [0u8; N];
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut pos = 0usize;
    for &c in bytes {
        // Only the low 14 bits are ever pending; masking keeps the shift honest.
        acc = ((acc << 6) | u32::from(url_value(c)?)) & 0x3fff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            let byte = u8::try_from((acc >> bits) & 0xff).ok()?;
            *out.get_mut(pos)? = byte;
            pos += 1;
        }
    }
    // Leftover bits must be zero (canonical encoding).
    if pos != N || acc & ((1 << bits) - 1) != 0 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648 §10 test vectors.
    const VECTORS: [(&str, &str); 7] = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];

    #[test]
    fn rfc4648_vectors_standard() {
        for (plain, encoded) in VECTORS {
            assert_eq!(base64_std(plain.as_bytes()), encoded, "{plain:?}");
        }
    }

    #[test]
    fn rfc4648_vectors_url_unpadded() {
        for (plain, encoded) in VECTORS {
            assert_eq!(
                base64url(plain.as_bytes()),
                encoded.trim_end_matches('='),
                "{plain:?}"
            );
        }
    }

    #[test]
    fn url_alphabet_differs_from_standard() {
        assert_eq!(base64_std(&[0xfb, 0xff]), "+/8=");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn decode_round_trips_every_byte() {
        let mut data = [0u8; 32];
        for start in 0..=255u8 {
            for (i, b) in data.iter_mut().enumerate() {
                *b = start.wrapping_add(u8::try_from(i).unwrap().wrapping_mul(37));
            }
            let enc = base64url(&data);
            assert_eq!(enc.len(), 43);
            assert_eq!(base64url_decode_exact::<32>(&enc), Some(data));
        }
    }

    #[test]
    fn decode_is_strict() {
        let good = base64url(&[7u8; 32]);
        assert!(base64url_decode_exact::<32>(&good).is_some());
        // wrong length
        assert!(base64url_decode_exact::<32>(&good[..42]).is_none());
        assert!(base64url_decode_exact::<32>(&format!("{good}A")).is_none());
        // foreign alphabet / padding
        let plus = format!("+{}", &good[1..]);
        assert!(base64url_decode_exact::<32>(&plus).is_none());
        let padded = format!("{}=", &good[..42]);
        assert!(base64url_decode_exact::<32>(&padded).is_none());
        // non-canonical trailing bits: last char of a 32-byte token carries 4 data bits
        let mut bytes = good.into_bytes();
        let last = bytes.len() - 1;
        bytes[last] = b'B'; // value 1: a non-zero unused bit
        let tweaked = String::from_utf8(bytes).unwrap();
        assert!(base64url_decode_exact::<32>(&tweaked).is_none());
        // multi-byte UTF-8 never decodes
        assert!(base64url_decode_exact::<2>("あ").is_none());
    }
}
