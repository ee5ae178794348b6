//! Passcode \[ログイン\] (at registration and at login).

use std::sync::Arc;

use askama::Template;
use time::OffsetDateTime;

use super::page::{Screen, ok_page, plain_lang_switch};
use crate::lang::Lang;
use crate::messages::Rules;
use crate::security::CsrfToken;

ok_page!(PasscodePage);

/// Why the passcode screen is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasscodePurpose {
    /// Confirming a new Authenticator (MFA 初回登録).
    Enrollment,
    /// Logging in with a registered Authenticator.
    Login,
}

/// Why the passcode screen is shown again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasscodeError {
    /// Not six digits (ASCII or full-width, one space allowed between the halves).
    Malformed,
    /// Six digits, but wrong.
    Wrong,
    /// Locked by the configured number of wrong passcodes; `until` is when the lock
    /// lifts.
    Locked {
        /// When the lock lifts (shown in JST).
        until: OffsetDateTime,
    },
}

/// Passcode \[ログイン\]: 6-digit input, 《パスコードを送信》 and 《戻る》.
#[derive(Debug, Template)]
#[template(path = "passcode.html")]
pub struct PasscodePage {
    /// Display language.
    pub lang: Lang,
    /// CSRF token of the session.
    pub csrf_token: CsrfToken,
    /// Enrollment or login.
    pub purpose: PasscodePurpose,
    /// The error to show, if any.
    pub error: Option<PasscodeError>,
    /// The numbers the lock note quotes.
    pub rules: Arc<Rules>,
}

impl PasscodePage {
    /// The form without an error, quoting the manual's numbers ([`Rules::manual`]); a
    /// server sets [`rules`](Self::rules) to its configuration's.
    #[must_use]
    pub fn new(lang: Lang, csrf_token: CsrfToken, purpose: PasscodePurpose) -> Self {
        PasscodePage {
            lang,
            csrf_token,
            purpose,
            error: None,
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
        self.rules.fill(self.lang, self.lang.t().passcode_lock_note)
    }

    fn lead(&self) -> &'static str {
        match self.purpose {
            PasscodePurpose::Enrollment => self.lang.t().passcode_lead_enroll,
            PasscodePurpose::Login => self.lang.t().passcode_lead_login,
        }
    }

    fn error_text(&self) -> Option<String> {
        let m = self.lang.t();
        self.error.map(|e| match e {
            PasscodeError::Malformed => m.err_passcode_format.to_owned(),
            PasscodeError::Wrong => m.err_passcode_wrong.to_owned(),
            PasscodeError::Locked { until } => m.passcode_locked(self.lang, until),
        })
    }

    fn locked(&self) -> bool {
        matches!(self.error, Some(PasscodeError::Locked { .. }))
    }
}

impl Screen for PasscodePage {
    plain_lang_switch!();
    fn title(&self) -> &'static str {
        self.lang.t().login_title
    }
    fn help(&self) -> Option<&'static str> {
        Some(self.lang.t().passcode_help)
    }
}
