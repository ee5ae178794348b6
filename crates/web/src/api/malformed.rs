//! Why a request is refused for its form (400 `malformed`), and the fields and
//! parameters such a refusal names.

use crate::lang::Lang;

/// A request field or parameter, by its JSON (or query) name, used in `malformed`
/// messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    InstitutionCode,
    LoginId,
    Password,
    Passcode,
    LoginToken,
    CurrentPassword,
    NewPassword,
    NewPasswordConfirm,
    InitialPassword,
    Since,
    Until,
}

impl Field {
    /// The JSON property (or query parameter) name.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::InstitutionCode => "institution_code",
            Self::LoginId => "login_id",
            Self::Password => "password",
            Self::Passcode => "passcode",
            Self::LoginToken => "login_token",
            Self::CurrentPassword => "current_password",
            Self::NewPassword => "new_password",
            Self::NewPasswordConfirm => "new_password_confirm",
            Self::InitialPassword => "initial_password",
            Self::Since => "since",
            Self::Until => "until",
        }
    }
}

/// Why a request is malformed (400 `malformed`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Malformed {
    /// `Content-Type` is not `application/json`.
    ContentType,
    /// Not JSON (syntax error, invalid UTF-8, lone surrogate, trailing data, empty body).
    Syntax { line: usize, column: usize },
    /// JSON, but not the documented object: missing, unknown or repeated field, wrong type.
    Shape { line: usize, column: usize },
    /// A field that must not be empty is.
    Empty(Field),
    /// A field holds a control character (NUL, newline, DEL, …).
    Control(Field),
    /// 機関コード is not the configured number of digits.
    InstitutionCode { digits: usize },
    /// ログイン ID is not 1–64 of `A-Za-z0-9._-@`.
    LoginId,
    /// The passcode is not 6 digits.
    Passcode,
    /// A token field is not 64 lowercase hex digits.
    Token(Field),
    /// An unknown or repeated query parameter (its name is not echoed).
    Query,
    /// `limit` is not a whole number from 1 to `max`.
    Limit { max: usize },
    /// `after` is not a cursor this API hands out.
    Cursor,
    /// An instant parameter is not RFC 3339 in UTC, whole seconds.
    Instant(Field),
    /// `kind` names no audit event kind.
    Kind,
    /// Anything else the transport refused (unreadable body or path, other 4xx).
    Request,
}

impl Malformed {
    /// The `message` text in `lang`.
    pub(crate) fn message(&self, lang: Lang) -> String {
        let m = &lang.t().api;
        match self {
            Self::ContentType => m.malformed_content_type.to_owned(),
            Self::Syntax { line, column } => m.syntax_at(*line, *column),
            Self::Shape { line, column } => m.shape_at(*line, *column),
            Self::Empty(field) => m.empty(field.name()),
            Self::Control(field) => m.control(field.name()),
            Self::InstitutionCode { digits } => m.institution_code(*digits),
            Self::LoginId => m.malformed_login_id.to_owned(),
            Self::Passcode => m.malformed_passcode.to_owned(),
            Self::Token(field) => m.token(field.name()),
            Self::Query => m.malformed_query.to_owned(),
            Self::Limit { max } => m.limit(*max),
            Self::Cursor => m.malformed_cursor.to_owned(),
            Self::Instant(field) => m.instant(field.name()),
            Self::Kind => m.malformed_kind.to_owned(),
            Self::Request => m.malformed_request.to_owned(),
        }
    }
}
