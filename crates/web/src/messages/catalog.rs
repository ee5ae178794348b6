//! The shape of one language's strings: [`Messages`] (the screens) with its
//! [`ApiMessages`] (the JSON API), and the methods that fill a value into a
//! string.

use time::OffsetDateTime;

use super::api::ApiMessages;
use super::jst::LockEnd;
use super::rules::Rules;
use super::template::fill;
use crate::lang::Lang;

/// All user-visible strings of one language.
///
/// Field docs say where each Japanese string comes from: `manual` (copied
/// from the operations manual) or `(invented)`.
#[derive(Debug)]
#[non_exhaustive]
pub struct Messages {
    // ---- chrome -------------------------------------------------------------
    /// System name (manual).
    pub system_name: &'static str,
    /// Feature name shown under the system name (manual).
    pub feature_name: &'static str,
    /// Skip link (invented).
    pub skip_to_content: &'static str,
    /// Label of the link that switches to the *other* language.
    pub switch_language: &'static str,
    /// Accessible name of the "?" help control (invented).
    pub help_label: &'static str,
    /// "Required" marker (invented).
    pub required: &'static str,
    /// 《戻る》 (manual).
    pub back: &'static str,
    /// 《OK》 (manual).
    pub ok: &'static str,
    /// Cancel button of confirmation dialogs (invented).
    pub cancel: &'static str,
    /// 《閉じる》 (manual).
    pub close: &'static str,
    /// 《ログアウト》 (manual).
    pub logout: &'static str,
    /// Breadcrumb root of the signed-in screens; "MFA登録管理" (manual, パスワード変更 screenshot).
    pub breadcrumb_root: &'static str,
    /// Accessible name of the breadcrumb trail (invented).
    pub breadcrumb_label: &'static str,
    /// Label of the signed-in user box (invented).
    pub signed_in_as: &'static str,
    /// Heading of an error summary (invented).
    pub error_summary: &'static str,
    /// Suffix announcing a link opens a new window (invented).
    pub opens_new_window: &'static str,
    /// Footer line (invented).
    pub footer: &'static str,

    // ---- start ----------------------------------------------------------------
    /// Lead text of the start page (after manual §1).
    pub start_lead: &'static str,
    /// 《システムの利用を始める》 (manual).
    pub start_button: &'static str,
    /// Browser note (manual 注意).
    pub start_browser_note: &'static str,
    /// Heading of the start page's list of what can be done here (invented).
    pub start_tasks_heading: &'static str,
    /// What can be done here (manual §1).
    pub start_tasks: [&'static str; 4],

    // ---- [ログイン] ----------------------------------------------------------
    /// \[ログイン\] (manual).
    pub login_title: &'static str,
    /// "?" overview of \[ログイン\] (after manual §2/§3).
    pub login_help: &'static str,
    /// Lead text of \[ログイン\] (manual §2 step 2).
    pub login_lead: &'static str,
    /// 《機関コード》 (manual).
    pub institution_code: &'static str,
    /// 《ログイン ID》 (manual).
    pub login_id: &'static str,
    /// 《パスワード》 (manual).
    pub password: &'static str,
    /// 《ログイン》 (manual).
    pub login_button: &'static str,
    /// Note under 《パスワード》 (manual 画面項目説明); `{password_tries}`,
    /// `{password_lock}` ([`Rules::fill`]).
    pub password_lock_note: &'static str,
    /// Wrong institution code / login ID / password — never says which (invented).
    pub err_invalid_credentials: &'static str,
    /// A login field was left empty (invented).
    pub err_login_missing: &'static str,
    /// Account locked by wrong passwords; `{}` = time the lock lifts (invented).
    pub err_locked_password: &'static str,
    /// Notice after logging out (invented).
    pub notice_logged_out: &'static str,
    /// 《機関コード》 is not N digits; `{}` = N (invented).
    pub err_institution_code_format: &'static str,
    /// 《ログイン ID》 has a character it can never contain (invented).
    pub err_login_id_format: &'static str,
    /// The account is disabled by an administrator (invented).
    pub err_account_disabled: &'static str,

    // ---- [Authenticator 登録] ---------------------------------------------
    /// \[Authenticator 登録\] (manual).
    pub enroll_title: &'static str,
    /// "?" overview of \[Authenticator 登録\] (after manual 画面項目説明).
    pub enroll_help: &'static str,
    /// Numbered steps (manual §2 step 3).
    pub enroll_steps: [&'static str; 3],
    /// 二次元バーコード (manual).
    pub qr_heading: &'static str,
    /// Alt text of the QR image (invented).
    pub qr_alt: &'static str,
    /// セットアップキー (manual).
    pub setup_key_heading: &'static str,
    /// 《テキストでコピー》 (manual).
    pub copy_button: &'static str,
    /// Announced after copying (invented).
    pub copied: &'static str,
    /// Announced when the clipboard is unavailable (invented).
    pub copy_failed: &'static str,
    /// 💡 hint (manual §2 step 3).
    pub setup_key_hint: &'static str,
    /// Account-name hint (manual 第 2 章 2 (1) step 3).
    pub account_name_hint: &'static str,
    /// 《Authenticator 登録確認に進む》 (manual).
    pub enroll_proceed: &'static str,
    /// The QR code and setup key belong to this login only: a new login before the
    /// registration issues new ones and voids these, printed ones too (invented, in
    /// the manual's voice; the print sheet of `shikaku-qr` says the same).
    pub enroll_one_login_note: &'static str,

    // ---- [二次元バーコードの印刷 (任意)] -----------------------------------
    /// \[二次元バーコードの印刷 (任意)\] (manual §2 step 4).
    pub print_title: &'static str,
    /// First-time question (invented).
    pub print_first_question: &'static str,
    /// First-time explanation (after manual §2 step 4).
    pub print_first_detail: &'static str,
    /// Later-time question (invented).
    pub print_again_question: &'static str,
    /// Warning (manual).
    pub print_warning: &'static str,
    /// PDF note (manual).
    pub print_pdf_note: &'static str,
    /// 「印刷する」 (manual).
    pub print_button: &'static str,
    /// 「印刷せずに確認へ進む」 (manual).
    pub print_skip_button: &'static str,
    /// 「確認へ進む」 (manual).
    pub print_proceed_button: &'static str,
    /// Shown without JavaScript after 「印刷する」 (invented).
    pub print_noscript_return: &'static str,
    /// Link back to \[Authenticator 登録\] (invented).
    pub print_back_to_enroll: &'static str,

    // ---- passcode [ログイン] ----------------------------------------------
    /// "?" overview of the passcode screen (after manual 画面項目説明).
    pub passcode_help: &'static str,
    /// Lead text at enrollment (after manual §2 step 5).
    pub passcode_lead_enroll: &'static str,
    /// Lead text at login (manual §3 step 3).
    pub passcode_lead_login: &'static str,
    /// パスコード (manual).
    pub passcode_label: &'static str,
    /// Input hint (manual 画面項目説明).
    pub passcode_hint: &'static str,
    /// 《パスコードを送信》 (manual).
    pub passcode_submit: &'static str,
    /// Note (manual 画面項目説明); `{passcode_tries}`, `{passcode_lock}`.
    pub passcode_lock_note: &'static str,
    /// Wrong passcode (invented).
    pub err_passcode_wrong: &'static str,
    /// Not six digits (invented).
    pub err_passcode_format: &'static str,
    /// Locked by wrong passcodes; `{}` = time the lock lifts (invented).
    pub err_locked_passcode: &'static str,

    // ---- 登録確認完了 ------------------------------------------------------
    /// Title of the registration-complete message (manual: 登録確認完了).
    pub enroll_done_title: &'static str,
    /// Registration-complete message (invented).
    pub enroll_done_message: &'static str,

    // ---- [管理メニュー] ----------------------------------------------------
    /// \[管理メニュー\] (manual).
    pub menu_title: &'static str,
    /// "?" overview (after manual 画面項目説明).
    pub menu_help: &'static str,
    /// MFA 登録完了 message (invented, after manual §2 step 7).
    pub notice_mfa_registered: &'static str,
    /// 《パスワード変更》 (manual).
    pub change_password_button: &'static str,
    /// What 《パスワード変更》 does (manual 画面項目説明).
    pub change_password_desc: &'static str,
    /// What 《ログアウト》 does (manual 画面項目説明).
    pub logout_desc: &'static str,

    // ---- ログアウト確認 ----------------------------------------------------
    /// Title (manual §5: ログアウト確認のメッセージ).
    pub logout_confirm_title: &'static str,
    /// Question (invented).
    pub logout_confirm_question: &'static str,

    // ---- [パスワード変更] --------------------------------------------------
    /// \[パスワード変更\] (manual).
    pub password_change_title: &'static str,
    /// "?" overview (after manual §4).
    pub password_change_help: &'static str,
    /// ① (manual).
    pub current_password: &'static str,
    /// ② (manual).
    pub new_password: &'static str,
    /// ③ (manual).
    pub new_password_again: &'static str,
    /// ④《変更》 (manual).
    pub change_button: &'static str,
    /// Confirmation shown by 《変更》 (invented).
    pub change_confirm_question: &'static str,
    /// Title of the rules box (manual).
    pub rules_title: &'static str,
    /// Rules (manual); `{min}`, `{max}`, `{below}`.
    pub rules: [&'static str; 3],
    /// Allowed special characters line label (manual).
    pub rules_special_label: &'static str,
    /// (1), (2) (manual); `{depth}`, `{prefix}`.
    pub rules_short: [&'static str; 2],
    /// The example (manual).
    pub rules_example: &'static str,
    /// Field left empty (invented).
    pub err_required: &'static str,
    /// Fewer than `{min}` characters (invented).
    pub err_too_short: &'static str,
    /// More than `{max}` characters (invented).
    pub err_too_long: &'static str,
    /// No digit (invented).
    pub err_missing_digit: &'static str,
    /// No lowercase letter (invented).
    pub err_missing_lowercase: &'static str,
    /// No uppercase letter (invented).
    pub err_missing_uppercase: &'static str,
    /// No special character (invented).
    pub err_missing_special: &'static str,
    /// Character outside the allowed set; `{}` = the character (invented).
    pub err_invalid_character: &'static str,
    /// Same as one of the last `{depth}` (invented, after the manual's rule (1)).
    pub err_reused: &'static str,
    /// Same first `{prefix}` characters as one of the last `{depth}` (invented, after
    /// rule (2)).
    pub err_similar: &'static str,
    /// ② and ③ differ (invented).
    pub err_mismatch: &'static str,
    /// ① is wrong (invented).
    pub err_current_wrong: &'static str,
    /// ① was wrong `{password_tries}` times: changes are locked; `{}` = time the lock
    /// lifts (invented).
    pub err_locked_password_change: &'static str,
    /// Shown when an administrator's reset requires a new password first (invented).
    pub notice_must_change_password: &'static str,
    /// Title of the completion message (invented).
    pub password_changed_title: &'static str,
    /// Completion message (invented).
    pub password_changed_message: &'static str,

    // ---- session ended (7 重要事項) ----------------------------------------
    /// Title (invented).
    pub session_ended_title: &'static str,
    /// After `{idle}` without activity (invented, after 7 重要事項).
    pub session_ended_idle: &'static str,
    /// After logging in elsewhere (invented, after 7 重要事項).
    pub session_ended_elsewhere: &'static str,
    /// 操作を再開する場合は… (manual, 7 重要事項).
    pub session_ended_resume: &'static str,

    // ---- error pages -----------------------------------------------------------
    /// 400 title / body (invented).
    pub err_bad_request: (&'static str, &'static str),
    /// 403 (CSRF / cross-site) title / body (invented).
    pub err_forbidden: (&'static str, &'static str),
    /// 404 title / body (invented).
    pub err_not_found: (&'static str, &'static str),
    /// 405 title / body (invented).
    pub err_method_not_allowed: (&'static str, &'static str),
    /// 413 title / body (invented).
    pub err_payload_too_large: (&'static str, &'static str),
    /// 421 (the address is not this server's configured one) title / body (invented).
    pub err_misdirected: (&'static str, &'static str),
    /// 500 title / body (invented).
    pub err_internal: (&'static str, &'static str),
    /// 503 (the store cannot answer right now) title / body (invented).
    pub err_unavailable: (&'static str, &'static str),
    /// Link back to the start page (invented).
    pub err_home_link: &'static str,
    /// "HTTP status" label (invented).
    pub err_status_label: &'static str,

    // ---- JSON API ----------------------------------------------------------------
    /// The JSON API's `message` texts.
    pub api: ApiMessages,
}

/// The special characters the password rules allow (manual §4).
pub const PASSWORD_SPECIALS: &str = "`~!@#$%^&*_{}|:;'<>,.?-()/";

/// Characters a message must not print raw.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || c.is_whitespace()
        || matches!(
            u32::from(c),
            0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180E
                | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
                | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFFB | 0xE0000..=0xE0FFF
        )
}

impl Messages {
    /// "Account locked by wrong passwords, try again after …" with the time
    /// the lock lifts, in JST.
    #[must_use]
    pub fn account_locked(&self, lang: Lang, until: OffsetDateTime) -> String {
        fill(self.err_locked_password, &LockEnd::new(until).in_lang(lang))
    }

    /// "Account locked by wrong passcodes, send again after …", in JST.
    #[must_use]
    pub fn passcode_locked(&self, lang: Lang, until: OffsetDateTime) -> String {
        fill(self.err_locked_passcode, &LockEnd::new(until).in_lang(lang))
    }

    /// "The character … cannot be used." Characters that would be invisible
    /// or reorder the text (controls, spaces, zero-width and bidi marks) are
    /// named by code point (`U+200B`) instead of printed raw.
    #[must_use]
    pub fn invalid_character(&self, c: char) -> String {
        if is_invisible(c) {
            return fill(
                self.err_invalid_character,
                &format!("U+{:04X}", u32::from(c)),
            );
        }
        let mut buf = [0u8; 4];
        fill(self.err_invalid_character, c.encode_utf8(&mut buf))
    }

    /// "Enter the institution code as N digits."
    #[must_use]
    pub fn institution_code_format(&self, digits: usize) -> String {
        fill(self.err_institution_code_format, &digits.to_string())
    }

    /// "Password changes are locked, try again after …", in JST, with the configured
    /// number of wrong passwords.
    #[must_use]
    pub fn password_change_locked(
        &self,
        lang: Lang,
        until: OffsetDateTime,
        rules: &Rules,
    ) -> String {
        fill(
            &rules.fill(lang, self.err_locked_password_change),
            &LockEnd::new(until).in_lang(lang),
        )
    }
}
