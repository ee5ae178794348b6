//! The manual's screens, driven by the facade.
//!
//! Every handler is a thin translation: form → facade call (on the bounded blocking
//! pool, [`AppState::run`], so argon2 never runs on an async thread) → view-model or
//! redirect. The rules themselves (locks, idle timeout, replay, history) live in the
//! facade.
//!
//! # The cookie *is* the facade's token
//!
//! The one session cookie carries 32 bytes ([`RandomToken`]); the facade's tokens are
//! 32 bytes too ([`RandomToken::from_facade`] / [`RandomToken::to_facade`]). There is
//! no web-side session table, and the id changes at each privilege step, so a planted
//! or stolen pre-login id is worth nothing:
//!
//! ```text
//!   no cookie ──GET any page──► pre-session id (random; the facade knows nothing of it;
//!                               only the CSRF token is derived from it)
//!        │ POST /login, right password
//!        ▼  Set-Cookie := the facade's login ticket          (new id; the old one is dead)
//!   login ticket ──► /enroll, /enroll/proceed, /enroll/print-confirm, /enroll/print,
//!        │           /login/passcode (ticket_needs_enrollment decides which)
//!        │ POST /login/passcode, right passcode
//!        ▼  Set-Cookie := the facade's session token         (new id; the ticket is gone)
//!   session ──► /menu, /password, /logout …: every request asks `session(token)`:
//!        │        Active     → the page (must_change_password → /password first)
//!        │        Expired    → /session-ended?reason=idle       (cookie removed)
//!        │        Superseded → /session-ended?reason=elsewhere  (cookie removed)
//!        │        Unknown    → /login
//!        │ POST /logout
//!        ▼  facade.logout + removal cookie → /login?notice=logged-out (a fresh pre-session id)
//! ```
//!
//! 《戻る》 on [Authenticator 登録] and the passcode screen (`POST /login/cancel`) drops
//! the ticket and rotates to a fresh pre-session id. A successful password also ends
//! whatever the browser held before (a half-finished login, an earlier session).
//!
//! Facade failures that are not an answer for the user (`Store`, `Crypto`, `Hashing`,
//! …) become the 500 page and one `tracing` error line naming the operation and the
//! error — never a password, passcode, token or key.

use std::fmt;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use shikaku::password::{Password, Violation, ViolationCode};
use shikaku::{
    Error, PasscodeLogin, PasswordChange, PasswordLogin, PrintPrompt, SessionEnd, SessionInfo,
    Shikaku, Store,
};
use zeroize::Zeroizing;

use crate::app::AppState;
use crate::forms::{LoginForm, PasscodeForm, PasswordChangeForm};
use crate::lang::Lang;
use crate::paths;
use crate::security::{BrowserSession, CsrfToken, RandomToken, WebSecurity, csp_allowing_styles};
use crate::views::{
    EnrollCompletePage, EnrollPage, ErrorKind, ErrorPage, FieldError, LoginError, LoginNotice,
    LoginPage, LogoutConfirmPage, MenuNotice, MenuPage, PasscodeError, PasscodePage,
    PasscodePurpose, PasswordChangePage, PasswordChangedPage, PasswordField, PasswordProblem,
    PrintConfirmPage, QrImage, SessionEndReason, SessionEndedPage, SetupKeyText, SignedInUser,
    StartPage,
};

/// [ログイン] right after logging out (shows 「ログアウトしました。」).
const LOGIN_LOGGED_OUT: &str = "/login?notice=logged-out";
/// [管理メニュー] with the MFA 登録完了 notice (after 登録確認完了 《OK》).
const MENU_REGISTERED: &str = "/menu?registered=1";

/// Every screen route.
pub(crate) fn routes<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route(paths::START, get(start))
        .route(paths::LOGIN, get(login_form).post(login::<S>))
        .route(paths::LOGIN_CANCEL, post(cancel_login::<S>))
        .route(
            paths::PASSCODE,
            get(passcode_form::<S>).post(submit_passcode::<S>),
        )
        .route(paths::ENROLL, get(enroll::<S>))
        .route(paths::ENROLL_PROCEED, post(proceed::<S>))
        .route(paths::ENROLL_PRINT_CONFIRM, get(print_confirm::<S>))
        .route(paths::ENROLL_PRINT, get(print_sheet::<S>))
        .route(paths::ENROLL_DONE, get(enroll_done::<S>))
        .route(paths::MENU, get(menu::<S>))
        .route(paths::LOGOUT, get(logout_confirm::<S>).post(logout::<S>))
        .route(
            paths::PASSWORD,
            get(password_form::<S>).post(change_password::<S>),
        )
        .route(paths::PASSWORD_DONE, get(password_done::<S>))
        .route(paths::SESSION_ENDED, get(session_ended))
}

// ---------------------------------------------------------------------------
// Plumbing
// ---------------------------------------------------------------------------

/// Why a handler answers with something other than its own page.
#[derive(Debug)]
enum Stop {
    /// Somewhere else (303 See Other), perhaps changing the cookie.
    Redirect(Response),
    /// The 500 page; the cause is already logged.
    Internal(Lang),
}

impl IntoResponse for Stop {
    fn into_response(self) -> Response {
        match self {
            Stop::Redirect(response) => response,
            Stop::Internal(lang) => ErrorPage::new(lang, ErrorKind::Internal).into_response(),
        }
    }
}

type Answer = Result<Response, Stop>;

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

fn redirect(to: &str) -> Stop {
    Stop::Redirect(see_other(to))
}

fn with_cookie(mut response: Response, cookie: HeaderValue) -> Response {
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// Redirects and makes `token` (a facade ticket or session) the browser's cookie.
fn rotate_to(security: &WebSecurity, token: &shikaku::Token, to: &str) -> Response {
    let cookie = security.session_cookie(&RandomToken::from_facade(token));
    with_cookie(see_other(to), cookie)
}

/// Logs a facade failure that is no answer for the user and gives the 500 page.
fn failure(lang: Lang, operation: &'static str, error: &Error) -> Stop {
    // No variant's text holds a token, password, passcode or key; the one that quotes
    // password rules (an administrator's initial password) is summarised anyway.
    let shown: &dyn fmt::Display = match error {
        Error::InitialPasswordRejected(_) => &"initial password rejected",
        other => other,
    };
    tracing::error!(operation, error = %shown, "facade call failed");
    Stop::Internal(lang)
}

/// Runs a facade call on the blocking pool (hashing calls bounded; see [`AppState::run`]).
async fn call<S: Store, T: Send + 'static>(
    state: &AppState<S>,
    lang: Lang,
    operation: &'static str,
    f: impl FnOnce(&Shikaku<S>) -> Result<T, Error> + Send + 'static,
) -> Result<Result<T, Error>, Stop> {
    // Only these run argon2; everything else skips the hashing permits.
    let outcome = if matches!(operation, "password_login" | "change_password") {
        state.run(f).await
    } else {
        state.run_light(f).await
    };
    outcome.map_err(|error| {
        tracing::error!(operation, %error, "facade call did not complete");
        Stop::Internal(lang)
    })
}

/// A facade error between the password and the passcode (the cookie should hold a
/// login ticket).
fn login_phase_error(lang: Lang, operation: &'static str, error: Error) -> Stop {
    match error {
        // Expired, voided by a passcode lock, never issued (a pre-session id), or the
        // account is gone or disabled: start again from the password.
        Error::LoginExpired | Error::MalformedToken | Error::UnknownAccount => {
            redirect(paths::LOGIN)
        }
        // Another tab finished (or needs) the registration meanwhile.
        Error::AlreadyEnrolled => redirect(paths::PASSCODE),
        Error::EnrollmentRequired => redirect(paths::ENROLL),
        other => failure(lang, operation, &other),
    }
}

/// Where an ended session sends the browser.
fn session_over(security: &WebSecurity, end: SessionEnd) -> Stop {
    let reason = match end {
        SessionEnd::Expired => SessionEndReason::IdleTimeout,
        SessionEnd::Superseded => SessionEndReason::LoggedInElsewhere,
        // Logged out, or a pre-session id / login ticket: the cookie may still be
        // a half-finished login of this browser, so it is left alone.
        SessionEnd::Unknown => return redirect(paths::LOGIN),
    };
    let to = format!("{}?reason={}", paths::SESSION_ENDED, reason.code());
    Stop::Redirect(with_cookie(see_other(&to), security.removal_cookie()))
}

/// Whether a signed-in page may be shown while an administrator's password reset
/// is pending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PendingChange {
    /// Yes ([パスワード変更] itself, logout, the completion messages).
    Allowed,
    /// No: to [パスワード変更] first.
    ChangeFirst,
}

/// The signed-in staff member, or where to send the browser instead. Counts as
/// activity (the idle timeout starts again).
async fn signed_in<S: Store>(
    state: &AppState<S>,
    lang: Lang,
    browser: &BrowserSession,
    pending: PendingChange,
) -> Result<SessionInfo, Stop> {
    if browser.fresh {
        return Err(redirect(paths::LOGIN));
    }
    let token = browser.token.to_facade();
    match call(state, lang, "session", move |s| s.session(&token)).await? {
        Ok(Ok(info)) if info.must_change_password && pending == PendingChange::ChangeFirst => {
            Err(redirect(paths::PASSWORD))
        }
        Ok(Ok(info)) => Ok(info),
        Ok(Err(end)) => Err(session_over(&state.security, end)),
        Err(error) => Err(failure(lang, "session", &error)),
    }
}

/// Whether the browser's login ticket leads to enrollment or to the passcode.
async fn login_purpose<S: Store>(
    state: &AppState<S>,
    lang: Lang,
    browser: &BrowserSession,
) -> Result<PasscodePurpose, Stop> {
    if browser.fresh {
        return Err(redirect(paths::LOGIN));
    }
    let token = browser.token.to_facade();
    match call(state, lang, "ticket_needs_enrollment", move |s| {
        s.ticket_needs_enrollment(&token)
    })
    .await?
    {
        Ok(true) => Ok(PasscodePurpose::Enrollment),
        Ok(false) => Ok(PasscodePurpose::Login),
        Err(error) => Err(login_phase_error(lang, "ticket_needs_enrollment", error)),
    }
}

fn user_of(info: &SessionInfo) -> SignedInUser {
    SignedInUser {
        institution_code: info.key.institution_code.as_str().to_owned(),
        login_id: info.key.login_id.as_str().to_owned(),
    }
}

// ---------------------------------------------------------------------------
// Start, [ログイン]
// ---------------------------------------------------------------------------

async fn start(lang: Lang) -> StartPage {
    StartPage { lang }
}

#[derive(Debug, Default, Deserialize)]
struct LoginQuery {
    notice: Option<String>,
}

async fn login_form(lang: Lang, csrf_token: CsrfToken, Query(q): Query<LoginQuery>) -> LoginPage {
    LoginPage {
        notice: (q.notice.as_deref() == Some("logged-out")).then_some(LoginNotice::LoggedOut),
        ..LoginPage::new(lang, csrf_token)
    }
}

/// 《ログイン》.
async fn login<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    csrf_token: CsrfToken,
    browser: BrowserSession,
    Form(mut form): Form<LoginForm>,
) -> Answer {
    let institution_code = form.institution_code.clone();
    let login_id = form.login_id.clone();
    let again = |error: LoginError| {
        LoginPage {
            institution_code: institution_code.clone(),
            login_id: login_id.clone(),
            error: Some(error),
            notice: None,
            lang,
            csrf_token: csrf_token.clone(),
        }
        .into_response()
    };
    if form.institution_code.trim().is_empty()
        || form.login_id.trim().is_empty()
        || form.password.is_empty()
    {
        return Ok(again(LoginError::MissingFields));
    }
    let password = Password::new(std::mem::take(&mut form.password));
    let (code, id) = (institution_code.clone(), login_id.clone());
    let previous = browser.token.to_facade();
    let outcome = call(&state, lang, "password_login", move |s| {
        let outcome = s.password_login(&code, &id, &password)?;
        if matches!(
            outcome,
            PasswordLogin::NeedsEnrollment(_) | PasswordLogin::NeedsPasscode(_)
        ) {
            // The cookie is about to be replaced: whatever it held (a half-finished
            // login, an earlier session) ends server-side too.
            s.abandon_login(&previous)?;
            s.logout(&previous)?;
        }
        Ok(outcome)
    })
    .await?;
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
        // Malformed identifiers say nothing about which accounts exist: name the field.
        Err(Error::InvalidInstitutionCode { digits }) => {
            Ok(again(LoginError::InvalidInstitutionCode { digits }))
        }
        Err(Error::InvalidLoginId) => Ok(again(LoginError::InvalidLoginId)),
        Err(error) => Err(failure(lang, "password_login", &error)),
    }
}

/// 《戻る》 on [Authenticator 登録] and the passcode screen: the half-finished login
/// ends and the browser gets a fresh pre-session id.
async fn cancel_login<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    browser: BrowserSession,
) -> Answer {
    let token = browser.token.to_facade();
    match call(&state, lang, "abandon_login", move |s| {
        s.abandon_login(&token)
    })
    .await?
    {
        Ok(()) => {
            let fresh = state.security.new_session_token();
            Ok(with_cookie(
                see_other(paths::LOGIN),
                state.security.session_cookie(&fresh),
            ))
        }
        Err(error) => Err(failure(lang, "abandon_login", &error)),
    }
}

// ---------------------------------------------------------------------------
// Passcode [ログイン]
// ---------------------------------------------------------------------------

async fn passcode_form<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    csrf_token: CsrfToken,
    browser: BrowserSession,
) -> Answer {
    let purpose = login_purpose(&state, lang, &browser).await?;
    Ok(PasscodePage::new(lang, csrf_token, purpose).into_response())
}

/// 《パスコードを送信》.
async fn submit_passcode<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    csrf_token: CsrfToken,
    browser: BrowserSession,
    Form(mut form): Form<PasscodeForm>,
) -> Answer {
    let token = browser.token.to_facade();
    let passcode = Zeroizing::new(std::mem::take(&mut form.passcode));
    let answer = call(&state, lang, "submit_passcode", move |s| {
        let enrolling = s.ticket_needs_enrollment(&token)?;
        Ok((enrolling, s.submit_passcode(&token, &passcode)))
    })
    .await?;
    let (enrolling, outcome) = match answer {
        Ok(answer) => answer,
        Err(error) => return Err(login_phase_error(lang, "submit_passcode", error)),
    };
    let again = |error: PasscodeError| {
        PasscodePage {
            lang,
            csrf_token: csrf_token.clone(),
            purpose: if enrolling {
                PasscodePurpose::Enrollment
            } else {
                PasscodePurpose::Login
            },
            error: Some(error),
        }
        .into_response()
    };
    match outcome {
        Ok(PasscodeLogin::Session(grant)) => {
            let to = if grant.enrolled {
                paths::ENROLL_DONE
            } else if grant.must_change_password {
                paths::PASSWORD
            } else {
                paths::MENU
            };
            Ok(rotate_to(&state.security, &grant.token, to))
        }
        // The facade has voided the login: 《戻る》 leads back to the password.
        Ok(PasscodeLogin::Locked { until }) => Ok(again(PasscodeError::Locked { until })),
        Ok(PasscodeLogin::Invalid) => Ok(again(PasscodeError::Wrong)),
        // Not 6 digits: never reaches the verifier, not counted.
        Err(Error::MalformedPasscode) => Ok(again(PasscodeError::Malformed)),
        Err(error) => Err(login_phase_error(lang, "submit_passcode", error)),
    }
}

// ---------------------------------------------------------------------------
// [Authenticator 登録] and printing
// ---------------------------------------------------------------------------

async fn enroll<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    csrf_token: CsrfToken,
    browser: BrowserSession,
) -> Answer {
    if browser.fresh {
        return Err(redirect(paths::LOGIN));
    }
    let token = browser.token.to_facade();
    let view = call(&state, lang, "enrollment", move |s| {
        if s.ticket_needs_enrollment(&token)? {
            s.enrollment(&token).map(Some)
        } else {
            Ok(None)
        }
    })
    .await?;
    match view {
        Ok(Some(view)) => {
            let mut display = view.setup_key.display_form();
            let mut copy = view.setup_key.copy_form();
            // Moved, not copied: SetupKeyText zeroizes them on drop.
            let setup_key =
                SetupKeyText::new(std::mem::take(&mut *display), std::mem::take(&mut *copy));
            Ok(EnrollPage {
                lang,
                csrf_token,
                qr: QrImage::from_svg(&view.qr_svg),
                setup_key,
            }
            .into_response())
        }
        Ok(None) => Err(redirect(paths::PASSCODE)),
        Err(error) => Err(login_phase_error(lang, "enrollment", error)),
    }
}

/// 《Authenticator 登録確認に進む》: the facade counts the print prompt.
async fn proceed<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    browser: BrowserSession,
) -> Answer {
    let token = browser.token.to_facade();
    match call(&state, lang, "proceed_to_confirmation", move |s| {
        s.proceed_to_confirmation(&token)
    })
    .await?
    {
        Ok(PrintPrompt::FirstTime) => Ok(see_other(&format!(
            "{}?prompt=first",
            paths::ENROLL_PRINT_CONFIRM
        ))),
        Ok(PrintPrompt::Later) => Ok(see_other(&format!(
            "{}?prompt=later",
            paths::ENROLL_PRINT_CONFIRM
        ))),
        Err(error) => Err(login_phase_error(lang, "proceed_to_confirmation", error)),
    }
}

#[derive(Debug, Default, Deserialize)]
struct PrintConfirmQuery {
    prompt: Option<String>,
}

/// [二次元バーコードの印刷 (任意)]: which variant the facade chose travels in the query
/// (it only picks the wording; nothing depends on it).
async fn print_confirm<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    browser: BrowserSession,
    Query(q): Query<PrintConfirmQuery>,
) -> Answer {
    match login_purpose(&state, lang, &browser).await? {
        PasscodePurpose::Enrollment => {
            let first = q.prompt.as_deref() == Some("first");
            Ok(PrintConfirmPage::new(lang, first).into_response())
        }
        PasscodePurpose::Login => Err(redirect(paths::PASSCODE)),
    }
}

/// The printable A4 sheet of `shikaku-qr`, with a CSP that allows exactly its one
/// `<style>` element, never cached.
async fn print_sheet<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    browser: BrowserSession,
) -> Answer {
    if browser.fresh {
        return Err(redirect(paths::LOGIN));
    }
    let token = browser.token.to_facade();
    match call(&state, lang, "enrollment_sheet", move |s| {
        s.enrollment_sheet(&token)
    })
    .await?
    {
        Ok(mut sheet) => {
            let mut response = Html(std::mem::take(&mut *sheet)).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                csp_allowing_styles(&[shikaku::qr::SHEET_CSS]),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
        Err(error) => Err(login_phase_error(lang, "enrollment_sheet", error)),
    }
}

/// 登録確認完了: 《OK》 leads to [管理メニュー] with the MFA 登録完了 notice.
async fn enroll_done<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    browser: BrowserSession,
) -> Answer {
    signed_in(&state, lang, &browser, PendingChange::Allowed).await?;
    Ok(EnrollCompletePage {
        lang,
        ok_url: MENU_REGISTERED.to_owned(),
    }
    .into_response())
}

// ---------------------------------------------------------------------------
// [管理メニュー], logout
// ---------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct MenuQuery {
    registered: Option<String>,
}

async fn menu<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    browser: BrowserSession,
    Query(q): Query<MenuQuery>,
) -> Answer {
    let info = signed_in(&state, lang, &browser, PendingChange::ChangeFirst).await?;
    Ok(MenuPage {
        lang,
        user: user_of(&info),
        notice: (q.registered.as_deref() == Some("1")).then_some(MenuNotice::MfaRegistered),
    }
    .into_response())
}

async fn logout_confirm<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    csrf_token: CsrfToken,
    browser: BrowserSession,
) -> Answer {
    let info = signed_in(&state, lang, &browser, PendingChange::Allowed).await?;
    Ok(LogoutConfirmPage {
        lang,
        csrf_token,
        user: user_of(&info),
    }
    .into_response())
}

/// 《OK》 of the logout confirmation.
async fn logout<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    browser: BrowserSession,
) -> Answer {
    let token = browser.token.to_facade();
    match call(&state, lang, "logout", move |s| s.logout(&token)).await? {
        Ok(_) => Ok(with_cookie(
            see_other(LOGIN_LOGGED_OUT),
            state.security.removal_cookie(),
        )),
        Err(error) => Err(failure(lang, "logout", &error)),
    }
}

// ---------------------------------------------------------------------------
// [パスワード変更]
// ---------------------------------------------------------------------------

async fn password_form<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    csrf_token: CsrfToken,
    browser: BrowserSession,
) -> Answer {
    let info = signed_in(&state, lang, &browser, PendingChange::Allowed).await?;
    Ok(PasswordChangePage {
        lang,
        csrf_token,
        user: user_of(&info),
        errors: Vec::new(),
        must_change: info.must_change_password,
    }
    .into_response())
}

/// 《変更》 (after its confirmation's 《OK》).
async fn change_password<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    csrf_token: CsrfToken,
    browser: BrowserSession,
    Form(mut form): Form<PasswordChangeForm>,
) -> Answer {
    let info = signed_in(&state, lang, &browser, PendingChange::Allowed).await?;
    let again = |errors: Vec<FieldError>| {
        PasswordChangePage {
            lang,
            csrf_token: csrf_token.clone(),
            user: user_of(&info),
            errors,
            must_change: info.must_change_password,
        }
        .into_response()
    };
    let required: Vec<FieldError> = [
        (PasswordField::Current, &form.current_password),
        (PasswordField::New, &form.new_password),
        (PasswordField::Confirm, &form.new_password_confirm),
    ]
    .into_iter()
    .filter(|(_, value)| value.is_empty())
    .map(|(field, _)| FieldError::new(field, PasswordProblem::Required, lang))
    .collect();
    if !required.is_empty() {
        return Ok(again(required));
    }
    let current = Password::new(std::mem::take(&mut form.current_password));
    let new = Password::new(std::mem::take(&mut form.new_password));
    let new_again = Password::new(std::mem::take(&mut form.new_password_confirm));
    let token = browser.token.to_facade();
    let outcome = call(&state, lang, "change_password", move |s| {
        s.change_password(&token, &current, &new, &new_again)
    })
    .await?;
    let m = lang.t();
    match outcome {
        Ok(PasswordChange::Changed) => Ok(see_other(paths::PASSWORD_DONE)),
        Ok(PasswordChange::Rejected(violations)) => {
            let mut errors: Vec<FieldError> = Vec::new();
            for error in violations.iter().map(|v| violation_error(v, lang)) {
                if !errors.contains(&error) {
                    errors.push(error);
                }
            }
            Ok(again(errors))
        }
        Ok(PasswordChange::WrongCurrent { locked_until }) => {
            let mut errors = vec![FieldError::new(
                PasswordField::Current,
                PasswordProblem::CurrentWrong,
                lang,
            )];
            if let Some(until) = locked_until {
                errors.push(FieldError {
                    field: PasswordField::Current,
                    message: m.password_change_locked(lang, until),
                });
            }
            Ok(again(errors))
        }
        Ok(PasswordChange::Locked { until }) => Ok(again(vec![FieldError {
            field: PasswordField::Current,
            message: m.password_change_locked(lang, until),
        }])),
        Err(Error::Session(end)) => Err(session_over(&state.security, end)),
        Err(error) => Err(failure(lang, "change_password", &error)),
    }
}

/// A broken password rule, next to the field it concerns: the confirmation
/// mismatch next to ③, everything else next to ②.
fn violation_error(violation: &Violation, lang: Lang) -> FieldError {
    let code = violation.code();
    let field = if code == ViolationCode::ConfirmationMismatch {
        PasswordField::Confirm
    } else {
        PasswordField::New
    };
    let problem = match code {
        ViolationCode::TooShort => Some(PasswordProblem::TooShort),
        ViolationCode::TooLong => Some(PasswordProblem::TooLong),
        ViolationCode::MissingDigit => Some(PasswordProblem::MissingDigit),
        ViolationCode::MissingLowercase => Some(PasswordProblem::MissingLowercase),
        ViolationCode::MissingUppercase => Some(PasswordProblem::MissingUppercase),
        ViolationCode::MissingSpecial => Some(PasswordProblem::MissingSpecial),
        ViolationCode::DisallowedCharacter => {
            violation.character().map(PasswordProblem::InvalidCharacter)
        }
        ViolationCode::SameAsCurrent | ViolationCode::ReusedGeneration => {
            Some(PasswordProblem::Reused)
        }
        ViolationCode::SimilarToGeneration => Some(PasswordProblem::Similar),
        ViolationCode::ConfirmationMismatch => Some(PasswordProblem::Mismatch),
        _ => None,
    };
    match problem {
        Some(problem) => FieldError::new(field, problem, lang),
        // A rule this screen has no wording for: the password crate's own message.
        None => FieldError {
            field,
            message: if lang == Lang::En {
                violation.message_en()
            } else {
                violation.message_ja()
            },
        },
    }
}

async fn password_done<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    browser: BrowserSession,
) -> Answer {
    let info = signed_in(&state, lang, &browser, PendingChange::Allowed).await?;
    Ok(PasswordChangedPage {
        lang,
        user: user_of(&info),
    }
    .into_response())
}

// ---------------------------------------------------------------------------
// Session ended (7 重要事項)
// ---------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct SessionEndedQuery {
    reason: Option<String>,
}

/// The message of 7 重要事項; 《閉じる》 leads to [ログイン].
async fn session_ended(lang: Lang, Query(q): Query<SessionEndedQuery>) -> Answer {
    match q.reason.as_deref().and_then(SessionEndReason::from_code) {
        Some(reason) => Ok(SessionEndedPage { lang, reason }.into_response()),
        None => Err(redirect(paths::LOGIN)),
    }
}
