//! The rules every flow shares, each in one place: reserving an attempt under the lock
//! ([`reserve`](Shikaku::reserve)), the password step, the passcode step (verification
//! and the replay guard in one atomic update) and resolving a login ticket.

use time::OffsetDateTime;

use crate::audit::{AuditKind, Channel, until_detail};
use crate::config::Config;
use crate::error::{Error, StoreError};
use crate::ids::AccountKey;
use crate::keys::{SealedSecret, Token, TokenDigest};
use crate::lockout::{Attempt, LockStatus, Lockout, LockoutPolicy, SessionEpoch};
use crate::password::{Password, PasswordHistory};
use crate::store::{AccountRecord, Attempts, LoginTicketRecord, MfaRecord, PendingMfa, Store};
use crate::totp::{Passcode, PendingEnrollment, Secret, Verification};

use super::Shikaku;

impl<S: Store> Shikaku<S> {
    pub(super) fn existing(&self, key: &AccountKey) -> Result<AccountRecord, Error> {
        self.store.account_by_key(key)?.ok_or(Error::UnknownAccount)
    }

    /// Reserves one attempt of `factor` for `key` inside one atomic store update: the
    /// attempt counts as a failure until a success refunds it, so concurrent guesses can
    /// never get more verifications than the threshold.
    ///
    /// A refusal is counted in the lock's tally in the same update; only the lock
    /// period's first refusal is recorded at once, and the tally when the period is over
    /// (see [`report_refusals`](Self::report_refusals)), so a client hammering a locked
    /// identifier adds a bounded number of audit events per lock period.
    pub(super) fn reserve(
        &self,
        key: &AccountKey,
        factor: Factor,
        channel: Channel,
    ) -> Result<Reserved, Error> {
        let now = self.clock.now();
        let policy = factor.policy(&self.config);
        let mut reserved = None;
        self.store.update_attempts(key, &mut |a| {
            let lockout = factor.of(a);
            let ended = lockout.take_ended(now);
            let answer = lockout.begin_attempt(&policy, now);
            let first_refusal = answer.is_err() && lockout.refusals().is_some_and(|r| r.count == 1);
            reserved = Some((answer, ended, first_refusal));
        })?;
        let Some((answer, ended, first_refusal)) = reserved else {
            return Err(Error::Store(StoreError::Unavailable(
                "the store did not run the attempt update".into(),
            )));
        };
        if let Some(ended) = ended {
            self.report_refusals(factor, key, channel, ended);
        }
        match answer {
            Ok(attempt) => Ok(Reserved::Granted(attempt)),
            Err(locked) => {
                if first_refusal {
                    let detail = Some(until_detail(locked.until));
                    let recorded = self.recorded_after_lookup(key);
                    self.emit(factor.while_locked(), Some(&recorded), channel, detail);
                }
                Ok(Reserved::Locked(locked.until))
            }
        }
    }

    /// Verifies `password` for `key` under the password lock: the account when the
    /// password is right, or the answer to give.
    pub(super) fn password_step(
        &self,
        key: &AccountKey,
        password: &Password,
        channel: Channel,
    ) -> Result<PasswordStep, Error> {
        let attempt = match self.reserve(key, Factor::Password, channel)? {
            Reserved::Granted(attempt) => attempt,
            Reserved::Locked(until) => return Ok(PasswordStep::Locked(until)),
        };
        let account = self.store.account_by_key(key)?;
        // The same argon2 work whether or not the account exists, and whatever argon2
        // settings its hash was stored with (timing.rs).
        // Only this computation holds a hashing permit (gate.rs): the reservation above
        // and the writes below wait for the store while others hash.
        let matches = self.argon2(|| {
            self.equaliser.verify(
                &self.hasher,
                &self.rng,
                password,
                account.as_ref().map(|a| a.password.current()),
            )
        })?;
        let exists = account.is_some();
        match account {
            Some(account) if matches => {
                let mut lifted = None;
                let now = self.clock.now();
                let mut passcode_lock = LockStatus::Open { attempts_left: 1 };
                self.store.update_attempts(key, &mut |a| {
                    lifted = a.password.refusals();
                    a.password.record_success_of(attempt);
                    // Read here rather than in a store call of its own: the login that
                    // follows refuses to issue a ticket while this lock is in force.
                    passcode_lock = a.passcode.status(&self.config.passcode_lockout, now);
                })?;
                if let Some(tally) = lifted {
                    self.report_refusals(Factor::Password, key, channel, tally);
                }
                let account = self.rehash_if_needed(account, password)?;
                Ok(PasswordStep::Verified(Box::new(account), passcode_lock))
            }
            _ => {
                // An identifier that names no account is not recorded as typed (unknown.rs).
                let recorded = self.recorded(key, exists);
                self.emit(AuditKind::PasswordFailed, Some(&recorded), channel, None);
                match attempt.if_failed {
                    LockStatus::Locked { until } => {
                        self.emit(
                            AuditKind::PasswordLocked,
                            Some(&recorded),
                            channel,
                            Some(until_detail(until)),
                        );
                        Ok(PasswordStep::LockedNow(until))
                    }
                    _ => Ok(PasswordStep::Invalid),
                }
            }
        }
    }

    /// After a correct password: if the stored hash was made with other argon2 parameters
    /// than the configured ones, replace it (the PHC string carries its parameters, so
    /// raising the cost later upgrades each account at its next login). Answers the
    /// account as stored afterwards.
    pub(super) fn rehash_if_needed(
        &self,
        account: AccountRecord,
        password: &Password,
    ) -> Result<AccountRecord, Error> {
        let current = account.password.current().clone();
        if !self.hasher.needs_rehash(&current) {
            return Ok(account);
        }
        let fresh = self.hash(password)?;
        let now = self.clock.now();
        let stored = self.store.update_account(account.id, &mut |a| {
            if a.password.current() != &current {
                return false; // changed meanwhile: leave it
            }
            let retired = a.password.retired().cloned().collect();
            a.password = PasswordHistory::from_parts(fresh.clone(), retired);
            a.updated_at = now;
            true
        })?;
        Ok(stored.unwrap_or(account))
    }

    pub(super) fn resolve_ticket(
        &self,
        token: &Token,
    ) -> Result<(LoginTicketRecord, AccountRecord), Error> {
        let digest = token.digest();
        let ticket = self.store.ticket(&digest)?.ok_or(Error::LoginExpired)?;
        if self.clock.now() >= ticket.expires_at {
            self.store.delete_ticket(&digest)?;
            return Err(Error::LoginExpired);
        }
        let account = self
            .store
            .account(ticket.account)?
            .ok_or(Error::LoginExpired)?;
        if account.disabled {
            return Err(Error::LoginExpired);
        }
        if !Self::may_register(&account, &digest) {
            // A later login replaced this login's registration: it is over.
            self.store.delete_ticket(&digest)?;
            return Err(Error::LoginExpired);
        }
        Ok((ticket, account))
    }

    /// Whether the login of `ticket` may see and confirm the account's registration in
    /// progress: the registration is its own, or there is none, or it was stored before
    /// registrations belonged to a login (replaced at its next view). An account with an
    /// Authenticator has no registration in progress to guard.
    pub(super) fn may_register(account: &AccountRecord, ticket: &TokenDigest) -> bool {
        match (&account.mfa, &account.pending_mfa) {
            (None, Some(pending)) => pending.ticket.is_none_or(|owner| owner == *ticket),
            _ => true,
        }
    }

    /// Verifies a passcode for `account` under the passcode lock and claims its time
    /// step atomically. Confirms a pending registration when there is no Authenticator —
    /// only the registration the login of `ticket` created.
    ///
    /// When the account changed between `account` (the snapshot) and the update — an
    /// administrator's reset, a new registration, a later login's registration — the
    /// passcode is not checked against the new record and the answer is
    /// [`Error::LoginExpired`]; the attempt stays counted (nothing is refunded without a
    /// verified success).
    pub(super) fn passcode_step(
        &self,
        account: &AccountRecord,
        passcode: &Passcode,
        channel: Channel,
        ticket: Option<&TokenDigest>,
    ) -> Result<PasscodeStep, Error> {
        let key = &account.key;
        // Nothing to verify against (no registration started): not an attempt.
        if account.mfa.is_none() && account.pending_mfa.is_none() {
            return Err(Error::EnrollmentRequired);
        }
        // Only this login's own registration can be confirmed. One stored before
        // registrations belonged to a login: this login has none of its own yet (its view
        // replaces that one), so not an attempt. Another login's: this login is over.
        let owns_pending = |pending: &PendingMfa| match (pending.ticket, ticket) {
            (Some(owner), Some(ticket)) => owner == *ticket,
            _ => false,
        };
        if let (None, Some(pending)) = (&account.mfa, &account.pending_mfa)
            && !owns_pending(pending)
        {
            return Err(if pending.ticket.is_none() {
                Error::EnrollmentRequired
            } else {
                Error::LoginExpired
            });
        }
        let now = self.clock.now();
        let attempt = match self.reserve(key, Factor::Passcode, channel)? {
            Reserved::Granted(attempt) => attempt,
            Reserved::Locked(until) => return Ok(PasscodeStep::Locked(until)),
        };

        // Open the secret outside the transaction (cheap, but keep the closure pure), and
        // remember which sealed secret it was: the update goes ahead only if the account
        // still holds that one (no reset and new registration in between).
        let (opened, sealed) = match (&account.mfa, &account.pending_mfa) {
            (Some(mfa), _) => (
                Opened::Registered(self.secret_box.open(account.id, &mfa.secret)?),
                mfa.secret.clone(),
            ),
            (None, Some(pending)) => (
                Opened::Pending(PendingEnrollment::from_secret(
                    self.secret_box.open(account.id, &pending.secret)?,
                )),
                pending.secret.clone(),
            ),
            (None, None) => return Err(Error::EnrollmentRequired),
        };
        let enrolling = matches!(opened, Opened::Pending(_));
        let verifier = &self.config.verifier;
        let mut outcome = Verification::Rejected;
        let mut stale = false;
        let mut session_epoch = None;
        let mut must_change = false;
        let stored = self.store.update_account(account.id, &mut |a| {
            outcome = Verification::Rejected;
            stale = false;
            if a.disabled {
                stale = true;
                return false;
            }
            // The very secret opened above, still in place (a reset plus a new
            // registration in between has another secret). The same secret sealed
            // again under the current master key (`shikaku key rotate`) is still it.
            let same = |stored: &SealedSecret| self.secret_box.same_secret(a.id, stored, &sealed);
            let consistent = match &opened {
                Opened::Pending(_) => {
                    a.mfa.is_none()
                        && a.pending_mfa
                            .as_ref()
                            .is_some_and(|p| same(&p.secret) && owns_pending(p))
                }
                Opened::Registered(_) => a.mfa.as_ref().is_some_and(|m| same(&m.secret)),
            };
            if !consistent {
                stale = true;
                return false;
            }
            outcome = match &opened {
                Opened::Registered(secret) => {
                    let last_step = a.mfa.as_ref().and_then(|m| m.last_step);
                    verifier.verify(secret, passcode, now, last_step)
                }
                Opened::Pending(pending) => {
                    match pending.clone().confirm(verifier, passcode, now) {
                        Ok((_, matched)) => Verification::Accepted(matched),
                        Err((_, refused)) => refused,
                    }
                }
            };
            let Verification::Accepted(matched) = &outcome else {
                return false;
            };
            if enrolling {
                let sealed = a.pending_mfa.take().map(|p| p.secret);
                a.mfa = sealed.map(|secret| MfaRecord {
                    secret,
                    last_step: Some(matched.step),
                    drift: matched.drift,
                    enrolled_at: now,
                });
            } else if let Some(mfa) = &mut a.mfa {
                mfa.last_step = Some(matched.step);
                mfa.drift = matched.drift;
            }
            if channel == Channel::Web {
                session_epoch = Some(a.sessions.begin());
            }
            must_change = a.must_change_password;
            a.updated_at = now;
            true
        })?;
        if stored.is_none() || stale {
            return Err(Error::LoginExpired);
        }
        match outcome {
            Verification::Accepted(matched) => {
                let mut lifted = None;
                self.store.update_attempts(key, &mut |a| {
                    lifted = a.passcode.refusals();
                    a.passcode.record_success_of(attempt);
                })?;
                if let Some(tally) = lifted {
                    self.report_refusals(Factor::Passcode, key, channel, tally);
                }
                if enrolling {
                    self.emit(AuditKind::Enrolled, Some(key), channel, None);
                }
                Ok(PasscodeStep::Accepted {
                    enrolled: enrolling,
                    epoch: session_epoch,
                    drift: matched.drift,
                    must_change,
                })
            }
            other => {
                let kind = if matches!(other, Verification::Replayed { .. }) {
                    AuditKind::ReplayRefused
                } else {
                    AuditKind::PasscodeFailed
                };
                self.emit(kind, Some(key), channel, None);
                match attempt.if_failed {
                    LockStatus::Locked { until } => {
                        self.emit(
                            AuditKind::PasscodeLocked,
                            Some(key),
                            channel,
                            Some(until_detail(until)),
                        );
                        Ok(PasscodeStep::Locked(until))
                    }
                    _ => Ok(PasscodeStep::Invalid { enrolling }),
                }
            }
        }
    }
}

/// Which of the two lock counters.
#[derive(Clone, Copy)]
pub(super) enum Factor {
    Password,
    Passcode,
}

impl Factor {
    fn policy(self, config: &Config) -> LockoutPolicy {
        match self {
            Self::Password => config.password_lockout,
            Self::Passcode => config.passcode_lockout,
        }
    }

    pub(super) fn of(self, attempts: &mut Attempts) -> &mut Lockout {
        match self {
            Self::Password => &mut attempts.password,
            Self::Passcode => &mut attempts.passcode,
        }
    }

    /// The event of an attempt refused by this lock (and of a lock period's tally).
    pub(super) fn while_locked(self) -> AuditKind {
        match self {
            Self::Password => AuditKind::PasswordAttemptWhileLocked,
            Self::Passcode => AuditKind::PasscodeAttemptWhileLocked,
        }
    }
}

/// The answer of [`Shikaku::reserve`].
pub(super) enum Reserved {
    /// Go ahead and verify; the attempt counts as failed unless a success refunds it.
    Granted(Attempt),
    /// A lock is in force until then.
    Locked(OffsetDateTime),
}

/// The answer of [`Shikaku::password_step`].
pub(super) enum PasswordStep {
    /// The password is right: the account, and the passcode lock as it stood when the
    /// success was recorded.
    Verified(Box<AccountRecord>, LockStatus),
    /// Wrong password or unknown identifier.
    Invalid,
    /// A lock was already in force.
    Locked(OffsetDateTime),
    /// This failure caused the lock.
    LockedNow(OffsetDateTime),
}

/// The answer of [`Shikaku::passcode_step`].
pub(super) enum PasscodeStep {
    Accepted {
        enrolled: bool,
        epoch: Option<SessionEpoch>,
        drift: i64,
        must_change: bool,
    },
    Locked(OffsetDateTime),
    Invalid {
        enrolling: bool,
    },
}

/// The secret a passcode is checked against: the registered one, or the one of the
/// registration in progress.
enum Opened {
    Registered(Secret),
    Pending(PendingEnrollment),
}
