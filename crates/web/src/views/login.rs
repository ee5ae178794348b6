//! The start page and \[ログイン\].

use std::sync::Arc;

use askama::Template;
use time::OffsetDateTime;

use super::page::{Screen, ok_page, plain_lang_switch};
use crate::lang::Lang;
use crate::messages::Rules;
use crate::security::CsrfToken;

ok_page!(StartPage, LoginPage);

/// Start page: system name and 《システムの利用を始める》 (→ \[ログイン\]).
#[derive(Debug, Template)]
#[template(path = "start.html")]
pub struct StartPage {
    /// Display language.
    pub lang: Lang,
}

impl Screen for StartPage {
    plain_lang_switch!();
    fn title(&self) -> &'static str {
        self.lang.t().system_name
    }
}

/// Why \[ログイン\] is shown again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginError {
    /// Wrong institution code, login ID or password (never says which).
    InvalidCredentials,
    /// A field was empty.
    MissingFields,
    /// Locked by the configured number of wrong passwords; `until` is when the lock
    /// lifts.
    Locked {
        /// When the lock lifts (shown in JST).
        until: OffsetDateTime,
    },
    /// 《機関コード》 is not the configured number of digits (says nothing
    /// about whether an account exists).
    InvalidInstitutionCode {
        /// Digits expected.
        digits: usize,
    },
    /// 《ログイン ID》 has a character it can never contain, or is too long.
    InvalidLoginId,
    /// Right password, but an administrator has disabled the account.
    Disabled,
}

/// A notice on \[ログイン\].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginNotice {
    /// Shown right after logging out.
    LoggedOut,
}

/// \[ログイン\]: 《機関コード》《ログイン ID》《パスワード》《ログイン》.
///
/// The password is never echoed back; the other two fields are.
#[derive(Debug, Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    /// Display language.
    pub lang: Lang,
    /// CSRF token of the (pre-)session.
    pub csrf_token: CsrfToken,
    /// 《機関コード》 as typed (refilled after an error).
    pub institution_code: String,
    /// 《ログイン ID》 as typed (refilled after an error).
    pub login_id: String,
    /// The error to show, if any.
    pub error: Option<LoginError>,
    /// A notice to show, if any.
    pub notice: Option<LoginNotice>,
    /// The numbers the lock note quotes.
    pub rules: Arc<Rules>,
}

impl LoginPage {
    /// An empty form quoting the manual's numbers ([`Rules::manual`]); a server sets
    /// [`rules`](Self::rules) to its configuration's.
    #[must_use]
    pub fn new(lang: Lang, csrf_token: CsrfToken) -> Self {
        LoginPage {
            lang,
            csrf_token,
            institution_code: String::new(),
            login_id: String::new(),
            error: None,
            notice: None,
            rules: Arc::new(Rules::manual().clone()),
        }
    }

    /// The same page, quoting `rules`.
    #[must_use]
    pub fn with_rules(mut self, rules: Arc<Rules>) -> Self {
        self.rules = rules;
        self
    }

    fn lock_note(&self) -> String {
        self.rules.fill(self.lang, self.lang.t().password_lock_note)
    }

    fn error_text(&self) -> Option<String> {
        let m = self.lang.t();
        self.error.map(|e| match e {
            LoginError::InvalidCredentials => m.err_invalid_credentials.to_owned(),
            LoginError::MissingFields => m.err_login_missing.to_owned(),
            LoginError::Locked { until } => m.account_locked(self.lang, until),
            LoginError::InvalidInstitutionCode { digits } => m.institution_code_format(digits),
            LoginError::InvalidLoginId => m.err_login_id_format.to_owned(),
            LoginError::Disabled => m.err_account_disabled.to_owned(),
        })
    }

    fn notice_text(&self) -> Option<&'static str> {
        self.notice.map(|n| match n {
            LoginNotice::LoggedOut => self.lang.t().notice_logged_out,
        })
    }
}

impl Screen for LoginPage {
    plain_lang_switch!();
    fn title(&self) -> &'static str {
        self.lang.t().login_title
    }
    fn help(&self) -> Option<&'static str> {
        Some(self.lang.t().login_help)
    }
}
