//! Every user-visible string, in Japanese and English, in one place — the
//! screens' and the JSON API's ([`Messages::api`]).
//!
//! The Japanese text follows the operations manual (操作マニュアル 資格確認限定型
//! レセコン連携機能 編, 第 1 章): screen names (`\[ログイン\]`), item and button labels
//! (`《機関コード》`, `《パスコードを送信》`), the notes of 画面項目説明 and the wording of
//! 7 重要事項 are copied from it. Where the manual only shows a screenshot that is
//! missing (dialog texts, lock message, completion messages, error pages), the
//! text here is written in the manual's voice; those strings are marked
//! `(invented)` in their field docs so they are easy to review.
//!
//! Templates read strings as `{{ lang.t().field }}`; strings with a value in
//! them are methods ([`Messages::account_locked`] …) that fill a `{}`
//! placeholder. No string writes a configurable number (3 回, 30 分, 8–20 文字, 5
//! 世代, 13 文字) itself: it names it (`{password_tries}`, `{idle}`, `{min}` …, see
//! [`PLACEHOLDERS`]) and [`Rules::fill`] puts in the server's configured value. Times are shown in JST ([`format_jst`]); when a lock lifts,
//! rounded up to the minute ([`LockEnd`]).
//!
//! | file | holds |
//! |---|---|
//! | `catalog.rs` | [`Messages`]: one field per string, documented |
//! | `api.rs` | [`ApiMessages`]: the JSON API's `message` texts |
//! | `ja.rs`, `en.rs` | the tables [`JA`] and [`EN`] |
//! | `jst.rs` | [`format_jst`], [`LockEnd`] |
//! | `rules.rs` | [`Rules`]: the configured numbers, filled into `{min}`, `{idle}`, … |

mod api;
mod catalog;
mod en;
mod ja;
mod jst;
mod rules;
mod template;

pub use self::api::ApiMessages;
pub use self::catalog::{Messages, PASSWORD_SPECIALS};
pub use self::en::EN;
pub use self::ja::JA;
pub use self::jst::{LockEnd, format_jst};
pub use self::rules::{PLACEHOLDERS, Rules, duration_text};

use crate::lang::Lang;

impl Lang {
    /// All user-visible strings in this language.
    #[must_use]
    pub const fn t(self) -> &'static Messages {
        match self {
            Lang::Ja => &JA,
            Lang::En => &EN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use time::macros::datetime;

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
        let m = EN.password_change_locked(
            Lang::En,
            datetime!(2026-12-31 14:59:59 UTC),
            Rules::manual(),
        );
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

    #[test]
    fn every_language_has_messages_in_that_language() {
        assert!(Lang::Ja.t().login_button.contains("ログイン"));
        assert_eq!(Lang::En.t().login_button, "Log in");
        assert!(!Lang::Ja.t().api.internal.is_ascii());
        assert!(Lang::En.t().api.internal.is_ascii());
    }

    #[test]
    fn api_messages_fill_their_values() {
        let until = datetime!(2026-04-01 00:30:00.5 UTC);
        assert_eq!(
            JA.api.locked_until(until),
            "連続して誤りがあったため、アカウントがロックされています。2026-04-01 09:31 以降に再度操作してください。"
        );
        assert_eq!(
            EN.api.locked_until(until),
            "The account is locked after too many consecutive failures. Try again after 2026-04-01 09:31 JST."
        );
        assert_eq!(
            JA.api.syntax_at(2, 5),
            "リクエストの本文が正しい JSON ではありません（2 行 5 文字目）。"
        );
        assert_eq!(
            EN.api.shape_at(1, 9),
            "The request body does not match the documented fields: a field is missing, repeated, unknown or of the wrong type (line 1, column 9)."
        );
        assert_eq!(EN.api.empty("login_id"), "Enter login_id.");
        assert_eq!(
            JA.api.control("password"),
            "password に制御文字は使用できません。"
        );
        assert_eq!(
            EN.api.institution_code(10),
            "Enter the institution code as 10 digits."
        );
        for m in [&JA, &EN] {
            for s in [m.api.locked, m.api.malformed_empty, m.api.malformed_control] {
                assert_eq!(s.matches("{}").count(), 1, "{s}");
            }
            for s in [m.api.malformed_syntax, m.api.malformed_shape] {
                assert_eq!(s.matches("{}").count(), 2, "{s}");
            }
        }
    }
}
