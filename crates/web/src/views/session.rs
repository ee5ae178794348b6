//! The session-ended message (7 重要事項).

use std::sync::Arc;

use askama::Template;

use super::page::{Screen, ok_page};
use crate::lang::Lang;
use crate::messages::Rules;
use crate::paths;

ok_page!(SessionEndedPage);

/// Why a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionEndReason {
    /// The configured idle timeout (manual: 30 minutes) without activity.
    IdleTimeout,
    /// The same account logged in again without logging out.
    LoggedInElsewhere,
}

impl SessionEndReason {
    /// A short code for a URL (`idle` / `elsewhere`).
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            SessionEndReason::IdleTimeout => "idle",
            SessionEndReason::LoggedInElsewhere => "elsewhere",
        }
    }

    /// Parses [`SessionEndReason::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "idle" => Some(SessionEndReason::IdleTimeout),
            "elsewhere" => Some(SessionEndReason::LoggedInElsewhere),
            _ => None,
        }
    }
}

/// The session-ended message with 《閉じる》 (→ \[ログイン\]).
#[derive(Debug, Template)]
#[template(path = "session_ended.html")]
pub struct SessionEndedPage {
    /// Display language.
    pub lang: Lang,
    /// Why the session ended.
    pub reason: SessionEndReason,
    /// The numbers the message quotes (the idle timeout).
    pub rules: Arc<Rules>,
}

impl SessionEndedPage {
    fn reason_text(&self) -> String {
        let text = match self.reason {
            SessionEndReason::IdleTimeout => self.lang.t().session_ended_idle,
            SessionEndReason::LoggedInElsewhere => self.lang.t().session_ended_elsewhere,
        };
        self.rules.fill(self.lang, text)
    }
}

impl Screen for SessionEndedPage {
    fn title(&self) -> &'static str {
        self.lang.t().session_ended_title
    }
    /// Keeps the reason, so the message survives the language switch.
    fn lang_switch_href(&self) -> String {
        format!(
            "{}?reason={}&lang={}",
            paths::SESSION_ENDED,
            self.reason.code(),
            self.lang.other()
        )
    }
}
