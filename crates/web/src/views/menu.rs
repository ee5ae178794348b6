//! \[管理メニュー\] and ログアウト確認.

use askama::Template;

use super::page::{Screen, SignedInUser, ok_page, plain_lang_switch};
use crate::lang::Lang;
use crate::security::CsrfToken;

ok_page!(MenuPage, LogoutConfirmPage);

/// A notice on \[管理メニュー\].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MenuNotice {
    /// MFA 登録完了 (after 登録確認完了 《OK》).
    MfaRegistered,
}

/// \[管理メニュー\]: 《ログアウト》, 《パスワード変更》 and "?".
#[derive(Debug, Template)]
#[template(path = "menu.html")]
pub struct MenuPage {
    /// Display language.
    pub lang: Lang,
    /// Who is signed in.
    pub user: SignedInUser,
    /// A notice to show, if any.
    pub notice: Option<MenuNotice>,
}

impl MenuPage {
    fn notice_text(&self) -> Option<&'static str> {
        self.notice.map(|n| match n {
            MenuNotice::MfaRegistered => self.lang.t().notice_mfa_registered,
        })
    }
}

impl Screen for MenuPage {
    plain_lang_switch!();
    fn title(&self) -> &'static str {
        self.lang.t().menu_title
    }
    fn help(&self) -> Option<&'static str> {
        Some(self.lang.t().menu_help)
    }
}

/// ログアウト確認: 《OK》 (POST [`paths::LOGOUT`](crate::paths::LOGOUT)) and a cancel link back to
/// \[管理メニュー\].
#[derive(Debug, Template)]
#[template(path = "logout_confirm.html")]
pub struct LogoutConfirmPage {
    /// Display language.
    pub lang: Lang,
    /// CSRF token of the session.
    pub csrf_token: CsrfToken,
    /// Who is signed in.
    pub user: SignedInUser,
}

impl Screen for LogoutConfirmPage {
    plain_lang_switch!();
    fn title(&self) -> &'static str {
        self.lang.t().logout_confirm_title
    }
}
