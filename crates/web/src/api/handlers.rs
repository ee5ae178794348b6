//! The handlers: parse, convert, call the facade on the blocking pool, answer.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use shikaku::{Authentication, PasscodeLogin, PasswordChange, PasswordLogin, Store};

use super::error::ApiError;
use super::extract::{JsonBody, LoginBearer, SessionBearer, ok, reply};
use super::instant::rfc3339_floor;
use super::token;
use super::wire::{
    AuthenticateBody, AuthenticateRequest, Credentials, EnrollmentResponse, IdentityResponse,
    LoginBody, LoginResponse, Next, PasscodeBody, PasscodeSubmission, PasswordChangeBody,
    PasswordChangeRequest, SessionGrantResponse, SessionResponse,
};
use crate::lang::Lang;
use crate::state::AppState;

type Answer = Result<Response, ApiError>;

/// `POST /login`.
pub(super) async fn login<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    JsonBody(body): JsonBody<LoginBody>,
) -> Response {
    let rules = std::sync::Arc::clone(&state.rules);
    reply(lang, &rules, login_inner(state, body).await)
}

async fn login_inner<S: Store>(state: AppState<S>, body: LoginBody) -> Answer {
    let credentials = Credentials::try_from(body)?;
    let key = credentials.key(state.service.config())?;
    let outcome = state
        .run(move |s| s.password_login(&key, &credentials.password))
        .await??;
    let (next, ticket) = match outcome {
        PasswordLogin::NeedsEnrollment(ticket) => (Next::Enroll, ticket),
        PasswordLogin::NeedsPasscode(ticket) => (Next::Passcode, ticket),
        PasswordLogin::Locked { until } => return Err(ApiError::Locked { until }),
        PasswordLogin::Invalid => return Err(ApiError::InvalidCredentials),
        PasswordLogin::Disabled => return Err(ApiError::AccountDisabled),
    };
    let login_token = token::encode(&ticket.token);
    ok(Json(LoginResponse {
        next,
        login_token: &login_token,
    }))
}

/// `GET /enrollment`.
pub(super) async fn enrollment<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    LoginBearer(ticket): LoginBearer,
) -> Response {
    let answer = async {
        let view = state.run_light(move |s| s.enrollment(&ticket)).await??;
        let setup_key = view.setup_key.copy_form();
        ok(Json(EnrollmentResponse {
            setup_key: &setup_key,
            otpauth_uri: &view.otpauth_uri,
            qr_svg: &view.qr_svg,
        }))
    };
    reply(lang, &state.rules, answer.await)
}

/// `POST /passcode`.
pub(super) async fn passcode<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    JsonBody(body): JsonBody<PasscodeBody>,
) -> Response {
    let answer = async {
        let submission = PasscodeSubmission::try_from(body)?;
        let outcome = state
            .run_light(move |s| s.submit_passcode(&submission.login_token, &submission.passcode))
            .await??;
        match outcome {
            PasscodeLogin::Session(grant) => {
                let session_token = token::encode(&grant.token);
                ok(Json(SessionGrantResponse {
                    session_token: &session_token,
                    enrolled: grant.enrolled,
                }))
            }
            PasscodeLogin::Locked { until, .. } => Err(ApiError::Locked { until }),
            PasscodeLogin::Invalid { .. } => Err(ApiError::InvalidPasscode),
        }
    };
    reply(lang, &state.rules, answer.await)
}

/// `GET /session`: counts as activity (extends the idle timeout), like any screen.
pub(super) async fn session<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    SessionBearer(token): SessionBearer,
) -> Response {
    let answer = async {
        let info = state.run_light(move |s| s.session(&token)).await??;
        if info.must_change_password {
            return Err(ApiError::PasswordChangeRequired);
        }
        ok(Json(SessionResponse {
            institution_code: info.key.institution_code.as_str(),
            login_id: info.key.login_id.as_str(),
            expires_at: rfc3339_floor(info.expires_at),
        }))
    };
    reply(lang, &state.rules, answer.await)
}

/// `POST /password`.
pub(super) async fn password<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    SessionBearer(token): SessionBearer,
    JsonBody(body): JsonBody<PasswordChangeBody>,
) -> Response {
    let answer = async {
        let request = PasswordChangeRequest::try_from(body)?;
        // One blocking call: the session check and the change it proves.
        let outcome = state
            .run(move |s| {
                s.session(&token).and_then(|info| {
                    s.change_password(&info, &request.current, &request.new, &request.confirm)
                })
            })
            .await??;
        match outcome {
            PasswordChange::Changed => ok(StatusCode::NO_CONTENT),
            PasswordChange::Rejected(violations) => Err(ApiError::PasswordPolicy(violations)),
            PasswordChange::WrongCurrent {
                locked_until: Some(until),
            }
            | PasswordChange::Locked { until } => Err(ApiError::Locked { until }),
            PasswordChange::WrongCurrent { locked_until: None } => {
                Err(ApiError::WrongCurrentPassword)
            }
        }
    };
    reply(lang, &state.rules, answer.await)
}

/// `POST /logout`. A request body, if any, is ignored.
pub(super) async fn logout<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    SessionBearer(token): SessionBearer,
) -> Response {
    let answer = async {
        if state.run_light(move |s| s.logout(&token)).await?? {
            ok(StatusCode::NO_CONTENT)
        } else {
            Err(ApiError::Unauthenticated)
        }
    };
    reply(lang, &state.rules, answer.await)
}

/// `POST /authenticate`: the one-call receipt-computer authentication (no session).
pub(super) async fn authenticate<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    JsonBody(body): JsonBody<AuthenticateBody>,
) -> Response {
    let answer = async {
        let request = AuthenticateRequest::try_from(body)?;
        let key = request.credentials.key(state.service.config())?;
        let outcome = state
            .run(move |s| s.authenticate(&key, &request.credentials.password, &request.passcode))
            .await??;
        match outcome {
            Authentication::Verified(identity) => ok(Json(IdentityResponse {
                institution_code: identity.institution_code.as_str(),
                login_id: identity.login_id.as_str(),
                authenticated_at: rfc3339_floor(identity.authenticated_at),
            })),
            Authentication::InvalidCredentials => Err(ApiError::InvalidCredentials),
            Authentication::InvalidPasscode => Err(ApiError::InvalidPasscode),
            Authentication::Locked { until } => Err(ApiError::Locked { until }),
            Authentication::EnrollmentRequired => Err(ApiError::EnrollmentRequired),
            Authentication::PasswordChangeRequired => Err(ApiError::PasswordChangeRequired),
            Authentication::Disabled => Err(ApiError::AccountDisabled),
        }
    };
    reply(lang, &state.rules, answer.await)
}
