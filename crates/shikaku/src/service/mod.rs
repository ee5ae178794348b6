//! [`Shikaku`]: the manual's flows over a [`Store`].
//!
//! One file per flow, in the order the manual walks through them; the rules they share
//! (reserving an attempt, the password step, the passcode step) live in [`guards`].
//!
//! | file | manual |
//! |---|---|
//! | `login.rs` | \[ログイン\] 《ログイン》, 《戻る》 |
//! | `enrollment.rs` | [Authenticator 登録], the print sheet, 《Authenticator 登録確認に進む》 |
//! | `passcode.rs` | 《パスコードを送信》 |
//! | `session.rs` | 30 分無操作, 別の端末でのログイン, 《ログアウト》 |
//! | `password.rs` | \[パスワード変更\] 《変更》 |
//! | `authenticate.rs` | the receipt computer's one-call authentication |
//! | `admin.rs` | ユーザ設定情報の発行 and the administrator's operations |
//! | `housekeeping.rs` | the periodic run: lock periods' counts, expired records, ended sessions, audit retention |
//! | `rotation.rs` | master-key rotation: re-sealing TOTP secrets, key usage |
//!
//! `timing.rs` keeps every password step at the same argon2 work whatever the
//! account's stored settings (one dummy per distinct setting).

use std::sync::Arc;

use time::OffsetDateTime;

use crate::audit::{AuditEvent, AuditKind, AuditSink, Channel, Fanout};
use crate::clock::{Clock, SharedRng};
use crate::config::Config;
use crate::error::Error;
use crate::ids::AccountKey;
use crate::keys::SecretBox;
use crate::password::{Hasher, Password, PasswordHash};
use crate::store::Store;

mod admin;
mod api_keys;
mod authenticate;
mod builder;
mod enrollment;
mod gate;
mod guards;
mod housekeeping;
mod login;
mod outcomes;
mod passcode;
mod password;
mod refusals;
mod rotation;
mod session;
mod timing;
mod unknown;

pub use admin::MAX_PAGE;
pub use api_keys::{AdminCaller, MAX_API_KEY_NAME_CHARS};
pub use builder::Builder;
pub use gate::{Argon2Timings, HashingLoad};
pub use housekeeping::{AUDIT_BATCH, ENDED_SESSIONS_KEPT, HousekeepingReport};
pub use outcomes::{AccountListing, AuditListing, IssuedApiKey};
pub use outcomes::{
    AccountSummary, Authentication, EnrollmentView, Identity, InitialSettings, LoginStage,
    LoginTicket, PasscodeLogin, PasswordChange, PasswordLogin, PrintPrompt, SessionEnd,
    SessionGrant, SessionInfo,
};
pub use rotation::RotationReport;

/// The service a host embeds: every flow of the manual over a [`Store`].
///
/// Every method takes domain types parsed once at the edge — [`AccountKey`],
/// [`Password`], [`Passcode`](crate::totp::Passcode), a 32-byte [`Token`](crate::Token)
/// — and answers with the step's outcome type; [`Error`] is kept for what is not an
/// answer of the manual (a store failure, an ended login or session, malformed state).
/// All methods are synchronous and may run argon2 (tens of milliseconds): async hosts
/// call them from a blocking pool (`tokio::task::spawn_blocking`).
///
/// # Methods by flow, in the manual's order
///
/// **Setting up**: [`builder`](Self::builder), [`config`](Self::config),
/// [`store`](Self::store), [`now`](Self::now).
///
/// **\[ログイン\]** — [`password_login`](Self::password_login) (institution code, login ID,
/// password → a login ticket), [`login_stage`](Self::login_stage) (which screen the
/// ticket leads to), [`abandon_login`](Self::abandon_login) (《戻る》).
///
/// **[Authenticator 登録]** — [`enrollment`](Self::enrollment) (QR code, setup key),
/// [`enrollment_sheet`](Self::enrollment_sheet) and [`enrollment_png`](Self::enrollment_png)
/// (printing), [`proceed_to_confirmation`](Self::proceed_to_confirmation) (which print
/// confirmation).
///
/// **Passcode** — [`submit_passcode`](Self::submit_passcode) (→ a session).
///
/// **Sessions** — [`session`](Self::session) (checks and extends; learns of idle
/// timeouts and logins elsewhere), [`logout`](Self::logout).
///
/// **\[パスワード変更\]** — [`change_password`](Self::change_password).
///
/// **Receipt computer** — [`authenticate`](Self::authenticate) (password and passcode in
/// one call, no session).
///
/// **Administration** — [`provision`](Self::provision), [`unlock`](Self::unlock),
/// [`reset_mfa`](Self::reset_mfa), [`reset_password`](Self::reset_password),
/// [`set_disabled`](Self::set_disabled), [`accounts`](Self::accounts),
/// [`recent_audit`](Self::recent_audit), [`prune`](Self::prune) as the local operator;
/// for any [`AdminCaller`] (an API key's scope checked first, its id in the audit
/// events): [`provision_as`](Self::provision_as), [`unlock_as`](Self::unlock_as),
/// [`reset_mfa_as`](Self::reset_mfa_as), [`reset_password_as`](Self::reset_password_as),
/// [`set_disabled_as`](Self::set_disabled_as), [`account_as`](Self::account_as),
/// [`accounts_page`](Self::accounts_page), [`audit_page`](Self::audit_page).
///
/// **API keys** — [`create_api_key`](Self::create_api_key), [`api_keys`](Self::api_keys),
/// [`revoke_api_key`](Self::revoke_api_key), [`admin_caller`](Self::admin_caller).
///
/// **Housekeeping** — [`housekeeping`](Self::housekeeping) (periodic: lock periods'
/// counts, expired records, ended sessions, audit retention).
///
/// **Master keys** — [`current_key_id`](Self::current_key_id),
/// [`rotate_secrets`](Self::rotate_secrets), [`key_usage`](Self::key_usage),
/// [`forget_history_under`](Self::forget_history_under).
pub struct Shikaku<S: Store> {
    store: Arc<S>,
    config: Config,
    clock: Arc<dyn Clock>,
    rng: SharedRng,
    hasher: Hasher,
    equaliser: timing::Equaliser,
    gate: gate::HashGate,
    secret_box: SecretBox,
    unknown: unknown::UnknownIdentifiers,
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
        Builder::new(store)
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

    /// How busy the hashing gate is (computations running and waiting): for metrics.
    pub fn hashing_load(&self) -> HashingLoad {
        self.gate.load()
    }

    /// How long argon2 computations took so far: for metrics.
    pub fn argon2_timings(&self) -> Argon2Timings {
        self.gate.timings()
    }

    /// Runs one argon2 computation under the hashing gate (gate.rs), timed by the clock.
    fn argon2<T>(&self, f: impl FnOnce() -> T) -> T {
        self.gate.run(|| {
            let started = self.clock.now();
            let out = f();
            let took = self.clock.now() - started;
            self.gate.record(took.as_seconds_f64());
            out
        })
    }

    fn hash(&self, password: &Password) -> Result<PasswordHash, Error> {
        self.argon2(|| self.rng.with(|r| self.hasher.hash(password, r)))
            .map_err(|e| Error::Hashing(e.to_string()))
    }

    /// Test kit only: the argon2 verifications password steps ran since the last call,
    /// counted by the settings verified (`$argon2id$v=19$m=…,t=…,p=…$len=32`), real and
    /// dummy alike. Every wrong password costs the same whatever the account: the
    /// counts of one step are the same for an unknown identifier and for an account of
    /// any stored settings.
    #[cfg(feature = "testing")]
    pub fn take_verification_counts(&self) -> std::collections::BTreeMap<String, u64> {
        self.equaliser.take_counts()
    }
}
