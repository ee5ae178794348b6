//! `shikaku audit export` and `shikaku backup`: getting the audit log and the database
//! out of a running installation.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::DbArg;

/// `shikaku audit …` beyond the listing of recent events.
#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Stream audit events oldest first, for a SIEM: every event in [--since, --until),
    /// a page at a time (constant memory however long the log), while the server runs.
    Export(ExportArgs),
    /// Print how the audit log records an identifier: itself when an account has it,
    /// else its fingerprint (`unknown-…`), to find the events of an identifier that
    /// names no account.
    Identifier(super::AccountArgs),
}

/// Options of `shikaku audit export`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    #[command(flatten)]
    pub(crate) db: DbArg,
    /// Only events at or after this instant (RFC 3339, e.g. 2026-04-01T00:00:00+09:00)
    /// [default: the oldest kept].
    #[arg(long, value_name = "RFC3339", value_parser = rfc3339)]
    pub(crate) since: Option<OffsetDateTime>,
    /// Only events before this instant (RFC 3339, exclusive) [default: no end].
    #[arg(long, value_name = "RFC3339", value_parser = rfc3339)]
    pub(crate) until: Option<OffsetDateTime>,
    /// Only events after this sequence number (the `seq` of the last line of the previous
    /// export), to carry on where it ended.
    #[arg(long, value_name = "SEQ")]
    pub(crate) after_seq: Option<i64>,
    /// JSON lines: one object per event, with its sequence number (`seq`), `at` (RFC
    /// 3339, UTC), `kind`, `account`, `channel` and `detail`.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Options of `shikaku backup`.
#[derive(Debug, Args)]
pub(crate) struct BackupArgs {
    #[command(flatten)]
    pub(crate) db: DbArg,
    /// The copy to write: a new file (an existing one is never replaced), mode 0600.
    #[arg(long, value_name = "FILE")]
    pub(crate) to: PathBuf,
}

fn rfc3339(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| format!("not an RFC 3339 instant such as 2026-04-01T09:00:00+09:00: {e}"))
}
