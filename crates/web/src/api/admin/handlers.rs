//! The administration handlers: the caller (checked API key), then the request's form,
//! then one facade call on the blocking pool (`run` where a password is hashed), then
//! the answer. Every rule — the scope, the audit event naming the key — is the facade's.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use shikaku::{AccountKey, AdminCaller, Shikaku, Store};

use super::super::error::ApiError;
use super::super::extract::{JsonBody, ok, reply};
use super::auth::Caller;
use super::query::{AccountsQuery, audit_query};
use super::wire::{
    AccountPath, AccountResponse, AccountsResponse, AuditResponse, CreateAccountBody,
    NewAccountRequest, SettingsResponse,
};
use crate::lang::Lang;
use crate::state::AppState;

type Answer = Result<Response, ApiError>;

/// `POST /admin/accounts`: ユーザ設定情報の発行.
pub(super) async fn create<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    Caller(caller): Caller,
    JsonBody(body): JsonBody<CreateAccountBody>,
) -> Response {
    let answer = async {
        let mut request = NewAccountRequest::try_from(body)?;
        let key = request.key(state.service.config())?;
        let password = request.initial_password.take();
        let settings = state
            .run(move |s| s.provision_as(&caller, &key, password))
            .await??;
        ok((StatusCode::CREATED, Json(SettingsResponse::from(&settings))))
    };
    reply(lang, &state.rules, answer.await)
}

/// `GET /admin/accounts`: a page of the key's accounts.
pub(super) async fn list<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    Caller(caller): Caller,
    uri: Uri,
) -> Response {
    let answer = async {
        let query = AccountsQuery::parse(&uri, state.service.config())?;
        let page = state
            .run_light(move |s| {
                s.accounts_page(
                    &caller,
                    query.institution.as_ref(),
                    query.after.as_ref(),
                    query.limit,
                )
            })
            .await??;
        ok(Json(AccountsResponse::from(&page)))
    };
    reply(lang, &state.rules, answer.await)
}

/// `GET /admin/accounts/{institution_code}/{login_id}`.
pub(super) async fn show<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    Caller(caller): Caller,
    AccountPath(key): AccountPath,
) -> Response {
    let answer = async {
        let account = state
            .run_light(move |s| s.account_as(&caller, &key))
            .await??;
        ok(Json(AccountResponse::from(&account)))
    };
    reply(lang, &state.rules, answer.await)
}

/// `POST …/unlock`: clears both lock counters.
pub(super) async fn unlock<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    Caller(caller): Caller,
    AccountPath(key): AccountPath,
) -> Response {
    account_action(state, lang, caller, key, |s, caller, key| {
        s.unlock_as(caller, key)
    })
    .await
}

/// `POST …/reset-mfa`: device lost.
pub(super) async fn reset_mfa<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    Caller(caller): Caller,
    AccountPath(key): AccountPath,
) -> Response {
    account_action(state, lang, caller, key, |s, caller, key| {
        s.reset_mfa_as(caller, key)
    })
    .await
}

/// `POST …/reset-password`: a new initial password, shown this once.
pub(super) async fn reset_password<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    Caller(caller): Caller,
    AccountPath(key): AccountPath,
) -> Response {
    let answer = async {
        let settings = state
            .run(move |s| s.reset_password_as(&caller, &key))
            .await??;
        ok(Json(SettingsResponse::from(&settings)))
    };
    reply(lang, &state.rules, answer.await)
}

/// `POST …/disable`.
pub(super) async fn disable<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    Caller(caller): Caller,
    AccountPath(key): AccountPath,
) -> Response {
    account_action(state, lang, caller, key, |s, caller, key| {
        s.set_disabled_as(caller, key, true)
    })
    .await
}

/// `POST …/enable`.
pub(super) async fn enable<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    Caller(caller): Caller,
    AccountPath(key): AccountPath,
) -> Response {
    account_action(state, lang, caller, key, |s, caller, key| {
        s.set_disabled_as(caller, key, false)
    })
    .await
}

/// One facade operation on one account that answers nothing: `204` when it is done.
async fn account_action<S: Store>(
    state: AppState<S>,
    lang: Lang,
    caller: AdminCaller,
    key: AccountKey,
    action: impl FnOnce(&Shikaku<S>, &AdminCaller, &AccountKey) -> Result<(), shikaku::Error>
    + Send
    + 'static,
) -> Response {
    let answer: Answer = async {
        state.run_light(move |s| action(s, &caller, &key)).await??;
        ok(StatusCode::NO_CONTENT)
    }
    .await;
    reply(lang, &state.rules, answer)
}

/// `GET /admin/audit`: a page of the events the key may see, newest first.
pub(super) async fn audit<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    Caller(caller): Caller,
    uri: Uri,
) -> Response {
    let answer = async {
        let query = audit_query(&uri, state.service.config())?;
        let page = state
            .run_light(move |s| s.audit_page(&caller, &query))
            .await??;
        ok(Json(AuditResponse::from(&page)))
    };
    reply(lang, &state.rules, answer.await)
}
