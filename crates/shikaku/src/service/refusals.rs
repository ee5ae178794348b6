//! Attempts a lock refuses: counted in the lock's stored tally (one atomic update with
//! the attempt), recorded as the lock period's first refusal and, when the period is
//! over, as one summary with the count — never one event per refused request, so a
//! client hammering a locked identifier cannot grow the audit log faster than two
//! events per identifier, credential and lock period.
//!
//! | when | event (kind `…_attempt_while_locked`) |
//! |---|---|
//! | the period's first refusal | detail `until <end of the lock>` |
//! | the period is over, more than one refusal | detail `count=<N> until <end>` (N counts the first too) |
//!
//! A period is over when the next attempt finds the lock ended ([`Shikaku::reserve`]),
//! when a success lifts it (the password and passcode steps), or when the server's
//! housekeeping finds it ended ([`Shikaku::close_ended_locks`]).

use time::OffsetDateTime;

use crate::audit::{Channel, count_detail, until_detail};
use crate::error::Error;
use crate::ids::AccountKey;
use crate::lockout::{Lockout, Refusals};
use crate::store::Store;

use super::Shikaku;
use super::guards::Factor;

impl<S: Store> Shikaku<S> {
    /// A request refused on `factor`'s lock without an attempt of it (a right password
    /// while the passcode is locked): counted in the lock's tally, recorded when it is the
    /// lock period's first refusal.
    pub(super) fn refused_on_lock(
        &self,
        key: &AccountKey,
        factor: Factor,
        channel: Channel,
    ) -> Result<(), Error> {
        let now = self.clock.now();
        let mut tally = None;
        self.store.update_attempts(key, &mut |a| {
            tally = factor.of(a).note_refusal(now);
        })?;
        if let Some(Refusals { until, count: 1 }) = tally {
            let detail = Some(until_detail(until));
            self.emit(factor.while_locked(), Some(key), channel, detail);
        }
        Ok(())
    }

    /// The refusals of a lock period that is over (ended, or lifted by a success): one
    /// summary event with the count, when more than the first refusal (already recorded)
    /// was turned away.
    pub(super) fn report_refusals(
        &self,
        factor: Factor,
        key: &AccountKey,
        channel: Channel,
        tally: Refusals,
    ) {
        if tally.count > 1 {
            let detail = Some(count_detail(tally.count, tally.until));
            let recorded = self.recorded_after_lookup(key);
            self.emit(factor.while_locked(), Some(&recorded), channel, detail);
        }
    }

    /// Closes the books of every lock that is over at `now` and still holds refusals
    /// nobody reported (no attempt came after it): the tallies are taken out of the
    /// counters (so a prune can forget them) and summarised as above, on the
    /// [`Channel::Admin`] channel (the server's own housekeeping). Returns how many
    /// summary events were written.
    pub(super) fn close_ended_locks(&self, now: OffsetDateTime) -> Result<usize, Error> {
        let unreported = |l: &Lockout| {
            l.clone()
                .take_ended(now)
                .is_some_and(|tally| tally.count > 0)
        };
        let mut summaries = 0;
        for (key, attempts) in self.store.locked_attempts()? {
            if !unreported(&attempts.password) && !unreported(&attempts.passcode) {
                continue;
            }
            let mut ended = (None, None);
            self.store.update_attempts(&key, &mut |a| {
                ended = (a.password.take_ended(now), a.passcode.take_ended(now));
            })?;
            for (factor, tally) in [(Factor::Password, ended.0), (Factor::Passcode, ended.1)] {
                if let Some(tally) = tally.filter(|t| t.count > 1) {
                    self.report_refusals(factor, &key, Channel::Admin, tally);
                    summaries += 1;
                }
            }
        }
        Ok(summaries)
    }
}
