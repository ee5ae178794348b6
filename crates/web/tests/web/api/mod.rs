//! The JSON API over the real facade (`app(…)` on the workspace test kit's
//! [`Harness`](shikaku::testing::Harness): a `FaultyStore` over a `MemoryStore`, a
//! `ManualClock` at the kit's start and a seeded CSPRNG), driven with `oneshot`.
//!
//! Every response any test receives goes through [`Api::send`], which checks it against
//! the OpenAPI document (`crates/web/openapi.json`): the operation and status must be
//! documented, the body must validate against the documented schema (required
//! properties, types, enums, `additionalProperties: false`, patterns, RFC 3339 instants),
//! documented headers must be present, and `Cache-Control: no-store` is on everything.
//! [`the_contract_is_exercised_in_full`] runs every scenario and then asserts that every
//! documented (operation, status, error code) was actually received.
//!
//! | file | what |
//! |---|---|
//! | `contract.rs` | the OpenAPI checker and the coverage keys |
//! | `requests.rs` | the request side: which path a request names, whether the document accepts it |
//! | `harness.rs` | [`Api`], [`Call`], [`Reply`] |
//! | `login.rs` | enrollment, later logins, replays, the password lock, the passcode step |
//! | `password.rs` | `POST /password`: violations, history, its lock |
//! | `session.rs` | idle sessions and login tokens, supersession, logout |
//! | `authenticate.rs` | `POST /authenticate` |
//! | `admin.rs` | the administrator's resets and disabling, seen through the API |
//! | `administration.rs` | the administration API: scoped and revoked keys, paging |
//! | `admin_edges.rs` | the administration API: initial passwords never logged, every refusal |
//! | `corrupt.rs` | a store that answers with unreadable rows (500s) |
//! | `input.rs` | hostile bodies and fields, size limits |
//! | `transport.rs` | where tokens come from, JSON transport errors, 500s, languages |
//! | `document.rs` | the document itself |
//! | `generate.rs` | the fuzzer's generators and mutations |
//! | `fuzz.rs` | seeded random requests: what the document accepts is accepted, what it refuses refused |

mod admin;
mod admin_edges;
mod administration;
mod authenticate;
mod contract;
mod corrupt;
mod document;
mod fuzz;
mod generate;
mod harness;
mod input;
mod login;
mod password;
mod requests;
mod session;
mod transport;

use std::sync::Arc;

use contract::contract;
use harness::{Api, Seen};

/// One `#[tokio::test]` per scenario (named after it), and
/// [`the_contract_is_exercised_in_full`] over all of them.
macro_rules! scenarios {
    ($($module:ident :: $name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                $module::$name(&Api::new(Seen::default())).await;
            }
        )*

        /// Runs every scenario, then checks that every documented (operation, status,
        /// error code) was received — and nothing undocumented (checked per response).
        #[tokio::test]
        async fn the_contract_is_exercised_in_full() {
            let seen = Seen::default();
            $( $module::$name(&Api::new(Arc::clone(&seen))).await; )*
            let seen = seen.lock().unwrap().clone();
            let missing: Vec<_> = contract().promised().difference(&seen).cloned().collect();
            assert!(missing.is_empty(), "documented but never exercised: {missing:#?}");
            let extra: Vec<_> = seen.difference(&contract().promised()).cloned().collect();
            assert!(extra.is_empty(), "received but not promised: {extra:#?}");
        }
    };
}

scenarios! {
    login::enrollment_then_later_logins,
    login::a_replayed_passcode_is_refused,
    login::three_wrong_passwords_lock_for_30_minutes,
    login::unknown_account_and_wrong_password_are_identical,
    login::passcode_step_errors_and_lock,
    password::password_change_lists_every_violation,
    password::password_change_locks_on_wrong_current_passwords,
    session::sessions_expire_after_30_idle_minutes,
    session::a_later_login_supersedes_the_session,
    session::logout_ends_the_session,
    session::logout_of_an_ended_session_says_how_it_ended,
    authenticate::authenticate_in_one_call,
    admin::administrator_states,
    administration::a_scoped_key_manages_its_institution_only,
    administration::a_revoked_key_stops_at_once,
    administration::paging_returns_each_account_once_while_accounts_are_added,
    admin_edges::the_initial_password_works_and_is_never_logged,
    admin_edges::administration_refuses_what_is_not_its_form,
    input::bad_input_is_400_never_500,
    input::bodies_over_the_limit_are_413_before_parsing,
    transport::tokens_come_only_from_the_authorization_header,
    transport::transport_errors_are_json,
    transport::requests_for_another_host_are_421,
    transport::an_unavailable_store_is_503_with_retry_after,
    transport::a_corrupt_store_is_a_json_500,
    transport::messages_follow_accept_language,
    document::the_document_is_served,
    fuzz::document_valid_requests_are_accepted_and_invalid_ones_refused,
}
