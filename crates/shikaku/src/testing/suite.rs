//! [`store_behaviour_suite!`](crate::store_behaviour_suite): every scenario of
//! [`scenarios`](super::scenarios) as a `#[test]` over stores from one constructor.

/// Runs every behaviour scenario against stores from `make` (a closure returning an
/// `Arc` of a fresh store), one `#[test]` per scenario, named after it.
#[macro_export]
macro_rules! store_behaviour_suite {
    ($make:expr) => {
        $crate::store_behaviour_suite!(@tests $make;
            // login.rs
            password_lock_edges, password_success_resets_count,
            unknown_identifier_is_indistinguishable, login_ticket_expiry,
            wrong_passwords_cost_the_same_whatever_the_stored_settings,
            guesses_during_correct_logins_still_lock,
            // enrollment.rs
            first_time_registration, enrollment_code_is_not_reusable,
            passcode_before_enrollment_is_not_counted, each_login_gets_its_own_registration,
            racing_logins_do_not_share_a_registration,
            resets_and_disable_drop_the_registration_in_progress,
            a_registration_without_a_login_is_replaced_at_the_next_view,
            // passcode.rs
            passcode_lock_edges, password_does_not_reset_passcode_count, drift_is_recorded,
            an_old_device_code_is_not_checked_against_a_new_registration,
            // session.rs
            idle_timeout_edges, second_login_supersedes_first, logout_ends_session,
            an_ended_session_cannot_log_out_as_active,
            // password.rs
            password_change_rules, wrong_current_password_counts,
            five_generations_and_manual_example, a_stale_session_cannot_change_the_password,
            rehash_on_login, a_password_change_voids_pending_logins,
            // authenticate.rs
            receipt_computer_authentication,
            a_passcode_lock_through_authenticate_voids_pending_logins,
            // admin.rs
            administration, audit_holds_no_secret,
            // unknown.rs
            an_unknown_identifier_is_recorded_by_its_fingerprint,
            // concurrency.rs
            concurrent_wrong_passwords, concurrent_same_passcode,
            // housekeeping.rs
            housekeeping_closes_ended_locks_and_forgets_their_counters,
            housekeeping_removes_sessions_a_week_after_they_ended,
            housekeeping_applies_the_audit_retention,
            // refusals.rs
            a_hammered_password_lock_records_one_refusal_and_one_count,
            a_passcode_lock_counts_refusals_at_the_password_step_too,
            concurrent_refusals_record_one_event, a_success_that_lifts_a_lock_reports_its_refusals,
            // rotation.rs
            master_key_rotation_under_live_traffic,
            a_passcode_step_survives_a_rotation_between_its_read_and_its_update,
            a_node_refuses_master_keys_that_are_not_the_stores,
            // store.rs
            accounts_pages_walk_every_account_once, audit_pages_filter_and_walk_the_log_once,
            api_keys_are_stored_found_and_revoked_once, key_check_keeps_the_first_value,
            key_check_racing_nodes_agree, import_account_keeps_id_and_every_field,
            all_attempts_lists_changed_counters_by_key, ping_answers_on_a_working_store,
            prune_forgets_only_counters_with_nothing_to_remember,
            prune_sessions_removes_the_sessions_ended_before_the_cutoff,
            prune_audit_removes_old_events_a_batch_at_a_time,
        );
    };
    (@tests $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $crate::testing::scenarios::$name(($make)());
            }
        )*
    };
}
