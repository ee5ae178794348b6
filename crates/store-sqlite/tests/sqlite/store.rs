//! Store-level contracts: every record round-trips exactly, conflicts and absences are
//! reported as the trait says, audit order, prune, and undecodable rows.

use shikaku::lockout::{LockoutPolicy, SessionClock, SessionSlot};
use shikaku::password::Password;
use shikaku::{
    AccountId, AuditEvent, AuditKind, Channel, LoginTicketRecord, MfaRecord, PendingMfa,
    SealedSecret, SessionRecord, Store, StoreError, TokenDigest,
};
use time::Duration;

use crate::support::{START, Scratch, hasher, key, new_account, raw};
use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};

#[test]
fn insert_assigns_ids_and_refuses_a_taken_key() {
    let s = Scratch::new();
    let h = hasher();
    let a = s
        .store
        .insert_account(new_account(&h, "staff01", INITIAL_PASSWORD))
        .unwrap();
    let b = s
        .store
        .insert_account(new_account(&h, "staff02", INITIAL_PASSWORD))
        .unwrap();
    assert_ne!(a.id, b.id);
    assert!(a.must_change_password && !a.disabled && a.mfa.is_none());
    assert_eq!(a.updated_at, START);
    let again = s
        .store
        .insert_account(new_account(&h, "staff01", "Other#Pass12"));
    assert_eq!(again.unwrap_err(), StoreError::Conflict);
    // Case matters in a ログイン ID: "Staff01" is another account.
    s.store
        .insert_account(new_account(&h, "Staff01", INITIAL_PASSWORD))
        .unwrap();
    assert_eq!(s.store.accounts().unwrap().len(), 3);
}

#[test]
fn every_account_field_round_trips_exactly() {
    let s = Scratch::new();
    let h = hasher();
    let inserted = s
        .store
        .insert_account(new_account(&h, "staff01", INITIAL_PASSWORD))
        .unwrap();
    assert_eq!(s.store.account(inserted.id).unwrap().unwrap(), inserted);
    let later = START + Duration::nanoseconds(123_456_789);
    let updated = s
        .store
        .update_account(inserted.id, &mut |a| {
            a.disabled = true;
            a.must_change_password = false;
            a.mfa = Some(MfaRecord {
                secret: SealedSecret(vec![1; 45]),
                last_step: Some(u64::from(u32::MAX) * 4),
                drift: -1,
                enrolled_at: later,
            });
            a.pending_mfa = Some(PendingMfa {
                secret: SealedSecret(vec![2; 45]),
                ticket: Some(TokenDigest([3; 32])),
                print_prompt_shown: true,
                created_at: later.to_offset(shikaku::JST),
            });
            let _ = a.sessions.begin();
            a.updated_at = later;
            true
        })
        .unwrap()
        .unwrap();
    let read = s.store.account(inserted.id).unwrap().unwrap();
    assert_eq!(read, updated);
    assert_eq!(
        s.store.account_by_key(&key("staff01")).unwrap().unwrap(),
        updated
    );
    assert_eq!(read.updated_at, later, "nanoseconds survive");
    assert!(read.sessions.current().is_some());
    // And back to nothing.
    s.store
        .update_account(inserted.id, &mut |a| {
            a.mfa = Some(MfaRecord {
                last_step: None,
                ..a.mfa.clone().unwrap()
            });
            a.pending_mfa = None;
            true
        })
        .unwrap();
    let read = s.store.account(inserted.id).unwrap().unwrap();
    assert_eq!(read.mfa.unwrap().last_step, None);
    assert_eq!(read.pending_mfa, None);
}

#[test]
fn the_password_history_survives_a_change_and_still_verifies() {
    let s = Scratch::new();
    let h = hasher();
    let id = s
        .store
        .insert_account(new_account(&h, "staff01", INITIAL_PASSWORD))
        .unwrap()
        .id;
    let policy = shikaku::password::Policy::default();
    s.store
        .update_account(id, &mut |a| {
            a.password
                .change(
                    &policy,
                    &h,
                    &id.to_string(),
                    &Password::new(INITIAL_PASSWORD),
                    &Password::new("Second#Pass22"),
                    &mut crate::support::rng(1),
                )
                .unwrap();
            true
        })
        .unwrap();
    let stored = s.store.account(id).unwrap().unwrap().password;
    assert_eq!(stored.len(), 2);
    assert!(
        stored
            .verify_current(&h, &Password::new("Second#Pass22"))
            .unwrap()
    );
    assert!(
        !stored
            .verify_current(&h, &Password::new(INITIAL_PASSWORD))
            .unwrap()
    );
    let retired = stored.retired().next().unwrap();
    assert!(
        h.verify(&Password::new(INITIAL_PASSWORD), retired.hash())
            .unwrap()
    );
}

#[test]
fn update_account_writes_only_when_the_closure_says_so() {
    let s = Scratch::new();
    let h = hasher();
    let before = s
        .store
        .insert_account(new_account(&h, "staff01", INITIAL_PASSWORD))
        .unwrap();
    let mut calls = 0;
    let returned = s
        .store
        .update_account(before.id, &mut |a| {
            calls += 1;
            a.disabled = true;
            false
        })
        .unwrap()
        .unwrap();
    assert_eq!(calls, 1);
    assert_eq!(returned, before, "returns the record as stored");
    assert_eq!(s.store.account(before.id).unwrap().unwrap(), before);
    let absent = s
        .store
        .update_account(AccountId(999), &mut |_| panic!("no record, no call"));
    assert_eq!(absent.unwrap(), None);
}

#[test]
fn update_account_cannot_move_a_row_or_take_anothers_key() {
    let s = Scratch::new();
    let h = hasher();
    let a = s
        .store
        .insert_account(new_account(&h, "staff01", INITIAL_PASSWORD))
        .unwrap();
    let b = s
        .store
        .insert_account(new_account(&h, "staff02", INITIAL_PASSWORD))
        .unwrap();
    let moved = s
        .store
        .update_account(a.id, &mut |r| {
            r.id = b.id;
            r.disabled = true;
            true
        })
        .unwrap()
        .unwrap();
    assert_eq!(moved.id, a.id);
    assert!(s.store.account(a.id).unwrap().unwrap().disabled);
    assert!(
        !s.store.account(b.id).unwrap().unwrap().disabled,
        "b untouched"
    );
    let taken = s.store.update_account(a.id, &mut |r| {
        r.key = key("staff02");
        r.must_change_password = false;
        true
    });
    assert_eq!(taken.unwrap_err(), StoreError::Conflict);
    assert!(
        s.store.account(a.id).unwrap().unwrap().must_change_password,
        "rolled back"
    );
}

#[test]
fn accounts_are_listed_in_key_order() {
    let s = Scratch::new();
    let h = hasher();
    for login in ["b", "a", "C", "aa"] {
        s.store
            .insert_account(new_account(&h, login, INITIAL_PASSWORD))
            .unwrap();
    }
    let logins: Vec<String> = s
        .store
        .accounts()
        .unwrap()
        .iter()
        .map(|a| a.key.login_id.to_string())
        .collect();
    let mut expected = logins.clone();
    expected.sort();
    assert_eq!(logins, expected);
    assert_eq!(logins, ["C", "a", "aa", "b"]);
}

#[test]
fn attempts_default_when_absent_and_persist_per_identifier() {
    let s = Scratch::new();
    let policy = LockoutPolicy::default();
    assert_eq!(
        s.store.attempts(&key("nobody")).unwrap(),
        Default::default()
    );
    let after = s
        .store
        .update_attempts(&key("nobody"), &mut |a| {
            let _ = a.password.record_failure(&policy, START);
        })
        .unwrap();
    assert_eq!(after.password.status(&policy, START).attempts_left(), 2);
    assert_eq!(s.store.attempts(&key("nobody")).unwrap(), after);
    assert_eq!(
        s.store.attempts(&key("somebody")).unwrap(),
        Default::default()
    );
}

fn ticket(byte: u8, account: AccountId, minutes: i64) -> LoginTicketRecord {
    LoginTicketRecord {
        digest: TokenDigest([byte; 32]),
        account,
        issued_at: START,
        expires_at: START + Duration::minutes(minutes),
    }
}

#[test]
fn tickets_are_stored_read_and_deleted_by_digest_and_by_account() {
    let s = Scratch::new();
    let h = hasher();
    let a = s
        .store
        .insert_account(new_account(&h, "staff01", INITIAL_PASSWORD))
        .unwrap()
        .id;
    let b = s
        .store
        .insert_account(new_account(&h, "staff02", INITIAL_PASSWORD))
        .unwrap()
        .id;
    for (byte, owner) in [(1, a), (2, a), (3, b)] {
        s.store.insert_ticket(ticket(byte, owner, 30)).unwrap();
    }
    assert_eq!(
        s.store.ticket(&TokenDigest([1; 32])).unwrap(),
        Some(ticket(1, a, 30))
    );
    assert!(s.store.delete_ticket(&TokenDigest([1; 32])).unwrap());
    assert!(!s.store.delete_ticket(&TokenDigest([1; 32])).unwrap());
    assert_eq!(s.store.ticket(&TokenDigest([1; 32])).unwrap(), None);
    s.store.delete_tickets_of(a).unwrap();
    assert_eq!(s.store.ticket(&TokenDigest([2; 32])).unwrap(), None);
    assert!(
        s.store.ticket(&TokenDigest([3; 32])).unwrap().is_some(),
        "b's ticket stays"
    );
}

#[test]
fn sessions_are_stored_updated_and_deleted() {
    let s = Scratch::new();
    let h = hasher();
    let a = s
        .store
        .insert_account(new_account(&h, "staff01", INITIAL_PASSWORD))
        .unwrap()
        .id;
    let mut slot = SessionSlot::default();
    let session = |byte: u8, epoch| SessionRecord {
        digest: TokenDigest([byte; 32]),
        account: a,
        clock: SessionClock::start(epoch, START),
        created_at: START,
    };
    let first = session(1, slot.begin());
    let second = session(2, slot.begin());
    s.store.insert_session(first.clone()).unwrap();
    s.store.insert_session(second.clone()).unwrap();
    assert_eq!(s.store.session(&first.digest).unwrap(), Some(first.clone()));
    let idle = shikaku::lockout::IdleTimeout::default();
    let touched = s
        .store
        .update_session(&second.digest, &mut |r| {
            let _ = r.clock.touch(&slot, &idle, START + Duration::minutes(10));
        })
        .unwrap()
        .unwrap();
    assert_eq!(touched.clock.last_activity(), START + Duration::minutes(10));
    assert_eq!(s.store.session(&second.digest).unwrap(), Some(touched));
    assert_eq!(
        s.store
            .update_session(&TokenDigest([9; 32]), &mut |_| panic!("absent"))
            .unwrap(),
        None
    );
    assert!(s.store.delete_session(&first.digest).unwrap());
    assert!(!s.store.delete_session(&first.digest).unwrap());
    s.store.delete_sessions_of(a).unwrap();
    assert_eq!(s.store.session(&second.digest).unwrap(), None);
}

#[test]
fn audit_events_come_back_newest_first_and_whole() {
    let s = Scratch::new();
    let kinds = [
        AuditKind::AccountProvisioned,
        AuditKind::PasswordFailed,
        AuditKind::LoggedOut,
    ];
    let events: Vec<AuditEvent> = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| AuditEvent {
            // Same instant for two of them: order is arrival, not time.
            at: START + Duration::seconds(i.min(1) as i64),
            kind: *kind,
            account: (i != 1).then(|| key("staff01")),
            channel: [Channel::Admin, Channel::Web, Channel::ReceiptComputer][i],
            detail: (i == 2).then(|| "詳細 detail".to_owned()),
        })
        .collect();
    for e in &events {
        s.store.append_audit(e).unwrap();
    }
    let recent = s.store.recent_audit(10).unwrap();
    let expected: Vec<AuditEvent> = events.iter().rev().cloned().collect();
    assert_eq!(recent, expected);
    assert_eq!(s.store.recent_audit(1).unwrap(), expected[..1]);
    assert!(s.store.recent_audit(0).unwrap().is_empty());
    assert_eq!(s.store.recent_audit(usize::MAX).unwrap().len(), 3);
}

#[test]
fn prune_drops_expired_tickets_and_empty_counters_only() {
    let s = Scratch::new();
    let h = hasher();
    let a = s
        .store
        .insert_account(new_account(&h, "staff01", INITIAL_PASSWORD))
        .unwrap()
        .id;
    s.store.insert_ticket(ticket(1, a, 10)).unwrap();
    s.store.insert_ticket(ticket(2, a, 30)).unwrap();
    let policy = LockoutPolicy::default();
    s.store.update_attempts(&key("empty"), &mut |_| {}).unwrap();
    s.store
        .update_attempts(&key("failing"), &mut |a| {
            let _ = a.passcode.record_failure(&policy, START);
        })
        .unwrap();
    // Exactly at expiry the ticket is unusable, so it goes.
    assert_eq!(s.store.prune(START + Duration::minutes(10)).unwrap(), 2);
    assert_eq!(s.store.ticket(&TokenDigest([1; 32])).unwrap(), None);
    assert!(s.store.ticket(&TokenDigest([2; 32])).unwrap().is_some());
    assert_ne!(
        s.store.attempts(&key("failing")).unwrap(),
        Default::default()
    );
    assert_eq!(s.store.prune(START + Duration::minutes(10)).unwrap(), 0);
}

#[test]
fn undecodable_rows_are_corrupt_errors_not_panics_and_hide_the_value() {
    let s = Scratch::new();
    let h = hasher();
    let id = s
        .store
        .insert_account(new_account(&h, "staff01", INITIAL_PASSWORD))
        .unwrap()
        .id;
    let conn = raw(&s.db_path());
    conn.execute(
        "UPDATE accounts SET password_history = '{\"current\": \"$argon2id$not-a-hash\"}' WHERE id = ?1",
        [id.0],
    )
    .unwrap();
    let err = s.store.account(id).unwrap_err();
    let StoreError::Corrupt(message) = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("password_history"), "{message}");
    assert!(!message.contains("argon2id"), "{message}");
    assert!(matches!(s.store.accounts(), Err(StoreError::Corrupt(_))));
    let before: String = conn
        .query_row("SELECT password_history FROM accounts", [], |r| r.get(0))
        .unwrap();
    assert!(matches!(
        s.store.update_account(id, &mut |a| {
            a.disabled = true;
            true
        }),
        Err(StoreError::Corrupt(_))
    ));
    let after: String = conn
        .query_row("SELECT password_history FROM accounts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(before, after);

    // A timestamp out of form, and an identifier the facade would refuse.
    let id2 = s
        .store
        .insert_account(new_account(&h, "staff02", INITIAL_PASSWORD))
        .unwrap()
        .id;
    conn.execute(
        "UPDATE accounts SET created_at = 'yesterday' WHERE id = ?1",
        [id2.0],
    )
    .unwrap();
    assert!(
        matches!(s.store.account(id2), Err(StoreError::Corrupt(m)) if m.contains("created_at"))
    );
    conn.execute(
        "UPDATE accounts SET login_id = 'a b', created_at = updated_at WHERE id = ?1",
        [id2.0],
    )
    .unwrap();
    assert!(matches!(s.store.account(id2), Err(StoreError::Corrupt(m)) if m.contains("login_id")));

    // Counters and audit events too.
    conn.execute(
        "INSERT INTO attempts VALUES (?1, 'x', '{\"state\":\"sideways\"}', '{}')",
        [INSTITUTION_CODE],
    )
    .unwrap();
    assert!(matches!(
        s.store.attempts(&key("x")),
        Err(StoreError::Corrupt(_))
    ));
    assert!(matches!(
        s.store.update_attempts(&key("x"), &mut |_| {}),
        Err(StoreError::Corrupt(_))
    ));
    conn.execute(
        "INSERT INTO audit_events (at, kind, channel) VALUES ('2026-04-01T00:00:00.000000000Z', 'teleported', 'web')",
        [],
    )
    .unwrap();
    assert!(matches!(s.store.recent_audit(5), Err(StoreError::Corrupt(m)) if m.contains("kind")));
}

#[test]
fn the_schema_itself_refuses_half_an_authenticator() {
    let s = Scratch::new();
    let h = hasher();
    let id = s
        .store
        .insert_account(new_account(&h, "staff01", INITIAL_PASSWORD))
        .unwrap()
        .id;
    let conn = raw(&s.db_path());
    let half = conn.execute(
        "UPDATE accounts SET mfa_secret = x'00' WHERE id = ?1",
        [id.0],
    );
    assert!(half.is_err(), "CHECK constraint");
    let short = conn.execute(
        "INSERT INTO sessions VALUES (x'00', ?1, '{}', '2026-04-01T00:00:00.000000000Z')",
        [id.0],
    );
    assert!(short.is_err(), "digests are 32 bytes");
    s.store.check_integrity().unwrap();
}
