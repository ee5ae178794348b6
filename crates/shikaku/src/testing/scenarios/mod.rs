//! The behaviour scenarios, one file per flow of the manual. Each takes a fresh store
//! and drives the whole facade over it through a [`Harness`](super::Harness);
//! [`store_behaviour_suite!`](crate::store_behaviour_suite) runs every one as a test.
//!
//! | file | scenarios |
//! |---|---|
//! | `login.rs` | \[ログイン\]: the password lock at its edges, unknown identifiers, half-finished logins |
//! | `enrollment.rs` | [Authenticator 登録]: first registration, its spent passcode, a passcode before any registration |
//! | `passcode.rs` | 《パスコードを送信》: the passcode lock, its count across logins, clock drift |
//! | `session.rs` | 30 idle minutes, a later login elsewhere, 《ログアウト》 |
//! | `password.rs` | \[パスワード変更\]: the rules, the history, the lock, a stale session; rehashing |
//! | `authenticate.rs` | the receipt computer's one-call authentication |
//! | `admin.rs` | the administrator's operations; no secret in the audit log |
//! | `concurrency.rs` | racing guesses and racing passcodes |

mod admin;
mod authenticate;
mod concurrency;
mod enrollment;
mod login;
mod passcode;
mod password;
mod session;

pub use admin::{administration, audit_holds_no_secret};
pub use authenticate::receipt_computer_authentication;
pub use concurrency::{concurrent_same_passcode, concurrent_wrong_passwords};
pub use enrollment::{
    enrollment_code_is_not_reusable, first_time_registration,
    passcode_before_enrollment_is_not_counted,
};
pub use login::{
    login_ticket_expiry, password_lock_edges, password_success_resets_count,
    unknown_identifier_is_indistinguishable,
};
pub use passcode::{
    drift_is_recorded, passcode_lock_edges, password_does_not_reset_passcode_count,
};
pub use password::{
    a_stale_session_cannot_change_the_password, five_generations_and_manual_example,
    password_change_rules, rehash_on_login, wrong_current_password_counts,
};
pub use session::{idle_timeout_edges, logout_ends_session, second_login_supersedes_first};
