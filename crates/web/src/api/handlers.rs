//! The handlers: parse, convert, call the facade on the blocking pool, answer.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shikaku::{Authentication, PasscodeLogin, PasswordChange, PasswordLogin, Store};

use super::OPENAPI_JSON;
use super::error::ApiError;
use super::extract::{JsonBody, LoginBearer, SessionBearer, ok, reply};
use super::wire::{
    AuthenticateBody, AuthenticateRequest, Credentials, EnrollmentResponse, IdentityResponse,
    LoginBody, LoginResponse, Next, PasscodeBody, PasscodeSubmission, PasswordChangeBody,
    PasswordChangeRequest, SessionGrantResponse, SessionResponse, rfc3339_floor,
};
use crate::app::AppState;
use crate::lang::Lang;

type Answer = Result<Response, ApiError>;

/// `POST /login`.
pub(super) async fn login<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    JsonBody(body): JsonBody<LoginBody>,
) -> Response {
    reply(lang, login_inner(state, body).await)
}

async fn login_inner<S: Store>(state: AppState<S>, body: LoginBody) -> Answer {
    let credentials = Credentials::try_from(body)?;
    let outcome = state
        .run(move |s| {
            s.password_login(
                &credentials.institution_code,
                credentials.login_id.as_str(),
                &credentials.password,
            )
        })
        .await??;
    let (next, ticket) = match outcome {
        PasswordLogin::NeedsEnrollment(ticket) => (Next::Enroll, ticket),
        PasswordLogin::NeedsPasscode(ticket) => (Next::Passcode, ticket),
        PasswordLogin::Locked { until } => return Err(ApiError::Locked { until }),
        PasswordLogin::Invalid => return Err(ApiError::InvalidCredentials),
        PasswordLogin::Disabled => return Err(ApiError::AccountDisabled),
    };
    ok(Json(LoginResponse {
        next,
        login_token: ticket.token.expose(),
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
    reply(lang, answer.await)
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
            .run_light(move |s| {
                s.submit_passcode(&submission.login_token, submission.passcode.as_str())
            })
            .await??;
        match outcome {
            PasscodeLogin::Session(grant) => ok(Json(SessionGrantResponse {
                session_token: grant.token.expose(),
                enrolled: grant.enrolled,
            })),
            PasscodeLogin::Locked { until } => Err(ApiError::Locked { until }),
            PasscodeLogin::Invalid => Err(ApiError::InvalidPasscode),
        }
    };
    reply(lang, answer.await)
}

/// `GET /session`: counts as activity (extends the idle timeout), like any screen.
pub(super) async fn session<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    SessionBearer(token): SessionBearer,
) -> Response {
    let answer = async {
        let info = state.run_light(move |s| s.session(&token)).await???;
        if info.must_change_password {
            return Err(ApiError::PasswordChangeRequired);
        }
        ok(Json(SessionResponse {
            institution_code: info.key.institution_code.as_str(),
            login_id: info.key.login_id.as_str(),
            expires_at: rfc3339_floor(info.expires_at),
        }))
    };
    reply(lang, answer.await)
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
        let outcome = state
            .run(move |s| {
                s.change_password(&token, &request.current, &request.new, &request.confirm)
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
    reply(lang, answer.await)
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
    reply(lang, answer.await)
}

/// `POST /authenticate`: the one-call receipt-computer authentication (no session).
pub(super) async fn authenticate<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    JsonBody(body): JsonBody<AuthenticateBody>,
) -> Response {
    let answer = async {
        let request = AuthenticateRequest::try_from(body)?;
        let outcome = state
            .run(move |s| {
                let c = &request.credentials;
                s.authenticate(
                    &c.institution_code,
                    c.login_id.as_str(),
                    &c.password,
                    request.passcode.as_str(),
                )
            })
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
    reply(lang, answer.await)
}

/// `GET /openapi.json`: the contract, as checked in.
pub(super) async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI_JSON,
    )
        .into_response()
}
