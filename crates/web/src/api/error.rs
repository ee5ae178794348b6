//! The API's errors: one enum, one stable `code` per variant, messages in both languages.
//!
//! | status | `error` | when |
//! |---|---|---|
//! | 400 | `malformed` | not JSON, wrong `Content-Type`, wrong field type, missing / unknown / repeated field, empty field, control character, identifier, passcode, token or query parameter of the wrong form (`malformed.rs`) |
//! | 401 | `invalid_credentials` | wrong password, unknown account (the same bytes for both) |
//! | 401 | `invalid_passcode` | wrong or replayed passcode |
//! | 401 | `session_expired` | the idle timeout (manual: 30 minutes) without activity |
//! | 401 | `session_superseded` | a later login of the same account ended the session |
//! | 401 | `unauthenticated` | no / malformed / unknown bearer token, logged out, login token expired; under `/admin`: no API key, or an unknown or revoked one |
//! | 403 | `password_change_required` | an administrator reset the password |
//! | 403 | `account_disabled` | an administrator disabled the account |
//! | 403 | `forbidden` | a browser request from another origin |
//! | 404 | `not_found` | no such path |
//! | 404 | `unknown_account` | `/admin`: no such account, or one outside the API key's institutions (the same bytes) |
//! | 421 | `misdirected_request` | sent to a host name that is not the server's (`Host` is not the configured public origin's host and port, or — none configured — not a loopback name): DNS rebinding |
//! | 405 | `method_not_allowed` | the path exists, the method does not (`Allow` says which) |
//! | 409 | `enrollment_required` | no Authenticator registered (yet) |
//! | 409 | `already_enrolled` | `GET /enrollment` for an account that has one |
//! | 409 | `account_exists` | `POST /admin/accounts` for an account that exists |
//! | 413 | `too_large` | the body is over the limit (checked before parsing) |
//! | 422 | `password_policy` | the new (or an administrator's initial) password breaks rules: `violations` lists every one |
//! | 423 | `locked` | the configured consecutive failures (manual: 3): `locked_until` says when the lock lifts |
//! | 500 | `internal` | the store or the server failed (details only in the log) |
//! | 503 | `unavailable` | the store cannot answer right now (`Retry-After`) |

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shikaku::password::Violation;
use shikaku::{SessionEnd, StoreError};
use time::OffsetDateTime;

pub(crate) use super::malformed::{Field, Malformed};
use crate::error::RETRY_AFTER_SECONDS;
use crate::lang::Lang;
use crate::messages::Rules;

/// Marks a response as a JSON error of ours, so the outermost middleware keeps it.
#[derive(Clone, Copy, Debug)]
struct ApiRendered;

/// Every error the API answers.
#[derive(Clone, Debug)]
pub(crate) enum ApiError {
    /// 400 `malformed`.
    Malformed(Malformed),
    /// 401 `invalid_credentials`: wrong password or unknown account.
    InvalidCredentials,
    /// 401 `invalid_credentials` on `POST /password`: the current password is wrong.
    WrongCurrentPassword,
    /// 401 `invalid_passcode`.
    InvalidPasscode,
    /// 401 `session_expired`.
    SessionExpired,
    /// 401 `session_superseded`.
    SessionSuperseded,
    /// 401 `unauthenticated`: no usable session token.
    Unauthenticated,
    /// 401 `unauthenticated`: no usable login token (unknown, expired, used).
    LoginExpired,
    /// 401 `unauthenticated` under `/admin`: no API key, or an unknown, revoked or
    /// malformed one.
    ApiKeyRequired,
    /// 403 `password_change_required`.
    PasswordChangeRequired,
    /// 403 `account_disabled`.
    AccountDisabled,
    /// 403 `forbidden`.
    Forbidden,
    /// 421 `misdirected_request`.
    Misdirected,
    /// 404 `not_found`.
    NotFound,
    /// 404 `unknown_account`.
    UnknownAccount,
    /// 405 `method_not_allowed`.
    MethodNotAllowed,
    /// 409 `enrollment_required`.
    EnrollmentRequired,
    /// 409 `already_enrolled`.
    AlreadyEnrolled,
    /// 409 `account_exists`.
    AccountExists,
    /// 413 `too_large`.
    TooLarge,
    /// 422 `password_policy`.
    PasswordPolicy(Vec<Violation>),
    /// 422 `password_policy` for an administrator's initial password.
    InitialPasswordPolicy(Vec<Violation>),
    /// 423 `locked`.
    Locked { until: OffsetDateTime },
    /// 500 `internal`.
    Internal,
    /// 503 `unavailable`.
    Unavailable,
}

impl From<Malformed> for ApiError {
    fn from(why: Malformed) -> Self {
        Self::Malformed(why)
    }
}

impl From<SessionEnd> for ApiError {
    fn from(end: SessionEnd) -> Self {
        match end {
            SessionEnd::Expired => Self::SessionExpired,
            SessionEnd::Superseded => Self::SessionSuperseded,
            SessionEnd::Unknown => Self::Unauthenticated,
        }
    }
}

impl From<crate::error::Error> for ApiError {
    fn from(error: crate::error::Error) -> Self {
        tracing::error!(%error, "API call failed inside the server");
        Self::Internal
    }
}

impl From<shikaku::Error> for ApiError {
    /// The facade's errors. Input errors become 400, the states a client can act on their
    /// own codes, everything else (store, crypto, configuration) a logged 500.
    fn from(error: shikaku::Error) -> Self {
        use shikaku::Error as E;
        match error {
            E::InvalidInstitutionCode { digits } => {
                Self::Malformed(Malformed::InstitutionCode { digits })
            }
            E::InvalidLoginId => Self::Malformed(Malformed::LoginId),
            E::LoginExpired => Self::LoginExpired,
            E::SessionEnded(end) => end.into(),
            E::EnrollmentRequired => Self::EnrollmentRequired,
            E::AlreadyEnrolled => Self::AlreadyEnrolled,
            E::UnknownAccount => Self::UnknownAccount,
            E::Unauthorized => Self::ApiKeyRequired,
            E::InitialPasswordRejected(violations) => {
                Self::InitialPasswordPolicy(violations.iter().cloned().collect())
            }
            E::Store(StoreError::Conflict) => Self::AccountExists,
            E::Store(StoreError::Unavailable(why)) => {
                tracing::warn!(%why, "API call refused: the store is unavailable");
                Self::Unavailable
            }
            other => {
                // Display of the facade's errors never holds a secret.
                tracing::error!(error = %other, "API call failed in the facade");
                Self::Internal
            }
        }
    }
}

/// The JSON error body.
#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    locked_until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    violations: Option<Vec<ViolationBody<'a>>>,
}

#[derive(Serialize)]
struct ViolationBody<'a> {
    code: &'a str,
    message: String,
}

impl ApiError {
    /// The error for a status the middleware or the router produced.
    pub(crate) fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::FORBIDDEN => Self::Forbidden,
            StatusCode::MISDIRECTED_REQUEST => Self::Misdirected,
            StatusCode::NOT_FOUND => Self::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Self::TooLarge,
            StatusCode::UNAUTHORIZED => Self::Unauthenticated,
            StatusCode::SERVICE_UNAVAILABLE => Self::Unavailable,
            s if s.is_server_error() => Self::Internal,
            _ => Self::Malformed(Malformed::Request),
        }
    }

    /// The HTTP status.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::Malformed(_) => StatusCode::BAD_REQUEST,
            Self::InvalidCredentials
            | Self::WrongCurrentPassword
            | Self::InvalidPasscode
            | Self::SessionExpired
            | Self::SessionSuperseded
            | Self::Unauthenticated
            | Self::LoginExpired
            | Self::ApiKeyRequired => StatusCode::UNAUTHORIZED,
            Self::PasswordChangeRequired | Self::AccountDisabled | Self::Forbidden => {
                StatusCode::FORBIDDEN
            }
            Self::NotFound | Self::UnknownAccount => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::EnrollmentRequired | Self::AlreadyEnrolled | Self::AccountExists => {
                StatusCode::CONFLICT
            }
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Misdirected => StatusCode::MISDIRECTED_REQUEST,
            Self::PasswordPolicy(_) | Self::InitialPasswordPolicy(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::Locked { .. } => StatusCode::LOCKED,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The stable machine-readable code (`"error"`).
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::InvalidCredentials | Self::WrongCurrentPassword => "invalid_credentials",
            Self::InvalidPasscode => "invalid_passcode",
            Self::SessionExpired => "session_expired",
            Self::SessionSuperseded => "session_superseded",
            Self::Unauthenticated | Self::LoginExpired | Self::ApiKeyRequired => "unauthenticated",
            Self::PasswordChangeRequired => "password_change_required",
            Self::AccountDisabled => "account_disabled",
            Self::Forbidden => "forbidden",
            Self::Misdirected => "misdirected_request",
            Self::NotFound => "not_found",
            Self::UnknownAccount => "unknown_account",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::EnrollmentRequired => "enrollment_required",
            Self::AlreadyEnrolled => "already_enrolled",
            Self::AccountExists => "account_exists",
            Self::TooLarge => "too_large",
            Self::PasswordPolicy(_) | Self::InitialPasswordPolicy(_) => "password_policy",
            Self::Locked { .. } => "locked",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
        }
    }

    /// The human-readable message (`"message"`), from [`crate::messages`], with the
    /// configured numbers.
    pub(crate) fn message(&self, lang: Lang, rules: &Rules) -> String {
        let m = &lang.t().api;
        let text = match self {
            Self::Malformed(why) => return why.message(lang),
            Self::Locked { until } => return m.locked_until(*until),
            Self::SessionExpired => return rules.fill(lang, m.session_expired),
            Self::InvalidCredentials => m.invalid_credentials,
            Self::WrongCurrentPassword => m.wrong_current_password,
            Self::InvalidPasscode => m.invalid_passcode,
            Self::SessionSuperseded => m.session_superseded,
            Self::Unauthenticated => m.unauthenticated,
            Self::LoginExpired => m.login_expired,
            Self::ApiKeyRequired => m.api_key_required,
            Self::PasswordChangeRequired => m.password_change_required,
            Self::AccountDisabled => m.account_disabled,
            Self::Forbidden => m.forbidden,
            Self::Misdirected => m.misdirected,
            Self::NotFound => m.not_found,
            Self::UnknownAccount => m.unknown_account,
            Self::MethodNotAllowed => m.method_not_allowed,
            Self::EnrollmentRequired => m.enrollment_required,
            Self::AlreadyEnrolled => m.already_enrolled,
            Self::AccountExists => m.account_exists,
            Self::TooLarge => m.too_large,
            Self::PasswordPolicy(_) => m.password_policy,
            Self::InitialPasswordPolicy(_) => m.initial_password_policy,
            Self::Internal => m.internal,
            Self::Unavailable => m.unavailable,
        };
        text.to_owned()
    }

    /// The JSON response in `lang`, for an error made before a handler runs (the
    /// transport's, the extractors'): none of those quotes a configured number.
    pub(crate) fn into_response_in(self, lang: Lang) -> Response {
        debug_assert!(
            !matches!(self, Self::SessionExpired),
            "needs the configured rules"
        );
        self.into_response_with(lang, Rules::manual())
    }

    /// The JSON response in `lang`, its message quoting the configured `rules`.
    pub(crate) fn into_response_with(self, lang: Lang, rules: &Rules) -> Response {
        let status = self.status();
        let body = ErrorBody {
            error: self.code(),
            message: self.message(lang, rules),
            locked_until: match &self {
                Self::Locked { until } => Some(shikaku::lock_end_text(*until)),
                _ => None,
            },
            violations: match &self {
                Self::PasswordPolicy(list) | Self::InitialPasswordPolicy(list) => Some(
                    list.iter()
                        .map(|v| ViolationBody {
                            code: v.code().as_str(),
                            message: if matches!(lang, Lang::Ja) {
                                v.message_ja()
                            } else {
                                v.message_en()
                            },
                        })
                        .collect(),
                ),
                _ => None,
            },
        };
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(lang.code()),
        );
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"shikaku\""),
            );
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        }
        response.extensions_mut().insert(ApiRendered);
        response
    }
}

/// See [`super::restyle_error`].
pub(super) fn restyle(lang: Lang, response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<ApiRendered>().is_some()
    {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut restyled = ApiError::from_status(status).into_response_in(lang);
    if let Some(allow) = allow {
        restyled.headers_mut().insert(header::ALLOW, allow);
    }
    restyled
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn every_error_has_a_message_in_both_languages() {
        let until = datetime!(2026-04-01 00:30:00 UTC);
        let all = [
            ApiError::Malformed(Malformed::ContentType),
            ApiError::InvalidCredentials,
            ApiError::WrongCurrentPassword,
            ApiError::InvalidPasscode,
            ApiError::SessionExpired,
            ApiError::SessionSuperseded,
            ApiError::Unauthenticated,
            ApiError::LoginExpired,
            ApiError::PasswordChangeRequired,
            ApiError::AccountDisabled,
            ApiError::Forbidden,
            ApiError::Misdirected,
            ApiError::NotFound,
            ApiError::MethodNotAllowed,
            ApiError::EnrollmentRequired,
            ApiError::AlreadyEnrolled,
            ApiError::TooLarge,
            ApiError::PasswordPolicy(Vec::new()),
            ApiError::Locked { until },
            ApiError::Internal,
            ApiError::ApiKeyRequired,
            ApiError::UnknownAccount,
            ApiError::AccountExists,
            ApiError::InitialPasswordPolicy(Vec::new()),
            ApiError::Unavailable,
        ];
        for error in all {
            let rules = Rules::default();
            let (ja, en) = (
                error.message(Lang::Ja, &rules),
                error.message(Lang::En, &rules),
            );
            assert!(
                !ja.contains('{') && !en.contains('{'),
                "{error:?}: {ja} {en}"
            );
            assert!(!ja.is_empty() && !en.is_empty());
            assert_ne!(ja, en, "{error:?}");
            assert!(!ja.is_ascii(), "{error:?} in Japanese");
            assert!(en.is_ascii(), "{error:?} in English");
        }
    }

    #[test]
    fn restyle_keeps_ours_and_success() {
        let ours = ApiError::Locked {
            until: datetime!(2026-04-01 00:30:00 UTC),
        }
        .into_response_in(Lang::En);
        assert_eq!(restyle(Lang::Ja, ours).status(), StatusCode::LOCKED);
        let ok = StatusCode::NO_CONTENT.into_response();
        assert_eq!(restyle(Lang::Ja, ok).status(), StatusCode::NO_CONTENT);
        let mut not_allowed = StatusCode::METHOD_NOT_ALLOWED.into_response();
        not_allowed
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        let restyled = restyle(Lang::Ja, not_allowed);
        assert_eq!(restyled.headers()[header::ALLOW], "POST");
        assert_eq!(restyled.headers()[header::CONTENT_TYPE], "application/json");
    }
}
