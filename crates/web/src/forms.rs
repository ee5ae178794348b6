//! The bodies the screens' forms post (`application/x-www-form-urlencoded`).
//!
//! Field names are constants shared with the templates. Missing fields
//! deserialize as empty strings so a handler can answer with the screen's own
//! message rather than a bare 422. Secrets are zeroized on drop and hidden
//! from `Debug`. The CSRF field is checked by the middleware and ignored here.

use std::fmt;

use serde::Deserialize;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// 《機関コード》.
pub const INSTITUTION_CODE: &str = "institution_code";
/// 《ログイン ID》.
pub const LOGIN_ID: &str = "login_id";
/// 《パスワード》.
pub const PASSWORD: &str = "password";
/// パスコード.
pub const PASSCODE: &str = "passcode";
/// ① 現在のパスワード.
pub const CURRENT_PASSWORD: &str = "current_password";
/// ② 新しいパスワード.
pub const NEW_PASSWORD: &str = "new_password";
/// ③ 新しいパスワード (再入力).
pub const NEW_PASSWORD_CONFIRM: &str = "new_password_confirm";

/// \[ログイン\] 《ログイン》.
#[derive(Default, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct LoginForm {
    /// 《機関コード》.
    #[serde(default)]
    pub institution_code: String,
    /// 《ログイン ID》.
    #[serde(default)]
    pub login_id: String,
    /// 《パスワード》.
    #[serde(default)]
    pub password: String,
}

impl fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginForm")
            .field("institution_code", &self.institution_code)
            .field("login_id", &self.login_id)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Passcode \[ログイン\] 《パスコードを送信》.
#[derive(Default, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct PasscodeForm {
    /// The 6 digits as typed.
    #[serde(default)]
    pub passcode: String,
}

impl fmt::Debug for PasscodeForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasscodeForm { passcode: <redacted> }")
    }
}

/// \[パスワード変更\] 《変更》.
#[derive(Default, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct PasswordChangeForm {
    /// ①.
    #[serde(default)]
    pub current_password: String,
    /// ②.
    #[serde(default)]
    pub new_password: String,
    /// ③.
    #[serde(default)]
    pub new_password_confirm: String,
}

impl fmt::Debug for PasswordChangeForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordChangeForm { <redacted> }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let f = LoginForm {
            institution_code: "1234567890".into(),
            login_id: "staff01".into(),
            password: "Secret#123".into(),
        };
        let d = format!("{f:?}");
        assert!(d.contains("staff01") && !d.contains("Secret#123"));
        let p = PasscodeForm {
            passcode: "123456".into(),
        };
        assert!(!format!("{p:?}").contains("123456"));
        let c = PasswordChangeForm {
            current_password: "Old#12345".into(),
            new_password: "New#12345".into(),
            new_password_confirm: "New#12345".into(),
        };
        assert!(!format!("{c:?}").contains("12345"));
    }

    #[test]
    fn field_names_match_struct_fields() {
        let body = format!("{INSTITUTION_CODE}=1&{LOGIN_ID}=2&{PASSWORD}=3&csrf_token=x");
        let f: LoginForm = serde_json::from_value(urlencoded_to_json(&body)).unwrap();
        assert_eq!(
            (
                f.institution_code.as_str(),
                f.login_id.as_str(),
                f.password.as_str()
            ),
            ("1", "2", "3")
        );
        let body = format!("{CURRENT_PASSWORD}=a&{NEW_PASSWORD}=b&{NEW_PASSWORD_CONFIRM}=c");
        let f: PasswordChangeForm = serde_json::from_value(urlencoded_to_json(&body)).unwrap();
        assert_eq!(
            (
                f.current_password.as_str(),
                f.new_password.as_str(),
                f.new_password_confirm.as_str()
            ),
            ("a", "b", "c")
        );
        let f: PasscodeForm =
            serde_json::from_value(urlencoded_to_json(&format!("{PASSCODE}=123456"))).unwrap();
        assert_eq!(f.passcode, "123456");
    }

    #[test]
    fn missing_fields_are_empty() {
        let f: LoginForm = serde_json::from_value(serde_json::json!({})).unwrap();
        assert!(f.institution_code.is_empty() && f.password.is_empty());
    }

    /// Plain `k=v&…` (no escapes needed by these tests) as a JSON object.
    fn urlencoded_to_json(body: &str) -> serde_json::Value {
        let map: serde_json::Map<String, serde_json::Value> = body
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v.to_owned())))
            .collect();
        serde_json::Value::Object(map)
    }
}
