//! Property: any ASCII text round-trips through PNG and rqrr.

use proptest::prelude::*;
use shikaku_qr::QrCode;

use crate::support::rqrr_decode_png;

proptest! {
    // Decoding is slowish (~10 ms per case); 32 cases keep the suite quick.
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn ascii_round_trips_through_png(bytes in proptest::collection::vec(0u8..=127, 0..=300)) {
        let text = String::from_utf8(bytes).unwrap();
        let png = QrCode::new(&text).unwrap().to_png(3).unwrap();
        prop_assert_eq!(rqrr_decode_png(&png), text);
    }
}
