//! How a session ends: ログアウト確認 and 《OK》, and the session-ended message of
//! 7 重要事項 (30 idle minutes, a login elsewhere).

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use serde::Deserialize;
use shikaku::Store;

use super::flow::{
    Answer, SignedIn, failure, incomplete, redirect, see_other, user_of, with_cookie,
};
use crate::lang::Lang;
use crate::paths;
use crate::security::{BrowserSession, CsrfToken};
use crate::state::AppState;
use crate::views::{LogoutConfirmPage, SessionEndReason, SessionEndedPage};

/// \[ログイン\] right after logging out (shows 「ログアウトしました。」).
const LOGIN_LOGGED_OUT: &str = "/login?notice=logged-out";

/// ログアウト確認.
pub(super) async fn logout_confirm(
    lang: Lang,
    csrf_token: CsrfToken,
    SignedIn(info): SignedIn,
) -> LogoutConfirmPage {
    LogoutConfirmPage {
        lang,
        csrf_token,
        user: user_of(&info),
    }
}

/// 《OK》 of the logout confirmation.
pub(super) async fn logout<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    browser: BrowserSession,
) -> Answer {
    let token = browser.token.to_facade();
    match state
        .run_light(move |s| s.logout(&token))
        .await
        .map_err(incomplete(lang, "logout"))?
    {
        Ok(_) => Ok(with_cookie(
            see_other(LOGIN_LOGGED_OUT),
            state.security.removal_cookie(),
        )),
        Err(error) => Err(failure(lang, "logout", &error)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct SessionEndedQuery {
    reason: Option<String>,
}

/// The message of 7 重要事項; 《閉じる》 leads to \[ログイン\].
pub(super) async fn session_ended(lang: Lang, Query(q): Query<SessionEndedQuery>) -> Answer {
    match q.reason.as_deref().and_then(SessionEndReason::from_code) {
        Some(reason) => Ok(SessionEndedPage { lang, reason }.into_response()),
        None => Err(redirect(paths::LOGIN)),
    }
}
