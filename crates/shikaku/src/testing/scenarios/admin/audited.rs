//! Each administrative call is an audit event naming the API key's id, never the key:
//! reads (one account, a page of accounts, a page of the audit log) as well as changes,
//! and the issue and revocation of API keys.

use crate::testing::{Harness, INSTITUTION_CODE, hex};
use crate::{AdminCaller, ApiKeyScope, AuditEvent, AuditKind, AuditQuery, Channel, Error, Store};

use super::{OTHER_INSTITUTION, code, key_in};

/// The events recorded since `from`.
fn since<S: Store>(h: &Harness<S>, from: usize) -> Vec<AuditEvent> {
    h.audit.events().split_off(from)
}

/// One event of `kind`, through the administrators' door, without an account unless
/// one was read, and with exactly `detail`.
fn assert_one(events: &[AuditEvent], kind: AuditKind, detail: &str) {
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event.kind, kind, "{event:?}");
    assert_eq!(event.channel, Channel::Admin, "{event:?}");
    assert_eq!(event.detail.as_deref(), Some(detail), "{event:?}");
}

/// Reads and API key changes are audited, one event per call, naming the key's id and
/// what was read; a refused call (another institution's account) records nothing.
pub(super) fn every_admin_call_is_an_audit_event<S: Store>(h: &Harness<S>) {
    let s = &h.service;
    let ours = code(INSTITUTION_CODE);

    // Issuing a key: its id and name.
    let from = h.audit.events().len();
    let issued = s
        .create_api_key(
            "受付 clinic",
            ApiKeyScope::Institutions([ours.clone()].into()),
        )
        .unwrap();
    let id = issued.record.id;
    let events = since(h, from);
    assert_one(
        &events,
        AuditKind::ApiKeyCreated,
        &format!("api_key={id} name=受付 clinic"),
    );
    assert!(events[0].account.is_none());
    let caller = s.admin_caller(&issued.key).unwrap();
    let by = format!("api_key={id}");

    // One account: the account, and the caller.
    let staff = key_in(h, INSTITUTION_CODE, "audited01");
    s.provision_as(&caller, &staff, None).unwrap();
    let from = h.audit.events().len();
    s.account_as(&caller, &staff).unwrap();
    let events = since(h, from);
    assert_one(
        &events,
        AuditKind::AdminAccountRead,
        &format!("{by} account"),
    );
    assert_eq!(events[0].account.as_ref(), Some(&staff));

    // Refused (outside the scope, or absent): nothing recorded.
    let from = h.audit.events().len();
    for target in [
        key_in(h, OTHER_INSTITUTION, "other01"),
        key_in(h, INSTITUTION_CODE, "nobody42"),
    ] {
        assert!(matches!(
            s.account_as(&caller, &target),
            Err(Error::UnknownAccount)
        ));
    }
    assert!(since(h, from).is_empty());

    // Pages of accounts: which institutions they covered.
    let theirs = code(OTHER_INSTITUTION);
    for (filter, covered) in [
        (None, INSTITUTION_CODE),
        (Some(&ours), INSTITUTION_CODE),
        (Some(&theirs), "none"),
    ] {
        let from = h.audit.events().len();
        s.accounts_page(&caller, filter, None, 2).unwrap();
        let events = since(h, from);
        let detail = format!("{by} accounts institution={covered}");
        assert_one(&events, AuditKind::AdminAccountsListed, &detail);
        assert!(events[0].account.is_none());
    }
    let from = h.audit.events().len();
    s.accounts_page(&AdminCaller::local(), None, None, 2)
        .unwrap();
    let detail = "operator=local accounts institution=all";
    assert_one(&since(h, from), AuditKind::AdminAccountsListed, detail);

    // A page of the audit log: the page read does not hold its own event; the next
    // does not show it to a key scoped to institutions (it names no account).
    let from = h.audit.events().len();
    let query = AuditQuery {
        limit: 3,
        ..AuditQuery::default()
    };
    let page = s.audit_page(&caller, &query).unwrap();
    let events = since(h, from);
    assert_one(
        &events,
        AuditKind::AdminAuditRead,
        &format!("{by} audit institution={INSTITUTION_CODE}"),
    );
    assert!(
        page.events
            .iter()
            .all(|e| e.event.kind != AuditKind::AdminAuditRead)
    );
    let query = AuditQuery {
        institution: Some(theirs.clone()),
        ..query
    };
    let from = h.audit.events().len();
    s.audit_page(&AdminCaller::local(), &query).unwrap();
    let detail = format!("operator=local audit institution={theirs}");
    assert_one(&since(h, from), AuditKind::AdminAuditRead, &detail);

    // Revoking: once, naming the key; a second revocation changes nothing.
    let from = h.audit.events().len();
    assert!(s.revoke_api_key(id).unwrap());
    assert!(!s.revoke_api_key(id).unwrap());
    let detail = format!("api_key={id} name=受付 clinic");
    assert_one(&since(h, from), AuditKind::ApiKeyRevoked, &detail);

    // Never the key, in any event, as recorded or as stored.
    let key_text = hex(issued.key.as_bytes());
    let digest = issued.record.digest.to_hex();
    let everything = format!(
        "{:?}{:?}",
        h.audit.events(),
        s.recent_audit(10_000).unwrap()
    );
    assert!(!everything.contains(&key_text), "the key leaked");
    assert!(!everything.contains(&digest), "the digest leaked");
}
