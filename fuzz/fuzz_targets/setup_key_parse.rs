//! `SetupKey::parse` on arbitrary UTF-8.
//!
//! Properties:
//! * it never panics, and its error's `Display` never panics;
//! * an accepted key is a secret of `MIN_SECRET_LEN..=MAX_SECRET_LEN` bytes;
//! * both forms shown to the staff member (`copy_form`, what
//!   《テキストでコピー》 copies, and `display_form`, the printed groups of
//!   four) use only the base32 alphabet (plus single spaces between groups)
//!   and parse back to the same secret bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shikaku_totp::{MAX_SECRET_LEN, MIN_SECRET_LEN, SetupKey};

fn is_base32_symbol(c: char) -> bool {
    c.is_ascii_uppercase() || ('2'..='7').contains(&c)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let secret = match SetupKey::parse(text) {
        Ok(secret) => secret,
        Err(error) => {
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    let bytes = secret.expose_bytes();
    assert!(
        (MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&bytes.len()),
        "accepted a {}-byte secret",
        bytes.len()
    );

    let key = secret.setup_key();
    let copy = key.copy_form();
    assert!(copy.chars().all(is_base32_symbol), "copy form {:?}", *copy);
    assert_eq!(
        copy.len(),
        (bytes.len() * 8).div_ceil(5),
        "no padding, no slack"
    );
    let from_copy = SetupKey::parse(&copy).expect("the copy form parses");
    assert_eq!(from_copy.expose_bytes(), bytes, "copy form round trip");

    let display = key.display_form();
    assert!(
        display
            .split(' ')
            .all(|group| (1..=4).contains(&group.len()) && group.chars().all(is_base32_symbol)),
        "display form {:?}",
        *display
    );
    assert_eq!(display.replace(' ', ""), *copy);
    let from_display = SetupKey::parse(&display).expect("the display form parses");
    assert_eq!(
        from_display.expose_bytes(),
        bytes,
        "display form round trip"
    );
});
