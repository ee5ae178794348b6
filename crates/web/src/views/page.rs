//! What every page shares: the layout's questions ([`Screen`]), rendering to a
//! response, the [`Rendered`] marker, and the signed-in user of the header.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::lang::Lang;

/// Marks a response as one of our rendered pages, so the error-page
/// restyling leaves it alone.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rendered;

/// What the shared layout (`base.html`) asks of every page.
pub(super) trait Screen {
    /// The screen name, as in the manual (`<title>` and `<h1>`). The `<title>` adds
    /// the system name after it, unless the screen name *is* the system name (the
    /// start page).
    fn title(&self) -> &'static str;
    /// The "?" overview, for screens that have one.
    fn help(&self) -> Option<&'static str> {
        None
    }
    /// The header's language switch: this screen in the other language.
    fn lang_switch_href(&self) -> String;
}

/// The switch link of a screen whose URL carries nothing else worth keeping.
pub(super) fn lang_switch(lang: Lang) -> String {
    format!("?lang={}", lang.other())
}

/// Implements [`Screen::lang_switch_href`] as a bare `?lang=` link.
macro_rules! plain_lang_switch {
    () => {
        fn lang_switch_href(&self) -> String {
            $crate::views::page::lang_switch(self.lang)
        }
    };
}
pub(super) use plain_lang_switch;

/// Renders `page` as an HTML response with `status`, marked [`Rendered`].
pub(super) fn html_response<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => {
            let mut response = (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                body,
            )
                .into_response();
            response.extensions_mut().insert(Rendered);
            response
        }
        Err(error) => {
            tracing::error!(%error, "template rendering failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Implements `IntoResponse` for pages that render as `200 OK`.
macro_rules! ok_page {
    ($($page:ty),* $(,)?) => {$(
        impl ::axum::response::IntoResponse for $page {
            fn into_response(self) -> ::axum::response::Response {
                $crate::views::page::html_response(::axum::http::StatusCode::OK, &self)
            }
        }
    )*};
}
pub(super) use ok_page;

/// The signed-in staff member, shown in the header of signed-in screens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedInUser {
    /// 機関コード.
    pub institution_code: String,
    /// ログイン ID.
    pub login_id: String,
}
