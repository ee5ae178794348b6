//! The URL of every screen and form action, shared by the templates and the
//! router so links and routes cannot drift apart.
//!
//! State changes are `POST` only; every screen a `POST` can answer with also
//! has a `GET` on the same path (the language switch link is `?lang=…` on the
//! current path).

/// Start page with 《システムの利用を始める》 (`GET`).
pub const START: &str = "/";
/// \[ログイン\] (`GET` form, `POST` 《ログイン》).
pub const LOGIN: &str = "/login";
/// 《戻る》 on \[Authenticator 登録\] and the passcode screen (`POST`): drops
/// the half-finished login and shows \[ログイン\].
pub const LOGIN_CANCEL: &str = "/login/cancel";
/// Passcode \[ログイン\] (`GET` form, `POST` 《パスコードを送信》).
pub const PASSCODE: &str = "/login/passcode";
/// \[Authenticator 登録\] (`GET`).
pub const ENROLL: &str = "/enroll";
/// 《Authenticator 登録確認に進む》 (`POST`): counts the print prompt, then
/// redirects to [`ENROLL_PRINT_CONFIRM`].
pub const ENROLL_PROCEED: &str = "/enroll/proceed";
/// \[二次元バーコードの印刷 (任意)\] confirmation (`GET`).
pub const ENROLL_PRINT_CONFIRM: &str = "/enroll/print-confirm";
/// The print page made by `shikaku-qr` (`GET`, opened in a new window).
pub const ENROLL_PRINT: &str = "/enroll/print";
/// 登録確認完了 message (`GET`).
pub const ENROLL_DONE: &str = "/enroll/done";
/// \[管理メニュー\] (`GET`).
pub const MENU: &str = "/menu";
/// ログアウト確認 (`GET`), 《OK》 logs out (`POST`).
pub const LOGOUT: &str = "/logout";
/// \[パスワード変更\] (`GET` form, `POST` 《変更》).
pub const PASSWORD: &str = "/password";
/// パスワード変更完了 message (`GET`).
pub const PASSWORD_DONE: &str = "/password/done";
/// Session ended (30 idle minutes / logged in elsewhere) (`GET`).
pub const SESSION_ENDED: &str = "/session-ended";

/// The stylesheet.
pub const STYLESHEET: &str = "/static/shikaku.css";
/// The one script (copy to clipboard, print).
pub const SCRIPT: &str = "/static/shikaku.js";
/// The favicon.
pub const FAVICON: &str = "/static/favicon.svg";
