//! PNG rendering, decoded by rqrr.

use shikaku_qr::{Error, QUIET_ZONE, QrCode};

use crate::support::{URI, japanese_uri, png_to_luma, rqrr_decode_png};

#[test]
fn png_decodes_to_exactly_the_uri() {
    let qr = QrCode::new(URI).unwrap();
    for module_px in [3, 4, 8, 12] {
        let png = qr.to_png(module_px).unwrap();
        assert_eq!(rqrr_decode_png(&png), URI, "module_px = {module_px}");
    }
}

#[test]
fn png_has_the_quiet_zone_and_the_requested_module_size() {
    let qr = QrCode::new(URI).unwrap();
    let px = 5;
    let (w, h, luma) = png_to_luma(&qr.to_png(u32::try_from(px).unwrap()).unwrap());
    // The quiet zone is 4 modules on every side.
    let size = qr.width() + 2 * 4;
    assert_eq!(qr.width_with_quiet_zone(), size);
    assert_eq!((w, h), (size * px, size * px));
    assert!(
        luma.iter().all(|&p| p == 0 || p == 255),
        "pure black and white"
    );

    let border = QUIET_ZONE * px;
    for y in 0..h {
        for x in 0..w {
            let in_quiet_zone = x < border || y < border || x >= w - border || y >= h - border;
            if in_quiet_zone {
                assert_eq!(
                    luma[y * w + x],
                    255,
                    "quiet zone pixel ({x}, {y}) must be white"
                );
            } else {
                // Every pixel shows its module.
                let dark = qr.is_dark(x / px - QUIET_ZONE, y / px - QUIET_ZONE);
                assert_eq!(luma[y * w + x] == 0, dark, "pixel ({x}, {y})");
            }
        }
    }
}

#[test]
fn percent_encoded_japanese_issuer_survives() {
    let uri = japanese_uri();
    assert!(uri.contains("%E8%B3%87%E6%A0%BC"), "{uri}");
    let png = QrCode::new(&uri).unwrap().to_png(6).unwrap();
    assert_eq!(rqrr_decode_png(&png), uri);
}

#[test]
fn raw_utf8_survives_too() {
    let uri = "otpauth://totp/資格確認:user01?secret=JBSWY3DPEHPK3PXP&issuer=資格確認";
    let png = QrCode::new(uri).unwrap().to_png(6).unwrap();
    assert_eq!(rqrr_decode_png(&png), uri);
}

#[test]
fn capacity_limit_is_version_40_at_level_m() {
    let max = "a".repeat(2331);
    let qr = QrCode::new(&max).unwrap();
    assert_eq!(qr.version(), 40);
    assert_eq!(qr.width(), 177);
    assert_eq!(rqrr_decode_png(&qr.to_png(3).unwrap()), max);

    let over = "a".repeat(2332);
    assert_eq!(
        QrCode::new(&over).unwrap_err(),
        Error::DataTooLong { len: 2332 }
    );
}

#[test]
fn typical_uri_stays_small() {
    // A 20-byte key URI fits a small version: large modules on paper and screen.
    let qr = QrCode::new(URI).unwrap();
    assert!(qr.version() <= 8, "version {}", qr.version());
}
