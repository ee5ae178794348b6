//! View-models: one struct per screen, rendered by an askama template under
//! `templates/`. Every struct implements [`IntoResponse`], so a handler just
//! returns it:
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

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::encoding::base64_std;
use crate::lang::Lang;
use crate::messages::{Messages, PASSWORD_SPECIALS};
use crate::paths;
use crate::security::CsrfToken;

/// Marks a response as one of our rendered pages, so the error-page
/// middleware leaves it alone.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rendered;

/// What the shared layout (`base.html`) asks of every page.
trait Screen {
    /// The screen name, as in the manual (`<title>` and `<h1>`).
    fn title(&self) -> &'static str;
    /// The "?" overview, for screens that have one.
    fn help(&self) -> Option<&'static str> {
        None
    }
    /// The header's language switch: this screen in the other language.
    fn lang_switch_href(&self) -> String;
}

/// The switch link of a screen whose URL carries nothing else worth keeping.
fn lang_switch(lang: Lang) -> String {
    format!("?lang={}", lang.other())
}

/// Implements [`Screen::lang_switch_href`] as a bare `?lang=` link.
macro_rules! plain_lang_switch {
    () => {
        fn lang_switch_href(&self) -> String {
            lang_switch(self.lang)
        }
    };
}

fn html_response<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => {
            let mut response = (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                body,
            )
                .into_response();
            response.extensions_mut().insert(Rendered);
            response
        }
        Err(error) => {
            tracing::error!(%error, "template rendering failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

macro_rules! ok_page {
    ($($page:ty),* $(,)?) => {$(
        impl IntoResponse for $page {
            fn into_response(self) -> Response {
                html_response(StatusCode::OK, &self)
            }
        }
    )*};
}

ok_page!(
    StartPage,
    LoginPage,
    EnrollPage,
    PrintConfirmPage,
    PasscodePage,
    EnrollCompletePage,
    MenuPage,
    LogoutConfirmPage,
    PasswordChangePage,
    PasswordChangedPage,
    SessionEndedPage,
);

/// The signed-in staff member, shown in the header of signed-in screens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedInUser {
    /// 機関コード.
    pub institution_code: String,
    /// ログイン ID.
    pub login_id: String,
}

// ---------------------------------------------------------------------------
// Start page
// ---------------------------------------------------------------------------

/// Start page: system name and 《システムの利用を始める》 (→ [ログイン]).
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

// ---------------------------------------------------------------------------
// [ログイン]
// ---------------------------------------------------------------------------

/// Why [ログイン] is shown again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginError {
    /// Wrong institution code, login ID or password (never says which).
    InvalidCredentials,
    /// A field was empty.
    MissingFields,
    /// Locked by 3 wrong passwords; `until` is when the lock lifts.
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

/// A notice on [ログイン].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginNotice {
    /// Shown right after logging out.
    LoggedOut,
}

/// [ログイン]: 《機関コード》《ログイン ID》《パスワード》《ログイン》.
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
}

impl LoginPage {
    /// An empty form.
    #[must_use]
    pub fn new(lang: Lang, csrf_token: CsrfToken) -> Self {
        LoginPage {
            lang,
            csrf_token,
            institution_code: String::new(),
            login_id: String::new(),
            error: None,
            notice: None,
        }
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

// ---------------------------------------------------------------------------
// [Authenticator 登録]
// ---------------------------------------------------------------------------

/// The QR code as an SVG document, shown as `<img src="data:image/svg+xml;base64,…">`.
///
/// Kept out of the page's DOM on purpose: an SVG rendered as an image can run
/// no script and load nothing, so even a broken generator cannot inject
/// markup, and no template needs `|safe`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrImage {
    data_uri: String,
}

impl QrImage {
    /// Wraps an SVG document (as made by `shikaku-qr`).
    #[must_use]
    pub fn from_svg(svg: &str) -> Self {
        QrImage {
            data_uri: format!("data:image/svg+xml;base64,{}", base64_std(svg.as_bytes())),
        }
    }

    /// The `data:` URI for the `<img src>`.
    #[must_use]
    pub fn data_uri(&self) -> &str {
        &self.data_uri
    }
}

/// The setup key in its two spellings. Zeroized on drop; `Debug` hides it.
pub struct SetupKeyText {
    display: Zeroizing<String>,
    copy: Zeroizing<String>,
}

impl SetupKeyText {
    /// `display`: grouped for reading (e.g. `ABCD EFGH …`); `copy`: what
    /// 《テキストでコピー》 puts on the clipboard (no spaces, no line breaks).
    #[must_use]
    pub fn new(display: String, copy: String) -> Self {
        SetupKeyText {
            display: Zeroizing::new(display),
            copy: Zeroizing::new(copy),
        }
    }

    /// The grouped spelling.
    #[must_use]
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The clipboard spelling.
    #[must_use]
    pub fn copy(&self) -> &str {
        &self.copy
    }
}

impl std::fmt::Debug for SetupKeyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetupKeyText(<redacted>)")
    }
}

/// [Authenticator 登録]: QR code, setup key, 《テキストでコピー》,
/// 《Authenticator 登録確認に進む》 (POST [`paths::ENROLL_PROCEED`]) and 《戻る》
/// (POST [`paths::LOGIN_CANCEL`]).
#[derive(Debug, Template)]
#[template(path = "enroll.html")]
pub struct EnrollPage {
    /// Display language.
    pub lang: Lang,
    /// CSRF token of the session.
    pub csrf_token: CsrfToken,
    /// The QR code.
    pub qr: QrImage,
    /// The setup key.
    pub setup_key: SetupKeyText,
}

impl Screen for EnrollPage {
    plain_lang_switch!();
    fn title(&self) -> &'static str {
        self.lang.t().enroll_title
    }
    fn help(&self) -> Option<&'static str> {
        Some(self.lang.t().enroll_help)
    }
}

// ---------------------------------------------------------------------------
// [二次元バーコードの印刷 (任意)]
// ---------------------------------------------------------------------------

/// The print confirmation, rendered by the server (works without JS).
///
/// * first time: 「印刷する」 (opens `print_url` in a new window; with JS the
///   print dialog opens there and this window returns to
///   [Authenticator 登録]) and 「印刷せずに確認へ進む」;
/// * later times: 「確認へ進む」.
///
/// Both "proceed" buttons lead to the passcode screen ([`paths::PASSCODE`]).
#[derive(Debug, Template)]
#[template(path = "print_confirm.html")]
pub struct PrintConfirmPage {
    /// Display language.
    pub lang: Lang,
    /// Whether this is the first time the confirmation is shown.
    pub first_time: bool,
    /// Where the print page is ([`paths::ENROLL_PRINT`] by default).
    pub print_url: String,
}

impl PrintConfirmPage {
    /// The confirmation; `first_time` picks the variant.
    #[must_use]
    pub fn new(lang: Lang, first_time: bool) -> Self {
        PrintConfirmPage {
            lang,
            first_time,
            print_url: paths::ENROLL_PRINT.to_owned(),
        }
    }
}

impl Screen for PrintConfirmPage {
    plain_lang_switch!();
    fn title(&self) -> &'static str {
        self.lang.t().print_title
    }
}

// ---------------------------------------------------------------------------
// Passcode [ログイン]
// ---------------------------------------------------------------------------

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
    /// Not six ASCII digits.
    Malformed,
    /// Six digits, but wrong.
    Wrong,
    /// Locked by 3 wrong passcodes; `until` is when the lock lifts.
    Locked {
        /// When the lock lifts (shown in JST).
        until: OffsetDateTime,
    },
}

/// Passcode [ログイン]: 6-digit input, 《パスコードを送信》 and 《戻る》.
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
}

impl PasscodePage {
    /// The form without an error.
    #[must_use]
    pub fn new(lang: Lang, csrf_token: CsrfToken, purpose: PasscodePurpose) -> Self {
        PasscodePage {
            lang,
            csrf_token,
            purpose,
            error: None,
        }
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

// ---------------------------------------------------------------------------
// 登録確認完了
// ---------------------------------------------------------------------------

/// 登録確認完了 message with 《OK》 (→ [管理メニュー] with the MFA 登録完了 notice).
#[derive(Debug, Template)]
#[template(path = "enroll_done.html")]
pub struct EnrollCompletePage {
    /// Display language.
    pub lang: Lang,
    /// Where 《OK》 leads ([`paths::MENU`] by default).
    pub ok_url: String,
}

impl EnrollCompletePage {
    /// The message, with 《OK》 leading to [`paths::MENU`].
    #[must_use]
    pub fn new(lang: Lang) -> Self {
        EnrollCompletePage {
            lang,
            ok_url: paths::MENU.to_owned(),
        }
    }
}

impl Screen for EnrollCompletePage {
    plain_lang_switch!();
    fn title(&self) -> &'static str {
        self.lang.t().enroll_done_title
    }
}

// ---------------------------------------------------------------------------
// [管理メニュー]
// ---------------------------------------------------------------------------

/// A notice on [管理メニュー].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MenuNotice {
    /// MFA 登録完了 (after 登録確認完了 《OK》).
    MfaRegistered,
}

/// [管理メニュー]: 《ログアウト》, 《パスワード変更》 and "?".
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

// ---------------------------------------------------------------------------
// ログアウト確認
// ---------------------------------------------------------------------------

/// ログアウト確認: 《OK》 (POST [`paths::LOGOUT`]) and a cancel link back to
/// [管理メニュー].
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

// ---------------------------------------------------------------------------
// [パスワード変更]
// ---------------------------------------------------------------------------

/// The three inputs of [パスワード変更].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PasswordField {
    /// ① 現在のパスワード.
    Current,
    /// ② 新しいパスワード.
    New,
    /// ③ 新しいパスワード (再入力).
    Confirm,
}

impl PasswordField {
    /// All fields, in screen order.
    pub const ALL: [PasswordField; 3] = [
        PasswordField::Current,
        PasswordField::New,
        PasswordField::Confirm,
    ];

    /// The form field name (and HTML id).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            PasswordField::Current => crate::forms::CURRENT_PASSWORD,
            PasswordField::New => crate::forms::NEW_PASSWORD,
            PasswordField::Confirm => crate::forms::NEW_PASSWORD_CONFIRM,
        }
    }

    const fn autocomplete(self) -> &'static str {
        match self {
            PasswordField::Current => "current-password",
            PasswordField::New | PasswordField::Confirm => "new-password",
        }
    }

    const fn label(self, m: &'static Messages) -> &'static str {
        match self {
            PasswordField::Current => m.current_password,
            PasswordField::New => m.new_password,
            PasswordField::Confirm => m.new_password_again,
        }
    }
}

/// What is wrong with a [パスワード変更] input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasswordProblem {
    /// Left empty.
    Required,
    /// Fewer than 8 characters.
    TooShort,
    /// More than 20 characters.
    TooLong,
    /// No digit.
    MissingDigit,
    /// No lowercase letter.
    MissingLowercase,
    /// No uppercase letter.
    MissingUppercase,
    /// No special character.
    MissingSpecial,
    /// A character outside the allowed set.
    InvalidCharacter(char),
    /// Equal to one of the last 5 passwords.
    Reused,
    /// Same first 5 characters as one of the last 5 passwords.
    Similar,
    /// ② and ③ differ.
    Mismatch,
    /// ① is not the current password.
    CurrentWrong,
}

impl PasswordProblem {
    /// The message in `lang`.
    #[must_use]
    pub fn message(self, lang: Lang) -> String {
        let m = lang.t();
        match self {
            PasswordProblem::Required => m.err_required.to_owned(),
            PasswordProblem::TooShort => m.err_too_short.to_owned(),
            PasswordProblem::TooLong => m.err_too_long.to_owned(),
            PasswordProblem::MissingDigit => m.err_missing_digit.to_owned(),
            PasswordProblem::MissingLowercase => m.err_missing_lowercase.to_owned(),
            PasswordProblem::MissingUppercase => m.err_missing_uppercase.to_owned(),
            PasswordProblem::MissingSpecial => m.err_missing_special.to_owned(),
            PasswordProblem::InvalidCharacter(c) => m.invalid_character(c),
            PasswordProblem::Reused => m.err_reused.to_owned(),
            PasswordProblem::Similar => m.err_similar.to_owned(),
            PasswordProblem::Mismatch => m.err_mismatch.to_owned(),
            PasswordProblem::CurrentWrong => m.err_current_wrong.to_owned(),
        }
    }
}

/// One message shown next to one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field.
    pub field: PasswordField,
    /// The message (already in the page's language).
    pub message: String,
}

impl FieldError {
    /// A problem of a field, worded in `lang`.
    #[must_use]
    pub fn new(field: PasswordField, problem: PasswordProblem, lang: Lang) -> Self {
        FieldError {
            field,
            message: problem.message(lang),
        }
    }
}

/// One input of [パスワード変更], as the template needs it.
struct PasswordInput<'a> {
    name: &'static str,
    label: &'static str,
    autocomplete: &'static str,
    errors: Vec<&'a str>,
    /// Space-separated ids for `aria-describedby` (errors, then the rules box).
    described_by: String,
}

/// [パスワード変更]: ①②③, ④《変更》 (confirmation, then POST
/// [`paths::PASSWORD`]), ⑤《戻る》 (→ [管理メニュー]), the rules box, and each
/// error next to its field.
///
/// The confirmation is a native HTML popover inside the form
/// (`popovertarget`, no JavaScript): 《変更》 opens it, its 《OK》 submits the
/// form, its cancel closes it. The passwords never leave the form before the
/// user confirms, so no server-side "pending change" state is needed.
#[derive(Debug, Template)]
#[template(path = "password_change.html")]
pub struct PasswordChangePage {
    /// Display language.
    pub lang: Lang,
    /// CSRF token of the session.
    pub csrf_token: CsrfToken,
    /// Who is signed in.
    pub user: SignedInUser,
    /// Rule violations, each shown next to its field (passwords are never
    /// refilled).
    pub errors: Vec<FieldError>,
    /// An administrator reset the password: it must be changed before
    /// anything else (a notice says so).
    pub must_change: bool,
}

impl PasswordChangePage {
    fn inputs(&self) -> Vec<PasswordInput<'_>> {
        let m = self.lang.t();
        PasswordField::ALL
            .into_iter()
            .map(|field| {
                let errors: Vec<&str> = self
                    .errors
                    .iter()
                    .filter(|e| e.field == field)
                    .map(|e| e.message.as_str())
                    .collect();
                let mut described_by = Vec::new();
                if !errors.is_empty() {
                    described_by.push(format!("{}-error", field.name()));
                }
                if field == PasswordField::New {
                    described_by.push("password-rules".to_owned());
                }
                PasswordInput {
                    name: field.name(),
                    label: field.label(m),
                    autocomplete: field.autocomplete(),
                    errors,
                    described_by: described_by.join(" "),
                }
            })
            .collect()
    }

    fn specials(&self) -> &'static str {
        PASSWORD_SPECIALS
    }
}

impl Screen for PasswordChangePage {
    plain_lang_switch!();
    fn title(&self) -> &'static str {
        self.lang.t().password_change_title
    }
    fn help(&self) -> Option<&'static str> {
        Some(self.lang.t().password_change_help)
    }
}

/// パスワード変更完了 message with 《OK》 (→ [管理メニュー]).
#[derive(Debug, Template)]
#[template(path = "password_done.html")]
pub struct PasswordChangedPage {
    /// Display language.
    pub lang: Lang,
    /// Who is signed in.
    pub user: SignedInUser,
}

impl Screen for PasswordChangedPage {
    plain_lang_switch!();
    fn title(&self) -> &'static str {
        self.lang.t().password_changed_title
    }
}

// ---------------------------------------------------------------------------
// Session ended (7 重要事項)
// ---------------------------------------------------------------------------

/// Why a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionEndReason {
    /// 30 minutes without activity.
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

/// The session-ended message with 《閉じる》 (→ [ログイン]).
#[derive(Debug, Template)]
#[template(path = "session_ended.html")]
pub struct SessionEndedPage {
    /// Display language.
    pub lang: Lang,
    /// Why the session ended.
    pub reason: SessionEndReason,
}

impl SessionEndedPage {
    fn reason_text(&self) -> &'static str {
        match self.reason {
            SessionEndReason::IdleTimeout => self.lang.t().session_ended_idle,
            SessionEndReason::LoggedInElsewhere => self.lang.t().session_ended_elsewhere,
        }
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

// ---------------------------------------------------------------------------
// Error pages
// ---------------------------------------------------------------------------

/// The kinds of error page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400 (and other 4xx without a page of their own).
    BadRequest,
    /// 403: cross-origin request or CSRF token missing/wrong.
    Forbidden,
    /// 404.
    NotFound,
    /// 405.
    MethodNotAllowed,
    /// 413.
    PayloadTooLarge,
    /// 500 (and other 5xx).
    Internal,
}

impl ErrorKind {
    /// The status this kind is normally sent with.
    #[must_use]
    pub const fn status(self) -> StatusCode {
        match self {
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The page for an error status.
    #[must_use]
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => ErrorKind::Forbidden,
            StatusCode::NOT_FOUND => ErrorKind::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => ErrorKind::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorKind::PayloadTooLarge,
            s if s.is_server_error() => ErrorKind::Internal,
            _ => ErrorKind::BadRequest,
        }
    }
}

/// An error page in the site's style.
#[derive(Debug, Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Display language.
    pub lang: Lang,
    /// Which error.
    pub kind: ErrorKind,
    status: StatusCode,
}

impl ErrorPage {
    /// The page for `kind`, sent with [`ErrorKind::status`].
    #[must_use]
    pub fn new(lang: Lang, kind: ErrorKind) -> Self {
        ErrorPage {
            lang,
            kind,
            status: kind.status(),
        }
    }

    /// Renders the page with another status (e.g. 415 with the 400 text).
    #[must_use]
    pub fn with_status(mut self, status: StatusCode) -> Response {
        self.status = status;
        html_response(status, &self)
    }

    fn texts(&self) -> (&'static str, &'static str) {
        let m = self.lang.t();
        match self.kind {
            ErrorKind::BadRequest => m.err_bad_request,
            ErrorKind::Forbidden => m.err_forbidden,
            ErrorKind::NotFound => m.err_not_found,
            ErrorKind::MethodNotAllowed => m.err_method_not_allowed,
            ErrorKind::PayloadTooLarge => m.err_payload_too_large,
            ErrorKind::Internal => m.err_internal,
        }
    }

    fn code(&self) -> u16 {
        self.status.as_u16()
    }
}

impl IntoResponse for ErrorPage {
    fn into_response(self) -> Response {
        html_response(self.status, &self)
    }
}

impl Screen for ErrorPage {
    plain_lang_switch!();
    fn title(&self) -> &'static str {
        self.texts().0
    }
}
