//! The texts of the C ABI's errors, in Japanese and English.
//!
//! Where the JSON API says the same thing, the text is the JSON API's
//! (`crates/web/src/messages/{ja,en}.rs`, `api`): a vendor who switches from HTTP to the
//! library shows its users the same sentences. The test `messages_match_the_json_api`
//! keeps the two in step. The texts only the library needs (a `NULL` argument, a file
//! that cannot be opened) are written in the same voice.

use time::{Duration, OffsetDateTime};

/// A message language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lang {
    Ja,
    En,
}

impl Lang {
    pub(crate) fn from_c(value: crate::shikaku_lang) -> Option<Self> {
        match value {
            crate::SHIKAKU_LANG_JA => Some(Self::Ja),
            crate::SHIKAKU_LANG_EN => Some(Self::En),
            _ => None,
        }
    }

    pub(crate) fn to_c(self) -> crate::shikaku_lang {
        match self {
            Self::Ja => crate::SHIKAKU_LANG_JA,
            Self::En => crate::SHIKAKU_LANG_EN,
        }
    }
}

/// What an error's messages depend on besides the failure: the language the caller
/// reads by default, and the configured numbers a message quotes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Context {
    /// The service's language (Japanese without a service).
    pub(crate) lang: Lang,
    /// The service's idle timeout (the manual's 30 minutes without a service).
    pub(crate) idle: Duration,
}

impl Default for Context {
    fn default() -> Self {
        Self {
            lang: Lang::Ja,
            idle: shikaku::lockout::IdleTimeout::default().duration(),
        }
    }
}

/// One sentence in both languages.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Text {
    pub(crate) ja: &'static str,
    pub(crate) en: &'static str,
}

impl Text {
    pub(crate) const fn pick(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Ja => self.ja,
            Lang::En => self.en,
        }
    }

    /// The text with its one `{}` filled.
    pub(crate) fn fill(self, lang: Lang, value: &str) -> String {
        self.pick(lang).replacen("{}", value, 1)
    }

    /// The text with `{idle}` worded in `lang` ([`duration_text`]).
    pub(crate) fn fill_idle(self, lang: Lang, idle: Duration) -> String {
        self.pick(lang)
            .replace("{idle}", &duration_text(lang, idle))
    }
}

// The JSON API's texts (kept equal by the test `messages_match_the_json_api`).

pub(crate) const INVALID_CREDENTIALS: Text = Text {
    ja: "機関コード、ログイン ID 又はパスワードが正しくありません。",
    en: "The institution code, login ID or password is incorrect.",
};
pub(crate) const WRONG_CURRENT_PASSWORD: Text = Text {
    ja: "現在のパスワードが正しくありません。",
    en: "The current password is incorrect.",
};
pub(crate) const INVALID_PASSCODE: Text = Text {
    ja: "パスコードが正しくありません。Authenticator に表示されている最新のパスコードを入力してください。",
    en: "The passcode is incorrect. Enter the latest passcode shown in your Authenticator.",
};
/// `{idle}` = the configured idle timeout ([`Text::fill_idle`]).
pub(crate) const SESSION_EXPIRED: Text = Text {
    ja: "ログインしたまま {idle}間操作がなかったため、接続を終了しました。ログインしなおしてください。",
    en: "The session ended after {idle} without activity. Log in again.",
};
pub(crate) const SESSION_SUPERSEDED: Text = Text {
    ja: "ログアウトせずに再ログインされたため、この接続を終了しました。ログインしなおしてください。",
    en: "The session ended because the account logged in again without logging out. Log in again.",
};
pub(crate) const SESSION_UNKNOWN: Text = Text {
    ja: "有効なセッショントークンがありません。ログインしてください。",
    en: "No valid session token was presented. Log in.",
};
pub(crate) const LOGIN_EXPIRED: Text = Text {
    ja: "ログインの手続きが無効か、期限が切れています。機関コード、ログイン ID、パスワードの入力からやり直してください。",
    en: "The login is unknown or has expired. Start again with the institution code, login ID and password.",
};
pub(crate) const PASSWORD_CHANGE_REQUIRED: Text = Text {
    ja: "管理者がパスワードを初期化しました。先にパスワードを変更してください。",
    en: "An administrator reset the password. Change the password first.",
};
pub(crate) const ACCOUNT_DISABLED: Text = Text {
    ja: "このアカウントは利用が停止されているため、ログインできません。医療機関等の管理者へお問い合わせください。",
    en: "This account has been disabled and cannot log in. Contact the administrator at your institution.",
};
pub(crate) const ENROLLMENT_REQUIRED: Text = Text {
    ja: "Authenticator が登録されていません。先に Authenticator を登録してください。",
    en: "No Authenticator is registered. Register one first.",
};
pub(crate) const ALREADY_ENROLLED: Text = Text {
    ja: "Authenticator は登録済みです。パスコードを送信してください。",
    en: "An Authenticator is already registered. Send the passcode.",
};
pub(crate) const NEW_PASSWORD_POLICY: Text = Text {
    ja: "新しいパスワードがパスワードのルールを満たしていません。",
    en: "The new password does not meet the password rules.",
};
/// `{}` = when the lock lifts ([`lock_end`]). Names no count: the lock may be the
/// password's or the passcode's, configured apart.
pub(crate) const LOCKED: Text = Text {
    ja: "連続して誤りがあったため、アカウントがロックされています。{} 以降に再度操作してください。",
    en: "The account is locked after too many consecutive failures. Try again after {} JST.",
};
/// `{}` = the number of digits.
pub(crate) const MALFORMED_INSTITUTION_CODE: Text = Text {
    ja: "機関コードは {} 桁の数字で入力してください。",
    en: "Enter the institution code as {} digits.",
};
pub(crate) const MALFORMED_LOGIN_ID: Text = Text {
    ja: "ログイン ID は 64 文字以内の半角英数字及び記号（. _ - @）で入力してください。",
    en: "Enter the login ID with up to 64 letters, digits and the symbols . _ - @.",
};
pub(crate) const MALFORMED_PASSCODE: Text = Text {
    ja: "パスコードは 6 桁の数字で入力してください。",
    en: "Enter the passcode as 6 digits.",
};

// The library's own texts.

pub(crate) const PASSWORD_POLICY: Text = Text {
    ja: "パスワードがパスワードのルールを満たしていません。",
    en: "The password does not meet the password rules.",
};
pub(crate) const UNKNOWN_ACCOUNT: Text = Text {
    ja: "指定された機関コードとログイン ID のアカウントはありません。",
    en: "There is no account with this institution code and login ID.",
};
pub(crate) const ACCOUNT_EXISTS: Text = Text {
    ja: "この機関コードとログイン ID のアカウントは既に登録されています。",
    en: "An account with this institution code and login ID already exists.",
};
/// `{}` = the parameter's name.
pub(crate) const NULL_ARGUMENT: Text = Text {
    ja: "引数 {} に NULL が渡されました。",
    en: "The argument {} is NULL.",
};
/// `{}` = the parameter's name.
pub(crate) const INVALID_UTF8: Text = Text {
    ja: "引数 {} が UTF-8 の文字列ではありません。",
    en: "The argument {} is not valid UTF-8.",
};
/// `{}` = the parameter's name.
pub(crate) const INVALID_HANDLE: Text = Text {
    ja: "引数 {} は有効なハンドルではありません（閉じたハンドル、又は別の種類のポインタです）。",
    en: "The argument {} is not a live handle (it was closed, or points to something else).",
};
/// `{}` = the parameter's name and what is wrong with it.
pub(crate) const INVALID_ARGUMENT: Text = Text {
    ja: "引数が正しくありません: {}",
    en: "Invalid argument: {}",
};
/// `{}` = the detail (English, from the parser).
pub(crate) const CONFIG: Text = Text {
    ja: "設定が正しくありません: {}",
    en: "Invalid configuration: {}",
};
/// `{}` = the detail (English, naming the file and what the operating system said).
pub(crate) const OPEN_FAILED: Text = Text {
    ja: "データベース又は鍵ファイルを開けません: {}",
    en: "The database or its key file cannot be opened: {}",
};
pub(crate) const POSTGRES_UNSUPPORTED: Text = Text {
    ja: "この版は PostgreSQL に対応していません。SQLite のデータベースファイルのパスを指定してください。",
    en: "This build does not support PostgreSQL. Give the path of an SQLite database file.",
};
/// `{}` = the detail (English).
pub(crate) const STORE_UNAVAILABLE: Text = Text {
    ja: "データベースを読み書きできません: {}",
    en: "The database cannot be read or written: {}",
};
/// `{}` = the detail (English).
pub(crate) const STORE_CORRUPT: Text = Text {
    ja: "データベースの記録を読み取れません: {}",
    en: "A record in the database cannot be understood: {}",
};
/// `{}` = the detail (English).
pub(crate) const INTERNAL: Text = Text {
    ja: "内部エラーが発生しました: {}",
    en: "Internal error: {}",
};
pub(crate) const PANIC: Text = Text {
    ja: "内部エラーが発生しました（処理が異常終了したため中断しました）。",
    en: "Internal error: the call panicked and was stopped at the library boundary.",
};

/// A duration as the screens word it (`shikaku_web::messages::duration_text`): whole
/// minutes as minutes (「30 分」, "30 minutes"), else with seconds (「1 分 30 秒」), rounded
/// up to the second and never 0.
pub(crate) fn duration_text(lang: Lang, duration: Duration) -> String {
    let mut seconds = duration.whole_seconds();
    if duration.subsec_nanoseconds() > 0 {
        seconds += 1;
    }
    let seconds = seconds.max(1);
    let (minutes, rest) = (seconds / 60, seconds % 60);
    let unit = |n: i64, ja: &str, en: &str| match lang {
        Lang::Ja => format!("{n} {ja}"),
        Lang::En => format!("{n} {en}{}", if n == 1 { "" } else { "s" }),
    };
    let mut parts = Vec::new();
    if minutes > 0 {
        parts.push(unit(minutes, "分", "minute"));
    }
    if rest > 0 {
        parts.push(unit(rest, "秒", "second"));
    }
    parts.join(" ")
}

/// When a lock lifts, as the JSON API's message shows it: JST, rounded *up* to the
/// minute, `2026-04-01 09:31` (`shikaku_web::messages::LockEnd::numeric`).
pub(crate) fn lock_end(until: OffsetDateTime) -> String {
    let sub_minute = Duration::seconds(i64::from(until.second()))
        + Duration::nanoseconds(i64::from(until.nanosecond()));
    let shown = if sub_minute.is_zero() {
        until
    } else {
        until.saturating_add(Duration::MINUTE - sub_minute)
    };
    let t = shown.to_offset(shikaku::JST);
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}
