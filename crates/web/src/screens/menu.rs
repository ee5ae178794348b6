//! \[管理メニュー\].

use axum::extract::Query;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::flow::{Answer, SignedIn, redirect, user_of};
use crate::lang::Lang;
use crate::paths;
use crate::views::{MenuNotice, MenuPage};

#[derive(Debug, Default, Deserialize)]
pub(super) struct MenuQuery {
    registered: Option<String>,
}

/// \[管理メニュー\] — except while an administrator's password reset is pending: then
/// \[パスワード変更\] comes first.
pub(super) async fn menu(
    lang: Lang,
    SignedIn(info): SignedIn,
    Query(q): Query<MenuQuery>,
) -> Answer {
    if info.must_change_password {
        return Err(redirect(paths::PASSWORD));
    }
    Ok(MenuPage {
        lang,
        user: user_of(&info),
        notice: (q.registered.as_deref() == Some("1")).then_some(MenuNotice::MfaRegistered),
    }
    .into_response())
}
