//! The administration API's bodies and its account path: request bodies checked field
//! by field like the rest of the API (`super::super::wire`), responses that hold no
//! secret other than a just-issued initial password, and no hash ever.

use std::fmt;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use shikaku::lockout::LockStatus;
use shikaku::password::Password;
use shikaku::{
    AccountKey, AccountListing, AccountSummary, AuditListing, Config, InitialSettings, LoginId,
    Store, StoredAuditEvent,
};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::super::error::{ApiError, Field, Malformed};
use super::super::extract::lang_of;
use super::super::instant::rfc3339_floor;
use super::super::wire::{login_id, no_controls, required};
use crate::state::AppState;

/// The account of `…/accounts/{institution_code}/{login_id}…`, parsed like the same
/// fields of a body (normalised; 400 `malformed` when not of their form).
pub(super) struct AccountPath(pub(super) AccountKey);

impl<S: Store> FromRequestParts<AppState<S>> for AccountPath {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let lang = lang_of(&parts.extensions);
        let refuse = |why: Malformed| ApiError::Malformed(why).into_response_in(lang);
        // A segment that does not decode (bad escape, not UTF-8) is the request's form.
        let Path((code, id)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| refuse(Malformed::Request))?;
        required(Field::InstitutionCode, &code).map_err(refuse)?;
        let id = login_id(&id).map_err(refuse)?;
        state
            .service
            .config()
            .account_key(&code, id.as_str())
            .map(AccountPath)
            .map_err(|error| ApiError::from(error).into_response_in(lang))
    }
}

/// `POST /admin/accounts`.
#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub(super) struct CreateAccountBody {
    institution_code: String,
    login_id: String,
    /// Absent or `null`: one is generated.
    #[serde(default)]
    initial_password: Option<String>,
}

impl fmt::Debug for CreateAccountBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateAccountBody")
            .field("institution_code", &self.institution_code)
            .field("login_id", &self.login_id)
            .field("initial_password", &"***")
            .finish()
    }
}

/// A new account, checked for form: the policy judges the password (422).
#[derive(Debug)]
pub(super) struct NewAccountRequest {
    institution_code: String,
    login_id: LoginId,
    pub(super) initial_password: Option<Password>,
}

impl NewAccountRequest {
    /// The account it names, by the configuration's number of 機関コード digits.
    pub(super) fn key(&self, config: &Config) -> Result<AccountKey, ApiError> {
        Ok(config.account_key(&self.institution_code, self.login_id.as_str())?)
    }
}

impl TryFrom<CreateAccountBody> for NewAccountRequest {
    type Error = ApiError;

    fn try_from(mut body: CreateAccountBody) -> Result<Self, ApiError> {
        required(Field::InstitutionCode, &body.institution_code)?;
        let login_id = login_id(&body.login_id)?;
        let initial_password = match body.initial_password.as_mut() {
            Some(given) => {
                no_controls(Field::InitialPassword, given)?;
                Some(Password::new(std::mem::take(given)))
            }
            None => None,
        };
        Ok(Self {
            institution_code: std::mem::take(&mut body.institution_code),
            login_id,
            initial_password,
        })
    }
}

/// 201 of `POST /admin/accounts`, 200 of `…/reset-password`: ユーザ設定情報, the
/// initial password shown this once.
#[derive(Serialize)]
pub(super) struct SettingsResponse<'a> {
    institution_code: &'a str,
    login_id: &'a str,
    initial_password: &'a str,
}

impl<'a> From<&'a InitialSettings> for SettingsResponse<'a> {
    fn from(settings: &'a InitialSettings) -> Self {
        Self {
            institution_code: settings.institution_code.as_str(),
            login_id: settings.login_id.as_str(),
            initial_password: settings.initial_password.as_str(),
        }
    }
}

/// One account's state (the CLI's `user list --json` names).
#[derive(Serialize)]
pub(super) struct AccountResponse {
    institution_code: String,
    login_id: String,
    enrolled: bool,
    drift_steps: Option<i64>,
    disabled: bool,
    must_change_password: bool,
    password_locked_until: Option<String>,
    passcode_locked_until: Option<String>,
    created_at: String,
    updated_at: String,
}

fn locked_until(status: &LockStatus) -> Option<String> {
    match status {
        LockStatus::Locked { until } => Some(shikaku::lock_end_text(*until)),
        LockStatus::Open { .. } => None,
    }
}

impl From<&AccountSummary> for AccountResponse {
    fn from(a: &AccountSummary) -> Self {
        Self {
            institution_code: a.key.institution_code.to_string(),
            login_id: a.key.login_id.to_string(),
            enrolled: a.enrolled,
            drift_steps: a.drift,
            disabled: a.disabled,
            must_change_password: a.must_change_password,
            password_locked_until: locked_until(&a.password_lock),
            passcode_locked_until: locked_until(&a.passcode_lock),
            created_at: rfc3339_floor(a.created_at),
            updated_at: rfc3339_floor(a.updated_at),
        }
    }
}

/// 200 of `GET /admin/accounts`.
#[derive(Serialize)]
pub(super) struct AccountsResponse {
    accounts: Vec<AccountResponse>,
    /// `institution_code/login_id` of the page's last account, for `after`.
    next: Option<String>,
}

impl From<&AccountListing> for AccountsResponse {
    fn from(page: &AccountListing) -> Self {
        Self {
            accounts: page.accounts.iter().map(AccountResponse::from).collect(),
            next: page.next.as_ref().map(AccountKey::storage_key),
        }
    }
}

/// One audit event.
#[derive(Serialize)]
pub(super) struct AuditEventResponse<'a> {
    seq: i64,
    at: String,
    kind: &'static str,
    channel: shikaku::Channel,
    institution_code: Option<&'a str>,
    login_id: Option<&'a str>,
    detail: Option<&'a str>,
}

impl<'a> From<&'a StoredAuditEvent> for AuditEventResponse<'a> {
    fn from(stored: &'a StoredAuditEvent) -> Self {
        let event = &stored.event;
        Self {
            seq: stored.seq.0,
            at: rfc3339_floor(event.at),
            kind: event.kind.as_str(),
            channel: event.channel,
            institution_code: event.account.as_ref().map(|k| k.institution_code.as_str()),
            login_id: event.account.as_ref().map(|k| k.login_id.as_str()),
            detail: event.detail.as_deref(),
        }
    }
}

/// 200 of `GET /admin/audit`.
#[derive(Serialize)]
pub(super) struct AuditResponse<'a> {
    events: Vec<AuditEventResponse<'a>>,
    /// The page's last `seq`, for `after`.
    next: Option<i64>,
}

impl<'a> From<&'a AuditListing> for AuditResponse<'a> {
    fn from(page: &'a AuditListing) -> Self {
        Self {
            events: page.events.iter().map(AuditEventResponse::from).collect(),
            next: page.next.map(|seq| seq.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_initial_password_is_checked_for_form_only_and_never_shown() {
        let body: CreateAccountBody = serde_json::from_str(
            r#"{"institution_code":"0123456789","login_id":"ｓｔａｆｆ01","initial_password":"Hunter#22"}"#,
        )
        .unwrap();
        assert!(!format!("{body:?}").contains("Hunter#22"));
        let request = NewAccountRequest::try_from(body).unwrap();
        assert!(!format!("{request:?}").contains("Hunter#22"));
        assert_eq!(request.login_id.as_str(), "staff01");
        assert_eq!(
            request.initial_password.as_ref().map(Password::as_str),
            Some("Hunter#22")
        );
        for absent in [
            r#"{"institution_code":"0123456789","login_id":"a"}"#,
            r#"{"institution_code":"0123456789","login_id":"a","initial_password":null}"#,
        ] {
            let body: CreateAccountBody = serde_json::from_str(absent).unwrap();
            assert!(
                NewAccountRequest::try_from(body)
                    .unwrap()
                    .initial_password
                    .is_none()
            );
        }
        let body: CreateAccountBody = serde_json::from_str(
            r#"{"institution_code":"0123456789","login_id":"a","initial_password":"a\u0000"}"#,
        )
        .unwrap();
        assert!(matches!(
            NewAccountRequest::try_from(body),
            Err(ApiError::Malformed(Malformed::Control(
                Field::InitialPassword
            )))
        ));
        assert!(
            serde_json::from_str::<CreateAccountBody>(
                r#"{"institution_code":"0123456789","login_id":"a","password":"x"}"#
            )
            .is_err()
        );
    }
}
