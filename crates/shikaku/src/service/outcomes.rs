//! The outcome of each step of the manual: one type per step, every expected answer a
//! variant (a wrong password is an answer, not an error).

use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::ids::{AccountId, AccountKey, InstitutionCode, LoginId};
use crate::keys::Token;
use crate::lockout::{LockStatus, SessionEpoch};
use crate::password::{Password, Violation};
use crate::store::{AccountRecord, ApiKeyRecord, AuditSeq, StoredAuditEvent};
use crate::totp::SetupKey;

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

/// Where a half-finished login stands: which screen comes after the password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginStage {
    /// No Authenticator yet: [Authenticator 登録], then the passcode confirms it.
    Enrollment,
    /// An Authenticator is registered: the 6-digit passcode.
    Passcode,
}

impl LoginStage {
    pub(super) fn of(account: &AccountRecord) -> Self {
        if account.mfa.is_some() {
            Self::Passcode
        } else {
            Self::Enrollment
        }
    }
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
    /// \[パスワード変更\] first.
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
        /// `true` when the login was registering an Authenticator.
        enrolling: bool,
    },
    /// Wrong (or replayed) passcode; the login stands, so the same screen asks again.
    Invalid {
        /// `true` when the login is registering an Authenticator (the answer belongs on
        /// [Authenticator 登録]), `false` on the passcode screen.
        enrolling: bool,
    },
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

/// An active session's facts, as [`Shikaku::session`](crate::Shikaku::session) found them just now.
///
/// Only the facade makes one, so holding it proves that check; calls that act for a
/// session ([`Shikaku::change_password`](crate::Shikaku::change_password)) take it instead of checking the token again,
/// and still refuse if the session was superseded or went idle in between.
#[derive(Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// Whose.
    pub account: AccountId,
    /// 機関コード + ログイン ID.
    pub key: AccountKey,
    /// When it expires unless used again.
    pub expires_at: OffsetDateTime,
    /// The user must change the password before anything else.
    pub must_change_password: bool,
    /// Which login of the account this session is (private: the proof of the check).
    pub(super) epoch: SessionEpoch,
}

/// The answer to 《変更》 on \[パスワード変更\].
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

/// One line of `shikaku user list`, one account of the JSON API's administration.
/// Holds no secret and no hash.
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
    /// Last changed (password, Authenticator, disabling, a reset).
    pub updated_at: OffsetDateTime,
}

/// A page of accounts ([`Shikaku::accounts_page`](crate::Shikaku::accounts_page)),
/// ordered by 機関コード then ログイン ID.
#[derive(Clone, Debug)]
pub struct AccountListing {
    /// The accounts of this page.
    pub accounts: Vec<AccountSummary>,
    /// Where the next page starts (pass it as `after`); `None` on the last page.
    pub next: Option<AccountKey>,
}

/// A page of audit events ([`Shikaku::audit_page`](crate::Shikaku::audit_page)), in
/// the query's order.
#[derive(Clone, Debug)]
pub struct AuditListing {
    /// The events of this page.
    pub events: Vec<StoredAuditEvent>,
    /// Where the next page starts (pass it as the query's `after`); `None` on the last
    /// page.
    pub next: Option<AuditSeq>,
}

/// A new API key ([`Shikaku::create_api_key`](crate::Shikaku::create_api_key)): the
/// key itself, shown this once (wiped on drop; `Debug` hides it), and what the store
/// keeps.
#[derive(Debug)]
pub struct IssuedApiKey {
    /// The bearer key (256 random bits; 64 lowercase hex digits in the JSON API).
    pub key: Token,
    /// The stored record (its digest, never the key).
    pub record: ApiKeyRecord,
}
