//! Against shikaku-totp's real otpauth URIs and setup keys: the sheet accepts what the
//! TOTP crate issues, and its QR code reads back to the same secret.

use shikaku_qr::{EnrollmentSheet, QrCode};
use shikaku_totp::{OtpauthUri, Secret};
use time::macros::date;

use crate::support::{rqrr_decode_matrix, rqrr_decode_png, svg_to_matrix};

const ISSUER: &str = "資格確認限定型レセコン連携機能";

#[test]
fn sheet_and_png_carry_the_totp_secret() {
    // 10 to 64 bytes: every secret length shikaku-totp accepts, at the edges and typical.
    for len in [10_usize, 20, 32, 64] {
        let bytes: Vec<u8> = (0..len)
            .map(|i| u8::try_from((i * 37 + 11) % 256).unwrap())
            .collect();
        let secret = Secret::from_bytes(&bytes).unwrap();
        let setup_key = secret.setup_key();
        let uri = OtpauthUri::new(ISSUER, "user01", &secret).to_uri_string();

        let sheet = EnrollmentSheet {
            issuer: ISSUER,
            institution_code: "1312345678",
            login_id: "user01",
            setup_key_display: &setup_key.display_form(),
            setup_key_copy: &setup_key.copy_form(),
            otpauth_uri: &uri,
            issued_on: date!(2026 - 04 - 01),
        };
        let html = sheet.render_html().unwrap();
        let start = html.find("<svg").unwrap();
        let end = html.find("</svg>").unwrap() + "</svg>".len();
        let from_sheet = rqrr_decode_matrix(&svg_to_matrix(&html[start..end]));
        assert_eq!(from_sheet, uri.as_str());

        let from_png = rqrr_decode_png(&QrCode::new(&uri).unwrap().to_png(4).unwrap());
        let parsed = OtpauthUri::parse(&from_png).unwrap();
        assert_eq!(
            parsed.secret().expose_bytes(),
            bytes.as_slice(),
            "{len} bytes"
        );
        assert_eq!(parsed.issuer(), ISSUER);
        assert_eq!(parsed.account(), "user01");
    }
}
