//! The setup key: the secret as text (RFC 4648 base32, no padding).

use core::fmt;

use base32::Alphabet;
use zeroize::Zeroizing;

use crate::Error;
use crate::secret::{MAX_SECRET_LEN, Secret};

const ALPHABET: Alphabet = Alphabet::Rfc4648 { padding: false };

/// Base32 symbols a [`MAX_SECRET_LEN`]-byte secret encodes to.
const MAX_SYMBOLS: usize = (MAX_SECRET_LEN * 8).div_ceil(5);

/// A [`Secret`] shown as text (RFC 4648 base32, no padding). Obtain one
/// with [`Secret::setup_key`].
///
/// The manual (第2章 2) has the staff member type the key into the app's
/// 《鍵》 field or paste it into the browser extension's 《シークレット》 after
/// 《テキストでコピー》, and warns (第1章 2, 操作 4) that a key copied out of a
/// PDF print may carry line breaks. So there are two forms out and one
/// lenient way in:
///
/// * [`display_form`](SetupKey::display_form): `GEZD GNBV GY3T ...`, groups
///   of four for reading aloud or typing;
/// * [`copy_form`](SetupKey::copy_form): `GEZDGNBVGY3T...`, what
///   《テキストでコピー》 puts on the clipboard;
/// * [`parse`](SetupKey::parse): takes either, and also lowercase, full-width
///   letters and digits (a Japanese IME in full-width mode), spaces (ASCII,
///   no-break, ideographic), hyphens and dashes (including `ー`, which an IME
///   may turn a hyphen into), line breaks, the zero-width characters PDF
///   viewers insert, and trailing `=` padding. Anything else is an error
///   naming the character and its position.
///
/// Both forms are returned in [`Zeroizing`] strings: they are the secret.
///
/// ```
/// # use shikaku_totp::{Secret, SetupKey};
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let key = secret.setup_key();
/// assert_eq!(*key.display_form(), "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ");
/// assert_eq!(*key.copy_form(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
/// // What a PDF viewer hands back after copying the printed key:
/// assert_eq!(SetupKey::parse("gezd gnbv gy3t\r\nqojq gezd gnbv gy3t qojq")?, secret);
/// # Ok::<(), shikaku_totp::Error>(())
/// ```
#[derive(Clone)]
pub struct SetupKey {
    secret: Secret,
}

impl SetupKey {
    pub(crate) fn from_secret(secret: Secret) -> Self {
        Self { secret }
    }

    /// The secret this key encodes.
    #[must_use]
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// Uppercase base32 in groups of four separated by single spaces, for
    /// reading (`GEZD GNBV GY3T QOJQ ...`).
    #[must_use]
    pub fn display_form(&self) -> Zeroizing<String> {
        let plain = self.copy_form();
        let groups = plain.len().div_ceil(4);
        let mut out = Zeroizing::new(String::with_capacity(plain.len() + groups));
        for (i, symbol) in plain.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push(' ');
            }
            out.push(symbol);
        }
        out
    }

    /// Uppercase base32 without spaces or padding, for the clipboard
    /// (《テキストでコピー》) and the otpauth URI.
    #[must_use]
    pub fn copy_form(&self) -> Zeroizing<String> {
        encode(self.secret.expose_bytes())
    }

    /// Reads a setup key back into its [`Secret`], tolerating what people and
    /// PDF viewers do to it (see [`SetupKey`]).
    ///
    /// # Errors
    ///
    /// * [`Error::SetupKeyCharacter`] for a character that is neither a base32
    ///   symbol nor a tolerated separator, or `=` before the end;
    /// * [`Error::SetupKeyLength`] for an empty key or a symbol count no byte
    ///   string encodes to;
    /// * [`Error::SecretLength`] for a key too short or too long for a secret.
    pub fn parse(text: &str) -> Result<Secret, Error> {
        // Sized for the longest acceptable key so the buffer never
        // reallocates (which would leave a copy of the key behind).
        let mut symbols = Zeroizing::new(String::with_capacity(MAX_SYMBOLS));
        let mut padding_at = None;
        for (index, character) in text.chars().enumerate() {
            let position = index + 1;
            match classify(character) {
                Class::Separator => {}
                Class::Padding => {
                    padding_at.get_or_insert(position);
                }
                Class::Symbol(symbol) => {
                    if let Some(position) = padding_at {
                        return Err(Error::SetupKeyCharacter {
                            character: '=',
                            position,
                        });
                    }
                    if symbols.len() == MAX_SYMBOLS {
                        // Longer than any secret we accept; stop reading.
                        return Err(Error::SecretLength {
                            len: (MAX_SYMBOLS + 1) * 5 / 8,
                        });
                    }
                    symbols.push(symbol);
                }
                Class::Other => {
                    return Err(Error::SetupKeyCharacter {
                        character,
                        position,
                    });
                }
            }
        }
        if symbols.is_empty() || matches!(symbols.len() % 8, 1 | 3 | 6) {
            return Err(Error::SetupKeyLength {
                symbols: symbols.len(),
            });
        }
        // Every symbol is valid and the length is one base32 produces, so
        // decoding cannot fail; for such lengths the base32 crate allocates
        // its output exactly once.
        let bytes = base32::decode(ALPHABET, &symbols)
            .map(Zeroizing::new)
            .ok_or(Error::SetupKeyLength {
                symbols: symbols.len(),
            })?;
        Secret::from_bytes(&bytes)
    }
}

impl fmt::Debug for SetupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SetupKey(***)")
    }
}

/// Base32 without padding, without leaving copies of the key on the heap.
///
/// `base32::encode` under-reserves its output buffer (5 bytes per 4 input
/// bytes instead of 8 per 5) and so reallocates, leaving a copy of the
/// encoded key in freed memory. Encoding one 5-byte group at a time keeps
/// every call within its reservation; the last, short group is zero-extended,
/// which encodes to the same leading symbols as the unpadded tail.
fn encode(bytes: &[u8]) -> Zeroizing<String> {
    let symbols = (bytes.len() * 8).div_ceil(5);
    let mut out = Zeroizing::new(String::with_capacity(bytes.len().div_ceil(5) * 8));
    for group in bytes.chunks(5) {
        let mut block = Zeroizing::new([0_u8; 5]);
        block[..group.len()].copy_from_slice(group);
        let encoded = Zeroizing::new(base32::encode(ALPHABET, block.as_ref()));
        out.push_str(&encoded);
    }
    out.truncate(symbols);
    out
}

enum Class {
    Symbol(char),
    Separator,
    Padding,
    Other,
}

fn classify(c: char) -> Class {
    match c {
        'A'..='Z' | '2'..='7' => Class::Symbol(c),
        'a'..='z' => Class::Symbol(c.to_ascii_uppercase()),
        // Full-width Ａ–Ｚ, ａ–ｚ, ２–７ (U+FF21.., U+FF41.., U+FF12..).
        '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' | '\u{FF12}'..='\u{FF17}' => {
            let ascii = char::from_u32(u32::from(c) - 0xFEE0);
            ascii.map_or(Class::Other, |a| Class::Symbol(a.to_ascii_uppercase()))
        }
        // Spaces, tabs and line breaks of every kind a clipboard carries.
        ' ' | '\t' | '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{A0}' | '\u{2028}'
        | '\u{2029}' | '\u{3000}'
        // Invisible characters PDF viewers and word processors insert.
        | '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        // Hyphens and dashes, including what a Japanese IME makes of '-'.
        | '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2212}' | '\u{FF0D}'
        | '\u{30FC}' | '\u{FF70}' => Class::Separator,
        '=' | '\u{FF1D}' => Class::Padding,
        _ => Class::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_secret() -> Secret {
        Secret::from_bytes(b"12345678901234567890").unwrap()
    }

    #[test]
    fn forms_of_the_rfc_secret() {
        let key = rfc_secret().setup_key();
        assert_eq!(*key.copy_form(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            *key.display_form(),
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
        );
    }

    #[test]
    fn encode_matches_the_base32_crate_for_every_length() {
        for len in 10..=64_u8 {
            let bytes: Vec<u8> = (0..len)
                .map(|i| i.wrapping_mul(37).wrapping_add(len))
                .collect();
            assert_eq!(
                *encode(&bytes),
                base32::encode(ALPHABET, &bytes),
                "len {len}"
            );
        }
    }

    #[test]
    fn encode_never_reallocates() {
        for len in 10..=64_usize {
            let out = encode(&vec![0xFF; len]);
            assert_eq!(out.capacity(), len.div_ceil(5) * 8, "len {len}");
        }
    }

    #[test]
    fn display_form_groups_a_short_tail() {
        // 16 bytes -> 26 symbols -> groups of 4, 4, ..., 2.
        let key = Secret::from_bytes(&[0; 16]).unwrap().setup_key();
        assert_eq!(*key.display_form(), "AAAA AAAA AAAA AAAA AAAA AAAA AA");
    }

    #[test]
    fn parse_tolerates_what_copying_does() {
        let secret = rfc_secret();
        for text in [
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ",
            "gezd-gnbv-gy3t-qojq-gezd-gnbv-gy3t-qojq",
            "GEZDGNBVGY3TQOJQ\nGEZDGNBVGY3TQOJQ",
            "GEZD GNBV GY3T\r\nQOJQ GEZD\u{2028}GNBV GY3T QOJQ\n",
            "  GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ====  ",
            "ＧＥＺＤ\u{3000}ＧＮＢＶ\u{3000}ＧＹ３Ｔ\u{3000}ＱＯＪＱ\u{3000}ｇｅｚｄ ＧＮＢＶ ＧＹ３Ｔ ＱＯＪＱ",
            "GEZDーGNBVーGY3TーQOJQ－GEZD‐GNBV−GY3T\u{AD}QOJQ",
            "\u{FEFF}GEZDGNBV\u{200B}GY3TQOJQGEZDGNBVGY3TQOJQ",
        ] {
            assert_eq!(SetupKey::parse(text), Ok(secret.clone()), "{text:?}");
        }
    }

    #[test]
    fn parse_names_the_bad_character_and_its_position() {
        assert_eq!(
            SetupKey::parse("GEZD GNBV G03T QOJQ"),
            Err(Error::SetupKeyCharacter {
                character: '0',
                position: 12
            })
        );
        let err = SetupKey::parse("GEZD GNBV G03T QOJQ").unwrap_err();
        let message = err.to_string();
        assert!(message.contains("'0'"), "{message}");
        assert!(message.contains("position 12"), "{message}");
        assert!(message.contains("letter O"), "{message}");

        // Counted in characters, not bytes.
        assert_eq!(
            SetupKey::parse("ＧＥ#"),
            Err(Error::SetupKeyCharacter {
                character: '#',
                position: 3
            })
        );
        assert_eq!(
            SetupKey::parse("GEZDGNBVGY3TQOJQ_"),
            Err(Error::SetupKeyCharacter {
                character: '_',
                position: 17
            })
        );
    }

    #[test]
    fn padding_only_at_the_end() {
        assert_eq!(
            SetupKey::parse("GEZDGNBV=GY3TQOJQ"),
            Err(Error::SetupKeyCharacter {
                character: '=',
                position: 9
            })
        );
        assert!(SetupKey::parse("GEZDGNBVGY3TQOJQ = =").is_ok());
    }

    #[test]
    fn impossible_lengths_are_refused() {
        assert_eq!(
            SetupKey::parse(""),
            Err(Error::SetupKeyLength { symbols: 0 })
        );
        assert_eq!(
            SetupKey::parse(" - \n"),
            Err(Error::SetupKeyLength { symbols: 0 })
        );
        // 32 symbols minus one is 31 = 3*8 + 7: a valid base32 length (19
        // bytes), so a dropped character cannot always be caught; 33 can.
        let mut long = String::from("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        long.push('A');
        assert_eq!(
            SetupKey::parse(&long),
            Err(Error::SetupKeyLength { symbols: 33 })
        );
        assert_eq!(
            SetupKey::parse("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQO"),
            Err(Error::SetupKeyLength { symbols: 30 })
        );
    }

    #[test]
    fn secret_length_limits_apply() {
        // 8 symbols = 5 bytes: too short for a secret.
        assert_eq!(
            SetupKey::parse("GEZDGNBV"),
            Err(Error::SecretLength { len: 5 })
        );
        // The longest secret round-trips, one more symbol group does not.
        let longest = Secret::from_bytes(&[0x5A; 64]).unwrap();
        let text = longest.setup_key().copy_form();
        assert_eq!(SetupKey::parse(&text), Ok(longest));
        let too_long = "A".repeat(MAX_SYMBOLS + 1);
        assert!(matches!(
            SetupKey::parse(&too_long),
            Err(Error::SecretLength { .. })
        ));
        // A huge input is refused without reading it all into memory.
        let huge = "A".repeat(1_000_000);
        assert!(matches!(
            SetupKey::parse(&huge),
            Err(Error::SecretLength { .. })
        ));
    }

    #[test]
    fn debug_is_redacted() {
        let key = rfc_secret().setup_key();
        assert_eq!(format!("{key:?}"), "SetupKey(***)");
    }
}
