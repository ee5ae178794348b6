//! Housekeeping: what a server runs every few minutes so that the store keeps what the
//! rules need and no more — however long it runs, and however hard a client hammers it.
//!
//! | step | removes | bounded by |
//! |---|---|---|
//! | close ended locks | nothing; writes one `count=N` event per lock period nobody tried again | two events per identifier, credential and lock period (`refusals.rs`) |
//! | [`prune`](Shikaku::prune) | expired login tickets; counters with nothing left to remember (an unknown identifier's included) | — |
//! | ended sessions | sessions whose idle expiry is [`ENDED_SESSIONS_KEPT`] ago (expired, or superseded by a later login) | — |
//! | audit retention | events older than [`Config::audit_retention`](crate::Config::audit_retention) (400 days by default) | [`AUDIT_BATCH`] per transaction |

use time::Duration;

use crate::error::Error;
use crate::store::Store;

use super::Shikaku;

/// How long a session's record outlives its idle expiry, so that its owner's next
/// request still learns why it ended — 30 idle minutes, or a login elsewhere — rather
/// than finding no session: a week covers a weekend away from the browser.
pub const ENDED_SESSIONS_KEPT: Duration = Duration::days(7);

/// How many audit events one transaction removes: a long history goes in short steps,
/// so logins never wait long behind housekeeping for the store's writer.
pub const AUDIT_BATCH: usize = 5_000;

/// What one [`Shikaku::housekeeping`] run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HousekeepingReport {
    /// Summary events written for lock periods that ended without another attempt
    /// (`…_attempt_while_locked`, detail `count=N until …`).
    pub refusal_summaries: usize,
    /// Expired login tickets and forgotten lock counters removed.
    pub tickets_and_counters: usize,
    /// Ended sessions removed.
    pub sessions: usize,
    /// Audit events removed for being older than the retention.
    pub audit_events: usize,
}

impl HousekeepingReport {
    /// Whether the run changed anything.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl<S: Store> Shikaku<S> {
    /// Housekeeping, for a server to run periodically (`shikaku serve` does, every 10
    /// minutes), on every node alike:
    ///
    /// 1. closes the books of locks that ended with refusals nobody reported (no attempt
    ///    came after them): one `…_attempt_while_locked` event with `count=N` each;
    /// 2. [`prune`](Self::prune): expired login tickets, counters with nothing left to
    ///    remember, the timing dummies recomputed;
    /// 3. removes the sessions whose idle expiry lies [`ENDED_SESSIONS_KEPT`] in the past;
    /// 4. removes the audit events older than
    ///    [`Config::audit_retention`](crate::Config::audit_retention),
    ///    [`AUDIT_BATCH`] per transaction.
    ///
    /// The first failure ends the run (the next run starts again from step 1: every
    /// step is idempotent).
    pub fn housekeeping(&self) -> Result<HousekeepingReport, Error> {
        let now = self.clock.now();
        let refusal_summaries = self.close_ended_locks(now)?;
        let tickets_and_counters = self.prune()?;
        let sessions = self.store.prune_sessions(
            &self.config.idle_timeout,
            now.saturating_sub(ENDED_SESSIONS_KEPT),
        )?;
        let cutoff = now.saturating_sub(self.config.audit_retention);
        let mut audit_events = 0;
        loop {
            let removed = self.store.prune_audit(cutoff, AUDIT_BATCH)?;
            audit_events += removed;
            if removed < AUDIT_BATCH {
                break;
            }
        }
        Ok(HousekeepingReport {
            refusal_summaries,
            tickets_and_counters,
            sessions,
            audit_events,
        })
    }
}
