//! Housekeeping through the trait: counters forgotten only when nothing is left to
//! remember, ended sessions removed after the cutoff, old audit events removed a batch
//! at a time with the sequence numbers of the rest untouched.

use std::sync::Arc;

use time::{Duration, OffsetDateTime, UtcOffset};

use super::{INSTITUTIONS, digest, key, new_account, some_history};
use crate::lockout::{IdleTimeout, LockoutPolicy, SessionClock, SessionEpoch};
use crate::testing::START;
use crate::{
    AuditEvent, AuditKind, AuditOrder, AuditQuery, AuditSeq, Channel, LoginTicketRecord,
    SessionRecord, Store, StoredAuditEvent,
};

/// Counters go when they hold nothing an answer could depend on at `now`: never a
/// failure, a lock in force, or an ended lock's refusals still to report; expired
/// tickets go at their expiry instant.
pub fn prune_forgets_only_counters_with_nothing_to_remember<S: Store>(store: Arc<S>) {
    let policy = LockoutPolicy::default();
    let until = START + Duration::minutes(30);
    let account = store
        .insert_account(new_account(
            key(INSTITUTIONS[0], "staff01"),
            &some_history(),
        ))
        .unwrap();
    for (byte, expires_at) in [(1, until), (2, until + Duration::nanoseconds(1))] {
        store
            .insert_ticket(LoginTicketRecord {
                digest: digest(byte),
                account: account.id,
                issued_at: START,
                expires_at,
            })
            .unwrap();
    }
    let lock = |a: &mut crate::Attempts| {
        for _ in 0..3 {
            let _ = a.password.begin_attempt(&policy, START);
        }
    };
    let k = |login: &str| key(INSTITUTIONS[1], login);
    store.update_attempts(&k("empty"), &mut |_| {}).unwrap();
    store
        .update_attempts(&k("failing"), &mut |a| {
            let _ = a.passcode.begin_attempt(&policy, START);
        })
        .unwrap();
    store
        .update_attempts(&k("quiet"), &mut |a| lock(a))
        .unwrap();
    store
        .update_attempts(&k("refused"), &mut |a| {
            lock(a);
            let _ = a
                .password
                .begin_attempt(&policy, START + Duration::minutes(1));
            let _ = a
                .password
                .begin_attempt(&policy, START + Duration::minutes(2));
        })
        .unwrap();
    let left = |store: &S| -> Vec<String> {
        let all = store.all_attempts().unwrap();
        all.into_iter()
            .map(|(k, _)| k.login_id.to_string())
            .collect()
    };
    // What housekeeping closes the books of: the locks, never the failing counter.
    let locked = |store: &S| -> Vec<String> {
        let locked = store.locked_attempts().unwrap();
        locked
            .into_iter()
            .map(|(k, _)| k.login_id.to_string())
            .collect()
    };
    assert_eq!(locked(&store), ["quiet", "refused"]);

    // While the locks hold: the empty row and nothing else.
    assert_eq!(store.prune(until - Duration::nanoseconds(1)).unwrap(), 1);
    assert_eq!(left(&store), ["failing", "quiet", "refused"]);
    // At their end: the expired ticket and the lock that refused nothing; the refusals
    // of the other stay until they are reported.
    assert_eq!(store.prune(until).unwrap(), 2);
    assert!(store.ticket(&digest(1)).unwrap().is_none());
    assert!(store.ticket(&digest(2)).unwrap().is_some());
    assert_eq!(left(&store), ["failing", "refused"]);
    assert_eq!(
        locked(&store),
        ["refused"],
        "ended, its refusals still to report"
    );
    let tally = store.attempts(&k("refused")).unwrap().password.refusals();
    assert_eq!(tally.map(|t| (t.until, t.count)), Some((until, 2)));
    store
        .update_attempts(&k("refused"), &mut |a| {
            let _ = a.password.take_ended(until);
        })
        .unwrap();
    assert_eq!(store.prune(until).unwrap(), 1);
    assert_eq!(left(&store), ["failing"]);
    assert_eq!(
        store.prune(until + Duration::days(400)).unwrap(),
        1,
        "ticket 2"
    );
    assert_eq!(left(&store), ["failing"], "a failure has no expiry");
}

/// Sessions whose idle expiry is at or before the cutoff go — the edge included —
/// whatever the offset their instants were written in; later ones stay untouched.
pub fn prune_sessions_removes_the_sessions_ended_before_the_cutoff<S: Store>(store: Arc<S>) {
    let idle = IdleTimeout::default();
    let jst = UtcOffset::from_hms(9, 0, 0).unwrap();
    let account = store
        .insert_account(new_account(
            key(INSTITUTIONS[0], "staff01"),
            &some_history(),
        ))
        .unwrap();
    let session = |byte: u8, epoch: u64, last_activity: OffsetDateTime| SessionRecord {
        digest: digest(byte),
        account: account.id,
        clock: SessionClock::start(SessionEpoch::from_raw(epoch), last_activity),
        created_at: START,
    };
    let activity = [
        (1, START),
        (
            2,
            (START + Duration::minutes(60) + Duration::nanoseconds(7)).to_offset(jst),
        ),
        (3, START + Duration::minutes(60) + Duration::nanoseconds(8)),
        (4, START + Duration::hours(5)),
    ];
    for (byte, at) in activity {
        store
            .insert_session(session(byte, u64::from(byte), at))
            .unwrap();
    }
    let cutoff = START + Duration::minutes(90) + Duration::nanoseconds(7);
    assert_eq!(store.prune_sessions(&idle, cutoff).unwrap(), 2);
    for (byte, kept) in [(1, false), (2, false), (3, true), (4, true)] {
        let found = store.session(&digest(byte)).unwrap();
        assert_eq!(found.is_some(), kept, "session {byte}");
    }
    assert!(
        store
            .update_session(&digest(1), &mut |_| unreachable!())
            .unwrap()
            .is_none()
    );
    assert_eq!(store.prune_sessions(&idle, cutoff).unwrap(), 0);
    let longer = IdleTimeout::new(Duration::hours(8)).unwrap();
    assert_eq!(store.prune_sessions(&longer, cutoff).unwrap(), 0);
    assert_eq!(
        store
            .prune_sessions(&idle, START + Duration::days(1))
            .unwrap(),
        2
    );
}

/// Old events go a batch at a time, oldest first — by their instant, not by arrival;
/// the events kept keep their sequence numbers, and a new event gets a number above
/// every one ever given.
pub fn prune_audit_removes_old_events_a_batch_at_a_time<S: Store>(store: Arc<S>) {
    // Minutes 0..25 in a scrambled order of arrival, some written in Japan time.
    let event = |i: i64| AuditEvent {
        at: (START + Duration::minutes((i * 7) % 25)).to_offset(if i % 2 == 0 {
            UtcOffset::UTC
        } else {
            UtcOffset::from_hms(9, 0, 0).unwrap()
        }),
        kind: AuditKind::PasswordFailed,
        account: Some(key(INSTITUTIONS[0], "staff01")),
        channel: Channel::Web,
        detail: Some(format!("event {i}")),
    };
    for i in 0..25 {
        store.append_audit(&event(i)).unwrap();
    }
    let all = |store: &S| -> Vec<StoredAuditEvent> {
        store
            .audit_page(&AuditQuery {
                order: AuditOrder::OldestFirst,
                limit: 1000,
                ..AuditQuery::default()
            })
            .unwrap()
    };
    let before = all(&store);
    let cutoff = START + Duration::minutes(10);
    let mut old: Vec<&StoredAuditEvent> = before.iter().filter(|e| e.event.at < cutoff).collect();
    old.sort_by_key(|e| e.event.at);
    let old: Vec<AuditSeq> = old.into_iter().map(|e| e.seq).collect();
    assert_eq!(old.len(), 10);

    assert_eq!(store.prune_audit(cutoff, 0).unwrap(), 0);
    assert_eq!(store.prune_audit(cutoff, 4).unwrap(), 4);
    let after_one = all(&store);
    let mut gone: Vec<AuditSeq> = before
        .iter()
        .map(|e| e.seq)
        .filter(|seq| !after_one.iter().any(|e| e.seq == *seq))
        .collect();
    let mut oldest = old[..4].to_vec();
    gone.sort();
    oldest.sort();
    assert_eq!(
        gone, oldest,
        "the oldest first, whatever their order of arrival"
    );
    assert_eq!(store.prune_audit(cutoff, 4).unwrap(), 4);
    assert_eq!(
        store.prune_audit(cutoff, 4).unwrap(),
        2,
        "fewer: the last batch"
    );
    assert_eq!(store.prune_audit(cutoff, 4).unwrap(), 0);

    let kept: Vec<StoredAuditEvent> = before
        .iter()
        .filter(|e| e.event.at >= cutoff)
        .cloned()
        .collect();
    assert_eq!(all(&store), kept, "the rest, exactly, under their numbers");
    assert_eq!(store.recent_audit(100).unwrap().len(), 15);
    let last = before.iter().map(|e| e.seq).max().unwrap();
    store.append_audit(&event(99)).unwrap();
    let newest = all(&store).last().unwrap().seq;
    assert!(newest > last, "{newest:?} after {last:?}");
}
