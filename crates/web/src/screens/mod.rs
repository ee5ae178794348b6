//! The manual's screens, driven by the facade.
//!
//! Every handler is a thin translation: form → facade call (on the blocking pool:
//! [`AppState::run`](crate::AppState::run) for the calls that hash a password,
//! [`AppState::run_light`](crate::AppState::run_light) for the rest) → view-model or
//! redirect. The rules themselves (locks, idle timeout,
//! replay, history) live in the facade. Whether the browser is signed in, or holds a
//! half-finished login, is an extractor's business (`SignedIn`, `Ticket` in
//! `flow.rs`), not each handler's.
//!
//! | file | screens |
//! |---|---|
//! | `login.rs` | start page, \[ログイン\], 《戻る》 |
//! | `enrollment.rs` | \[Authenticator 登録\], printing, 登録確認完了 |
//! | `passcode.rs` | passcode \[ログイン\] |
//! | `menu.rs` | \[管理メニュー\] |
//! | `password.rs` | \[パスワード変更\] |
//! | `logout.rs` | ログアウト確認, session ended (7 重要事項) |
//! | `flow.rs` | what they share |
//!
//! # The cookie *is* the facade's token
//!
//! The one session cookie carries 32 bytes
//! ([`RandomToken`](crate::security::RandomToken)); the facade's tokens are 32 bytes
//! too (`RandomToken::from_facade` / `RandomToken::to_facade`). There is no web-side
//! session table, and the id changes at each privilege step, so a planted or stolen
//! pre-login id is worth nothing:
//!
//! ```text
//!   no cookie ──GET any page──► pre-session id (random; the facade knows nothing of it;
//!                               only the CSRF token is derived from it)
//!        │ POST /login, right password
//!        ▼  Set-Cookie := the facade's login ticket          (new id; the old one is dead)
//!   login ticket ──► /enroll, /enroll/proceed, /enroll/print-confirm, /enroll/print,
//!        │           /login/passcode (login_stage decides which)
//!        │ POST /login/passcode, right passcode
//!        ▼  Set-Cookie := the facade's session token         (new id; the ticket is gone)
//!   session ──► /menu, /password, /logout …: every request asks `session(token)`
//!        │      (the SignedIn extractor):
//!        │        Active     → the page (must_change_password → /password first)
//!        │        Expired    → /session-ended?reason=idle       (cookie removed)
//!        │        Superseded → /session-ended?reason=elsewhere  (cookie removed)
//!        │        Unknown    → /login
//!        │ POST /logout
//!        ▼  facade.logout + removal cookie → /login?notice=logged-out (a fresh pre-session id)
//! ```
//!
//! 《戻る》 on \[Authenticator 登録\] and the passcode screen (`POST /login/cancel`) drops
//! the ticket and rotates to a fresh pre-session id. A successful password also ends
//! whatever the browser held before (a half-finished login, an earlier session).
//!
//! Facade failures that are not an answer for the user (`Store`, `Crypto`, `Hashing`,
//! …) become the 500 page and one `tracing` error line naming the operation and the
//! error — never a password, passcode, token or key.

mod enrollment;
mod flow;
mod login;
mod logout;
mod menu;
mod passcode;
mod password;

use axum::Router;
use axum::routing::{get, post};
use shikaku::Store;

use crate::paths;
use crate::state::AppState;

/// Every screen route.
pub(crate) fn routes<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route(paths::START, get(login::start))
        .route(
            paths::LOGIN,
            get(login::login_form::<S>).post(login::login::<S>),
        )
        .route(paths::LOGIN_CANCEL, post(login::cancel_login::<S>))
        .route(
            paths::PASSCODE,
            get(passcode::passcode_form::<S>).post(passcode::submit_passcode::<S>),
        )
        .route(paths::ENROLL, get(enrollment::enroll::<S>))
        .route(paths::ENROLL_PROCEED, post(enrollment::proceed::<S>))
        .route(
            paths::ENROLL_PRINT_CONFIRM,
            get(enrollment::print_confirm::<S>),
        )
        .route(paths::ENROLL_PRINT, get(enrollment::print_sheet::<S>))
        .route(paths::ENROLL_DONE, get(enrollment::enroll_done))
        .route(paths::MENU, get(menu::menu))
        .route(
            paths::LOGOUT,
            get(logout::logout_confirm).post(logout::logout::<S>),
        )
        .route(
            paths::PASSWORD,
            get(password::password_form::<S>).post(password::change_password::<S>),
        )
        .route(paths::PASSWORD_DONE, get(password::password_done))
        .route(paths::SESSION_ENDED, get(logout::session_ended::<S>))
}
