//! QR codes and the printable enrollment sheet for shikaku's Authenticator enrollment.
//!
//! The manual's enrollment screen ([Authenticator 登録]) shows an otpauth URI as a
//! 二次元バーコード (QR code) next to the setup key, and offers
//! [二次元バーコードの印刷 (任意)]: a printout kept so that the code can be scanned again
//! when the device holding the Authenticator app is lost or broken. This crate renders
//! both:
//!
//! * [`QrCode`] encodes any text (in practice an `otpauth://totp/...` URI) at error
//!   correction level **M** and renders it with a **4-module quiet zone** as
//!   - SVG ([`QrCode::to_svg`]) for the enrollment page and the printed sheet,
//!   - PNG ([`QrCode::to_png`]) for downloads and print pipelines,
//!   - terminal text ([`QrCode::to_terminal`]) for the `shikaku` CLI.
//! * [`EnrollmentSheet`] renders a self-contained, printable A4 HTML page: the QR code as
//!   inline SVG, the setup key in display form (groups of 4) and copy form, login ID,
//!   institution code, date issued, the manual's warnings and a clear 取扱注意
//!   (confidential) marking — the sheet is a second factor.
//!
//! # Design
//!
//! * **Sans-IO.** No files, clocks or randomness: the issue date is a parameter and every
//!   renderer returns bytes or a string. Encoding uses the [`qrcode`] crate (encoder only);
//!   rendering is done here, from the module matrix, so every output format shows exactly
//!   the same modules and the quiet zone is always present.
//! * **Render once per enrollment, not per request.** Encoding a typical otpauth URI costs
//!   about a millisecond (Reed–Solomon plus trying all eight masks); rendering is cheaper.
//!   Keep the rendered SVG/PNG with the pending enrollment rather than re-encoding on every
//!   page view. Figures are in `docs/performance.md` (section `shikaku-qr`).
//! * **The modules are secret.** A QR code of an otpauth URI *is* the TOTP key. [`QrCode`]
//!   keeps its module matrix in a zeroizing buffer and its `Debug` shows only the version.
//!   The strings and bytes the renderers return are the caller's to protect (the encoder's
//!   own intermediate buffers are not wiped; that is outside this crate's control).
//! * **Terminal output works on dark and light themes.** [`QrCode::to_terminal`] draws with
//!   Unicode half blocks (`▀`, `▄`, `█`; two module rows per line, so modules stay square)
//!   and *forces* black-on-white with ANSI colours from the fixed part of the 256-colour
//!   palette (16 = `#000000`, 231 = `#ffffff`), which themes do not remap. Where escape
//!   codes are not wanted, [`QrCode::to_terminal_with`] offers two plain styles, one for
//!   each background; see [`TerminalStyle`].
//! * **The sheet is inert HTML.** No scripts (the web server's CSP forbids them), no
//!   external resources (fonts are local font names only), no `style` attributes (so a
//!   hash-based `style-src` can allow the one `<style>` element, [`SHEET_CSS`]), and every
//!   interpolated value is HTML-escaped. [`EnrollmentSheet::render_html`] also refuses a
//!   sheet whose printed setup key would not match the key inside the QR code.
//!
//! # Example
//!
//! ```
//! use shikaku_qr::{EnrollmentSheet, QrCode};
//!
//! let uri = "otpauth://totp/Shikaku:user01?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Shikaku";
//!
//! // For the enrollment page and the CLI.
//! let qr = QrCode::new(uri)?;
//! let svg = qr.to_svg();
//! assert!(svg.starts_with("<svg"));
//! let png = qr.to_png(8)?;
//! assert_eq!(&png[1..4], b"PNG");
//! let text = qr.to_terminal();
//! assert!(text.contains('▀') || text.contains('▄') || text.contains('█'));
//!
//! // The optional printout (the web adapter serves it in a new window for printing).
//! let sheet = EnrollmentSheet {
//!     issuer: "Shikaku",
//!     institution_code: "1234567890",
//!     login_id: "user01",
//!     setup_key_display: "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP",
//!     setup_key_copy: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
//!     otpauth_uri: uri,
//!     issued_on: time::macros::date!(2026 - 04 - 01),
//! };
//! let html = sheet.render_html()?;
//! assert!(html.contains("取扱注意"));
//! assert!(html.contains("2026年4月1日"));
//! assert!(!html.contains("<script"));
//! # Ok::<(), shikaku_qr::Error>(())
//! ```
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod code;
mod error;
mod sheet;

pub use code::{QUIET_ZONE, QrCode, TerminalStyle};
pub use error::Error;
pub use sheet::{EnrollmentSheet, SHEET_CSS};
