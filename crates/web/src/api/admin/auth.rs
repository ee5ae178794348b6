//! [`Caller`]: who is calling the administration API, as the facade found the API key.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;
use shikaku::{AdminCaller, Store};

use super::super::error::ApiError;
use super::super::extract::{bearer, lang_of};
use crate::state::AppState;

/// The administrator behind `Authorization: Bearer <API key>`. No header, a malformed
/// key, an unknown key and a revoked key are one answer: 401 `unauthenticated`
/// ([`ApiError::ApiKeyRequired`]). The key is checked on every call (no cache), so a
/// revocation holds from the next request on.
pub(super) struct Caller(pub(super) AdminCaller);

impl<S: Store> FromRequestParts<AppState<S>> for Caller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let lang = lang_of(&parts.extensions);
        let refuse = |error: ApiError| error.into_response_in(lang);
        let key = bearer(&parts.headers).ok_or_else(|| refuse(ApiError::ApiKeyRequired))?;
        match state.run_light(move |s| s.admin_caller(&key)).await {
            Ok(Ok(caller)) => Ok(Self(caller)),
            Ok(Err(error)) => Err(refuse(error.into())),
            Err(error) => Err(refuse(error.into())),
        }
    }
}
