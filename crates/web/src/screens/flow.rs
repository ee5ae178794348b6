//! What every screen handler shares: how a handler stops short of its own page
//! ([`Stop`]), the redirects and cookie changes, the logging of facade failures, and
//! the two extractors that replace the per-handler checks — [`SignedIn`] (an active
//! session, or the manual's session-ended answer) and [`Ticket`] (a half-finished
//! login).

use std::fmt;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use shikaku::{Error, LoginStage, SessionEnd, SessionInfo, Shikaku, Store, StoreError, Token};

use crate::lang::Lang;
use crate::paths;
use crate::security::{BrowserSession, RandomToken, WebSecurity};
use crate::state::AppState;
use crate::views::{ErrorKind, ErrorPage, SessionEndReason, SignedInUser};

/// Why a handler answers with something other than its own page.
#[derive(Debug)]
pub(super) enum Stop {
    /// A finished response: somewhere else (303 See Other, perhaps changing the
    /// cookie), or the security layer's answer to a wiring bug.
    Respond(Response),
    /// The 500 page; the cause is already logged.
    Internal(Lang),
    /// The 503 page (一時的に利用できません): the store cannot answer right now.
    Unavailable(Lang),
}

impl IntoResponse for Stop {
    fn into_response(self) -> Response {
        match self {
            Stop::Respond(response) => response,
            Stop::Internal(lang) => ErrorPage::new(lang, ErrorKind::Internal).into_response(),
            Stop::Unavailable(lang) => ErrorPage::new(lang, ErrorKind::Unavailable).into_response(),
        }
    }
}

/// A handler's answer.
pub(super) type Answer = Result<Response, Stop>;

/// 303 See Other to `to`.
pub(super) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Stops with a redirect to `to`.
pub(super) fn redirect(to: &str) -> Stop {
    Stop::Respond(see_other(to))
}

/// `response` with one more `Set-Cookie`.
pub(super) fn with_cookie(mut response: Response, cookie: HeaderValue) -> Response {
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// Redirects and makes `token` (a facade ticket or session) the browser's cookie.
pub(super) fn rotate_to(security: &WebSecurity, token: &Token, to: &str) -> Response {
    let cookie = security.session_cookie(&RandomToken::from_facade(token));
    with_cookie(see_other(to), cookie)
}

/// Logs a facade failure that is no answer for the user and gives the 500 page.
pub(super) fn failure(lang: Lang, operation: &'static str, error: &Error) -> Stop {
    // No variant's text holds a token, password, passcode or key; the one that quotes
    // password rules (an administrator's initial password) is summarised anyway.
    let shown: &dyn fmt::Display = match error {
        Error::InitialPasswordRejected(_) => &"initial password rejected",
        other => other,
    };
    tracing::error!(operation, error = %shown, "facade call failed");
    if matches!(error, Error::Store(StoreError::Unavailable(_))) {
        Stop::Unavailable(lang)
    } else {
        Stop::Internal(lang)
    }
}

/// For `AppState::run(..).await.map_err(..)`: a facade call that did not complete
/// (the pool closed, the call panicked) is logged and gives the 500 page.
pub(super) fn incomplete(
    lang: Lang,
    operation: &'static str,
) -> impl FnOnce(crate::error::Error) -> Stop {
    move |error| {
        tracing::error!(operation, %error, "facade call did not complete");
        Stop::Internal(lang)
    }
}

/// A facade error between the password and the passcode (the cookie should hold a
/// login ticket).
pub(super) fn login_phase_error(lang: Lang, operation: &'static str, error: Error) -> Stop {
    match error {
        // Expired, voided by a passcode lock, never issued (a pre-session id), or the
        // account is gone or disabled: start again from the password.
        Error::LoginExpired | Error::UnknownAccount => redirect(paths::LOGIN),
        // Another tab finished (or needs) the registration meanwhile.
        Error::AlreadyEnrolled => redirect(paths::PASSCODE),
        Error::EnrollmentRequired => redirect(paths::ENROLL),
        other => failure(lang, operation, &other),
    }
}

/// Where an ended session sends the browser (7 重要事項).
pub(super) fn session_over(security: &WebSecurity, end: SessionEnd) -> Stop {
    let reason = match end {
        SessionEnd::Expired => SessionEndReason::IdleTimeout,
        SessionEnd::Superseded => SessionEndReason::LoggedInElsewhere,
        // Logged out, or a pre-session id / login ticket: the cookie may still be
        // a half-finished login of this browser, so it is left alone.
        SessionEnd::Unknown => return redirect(paths::LOGIN),
    };
    let to = format!("{}?reason={}", paths::SESSION_ENDED, reason.code());
    Stop::Respond(with_cookie(see_other(&to), security.removal_cookie()))
}

/// What the record behind a browser's cookie was, once [`end_what_the_cookie_holds`]
/// has ended it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ended {
    /// An active session: logged out now.
    Session,
    /// A session that had already ended (idle, or a later login elsewhere): the facade
    /// says how, and it is gone now.
    SessionAlready(SessionEnd),
    /// No session: a half-finished login (now abandoned), or nothing the facade knows
    /// (a pre-session id, a dead cookie).
    NoSession,
}

/// Ends, server-side, whatever the browser's cookie stands for — a login ticket
/// (abandoned) or a session (logged out) — before the cookie is replaced or removed,
/// so no cookie is ever dropped with a live record behind it. Runs on the blocking
/// pool (`AppState::run_light`).
pub(super) fn end_what_the_cookie_holds<S: Store>(
    service: &Shikaku<S>,
    token: &Token,
) -> Result<Ended, Error> {
    service.abandon_login(token)?;
    match service.logout(token) {
        Ok(true) => Ok(Ended::Session),
        Ok(false) | Err(Error::SessionEnded(SessionEnd::Unknown)) => Ok(Ended::NoSession),
        Err(Error::SessionEnded(end)) => Ok(Ended::SessionAlready(end)),
        Err(other) => Err(other),
    }
}

/// The header's signed-in user.
pub(super) fn user_of(info: &SessionInfo) -> SignedInUser {
    SignedInUser {
        institution_code: info.key.institution_code.as_str().to_owned(),
        login_id: info.key.login_id.as_str().to_owned(),
    }
}

/// Which screen a login ticket leads to, asked of the facade (an expired ticket
/// sends the browser back to the password).
pub(super) async fn login_stage<S: Store>(
    state: &AppState<S>,
    lang: Lang,
    ticket: &Ticket,
) -> Result<LoginStage, Stop> {
    let token = ticket.token.clone();
    state
        .run_light(move |s| s.login_stage(&token))
        .await
        .map_err(incomplete(lang, "login_stage"))?
        .map_err(|error| login_phase_error(lang, "login_stage", error))
}

/// The browser's session id, from the security layer (a router without it is a
/// wiring bug: the security layer's bare 500).
async fn browser_session<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<BrowserSession, Stop> {
    BrowserSession::from_request_parts(parts, state)
        .await
        .map_err(|missing| Stop::Respond(missing.into_response()))
}

/// The language of the request (negotiated by the app's middleware).
async fn lang_of<S: Send + Sync>(parts: &mut Parts, state: &S) -> Lang {
    match Lang::from_request_parts(parts, state).await {
        Ok(lang) => lang,
        Err(never) => match never {},
    }
}

/// Extractor: the signed-in staff member's session, as the facade found it just now
/// (the check counts as activity: the idle timeout starts again).
///
/// Otherwise the handler does not run: a browser without a session goes to
/// \[ログイン\]; an ended session to the session-ended message (idle / logged in
/// elsewhere, cookie removed) or \[ログイン\] (logged out); a store failure to the 500
/// page.
pub(super) struct SignedIn(pub(super) SessionInfo);

impl<S: Store> FromRequestParts<AppState<S>> for SignedIn {
    type Rejection = Stop;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts, state).await;
        let browser = browser_session(parts, state).await?;
        if browser.fresh {
            return Err(redirect(paths::LOGIN));
        }
        let token = browser.token.to_facade();
        match state
            .run_light(move |s| s.session(&token))
            .await
            .map_err(incomplete(lang, "session"))?
        {
            Ok(info) => Ok(SignedIn(info)),
            Err(Error::SessionEnded(end)) => Err(session_over(&state.security, end)),
            Err(error) => Err(failure(lang, "session", &error)),
        }
    }
}

/// Extractor: the browser's half-finished login (the facade's login ticket is the
/// cookie between the password and the passcode).
///
/// A browser that sent no cookie at all is sent to \[ログイン\] without asking the
/// facade; whether the ticket still stands is the facade call's answer
/// ([`login_phase_error`]).
pub(super) struct Ticket {
    /// The facade token the cookie carries.
    pub(super) token: Token,
}

impl<S: Store> FromRequestParts<AppState<S>> for Ticket {
    type Rejection = Stop;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let browser = browser_session(parts, state).await?;
        if browser.fresh {
            return Err(redirect(paths::LOGIN));
        }
        Ok(Ticket {
            token: browser.token.to_facade(),
        })
    }
}
