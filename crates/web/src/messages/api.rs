//! The JSON API's human-readable `message` texts, one [`ApiMessages`] per language
//! (`Messages::api`). The machine-readable codes stay with the API.

use time::OffsetDateTime;

use super::jst::LockEnd;
use super::template::{fill, fill2};

/// The JSON API's `message` texts in one language.
///
/// None of them is in the manual (the manual has no API); they reuse its wording
/// where a screen says the same thing.
#[derive(Debug)]
#[non_exhaustive]
pub struct ApiMessages {
    /// 401 `invalid_credentials`: wrong password or unknown account.
    pub invalid_credentials: &'static str,
    /// 401 `invalid_credentials` on `POST /password`: the current password is wrong.
    pub wrong_current_password: &'static str,
    /// 401 `invalid_passcode`.
    pub invalid_passcode: &'static str,
    /// 401 `session_expired`; `{idle}` = the configured idle timeout
    /// ([`Rules::fill`](super::Rules::fill)).
    pub session_expired: &'static str,
    /// 401 `session_superseded`.
    pub session_superseded: &'static str,
    /// 401 `unauthenticated`: no usable session token.
    pub unauthenticated: &'static str,
    /// 401 `unauthenticated`: no usable login token.
    pub login_expired: &'static str,
    /// 403 `password_change_required`.
    pub password_change_required: &'static str,
    /// 403 `account_disabled`.
    pub account_disabled: &'static str,
    /// 403 `forbidden`.
    pub forbidden: &'static str,
    /// 421 `misdirected_request`.
    pub misdirected: &'static str,
    /// 404 `not_found`.
    pub not_found: &'static str,
    /// 405 `method_not_allowed`.
    pub method_not_allowed: &'static str,
    /// 409 `enrollment_required`.
    pub enrollment_required: &'static str,
    /// 409 `already_enrolled`.
    pub already_enrolled: &'static str,
    /// 413 `too_large`.
    pub too_large: &'static str,
    /// 422 `password_policy`.
    pub password_policy: &'static str,
    /// 423 `locked`; `{}` = when the lock lifts ([`LockEnd::numeric`]). Names no
    /// count: the lock may be the password's or the passcode's, configured apart.
    pub locked: &'static str,
    /// 500 `internal`.
    pub internal: &'static str,
    /// 400 `malformed`: `Content-Type` is not JSON.
    pub malformed_content_type: &'static str,
    /// 400 `malformed`: not JSON; `{}` `{}` = line, column.
    pub malformed_syntax: &'static str,
    /// 400 `malformed`: not the documented object; `{}` `{}` = line, column.
    pub malformed_shape: &'static str,
    /// 400 `malformed`: an empty field; `{}` = its JSON name.
    pub malformed_empty: &'static str,
    /// 400 `malformed`: a control character; `{}` = the field's JSON name.
    pub malformed_control: &'static str,
    /// 400 `malformed`: 機関コード; `{}` = the number of digits.
    pub malformed_institution_code: &'static str,
    /// 400 `malformed`: ログイン ID.
    pub malformed_login_id: &'static str,
    /// 400 `malformed`: the passcode is not 6 digits.
    pub malformed_passcode: &'static str,
    /// 400 `malformed`: anything else the transport refused.
    pub malformed_request: &'static str,
    /// 400 `malformed`: a token field is not 64 lowercase hex digits; `{}` = its name.
    pub malformed_token: &'static str,
    /// 400 `malformed`: an unknown or repeated query parameter.
    pub malformed_query: &'static str,
    /// 400 `malformed`: `limit` out of range; `{}` = the largest page.
    pub malformed_limit: &'static str,
    /// 400 `malformed`: `after` is not a cursor.
    pub malformed_cursor: &'static str,
    /// 400 `malformed`: an instant parameter; `{}` = its name.
    pub malformed_instant: &'static str,
    /// 400 `malformed`: `kind` is not an audit event kind.
    pub malformed_kind: &'static str,
    /// 401 `unauthenticated` under `/admin`: no API key, or an unknown, revoked or
    /// malformed one (one text for all).
    pub api_key_required: &'static str,
    /// 404 `unknown_account`: no such account (or, for a scoped key, one outside its
    /// institutions: the same text).
    pub unknown_account: &'static str,
    /// 409 `account_exists`.
    pub account_exists: &'static str,
    /// 422 `password_policy` for an administrator's initial password.
    pub initial_password_policy: &'static str,
    /// 503 `unavailable`: the store cannot answer right now.
    pub unavailable: &'static str,
}

impl ApiMessages {
    /// [`Self::locked`] with the time the lock lifts.
    #[must_use]
    pub fn locked_until(&self, until: OffsetDateTime) -> String {
        fill(self.locked, &LockEnd::new(until).numeric())
    }

    /// [`Self::malformed_syntax`] at a position.
    #[must_use]
    pub fn syntax_at(&self, line: usize, column: usize) -> String {
        fill2(
            self.malformed_syntax,
            &line.to_string(),
            &column.to_string(),
        )
    }

    /// [`Self::malformed_shape`] at a position.
    #[must_use]
    pub fn shape_at(&self, line: usize, column: usize) -> String {
        fill2(self.malformed_shape, &line.to_string(), &column.to_string())
    }

    /// [`Self::malformed_empty`] for a field.
    #[must_use]
    pub fn empty(&self, field: &str) -> String {
        fill(self.malformed_empty, field)
    }

    /// [`Self::malformed_control`] for a field.
    #[must_use]
    pub fn control(&self, field: &str) -> String {
        fill(self.malformed_control, field)
    }

    /// [`Self::malformed_token`] for a field.
    #[must_use]
    pub fn token(&self, field: &str) -> String {
        fill(self.malformed_token, field)
    }

    /// [`Self::malformed_limit`] for the largest page.
    #[must_use]
    pub fn limit(&self, max: usize) -> String {
        fill(self.malformed_limit, &max.to_string())
    }

    /// [`Self::malformed_instant`] for a parameter.
    #[must_use]
    pub fn instant(&self, name: &str) -> String {
        fill(self.malformed_instant, name)
    }

    /// [`Self::malformed_institution_code`] for a number of digits.
    #[must_use]
    pub fn institution_code(&self, digits: usize) -> String {
        fill(self.malformed_institution_code, &digits.to_string())
    }
}
