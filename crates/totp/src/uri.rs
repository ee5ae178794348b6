//! The `otpauth://` URI the QR code carries.

use core::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use time::Duration;
use zeroize::Zeroizing;

use crate::error::excerpt;
use crate::setup_key::SetupKey;
use crate::verifier::{DEFAULT_DIGITS, MAX_DIGITS, MIN_DIGITS};
use crate::{Error, Secret};

/// Everything but RFC 3986 unreserved characters is encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

const SCHEME: &str = "otpauth://";

/// The time step of URIs this crate makes, in seconds.
const DEFAULT_PERIOD: u32 = 30;

/// Longest `period` the parser accepts: one day.
const MAX_PERIOD_SECONDS: u32 = 86_400;

/// An otpauth URI (Google Authenticator Key Uri Format): issuer, account,
/// secret and the code parameters.
///
/// ```text
/// otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
/// ```
///
/// The account is the staff member's ログイン ID (the manual has the app's
/// 《アカウント名》 set to it). Issuer and account are UTF-8, percent-encoded
/// byte by byte except for RFC 3986's unreserved characters, so a Japanese
/// issuer name survives the round trip; `:` inside either is encoded as `%3A`
/// (as pyotp does), while the separator between them is a literal `:`.
///
/// ```
/// # use shikaku_totp::{OtpauthUri, Secret};
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let uri = OtpauthUri::new("資格確認", "user01", &secret);
/// let text = uri.to_uri_string();
/// assert_eq!(
///     *text,
///     "otpauth://totp/%E8%B3%87%E6%A0%BC%E7%A2%BA%E8%AA%8D:user01\
///      ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
///      &issuer=%E8%B3%87%E6%A0%BC%E7%A2%BA%E8%AA%8D&algorithm=SHA1&digits=6&period=30"
/// );
/// let back = OtpauthUri::parse(&text)?;
/// assert_eq!(back.issuer(), "資格確認");
/// assert_eq!(back.account(), "user01");
/// assert_eq!(back.secret(), &secret);
/// # Ok::<(), shikaku_totp::Error>(())
/// ```
///
/// `Debug` shows issuer and account but not the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct OtpauthUri {
    issuer: String,
    account: String,
    secret: Secret,
    digits: u8,
    period: u32,
}

impl OtpauthUri {
    /// The URI for `secret` with the manual's parameters (SHA-1, 6 digits,
    /// 30 s). `account` is the ログイン ID.
    ///
    /// An empty `issuer` leaves both the label prefix and the `issuer`
    /// parameter out. Leading spaces of `account` are dropped: the format
    /// reads spaces after the `:` as part of the separator, so they could not
    /// survive a round trip.
    #[must_use]
    pub fn new(issuer: &str, account: &str, secret: &Secret) -> Self {
        Self {
            issuer: issuer.to_owned(),
            account: account.trim_start_matches(' ').to_owned(),
            secret: secret.clone(),
            digits: DEFAULT_DIGITS,
            period: DEFAULT_PERIOD,
        }
    }

    /// The issuer (the service name the app shows above the code).
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The account name (the ログイン ID).
    #[must_use]
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The shared secret.
    #[must_use]
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The passcode length, 6 for URIs this crate makes.
    #[must_use]
    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// The time step, 30 s for URIs this crate makes.
    #[must_use]
    pub fn period(&self) -> Duration {
        Duration::seconds(i64::from(self.period))
    }

    /// Gives up the secret.
    #[must_use]
    pub fn into_secret(self) -> Secret {
        self.secret
    }

    /// The URI text, to put in the QR code. It contains the secret.
    #[must_use]
    pub fn to_uri_string(&self) -> Zeroizing<String> {
        let issuer = utf8_percent_encode(&self.issuer, COMPONENT).to_string();
        let account = utf8_percent_encode(&self.account, COMPONENT).to_string();
        let key = self.secret.setup_key().copy_form();
        let digits = self.digits.to_string();
        let period = self.period.to_string();

        let mut parts: Vec<&str> = vec![SCHEME, "totp/"];
        if !issuer.is_empty() {
            parts.extend([issuer.as_str(), ":"]);
        }
        parts.extend([account.as_str(), "?secret=", key.as_str()]);
        if !issuer.is_empty() {
            parts.extend(["&issuer=", issuer.as_str()]);
        }
        parts.extend([
            "&algorithm=SHA1&digits=",
            digits.as_str(),
            "&period=",
            period.as_str(),
        ]);

        // Reserve the exact size so the buffer holding the key never
        // reallocates (which would leave a copy behind).
        let mut uri = Zeroizing::new(String::with_capacity(parts.iter().map(|p| p.len()).sum()));
        for part in parts {
            uri.push_str(part);
        }
        uri
    }

    /// Reads an `otpauth://totp/` URI, this crate's or another tool's.
    ///
    /// The scheme and type are case-insensitive; `secret` is read as leniently
    /// as [`SetupKey::parse`]; `algorithm` (default SHA1) must be SHA1,
    /// `digits` (default 6) 6 to 8, `period` (default 30) 1 to 86 400
    /// seconds. In query values `+` means a space (form encoding, as some
    /// generators write it); in the label it is a literal `+`. Unknown
    /// parameters (such as `image`) are ignored; a known one given twice is an
    /// error. If both the label prefix and the `issuer` parameter name an
    /// issuer they must agree; a label of the form `Issuer%3Aaccount` with a
    /// matching `issuer` parameter is also understood.
    ///
    /// # Errors
    ///
    /// [`Error::NotOtpauthUri`], [`Error::UnsupportedOtpType`],
    /// [`Error::MissingUriParameter`], [`Error::DuplicateUriParameter`],
    /// [`Error::InvalidUriParameter`], [`Error::UnsupportedAlgorithm`],
    /// [`Error::IssuerMismatch`], or the setup key's errors for `secret`.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let rest = strip_prefix_ignore_case(text.trim(), SCHEME).ok_or(Error::NotOtpauthUri)?;
        let (otp_type, rest) = rest.split_once('/').ok_or(Error::NotOtpauthUri)?;
        if !otp_type.eq_ignore_ascii_case("totp") {
            return Err(Error::UnsupportedOtpType {
                otp_type: excerpt(otp_type, 32),
            });
        }
        let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
        let (label, query) = rest.split_once('?').unwrap_or((rest, ""));

        let params = Params::parse(query)?;

        let (label_issuer, account) = match label.split_once(':') {
            Some((issuer, account)) => {
                let issuer = decode_label(issuer)?;
                let account = decode_label(account)?;
                (Some(issuer), account.trim_start_matches(' ').to_owned())
            }
            None => {
                let whole = decode_label(label)?;
                // `Issuer%3Aaccount`: an encoded separator, recognisable only
                // when the issuer parameter says what precedes it.
                match params.issuer.as_deref().and_then(|issuer| {
                    whole
                        .strip_prefix(issuer)
                        .and_then(|after| after.strip_prefix(':'))
                }) {
                    Some(account) => (None, account.trim_start_matches(' ').to_owned()),
                    // Leading spaces are dropped here too, or re-emitting the URI
                    // (`issuer:account`) would change the account (found by fuzzing).
                    None => (None, whole.trim_start_matches(' ').to_owned()),
                }
            }
        };

        let issuer = match (label_issuer, params.issuer) {
            (Some(label), Some(parameter)) if label != parameter => {
                return Err(Error::IssuerMismatch { label, parameter });
            }
            (Some(issuer), _) | (None, Some(issuer)) => issuer,
            (None, None) => String::new(),
        };

        let secret_text = params
            .secret
            .ok_or(Error::MissingUriParameter { name: "secret" })?;
        let secret = SetupKey::parse(&secret_text)?;

        if let Some(algorithm) = params.algorithm
            && !algorithm.eq_ignore_ascii_case("SHA1")
        {
            return Err(Error::UnsupportedAlgorithm {
                algorithm: excerpt(&algorithm, 32),
            });
        }

        let digits = match params.digits {
            None => DEFAULT_DIGITS,
            Some(text) => {
                let digits: u32 = text.parse().map_err(|_| Error::InvalidUriParameter {
                    name: "digits",
                    reason: "not a number",
                })?;
                u8::try_from(digits)
                    .ok()
                    .filter(|d| (MIN_DIGITS..=MAX_DIGITS).contains(d))
                    .ok_or(Error::UnsupportedDigits { digits })?
            }
        };

        let period = match params.period {
            None => DEFAULT_PERIOD,
            Some(text) => text
                .parse::<u32>()
                .ok()
                .filter(|p| (1..=MAX_PERIOD_SECONDS).contains(p))
                .ok_or(Error::InvalidUriParameter {
                    name: "period",
                    reason: "not a number of seconds from 1 to 86400",
                })?,
        };

        Ok(Self {
            issuer,
            account,
            secret,
            digits,
            period,
        })
    }
}

impl fmt::Debug for OtpauthUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtpauthUri")
            .field("issuer", &self.issuer)
            .field("account", &self.account)
            .field("secret", &self.secret)
            .field("digits", &self.digits)
            .field("period", &self.period)
            .finish()
    }
}

/// The query parameters this crate reads.
#[derive(Default)]
struct Params {
    secret: Option<Zeroizing<String>>,
    issuer: Option<String>,
    algorithm: Option<String>,
    digits: Option<String>,
    period: Option<String>,
}

impl Params {
    fn parse(query: &str) -> Result<Self, Error> {
        let mut params = Self::default();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode_query(name, "parameter name")?;
            let (slot, name): (&mut Option<String>, &'static str) =
                match name.to_ascii_lowercase().as_str() {
                    "secret" => {
                        if params.secret.is_some() {
                            return Err(Error::DuplicateUriParameter { name: "secret" });
                        }
                        params.secret = Some(Zeroizing::new(decode_query(value, "secret")?));
                        continue;
                    }
                    "issuer" => (&mut params.issuer, "issuer"),
                    "algorithm" => (&mut params.algorithm, "algorithm"),
                    "digits" => (&mut params.digits, "digits"),
                    "period" => (&mut params.period, "period"),
                    _ => continue,
                };
            if slot.is_some() {
                return Err(Error::DuplicateUriParameter { name });
            }
            *slot = Some(decode_query(value, name)?);
        }
        Ok(params)
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| text.get(prefix.len()..))
        .flatten()
}

/// Percent-decodes a label part (where `+` is literal).
fn decode_label(part: &str) -> Result<String, Error> {
    percent_decode_str(part)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| Error::InvalidUriParameter {
            name: "label",
            reason: "not UTF-8 after percent-decoding",
        })
}

/// Percent-decodes a query value (where `+` is a space). Decoding a secret
/// may leave a copy in the intermediate buffers; the secret parameter's only
/// valid characters are unreserved, so for a valid key the text is copied,
/// not transformed.
fn decode_query(part: &str, name: &'static str) -> Result<String, Error> {
    let spaced: std::borrow::Cow<'_, str> = if part.contains('+') {
        part.replace('+', " ").into()
    } else {
        part.into()
    };
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| Error::InvalidUriParameter {
            name,
            reason: "not UTF-8 after percent-decoding",
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        Secret::from_bytes(b"12345678901234567890").unwrap()
    }

    const KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    /// cargo fuzz (otpauth_uri_parse): a label without `:` but with a leading space
    /// parsed to an account that re-emitted differently.
    #[test]
    fn fuzz_regression_leading_space_in_a_label_without_separator() {
        let first =
            OtpauthUri::parse("otpauth://totp/%20a?secret=GEZDGNBVGY3TQOJQ&issuer=E").unwrap();
        assert_eq!(first.account(), "a");
        let again = OtpauthUri::parse(&first.to_uri_string()).unwrap();
        assert_eq!(again, first);
        assert_eq!(OtpauthUri::new("E", "  a", &secret()).account(), "a");
    }

    #[test]
    fn the_manuals_format() {
        let uri = OtpauthUri::new("Example Clinic", "user01", &secret());
        assert_eq!(
            *uri.to_uri_string(),
            format!(
                "otpauth://totp/Example%20Clinic:user01?secret={KEY}\
                 &issuer=Example%20Clinic&algorithm=SHA1&digits=6&period=30"
            )
        );
    }

    #[test]
    fn reserved_characters_are_encoded() {
        let uri = OtpauthUri::new("A:B&C", "x@y+z?/#", &secret());
        let text = uri.to_uri_string();
        assert!(
            text.starts_with("otpauth://totp/A%3AB%26C:x%40y%2Bz%3F%2F%23?"),
            "{}",
            *text
        );
        let back = OtpauthUri::parse(&text).unwrap();
        assert_eq!(back, uri);
    }

    #[test]
    fn japanese_issuer_round_trips() {
        let uri = OtpauthUri::new("資格確認限定型レセコン連携機能", "ｕｓｅｒ０１", &secret());
        let back = OtpauthUri::parse(&uri.to_uri_string()).unwrap();
        assert_eq!(back.issuer(), "資格確認限定型レセコン連携機能");
        assert_eq!(back.account(), "ｕｓｅｒ０１");
        assert_eq!(back, uri);
    }

    #[test]
    fn empty_issuer_is_left_out() {
        let uri = OtpauthUri::new("", "user01", &secret());
        let text = uri.to_uri_string();
        assert_eq!(
            *text,
            format!("otpauth://totp/user01?secret={KEY}&algorithm=SHA1&digits=6&period=30")
        );
        assert_eq!(OtpauthUri::parse(&text).unwrap(), uri);
    }

    #[test]
    fn uri_string_reserves_exactly() {
        let text = OtpauthUri::new("資格", "u", &secret()).to_uri_string();
        assert_eq!(text.capacity(), text.len());
    }

    #[test]
    fn defaults_and_foreign_spellings() {
        let uri = OtpauthUri::parse(&format!(
            "OTPAUTH://TOTP/alice?secret={}",
            KEY.to_lowercase()
        ))
        .unwrap();
        assert_eq!(uri.issuer(), "");
        assert_eq!(uri.account(), "alice");
        assert_eq!(uri.secret(), &secret());
        assert_eq!(uri.digits(), 6);
        assert_eq!(uri.period(), Duration::seconds(30));

        // Spaces after the colon, `+` in a query value, an unknown parameter,
        // a fragment, padding in the secret, an 8-digit 60-second code.
        let uri = OtpauthUri::parse(&format!(
            "otpauth://totp/ACME%20Co:%20%20john.doe@email.com?issuer=ACME+Co\
             &secret={KEY}%3D%3D%3D%3D&image=https%3A%2F%2Fx&digits=8&period=60&algorithm=sha1#frag"
        ))
        .unwrap();
        assert_eq!(uri.issuer(), "ACME Co");
        assert_eq!(uri.account(), "john.doe@email.com");
        assert_eq!(uri.digits(), 8);
        assert_eq!(uri.period(), Duration::seconds(60));

        // An encoded separator.
        let uri = OtpauthUri::parse(&format!(
            "otpauth://totp/Example%3Aalice?secret={KEY}&issuer=Example"
        ))
        .unwrap();
        assert_eq!((uri.issuer(), uri.account()), ("Example", "alice"));
    }

    #[test]
    fn bad_uris_say_why() {
        let cases: [(String, Error); 11] = [
            ("https://example.com".into(), Error::NotOtpauthUri),
            ("otpauth://totp".into(), Error::NotOtpauthUri),
            (
                format!("otpauth://hotp/a?secret={KEY}&counter=1"),
                Error::UnsupportedOtpType {
                    otp_type: "hotp".into(),
                },
            ),
            (
                "otpauth://totp/a?issuer=x".into(),
                Error::MissingUriParameter { name: "secret" },
            ),
            (
                format!("otpauth://totp/a?secret={KEY}&secret={KEY}"),
                Error::DuplicateUriParameter { name: "secret" },
            ),
            (
                format!("otpauth://totp/a?secret={KEY}&digits=6&DIGITS=6"),
                Error::DuplicateUriParameter { name: "digits" },
            ),
            (
                format!("otpauth://totp/a?secret={KEY}&algorithm=SHA256"),
                Error::UnsupportedAlgorithm {
                    algorithm: "SHA256".into(),
                },
            ),
            (
                format!("otpauth://totp/a?secret={KEY}&digits=10"),
                Error::UnsupportedDigits { digits: 10 },
            ),
            (
                format!("otpauth://totp/a?secret={KEY}&period=0"),
                Error::InvalidUriParameter {
                    name: "period",
                    reason: "not a number of seconds from 1 to 86400",
                },
            ),
            (
                format!("otpauth://totp/A:b?secret={KEY}&issuer=B"),
                Error::IssuerMismatch {
                    label: "A".into(),
                    parameter: "B".into(),
                },
            ),
            (
                format!("otpauth://totp/%FF:b?secret={KEY}"),
                Error::InvalidUriParameter {
                    name: "label",
                    reason: "not UTF-8 after percent-decoding",
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(OtpauthUri::parse(&text), Err(expected), "{text}");
        }
        // A bad secret reports the setup-key error.
        assert_eq!(
            OtpauthUri::parse("otpauth://totp/a?secret=GEZD0GNB"),
            Err(Error::SetupKeyCharacter {
                character: '0',
                position: 5
            })
        );
    }

    #[test]
    fn debug_hides_the_secret() {
        let uri = OtpauthUri::new("Clinic", "user01", &secret());
        let debug = format!("{uri:?}");
        assert!(debug.contains("Secret(***)"), "{debug}");
        assert!(debug.contains("user01"), "{debug}");
        assert!(!debug.contains(KEY), "{debug}");
    }
}
