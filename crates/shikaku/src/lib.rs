//! # shikaku
//!
//! The staff MFA registration and login system of 資格確認限定型レセコン連携機能
//! (Japan's online qualification-verification receipt-computer integration), as one
//! service a receipt-computer vendor embeds.
//!
//! [`Shikaku`] composes the four sans-IO core crates — re-exported here as
//! [`password`], [`lockout`], [`totp`] and [`qr`] — into the flows of the operations
//! manual, over a [`Store`] of the host's choosing ([`MemoryStore`] here, SQLite in
//! `shikaku-store-sqlite`). The clock ([`Clock`]) and the CSPRNG ([`SharedRng`]) are
//! injected, so every rule can be tested at its exact edge.
//!
//! | manual | method |
//! |---|---|
//! | ユーザ設定情報の発行 | [`Shikaku::provision`] |
//! | \[ログイン\] 《ログイン》 | [`Shikaku::password_login`], [`Shikaku::login_stage`] |
//! | [Authenticator 登録] | [`Shikaku::enrollment`], [`Shikaku::enrollment_sheet`] |
//! | 《Authenticator 登録確認に進む》 (印刷確認) | [`Shikaku::proceed_to_confirmation`] |
//! | 《パスコードを送信》 | [`Shikaku::submit_passcode`] |
//! | 30 分無操作 / 再ログイン | [`Shikaku::session`] ([`Error::SessionEnded`]) |
//! | \[パスワード変更\] 《変更》 | [`Shikaku::change_password`] |
//! | 《ログアウト》 | [`Shikaku::logout`] |
//! | レセコンからの認証 | [`Shikaku::authenticate`] |
//! | 管理 | [`Shikaku::provision`], [`Shikaku::unlock`], [`Shikaku::reset_mfa`], … |
//!
//! Input is parsed once, at the edge, into domain types — [`AccountKey`] (through
//! [`Config::account_key`]), [`password::Password`], [`totp::Passcode`] and the 32-byte
//! [`Token`] — and every step answers with its own outcome type. Each flow is one file
//! under `src/service/`; the rules they share are in `src/service/guards.rs`.
//!
//! ## Security properties
//!
//! - **Atomic lockout.** Each attempt is reserved (counted as a failure) inside one
//!   atomic store update *before* the password or passcode is verified, and refunded on
//!   success; N concurrent guesses get at most 3 verifications. Counters are keyed on
//!   the normalised identifier whether or not the account exists.
//! - **Same answer, same work** for every wrong password: each password step runs one
//!   argon2 verification per distinct setting stored (the real hash for the account's
//!   own, a dummy for every other; an unknown identifier: dummies for all), so neither
//!   an unknown identifier nor an account hashed under older settings stands out.
//! - **One registration per login.** An Authenticator registration in progress belongs
//!   to the login that drew it: a later login draws a new secret (an earlier QR code
//!   stops working), and resets and disabling drop it.
//! - **Replay guard.** A passcode's time step is claimed inside the same atomic update
//!   that verifies it, so one code opens at most one session, and the code that
//!   confirmed the registration cannot be reused for the first login.
//! - **Secrets at rest.** TOTP secrets are sealed with ChaCha20-Poly1305 under a
//!   subkey of the host's [`MasterKey`]; the argon2 pepper is another subkey. Tokens
//!   are stored as SHA-256 digests.
//!
//! ## Example
//!
//! ```
//! use std::sync::Arc;
//! use shikaku::{Config, MasterKey, MemoryStore, PasswordLogin, SharedRng, Shikaku};
//! use shikaku::password::Password;
//!
//! let rng = SharedRng::system();
//! let service = Shikaku::builder(Arc::new(MemoryStore::new()))
//!     .master_key(MasterKey::generate(&rng))
//!     .config(Config::for_tests()) // cheap argon2 for the example
//!     .build()?;
//!
//! // Parse what was typed once, at the edge; the facade takes domain types.
//! let key = service.config().account_key("0123456789", "staff01")?;
//! let settings = service.provision(&key, None)?;
//! match service.password_login(&key, &settings.initial_password)? {
//!     PasswordLogin::NeedsEnrollment(ticket) => {
//!         let view = service.enrollment(&ticket.token)?;
//!         assert!(view.otpauth_uri.starts_with("otpauth://totp/"));
//!     }
//!     other => panic!("unexpected: {other:?}"),
//! }
//! # Ok::<(), shikaku::Error>(())
//! ```

#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub use shikaku_lockout as lockout;
pub use shikaku_password as password;
pub use shikaku_qr as qr;
pub use shikaku_totp as totp;

mod audit;
mod clock;
pub mod columns;
mod config;
mod error;
mod ids;
mod keys;
mod memory;
mod service;
mod store;
#[cfg(feature = "testing")]
pub mod testing;

pub use audit::{
    AuditEvent, AuditKind, AuditSink, Channel, MemoryAuditSink, StoreAuditSink, TracingAuditSink,
    lock_end_text,
};
pub use clock::{Clock, ManualClock, SharedRng, SystemClock};
pub use config::DEFAULT_AUDIT_RETENTION;
pub use config::{Config, HashCost};
pub use error::{Error, StoreError};
pub use ids::{
    AccountId, AccountKey, DEFAULT_INSTITUTION_CODE_DIGITS, InstitutionCode, LoginId,
    MAX_LOGIN_ID_CHARS,
};
pub use keys::{
    KeyCounts, KeyId, KeyUsage, MasterKey, MasterKeys, SealedSecret, Token, TokenDigest,
};
pub use memory::MemoryStore;
pub use service::{AUDIT_BATCH, ENDED_SESSIONS_KEPT, HousekeepingReport};
pub use service::{
    AccountListing, AdminCaller, AuditListing, IssuedApiKey, MAX_API_KEY_NAME_CHARS, MAX_PAGE,
};
pub use service::{
    AccountSummary, Argon2Timings, Authentication, Builder, EnrollmentView, HashingLoad, Identity,
    InitialSettings, LoginStage, LoginTicket, PasscodeLogin, PasswordChange, PasswordLogin,
    PrintPrompt, RotationReport, SessionEnd, SessionGrant, SessionInfo, Shikaku,
};
pub use store::{
    AccountPage, AccountRecord, ApiKeyId, ApiKeyRecord, ApiKeyScope, Attempts, AuditOrder,
    AuditQuery, AuditSeq, KeyCheck, LoginTicketRecord, MfaRecord, NewAccount, NewApiKey,
    PendingMfa, SessionRecord, Store, StoredAuditEvent,
};
pub use store::{CopyReport, copy_store};

/// Japan Standard Time (UTC+9, no daylight saving): the manual's time zone.
pub const JST: time::UtcOffset = match time::UtcOffset::from_hms(9, 0, 0) {
    Ok(offset) => offset,
    Err(_) => time::UtcOffset::UTC,
};

/// The calendar date in Japan of an instant.
pub fn jst_date(at: time::OffsetDateTime) -> time::Date {
    at.to_offset(JST).date()
}
