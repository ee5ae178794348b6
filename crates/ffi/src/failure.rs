//! [`Failure`]: why a call did not succeed, before it becomes a status code and an
//! error object. Every answer of the manual and every error of the facade maps onto one.

use shikaku::password::Violation;
use shikaku::{SessionEnd, StoreError};
use time::OffsetDateTime;

use crate::messages::{self as m, Context, Lang};
use crate::types::shikaku_status;

/// Why a call did not succeed.
#[derive(Debug)]
pub(crate) enum Failure {
    InvalidCredentials,
    WrongCurrentPassword,
    InvalidPasscode,
    Locked(OffsetDateTime),
    AccountDisabled,
    EnrollmentRequired,
    AlreadyEnrolled,
    PasswordChangeRequired,
    /// `new`: a new password of a password change (the JSON API's wording), else a
    /// candidate or an administrator's initial password.
    PasswordPolicy {
        violations: Vec<Violation>,
        new: bool,
    },
    LoginExpired,
    SessionExpired,
    SessionSuperseded,
    SessionUnknown,
    UnknownAccount,
    AccountExists,
    NullArgument(&'static str),
    InvalidUtf8(&'static str),
    /// The parameter and what is wrong with it, in both languages.
    InvalidArgument {
        name: &'static str,
        why: m::Text,
    },
    MalformedInstitutionCode(usize),
    MalformedLoginId,
    MalformedPasscode,
    InvalidHandle(&'static str),
    Config(String),
    OpenFailed(String),
    PostgresUnsupported,
    StoreUnavailable(String),
    StoreCorrupt(String),
    Internal(String),
    Panic,
}

impl Failure {
    pub(crate) fn status(&self) -> shikaku_status {
        use shikaku_status as S;
        match self {
            Self::InvalidCredentials | Self::WrongCurrentPassword => S::InvalidCredentials,
            Self::InvalidPasscode => S::InvalidPasscode,
            Self::Locked(_) => S::Locked,
            Self::AccountDisabled => S::AccountDisabled,
            Self::EnrollmentRequired => S::EnrollmentRequired,
            Self::AlreadyEnrolled => S::AlreadyEnrolled,
            Self::PasswordChangeRequired => S::PasswordChangeRequired,
            Self::PasswordPolicy { .. } => S::PasswordPolicy,
            Self::LoginExpired => S::LoginExpired,
            Self::SessionExpired => S::SessionExpired,
            Self::SessionSuperseded => S::SessionSuperseded,
            Self::SessionUnknown => S::SessionUnknown,
            Self::UnknownAccount => S::UnknownAccount,
            Self::AccountExists => S::AccountExists,
            Self::NullArgument(_) => S::NullArgument,
            Self::InvalidUtf8(_) => S::InvalidUtf8,
            Self::InvalidArgument { .. } => S::InvalidArgument,
            Self::MalformedInstitutionCode(_) => S::MalformedInstitutionCode,
            Self::MalformedLoginId => S::MalformedLoginId,
            Self::MalformedPasscode => S::MalformedPasscode,
            Self::InvalidHandle(_) => S::InvalidHandle,
            Self::Config(_) => S::Config,
            Self::OpenFailed(_) => S::OpenFailed,
            Self::PostgresUnsupported => S::Unsupported,
            Self::StoreUnavailable(_) => S::StoreUnavailable,
            Self::StoreCorrupt(_) => S::StoreCorrupt,
            Self::Internal(_) => S::Internal,
            Self::Panic => S::Panic,
        }
    }

    /// The message for people, in `lang`, quoting the numbers of `context`.
    pub(crate) fn message(&self, lang: Lang, context: &Context) -> String {
        match self {
            Self::InvalidCredentials => m::INVALID_CREDENTIALS.pick(lang).to_owned(),
            Self::WrongCurrentPassword => m::WRONG_CURRENT_PASSWORD.pick(lang).to_owned(),
            Self::InvalidPasscode => m::INVALID_PASSCODE.pick(lang).to_owned(),
            Self::Locked(until) => m::LOCKED.fill(lang, &m::lock_end(*until)),
            Self::AccountDisabled => m::ACCOUNT_DISABLED.pick(lang).to_owned(),
            Self::EnrollmentRequired => m::ENROLLMENT_REQUIRED.pick(lang).to_owned(),
            Self::AlreadyEnrolled => m::ALREADY_ENROLLED.pick(lang).to_owned(),
            Self::PasswordChangeRequired => m::PASSWORD_CHANGE_REQUIRED.pick(lang).to_owned(),
            Self::PasswordPolicy { new: true, .. } => m::NEW_PASSWORD_POLICY.pick(lang).to_owned(),
            Self::PasswordPolicy { new: false, .. } => m::PASSWORD_POLICY.pick(lang).to_owned(),
            Self::LoginExpired => m::LOGIN_EXPIRED.pick(lang).to_owned(),
            Self::SessionExpired => m::SESSION_EXPIRED.fill_idle(lang, context.idle),
            Self::SessionSuperseded => m::SESSION_SUPERSEDED.pick(lang).to_owned(),
            Self::SessionUnknown => m::SESSION_UNKNOWN.pick(lang).to_owned(),
            Self::UnknownAccount => m::UNKNOWN_ACCOUNT.pick(lang).to_owned(),
            Self::AccountExists => m::ACCOUNT_EXISTS.pick(lang).to_owned(),
            Self::NullArgument(name) => m::NULL_ARGUMENT.fill(lang, name),
            Self::InvalidUtf8(name) => m::INVALID_UTF8.fill(lang, name),
            Self::InvalidArgument { name, why } => {
                m::INVALID_ARGUMENT.fill(lang, &format!("{name}: {}", why.pick(lang)))
            }
            Self::MalformedInstitutionCode(digits) => {
                m::MALFORMED_INSTITUTION_CODE.fill(lang, &digits.to_string())
            }
            Self::MalformedLoginId => m::MALFORMED_LOGIN_ID.pick(lang).to_owned(),
            Self::MalformedPasscode => m::MALFORMED_PASSCODE.pick(lang).to_owned(),
            Self::InvalidHandle(name) => m::INVALID_HANDLE.fill(lang, name),
            Self::Config(detail) => m::CONFIG.fill(lang, detail),
            Self::OpenFailed(detail) => m::OPEN_FAILED.fill(lang, detail),
            Self::PostgresUnsupported => m::POSTGRES_UNSUPPORTED.pick(lang).to_owned(),
            Self::StoreUnavailable(detail) => m::STORE_UNAVAILABLE.fill(lang, detail),
            Self::StoreCorrupt(detail) => m::STORE_CORRUPT.fill(lang, detail),
            Self::Internal(detail) => m::INTERNAL.fill(lang, detail),
            Self::Panic => m::PANIC.pick(lang).to_owned(),
        }
    }

    /// When the lock lifts, for [`Failure::Locked`].
    pub(crate) fn locked_until(&self) -> Option<OffsetDateTime> {
        match self {
            Self::Locked(until) => Some(*until),
            _ => None,
        }
    }

    /// Every broken rule, for [`Failure::PasswordPolicy`].
    pub(crate) fn into_violations(self) -> Vec<Violation> {
        match self {
            Self::PasswordPolicy { violations, .. } => violations,
            _ => Vec::new(),
        }
    }
}

impl From<shikaku::Error> for Failure {
    fn from(error: shikaku::Error) -> Self {
        use shikaku::Error as E;
        match error {
            E::InvalidInstitutionCode { digits } => Self::MalformedInstitutionCode(digits),
            E::InvalidLoginId => Self::MalformedLoginId,
            E::LoginExpired => Self::LoginExpired,
            E::SessionEnded(end) => end.into(),
            E::EnrollmentRequired => Self::EnrollmentRequired,
            E::AlreadyEnrolled => Self::AlreadyEnrolled,
            E::UnknownAccount => Self::UnknownAccount,
            E::InitialPasswordRejected(violations) => Self::PasswordPolicy {
                violations: violations.into_vec(),
                new: false,
            },
            E::InvalidConfig(why) => Self::Config(why),
            E::Store(store) => store.into(),
            other @ E::InvalidMasterKey => Self::Config(other.to_string()),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<SessionEnd> for Failure {
    fn from(end: SessionEnd) -> Self {
        match end {
            SessionEnd::Expired => Self::SessionExpired,
            SessionEnd::Superseded => Self::SessionSuperseded,
            SessionEnd::Unknown => Self::SessionUnknown,
        }
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict => Self::AccountExists,
            StoreError::Corrupt(why) => Self::StoreCorrupt(why),
            StoreError::Unavailable(why) => Self::StoreUnavailable(why),
            other => Self::StoreUnavailable(other.to_string()),
        }
    }
}

impl From<shikaku_store_sqlite::Error> for Failure {
    fn from(error: shikaku_store_sqlite::Error) -> Self {
        Self::OpenFailed(error.to_string())
    }
}
