//! [`KeyUsage`]: which stored records still use which master key — what
//! `shikaku key status` shows and what `shikaku key retire` asks before removing a key.

use std::collections::BTreeMap;

use super::KeyId;
use crate::Error;
use crate::password::PasswordHash;
use crate::store::{AccountPage, AccountRecord, Store};

/// How many records of one master key there are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyCounts {
    /// Sealed TOTP secrets (registered Authenticators and registrations in progress):
    /// `shikaku key rotate` moves them.
    pub sealed_secrets: u64,
    /// Current password hashes peppered by it: each moves at its account's next login.
    pub password_hashes: u64,
    /// Retired password generations (a hash or a prefix verifier) peppered by it, which
    /// the history rules compare new passwords with. They cannot move (their
    /// passwords are not known); they age out with password changes, or
    /// `shikaku key retire --forget-history` drops them.
    pub retired_generations: u64,
}

impl KeyCounts {
    /// Every record counted.
    pub fn total(&self) -> u64 {
        self.sealed_secrets + self.password_hashes + self.retired_generations
    }
}

/// Per master key, the records that use it; and the records whose key cannot be read
/// (a layout or `keyid` this build does not know).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyUsage {
    /// Keys with at least one record.
    pub by_key: BTreeMap<KeyId, KeyCounts>,
    /// Records naming no key this build can read.
    pub unreadable: u64,
    /// Accounts looked at.
    pub accounts: u64,
}

impl KeyUsage {
    /// Walks every account of `store`, a page at a time. Needs no key: it reads only
    /// which key each record names.
    pub fn scan<S: Store + ?Sized>(store: &S) -> Result<Self, Error> {
        let mut usage = Self::default();
        AccountPage::walk(store, AccountPage::MAX_LIMIT, &mut |accounts| {
            accounts.iter().for_each(|a| usage.add(a));
            Ok(())
        })?;
        Ok(usage)
    }

    /// Counts one account's records.
    pub fn add(&mut self, account: &AccountRecord) {
        self.accounts += 1;
        let secrets = account
            .mfa
            .iter()
            .map(|m| &m.secret)
            .chain(account.pending_mfa.iter().map(|p| &p.secret));
        for sealed in secrets {
            self.count(sealed.key_id(), |c| &mut c.sealed_secrets);
        }
        self.count(pepper_key(account.password.current()), |c| {
            &mut c.password_hashes
        });
        for generation in account.password.retired() {
            let mut ids = vec![pepper_key(generation.hash())];
            if let Some(verifier) = generation.prefix_verifier() {
                ids.push(pepper_key(verifier.hash()));
            }
            ids.dedup();
            for id in ids {
                self.count(id, |c| &mut c.retired_generations);
            }
        }
    }

    fn count(&mut self, id: Option<KeyId>, field: impl FnOnce(&mut KeyCounts) -> &mut u64) {
        match id {
            Some(id) => *field(self.by_key.entry(id).or_default()) += 1,
            None => self.unreadable += 1,
        }
    }

    /// The records of key `id` (zero for a key nothing uses).
    pub fn of(&self, id: KeyId) -> KeyCounts {
        self.by_key.get(&id).copied().unwrap_or_default()
    }

    /// The keys at least one record uses.
    pub fn ids(&self) -> impl Iterator<Item = KeyId> + '_ {
        self.by_key.keys().copied()
    }

    /// Whether key `id` may leave the key file: no sealed secret and no current
    /// password hash uses it, nor a retired generation unless they are to be forgotten
    /// (`forgetting_history`).
    ///
    /// # Errors
    /// [`Error::KeyInUse`] with the counts.
    pub fn check_retirable(&self, id: KeyId, forgetting_history: bool) -> Result<(), Error> {
        let counts = self.of(id);
        let blocking = counts.sealed_secrets
            + counts.password_hashes
            + if forgetting_history {
                0
            } else {
                counts.retired_generations
            };
        if blocking == 0 {
            Ok(())
        } else {
            Err(Error::KeyInUse { id, counts })
        }
    }
}

/// The master key a password hash's pepper belongs to (pepper ids are key ids).
pub(crate) fn pepper_key(hash: &PasswordHash) -> Option<KeyId> {
    hash.pepper_id().and_then(KeyId::new)
}
