//! View-models: one struct per screen, rendered by an askama template under
//! `templates/`. Every struct implements [`IntoResponse`](axum::response::IntoResponse),
//! so a handler just returns it:
//!
//! ```
//! use shikaku_web::{Lang, views::LoginPage, security::CsrfToken};
//!
//! async fn login_form(lang: Lang, csrf_token: CsrfToken) -> LoginPage {
//!     LoginPage::new(lang, csrf_token)
//! }
//! ```
//!
//! All text comes from [`crate::messages`]; values from users are escaped by
//! askama (no template uses `|safe`). Pages render as `200 OK` (an
//! [`ErrorPage`] with its own status); wrap in `(StatusCode, page)` for
//! another status.
//!
//! One file per flow of the manual, like the screens' handlers: `login.rs`
//! (start page, \[ログイン\]), `enrollment.rs` (\[Authenticator 登録\], printing,
//! 登録確認完了), `passcode.rs`, `menu.rs` (\[管理メニュー\], ログアウト確認),
//! `password.rs` (\[パスワード変更\]), `session.rs` (session ended), `error.rs`;
//! `page.rs` holds what they share.

mod enrollment;
mod error;
mod login;
mod menu;
mod page;
mod passcode;
mod password;
mod session;

pub use self::enrollment::{
    EnrollCompletePage, EnrollPage, PrintConfirmPage, QrImage, SetupKeyText,
};
pub use self::error::{ErrorKind, ErrorPage};
pub use self::login::{LoginError, LoginNotice, LoginPage, StartPage};
pub use self::menu::{LogoutConfirmPage, MenuNotice, MenuPage};
pub(crate) use self::page::Rendered;
pub use self::page::SignedInUser;
pub use self::passcode::{PasscodeError, PasscodePage, PasscodePurpose};
pub use self::password::{
    FieldError, PasswordChangePage, PasswordChangedPage, PasswordField, PasswordProblem,
};
pub use self::session::{SessionEndReason, SessionEndedPage};
