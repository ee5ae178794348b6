//! \[パスワード変更\] and パスワード変更完了.

use std::sync::Arc;

use askama::Template;

use super::page::{Screen, SignedInUser, ok_page, plain_lang_switch};
use crate::forms;
use crate::lang::Lang;
use crate::messages::{Messages, Rules};
use crate::security::CsrfToken;

ok_page!(PasswordChangePage, PasswordChangedPage);

/// The three inputs of \[パスワード変更\].
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
            PasswordField::Current => forms::CURRENT_PASSWORD,
            PasswordField::New => forms::NEW_PASSWORD,
            PasswordField::Confirm => forms::NEW_PASSWORD_CONFIRM,
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

/// What is wrong with a \[パスワード変更\] input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasswordProblem {
    /// Left empty.
    Required,
    /// Fewer than the configured minimum (manual: 8) characters.
    TooShort,
    /// More than the configured maximum (manual: 20) characters.
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
    /// Equal to one of the last (configured, manual: 5) passwords.
    Reused,
    /// Same first characters as one of the last passwords.
    Similar,
    /// ② and ③ differ.
    Mismatch,
    /// ① is not the current password.
    CurrentWrong,
}

impl PasswordProblem {
    /// The message in `lang`, quoting the configured `rules`.
    #[must_use]
    pub fn message(self, lang: Lang, rules: &Rules) -> String {
        let m = lang.t();
        let text = match self {
            PasswordProblem::Required => m.err_required,
            PasswordProblem::TooShort => m.err_too_short,
            PasswordProblem::TooLong => m.err_too_long,
            PasswordProblem::MissingDigit => m.err_missing_digit,
            PasswordProblem::MissingLowercase => m.err_missing_lowercase,
            PasswordProblem::MissingUppercase => m.err_missing_uppercase,
            PasswordProblem::MissingSpecial => m.err_missing_special,
            PasswordProblem::InvalidCharacter(c) => return m.invalid_character(c),
            PasswordProblem::Reused => m.err_reused,
            PasswordProblem::Similar => m.err_similar,
            PasswordProblem::Mismatch => m.err_mismatch,
            PasswordProblem::CurrentWrong => m.err_current_wrong,
        };
        rules.fill(lang, text)
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
    /// A problem of a field, worded in `lang` with the configured `rules`.
    #[must_use]
    pub fn new(field: PasswordField, problem: PasswordProblem, lang: Lang, rules: &Rules) -> Self {
        FieldError {
            field,
            message: problem.message(lang, rules),
        }
    }
}

/// One input of \[パスワード変更\], as the template needs it.
struct PasswordInput<'a> {
    name: &'static str,
    label: &'static str,
    autocomplete: &'static str,
    errors: Vec<&'a str>,
    /// Space-separated ids for `aria-describedby` (errors, then the rules box).
    described_by: String,
}

/// \[パスワード変更\]: ①②③, ④《変更》 (confirmation, then POST
/// [`paths::PASSWORD`](crate::paths::PASSWORD)), ⑤《戻る》 (→ \[管理メニュー\]), the rules box, and each
/// error next to its field.
///
/// The confirmation is a native HTML popover inside the form
/// (`popovertarget`, no JavaScript): 《変更》 opens it, its 《OK》 submits the
/// form, its cancel closes it. Enter in a field opens the same confirmation
/// (`data-confirm` on the form, handled by the one script; without it Enter does
/// nothing). The passwords never leave the form before the user confirms, so no
/// server-side "pending change" state is needed.
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
    /// The numbers the rules box quotes.
    pub rules: Arc<Rules>,
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

    fn specials(&self) -> &str {
        &self.rules.specials
    }

    /// A rule of the rules box, with the configured numbers.
    fn rule(&self, text: &str) -> String {
        self.rules.fill(self.lang, text)
    }

    /// The manual's example (「staff123」→「staff456」) shares 5 leading characters: it
    /// is an example only while the configured prefix is at most that.
    fn shows_example(&self) -> bool {
        (1..=5).contains(&self.rules.prefix_length)
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

/// パスワード変更完了 message with 《OK》 (→ \[管理メニュー\]).
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
