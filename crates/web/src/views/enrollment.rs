//! \[Authenticator 登録\], \[二次元バーコードの印刷 (任意)\] and 登録確認完了.

use askama::Template;
use zeroize::Zeroizing;

use super::page::{Screen, ok_page, plain_lang_switch};
use crate::encoding::base64_std;
use crate::lang::Lang;
use crate::paths;
use crate::security::CsrfToken;

ok_page!(EnrollPage, PrintConfirmPage, EnrollCompletePage);

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

/// \[Authenticator 登録\]: QR code, setup key, 《テキストでコピー》,
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

/// The print confirmation, rendered by the server (works without JS).
///
/// * first time: 「印刷する」 (opens `print_url` in a new window; with JS the
///   print dialog opens there and this window returns to
///   \[Authenticator 登録\]) and 「印刷せずに確認へ進む」;
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

/// 登録確認完了 message with 《OK》 (→ \[管理メニュー\] with the MFA 登録完了 notice).
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
