//! The error pages.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::page::{Screen, html_response, plain_lang_switch};
use crate::error::RETRY_AFTER_SECONDS;
use crate::lang::Lang;

/// The kinds of error page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400 (and other 4xx without a page of their own).
    BadRequest,
    /// 403: cross-origin request or CSRF token missing/wrong.
    Forbidden,
    /// 404.
    NotFound,
    /// 405.
    MethodNotAllowed,
    /// 413.
    PayloadTooLarge,
    /// 421: the request was sent to a name that is not this server's.
    MisdirectedRequest,
    /// 500 (and other 5xx).
    Internal,
    /// 503: the store cannot answer right now (一時的に利用できません); sent with
    /// `Retry-After`.
    Unavailable,
}

impl ErrorKind {
    /// The status this kind is normally sent with.
    #[must_use]
    pub const fn status(self) -> StatusCode {
        match self {
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::MisdirectedRequest => StatusCode::MISDIRECTED_REQUEST,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The page for an error status.
    #[must_use]
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => ErrorKind::Forbidden,
            StatusCode::NOT_FOUND => ErrorKind::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => ErrorKind::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorKind::PayloadTooLarge,
            StatusCode::MISDIRECTED_REQUEST => ErrorKind::MisdirectedRequest,
            StatusCode::SERVICE_UNAVAILABLE => ErrorKind::Unavailable,
            s if s.is_server_error() => ErrorKind::Internal,
            _ => ErrorKind::BadRequest,
        }
    }
}

/// An error page in the site's style.
#[derive(Debug, Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Display language.
    pub lang: Lang,
    /// Which error.
    pub kind: ErrorKind,
    status: StatusCode,
}

impl ErrorPage {
    /// The page for `kind`, sent with [`ErrorKind::status`].
    #[must_use]
    pub fn new(lang: Lang, kind: ErrorKind) -> Self {
        ErrorPage {
            lang,
            kind,
            status: kind.status(),
        }
    }

    /// Renders the page with another status (e.g. 415 with the 400 text).
    #[must_use]
    pub fn with_status(mut self, status: StatusCode) -> Response {
        self.status = status;
        self.render_response()
    }

    fn render_response(&self) -> Response {
        let mut response = html_response(self.status, self);
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        }
        response
    }

    fn texts(&self) -> (&'static str, &'static str) {
        let m = self.lang.t();
        match self.kind {
            ErrorKind::BadRequest => m.err_bad_request,
            ErrorKind::Forbidden => m.err_forbidden,
            ErrorKind::NotFound => m.err_not_found,
            ErrorKind::MethodNotAllowed => m.err_method_not_allowed,
            ErrorKind::PayloadTooLarge => m.err_payload_too_large,
            ErrorKind::MisdirectedRequest => m.err_misdirected,
            ErrorKind::Internal => m.err_internal,
            ErrorKind::Unavailable => m.err_unavailable,
        }
    }

    fn code(&self) -> u16 {
        self.status.as_u16()
    }
}

impl IntoResponse for ErrorPage {
    fn into_response(self) -> Response {
        self.render_response()
    }
}

impl Screen for ErrorPage {
    plain_lang_switch!();
    fn title(&self) -> &'static str {
        self.texts().0
    }
}
