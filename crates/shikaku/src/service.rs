//! [`Shikaku`]: the manual's flows over a [`Store`].

use std::sync::Arc;

use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::audit::{AuditEvent, AuditKind, AuditSink, Channel, Fanout, StoreAuditSink};
use crate::clock::{Clock, SharedRng, SystemClock};
use crate::config::Config;
use crate::error::Error;
use crate::ids::{AccountId, AccountKey, InstitutionCode, LoginId};
use crate::keys::{MasterKey, SecretBox, Token};
use crate::lockout::{LockStatus, SessionClock, SessionStatus};
use crate::password::{Hasher, Password, PasswordHash, PasswordHistory, Pepper, Violation};
use crate::qr::{EnrollmentSheet, QrCode};
use crate::store::{
    AccountRecord, LoginTicketRecord, MfaRecord, NewAccount, PendingMfa, SessionRecord, Store,
};
use crate::totp::{Passcode, Secret, SetupKey, Verification};

/// 資格確認限定型レセコン連携機能ユーザ設定情報: what an administrator hands a staff member.
#[derive(Debug)]
pub struct InitialSettings {
    /// 機関コード.
    pub institution_code: InstitutionCode,
    /// ログイン ID.
    pub login_id: LoginId,
    /// 初期パスワード (zeroized on drop).
    pub initial_password: Password,
}

/// A half-finished login, to present with the passcode.
#[derive(Debug)]
pub struct LoginTicket {
    /// The bearer token (`login_token` in the JSON API, a server-side cookie session on the web).
    pub token: Token,
    /// Unusable from this instant.
    pub expires_at: OffsetDateTime,
}

/// The answer to 《ログイン》 (institution code, login ID, password).
#[derive(Debug)]
#[must_use]
pub enum PasswordLogin {
    /// Right password, no Authenticator yet: show [Authenticator 登録].
    NeedsEnrollment(LoginTicket),
    /// Right password: ask for the 6-digit passcode.
    NeedsPasscode(LoginTicket),
    /// Locked after 3 consecutive failures; try again after `until`.
    Locked {
        /// When the lock lifts.
        until: OffsetDateTime,
    },
    /// Wrong password or unknown identifier: the same answer for both.
    Invalid,
    /// Right password, but an administrator disabled the account.
    Disabled,
}

/// Which print confirmation to show when 《Authenticator 登録確認に進む》 is pressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrintPrompt {
    /// 初回: 「印刷する」「印刷せずに確認へ進む」.
    FirstTime,
    /// 2 回目以降: 「確認へ進む」.
    Later,
}

/// What [Authenticator 登録] shows.
pub struct EnrollmentView {
    /// 機関コード.
    pub institution_code: InstitutionCode,
    /// ログイン ID (the account name in the app).
    pub login_id: LoginId,
    /// The issuer shown in the app.
    pub issuer: String,
    /// セットアップキー.
    pub setup_key: SetupKey,
    /// The otpauth URI the QR code holds (a secret: zeroized on drop).
    pub otpauth_uri: Zeroizing<String>,
    /// The QR code as inline SVG (holds the secret; never log it).
    pub qr_svg: Zeroizing<String>,
}

impl std::fmt::Debug for EnrollmentView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrollmentView")
            .field("institution_code", &self.institution_code)
            .field("login_id", &self.login_id)
            .finish_non_exhaustive()
    }
}

/// A session handed to the client.
#[derive(Debug)]
pub struct SessionGrant {
    /// The bearer token / cookie value.
    pub token: Token,
    /// When it expires unless used.
    pub expires_at: OffsetDateTime,
    /// `true` when this passcode completed the Authenticator registration (MFA 登録完了).
    pub enrolled: bool,
    /// Set after an administrator's password reset: the menu must send the user to
    /// [パスワード変更] first.
    pub must_change_password: bool,
}

/// The answer to 《パスコードを送信》.
#[derive(Debug)]
#[must_use]
pub enum PasscodeLogin {
    /// Logged in.
    Session(SessionGrant),
    /// Locked after 3 consecutive wrong passcodes; the pending login is gone.
    Locked {
        /// When the lock lifts.
        until: OffsetDateTime,
    },
    /// Wrong (or replayed) passcode.
    Invalid,
}

/// Why a session is not active.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEnd {
    /// 30 minutes without activity.
    Expired,
    /// A later login of the same account ended it.
    Superseded,
    /// Unknown or logged out.
    Unknown,
}

impl std::fmt::Display for SessionEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Expired => "expired after 30 idle minutes",
            Self::Superseded => "ended by a later login",
            Self::Unknown => "unknown or logged out",
        })
    }
}

/// An active session's facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// Whose.
    pub account: AccountId,
    /// 機関コード + ログイン ID.
    pub key: AccountKey,
    /// When it expires unless used again.
    pub expires_at: OffsetDateTime,
    /// The user must change the password before anything else.
    pub must_change_password: bool,
}

/// The answer to 《変更》 on [パスワード変更].
#[derive(Debug)]
#[must_use]
pub enum PasswordChange {
    /// Changed.
    Changed,
    /// The new password breaks these rules (every one listed).
    Rejected(Vec<Violation>),
    /// The current password is wrong (this counts toward the password lock).
    WrongCurrent {
        /// Set when this failure locked the account.
        locked_until: Option<OffsetDateTime>,
    },
    /// The password lock is in force.
    Locked {
        /// When it lifts.
        until: OffsetDateTime,
    },
}

/// The verified identity of a one-call receipt-computer authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// 機関コード.
    pub institution_code: InstitutionCode,
    /// ログイン ID.
    pub login_id: LoginId,
    /// When.
    pub authenticated_at: OffsetDateTime,
}

/// The answer to a one-call receipt-computer authentication.
#[derive(Debug)]
#[must_use]
pub enum Authentication {
    /// Password and passcode verified.
    Verified(Identity),
    /// Wrong password or unknown identifier.
    InvalidCredentials,
    /// Right password, wrong (or replayed) passcode.
    InvalidPasscode,
    /// A lock is in force (password or passcode).
    Locked {
        /// When it lifts.
        until: OffsetDateTime,
    },
    /// Right password, but no Authenticator is registered: use the browser screens first.
    EnrollmentRequired,
    /// Right password, but an administrator's reset requires a password change first.
    PasswordChangeRequired,
    /// Right password, but the account is disabled.
    Disabled,
}

/// One line of `shikaku user list`.
#[derive(Clone, Debug)]
pub struct AccountSummary {
    /// 機関コード + ログイン ID.
    pub key: AccountKey,
    /// MFA registered.
    pub enrolled: bool,
    /// Clock drift of the newest accepted passcode, in steps.
    pub drift: Option<i64>,
    /// Disabled by an administrator.
    pub disabled: bool,
    /// Must change password at next login.
    pub must_change_password: bool,
    /// Password lock state now.
    pub password_lock: LockStatus,
    /// Passcode lock state now.
    pub passcode_lock: LockStatus,
    /// Created.
    pub created_at: OffsetDateTime,
}

/// Builds a [`Shikaku`].
pub struct Builder<S: Store> {
    store: Arc<S>,
    master_key: Option<MasterKey>,
    config: Config,
    clock: Arc<dyn Clock>,
    rng: Option<SharedRng>,
    sinks: Vec<Arc<dyn AuditSink>>,
    store_audit: bool,
}

impl<S: Store> Builder<S> {
    /// The master key (required): seals TOTP secrets and derives the argon2 pepper.
    pub fn master_key(mut self, key: MasterKey) -> Self {
        self.master_key = Some(key);
        self
    }

    /// Policy numbers; default: the manual.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// The clock; default: [`SystemClock`].
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The CSPRNG; default: the operating system's.
    pub fn rng(mut self, rng: SharedRng) -> Self {
        self.rng = Some(rng);
        self
    }

    /// Adds an audit sink (events also go to the store unless [`Self::without_store_audit`]).
    pub fn audit_sink(mut self, sink: impl AuditSink) -> Self {
        self.sinks.push(Arc::new(sink));
        self
    }

    /// Do not write audit events into the store.
    pub fn without_store_audit(mut self) -> Self {
        self.store_audit = false;
        self
    }

    /// Validates the configuration and builds the service.
    pub fn build(self) -> Result<Shikaku<S>, Error> {
        let master = self
            .master_key
            .ok_or_else(|| Error::InvalidConfig("a master key is required".into()))?;
        let rng = self.rng.unwrap_or_else(SharedRng::system);
        let cost = self.config.hash_cost;
        let pepper = Pepper::new(master.pepper_bytes().to_vec())
            .map_err(|e| Error::InvalidConfig(e.to_string()))?;
        let hasher = Hasher::builder()
            .m_cost(cost.m_cost)
            .t_cost(cost.t_cost)
            .p_cost(cost.p_cost)
            .workers(cost.workers)
            .pool_capacity(
                (cost.workers.max(1) * cost.concurrent_calls.max(1))
                    .min(crate::password::MAX_WORKERS),
            )
            .pepper(pepper)
            .build()
            .map_err(|e| Error::InvalidConfig(e.to_string()))?;
        if self.config.issuer.trim().is_empty() {
            return Err(Error::InvalidConfig("the issuer must not be empty".into()));
        }
        if self.config.institution_code_digits == 0 || self.config.institution_code_digits > 32 {
            return Err(Error::InvalidConfig(
                "institution_code_digits must be 1..=32".into(),
            ));
        }
        // Unknown identifiers are verified against this, so they cost what a real account costs.
        let dummy = rng
            .with(|r| hasher.hash(&Password::new("shikaku timing equaliser"), r))
            .map_err(|e| Error::Hashing(e.to_string()))?;
        let mut sinks = self.sinks;
        if self.store_audit {
            sinks.insert(0, Arc::new(StoreAuditSink(Arc::clone(&self.store))));
        }
        Ok(Shikaku {
            secret_box: SecretBox::new(&master),
            store: self.store,
            config: self.config,
            clock: self.clock,
            rng,
            hasher,
            dummy,
            audit: Fanout(sinks),
        })
    }
}

/// The service a host embeds: every flow of the manual over a [`Store`].
///
/// All methods are synchronous and may run argon2 (tens of milliseconds): async hosts
/// call them from a blocking pool (`tokio::task::spawn_blocking`).
pub struct Shikaku<S: Store> {
    store: Arc<S>,
    config: Config,
    clock: Arc<dyn Clock>,
    rng: SharedRng,
    hasher: Hasher,
    dummy: PasswordHash,
    secret_box: SecretBox,
    audit: Fanout,
}

impl<S: Store> std::fmt::Debug for Shikaku<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shikaku")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<S: Store> Shikaku<S> {
    /// Starts building a service over `store`.
    pub fn builder(store: Arc<S>) -> Builder<S> {
        Builder {
            store,
            master_key: None,
            config: Config::default(),
            clock: Arc::new(SystemClock),
            rng: None,
            sinks: Vec::new(),
            store_audit: true,
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The store.
    pub fn store(&self) -> &Arc<S> {
        &self.store
    }

    /// Now, by the injected clock.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Parses 機関コード + ログイン ID as typed.
    pub fn account_key(&self, institution_code: &str, login_id: &str) -> Result<AccountKey, Error> {
        Ok(AccountKey::new(
            InstitutionCode::parse(institution_code, self.config.institution_code_digits)?,
            LoginId::parse(login_id)?,
        ))
    }

    fn emit(
        &self,
        kind: AuditKind,
        account: Option<&AccountKey>,
        channel: Channel,
        detail: Option<String>,
    ) {
        self.audit.record(&AuditEvent {
            at: self.clock.now(),
            kind,
            account: account.cloned(),
            channel,
            detail,
        });
    }

    fn hash(&self, password: &Password) -> Result<PasswordHash, Error> {
        self.rng
            .with(|r| self.hasher.hash(password, r))
            .map_err(|e| Error::Hashing(e.to_string()))
    }

    // ----- Administration -------------------------------------------------------------

    /// Issues a staff account. With no password given, a compliant one is generated.
    pub fn provision(
        &self,
        institution_code: &str,
        login_id: &str,
        password: Option<Password>,
    ) -> Result<InitialSettings, Error> {
        let key = self.account_key(institution_code, login_id)?;
        let password = match password {
            Some(p) => {
                self.config
                    .password_policy
                    .check(p.as_str())
                    .map_err(Error::InitialPasswordRejected)?;
                p
            }
            None => self
                .rng
                .with(|r| crate::password::generate_password(&self.config.password_policy, r)),
        };
        let hash = self.hash(&password)?;
        self.store.insert_account(NewAccount {
            key: key.clone(),
            password: PasswordHistory::new(hash),
            must_change_password: false,
            created_at: self.clock.now(),
        })?;
        self.emit(
            AuditKind::AccountProvisioned,
            Some(&key),
            Channel::Admin,
            None,
        );
        Ok(InitialSettings {
            institution_code: key.institution_code,
            login_id: key.login_id,
            initial_password: password,
        })
    }

    fn existing(&self, key: &AccountKey) -> Result<AccountRecord, Error> {
        self.store.account_by_key(key)?.ok_or(Error::UnknownAccount)
    }

    /// Clears both lock counters of an identifier.
    pub fn unlock(&self, key: &AccountKey) -> Result<(), Error> {
        self.store.update_attempts(key, &mut |a| {
            a.password.unlock();
            a.passcode.unlock();
        })?;
        self.emit(AuditKind::AdminUnlocked, Some(key), Channel::Admin, None);
        Ok(())
    }

    /// Device lost: removes the Authenticator registration; the next login enrolls again.
    /// Ends the account's sessions and pending logins.
    pub fn reset_mfa(&self, key: &AccountKey) -> Result<(), Error> {
        let account = self.existing(key)?;
        let now = self.clock.now();
        self.store.update_account(account.id, &mut |a| {
            a.mfa = None;
            a.pending_mfa = None;
            a.sessions.begin();
            a.updated_at = now;
            true
        })?;
        self.store.delete_sessions_of(account.id)?;
        self.store.delete_tickets_of(account.id)?;
        self.emit(AuditKind::AdminMfaReset, Some(key), Channel::Admin, None);
        Ok(())
    }

    /// Issues a new initial password. The old one is retired without a prefix verifier
    /// (its plaintext is not known); the user must change the password at next login;
    /// sessions and pending logins end.
    pub fn reset_password(&self, key: &AccountKey) -> Result<InitialSettings, Error> {
        let account = self.existing(key)?;
        let password = self
            .rng
            .with(|r| crate::password::generate_password(&self.config.password_policy, r));
        let hash = self.hash(&password)?;
        let now = self.clock.now();
        let policy = &self.config.password_policy;
        self.store.update_account(account.id, &mut |a| {
            a.password.reset(policy, hash.clone());
            a.must_change_password = true;
            a.sessions.begin();
            a.updated_at = now;
            true
        })?;
        self.store.delete_sessions_of(account.id)?;
        self.store.delete_tickets_of(account.id)?;
        self.emit(
            AuditKind::AdminPasswordReset,
            Some(key),
            Channel::Admin,
            None,
        );
        Ok(InitialSettings {
            institution_code: account.key.institution_code,
            login_id: account.key.login_id,
            initial_password: password,
        })
    }

    /// Disables or re-enables an account. Disabling ends its sessions.
    pub fn set_disabled(&self, key: &AccountKey, disabled: bool) -> Result<(), Error> {
        let account = self.existing(key)?;
        let now = self.clock.now();
        self.store.update_account(account.id, &mut |a| {
            a.disabled = disabled;
            if disabled {
                a.sessions.begin();
            }
            a.updated_at = now;
            true
        })?;
        if disabled {
            self.store.delete_sessions_of(account.id)?;
            self.store.delete_tickets_of(account.id)?;
        }
        let kind = if disabled {
            AuditKind::AdminDisabled
        } else {
            AuditKind::AdminEnabled
        };
        self.emit(kind, Some(key), Channel::Admin, None);
        Ok(())
    }

    /// Every account with its state now.
    pub fn accounts(&self) -> Result<Vec<AccountSummary>, Error> {
        let now = self.clock.now();
        self.store
            .accounts()?
            .into_iter()
            .map(|a| {
                let attempts = self.store.attempts(&a.key)?;
                Ok(AccountSummary {
                    enrolled: a.mfa.is_some(),
                    drift: a.mfa.as_ref().map(|m| m.drift),
                    disabled: a.disabled,
                    must_change_password: a.must_change_password,
                    password_lock: attempts.password.status(&self.config.password_lockout, now),
                    passcode_lock: attempts.passcode.status(&self.config.passcode_lockout, now),
                    created_at: a.created_at,
                    key: a.key,
                })
            })
            .collect()
    }

    /// The newest `limit` audit events from the store, newest first.
    pub fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, Error> {
        Ok(self.store.recent_audit(limit)?)
    }

    // ----- Password step ---------------------------------------------------------------

    /// Reserves one attempt of `factor` for `key` inside one atomic store update: the
    /// attempt counts as a failure until a success refunds it, so concurrent guesses can
    /// never get more verifications than the threshold. `Err(until)` while locked.
    fn reserve(
        &self,
        key: &AccountKey,
        factor: Factor,
        channel: Channel,
    ) -> Result<Result<crate::lockout::Attempt, OffsetDateTime>, Error> {
        let now = self.clock.now();
        let (policy, while_locked) = match factor {
            Factor::Password => (
                self.config.password_lockout,
                AuditKind::PasswordAttemptWhileLocked,
            ),
            Factor::Passcode => (
                self.config.passcode_lockout,
                AuditKind::PasscodeAttemptWhileLocked,
            ),
        };
        let mut reserved = None;
        self.store.update_attempts(key, &mut |a| {
            let lockout = match factor {
                Factor::Password => &mut a.password,
                Factor::Passcode => &mut a.passcode,
            };
            reserved = Some(lockout.begin_attempt(&policy, now));
        })?;
        match reserved {
            Some(Ok(attempt)) => Ok(Ok(attempt)),
            Some(Err(locked)) => {
                self.emit(while_locked, Some(key), channel, None);
                Ok(Err(locked.until))
            }
            None => Err(Error::Store(crate::StoreError::Unavailable(
                "the store did not run the attempt update".into(),
            ))),
        }
    }

    /// Verifies `password` for `key` under the password lock. Returns the account when
    /// the password is right, or the answer to give.
    fn password_step(
        &self,
        key: &AccountKey,
        password: &Password,
        channel: Channel,
    ) -> Result<Result<AccountRecord, PasswordStepFailure>, Error> {
        let attempt = match self.reserve(key, Factor::Password, channel)? {
            Ok(attempt) => attempt,
            Err(until) => return Ok(Err(PasswordStepFailure::Locked(until))),
        };
        let account = self.store.account_by_key(key)?;
        // The same argon2 work whether or not the account exists.
        let stored = account
            .as_ref()
            .map_or(&self.dummy, |a| a.password.current());
        let matches = self
            .hasher
            .verify(password, stored)
            .map_err(|e| Error::Hashing(e.to_string()))?;
        match account {
            Some(account) if matches => {
                self.store
                    .update_attempts(key, &mut |a| a.password.record_success())?;
                self.rehash_if_needed(&account, password)?;
                Ok(Ok(account))
            }
            _ => {
                self.emit(AuditKind::PasswordFailed, Some(key), channel, None);
                match attempt.if_failed {
                    LockStatus::Locked { until } => {
                        self.emit(
                            AuditKind::PasswordLocked,
                            Some(key),
                            channel,
                            Some(format!("until {until}")),
                        );
                        Ok(Err(PasswordStepFailure::LockedNow(until)))
                    }
                    _ => Ok(Err(PasswordStepFailure::Invalid)),
                }
            }
        }
    }

    /// After a correct password: if the stored hash was made with other argon2 parameters
    /// than the configured ones, replace it (the PHC string carries its parameters, so
    /// raising the cost later upgrades each account at its next login).
    fn rehash_if_needed(&self, account: &AccountRecord, password: &Password) -> Result<(), Error> {
        let current = account.password.current();
        if !self.hasher.needs_rehash(current) {
            return Ok(());
        }
        let fresh = self.hash(password)?;
        let now = self.clock.now();
        self.store.update_account(account.id, &mut |a| {
            if a.password.current() != current {
                return false; // changed meanwhile: leave it
            }
            let retired = a.password.retired().cloned().collect();
            a.password = PasswordHistory::from_parts(fresh.clone(), retired);
            a.updated_at = now;
            true
        })?;
        Ok(())
    }

    /// 《ログイン》: institution code, login ID and password.
    pub fn password_login(
        &self,
        institution_code: &str,
        login_id: &str,
        password: &Password,
    ) -> Result<PasswordLogin, Error> {
        let key = self.account_key(institution_code, login_id)?;
        let account = match self.password_step(&key, password, Channel::Web)? {
            Ok(account) => account,
            Err(PasswordStepFailure::Invalid) => return Ok(PasswordLogin::Invalid),
            Err(PasswordStepFailure::Locked(until) | PasswordStepFailure::LockedNow(until)) => {
                return Ok(PasswordLogin::Locked { until });
            }
        };
        if account.disabled {
            self.emit(
                AuditKind::DisabledLoginRefused,
                Some(&key),
                Channel::Web,
                None,
            );
            return Ok(PasswordLogin::Disabled);
        }
        // A passcode lock still in force stops the login here, before a ticket exists.
        let now = self.clock.now();
        if let LockStatus::Locked { until } = self
            .store
            .attempts(&key)?
            .passcode
            .status(&self.config.passcode_lockout, now)
        {
            self.emit(
                AuditKind::PasscodeAttemptWhileLocked,
                Some(&key),
                Channel::Web,
                None,
            );
            return Ok(PasswordLogin::Locked { until });
        }
        let token = Token::generate(&self.rng);
        let expires_at = now.saturating_add(self.config.login_ticket_ttl());
        self.store.insert_ticket(LoginTicketRecord {
            digest: token.digest(),
            account: account.id,
            issued_at: now,
            expires_at,
        })?;
        self.emit(AuditKind::PasswordAccepted, Some(&key), Channel::Web, None);
        let ticket = LoginTicket { token, expires_at };
        Ok(if account.mfa.is_some() {
            PasswordLogin::NeedsPasscode(ticket)
        } else {
            PasswordLogin::NeedsEnrollment(ticket)
        })
    }

    fn resolve_ticket(&self, token: &Token) -> Result<(LoginTicketRecord, AccountRecord), Error> {
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
        Ok((ticket, account))
    }

    /// Whether a login ticket still stands, and whether it leads to enrollment.
    pub fn ticket_needs_enrollment(&self, token: &Token) -> Result<bool, Error> {
        let (_, account) = self.resolve_ticket(token)?;
        Ok(account.mfa.is_none())
    }

    // ----- Enrollment --------------------------------------------------------------------

    /// The pending secret of an account without an Authenticator, created on first use.
    fn pending_secret(&self, account: &AccountRecord) -> Result<Secret, Error> {
        if account.mfa.is_some() {
            return Err(Error::AlreadyEnrolled);
        }
        if let Some(pending) = &account.pending_mfa {
            return self.secret_box.open(account.id, &pending.secret);
        }
        let secret = self.rng.with(|r| Secret::generate(r));
        let sealed = self.secret_box.seal(account.id, &secret, &self.rng)?;
        let now = self.clock.now();
        let mut installed = None;
        let stored = self.store.update_account(account.id, &mut |a| {
            if a.mfa.is_some() {
                return false;
            }
            if a.pending_mfa.is_none() {
                a.pending_mfa = Some(PendingMfa {
                    secret: sealed.clone(),
                    print_prompt_shown: false,
                    created_at: now,
                });
                a.updated_at = now;
            }
            installed = a.pending_mfa.as_ref().map(|p| p.secret.clone());
            true
        })?;
        match (stored, installed) {
            // Another request may have installed its secret first: use the stored one.
            (Some(_), Some(sealed)) => self.secret_box.open(account.id, &sealed),
            (Some(_), None) => Err(Error::AlreadyEnrolled),
            (None, _) => Err(Error::LoginExpired),
        }
    }

    /// [Authenticator 登録]: QR code, setup key and URI for a login that needs enrollment.
    pub fn enrollment(&self, ticket: &Token) -> Result<EnrollmentView, Error> {
        let (_, account) = self.resolve_ticket(ticket)?;
        let secret = self.pending_secret(&account)?;
        let uri = crate::totp::OtpauthUri::new(
            &self.config.issuer,
            account.key.login_id.as_str(),
            &secret,
        );
        let otpauth_uri = uri.to_uri_string();
        let qr = QrCode::new(&otpauth_uri).map_err(|e| Error::Render(e.to_string()))?;
        Ok(EnrollmentView {
            institution_code: account.key.institution_code,
            login_id: account.key.login_id,
            issuer: self.config.issuer.clone(),
            setup_key: secret.setup_key(),
            qr_svg: Zeroizing::new(qr.to_svg()),
            otpauth_uri,
        })
    }

    /// The printable A4 enrollment sheet (HTML) for a login that needs enrollment.
    pub fn enrollment_sheet(&self, ticket: &Token) -> Result<Zeroizing<String>, Error> {
        let view = self.enrollment(ticket)?;
        let display = view.setup_key.display_form();
        let copy = view.setup_key.copy_form();
        let sheet = EnrollmentSheet {
            issuer: &view.issuer,
            institution_code: view.institution_code.as_str(),
            login_id: view.login_id.as_str(),
            setup_key_display: &display,
            setup_key_copy: &copy,
            otpauth_uri: &view.otpauth_uri,
            issued_on: crate::jst_date(self.clock.now()),
        };
        sheet
            .render_html()
            .map(Zeroizing::new)
            .map_err(|e| Error::Render(e.to_string()))
    }

    /// The QR code as PNG (for download or print).
    pub fn enrollment_png(&self, ticket: &Token) -> Result<Zeroizing<Vec<u8>>, Error> {
        let view = self.enrollment(ticket)?;
        let qr = QrCode::new(&view.otpauth_uri).map_err(|e| Error::Render(e.to_string()))?;
        qr.to_png(8)
            .map(Zeroizing::new)
            .map_err(|e| Error::Render(e.to_string()))
    }

    /// 《Authenticator 登録確認に進む》: which print confirmation to show. The first call
    /// per registration answers [`PrintPrompt::FirstTime`], every later one [`PrintPrompt::Later`].
    pub fn proceed_to_confirmation(&self, ticket: &Token) -> Result<PrintPrompt, Error> {
        let (_, account) = self.resolve_ticket(ticket)?;
        self.pending_secret(&account)?;
        let mut prompt = PrintPrompt::Later;
        self.store
            .update_account(account.id, &mut |a| match &mut a.pending_mfa {
                Some(p) if !p.print_prompt_shown => {
                    p.print_prompt_shown = true;
                    prompt = PrintPrompt::FirstTime;
                    true
                }
                _ => {
                    prompt = PrintPrompt::Later;
                    false
                }
            })?;
        Ok(prompt)
    }

    // ----- Passcode step -----------------------------------------------------------------

    /// Verifies a passcode for `account` under the passcode lock and claims its time
    /// step atomically. Confirms a pending registration when there is no Authenticator.
    fn passcode_step(
        &self,
        account: &AccountRecord,
        passcode: &Passcode,
        channel: Channel,
    ) -> Result<PasscodeStep, Error> {
        let key = &account.key;
        // Nothing to verify against (no registration started): not an attempt.
        if account.mfa.is_none() && account.pending_mfa.is_none() {
            return Err(Error::EnrollmentRequired);
        }
        let now = self.clock.now();
        let attempt = match self.reserve(key, Factor::Passcode, channel)? {
            Ok(attempt) => attempt,
            Err(until) => return Ok(PasscodeStep::Locked(until)),
        };

        // Open the secret outside the transaction (cheap, but keep the closure pure).
        let (secret, enrolling) = match (&account.mfa, &account.pending_mfa) {
            (Some(mfa), _) => (self.secret_box.open(account.id, &mfa.secret)?, false),
            (None, Some(pending)) => (self.secret_box.open(account.id, &pending.secret)?, true),
            (None, None) => return Err(Error::EnrollmentRequired),
        };
        let expected_secret = if enrolling {
            account.pending_mfa.as_ref().map(|p| p.secret.clone())
        } else {
            None
        };
        let verifier = &self.config.verifier;
        let mut outcome = Verification::Rejected;
        let mut session_epoch = None;
        let mut must_change = false;
        let stored = self.store.update_account(account.id, &mut |a| {
            if a.disabled {
                outcome = Verification::Rejected;
                return false;
            }
            // The registration state must still be the one whose secret we opened.
            let consistent = if enrolling {
                a.mfa.is_none()
                    && a.pending_mfa.as_ref().map(|p| &p.secret) == expected_secret.as_ref()
            } else {
                a.mfa.is_some()
            };
            if !consistent {
                outcome = Verification::Rejected;
                return false;
            }
            let last_step = a.mfa.as_ref().and_then(|m| m.last_step);
            outcome = verifier.verify(&secret, passcode, now, last_step);
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
        if stored.is_none() {
            return Err(Error::LoginExpired);
        }
        match outcome {
            Verification::Accepted(matched) => {
                self.store
                    .update_attempts(key, &mut |a| a.passcode.record_success())?;
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
                            Some(format!("until {until}")),
                        );
                        Ok(PasscodeStep::Locked(until))
                    }
                    _ => Ok(PasscodeStep::Invalid),
                }
            }
        }
    }

    /// 《パスコードを送信》: the 6-digit passcode for a login ticket.
    ///
    /// Malformed input (not 6 digits after normalisation) is an [`Error::MalformedPasscode`]
    /// and is not counted: it never reaches the verifier.
    pub fn submit_passcode(&self, ticket: &Token, passcode: &str) -> Result<PasscodeLogin, Error> {
        let (ticket_record, account) = self.resolve_ticket(ticket)?;
        let passcode = Passcode::parse(passcode).map_err(|_| Error::MalformedPasscode)?;
        match self.passcode_step(&account, &passcode, Channel::Web)? {
            PasscodeStep::Accepted {
                enrolled,
                epoch,
                drift,
                must_change,
            } => {
                self.store.delete_ticket(&ticket_record.digest)?;
                let now = self.clock.now();
                let epoch = epoch.ok_or(Error::LoginExpired)?;
                // Every earlier session of the account is superseded from here on.
                let token = Token::generate(&self.rng);
                let clock = SessionClock::start(epoch, now);
                let expires_at = now.saturating_add(self.config.idle_timeout.duration());
                self.store.insert_session(SessionRecord {
                    digest: token.digest(),
                    account: account.id,
                    clock,
                    created_at: now,
                })?;
                self.emit(
                    AuditKind::SessionStarted,
                    Some(&account.key),
                    Channel::Web,
                    Some(format!("drift {drift}")),
                );
                Ok(PasscodeLogin::Session(SessionGrant {
                    token,
                    expires_at,
                    enrolled,
                    must_change_password: must_change,
                }))
            }
            PasscodeStep::Locked(until) => {
                // Locking on passcodes voids the pending logins (this browser's and any
                // other's): after the lock, start again from the password.
                self.store.delete_tickets_of(account.id)?;
                Ok(PasscodeLogin::Locked { until })
            }
            PasscodeStep::Invalid => Ok(PasscodeLogin::Invalid),
        }
    }

    // ----- Sessions ----------------------------------------------------------------------

    /// Checks a session and, when active, records the activity (extends the idle timeout).
    pub fn session(&self, token: &Token) -> Result<Result<SessionInfo, SessionEnd>, Error> {
        let digest = token.digest();
        let Some(session) = self.store.session(&digest)? else {
            return Ok(Err(SessionEnd::Unknown));
        };
        let Some(account) = self.store.account(session.account)? else {
            self.store.delete_session(&digest)?;
            return Ok(Err(SessionEnd::Unknown));
        };
        let now = self.clock.now();
        let idle = &self.config.idle_timeout;
        let mut status = session.clock.status(&account.sessions, idle, now);
        if let SessionStatus::Active { .. } = status {
            let updated = self.store.update_session(&digest, &mut |s| {
                status = s.clock.touch(&account.sessions, idle, now);
            })?;
            if updated.is_none() {
                return Ok(Err(SessionEnd::Unknown));
            }
        }
        match status {
            SessionStatus::Active { expires_at } => Ok(Ok(SessionInfo {
                account: account.id,
                key: account.key,
                expires_at,
                must_change_password: account.must_change_password,
            })),
            SessionStatus::Expired { .. } => {
                self.store.delete_session(&digest)?;
                self.emit(
                    AuditKind::SessionExpired,
                    Some(&account.key),
                    Channel::Web,
                    None,
                );
                Ok(Err(SessionEnd::Expired))
            }
            SessionStatus::Superseded => {
                self.store.delete_session(&digest)?;
                self.emit(
                    AuditKind::SessionSuperseded,
                    Some(&account.key),
                    Channel::Web,
                    None,
                );
                Ok(Err(SessionEnd::Superseded))
            }
        }
    }

    /// 《ログアウト》: ends the session server-side. `false` if it was not active.
    pub fn logout(&self, token: &Token) -> Result<bool, Error> {
        let digest = token.digest();
        let Some(session) = self.store.session(&digest)? else {
            return Ok(false);
        };
        self.store.delete_session(&digest)?;
        let account = self.store.account(session.account)?;
        if let Some(account) = &account {
            let epoch = session.clock.epoch();
            self.store.update_account(account.id, &mut |a| {
                if a.sessions.current() == Some(epoch) {
                    a.sessions.end(epoch);
                    true
                } else {
                    false
                }
            })?;
            self.emit(AuditKind::LoggedOut, Some(&account.key), Channel::Web, None);
        }
        Ok(true)
    }

    /// Ends a half-finished login (《戻る》 on the passcode screen).
    pub fn abandon_login(&self, ticket: &Token) -> Result<(), Error> {
        self.store.delete_ticket(&ticket.digest())?;
        Ok(())
    }

    // ----- Password change ---------------------------------------------------------------

    /// 《変更》 on [パスワード変更]: current password, new password, new password again.
    pub fn change_password(
        &self,
        session: &Token,
        current: &Password,
        new: &Password,
        new_again: &Password,
    ) -> Result<PasswordChange, Error> {
        let info = self.session(session)?.map_err(Error::Session)?;
        let key = info.key;
        let account = match self.password_step(&key, current, Channel::Web)? {
            Ok(account) => account,
            Err(PasswordStepFailure::Invalid) => {
                return Ok(PasswordChange::WrongCurrent { locked_until: None });
            }
            Err(PasswordStepFailure::LockedNow(until)) => {
                return Ok(PasswordChange::WrongCurrent {
                    locked_until: Some(until),
                });
            }
            Err(PasswordStepFailure::Locked(until)) => return Ok(PasswordChange::Locked { until }),
        };
        let policy = &self.config.password_policy;
        let account_id = account.id.to_string();
        let mut history = account.password.clone();
        let mut violations: Vec<Violation> = Vec::new();
        if new.as_str() != new_again.as_str() {
            violations.push(Violation::confirmation_mismatch());
        }
        let changed = if violations.is_empty() {
            self.rng
                .with(|r| history.change(policy, &self.hasher, &account_id, current, new, r))
        } else {
            history.check_change(policy, &self.hasher, &account_id, current, new)
        };
        if let Err(e) = changed {
            match e {
                crate::password::ChangeError::Policy(v) => violations.extend(v),
                other => return Err(Error::Hashing(other.to_string())),
            }
        }
        if !violations.is_empty() {
            let codes: Vec<&str> = violations.iter().map(|v| v.code().as_str()).collect();
            self.emit(
                AuditKind::PasswordChangeRejected,
                Some(&key),
                Channel::Web,
                Some(codes.join(",")),
            );
            return Ok(PasswordChange::Rejected(violations));
        }
        // Write only if nobody changed the password since we read it (optimistic check).
        let before = account.password.current().clone();
        let now = self.clock.now();
        let mut applied = false;
        self.store.update_account(account.id, &mut |a| {
            applied = a.password.current() == &before;
            if applied {
                a.password = history.clone();
                a.must_change_password = false;
                a.updated_at = now;
            }
            applied
        })?;
        if !applied {
            return Ok(PasswordChange::WrongCurrent { locked_until: None });
        }
        self.emit(AuditKind::PasswordChanged, Some(&key), Channel::Web, None);
        Ok(PasswordChange::Changed)
    }

    // ----- Receipt-computer authentication ----------------------------------------------

    /// The one-call authentication the receipt-computer integration uses once MFA is
    /// registered: institution code, login ID, password and passcode together. The same
    /// lock and replay rules as the screens; no session is created.
    pub fn authenticate(
        &self,
        institution_code: &str,
        login_id: &str,
        password: &Password,
        passcode: &str,
    ) -> Result<Authentication, Error> {
        let key = self.account_key(institution_code, login_id)?;
        let passcode = Passcode::parse(passcode).map_err(|_| Error::MalformedPasscode)?;
        let channel = Channel::ReceiptComputer;
        let account = match self.password_step(&key, password, channel)? {
            Ok(account) => account,
            Err(PasswordStepFailure::Invalid) => return Ok(Authentication::InvalidCredentials),
            Err(PasswordStepFailure::Locked(until) | PasswordStepFailure::LockedNow(until)) => {
                return Ok(Authentication::Locked { until });
            }
        };
        if account.disabled {
            self.emit(AuditKind::DisabledLoginRefused, Some(&key), channel, None);
            return Ok(Authentication::Disabled);
        }
        if account.mfa.is_none() {
            return Ok(Authentication::EnrollmentRequired);
        }
        if account.must_change_password {
            return Ok(Authentication::PasswordChangeRequired);
        }
        match self.passcode_step(&account, &passcode, channel)? {
            PasscodeStep::Accepted { .. } => {
                let now = self.clock.now();
                self.emit(AuditKind::Authenticated, Some(&key), channel, None);
                Ok(Authentication::Verified(Identity {
                    institution_code: key.institution_code,
                    login_id: key.login_id,
                    authenticated_at: now,
                }))
            }
            PasscodeStep::Locked(until) => Ok(Authentication::Locked { until }),
            PasscodeStep::Invalid => Ok(Authentication::InvalidPasscode),
        }
    }

    /// Removes expired login tickets and empty counters.
    pub fn prune(&self) -> Result<usize, Error> {
        Ok(self.store.prune(self.clock.now())?)
    }
}

/// Which of the two lock counters.
#[derive(Clone, Copy)]
enum Factor {
    Password,
    Passcode,
}

enum PasswordStepFailure {
    /// Wrong password or unknown identifier.
    Invalid,
    /// A lock was already in force.
    Locked(OffsetDateTime),
    /// This failure caused the lock.
    LockedNow(OffsetDateTime),
}

enum PasscodeStep {
    Accepted {
        enrolled: bool,
        epoch: Option<crate::lockout::SessionEpoch>,
        drift: i64,
        must_change: bool,
    },
    Locked(OffsetDateTime),
    Invalid,
}
