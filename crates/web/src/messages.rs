//! Every user-visible string, in Japanese and English, in one place.
//!
//! The Japanese text follows the operations manual (操作マニュアル 資格確認限定型
//! レセコン連携機能 編, 第 1 章): screen names (`[ログイン]`), item and button labels
//! (`《機関コード》`, `《パスコードを送信》`), the notes of 画面項目説明 and the wording of
//! 7 重要事項 are copied from it. Where the manual only shows a screenshot that is
//! missing (dialog texts, lock message, completion messages, error pages), the
//! text here is written in the manual's voice; those strings are marked
//! `(invented)` in their field docs so they are easy to review.
//!
//! Templates read strings as `{{ lang.t().field }}`; strings with a value in
//! them are methods ([`Messages::account_locked`] …) that fill a `{}`
//! placeholder.

use time::{OffsetDateTime, UtcOffset};

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
    /// [ログイン] (manual).
    pub login_title: &'static str,
    /// "?" overview of [ログイン] (after manual §2/§3).
    pub login_help: &'static str,
    /// Lead text of [ログイン] (manual §2 step 2).
    pub login_lead: &'static str,
    /// 《機関コード》 (manual).
    pub institution_code: &'static str,
    /// 《ログイン ID》 (manual).
    pub login_id: &'static str,
    /// 《パスワード》 (manual).
    pub password: &'static str,
    /// 《ログイン》 (manual).
    pub login_button: &'static str,
    /// Note under 《パスワード》 (manual 画面項目説明).
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
    /// [Authenticator 登録] (manual).
    pub enroll_title: &'static str,
    /// "?" overview of [Authenticator 登録] (after manual 画面項目説明).
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

    // ---- [二次元バーコードの印刷 (任意)] -----------------------------------
    /// [二次元バーコードの印刷 (任意)] (manual §2 step 4).
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
    /// Link back to [Authenticator 登録] (invented).
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
    /// Note (manual 画面項目説明).
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
    /// [管理メニュー] (manual).
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
    /// [パスワード変更] (manual).
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
    /// Rules (manual).
    pub rules: [&'static str; 3],
    /// Allowed special characters line label (manual).
    pub rules_special_label: &'static str,
    /// (1), (2) (manual).
    pub rules_short: [&'static str; 2],
    /// The example (manual).
    pub rules_example: &'static str,
    /// Field left empty (invented).
    pub err_required: &'static str,
    /// Fewer than 8 characters (invented).
    pub err_too_short: &'static str,
    /// More than 20 characters (invented).
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
    /// Same as one of the last 5 (invented, after the manual's rule (1)).
    pub err_reused: &'static str,
    /// Same first 5 characters as one of the last 5 (invented, after rule (2)).
    pub err_similar: &'static str,
    /// ② and ③ differ (invented).
    pub err_mismatch: &'static str,
    /// ① is wrong (invented).
    pub err_current_wrong: &'static str,
    /// ① was wrong 3 times: changes are locked; `{}` = time the lock lifts (invented).
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
    /// After 30 idle minutes (invented, after 7 重要事項).
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
    /// 500 title / body (invented).
    pub err_internal: (&'static str, &'static str),
    /// Link back to the start page (invented).
    pub err_home_link: &'static str,
    /// "HTTP status" label (invented).
    pub err_status_label: &'static str,
}

/// The special characters the password rules allow (manual §4).
pub const PASSWORD_SPECIALS: &str = "`~!@#$%^&*_{}|:;'<>,.?-()/";

/// 日本語.
pub static JA: Messages = Messages {
    system_name: "オンライン資格確認レセプトコンピューター連携システム",
    feature_name: "資格確認限定型レセコン連携機能",
    skip_to_content: "本文へ移動",
    switch_language: "English",
    help_label: "画面の説明",
    required: "必須",
    back: "戻る",
    ok: "OK",
    cancel: "キャンセル",
    close: "閉じる",
    logout: "ログアウト",
    breadcrumb_root: "MFA登録管理",
    breadcrumb_label: "現在の位置",
    signed_in_as: "ログイン中",
    error_summary: "入力内容を確認してください。",
    opens_new_window: "（新しいウィンドウで開きます）",
    footer: "資格確認限定型レセコン連携機能 MFA 登録用画面",

    start_lead: "資格確認限定型レセコン連携機能を利用するための、Authenticator の MFA 初回登録、ログイン、パスワード変更、ログアウトを行います。",
    start_button: "システムの利用を始める",
    start_browser_note: "オンライン資格確認レセプトコンピューター連携システムへアクセスするブラウザは、Microsoft Edge を使用してください。",
    start_tasks_heading: "この画面でできること",
    start_tasks: [
        "Authenticator の MFA 初回登録",
        "MFA 登録用ブラウザでのログイン",
        "パスワードの変更",
        "MFA 登録用ブラウザからのログアウト",
    ],

    login_title: "ログイン",
    login_help: "「資格確認限定型レセコン連携機能 ユーザ設定情報」の機関コード、ログイン ID、パスワードを入力してログインする画面です。",
    login_lead: "「資格確認限定型レセコン連携機能 ユーザ設定情報」の内容を入力し、《ログイン》をクリックしてください。",
    institution_code: "機関コード",
    login_id: "ログイン ID",
    password: "パスワード",
    login_button: "ログイン",
    password_lock_note: "※パスワードを 3 回連続間違えると、アカウントがロックされ 30 分間ログインできなくなります。30 分経過後に正しいパスワードで再ログインしてください。",
    err_invalid_credentials: "機関コード、ログイン ID 又はパスワードが正しくありません。",
    err_login_missing: "機関コード、ログイン ID、パスワードを入力してください。",
    err_locked_password: "アカウントがロックされているため、ログインできません。{} 以降に正しいパスワードで再ログインしてください。",
    notice_logged_out: "ログアウトしました。",
    err_institution_code_format: "機関コードは {} 桁の数字で入力してください。",
    err_login_id_format: "ログイン ID は 64 文字以内の半角英数字及び記号（. _ - @）で入力してください。",
    err_account_disabled: "このアカウントは利用が停止されているため、ログインできません。医療機関等の管理者へお問い合わせください。",

    enroll_title: "Authenticator 登録",
    enroll_help: "Authenticator アプリで MFA を登録するための二次元バーコードとセットアップキーを表示する画面です。登録後、《Authenticator 登録確認に進む》をクリックします。",
    enroll_steps: [
        "Authenticator アプリをインストールしたデバイス等を用意します。",
        "Authenticator アプリでカメラを起動し、表示されている二次元バーコードを読み取ります。",
        "《Authenticator 登録確認に進む》をクリックします。",
    ],
    qr_heading: "二次元バーコード",
    qr_alt: "Authenticator 登録用の二次元バーコード",
    setup_key_heading: "セットアップキー",
    copy_button: "テキストでコピー",
    copied: "セットアップキーをコピーしました。",
    copy_failed: "コピーできませんでした。セットアップキーを選択してコピーしてください。",
    setup_key_hint: "セットアップキーを用いて登録する場合は、セットアップキーをテキストで入力又は《テキストでコピー》をクリックして登録してください。",
    account_name_hint: "《アカウント名》には「資格確認限定型レセコン連携機能ユーザ設定情報」の《ログイン ID》を入力します。",
    enroll_proceed: "Authenticator 登録確認に進む",

    print_title: "二次元バーコードの印刷 (任意)",
    print_first_question: "Authenticator の二次元バーコードを印刷しますか。",
    print_first_detail: "「印刷する」をクリックすると、新規ウィンドウで印刷画面が表示されます。印刷後、[Authenticator 登録] で再度《Authenticator 登録確認に進む》をクリックしてください。",
    print_again_question: "二次元バーコードの印刷は済みましたか。印刷済みの場合、又は印刷しない場合は「確認へ進む」をクリックしてください。",
    print_warning: "二次元バーコードを印刷して保存していないと、アプリに登録したデバイスの紛失又は故障時に、二次元バーコードを再確認することができません。",
    print_pdf_note: "印刷設定で出力先を PDF にした場合、その PDF からセットアップキーをコピーしたものをアプリに貼り付けると、セットアップキーのテキストデータに改行が入り正しくセットアップキーが入力されない場合があります。",
    print_button: "印刷する",
    print_skip_button: "印刷せずに確認へ進む",
    print_proceed_button: "確認へ進む",
    print_noscript_return: "印刷後は、[Authenticator 登録] に戻り、再度《Authenticator 登録確認に進む》をクリックしてください。",
    print_back_to_enroll: "Authenticator 登録に戻る",

    passcode_help: "Authenticator に表示される 6 桁のパスコードを入力し、オンライン資格確認等システムへ送信する画面です。",
    passcode_lead_enroll: "Authenticator に表示される 6 桁のパスコードを入力し、《パスコードを送信》をクリックしてください。送信すると Authenticator の登録確認が行われます。",
    passcode_lead_login: "Authenticator に表示される 6 桁のパスコードを入力し、《パスコードを送信》をクリックしてください。",
    passcode_label: "パスコード",
    passcode_hint: "Authenticator で表示される 6 桁のパスコードを入力します。",
    passcode_submit: "パスコードを送信",
    passcode_lock_note: "※パスコードを 3 回連続間違えると、アカウントがロックされ 30 分間ログインできなくなります。30 分経過後に正しいパスコードを送信してください。",
    err_passcode_wrong: "パスコードが正しくありません。Authenticator に表示されている最新のパスコードを入力してください。",
    err_passcode_format: "パスコードは 6 桁の数字で入力してください。",
    err_locked_passcode: "アカウントがロックされているため、ログインできません。{} 以降に正しいパスコードを送信してください。",

    enroll_done_title: "登録確認完了",
    enroll_done_message: "Authenticator の登録確認が完了しました。《OK》をクリックしてください。",

    menu_title: "管理メニュー",
    menu_help: "ログアウト及びパスワード変更を行う画面です。",
    notice_mfa_registered: "MFA 登録が完了しました。資格確認限定型レセコン連携機能の認証・ログインができるようになりました。",
    change_password_button: "パスワード変更",
    change_password_desc: "[パスワード変更] を表示し、ログイン時のパスワードを変更します。",
    logout_desc: "オンライン資格確認レセプトコンピューター連携システムからログアウトし、終了します。",

    logout_confirm_title: "ログアウト確認",
    logout_confirm_question: "ログアウトしますか。",

    password_change_title: "パスワード変更",
    password_change_help: "現在のパスワードと新しいパスワードを入力し、《変更》をクリックしてパスワードを変更する画面です。",
    current_password: "現在のパスワードを入力してください。",
    new_password: "新しいパスワードを入力してください。",
    new_password_again: "新しいパスワードを再度入力してください。",
    change_button: "変更",
    change_confirm_question: "パスワードを変更します。よろしいですか。",
    rules_title: "パスワードのルール",
    rules: [
        "8文字以上 20文字以下で設定してください。",
        "数字、英字小文字、英字大文字、特殊文字をそれぞれ1つ以上組み合わせてください。",
        "パスワード変更時に設定するパスワードが13文字未満の場合、以下を満たしてください。",
    ],
    rules_special_label: "※特殊文字として使用できる記号は以下のとおりです。",
    rules_short: [
        "(1) 5世代前までのパスワードと同じパスワードは使用できません。",
        "(2) 5世代前までのパスワードと先頭5文字が同じになる類似のパスワードは使用できません。",
    ],
    rules_example: "(変更できない例：変更前「staff123」→変更後「staff456」など)",
    err_required: "入力してください。",
    err_too_short: "8文字以上で入力してください。",
    err_too_long: "20文字以下で入力してください。",
    err_missing_digit: "数字を1つ以上含めてください。",
    err_missing_lowercase: "英字小文字を1つ以上含めてください。",
    err_missing_uppercase: "英字大文字を1つ以上含めてください。",
    err_missing_special: "特殊文字を1つ以上含めてください。",
    err_invalid_character: "使用できない文字「{}」が含まれています。",
    err_reused: "5世代前までのパスワードと同じパスワードは使用できません。",
    err_similar: "5世代前までのパスワードと先頭5文字が同じになる類似のパスワードは使用できません。",
    err_mismatch: "新しいパスワードと再度入力したパスワードが一致しません。",
    err_current_wrong: "現在のパスワードが正しくありません。",
    err_locked_password_change: "パスワードを 3 回連続間違えたため、アカウントがロックされています。{} 以降に再度操作してください。",
    notice_must_change_password: "パスワードが初期化されています。新しいパスワードに変更してから操作を続けてください。",
    password_changed_title: "パスワード変更完了",
    password_changed_message: "パスワードを変更しました。次回のログインから新しいパスワードを使用してください。",

    session_ended_title: "接続の終了",
    session_ended_idle: "ログインしたまま 30 分間操作がなかったため、接続を終了しました。",
    session_ended_elsewhere: "ログアウトせずに再ログインされたため、この画面の接続を終了しました。",
    session_ended_resume: "操作を再開する場合は、《閉じる》をクリックし、ログインしなおしてください。",

    err_bad_request: (
        "入力内容を処理できませんでした",
        "送信された内容を処理できませんでした。画面を開き直して、もう一度操作してください。",
    ),
    err_forbidden: (
        "操作を受け付けられませんでした",
        "セキュリティ確認のため、この操作を受け付けられませんでした。画面を開き直して、もう一度操作してください。",
    ),
    err_not_found: (
        "ページが見つかりません",
        "お探しのページは見つかりませんでした。URL に誤りがないか確認してください。",
    ),
    err_method_not_allowed: (
        "この操作はできません",
        "この画面では、この方法による操作はできません。画面のボタンから操作してください。",
    ),
    err_payload_too_large: (
        "送信内容が大きすぎます",
        "送信された内容が上限を超えたため、受け付けられませんでした。入力内容を確認してください。",
    ),
    err_internal: (
        "システムエラーが発生しました",
        "処理中にエラーが発生しました。しばらく時間をおいてから、もう一度操作してください。解決しない場合は、契約している医療機関等システムベンダーへお問い合わせください。",
    ),
    err_home_link: "最初の画面に戻る",
    err_status_label: "HTTP ステータス",
};

/// English.
pub static EN: Messages = Messages {
    system_name: "Online Qualification Verification Receipt Computer Integration System",
    feature_name: "Qualification-verification receipt computer integration",
    skip_to_content: "Skip to main content",
    switch_language: "日本語",
    help_label: "About this screen",
    required: "Required",
    back: "Back",
    ok: "OK",
    cancel: "Cancel",
    close: "Close",
    logout: "Log out",
    breadcrumb_root: "MFA management",
    breadcrumb_label: "Breadcrumb",
    signed_in_as: "Signed in",
    error_summary: "Please check your input.",
    opens_new_window: " (opens in a new window)",
    footer: "Qualification-verification receipt computer integration — MFA registration",

    start_lead: "Register an Authenticator for multi-factor authentication (MFA), log in, change your password and log out, to use the qualification-verification receipt computer integration.",
    start_button: "Start using the system",
    start_browser_note: "Use Microsoft Edge to access this system.",
    start_tasks_heading: "What you can do here",
    start_tasks: [
        "First-time MFA registration of your Authenticator",
        "Log in with the MFA registration browser",
        "Change your password",
        "Log out of the MFA registration browser",
    ],

    login_title: "Log in",
    login_help: "Enter the institution code, login ID and password from your user settings sheet to log in.",
    login_lead: "Enter the details from your user settings sheet and select “Log in”.",
    institution_code: "Institution code",
    login_id: "Login ID",
    password: "Password",
    login_button: "Log in",
    password_lock_note: "* After 3 wrong passwords in a row the account is locked and you cannot log in for 30 minutes. After 30 minutes, log in again with the correct password.",
    err_invalid_credentials: "The institution code, login ID or password is incorrect.",
    err_login_missing: "Enter the institution code, login ID and password.",
    err_locked_password: "This account is locked. Log in again with the correct password after {}.",
    notice_logged_out: "You have logged out.",
    err_institution_code_format: "Enter the institution code as {} digits.",
    err_login_id_format: "Enter the login ID with up to 64 letters, digits and the symbols . _ - @.",
    err_account_disabled: "This account has been disabled and cannot log in. Contact the administrator at your institution.",

    enroll_title: "Authenticator registration",
    enroll_help: "Shows the QR code and setup key for registering MFA in your Authenticator app. After registering, select “Proceed to Authenticator registration check”.",
    enroll_steps: [
        "Have the device with the Authenticator app ready.",
        "Open the camera in the Authenticator app and scan the QR code shown here.",
        "Select “Proceed to Authenticator registration check”.",
    ],
    qr_heading: "QR code",
    qr_alt: "QR code for Authenticator registration",
    setup_key_heading: "Setup key",
    copy_button: "Copy as text",
    copied: "The setup key was copied.",
    copy_failed: "Could not copy. Select the setup key and copy it yourself.",
    setup_key_hint: "To register with the setup key, type it in, or select “Copy as text” and paste it.",
    account_name_hint: "For “Account name”, enter the login ID from your user settings sheet.",
    enroll_proceed: "Proceed to Authenticator registration check",

    print_title: "Print the QR code (optional)",
    print_first_question: "Do you want to print the Authenticator QR code?",
    print_first_detail: "“Print” opens the print page in a new window. After printing, select “Proceed to Authenticator registration check” again on the registration screen.",
    print_again_question: "Have you printed the QR code? If you have, or if you do not want to print it, select “Proceed to check”.",
    print_warning: "If you do not print and keep the QR code, you cannot see it again when the device with the app is lost or broken.",
    print_pdf_note: "If you print to PDF and paste the setup key copied from that PDF into the app, line breaks may be inserted and the key may not be entered correctly.",
    print_button: "Print",
    print_skip_button: "Proceed to check without printing",
    print_proceed_button: "Proceed to check",
    print_noscript_return: "After printing, return to the registration screen and select “Proceed to Authenticator registration check” again.",
    print_back_to_enroll: "Back to Authenticator registration",

    passcode_help: "Enter the 6-digit passcode shown in your Authenticator and send it.",
    passcode_lead_enroll: "Enter the 6-digit passcode shown in your Authenticator and select “Send passcode”. This checks your Authenticator registration.",
    passcode_lead_login: "Enter the 6-digit passcode shown in your Authenticator and select “Send passcode”.",
    passcode_label: "Passcode",
    passcode_hint: "The 6-digit passcode shown in your Authenticator.",
    passcode_submit: "Send passcode",
    passcode_lock_note: "* After 3 wrong passcodes in a row the account is locked and you cannot log in for 30 minutes. After 30 minutes, send the correct passcode.",
    err_passcode_wrong: "The passcode is incorrect. Enter the latest passcode shown in your Authenticator.",
    err_passcode_format: "Enter the passcode as 6 digits.",
    err_locked_passcode: "This account is locked. Send the correct passcode after {}.",

    enroll_done_title: "Registration confirmed",
    enroll_done_message: "Your Authenticator registration has been confirmed. Select “OK”.",

    menu_title: "Management menu",
    menu_help: "Log out or change your password.",
    notice_mfa_registered: "MFA registration is complete. You can now authenticate and log in to the qualification-verification receipt computer integration.",
    change_password_button: "Change password",
    change_password_desc: "Opens the password change screen.",
    logout_desc: "Logs out of the system and ends your session.",

    logout_confirm_title: "Log out",
    logout_confirm_question: "Do you want to log out?",

    password_change_title: "Change password",
    password_change_help: "Enter your current password and a new password, then select “Change”.",
    current_password: "Enter your current password.",
    new_password: "Enter a new password.",
    new_password_again: "Enter the new password again.",
    change_button: "Change",
    change_confirm_question: "Your password will be changed. Continue?",
    rules_title: "Password rules",
    rules: [
        "Use 8 to 20 characters.",
        "Include at least one digit, one lowercase letter, one uppercase letter and one special character.",
        "If the new password is shorter than 13 characters:",
    ],
    rules_special_label: "* These special characters can be used:",
    rules_short: [
        "(1) it must not equal any of your last 5 passwords;",
        "(2) it must not start with the same 5 characters as any of your last 5 passwords.",
    ],
    rules_example: "(Not allowed, for example: “staff123” → “staff456”.)",
    err_required: "Enter a value.",
    err_too_short: "Use at least 8 characters.",
    err_too_long: "Use at most 20 characters.",
    err_missing_digit: "Include at least one digit.",
    err_missing_lowercase: "Include at least one lowercase letter.",
    err_missing_uppercase: "Include at least one uppercase letter.",
    err_missing_special: "Include at least one special character.",
    err_invalid_character: "The character “{}” cannot be used.",
    err_reused: "You cannot reuse any of your last 5 passwords.",
    err_similar: "The first 5 characters must differ from those of your last 5 passwords.",
    err_mismatch: "The two new passwords do not match.",
    err_current_wrong: "The current password is incorrect.",
    err_locked_password_change: "After 3 wrong passwords in a row the account is locked. Try again after {}.",
    notice_must_change_password: "Your password was reset. Change it to a new password before continuing.",
    password_changed_title: "Password changed",
    password_changed_message: "Your password has been changed. Use the new password from your next login.",

    session_ended_title: "Session ended",
    session_ended_idle: "Your session ended because there was no activity for 30 minutes.",
    session_ended_elsewhere: "Your session ended because you logged in again without logging out.",
    session_ended_resume: "To continue, select “Close” and log in again.",

    err_bad_request: (
        "The request could not be processed",
        "What was sent could not be processed. Reopen the screen and try again.",
    ),
    err_forbidden: (
        "The operation was refused",
        "The operation was refused by a security check. Reopen the screen and try again.",
    ),
    err_not_found: (
        "Page not found",
        "The page you are looking for does not exist. Check the URL.",
    ),
    err_method_not_allowed: (
        "This operation is not allowed",
        "This operation is not allowed here. Use the buttons on the screen.",
    ),
    err_payload_too_large: (
        "Too much data",
        "What was sent exceeds the size limit and was refused. Check your input.",
    ),
    err_internal: (
        "A system error occurred",
        "An error occurred. Wait a while and try again. If the problem persists, contact your system vendor.",
    ),
    err_home_link: "Back to the start page",
    err_status_label: "HTTP status",
};

/// Japan Standard Time: a fixed +09:00 (Japan has no daylight saving time,
/// so no time-zone database is needed).
pub const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC, // unreachable: 9 h is a valid offset
};

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Formats an instant in JST: `2026年11月24日 10:30` / `24 Nov 2026, 10:30 JST`.
#[must_use]
pub fn format_jst(lang: Lang, at: OffsetDateTime) -> String {
    let t = at.to_offset(JST);
    match lang {
        Lang::En => format!(
            "{} {} {}, {:02}:{:02} JST",
            t.day(),
            MONTHS_EN[usize::from(u8::from(t.month())) - 1],
            t.year(),
            t.hour(),
            t.minute()
        ),
        Lang::Ja => format!(
            "{}年{}月{}日 {:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        ),
    }
}

/// When a lock lifts, for "try again after …": rounded *up* to the minute, so
/// a user who waits for the time shown is never still locked out.
fn format_lock_end(lang: Lang, until: OffsetDateTime) -> String {
    let sub_minute = time::Duration::seconds(i64::from(until.second()))
        + time::Duration::nanoseconds(i64::from(until.nanosecond()));
    let shown = if sub_minute.is_zero() {
        until
    } else {
        until.saturating_add(time::Duration::MINUTE - sub_minute)
    };
    format_jst(lang, shown)
}

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

fn fill(template: &str, value: &str) -> String {
    template.replacen("{}", value, 1)
}

impl Messages {
    /// "Account locked by wrong passwords, try again after …" with the time
    /// the lock lifts, in JST.
    #[must_use]
    pub fn account_locked(&self, lang: Lang, until: OffsetDateTime) -> String {
        fill(self.err_locked_password, &format_lock_end(lang, until))
    }

    /// "Account locked by wrong passcodes, send again after …", in JST.
    #[must_use]
    pub fn passcode_locked(&self, lang: Lang, until: OffsetDateTime) -> String {
        fill(self.err_locked_passcode, &format_lock_end(lang, until))
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

    /// "Password changes are locked, try again after …", in JST.
    #[must_use]
    pub fn password_change_locked(&self, lang: Lang, until: OffsetDateTime) -> String {
        fill(
            self.err_locked_password_change,
            &format_lock_end(lang, until),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn jst_formatting_uses_fixed_plus_nine() {
        let utc = datetime!(2026-11-24 01:30 UTC);
        assert_eq!(format_jst(Lang::Ja, utc), "2026年11月24日 10:30");
        assert_eq!(format_jst(Lang::En, utc), "24 Nov 2026, 10:30 JST");
        // Crossing midnight and the year boundary in JST.
        let utc = datetime!(2026-12-31 15:05 UTC);
        assert_eq!(format_jst(Lang::Ja, utc), "2027年1月1日 00:05");
        // Any input offset is converted.
        let other = datetime!(2026-03-01 08:00 -05:00);
        assert_eq!(format_jst(Lang::Ja, other), "2026年3月1日 22:00");
    }

    #[test]
    fn lock_messages_carry_the_time() {
        let until = datetime!(2026-11-24 01:30 UTC);
        let m = JA.account_locked(Lang::Ja, until);
        assert!(m.contains("2026年11月24日 10:30 以降"), "{m}");
        assert!(!m.contains("{}"));
        let m = EN.passcode_locked(Lang::En, until);
        assert!(m.ends_with("after 24 Nov 2026, 10:30 JST."), "{m}");
    }

    #[test]
    fn lock_end_is_rounded_up_to_the_minute() {
        let until = datetime!(2026-11-24 01:30:00.5 UTC);
        assert!(JA.account_locked(Lang::Ja, until).contains("10:31 以降"));
        let exact = datetime!(2026-11-24 01:30 UTC);
        assert!(JA.account_locked(Lang::Ja, exact).contains("10:30 以降"));
        let m = EN.password_change_locked(Lang::En, datetime!(2026-12-31 14:59:59 UTC));
        assert!(m.ends_with("after 1 Jan 2027, 00:00 JST."), "{m}");
    }

    #[test]
    fn invisible_characters_are_named_by_code_point() {
        assert_eq!(
            JA.invalid_character('\u{200B}'),
            "使用できない文字「U+200B」が含まれています。"
        );
        assert_eq!(
            EN.invalid_character(' '),
            "The character “U+0020” cannot be used."
        );
        assert_eq!(
            EN.invalid_character('\u{202E}'),
            "The character “U+202E” cannot be used."
        );
        assert_eq!(
            JA.institution_code_format(10),
            "機関コードは 10 桁の数字で入力してください。"
        );
    }

    #[test]
    fn invalid_character_names_the_character() {
        assert_eq!(
            JA.invalid_character('"'),
            "使用できない文字「\"」が含まれています。"
        );
        assert_eq!(
            EN.invalid_character('é'),
            "The character “é” cannot be used."
        );
    }

    #[test]
    fn manual_wording_is_kept_verbatim() {
        assert_eq!(
            JA.system_name,
            "オンライン資格確認レセプトコンピューター連携システム"
        );
        assert_eq!(
            JA.session_ended_resume,
            "操作を再開する場合は、《閉じる》をクリックし、ログインしなおしてください。"
        );
        assert!(
            JA.print_warning
                .starts_with("二次元バーコードを印刷して保存していないと")
        );
        for (label, manual) in [
            (JA.start_button, "システムの利用を始める"),
            (JA.institution_code, "機関コード"),
            (JA.login_id, "ログイン ID"),
            (JA.enroll_proceed, "Authenticator 登録確認に進む"),
            (JA.copy_button, "テキストでコピー"),
            (JA.passcode_submit, "パスコードを送信"),
            (JA.print_button, "印刷する"),
            (JA.print_skip_button, "印刷せずに確認へ進む"),
            (JA.print_proceed_button, "確認へ進む"),
            (JA.change_button, "変更"),
            (JA.current_password, "現在のパスワードを入力してください。"),
            (JA.new_password, "新しいパスワードを入力してください。"),
            (
                JA.new_password_again,
                "新しいパスワードを再度入力してください。",
            ),
        ] {
            assert_eq!(label, manual);
        }
    }

    #[test]
    fn placeholders_exist_exactly_once_where_expected() {
        for m in [&JA, &EN] {
            for s in [
                m.err_locked_password,
                m.err_locked_passcode,
                m.err_invalid_character,
            ] {
                assert_eq!(s.matches("{}").count(), 1, "{s}");
            }
        }
    }
}
