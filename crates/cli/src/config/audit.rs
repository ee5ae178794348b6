//! `[audit]`: how long the audit log is kept.

use serde::Deserialize;
use time::Duration;

/// The longest retention accepted: a hundred years (longer is a typo).
const MAX_RETAIN_DAYS: u32 = 36_500;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuditSection {
    /// Days the audit log is kept; the server's housekeeping removes older events
    /// (default 400: a year of a clinic's records with a month to spare).
    pub(crate) retain_days: Option<u32>,
}

impl AuditSection {
    /// The retention in force: the file's, else `default`.
    pub(crate) fn retention(&self, default: Duration) -> Result<Duration, String> {
        match self.retain_days {
            None => Ok(default),
            Some(days @ 1..=MAX_RETAIN_DAYS) => Ok(Duration::days(i64::from(days))),
            Some(days) => Err(format!(
                "[audit] retain_days = {days}: give 1 to {MAX_RETAIN_DAYS} days (export the \
                 log with `shikaku audit export` to keep it elsewhere for longer)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FileConfig;

    #[test]
    fn retain_days_sets_the_retention_within_bounds() {
        let default = shikaku::DEFAULT_AUDIT_RETENTION;
        let file: FileConfig = toml::from_str("").unwrap();
        assert_eq!(file.audit.retention(default).unwrap(), Duration::days(400));
        let file: FileConfig = toml::from_str("[audit]\nretain_days = 30\n").unwrap();
        assert_eq!(file.audit.retention(default).unwrap(), Duration::days(30));
        let config = shikaku::Config::try_from(&file).unwrap();
        assert_eq!(config.audit_retention, Duration::days(30));
        for bad in ["0", "36501"] {
            let file: FileConfig =
                toml::from_str(&format!("[audit]\nretain_days = {bad}\n")).unwrap();
            let e = file.audit.retention(default).unwrap_err();
            assert!(e.contains("retain_days"), "{e}");
            assert!(shikaku::Config::try_from(&file).is_err());
        }
        for bad in ["-1", "\"400\"", "1.5"] {
            let text = format!("[audit]\nretain_days = {bad}\n");
            assert!(toml::from_str::<FileConfig>(&text).is_err(), "{bad}");
        }
        assert!(toml::from_str::<FileConfig>("[audit]\nkeep = 3\n").is_err());
    }
}
