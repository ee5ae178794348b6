//! [`Rules`]: the numbers the screens quote (lock threshold and duration, idle
//! timeout, password length, history), taken from the facade's configuration, and the
//! one way a message gets them: named placeholders filled by [`Rules::fill`].
//!
//! No string in `ja.rs` / `en.rs` writes 「3 回」「30 分」「8文字」 itself: a server
//! configured with other numbers must never show the manual's.

use std::fmt::Write as _;

use shikaku::Config;
use time::Duration;

use crate::lang::Lang;

/// The configured numbers, as the screens quote them.
///
/// [`Default`] is the manual's (`Config::default()`); a server shows
/// [`Rules::from_config`] of its own configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rules {
    /// Consecutive wrong passwords that lock (manual: 3).
    pub password_tries: u32,
    /// How long a password lock lasts (manual: 30 minutes).
    pub password_lock: Duration,
    /// Consecutive wrong passcodes that lock (manual: 3).
    pub passcode_tries: u32,
    /// How long a passcode lock lasts (manual: 30 minutes).
    pub passcode_lock: Duration,
    /// Inactivity that ends a session (manual: 30 minutes).
    pub idle: Duration,
    /// Shortest password (manual: 8).
    pub min_length: usize,
    /// Longest password (manual: 20).
    pub max_length: usize,
    /// Generations the history rules look at (manual: 5).
    pub history_depth: usize,
    /// The history rules apply below this many characters (manual: 13).
    pub history_below: usize,
    /// Leading characters that make two passwords similar (manual: 5).
    pub prefix_length: usize,
    /// The special characters a password may use.
    pub specials: String,
}

impl Default for Rules {
    fn default() -> Self {
        Self::manual().clone()
    }
}

/// The placeholders [`Rules::fill`] knows, each with what it stands for.
pub const PLACEHOLDERS: [&str; 10] = [
    "{password_tries}",
    "{password_lock}",
    "{passcode_tries}",
    "{passcode_lock}",
    "{idle}",
    "{min}",
    "{max}",
    "{depth}",
    "{below}",
    "{prefix}",
];

impl Rules {
    /// The manual's numbers (`Config::default()`), built once.
    #[must_use]
    pub fn manual() -> &'static Rules {
        static MANUAL: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
        MANUAL.get_or_init(|| Self::from_config(&Config::default()))
    }

    /// The numbers of a facade configuration.
    #[must_use]
    pub fn from_config(config: &Config) -> Self {
        let policy = &config.password_policy;
        Rules {
            password_tries: config.password_lockout.threshold(),
            password_lock: config.password_lockout.duration(),
            passcode_tries: config.passcode_lockout.threshold(),
            passcode_lock: config.passcode_lockout.duration(),
            idle: config.idle_timeout.duration(),
            min_length: policy.min_length(),
            max_length: policy.max_length(),
            history_depth: policy.history_depth(),
            history_below: policy.history_applies_below(),
            prefix_length: policy.prefix_length(),
            specials: policy.specials().to_owned(),
        }
    }

    /// `text` with every named placeholder ([`PLACEHOLDERS`]) replaced by its
    /// configured value, durations worded in `lang` (「30 分」, 「5 秒」, "30 minutes").
    /// Positional `{}` placeholders are left for the caller.
    ///
    /// ```
    /// use shikaku_web::{Lang, messages::Rules};
    /// let rules = Rules::default();
    /// assert_eq!(
    ///     rules.fill(Lang::Ja, "{password_tries} 回、{password_lock}間"),
    ///     "3 回、30 分間"
    /// );
    /// ```
    #[must_use]
    pub fn fill(&self, lang: Lang, text: &str) -> String {
        if !text.contains('{') {
            return text.to_owned();
        }
        let values: [(&str, String); 10] = [
            ("{password_tries}", self.password_tries.to_string()),
            ("{password_lock}", duration_text(lang, self.password_lock)),
            ("{passcode_tries}", self.passcode_tries.to_string()),
            ("{passcode_lock}", duration_text(lang, self.passcode_lock)),
            ("{idle}", duration_text(lang, self.idle)),
            ("{min}", self.min_length.to_string()),
            ("{max}", self.max_length.to_string()),
            ("{depth}", self.history_depth.to_string()),
            ("{below}", self.history_below.to_string()),
            ("{prefix}", self.prefix_length.to_string()),
        ];
        let mut out = text.to_owned();
        for (name, value) in &values {
            if out.contains(name) {
                out = out.replace(name, value);
            }
        }
        out
    }
}

/// A duration as the screens say it: whole minutes as minutes (「30 分」, "30 minutes"),
/// anything shorter or uneven with its seconds (「5 秒」, 「1 分 30 秒」, "1 minute 30
/// seconds"). Rounded up to the second; never 「0 秒」.
#[must_use]
pub fn duration_text(lang: Lang, duration: Duration) -> String {
    let mut seconds = duration.whole_seconds();
    if duration.subsec_nanoseconds() > 0 {
        seconds += 1;
    }
    let seconds = seconds.max(1);
    let (minutes, rest) = (seconds / 60, seconds % 60);
    let mut out = String::new();
    match lang {
        Lang::Ja => {
            if minutes > 0 {
                let _ = write!(out, "{minutes} 分");
            }
            if rest > 0 {
                if !out.is_empty() {
                    out.push(' ');
                }
                let _ = write!(out, "{rest} 秒");
            }
        }
        Lang::En => {
            let plural = |n: i64| if n == 1 { "" } else { "s" };
            if minutes > 0 {
                let _ = write!(out, "{minutes} minute{}", plural(minutes));
            }
            if rest > 0 {
                if !out.is_empty() {
                    out.push(' ');
                }
                let _ = write!(out, "{rest} second{}", plural(rest));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_worded_in_minutes_and_seconds() {
        for (d, ja, en) in [
            (Duration::minutes(30), "30 分", "30 minutes"),
            (Duration::minutes(1), "1 分", "1 minute"),
            (Duration::seconds(5), "5 秒", "5 seconds"),
            (Duration::seconds(1), "1 秒", "1 second"),
            (Duration::seconds(90), "1 分 30 秒", "1 minute 30 seconds"),
            (Duration::minutes(120), "120 分", "120 minutes"),
            (Duration::milliseconds(1500), "2 秒", "2 seconds"),
            (Duration::milliseconds(10), "1 秒", "1 second"),
        ] {
            assert_eq!(duration_text(Lang::Ja, d), ja);
            assert_eq!(duration_text(Lang::En, d), en);
        }
    }

    #[test]
    fn the_default_is_the_manual() {
        let r = Rules::default();
        assert_eq!(
            (r.password_tries, r.passcode_tries),
            (3, 3),
            "3 consecutive wrong"
        );
        assert_eq!(
            (r.password_lock, r.passcode_lock, r.idle),
            (
                Duration::minutes(30),
                Duration::minutes(30),
                Duration::minutes(30)
            )
        );
        assert_eq!(
            (
                r.min_length,
                r.max_length,
                r.history_depth,
                r.history_below,
                r.prefix_length
            ),
            (8, 20, 5, 13, 5)
        );
        assert_eq!(r.specials, super::super::PASSWORD_SPECIALS);
    }

    #[test]
    fn every_placeholder_is_filled_and_positional_ones_are_kept() {
        let r = Rules::default();
        let all = PLACEHOLDERS.concat();
        let filled = r.fill(Lang::Ja, &format!("{all} {{}}"));
        assert!(!filled.contains("{password") && !filled.contains("{idle"));
        assert!(filled.ends_with(" {}"), "{filled}");
        assert_eq!(r.fill(Lang::En, "no numbers"), "no numbers");
    }
}
