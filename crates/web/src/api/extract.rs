//! Extractors: the JSON body and the bearer tokens. Their rejections are already JSON
//! errors in the request's language.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use shikaku::Token;
use zeroize::Zeroizing;

use super::error::{ApiError, Malformed};
use super::token;
use crate::lang::Lang;
use crate::messages::Rules;

/// The language the app's middleware negotiated (Japanese without it).
pub(super) fn lang_of(extensions: &axum::http::Extensions) -> Lang {
    extensions.get::<Lang>().copied().unwrap_or_default()
}

/// A JSON request body of type `T`.
///
/// Refused with 400 `malformed` unless `Content-Type` is `application/json` (parameters
/// such as `charset=utf-8` allowed) and the body is exactly one JSON value of the shape
/// `T` declares (serde: UTF-8, no lone surrogate, no trailing data, no unknown, missing
/// or repeated field). The size limit is applied before this runs (413). The buffered
/// bytes are wiped once parsed; the serde error text is never echoed (it can quote a value).
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = lang_of(req.extensions());
        if !is_json(req.headers()) {
            return Err(ApiError::Malformed(Malformed::ContentType).into_response_in(lang));
        }
        let bytes = match Bytes::from_request(req, state).await {
            Ok(bytes) => bytes,
            Err(rejection) => {
                return Err(ApiError::from_status(rejection.status()).into_response_in(lang));
            }
        };
        // Usually the very buffer the guard read (no copy), wiped when dropped.
        let raw = Zeroizing::new(Vec::<u8>::from(bytes));
        serde_json::from_slice(&raw).map(JsonBody).map_err(|e| {
            let (line, column) = (e.line(), e.column());
            let why = match e.classify() {
                serde_json::error::Category::Data => Malformed::Shape { line, column },
                _ => Malformed::Syntax { line, column },
            };
            ApiError::Malformed(why).into_response_in(lang)
        })
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    let mut values = headers.get_all(header::CONTENT_TYPE).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return false;
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// The token of `Authorization: Bearer <64 lowercase hex digits>` (one header, scheme
/// case-insensitive). Never read from the URL or a cookie.
pub(super) fn bearer(headers: &HeaderMap) -> Option<Token> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return None;
    };
    let (scheme, credential) = value.to_str().ok()?.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    token::parse(credential.trim_start_matches(' '))
}

/// A session token from `Authorization: Bearer`; otherwise 401 `unauthenticated`.
pub(crate) struct SessionBearer(pub(crate) Token);

impl<S: Send + Sync> FromRequestParts<S> for SessionBearer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        bearer(&parts.headers)
            .map(SessionBearer)
            .ok_or_else(|| ApiError::Unauthenticated.into_response_in(lang_of(&parts.extensions)))
    }
}

/// A login token from `Authorization: Bearer`; otherwise 401 `unauthenticated` (with the
/// "start again from the password" message).
pub(crate) struct LoginBearer(pub(crate) Token);

impl<S: Send + Sync> FromRequestParts<S> for LoginBearer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        bearer(&parts.headers)
            .map(LoginBearer)
            .ok_or_else(|| ApiError::LoginExpired.into_response_in(lang_of(&parts.extensions)))
    }
}

/// A handler's answer: a response, or an error rendered in `lang`.
pub(crate) fn reply(lang: Lang, rules: &Rules, result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(|error| error.into_response_with(lang, rules))
}

/// Shorthand for handlers: any `IntoResponse` as an `Ok`.
pub(crate) fn ok(response: impl IntoResponse) -> Result<Response, ApiError> {
    Ok(response.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(name: &header::HeaderName, values: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(name.clone(), HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn content_type() {
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
        ] {
            assert!(is_json(&headers(&header::CONTENT_TYPE, &[ok])), "{ok}");
        }
        for bad in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/jsonx",
            "",
        ] {
            assert!(!is_json(&headers(&header::CONTENT_TYPE, &[bad])), "{bad}");
        }
        assert!(!is_json(&HeaderMap::new()));
        assert!(!is_json(&headers(
            &header::CONTENT_TYPE,
            &["application/json", "application/json"]
        )));
    }

    #[test]
    fn bearer_header() {
        const T: &str = "Bearer 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert!(bearer(&headers(&header::AUTHORIZATION, &[T])).is_some());
        assert!(
            bearer(&headers(
                &header::AUTHORIZATION,
                &["bearer 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"]
            ))
            .is_some()
        );
        for bad in [
            "Bearer",
            "Bearer ",
            "Basic 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "Bearer 0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
            "Bearer 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
            "Bearer 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef ",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert!(
                bearer(&headers(&header::AUTHORIZATION, &[bad])).is_none(),
                "{bad}"
            );
        }
        assert!(bearer(&headers(&header::AUTHORIZATION, &[T, T])).is_none());
    }
}
