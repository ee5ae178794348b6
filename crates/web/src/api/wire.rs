//! What travels on the wire: JSON request bodies (their own types, converted to domain
//! requests with `TryFrom`) and JSON response bodies.
//!
//! Request bodies that hold a password or a passcode are wiped when dropped and print
//! `***` in `Debug`. Conversion moves each secret into its domain type
//! ([`Password`], [`Passcode`], [`Token`], all wiped on drop) without copying it.
//!
//! The checks here are the ones that need no configuration: no control character in any
//! field, required fields not empty, the login ID and passcode in their only possible
//! form. The 機関コード's digit count is configuration: the facade checks it (and the
//! handler answers the same 400 `malformed`).

use std::fmt;

use serde::{Deserialize, Serialize};
use shikaku::password::Password;
use shikaku::totp::Passcode;
use shikaku::{AccountKey, Config, LoginId, Token};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::error::{ApiError, Field, Malformed};
use super::token;

/// Refuses control characters (C0, DEL, C1: NUL, newline, escape, …) in any field.
pub(super) fn no_controls(field: Field, value: &str) -> Result<(), Malformed> {
    if value.chars().any(char::is_control) {
        Err(Malformed::Control(field))
    } else {
        Ok(())
    }
}

/// [`no_controls`], and not empty.
pub(super) fn required(field: Field, value: &str) -> Result<(), Malformed> {
    no_controls(field, value)?;
    if value.is_empty() {
        Err(Malformed::Empty(field))
    } else {
        Ok(())
    }
}

pub(super) fn login_id(value: &str) -> Result<LoginId, Malformed> {
    required(Field::LoginId, value)?;
    LoginId::parse(value).map_err(|_| Malformed::LoginId)
}

fn passcode(value: &str) -> Result<Passcode, Malformed> {
    required(Field::Passcode, value)?;
    Passcode::parse(value).map_err(|_| Malformed::Passcode)
}

fn password(field: Field, value: &mut String) -> Result<Password, Malformed> {
    required(field, value)?;
    Ok(Password::new(std::mem::take(value)))
}

// ----- Requests ----------------------------------------------------------------------

/// `POST /login`.
#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginBody {
    institution_code: String,
    login_id: String,
    password: String,
}

impl fmt::Debug for LoginBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginBody")
            .field("institution_code", &self.institution_code)
            .field("login_id", &self.login_id)
            .field("password", &"***")
            .finish()
    }
}

/// 機関コード, ログイン ID and password, checked.
#[derive(Debug)]
pub(crate) struct Credentials {
    /// As typed (the facade normalises it and checks the digit count).
    pub(crate) institution_code: String,
    pub(crate) login_id: LoginId,
    pub(crate) password: Password,
}

impl Credentials {
    /// The account they name, by the configuration's number of 機関コード digits
    /// (400 `malformed` when it is not that).
    pub(crate) fn key(&self, config: &Config) -> Result<AccountKey, ApiError> {
        Ok(config.account_key(&self.institution_code, self.login_id.as_str())?)
    }
}

impl TryFrom<LoginBody> for Credentials {
    type Error = ApiError;

    fn try_from(mut body: LoginBody) -> Result<Self, ApiError> {
        required(Field::InstitutionCode, &body.institution_code)?;
        let login_id = login_id(&body.login_id)?;
        let password = password(Field::Password, &mut body.password)?;
        Ok(Self {
            institution_code: std::mem::take(&mut body.institution_code),
            login_id,
            password,
        })
    }
}

/// `POST /passcode`.
#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasscodeBody {
    login_token: String,
    passcode: String,
}

impl fmt::Debug for PasscodeBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasscodeBody")
            .field("login_token", &"***")
            .field("passcode", &"***")
            .finish()
    }
}

/// A login token and a passcode, checked.
#[derive(Debug)]
pub(crate) struct PasscodeSubmission {
    pub(crate) login_token: Token,
    pub(crate) passcode: Passcode,
}

impl TryFrom<PasscodeBody> for PasscodeSubmission {
    type Error = ApiError;

    fn try_from(body: PasscodeBody) -> Result<Self, ApiError> {
        required(Field::LoginToken, &body.login_token)?;
        let passcode = passcode(&body.passcode)?;
        // The form the document gives a token: 64 lowercase hex digits, or 400.
        let login_token =
            token::parse(&body.login_token).ok_or(Malformed::Token(Field::LoginToken))?;
        Ok(Self {
            login_token,
            passcode,
        })
    }
}

/// `POST /password`.
#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordChangeBody {
    current_password: String,
    new_password: String,
    new_password_confirm: String,
}

impl fmt::Debug for PasswordChangeBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordChangeBody")
            .field("current_password", &"***")
            .field("new_password", &"***")
            .field("new_password_confirm", &"***")
            .finish()
    }
}

/// The three passwords of \[パスワード変更\], checked for form only: the password policy
/// (including an empty new password) is the facade's, answered with 422.
#[derive(Debug)]
pub(crate) struct PasswordChangeRequest {
    pub(crate) current: Password,
    pub(crate) new: Password,
    pub(crate) confirm: Password,
}

impl TryFrom<PasswordChangeBody> for PasswordChangeRequest {
    type Error = ApiError;

    fn try_from(mut body: PasswordChangeBody) -> Result<Self, ApiError> {
        let current = password(Field::CurrentPassword, &mut body.current_password)?;
        no_controls(Field::NewPassword, &body.new_password)?;
        no_controls(Field::NewPasswordConfirm, &body.new_password_confirm)?;
        Ok(Self {
            current,
            new: Password::new(std::mem::take(&mut body.new_password)),
            confirm: Password::new(std::mem::take(&mut body.new_password_confirm)),
        })
    }
}

/// `POST /authenticate`.
#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuthenticateBody {
    institution_code: String,
    login_id: String,
    password: String,
    passcode: String,
}

impl fmt::Debug for AuthenticateBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthenticateBody")
            .field("institution_code", &self.institution_code)
            .field("login_id", &self.login_id)
            .field("password", &"***")
            .field("passcode", &"***")
            .finish()
    }
}

/// Credentials and a passcode, checked.
#[derive(Debug)]
pub(crate) struct AuthenticateRequest {
    pub(crate) credentials: Credentials,
    pub(crate) passcode: Passcode,
}

impl TryFrom<AuthenticateBody> for AuthenticateRequest {
    type Error = ApiError;

    fn try_from(mut body: AuthenticateBody) -> Result<Self, ApiError> {
        required(Field::InstitutionCode, &body.institution_code)?;
        let login_id = login_id(&body.login_id)?;
        let password = password(Field::Password, &mut body.password)?;
        let passcode = passcode(&body.passcode)?;
        Ok(Self {
            credentials: Credentials {
                institution_code: std::mem::take(&mut body.institution_code),
                login_id,
                password,
            },
            passcode,
        })
    }
}

// ----- Responses ---------------------------------------------------------------------

/// What follows a correct password.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Next {
    /// No Authenticator yet: `GET /enrollment`, then `POST /passcode`.
    Enroll,
    /// `POST /passcode`.
    Passcode,
}

/// 200 of `POST /login`.
#[derive(Serialize)]
pub(crate) struct LoginResponse<'a> {
    pub(crate) next: Next,
    pub(crate) login_token: &'a str,
}

/// 200 of `GET /enrollment`.
#[derive(Serialize)]
pub(crate) struct EnrollmentResponse<'a> {
    /// Copy form: the base32 key without spaces, as 《テキストでコピー》 copies it.
    pub(crate) setup_key: &'a str,
    pub(crate) otpauth_uri: &'a str,
    pub(crate) qr_svg: &'a str,
}

/// 200 of `POST /passcode`.
#[derive(Serialize)]
pub(crate) struct SessionGrantResponse<'a> {
    pub(crate) session_token: &'a str,
    pub(crate) enrolled: bool,
}

/// 200 of `GET /session`.
#[derive(Serialize)]
pub(crate) struct SessionResponse<'a> {
    pub(crate) institution_code: &'a str,
    pub(crate) login_id: &'a str,
    pub(crate) expires_at: String,
}

/// 200 of `POST /authenticate`.
#[derive(Serialize)]
pub(crate) struct IdentityResponse<'a> {
    pub(crate) institution_code: &'a str,
    pub(crate) login_id: &'a str,
    pub(crate) authenticated_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(code: &str, id: &str, pw: &str) -> Result<Credentials, ApiError> {
        Credentials::try_from(LoginBody {
            institution_code: code.into(),
            login_id: id.into(),
            password: pw.into(),
        })
    }

    fn malformed(r: Result<Credentials, ApiError>) -> Malformed {
        match r {
            Err(ApiError::Malformed(m)) => m,
            other => panic!("expected malformed, got {other:?}"),
        }
    }

    #[test]
    fn credentials_are_checked_field_by_field() {
        let ok = login("０１２３４５６７８９", "ｓｔａｆｆ01", "Pw#1abcd").unwrap();
        assert_eq!(ok.login_id.as_str(), "staff01");
        assert_eq!(ok.password.as_str(), "Pw#1abcd");
        assert_eq!(
            malformed(login("", "staff01", "x")),
            Malformed::Empty(Field::InstitutionCode)
        );
        assert_eq!(
            malformed(login("0123456789", "staff\u{0}", "x")),
            Malformed::Control(Field::LoginId)
        );
        assert_eq!(
            malformed(login("0123456789", "職員😀", "x")),
            Malformed::LoginId
        );
        assert_eq!(
            malformed(login("0123456789", "staff01", "")),
            Malformed::Empty(Field::Password)
        );
        assert_eq!(
            malformed(login("0123456789", "staff01", "a\u{7f}")),
            Malformed::Control(Field::Password)
        );
        assert_eq!(
            malformed(login("01234\n56789", "staff01", "x")),
            Malformed::Control(Field::InstitutionCode)
        );
    }

    #[test]
    fn passcode_body_checks_form_before_token() {
        let token = "ab".repeat(32);
        let ok = PasscodeSubmission::try_from(PasscodeBody {
            login_token: token.clone(),
            passcode: "１２３４５６".into(),
        })
        .unwrap();
        assert_eq!(ok.passcode.as_str(), "123456");
        let bad_code = PasscodeSubmission::try_from(PasscodeBody {
            login_token: "nope".into(),
            passcode: "12345".into(),
        });
        assert!(matches!(
            bad_code,
            Err(ApiError::Malformed(Malformed::Passcode))
        ));
        let bad_token = PasscodeSubmission::try_from(PasscodeBody {
            login_token: token.to_uppercase(),
            passcode: "123456".into(),
        });
        assert!(matches!(
            bad_token,
            Err(ApiError::Malformed(Malformed::Token(Field::LoginToken)))
        ));
    }

    #[test]
    fn an_empty_new_password_is_the_policys_business() {
        let r = PasswordChangeRequest::try_from(PasswordChangeBody {
            current_password: "Current#1".into(),
            new_password: String::new(),
            new_password_confirm: String::new(),
        })
        .unwrap();
        assert_eq!(r.new.as_str(), "");
        let r = PasswordChangeRequest::try_from(PasswordChangeBody {
            current_password: "Current#1".into(),
            new_password: "New\u{0}pw".into(),
            new_password_confirm: "x".into(),
        });
        assert!(matches!(
            r,
            Err(ApiError::Malformed(Malformed::Control(Field::NewPassword)))
        ));
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let body: AuthenticateBody = serde_json::from_str(
            r#"{"institution_code":"0123456789","login_id":"staff01","password":"Hunter#22","passcode":"654321"}"#,
        )
        .unwrap();
        let shown = format!("{body:?}");
        assert!(shown.contains("staff01"));
        assert!(!shown.contains("Hunter#22") && !shown.contains("654321"));
        let change: PasswordChangeBody = serde_json::from_str(
            r#"{"current_password":"Old#pw11","new_password":"New#pw22","new_password_confirm":"New#pw22"}"#,
        )
        .unwrap();
        let shown = format!("{change:?}");
        assert!(!shown.contains("pw11") && !shown.contains("pw22"));
        let request = AuthenticateRequest::try_from(body).unwrap();
        let shown = format!("{request:?}");
        assert!(
            !shown.contains("Hunter#22") && !shown.contains("654321"),
            "{shown}"
        );
    }

    #[test]
    fn bodies_refuse_unknown_and_repeated_fields() {
        assert!(
            serde_json::from_str::<LoginBody>(
                r#"{"institution_code":"1","login_id":"a","password":"b","extra":1}"#
            )
            .is_err()
        );
        assert!(
            serde_json::from_str::<LoginBody>(
                r#"{"institution_code":"1","login_id":"a","password":"b","password":"c"}"#
            )
            .is_err()
        );
    }
}
