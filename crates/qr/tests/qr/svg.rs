//! SVG rendering: well-formed XML with exactly the code's modules.

use shikaku_qr::QrCode;

use crate::support::{URI, expected_matrix, japanese_uri, rqrr_decode_matrix, svg_to_matrix};

#[test]
fn svg_parses_as_xml_and_shows_exactly_the_modules() {
    let qr = QrCode::new(URI).unwrap();
    let svg = qr.to_svg();
    let matrix = svg_to_matrix(&svg);
    assert_eq!(matrix.len(), qr.width() + 2 * 4, "4-module quiet zone");
    assert_eq!(matrix, expected_matrix(&qr));
    assert_eq!(rqrr_decode_matrix(&matrix), URI);
}

#[test]
fn svg_is_inlineable() {
    let svg = QrCode::new(URI).unwrap().to_svg();
    // No XML declaration or doctype (invalid inside HTML); nothing external.
    assert!(svg.starts_with("<svg "), "{}", &svg[..40]);
    assert!(svg.ends_with("</svg>"));
    assert!(!svg.contains("<?xml") && !svg.contains("<!DOCTYPE"));
    assert!(!svg.contains("href") && !svg.contains("<script") && !svg.contains("style="));
    assert!(svg.contains(r#"shape-rendering="crispEdges""#));
}

#[test]
fn japanese_issuer_survives_svg() {
    let uri = japanese_uri();
    let qr = QrCode::new(&uri).unwrap();
    assert_eq!(rqrr_decode_matrix(&svg_to_matrix(&qr.to_svg())), uri);
}
