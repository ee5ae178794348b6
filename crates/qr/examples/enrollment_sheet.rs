//! Prints a sample enrollment sheet (fixed demo key, never a real one) to stdout, for
//! checking the layout in a browser or with headless Chromium:
//!
//! ```text
//! cargo run -p shikaku-qr --example enrollment_sheet > /tmp/sheet.html
//! chromium --headless --no-sandbox --disable-gpu --screenshot=/tmp/sheet.png \
//!     --window-size=900,1270 file:///tmp/sheet.html
//! ```

use shikaku_qr::{EnrollmentSheet, QrCode};

fn main() -> Result<(), shikaku_qr::Error> {
    let uri = "otpauth://totp/%E8%B3%87%E6%A0%BC%E7%A2%BA%E8%AA%8D:user01?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=%E8%B3%87%E6%A0%BC%E7%A2%BA%E8%AA%8D";
    let sheet = EnrollmentSheet {
        issuer: "資格確認限定型レセコン連携機能",
        institution_code: "1312345678",
        login_id: "user01",
        setup_key_display: "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP",
        setup_key_copy: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        otpauth_uri: uri,
        issued_on: time::macros::date!(2026 - 04 - 01),
    };
    print!("{}", sheet.render_html()?);
    if std::env::args().any(|a| a == "--terminal") {
        eprint!("{}", QrCode::new(uri)?.to_terminal());
    }
    Ok(())
}
