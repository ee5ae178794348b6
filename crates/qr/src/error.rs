//! The crate's single error type.

use std::fmt;

/// Everything that can go wrong while encoding or rendering.
///
/// Messages never contain the encoded data: it is usually an otpauth URI, i.e. a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The data does not fit in the largest QR code (version 40) at error correction
    /// level M: at most 2331 bytes, fewer for text the encoder cannot compact.
    DataTooLong {
        /// Length of the rejected data in bytes.
        len: usize,
    },
    /// The QR encoder failed for a reason other than the data's length.
    Encoding,
    /// `to_png` was asked for a module size outside
    /// [`QrCode::MIN_MODULE_PX`](crate::QrCode::MIN_MODULE_PX)..=[`QrCode::MAX_MODULE_PX`](crate::QrCode::MAX_MODULE_PX).
    InvalidModuleSize {
        /// The rejected module size in pixels.
        module_px: u32,
    },
    /// The PNG encoder failed.
    PngEncoding,
    /// The enrollment sheet's URI is not an `otpauth://` URI.
    NotOtpauthUri,
    /// The enrollment sheet's copy-form setup key is empty or contains a character other
    /// than the base32 alphabet (`A`–`Z`, `2`–`7`, trailing `=` padding).
    InvalidSetupKey {
        /// Zero-based character position of the first offending character (0 if empty).
        position: usize,
    },
    /// The enrollment sheet's display form, copy form and the `secret` in its otpauth URI
    /// do not all denote the same key, so the printout would contradict its QR code.
    SetupKeyMismatch,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DataTooLong { len } => write!(
                f,
                "{len} bytes of data do not fit in a QR code at error correction level M"
            ),
            Self::Encoding => f.write_str("the QR code could not be encoded"),
            Self::InvalidModuleSize { module_px } => write!(
                f,
                "PNG module size must be {}..={} pixels, got {module_px}",
                crate::QrCode::MIN_MODULE_PX,
                crate::QrCode::MAX_MODULE_PX
            ),
            Self::PngEncoding => f.write_str("the QR code could not be encoded as PNG"),
            Self::NotOtpauthUri => f.write_str("the enrollment sheet's URI is not an otpauth URI"),
            Self::InvalidSetupKey { position } => write!(
                f,
                "the setup key (copy form) is empty or has a non-base32 character at position {position}"
            ),
            Self::SetupKeyMismatch => f.write_str(
                "the setup key's display form, copy form and the otpauth URI's secret differ",
            ),
        }
    }
}

impl std::error::Error for Error {}
