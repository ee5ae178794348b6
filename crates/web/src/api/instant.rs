//! Instants on the wire: RFC 3339 in UTC, whole seconds.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// RFC 3339 in UTC, whole seconds, rounded down (when something happened, or the
/// latest instant a session is known to be valid).
pub(crate) fn rfc3339_floor(at: OffsetDateTime) -> String {
    rfc3339(at.replace_nanosecond(0).unwrap_or(at))
}

/// RFC 3339 in UTC, whole seconds, rounded up (when a lock lifts: waiting until the
/// time given is always enough).
pub(crate) fn rfc3339_ceil(at: OffsetDateTime) -> String {
    if at.nanosecond() == 0 {
        return rfc3339(at);
    }
    let floor = at.replace_nanosecond(0).unwrap_or(at);
    rfc3339(floor.saturating_add(time::Duration::SECOND))
}

fn rfc3339(at: OffsetDateTime) -> String {
    let utc = at.to_offset(time::UtcOffset::UTC);
    utc.format(&Rfc3339).unwrap_or_else(|error| {
        // Only years outside 0000..=9999 cannot be written; no clock gets there.
        tracing::error!(%error, "instant outside RFC 3339");
        "9999-12-31T23:59:59Z".to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn instants_are_whole_utc_seconds() {
        let at = datetime!(2026-04-01 09:30:15.25 +09:00);
        assert_eq!(rfc3339_floor(at), "2026-04-01T00:30:15Z");
        assert_eq!(rfc3339_ceil(at), "2026-04-01T00:30:16Z");
        let whole = datetime!(2026-04-01 00:30:00 UTC);
        assert_eq!(rfc3339_ceil(whole), "2026-04-01T00:30:00Z");
        assert_eq!(rfc3339_floor(whole), "2026-04-01T00:30:00Z");
    }
}
