//! Shared helpers.

use shikaku_totp::{Passcode, Secret, Verifier};
use time::OffsetDateTime;

/// The RFC 6238 SHA-1 seed.
pub(crate) fn rfc_secret() -> Secret {
    Secret::from_bytes(b"12345678901234567890").expect("20 bytes")
}

/// The instant `unix` seconds after the epoch.
pub(crate) fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).expect("representable time")
}

/// The instant `seconds` into RFC 6238 time step `step`.
pub(crate) fn in_step(step: u64, seconds: u64) -> OffsetDateTime {
    assert!(seconds < 30);
    at(i64::try_from(step * 30 + seconds).expect("fits"))
}

/// The code of `step`, as an Authenticator would show it at that step.
pub(crate) fn code_of_step(secret: &Secret, step: u64) -> Passcode {
    Verifier::default().generate(secret, in_step(step, 0))
}

/// Path of a file under tests/data.
pub(crate) fn data_file(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}
