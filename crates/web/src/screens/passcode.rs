//! Passcode \[ログイン\]: the form (at registration or at login) and
//! 《パスコードを送信》.

use axum::extract::{Form, State};
use axum::response::IntoResponse;
use shikaku::totp::Passcode;
use shikaku::{LoginStage, PasscodeLogin, Store};

use super::flow::{Answer, Ticket, incomplete, login_phase_error, login_stage, rotate_to};
use crate::forms::PasscodeForm;
use crate::lang::Lang;
use crate::paths;
use crate::security::CsrfToken;
use crate::state::AppState;
use crate::views::{PasscodeError, PasscodePage, PasscodePurpose};

/// The passcode screen's wording for where the login stands.
pub(super) fn purpose(stage: LoginStage) -> PasscodePurpose {
    match stage {
        LoginStage::Enrollment => PasscodePurpose::Enrollment,
        LoginStage::Passcode => PasscodePurpose::Login,
    }
}

/// The wording for a facade answer that says whether the login was registering.
fn purpose_while(enrolling: bool) -> PasscodePurpose {
    purpose(if enrolling {
        LoginStage::Enrollment
    } else {
        LoginStage::Passcode
    })
}

/// The passcode form; which lead it shows depends on where the login stands.
pub(super) async fn passcode_form<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    csrf_token: CsrfToken,
    ticket: Ticket,
) -> Answer {
    let stage = login_stage(&state, lang, &ticket).await?;
    Ok(PasscodePage::new(lang, csrf_token, purpose(stage))
        .with_rules(std::sync::Arc::clone(&state.rules))
        .into_response())
}

/// 《パスコードを送信》.
pub(super) async fn submit_passcode<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    csrf_token: CsrfToken,
    ticket: Ticket,
    Form(form): Form<PasscodeForm>,
) -> Answer {
    let again = |purpose: PasscodePurpose, error: PasscodeError| {
        PasscodePage {
            lang,
            csrf_token: csrf_token.clone(),
            purpose,
            error: Some(error),
            rules: std::sync::Arc::clone(&state.rules),
        }
        .into_response()
    };
    let Ok(passcode) = Passcode::parse(&form.passcode) else {
        // Not 6 digits: never reaches the verifier, not counted. An expired login is
        // still reported first (back to the password), and the message belongs on the
        // screen the login is at.
        let stage = login_stage(&state, lang, &ticket).await?;
        return Ok(again(purpose(stage), PasscodeError::Malformed));
    };
    let token = ticket.token;
    let outcome = state
        .run_light(move |s| s.submit_passcode(&token, &passcode))
        .await
        .map_err(incomplete(lang, "submit_passcode"))?
        .map_err(|error| login_phase_error(lang, "submit_passcode", error))?;
    match outcome {
        PasscodeLogin::Session(grant) => {
            let to = if grant.enrolled {
                paths::ENROLL_DONE
            } else if grant.must_change_password {
                paths::PASSWORD
            } else {
                paths::MENU
            };
            Ok(rotate_to(&state.security, &grant.token, to))
        }
        PasscodeLogin::Invalid { enrolling } => {
            Ok(again(purpose_while(enrolling), PasscodeError::Wrong))
        }
        // The facade has voided the login: 《戻る》 leads back to the password.
        PasscodeLogin::Locked { until, enrolling } => Ok(again(
            purpose_while(enrolling),
            PasscodeError::Locked { until },
        )),
    }
}
