//! The behaviour scenarios, one file per flow of the manual. Each takes a fresh store
//! and drives the whole facade over it through a [`Harness`](super::Harness);
//! [`store_behaviour_suite!`](crate::store_behaviour_suite) runs every one as a test.
//!
//! | file | scenarios |
//! |---|---|
//! | `login.rs` | \[ログイン\]: the password lock at its edges, unknown identifiers (same answer, same argon2 work whatever the stored settings), half-finished logins, guesses during correct logins |
//! | `enrollment.rs` | [Authenticator 登録]: first registration, its spent passcode, a passcode before any registration, one registration per login (resets and disable drop it; an older release's is replaced) |
//! | `passcode.rs` | 《パスコードを送信》: the passcode lock, its count across logins, clock drift, a registration replaced mid-step |
//! | `session.rs` | 30 idle minutes, a later login elsewhere, 《ログアウト》 (also of an ended session) |
//! | `password.rs` | \[パスワード変更\]: the rules, the history, the lock, a stale session, the logins a change voids; rehashing |
//! | `authenticate.rs` | the receipt computer's one-call authentication; its passcode lock voids pending logins |
//! | `admin.rs` | the administrator's operations; no secret in the audit log |
//! | `concurrency.rs` | racing guesses and racing passcodes |
//! | `housekeeping.rs` | the periodic run: ended locks summarised and forgotten, ended sessions removed a week on, the audit retention |
//! | `refusals.rs` | attempts a lock refuses: one event for a lock period's first refusal and one with the count when it is over, whatever the doors, the numbers and the concurrency |
//! | `rotation.rs` | master-key rotation: two nodes mid-rotation under 8 threads of logins, a re-seal inside a passcode step, the keys a node refuses |
//! | `unknown.rs` | an identifier that names no account (a password typed into the login ID field) recorded by its fingerprint, never as typed |
//! | `store.rs` | the store's own contract, through the trait alone: account and audit pages walked by cursor, API keys, the key check value (and its race), copying accounts and counters, the ping, pruning counters, sessions and old audit events |

mod admin;
mod authenticate;
mod concurrency;
mod enrollment;
mod housekeeping;
mod login;
mod passcode;
mod password;
mod refusals;
mod rotation;
mod session;
mod store;
mod unknown;

pub use admin::{administration, audit_holds_no_secret};
pub use authenticate::{
    a_passcode_lock_through_authenticate_voids_pending_logins, receipt_computer_authentication,
};
pub use concurrency::{concurrent_same_passcode, concurrent_wrong_passwords};
pub use enrollment::{
    a_registration_without_a_login_is_replaced_at_the_next_view,
    each_login_gets_its_own_registration, enrollment_code_is_not_reusable, first_time_registration,
    passcode_before_enrollment_is_not_counted, racing_logins_do_not_share_a_registration,
    resets_and_disable_drop_the_registration_in_progress,
};
pub use housekeeping::{
    housekeeping_applies_the_audit_retention,
    housekeeping_closes_ended_locks_and_forgets_their_counters,
    housekeeping_removes_sessions_a_week_after_they_ended,
};
pub use login::{
    guesses_during_correct_logins_still_lock, login_ticket_expiry, password_lock_edges,
    password_success_resets_count, unknown_identifier_is_indistinguishable,
    wrong_passwords_cost_the_same_whatever_the_stored_settings,
};
pub use passcode::{
    an_old_device_code_is_not_checked_against_a_new_registration, drift_is_recorded,
    passcode_lock_edges, password_does_not_reset_passcode_count,
};
pub use password::{
    a_password_change_voids_pending_logins, a_stale_session_cannot_change_the_password,
    five_generations_and_manual_example, password_change_rules, rehash_on_login,
    wrong_current_password_counts,
};
pub use refusals::{
    a_hammered_password_lock_records_one_refusal_and_one_count,
    a_passcode_lock_counts_refusals_at_the_password_step_too,
    a_success_that_lifts_a_lock_reports_its_refusals, concurrent_refusals_record_one_event,
};
pub use rotation::{
    a_node_refuses_master_keys_that_are_not_the_stores,
    a_passcode_step_survives_a_rotation_between_its_read_and_its_update,
    master_key_rotation_under_live_traffic,
};
pub use session::{
    an_ended_session_cannot_log_out_as_active, idle_timeout_edges, logout_ends_session,
    second_login_supersedes_first,
};
pub use store::{
    accounts_pages_walk_every_account_once, all_attempts_lists_changed_counters_by_key,
    api_keys_are_stored_found_and_revoked_once, audit_pages_filter_and_walk_the_log_once,
    import_account_keeps_id_and_every_field, key_check_keeps_the_first_value,
    key_check_racing_nodes_agree, ping_answers_on_a_working_store,
};
pub use store::{
    prune_audit_removes_old_events_a_batch_at_a_time,
    prune_forgets_only_counters_with_nothing_to_remember,
    prune_sessions_removes_the_sessions_ended_before_the_cutoff,
};
pub use unknown::an_unknown_identifier_is_recorded_by_its_fingerprint;
