//! ユーザ設定情報の発行 and the administrator's operations (unlock, Authenticator and
//! password resets, disable), and no secret in the audit log or the service's answers.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::password::Password;
use crate::testing::{Harness, INITIAL_PASSWORD, INSTITUTION_CODE, LOGIN_ID, ended, hex};
use crate::totp::SetupKey;
use crate::{
    AccountKey, AdminCaller, ApiKeyScope, AuditKind, AuditQuery, Error, InstitutionCode,
    PasscodeLogin, PasswordChange, PasswordLogin, SessionEnd, Store, StoreError, Token,
};

/// Administration: unlock, MFA reset, password reset (forced change), disable.
pub fn administration<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    h.provision("staff02");
    let key = h.key(LOGIN_ID);
    assert!(matches!(
        h.service.provision(&key, None),
        Err(Error::Store(StoreError::Conflict))
    ));
    let (_, session) = h.enroll(LOGIN_ID);
    for _ in 0..3 {
        let _ = h.login(LOGIN_ID, "Wrong#Pass1");
    }
    assert!(matches!(
        h.login(LOGIN_ID, INITIAL_PASSWORD),
        PasswordLogin::Locked { .. }
    ));
    h.service.unlock(&key).unwrap();
    assert!(matches!(
        h.login(LOGIN_ID, INITIAL_PASSWORD),
        PasswordLogin::NeedsPasscode(_)
    ));
    h.service.reset_mfa(&key).unwrap();
    assert_eq!(ended(h.service.session(&session)), SessionEnd::Unknown);
    assert!(matches!(
        h.login(LOGIN_ID, INITIAL_PASSWORD),
        PasswordLogin::NeedsEnrollment(_)
    ));
    let settings = h.service.reset_password(&key).unwrap();
    assert!(
        h.service
            .config()
            .password_policy
            .check(settings.initial_password.as_str())
            .is_ok()
    );
    assert!(matches!(
        h.login(LOGIN_ID, INITIAL_PASSWORD),
        PasswordLogin::Invalid
    ));
    let (ticket, _) = h.ticket(LOGIN_ID, settings.initial_password.as_str());
    let view = h.service.enrollment(&ticket).unwrap();
    let secret = SetupKey::parse(&view.setup_key.copy_form()).unwrap();
    let grant = match h.submit(&ticket, &h.code(&secret, 0)) {
        PasscodeLogin::Session(g) => g,
        other => panic!("{other:?}"),
    };
    assert!(grant.must_change_password);
    assert!(
        h.service
            .session(&grant.token)
            .unwrap()
            .must_change_password
    );
    let out = h
        .change_password(
            &grant.token,
            settings.initial_password.as_str(),
            "After#Reset1",
            "After#Reset1",
        )
        .unwrap();
    assert!(matches!(out, PasswordChange::Changed));
    assert!(
        !h.service
            .session(&grant.token)
            .unwrap()
            .must_change_password
    );
    h.service.set_disabled(&key, true).unwrap();
    assert_eq!(ended(h.service.session(&grant.token)), SessionEnd::Unknown);
    assert!(matches!(
        h.login(LOGIN_ID, "After#Reset1"),
        PasswordLogin::Disabled
    ));
    h.service.set_disabled(&key, false).unwrap();
    assert!(matches!(
        h.login(LOGIN_ID, "After#Reset1"),
        PasswordLogin::NeedsPasscode(_)
    ));
    let list = h.service.accounts().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].key.login_id.as_str(), LOGIN_ID);
    for kind in [
        AuditKind::AdminUnlocked,
        AuditKind::AdminMfaReset,
        AuditKind::AdminPasswordReset,
        AuditKind::AdminDisabled,
        AuditKind::AdminEnabled,
    ] {
        assert_eq!(h.count(kind), 1, "{kind:?}");
    }
    assert!(h.service.recent_audit(5).unwrap().len() == 5);
    // The local operator's events name it.
    assert!(
        h.audit
            .events()
            .iter()
            .filter(|e| e.kind == AuditKind::AdminUnlocked)
            .all(|e| e.detail.as_deref() == Some("operator=local"))
    );

    api_keys_are_scoped_to_their_institutions(&h);
    pages_return_each_account_once_while_accounts_are_added(&h);
    audited::every_admin_call_is_an_audit_event(&h);
}

mod audited;

/// Another institution than the kit's, for scoping.
const OTHER_INSTITUTION: &str = "9876543210";

fn code(text: &str) -> InstitutionCode {
    InstitutionCode::parse(text, text.len()).unwrap()
}

fn key_in(h: &Harness<impl Store>, institution: &str, login_id: &str) -> AccountKey {
    h.service
        .config()
        .account_key(institution, login_id)
        .unwrap()
}

/// API keys: one answer for unknown and revoked keys; a key scoped to one institution
/// administers its accounts, and for it another institution's account does not exist
/// (the very answer of an absent one), its listings and audit pages hold only its
/// institution, and its events name its id, never the key.
fn api_keys_are_scoped_to_their_institutions<S: Store>(h: &Harness<S>) {
    let s = &h.service;
    let ours = code(INSTITUTION_CODE);
    let theirs_key = key_in(h, OTHER_INSTITUTION, "other01");
    s.provision(&theirs_key, None).unwrap();

    // Creating keys: a name, a non-empty scope; the key is shown once, stored as digest.
    assert!(matches!(
        s.create_api_key("", ApiKeyScope::All),
        Err(Error::InvalidApiKey(_))
    ));
    assert!(matches!(
        s.create_api_key("bad\nname", ApiKeyScope::All),
        Err(Error::InvalidApiKey(_))
    ));
    assert!(matches!(
        s.create_api_key("empty", ApiKeyScope::Institutions(BTreeSet::new())),
        Err(Error::InvalidApiKey(_))
    ));
    let scoped = s
        .create_api_key("clinic", ApiKeyScope::Institutions([ours.clone()].into()))
        .unwrap();
    let everywhere = s.create_api_key("vendor", ApiKeyScope::All).unwrap();
    assert_ne!(scoped.record.id, everywhere.record.id);
    assert_eq!(scoped.record.digest, scoped.key.digest());
    let key_text = hex(scoped.key.as_bytes());
    assert!(!format!("{scoped:?} {:?}", s.api_keys().unwrap()).contains(&key_text));

    // Checking keys: unknown → Unauthorized; a valid one → its id and scope.
    assert!(matches!(
        s.admin_caller(&Token::from_bytes([7; 32])),
        Err(Error::Unauthorized)
    ));
    let clinic = s.admin_caller(&scoped.key).unwrap();
    assert_eq!(clinic.api_key(), Some(scoped.record.id));
    assert_eq!(clinic.scope(), &scoped.record.scope);
    let vendor = s.admin_caller(&everywhere.key).unwrap();

    // Inside the scope: every operation works and names the key's id.
    let mine = key_in(h, INSTITUTION_CODE, "scoped01");
    let issued = s.provision_as(&clinic, &mine, None).unwrap();
    s.unlock_as(&clinic, &mine).unwrap();
    s.reset_mfa_as(&clinic, &mine).unwrap();
    s.set_disabled_as(&clinic, &mine, true).unwrap();
    assert!(s.account_as(&clinic, &mine).unwrap().disabled);
    s.set_disabled_as(&clinic, &mine, false).unwrap();
    let reissued = s.reset_password_as(&clinic, &mine).unwrap();
    assert_ne!(
        issued.initial_password.as_str(),
        reissued.initial_password.as_str()
    );
    let detail = format!("api_key={}", scoped.record.id);
    let by_clinic: Vec<_> = h
        .audit
        .events()
        .into_iter()
        .filter(|e| e.account.as_ref() == Some(&mine))
        .collect();
    // Six changes and one read.
    assert_eq!(by_clinic.len(), 7, "{by_clinic:?}");
    assert!(by_clinic.iter().all(|e| match e.kind {
        AuditKind::AdminAccountRead => e.detail == Some(format!("{detail} account")),
        _ => e.detail.as_deref() == Some(detail.as_str()),
    }));

    // Outside it: every operation is the answer for an absent account, and changes
    // nothing.
    let absent = key_in(h, INSTITUTION_CODE, "nobody99");
    let before = s.account_as(&vendor, &theirs_key).unwrap();
    let events_before = h.audit.events().len();
    for target in [&theirs_key, &absent] {
        let unknown = |r: Result<(), Error>| matches!(r, Err(Error::UnknownAccount));
        assert!(unknown(s.account_as(&clinic, target).map(drop)), "{target}");
        assert!(unknown(s.reset_mfa_as(&clinic, target)), "{target}");
        assert!(unknown(s.reset_password_as(&clinic, target).map(drop)));
        assert!(unknown(s.set_disabled_as(&clinic, target, true)));
        assert!(unknown(s.set_disabled_as(&clinic, target, false)));
    }
    assert!(matches!(
        s.unlock_as(&clinic, &theirs_key),
        Err(Error::UnknownAccount)
    ));
    assert!(matches!(
        s.provision_as(&clinic, &key_in(h, OTHER_INSTITUTION, "new01"), None),
        Err(Error::UnknownAccount)
    ));
    assert!(matches!(
        s.provision_as(&clinic, &theirs_key, None),
        Err(Error::UnknownAccount)
    ));
    assert_eq!(h.audit.events().len(), events_before, "nothing happened");
    let after = s.account_as(&vendor, &theirs_key).unwrap();
    assert_eq!(
        (after.disabled, after.must_change_password, after.updated_at),
        (
            before.disabled,
            before.must_change_password,
            before.updated_at
        )
    );

    // Listings: the scoped key sees its institution only, however it asks.
    let theirs = code(OTHER_INSTITUTION);
    let listed = |caller: &AdminCaller, filter: Option<&InstitutionCode>| -> Vec<AccountKey> {
        let page = s.accounts_page(caller, filter, None, 100).unwrap();
        assert!(page.next.is_none());
        page.accounts.into_iter().map(|a| a.key).collect()
    };
    let all_ours = listed(&clinic, None);
    assert!(all_ours.contains(&mine));
    assert!(all_ours.iter().all(|k| k.institution_code == ours));
    assert_eq!(listed(&clinic, Some(&ours)), all_ours);
    assert!(listed(&clinic, Some(&theirs)).is_empty());
    assert_eq!(listed(&vendor, Some(&theirs)), vec![theirs_key.clone()]);
    assert_eq!(listed(&vendor, None).len(), all_ours.len() + 1);

    let query = |institution: Option<InstitutionCode>| AuditQuery {
        institution,
        limit: 500,
        ..AuditQuery::default()
    };
    let seen = s.audit_page(&clinic, &query(None)).unwrap().events;
    assert!(!seen.is_empty());
    assert!(seen.iter().all(|e| {
        e.event
            .account
            .as_ref()
            .is_some_and(|k| k.institution_code == ours)
    }));
    assert!(seen.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
    assert!(
        s.audit_page(&clinic, &query(Some(theirs.clone())))
            .unwrap()
            .events
            .is_empty()
    );
    let vendor_sees = s.audit_page(&vendor, &query(Some(theirs))).unwrap().events;
    assert!(
        vendor_sees
            .iter()
            .any(|e| e.event.account.as_ref() == Some(&theirs_key))
    );
    let everything = format!("{:?}{:?}", h.audit.events(), s.recent_audit(1000).unwrap());
    assert!(!everything.contains(&key_text), "the key leaked");
    assert!(!everything.contains(reissued.initial_password.as_str()));

    // Revoked: refused at once, with the same answer as an unknown key.
    assert!(s.revoke_api_key(scoped.record.id).unwrap());
    assert!(
        !s.revoke_api_key(scoped.record.id).unwrap(),
        "already revoked"
    );
    assert!(matches!(
        s.admin_caller(&scoped.key),
        Err(Error::Unauthorized)
    ));
    assert!(s.api_keys().unwrap()[0].revoked_at.is_some());
    assert!(s.admin_caller(&everywhere.key).is_ok());
}

/// Paging by key: walking the pages returns every account that existed when the walk
/// began exactly once, while accounts are added before and after the cursor; a scope
/// of several institutions pages across them in order; audit pages likewise.
fn pages_return_each_account_once_while_accounts_are_added<S: Store>(h: &Harness<S>) {
    let s = &h.service;
    let institutions = ["1000000001", "1000000002", "1000000003"];
    for (i, institution) in institutions.iter().enumerate() {
        for n in 0..(5 + 3 * i) {
            s.provision(&key_in(h, institution, &format!("page{n:02}")), None)
                .unwrap();
        }
    }
    let scope: BTreeSet<_> = [institutions[0], institutions[2]].map(code).into();
    let issued = s
        .create_api_key("pager", ApiKeyScope::Institutions(scope.clone()))
        .unwrap();
    let caller = s.admin_caller(&issued.key).unwrap();
    let mut added = 0;
    for caller in [AdminCaller::local(), caller] {
        let existing: Vec<AccountKey> = s
            .accounts_page(&caller, None, None, 500)
            .unwrap()
            .accounts
            .into_iter()
            .map(|a| a.key)
            .collect();
        let mut walked: Vec<AccountKey> = Vec::new();
        let mut after = None;
        for page_number in 0.. {
            assert!(page_number < 500, "the pages never end");
            let page = s.accounts_page(&caller, None, after.as_ref(), 3).unwrap();
            assert!(page.accounts.len() <= 3);
            walked.extend(page.accounts.into_iter().map(|a| a.key));
            // Meanwhile, accounts appear before and after the cursor.
            for institution in institutions {
                for prefix in ["a", "z"] {
                    added += 1;
                    s.provision(
                        &key_in(h, institution, &format!("{prefix}{added:04}")),
                        None,
                    )
                    .unwrap();
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        let unique: BTreeSet<_> = walked.iter().cloned().collect();
        assert_eq!(unique.len(), walked.len(), "an account came twice");
        assert!(walked.windows(2).all(|w| w[0] < w[1]), "in key order");
        for key in &existing {
            assert!(unique.contains(key), "{key} was skipped");
        }
        assert!(
            walked
                .iter()
                .all(|k| caller.scope().allows(&k.institution_code))
        );
    }

    // Audit pages: newest first, each event once, the cursor stable while events are
    // appended.
    let caller = s.admin_caller(&issued.key).unwrap();
    let in_scope = |e: &crate::AuditEvent| {
        e.account
            .as_ref()
            .is_some_and(|k| scope.contains(&k.institution_code))
    };
    let existing = s
        .recent_audit(usize::MAX)
        .unwrap()
        .iter()
        .filter(|e| in_scope(e))
        .count();
    let query = |after| AuditQuery {
        after,
        limit: 4,
        ..AuditQuery::default()
    };
    let mut seqs = Vec::new();
    let mut after = None;
    for page_number in 0.. {
        assert!(page_number < 500, "the pages never end");
        let page = s.audit_page(&caller, &query(after)).unwrap();
        assert!(page.events.len() <= 4);
        seqs.extend(page.events.iter().map(|e| e.seq));
        assert!(page.events.iter().all(|e| in_scope(&e.event)));
        // Meanwhile, newer events.
        s.unlock(&key_in(h, institutions[0], "page00")).unwrap();
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert!(
        seqs.windows(2).all(|w| w[0] > w[1]),
        "newest first, once each"
    );
    assert_eq!(seqs.len(), existing, "every event of the start, none since");
}

/// No audit event, and no Debug output of the service's answers, holds a secret.
pub fn audit_holds_no_secret<S: Store>(store: Arc<S>) {
    let h = Harness::new(store);
    h.provision(LOGIN_ID);
    let (ticket, _) = h.ticket(LOGIN_ID, INITIAL_PASSWORD);
    let view = h.service.enrollment(&ticket).unwrap();
    let key = view.setup_key.copy_form().to_string();
    let secret = SetupKey::parse(&key).unwrap();
    let code = h.code(&secret, 0);
    let outcome = h.submit(&ticket, &code);
    let session = match &outcome {
        PasscodeLogin::Session(grant) => hex(grant.token.as_bytes()),
        other => panic!("{other:?}"),
    };
    let debug = format!("{view:?} {outcome:?} {ticket:?}");
    let mut everything = format!("{:?}{debug}", h.audit.events());
    everything.push_str(&format!("{:?}", h.service.recent_audit(100).unwrap()));
    // Tokens as a client carries them (hex in the JSON API).
    let ticket_text = hex(ticket.as_bytes());
    for secret_text in [
        INITIAL_PASSWORD,
        key.as_str(),
        &code,
        &ticket_text,
        &session,
        view.otpauth_uri.as_str(),
    ] {
        assert!(!everything.contains(secret_text), "leaked {secret_text}");
    }
    // Records themselves hold no plaintext either.
    let record = format!("{:?}", h.service.store().accounts().unwrap());
    assert!(!record.contains(INITIAL_PASSWORD) && !record.contains(key.as_str()));
    // The password type itself never prints its text.
    assert!(!format!("{:?}", Password::new(INITIAL_PASSWORD)).contains(INITIAL_PASSWORD));
}
