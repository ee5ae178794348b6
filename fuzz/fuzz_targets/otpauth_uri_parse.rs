//! `OtpauthUri::parse` on arbitrary UTF-8 (a QR code's text is untrusted).
//!
//! Properties:
//! * it never panics, and its error's `Display` never panics;
//! * an accepted URI re-emitted with `to_uri_string` is printable ASCII and
//!   parses back to the same issuer, account, secret bytes, digits and period.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shikaku_totp::OtpauthUri;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let uri = match OtpauthUri::parse(text) {
        Ok(uri) => uri,
        Err(error) => {
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    let again = uri.to_uri_string();
    assert!(
        again.bytes().all(|b| b.is_ascii_graphic()),
        "re-emitted URI is not printable ASCII: {:?}",
        *again
    );
    let back = match OtpauthUri::parse(&again) {
        Ok(back) => back,
        Err(error) => panic!("re-emitted URI {:?} does not parse: {error}", *again),
    };
    assert_eq!(
        back.issuer(),
        uri.issuer(),
        "issuer; re-emitted as {:?}",
        *again
    );
    assert_eq!(
        back.account(),
        uri.account(),
        "account; re-emitted as {:?}",
        *again
    );
    assert_eq!(
        back.secret().expose_bytes(),
        uri.secret().expose_bytes(),
        "secret bytes"
    );
    assert_eq!(back.digits(), uri.digits(), "digits");
    assert_eq!(back.period(), uri.period(), "period");
});
