//! How a session ends: ログアウト確認 and 《OK》, and the session-ended message of
//! 7 重要事項 (30 idle minutes, a login elsewhere).

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use serde::Deserialize;
use shikaku::Store;

use super::flow::{
    Answer, Ended, SignedIn, end_what_the_cookie_holds, failure, incomplete, redirect, see_other,
    session_over, user_of, with_cookie,
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
///
/// * an active session: logged out, → \[ログイン\] with 「ログアウトしました。」;
/// * a session that had already ended (a login elsewhere, 30 idle minutes — the
///   confirmation was opened before): the manual's session-ended message with
///   《閉じる》, as every other screen answers such a session, never "logged out";
/// * a half-finished login (a login-ticket cookie) is abandoned, and anything else
///   leads to \[ログイン\].
///
/// The cookie is removed in every case, and never before the record behind it ends.
pub(super) async fn logout<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    browser: BrowserSession,
) -> Answer {
    let token = browser.token.to_facade();
    let ended = state
        .run_light(move |s| end_what_the_cookie_holds(s, &token))
        .await
        .map_err(incomplete(lang, "logout"))?
        .map_err(|error| failure(lang, "logout", &error))?;
    let removal = state.security.removal_cookie();
    match ended {
        Ended::Session => Ok(with_cookie(see_other(LOGIN_LOGGED_OUT), removal)),
        Ended::SessionAlready(end) => Err(session_over(&state.security, end)),
        Ended::NoSession => Ok(with_cookie(see_other(paths::LOGIN), removal)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct SessionEndedQuery {
    reason: Option<String>,
}

/// The message of 7 重要事項 (quoting the configured idle timeout); 《閉じる》 leads to
/// \[ログイン\].
pub(super) async fn session_ended<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    Query(q): Query<SessionEndedQuery>,
) -> Answer {
    match q.reason.as_deref().and_then(SessionEndReason::from_code) {
        Some(reason) => Ok(SessionEndedPage {
            lang,
            reason,
            rules: std::sync::Arc::clone(&state.rules),
        }
        .into_response()),
        None => Err(redirect(paths::LOGIN)),
    }
}
