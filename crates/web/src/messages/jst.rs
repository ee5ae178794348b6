//! Instants as people read them: in Japan Standard Time ([`shikaku::JST`], a fixed
//! +09:00 — Japan has no daylight saving time, so no time-zone database is needed),
//! and when a lock lifts, rounded up to the minute.

use shikaku::JST;
use time::{Duration, OffsetDateTime};

use crate::lang::Lang;

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Formats an instant in JST: `2026年11月24日 10:30` / `24 Nov 2026, 10:30 JST`.
#[must_use]
pub fn format_jst(lang: Lang, at: OffsetDateTime) -> String {
    let t = at.to_offset(JST);
    match lang {
        Lang::En => format!(
            "{} {} {}, {:02}:{:02} JST",
            t.day(),
            MONTHS_EN[usize::from(u8::from(t.month())) - 1],
            t.year(),
            t.hour(),
            t.minute()
        ),
        Lang::Ja => format!(
            "{}年{}月{}日 {:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        ),
    }
}

/// When a lock lifts, as shown to people — the one lock-time formatter of the
/// workspace (the screens, the JSON API's `message`, `shikaku user list`).
///
/// Rounded *up* to the minute and shown in JST, so whoever waits until the time
/// shown is never still locked out.
///
/// ```
/// use shikaku_web::{Lang, messages::LockEnd};
/// use time::macros::datetime;
///
/// let end = LockEnd::new(datetime!(2026-04-01 00:30:00.5 UTC));
/// assert_eq!(end.numeric(), "2026-04-01 09:31");
/// assert_eq!(end.in_lang(Lang::Ja), "2026年4月1日 09:31");
/// assert_eq!(end.in_lang(Lang::En), "1 Apr 2026, 09:31 JST");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockEnd(OffsetDateTime);

impl LockEnd {
    /// The lock that lifts at `until`.
    #[must_use]
    pub fn new(until: OffsetDateTime) -> Self {
        let sub_minute = Duration::seconds(i64::from(until.second()))
            + Duration::nanoseconds(i64::from(until.nanosecond()));
        let shown = if sub_minute.is_zero() {
            until
        } else {
            until.saturating_add(Duration::MINUTE - sub_minute)
        };
        Self(shown.to_offset(JST))
    }

    /// The instant shown: a whole minute, in JST.
    #[must_use]
    pub const fn at(self) -> OffsetDateTime {
        self.0
    }

    /// `2026-04-01 09:30` (JST): the JSON API's messages and the command line.
    #[must_use]
    pub fn numeric(self) -> String {
        let t = self.0;
        format!(
            "{}-{:02}-{:02} {:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        )
    }

    /// In a sentence of `lang`, as the screens show it ([`format_jst`]).
    #[must_use]
    pub fn in_lang(self, lang: Lang) -> String {
        format_jst(lang, self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn jst_formatting_uses_fixed_plus_nine() {
        let utc = datetime!(2026-11-24 01:30 UTC);
        assert_eq!(format_jst(Lang::Ja, utc), "2026年11月24日 10:30");
        assert_eq!(format_jst(Lang::En, utc), "24 Nov 2026, 10:30 JST");
        // Crossing midnight and the year boundary in JST.
        let utc = datetime!(2026-12-31 15:05 UTC);
        assert_eq!(format_jst(Lang::Ja, utc), "2027年1月1日 00:05");
        // Any input offset is converted.
        let other = datetime!(2026-03-01 08:00 -05:00);
        assert_eq!(format_jst(Lang::Ja, other), "2026年3月1日 22:00");
    }

    #[test]
    fn lock_time_is_shown_in_jst_rounded_up() {
        let numeric = |at| LockEnd::new(at).numeric();
        assert_eq!(
            numeric(datetime!(2026-04-01 00:30:00 UTC)),
            "2026-04-01 09:30"
        );
        assert_eq!(
            numeric(datetime!(2026-04-01 00:30:00.5 UTC)),
            "2026-04-01 09:31"
        );
        assert_eq!(
            numeric(datetime!(2026-12-31 14:59:59 UTC)),
            "2027-01-01 00:00"
        );
        let end = LockEnd::new(datetime!(2026-11-24 01:30:00.5 UTC));
        assert_eq!(end.in_lang(Lang::Ja), "2026年11月24日 10:31");
        assert_eq!(end.at(), datetime!(2026-11-24 10:31 +09:00));
    }
}
