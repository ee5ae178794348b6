//! `shikaku audit export`: the audit log, oldest first, as text or JSON lines — a page
//! of the store at a time, written out before the next is read, so memory stays
//! constant however long the log is and however long the export runs.

use std::io::{self, BufWriter, Write};

use serde::Serialize;
use shikaku::{AuditEvent, AuditOrder, AuditQuery, AuditSeq, StoredAuditEvent};

use crate::args::ExportArgs;
use crate::backend::Missing;

/// Events per store read.
const PAGE: usize = 500;

/// One JSON line: the event and its sequence number (what `--after-seq` takes).
#[derive(Serialize)]
struct Line<'a> {
    seq: i64,
    #[serde(flatten)]
    event: &'a AuditEvent,
}

pub(crate) fn export(args: &ExportArgs) -> Result<(), String> {
    if let (Some(since), Some(until)) = (args.since, args.until)
        && since >= until
    {
        return Err(format!(
            "--since {since} is not before --until {until}: nothing to export"
        ));
    }
    let service = crate::admin::open(&args.db, Missing::Refuse)?;
    let store = service.store();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut query = AuditQuery {
        since: args.since,
        until: args.until,
        after: args.after_seq.map(AuditSeq),
        order: AuditOrder::OldestFirst,
        limit: PAGE,
        ..AuditQuery::default()
    };
    loop {
        let page = store.audit_page(&query).map_err(|e| e.to_string())?;
        let Some(last) = page.last() else {
            break;
        };
        query.after = Some(last.seq);
        let written = page
            .iter()
            .try_for_each(|e| write_event(&mut out, e, args.json))
            .and_then(|()| out.flush());
        match written {
            Ok(()) => {}
            // The reader has gone (`| head`): that is where the export ends.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            Err(e) => return Err(format!("cannot write the export: {e}")),
        }
        if page.len() < PAGE {
            break;
        }
    }
    Ok(())
}

fn write_event(out: &mut impl Write, stored: &StoredAuditEvent, json: bool) -> io::Result<()> {
    let e = &stored.event;
    if json {
        let line = Line {
            seq: stored.seq.0,
            event: e,
        };
        serde_json::to_writer(&mut *out, &line)?;
        writeln!(out)
    } else {
        writeln!(out, "{:>8}  {}", stored.seq.0, human(e))
    }
}

/// One event for people: the time in JST to the millisecond, the kind, the account, the
/// channel and the detail, in columns (`shikaku audit`, `audit export` without `--json`).
pub(crate) fn human(e: &AuditEvent) -> String {
    const AT: &[time::format_description::BorrowedFormatItem<'_>] = time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:3] JST"
    );
    let at = e.at.to_offset(shikaku::JST);
    format!(
        "{}  {:<30} {:<24} {:?} {}",
        at.format(AT).unwrap_or_else(|_| at.to_string()),
        e.kind.as_str(),
        e.account
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        e.channel,
        e.detail.as_deref().unwrap_or(""),
    )
}

#[cfg(test)]
mod tests {
    use shikaku::{AuditKind, Channel};
    use time::macros::datetime;

    use super::*;

    #[test]
    fn people_read_the_time_in_jst_to_the_millisecond() {
        let event = AuditEvent {
            at: datetime!(2026-11-30 12:58:31.711164746 UTC),
            kind: AuditKind::PasswordLocked,
            account: Some(shikaku::testing::account_key("staff01")),
            channel: Channel::Web,
            detail: Some("until 2026-11-30T13:28:32Z".to_owned()),
        };
        assert_eq!(
            human(&event),
            "2026-11-30 21:58:31.711 JST  password_locked                0123456789/staff01       \
             Web until 2026-11-30T13:28:32Z"
        );
    }
}
