//! The manual's flows: 《ログイン》, [Authenticator 登録] and its print confirmation,
//! 《パスコードを送信》, the session, `[パスワード変更]`, 《ログアウト》, and the receipt
//! computer's one-call authentication.

use std::ffi::c_char;

use shikaku::{LoginStage, LoginTicket};
use shikaku_store_sqlite::SqliteStore;

use crate::failure::Failure;
use crate::guard;
use crate::types::{shikaku_login, shikaku_next, shikaku_token};

// cbindgen lists the functions in the order of these modules: keep it the manual's.
mod login;

mod enrollment;

mod passcode;

mod session;

mod password;

mod authenticate;

pub use authenticate::*;
pub use enrollment::*;
pub use login::*;
pub use passcode::*;
pub use password::*;
pub use session::*;

fn token_out(token: &shikaku::Token) -> shikaku_token {
    shikaku_token {
        bytes: *token.as_bytes(),
    }
}

fn next_of(stage: LoginStage) -> shikaku_next {
    match stage {
        LoginStage::Enrollment => shikaku_next::Enroll,
        LoginStage::Passcode => shikaku_next::Passcode,
    }
}

fn login_of(next: shikaku_next, ticket: &LoginTicket) -> shikaku_login {
    shikaku_login {
        next,
        token: token_out(&ticket.token),
        expires_at: ticket.expires_at.unix_timestamp(),
    }
}

const NO_LOGIN: shikaku_login = shikaku_login {
    next: shikaku_next::None,
    token: shikaku_token { bytes: [0; 32] },
    expires_at: 0,
};

/// The passcode as typed (full-width digits and `123 456` accepted), in the service's
/// number of digits.
///
/// # Safety
///
/// `passcode` is null or a NUL-terminated string.
unsafe fn passcode_arg(
    service: &shikaku::Shikaku<SqliteStore>,
    passcode: *const c_char,
) -> Result<shikaku::totp::Passcode, Failure> {
    // SAFETY: forwarded contract.
    let text = unsafe { guard::text(passcode, "passcode") }?;
    service
        .config()
        .verifier
        .parse_passcode(text)
        .map_err(|_| Failure::MalformedPasscode)
}
