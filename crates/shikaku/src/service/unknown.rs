//! Identifiers that name no account, as the audit log and the logs record them.
//!
//! A login ID is recorded as typed only when it names an account. What names none — a
//! mistyped ID, a probe, or a password typed into the login ID field (a password made
//! of letters, digits and `._-@` is a well-formed login ID) — is recorded as a keyed
//! fingerprint instead: `unknown-` and 20 hex digits of HMAC-SHA256 over the institution
//! code and the login ID, under a key derived from the master key
//! ([`MasterKeys::unknown_identifier_key`]). One identifier gets one fingerprint on every
//! node that holds the key, so a probe or a lock storm on it still shows as one series;
//! nothing typed is kept, and without the key nothing can be tried against it offline.
//!
//! Whether an account exists is decided where the event is emitted: the password step
//! has just read the account; a lock's refusals are reported rarely (once at the first
//! refusal of a lock period and once when it ends) and look the account up then, for
//! known and unknown identifiers alike, so the lookup tells nothing by its cost.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::Error;
use crate::ids::{AccountKey, LoginId};
use crate::keys::MasterKeys;
use crate::store::Store;

use super::Shikaku;

/// The login ID prefix of a fingerprint.
pub(super) const UNKNOWN_PREFIX: &str = "unknown-";

/// Hex digits of the tag kept: 80 bits, ample to tell identifiers apart in a log.
const FINGERPRINT_HEX: usize = 20;

/// The fingerprint key.
pub(super) struct UnknownIdentifiers {
    key: Zeroizing<[u8; 32]>,
}

impl UnknownIdentifiers {
    pub(super) fn new(keys: &MasterKeys) -> Self {
        Self {
            key: keys.unknown_identifier_key(),
        }
    }

    /// `key` with its login ID replaced by its fingerprint.
    pub(super) fn fingerprint(&self, key: &AccountKey) -> AccountKey {
        let hex = match <Hmac<Sha256> as KeyInit>::new_from_slice(&*self.key) {
            Ok(mut mac) => {
                mac.update(key.institution_code.as_str().as_bytes());
                mac.update(&[0]);
                mac.update(key.login_id.as_str().as_bytes());
                mac.finalize()
                    .into_bytes()
                    .iter()
                    .take(FINGERPRINT_HEX / 2)
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            }
            // HMAC takes a key of any length; were it ever refused, record no value
            // rather than the typed one.
            Err(_) => "0".repeat(FINGERPRINT_HEX),
        };
        let login_id = LoginId::from_known_good(format!("{UNKNOWN_PREFIX}{hex}"));
        AccountKey::new(key.institution_code.clone(), login_id)
    }
}

impl<S: Store> Shikaku<S> {
    /// The identifier the audit log and the logs record for `key` now: `key` itself
    /// when an account has it, else its fingerprint (`unknown-` and 20 hex digits; see
    /// the module docs). For an operator who looks for the events of an identifier that
    /// names no account, and for tests.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] if the store cannot say whether the account exists.
    pub fn audit_identifier(&self, key: &AccountKey) -> Result<AccountKey, Error> {
        let exists = self.store.account_by_key(key)?.is_some();
        Ok(self.recorded(key, exists))
    }

    /// How `key` is recorded when the caller knows whether an account has it.
    pub(super) fn recorded(&self, key: &AccountKey, exists: bool) -> AccountKey {
        if exists {
            key.clone()
        } else {
            self.unknown.fingerprint(key)
        }
    }

    /// How `key` is recorded, after looking its account up (when the store cannot
    /// say, the fingerprint: never the typed value by mistake).
    pub(super) fn recorded_after_lookup(&self, key: &AccountKey) -> AccountKey {
        let exists = matches!(self.store.account_by_key(key), Ok(Some(_)));
        self.recorded(key, exists)
    }
}
