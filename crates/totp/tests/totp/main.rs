//! Integration tests for shikaku-totp: RFC 6238 vectors, window and replay
//! behaviour, enrollment, property tests, and interoperability with tools no
//! one here wrote (oathtool, pyotp, totp-rs).

mod enrollment;
mod interop;
mod proptests;
mod rfc6238;
mod support;
mod verification;
