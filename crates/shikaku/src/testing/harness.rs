//! [`Harness`]: the real facade over any store, with a manual clock at [`START`], a
//! seeded CSPRNG and an audit sink — the world every test suite of the workspace builds on.

use std::sync::Arc;

use rand_core::SeedableRng;
use time::{Duration, OffsetDateTime};

use super::support::{code_at, secret_of};
use super::{INITIAL_PASSWORD, INSTITUTION_CODE, SEED, START};
use crate::password::Password;
use crate::totp::{Passcode, Secret};
use crate::{
    AccountKey, AuditKind, Clock, Config, Error, ManualClock, MasterKey, MasterKeys,
    MemoryAuditSink, PasscodeLogin, PasswordChange, PasswordLogin, SessionInfo, SharedRng, Shikaku,
    Store, Token,
};

/// A service over a store, with a [`ManualClock`] standing at [`START`], a CSPRNG seeded
/// with [`SEED`] and a [`MemoryAuditSink`] that sees every event.
///
/// Adapters serve [`service`](Self::service) (`shikaku_web::app(Arc::clone(&h.service), …)`)
/// and keep the harness for the clock, the audit sink and the helpers.
pub struct Harness<S: Store> {
    /// The facade under test.
    pub service: Arc<Shikaku<S>>,
    /// The service's clock: moves only when a test moves it.
    pub clock: ManualClock,
    /// Every audit event the service emitted, in order.
    pub audit: MemoryAuditSink,
    /// The service's master keys (another node of the same store needs them).
    pub keys: MasterKeys,
}

/// Builds a [`Harness`]: [`Config::for_tests`] (cheap argon2) and the CSPRNG seeded with
/// [`SEED`] unless told otherwise. The clock always starts at [`START`].
pub struct HarnessBuilder<S: Store> {
    store: Arc<S>,
    config: Config,
    rng: Option<SharedRng>,
    seed: u64,
    keys: Option<MasterKeys>,
}

impl<S: Store> HarnessBuilder<S> {
    /// Policy numbers (default: [`Config::for_tests`]).
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// The manual's argon2 cost ([`Config::default`]): for races, where a verification
    /// must take as long as it does in production.
    pub fn real_cost(self) -> Self {
        self.config(Config::default())
    }

    /// Another seed for the CSPRNG (a different master key).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self.rng = None;
        self
    }

    /// These master keys instead of one drawn from the CSPRNG (another node of a store,
    /// a rotation in progress).
    pub fn master_keys(mut self, keys: MasterKeys) -> Self {
        self.keys = Some(keys);
        self
    }

    /// The operating system's CSPRNG instead of a seeded one.
    pub fn system_rng(mut self) -> Self {
        self.rng = Some(SharedRng::system());
        self
    }

    /// The service, its clock at [`START`] and its audit sink.
    pub fn build(self) -> Harness<S> {
        let clock = ManualClock::new(START);
        let audit = MemoryAuditSink::default();
        let rng = self
            .rng
            .unwrap_or_else(|| SharedRng::new(rand_chacha::ChaCha20Rng::seed_from_u64(self.seed)));
        let keys = self
            .keys
            .unwrap_or_else(|| MasterKeys::from(MasterKey::generate(&rng)));
        let service = Shikaku::builder(self.store)
            .master_keys(keys.clone())
            .config(self.config)
            .clock(clock.clone())
            .rng(rng)
            .audit_sink(audit.clone())
            .build()
            .unwrap();
        Harness {
            service: Arc::new(service),
            clock,
            audit,
            keys,
        }
    }
}

impl<S: Store> Harness<S> {
    /// The default harness over `store`.
    pub fn new(store: Arc<S>) -> Self {
        Self::builder(store).build()
    }

    /// A harness with other policy numbers; the same seed, so the same master key.
    pub fn with_config(store: Arc<S>, config: Config) -> Self {
        Self::builder(store).config(config).build()
    }

    /// Starts building a harness over `store`.
    pub fn builder(store: Arc<S>) -> HarnessBuilder<S> {
        HarnessBuilder {
            store,
            config: Config::for_tests(),
            rng: None,
            seed: SEED,
            keys: None,
        }
    }

    // ----- the clock ------------------------------------------------------------------

    /// Now, by the service's clock.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Moves the clock.
    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// Moves to the next 30-second step (a passcode opens one login only).
    pub fn next_step(&self) {
        self.advance(Duration::seconds(30));
    }

    // ----- accounts -------------------------------------------------------------------

    /// 機関コード [`INSTITUTION_CODE`] + `login_id`, parsed as the service's adapters do.
    pub fn key(&self, login_id: &str) -> AccountKey {
        self.service
            .config()
            .account_key(INSTITUTION_CODE, login_id)
            .unwrap()
    }

    /// Issues `login_id` with [`INITIAL_PASSWORD`].
    pub fn provision(&self, login_id: &str) {
        self.service
            .provision(&self.key(login_id), Some(Password::new(INITIAL_PASSWORD)))
            .unwrap();
    }

    // ----- login ----------------------------------------------------------------------

    /// 《ログイン》 with `password`.
    pub fn login(&self, login_id: &str, password: &str) -> PasswordLogin {
        self.service
            .password_login(&self.key(login_id), &Password::new(password))
            .unwrap()
    }

    /// A password login that must succeed; returns (ticket, needs enrollment).
    pub fn ticket(&self, login_id: &str, password: &str) -> (Token, bool) {
        match self.login(login_id, password) {
            PasswordLogin::NeedsEnrollment(t) => (t.token, true),
            PasswordLogin::NeedsPasscode(t) => (t.token, false),
            other => panic!("expected a ticket, got {other:?}"),
        }
    }

    /// The passcode text an Authenticator with `secret` shows `steps` 30-second steps
    /// from now.
    pub fn code(&self, secret: &Secret, steps: i64) -> String {
        code_at(secret, self.now() + Duration::seconds(30 * steps))
    }

    /// The same passcode, parsed (for calls that must fail before it is looked at).
    pub fn passcode(&self, secret: &Secret, steps: i64) -> Passcode {
        Passcode::parse(&self.code(secret, steps)).unwrap()
    }

    /// The passcode for `setup_key` (as [Authenticator 登録] shows it) now.
    pub fn code_for_key(&self, setup_key: &str) -> String {
        code_at(&secret_of(setup_key), self.now())
    }

    /// 《パスコードを送信》 with `text` as typed: parsed at the edge ([`Passcode::parse`]),
    /// which must succeed, then submitted.
    pub fn submit(&self, ticket: &Token, text: &str) -> PasscodeLogin {
        let passcode = Passcode::parse(text)
            .unwrap_or_else(|e| panic!("{text:?} is not a well-formed passcode: {e}"));
        self.service.submit_passcode(ticket, &passcode).unwrap()
    }

    /// Registers the Authenticator of a fresh account (password, [Authenticator 登録],
    /// the passcode of this step); returns its secret and the session.
    pub fn enroll(&self, login_id: &str) -> (Secret, Token) {
        let (ticket, needs) = self.ticket(login_id, INITIAL_PASSWORD);
        assert!(needs, "a fresh account needs enrollment");
        let view = self.service.enrollment(&ticket).unwrap();
        let secret = secret_of(&view.setup_key.copy_form());
        match self.submit(&ticket, &self.code(&secret, 0)) {
            PasscodeLogin::Session(grant) => {
                assert!(grant.enrolled);
                (secret, grant.token)
            }
            other => panic!("enrollment failed: {other:?}"),
        }
    }

    // ----- sessions -------------------------------------------------------------------

    /// The session check of one request.
    pub fn session(&self, token: &Token) -> Result<SessionInfo, Error> {
        self.service.session(token)
    }

    /// \[パスワード変更\] 《変更》 as one request does it: the session check, then the change
    /// for the session it found.
    pub fn change_password(
        &self,
        session: &Token,
        current: &str,
        new: &str,
        again: &str,
    ) -> Result<PasswordChange, Error> {
        let info = self.service.session(session)?;
        self.service.change_password(
            &info,
            &Password::new(current),
            &Password::new(new),
            &Password::new(again),
        )
    }

    // ----- audit ----------------------------------------------------------------------

    /// How many events of `kind` were emitted.
    pub fn count(&self, kind: AuditKind) -> usize {
        self.audit.kinds().iter().filter(|k| **k == kind).count()
    }
}
