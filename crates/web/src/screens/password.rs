//! \[パスワード変更\]: the form, 《変更》 and パスワード変更完了.

use std::sync::Arc;

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Response};
use shikaku::password::{Password, Violation, ViolationCode};
use shikaku::{Error, PasswordChange, Store};

use super::flow::{Answer, SignedIn, failure, incomplete, see_other, session_over, user_of};
use crate::forms::PasswordChangeForm;
use crate::lang::Lang;
use crate::messages::Rules;
use crate::paths;
use crate::security::CsrfToken;
use crate::state::AppState;
use crate::views::{
    FieldError, PasswordChangePage, PasswordChangedPage, PasswordField, PasswordProblem,
};

/// \[パスワード変更\] (also while an administrator's reset is pending: it says so).
pub(super) async fn password_form<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    csrf_token: CsrfToken,
    SignedIn(info): SignedIn,
) -> PasswordChangePage {
    PasswordChangePage {
        lang,
        csrf_token,
        user: user_of(&info),
        errors: Vec::new(),
        must_change: info.must_change_password,
        rules: Arc::clone(&state.rules),
    }
}

/// 《変更》 (after its confirmation's 《OK》), for the session the extractor has just
/// checked.
pub(super) async fn change_password<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    csrf_token: CsrfToken,
    SignedIn(info): SignedIn,
    Form(mut form): Form<PasswordChangeForm>,
) -> Answer {
    let user = user_of(&info);
    let must_change = info.must_change_password;
    let rules = Arc::clone(&state.rules);
    let again = |errors: Vec<FieldError>| -> Response {
        PasswordChangePage {
            lang,
            csrf_token: csrf_token.clone(),
            user: user.clone(),
            errors,
            must_change,
            rules: Arc::clone(&rules),
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
    .map(|(field, _)| FieldError::new(field, PasswordProblem::Required, lang, &rules))
    .collect();
    if !required.is_empty() {
        return Ok(again(required));
    }
    let current = Password::new(std::mem::take(&mut form.current_password));
    let new = Password::new(std::mem::take(&mut form.new_password));
    let new_again = Password::new(std::mem::take(&mut form.new_password_confirm));
    let outcome = state
        .run(move |s| s.change_password(&info, &current, &new, &new_again))
        .await
        .map_err(incomplete(lang, "change_password"))?;
    let m = lang.t();
    match outcome {
        Ok(PasswordChange::Changed) => Ok(see_other(paths::PASSWORD_DONE)),
        Ok(PasswordChange::Rejected(violations)) => {
            let mut errors: Vec<FieldError> = Vec::new();
            for error in violations.iter().map(|v| violation_error(v, lang, &rules)) {
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
                &rules,
            )];
            if let Some(until) = locked_until {
                errors.push(FieldError {
                    field: PasswordField::Current,
                    message: m.password_change_locked(lang, until, &rules),
                });
            }
            Ok(again(errors))
        }
        Ok(PasswordChange::Locked { until }) => Ok(again(vec![FieldError {
            field: PasswordField::Current,
            message: m.password_change_locked(lang, until, &rules),
        }])),
        Err(Error::SessionEnded(end)) => Err(session_over(&state.security, end)),
        Err(error) => Err(failure(lang, "change_password", &error)),
    }
}

/// A broken password rule, next to the field it concerns: the confirmation
/// mismatch next to ③, everything else next to ②.
fn violation_error(violation: &Violation, lang: Lang, rules: &Rules) -> FieldError {
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
        Some(problem) => FieldError::new(field, problem, lang, rules),
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

/// パスワード変更完了.
pub(super) async fn password_done(lang: Lang, SignedIn(info): SignedIn) -> PasswordChangedPage {
    PasswordChangedPage {
        lang,
        user: user_of(&info),
    }
}
