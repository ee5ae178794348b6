//! The start page, \[ログイン\] and 《戻る》 (the end of a half-finished login).

use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shikaku::password::Password;
use shikaku::{Error, PasswordLogin, Store};

use super::flow::{
    Answer, end_what_the_cookie_holds, failure, incomplete, rotate_to, see_other, with_cookie,
};
use crate::forms::LoginForm;
use crate::lang::Lang;
use crate::paths;
use crate::security::{BrowserSession, CsrfToken};
use crate::state::AppState;
use crate::views::{LoginError, LoginNotice, LoginPage, StartPage};

/// The start page: 《システムの利用を始める》.
pub(super) async fn start(lang: Lang) -> StartPage {
    StartPage { lang }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct LoginQuery {
    notice: Option<String>,
}

/// \[ログイン\] (with 「ログアウトしました。」 after logging out).
pub(super) async fn login_form<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    csrf_token: CsrfToken,
    Query(q): Query<LoginQuery>,
) -> LoginPage {
    LoginPage {
        notice: (q.notice.as_deref() == Some("logged-out")).then_some(LoginNotice::LoggedOut),
        ..LoginPage::new(lang, csrf_token).with_rules(Arc::clone(&state.rules))
    }
}

/// 《ログイン》.
pub(super) async fn login<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    csrf_token: CsrfToken,
    browser: BrowserSession,
    Form(mut form): Form<LoginForm>,
) -> Answer {
    let institution_code = form.institution_code.clone();
    let login_id = form.login_id.clone();
    let again = |error: LoginError| -> Response {
        LoginPage {
            institution_code: institution_code.clone(),
            login_id: login_id.clone(),
            error: Some(error),
            notice: None,
            lang,
            csrf_token: csrf_token.clone(),
            rules: Arc::clone(&state.rules),
        }
        .into_response()
    };
    if form.institution_code.trim().is_empty()
        || form.login_id.trim().is_empty()
        || form.password.is_empty()
    {
        return Ok(again(LoginError::MissingFields));
    }
    // Malformed identifiers say nothing about which accounts exist: name the field.
    let key = match state
        .service
        .config()
        .account_key(&institution_code, &login_id)
    {
        Ok(key) => key,
        Err(Error::InvalidInstitutionCode { digits }) => {
            return Ok(again(LoginError::InvalidInstitutionCode { digits }));
        }
        Err(Error::InvalidLoginId) => return Ok(again(LoginError::InvalidLoginId)),
        Err(error) => return Err(failure(lang, "password_login", &error)),
    };
    let password = Password::new(std::mem::take(&mut form.password));
    let previous = browser.token.to_facade();
    let outcome = state
        .run(move |s| {
            let outcome = s.password_login(&key, &password)?;
            if matches!(
                outcome,
                PasswordLogin::NeedsEnrollment(_) | PasswordLogin::NeedsPasscode(_)
            ) {
                // The cookie is about to be replaced: whatever it held (a half-finished
                // login, an earlier session, even one already ended) ends server-side too.
                end_what_the_cookie_holds(s, &previous)?;
            }
            Ok::<_, Error>(outcome)
        })
        .await
        .map_err(incomplete(lang, "password_login"))?;
    match outcome {
        Ok(PasswordLogin::NeedsEnrollment(ticket)) => {
            Ok(rotate_to(&state.security, &ticket.token, paths::ENROLL))
        }
        Ok(PasswordLogin::NeedsPasscode(ticket)) => {
            Ok(rotate_to(&state.security, &ticket.token, paths::PASSCODE))
        }
        Ok(PasswordLogin::Locked { until }) => Ok(again(LoginError::Locked { until })),
        Ok(PasswordLogin::Invalid) => Ok(again(LoginError::InvalidCredentials)),
        Ok(PasswordLogin::Disabled) => Ok(again(LoginError::Disabled)),
        Err(error) => Err(failure(lang, "password_login", &error)),
    }
}

/// 《戻る》 on \[Authenticator 登録\] and the passcode screen: the half-finished login
/// ends and the browser gets a fresh pre-session id. Whatever else the cookie held (a
/// session, from a stale form or another tab) ends server-side too: the cookie is never
/// replaced with a live record behind it.
pub(super) async fn cancel_login<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    browser: BrowserSession,
) -> Answer {
    let token = browser.token.to_facade();
    match state
        .run_light(move |s| end_what_the_cookie_holds(s, &token))
        .await
        .map_err(incomplete(lang, "abandon_login"))?
    {
        Ok(_) => {
            let fresh = state.security.new_session_token();
            Ok(with_cookie(
                see_other(paths::LOGIN),
                state.security.session_cookie(&fresh),
            ))
        }
        Err(error) => Err(failure(lang, "abandon_login", &error)),
    }
}
