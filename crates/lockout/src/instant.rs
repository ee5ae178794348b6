//! Overflow-safe instant arithmetic and the serialised form of durations.
//!
//! Every instant this crate stores goes through [`normalize`]: it is converted
//! to UTC and clamped to the range RFC 3339 can write (years 0000–9999). So a
//! stored state always serialises, comparisons never depend on the caller's
//! offset, and a far-future or far-past `now` saturates instead of panicking.

use time::macros::datetime;
use time::{Duration, OffsetDateTime, UtcOffset};

use crate::Error;

/// The earliest instant this crate stores.
pub(crate) const MIN: OffsetDateTime = datetime!(0000-01-01 00:00:00 UTC);
/// The latest instant this crate stores.
pub(crate) const MAX: OffsetDateTime = datetime!(9999-12-31 23:59:59.999_999_999 UTC);

/// `t` in UTC, clamped to `MIN..=MAX`.
pub(crate) fn normalize(t: OffsetDateTime) -> OffsetDateTime {
    match t.checked_to_offset(UtcOffset::UTC) {
        Some(utc) => utc.clamp(MIN, MAX),
        // Only a local time within a day of the ends of `time`'s range has no
        // UTC equivalent; which end it is near is told by its year.
        None if t.year() < 0 => MIN,
        None => MAX,
    }
}

/// `normalize(t) + d`, saturating at `MIN`/`MAX` instead of overflowing.
pub(crate) fn after(t: OffsetDateTime, d: Duration) -> OffsetDateTime {
    match normalize(t).checked_add(d) {
        Some(sum) => normalize(sum),
        None if d.is_negative() => MIN,
        None => MAX,
    }
}

/// A positive [`Duration`] as stored: whole seconds plus a nanosecond part
/// (the stored forms leave it out when zero, e.g. `{"duration_secs": 1800}`).
///
/// Not itself (de)serialised: each stored form lists the two fields inline so
/// it can refuse unknown fields (serde cannot combine that with `flatten`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DurationRepr {
    pub(crate) duration_secs: i64,
    pub(crate) duration_nanos: u32,
}

/// For `skip_serializing_if`: leave a zero nanosecond part out.
pub(crate) fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl From<Duration> for DurationRepr {
    fn from(d: Duration) -> Self {
        // Only positive durations are ever stored (the constructors refuse the
        // rest), so the nanosecond part is in 0..1e9 and its sign cast is exact.
        Self {
            duration_secs: d.whole_seconds(),
            duration_nanos: d.subsec_nanoseconds().unsigned_abs(),
        }
    }
}

impl TryFrom<DurationRepr> for Duration {
    type Error = Error;

    fn try_from(r: DurationRepr) -> Result<Self, Error> {
        let nanos = i32::try_from(r.duration_nanos)
            .map_err(|_| Error::NanosecondsOutOfRange(r.duration_nanos))?;
        if nanos >= 1_000_000_000 {
            return Err(Error::NanosecondsOutOfRange(r.duration_nanos));
        }
        // With `nanos` in 0..1e9, `Duration::new` only ever carries towards
        // zero, so it cannot overflow.
        Ok(Duration::new(r.duration_secs, nanos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::PrimitiveDateTime;
    use time::macros::offset;

    #[test]
    fn normalize_converts_to_utc_and_keeps_the_instant() {
        let jst = datetime!(2025-04-01 09:00 +09:00);
        let utc = normalize(jst);
        assert_eq!(utc.offset(), UtcOffset::UTC);
        assert_eq!(utc, jst);
        assert_eq!(utc, datetime!(2025-04-01 00:00 UTC));
    }

    #[test]
    fn normalize_saturates_at_both_ends() {
        let latest = PrimitiveDateTime::MAX.assume_offset(offset!(-23:59:59));
        assert_eq!(normalize(latest), MAX);
        let earliest = PrimitiveDateTime::MIN.assume_offset(offset!(+23:59:59));
        assert_eq!(normalize(earliest), MIN);
        assert_eq!(normalize(PrimitiveDateTime::MAX.assume_utc()), MAX);
        assert_eq!(normalize(datetime!(-0001-06-01 0:00 UTC)), MIN);
    }

    #[test]
    fn after_saturates_instead_of_overflowing() {
        assert_eq!(after(MAX, Duration::minutes(30)), MAX);
        assert_eq!(after(datetime!(9999-12-31 23:50 UTC), Duration::MAX), MAX);
        assert_eq!(after(MIN, Duration::MIN), MIN);
        assert_eq!(
            after(datetime!(2025-04-01 09:00 +09:00), Duration::minutes(30)),
            datetime!(2025-04-01 00:30 UTC)
        );
    }

    #[test]
    fn every_normalized_instant_formats_as_rfc3339() {
        use time::format_description::well_known::Rfc3339;
        for t in [
            MIN,
            MAX,
            normalize(PrimitiveDateTime::MAX.assume_offset(offset!(+00:00:01))),
        ] {
            assert!(t.format(&Rfc3339).is_ok(), "{t} must be writable");
        }
    }

    #[test]
    fn duration_repr_round_trips_and_validates() {
        for d in [
            Duration::minutes(30),
            Duration::new(1, 500_000_000),
            Duration::nanoseconds(1),
        ] {
            let r = DurationRepr::from(d);
            assert_eq!(Duration::try_from(r), Ok(d));
        }
        assert_eq!(
            DurationRepr::from(Duration::minutes(30)),
            DurationRepr {
                duration_secs: 1800,
                duration_nanos: 0
            }
        );
        let bad = DurationRepr {
            duration_secs: 1,
            duration_nanos: 1_000_000_000,
        };
        assert_eq!(
            Duration::try_from(bad),
            Err(Error::NanosecondsOutOfRange(1_000_000_000))
        );
        let huge = DurationRepr {
            duration_secs: 1,
            duration_nanos: u32::MAX,
        };
        assert_eq!(
            Duration::try_from(huge),
            Err(Error::NanosecondsOutOfRange(u32::MAX))
        );
        let edge = DurationRepr {
            duration_secs: i64::MIN,
            duration_nanos: 999_999_999,
        };
        assert!(Duration::try_from(edge).is_ok(), "no overflow on carry");
    }
}
