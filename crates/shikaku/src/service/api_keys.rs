//! API keys and who is acting as administrator: [`AdminCaller`], made only here — for
//! an API key, by [`Shikaku::admin_caller`] after the key checked out; for the local
//! operator (the CLI, a host linking the facade), by [`AdminCaller::local`].
//!
//! The scope rule lives here and nowhere else: an account outside the caller's
//! institutions does not exist for it ([`AdminCaller::admit`] answers
//! [`Error::UnknownAccount`], exactly as for an absent account), and its listings cover
//! only its institutions ([`AdminCaller::coverage`]). Every administrative operation of
//! `admin.rs` takes the caller and asks it first.

use crate::audit::{AuditKind, Channel};
use crate::error::Error;
use crate::ids::InstitutionCode;
use crate::keys::Token;
use crate::store::{ApiKeyId, ApiKeyRecord, ApiKeyScope, NewApiKey, Store};

use super::{IssuedApiKey, Shikaku};

/// The longest API key name accepted, in characters.
pub const MAX_API_KEY_NAME_CHARS: usize = 64;

/// Who is acting as administrator, and over which institutions.
///
/// An API key's caller can only come from [`Shikaku::admin_caller`], so holding one
/// proves the key was valid and not revoked when the request arrived. `Debug` shows
/// the key's id and scope, never the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminCaller {
    who: Who,
    scope: ApiKeyScope,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    /// The operator of this installation (the CLI, a host linking the facade).
    Local,
    /// A client of the JSON API, by its key's id.
    ApiKey(ApiKeyId),
}

/// Which institutions a listing covers (see [`AdminCaller::coverage`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Coverage {
    /// Every institution (a filter, if any, is applied by the store).
    All(Option<InstitutionCode>),
    /// Exactly these, in order (empty: nothing to list).
    Only(Vec<InstitutionCode>),
}

impl AdminCaller {
    /// The local operator: every institution. For the CLI and for hosts that link the
    /// facade and authenticate their administrators themselves.
    pub fn local() -> Self {
        Self {
            who: Who::Local,
            scope: ApiKeyScope::All,
        }
    }

    /// The API key acting, `None` for the local operator.
    pub fn api_key(&self) -> Option<ApiKeyId> {
        match self.who {
            Who::Local => None,
            Who::ApiKey(id) => Some(id),
        }
    }

    /// The institutions the caller may administer.
    pub fn scope(&self) -> &ApiKeyScope {
        &self.scope
    }

    /// What an administrative audit event says of its caller (`detail`): `api_key=7`,
    /// or `operator=local`. Never the key.
    pub fn audit_detail(&self) -> String {
        match self.who {
            Who::Local => "operator=local".to_owned(),
            Who::ApiKey(id) => format!("api_key={id}"),
        }
    }

    /// The scope rule: the caller may act on `code`'s accounts, or — for it — no such
    /// account exists ([`Error::UnknownAccount`], the answer for an absent account).
    pub fn admit(&self, code: &InstitutionCode) -> Result<(), Error> {
        if self.scope.allows(code) {
            Ok(())
        } else {
            Err(Error::UnknownAccount)
        }
    }

    /// The institutions a listing filtered by `filter` (if any) covers for this caller:
    /// a filter outside the scope covers nothing (an empty page, as for an institution
    /// without accounts).
    pub(super) fn coverage(&self, filter: Option<&InstitutionCode>) -> Coverage {
        match (&self.scope, filter) {
            (ApiKeyScope::All, filter) => Coverage::All(filter.cloned()),
            (ApiKeyScope::Institutions(codes), Some(code)) => {
                Coverage::Only(codes.get(code).into_iter().cloned().collect())
            }
            (ApiKeyScope::Institutions(codes), None) => {
                Coverage::Only(codes.iter().cloned().collect())
            }
        }
    }
}

impl<S: Store> Shikaku<S> {
    /// Issues an API key for the JSON API's administration calls, named `name` (for
    /// people: 1–64 characters, no control character) and scoped to `scope` (a set of
    /// institutions must not be empty).
    ///
    /// The key (256 random bits) is in the answer and nowhere else: the store keeps its
    /// SHA-256 only, so it cannot be shown again. Hand it over and drop the answer
    /// (it is wiped on drop).
    pub fn create_api_key(&self, name: &str, scope: ApiKeyScope) -> Result<IssuedApiKey, Error> {
        let chars = name.chars().count();
        if chars == 0 || chars > MAX_API_KEY_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(Error::InvalidApiKey(format!(
                "the name must be 1 to {MAX_API_KEY_NAME_CHARS} characters without control characters"
            )));
        }
        if matches!(&scope, ApiKeyScope::Institutions(codes) if codes.is_empty()) {
            return Err(Error::InvalidApiKey(
                "the key must be scoped to all institutions or to at least one".to_owned(),
            ));
        }
        let key = Token::generate(&self.rng);
        let record = self.store.insert_api_key(NewApiKey {
            name: name.to_owned(),
            digest: key.digest(),
            scope,
            created_at: self.clock.now(),
        })?;
        self.emit_api_key(AuditKind::ApiKeyCreated, &record);
        Ok(IssuedApiKey { key, record })
    }

    /// Every API key (digests, never keys), by id, revoked ones included.
    pub fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, Error> {
        Ok(self.store.api_keys()?)
    }

    /// Revokes an API key: from now on every call with it is refused
    /// ([`Error::Unauthorized`]). `false` if there is no such key or it was revoked
    /// already.
    pub fn revoke_api_key(&self, id: ApiKeyId) -> Result<bool, Error> {
        let record = self.store.api_keys()?.into_iter().find(|k| k.id == id);
        let revoked = self.store.revoke_api_key(id, self.clock.now())?;
        if let Some(record) = record.filter(|_| revoked) {
            self.emit_api_key(AuditKind::ApiKeyRevoked, &record);
        }
        Ok(revoked)
    }

    /// An API key was issued or revoked: its id and name (never the key or its digest).
    fn emit_api_key(&self, kind: AuditKind, record: &ApiKeyRecord) {
        let detail = format!("api_key={} name={}", record.id, record.name);
        self.emit(kind, None, Channel::Admin, Some(detail));
    }

    /// The administrator a presented API key stands for. A key that is unknown or
    /// revoked gets one answer, [`Error::Unauthorized`] (adapters answer a missing or
    /// malformed key the same way).
    ///
    /// The store is asked for the SHA-256 of the key, so nothing is compared with a
    /// secret; the digest found is compared once more in constant time.
    pub fn admin_caller(&self, key: &Token) -> Result<AdminCaller, Error> {
        let digest = key.digest();
        match self.store.api_key(&digest)? {
            Some(record) if record.digest == digest && record.revoked_at.is_none() => {
                Ok(AdminCaller {
                    who: Who::ApiKey(record.id),
                    scope: record.scope,
                })
            }
            _ => Err(Error::Unauthorized),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> InstitutionCode {
        InstitutionCode::parse(text, 10).unwrap()
    }

    #[test]
    fn the_scope_rule_and_coverage() {
        let (a, b) = (code("0000000001"), code("0000000002"));
        let local = AdminCaller::local();
        assert_eq!(local.admit(&b).ok(), Some(()));
        assert_eq!(local.coverage(None), Coverage::All(None));
        assert_eq!(local.coverage(Some(&a)), Coverage::All(Some(a.clone())));
        assert_eq!(local.audit_detail(), "operator=local");
        let scoped = AdminCaller {
            who: Who::ApiKey(ApiKeyId(7)),
            scope: ApiKeyScope::Institutions([a.clone()].into()),
        };
        assert!(scoped.admit(&a).is_ok());
        assert!(matches!(scoped.admit(&b), Err(Error::UnknownAccount)));
        assert_eq!(scoped.coverage(None), Coverage::Only(vec![a.clone()]));
        assert_eq!(scoped.coverage(Some(&a)), Coverage::Only(vec![a]));
        assert_eq!(scoped.coverage(Some(&b)), Coverage::Only(Vec::new()));
        assert_eq!(scoped.audit_detail(), "api_key=7");
        assert_eq!(scoped.api_key(), Some(ApiKeyId(7)));
    }
}
