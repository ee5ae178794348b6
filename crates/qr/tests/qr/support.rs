//! Decoders and fixtures shared by the tests.

use shikaku_qr::{QUIET_ZONE, QrCode};

/// A realistic otpauth URI (20-byte key, as shikaku-totp issues).
pub(crate) const URI: &str = "otpauth://totp/Shikaku:user01?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Shikaku&algorithm=SHA1&digits=6&period=30";

/// Percent-encodes everything but RFC 3986 unreserved characters (as otpauth labels are).
pub(crate) fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// An otpauth URI whose issuer is Japanese, percent-encoded.
pub(crate) fn japanese_uri() -> String {
    let issuer = percent_encode("資格確認限定型レセコン連携機能");
    format!(
        "otpauth://totp/{issuer}:{account}?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer={issuer}",
        account = percent_encode("user01"),
    )
}

/// Decodes a PNG (any bit depth) to 8-bit luma: (width, height, pixels row-major).
pub(crate) fn png_to_luma(png_bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let (w, h) = (info.width as usize, info.height as usize);
    let luma = (0..h)
        .flat_map(|y| buf[y * info.line_size..y * info.line_size + w].to_vec())
        .collect();
    (w, h, luma)
}

/// Every QR code rqrr finds in the luma image: (ecc level format bits, content).
pub(crate) fn rqrr_decode_luma(w: usize, h: usize, luma: &[u8]) -> Vec<(u16, String)> {
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| luma[y * w + x]);
    img.detect_grids()
        .into_iter()
        .map(|grid| {
            let (meta, content) = grid.decode().expect("rqrr decode");
            (meta.ecc_level, content)
        })
        .collect()
}

/// Decodes a PNG with rqrr, expecting exactly one QR code.
pub(crate) fn rqrr_decode_png(png_bytes: &[u8]) -> String {
    let (w, h, luma) = png_to_luma(png_bytes);
    let mut found = rqrr_decode_luma(w, h, &luma);
    assert_eq!(found.len(), 1, "expected exactly one QR code");
    let (ecc_level, content) = found.remove(0);
    // Format-information bits: L = 1, M = 0, Q = 3, H = 2.
    assert_eq!(ecc_level, 0, "error correction level must be M");
    content
}

/// Decodes a module matrix (true = dark, quiet zone included) with rqrr by drawing it
/// at 4 px per module.
pub(crate) fn rqrr_decode_matrix(matrix: &[Vec<bool>]) -> String {
    const PX: usize = 4;
    let size = matrix.len();
    let mut img = rqrr::PreparedImage::prepare_from_bitmap(size * PX, size * PX, |x, y| {
        matrix[y / PX][x / PX]
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "expected exactly one QR code");
    grids[0].decode().expect("rqrr decode").1
}

/// The modules a rendering must show: `true` = dark, quiet zone included.
pub(crate) fn expected_matrix(qr: &QrCode) -> Vec<Vec<bool>> {
    let size = qr.width_with_quiet_zone();
    (0..size)
        .map(|y| {
            (0..size)
                .map(|x| {
                    x >= QUIET_ZONE && y >= QUIET_ZONE && qr.is_dark(x - QUIET_ZONE, y - QUIET_ZONE)
                })
                .collect()
        })
        .collect()
}

/// Reads an SVG made by `QrCode::to_svg` back into a module matrix, checking its
/// structure on the way: XML root `svg` in the SVG namespace, a square viewBox, a white
/// background rect covering it, and one black path of `M x y h n v 1 h -n z` runs.
pub(crate) fn svg_to_matrix(svg: &str) -> Vec<Vec<bool>> {
    let doc = roxmltree::Document::parse(svg).expect("SVG must be well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let view_box: Vec<usize> = root
        .attribute("viewBox")
        .expect("viewBox")
        .split(' ')
        .map(|n| n.parse().expect("integer viewBox"))
        .collect();
    assert_eq!(view_box[..2], [0, 0]);
    assert_eq!(view_box[2], view_box[3], "square");
    let size = view_box[2];

    let children: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    assert_eq!(children.len(), 2, "background rect + one path");
    let rect = children[0];
    assert_eq!(rect.tag_name().name(), "rect");
    assert_eq!(rect.attribute("fill"), Some("#fff"));
    assert_eq!(rect.attribute("width"), Some(size.to_string().as_str()));
    assert_eq!(rect.attribute("height"), Some(size.to_string().as_str()));
    assert_eq!(rect.attribute("x").unwrap_or("0"), "0");
    let path = children[1];
    assert_eq!(path.tag_name().name(), "path");
    assert_eq!(path.attribute("fill"), Some("#000"));

    let mut matrix = vec![vec![false; size]; size];
    let d = path.attribute("d").expect("d");
    for segment in d.split('M').filter(|s| !s.is_empty()) {
        // "x yhNv1h-Nz"
        let (xy, rest) = segment.split_once('h').expect("h");
        let (x, y) = xy.split_once(' ').expect("x y");
        let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
        let (n, rest) = rest.split_once("v1h-").expect("v1h-");
        let n: usize = n.parse().unwrap();
        assert_eq!(rest, format!("{n}z"), "closed run of width {n}");
        for cell in &mut matrix[y][x..x + n] {
            assert!(!*cell, "runs must not overlap");
            *cell = true;
        }
    }
    matrix
}
