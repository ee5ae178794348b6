//! The PNG read back by ZBar's `zbarimg`, a decoder independent of rqrr.

use std::process::Command;

use shikaku_qr::QrCode;

use crate::support::{URI, japanese_uri};

/// Runs `zbarimg --raw -q` on the PNG and returns what it decoded.
fn zbarimg(png: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qr.png");
    std::fs::write(&path, png).unwrap();
    let output = match Command::new("zbarimg")
        .arg("--raw")
        .arg("-q")
        .arg(&path)
        .output()
    {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "zbarimg is not installed; this test needs it. Install ZBar's tools: \
             `apt-get update && apt-get install -y zbar-tools` (Debian/Ubuntu), \
             `brew install zbar` (macOS)"
        ),
        Err(e) => panic!("could not run zbarimg: {e}"),
    };
    assert!(
        output.status.success(),
        "zbarimg failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let mut text = String::from_utf8(output.stdout).expect("zbarimg printed UTF-8");
    // `--raw` prints each symbol's data followed by a newline.
    assert_eq!(text.pop(), Some('\n'));
    text
}

#[test]
fn zbarimg_reads_exactly_the_uri() {
    let qr = QrCode::new(URI).unwrap();
    for module_px in [4, 8] {
        assert_eq!(zbarimg(&qr.to_png(module_px).unwrap()), URI);
    }
}

#[test]
fn zbarimg_reads_the_percent_encoded_japanese_issuer() {
    let uri = japanese_uri();
    assert_eq!(zbarimg(&QrCode::new(&uri).unwrap().to_png(6).unwrap()), uri);
}
