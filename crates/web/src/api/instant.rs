//! Instants on the wire: RFC 3339 in UTC, whole seconds.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// RFC 3339 in UTC, whole seconds, rounded down (when something happened, or the
/// latest instant a session is known to be valid).
pub(crate) fn rfc3339_floor(at: OffsetDateTime) -> String {
    // The facade's lock-end text rounds up; a whole second rounds up to itself.
    shikaku::lock_end_text(at.replace_nanosecond(0).unwrap_or(at))
}

/// An instant as the API writes them, and nothing else: `YYYY-MM-DDTHH:MM:SSZ` (UTC,
/// whole seconds, ASCII digits) that RFC 3339 parses.
pub(crate) fn parse_utc_seconds(text: &str) -> Option<OffsetDateTime> {
    const SHAPE: &[u8; 20] = b"0000-00-00T00:00:00Z";
    let bytes = text.as_bytes();
    let shaped = bytes.len() == SHAPE.len()
        && bytes.iter().zip(SHAPE).all(|(b, s)| match s {
            b'0' => b.is_ascii_digit(),
            other => b == other,
        });
    shaped
        .then(|| OffsetDateTime::parse(text, &Rfc3339).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn instants_are_whole_utc_seconds() {
        let at = datetime!(2026-04-01 09:30:15.25 +09:00);
        assert_eq!(rfc3339_floor(at), "2026-04-01T00:30:15Z");
        let whole = datetime!(2026-04-01 00:30:00 UTC);
        assert_eq!(rfc3339_floor(whole), "2026-04-01T00:30:00Z");
    }

    #[test]
    fn only_utc_whole_seconds_are_parsed() {
        assert_eq!(
            parse_utc_seconds("2026-04-01T00:30:00Z"),
            Some(datetime!(2026-04-01 00:30:00 UTC))
        );
        for bad in [
            "2026-04-01T00:30:00+00:00",
            "2026-04-01T00:30:00.5Z",
            "2026-04-01t00:30:00Z",
            "2026-04-01T00:30:00z",
            "2026-13-01T00:30:00Z",
            "2026-04-01 00:30:00Z",
            "２026-04-01T00:30:00Z",
            "",
        ] {
            assert_eq!(parse_utc_seconds(bad), None, "{bad}");
        }
    }
}
