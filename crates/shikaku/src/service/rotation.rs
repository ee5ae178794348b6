//! Master-key rotation without downtime: sealing every TOTP secret again under the
//! current key, online ([`Shikaku::rotate_secrets`]); counting the records of each key
//! ([`Shikaku::key_usage`]); dropping the retired password generations an old key
//! peppered ([`Shikaku::forget_history_under`]). Password hashes move at each user's
//! next login (`guards.rs` `rehash_if_needed`: a hash under an older key needs a rehash).
//! The procedure: `docs/key-rotation.md`.

use crate::error::Error;
use crate::keys::{KeyId, KeyUsage, pepper_key};
use crate::password::{PasswordHistory, RetiredGeneration};
use crate::store::{AccountPage, AccountRecord, Store};

use super::Shikaku;

/// What [`Shikaku::rotate_secrets`] did (so far, when reported as progress).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RotationReport {
    /// Accounts looked at.
    pub accounts: u64,
    /// Sealed secrets sealed again under the current key (an account may have two:
    /// its Authenticator's and a registration in progress).
    pub resealed: u64,
    /// Pages of accounts done.
    pub batches: u64,
}

impl<S: Store> Shikaku<S> {
    /// The current master key's id (new secrets are sealed, new hashes peppered, under it).
    pub fn current_key_id(&self) -> KeyId {
        self.secret_box.current_id()
    }

    /// Seals every TOTP secret (registered Authenticators and registrations in
    /// progress) that is under an older key again under the current key, `batch`
    /// accounts at a time (1 ..= [`AccountPage::MAX_LIMIT`]), while the service runs:
    /// each account is one atomic update that re-reads it, so a login, a registration
    /// or a reset in between is never overwritten; a secret already under the current
    /// key is left as it is. Run it again at any time: it finds what is left.
    ///
    /// Every node must hold the current key before this runs (`docs/key-rotation.md`):
    /// a node without it can no longer open the secrets moved to it.
    ///
    /// # Errors
    /// [`Error::Store`] when the store fails (what was done stays done);
    /// [`Error::MasterKeyMissing`] / [`Error::Crypto`] for a secret this node cannot open.
    pub fn rotate_secrets(&self, batch: usize) -> Result<RotationReport, Error> {
        self.rotate_secrets_with_progress(batch, &mut |_| {})
    }

    /// [`Self::rotate_secrets`], calling `progress` with the totals after every batch.
    pub fn rotate_secrets_with_progress(
        &self,
        batch: usize,
        progress: &mut dyn FnMut(&RotationReport),
    ) -> Result<RotationReport, Error> {
        let current = self.current_key_id();
        let mut report = RotationReport::default();
        AccountPage::walk(&*self.store, batch, &mut |accounts| {
            for account in accounts {
                report.accounts += 1;
                let stale = sealed_of(account).any(|s| s.key_id() != Some(current));
                if stale {
                    report.resealed += self.reseal_account(account)?;
                }
            }
            report.batches += 1;
            progress(&report);
            Ok(())
        })?;
        Ok(report)
    }

    /// One account's secrets under the current key, in one atomic update; how many moved.
    fn reseal_account(&self, account: &AccountRecord) -> Result<u64, Error> {
        let mut moved = 0;
        let mut failure = None;
        self.store.update_account(account.id, &mut |a| {
            moved = 0;
            failure = None;
            let id = a.id;
            let slots = a
                .mfa
                .iter_mut()
                .map(|m| &mut m.secret)
                .chain(a.pending_mfa.iter_mut().map(|p| &mut p.secret));
            for slot in slots {
                match self.secret_box.reseal(id, slot, &self.rng) {
                    Ok(Some(fresh)) => {
                        *slot = fresh;
                        moved += 1;
                    }
                    Ok(None) => {}
                    Err(e) => failure = Some(e),
                }
            }
            failure.is_none() && moved > 0
        })?;
        match failure {
            Some(e) => Err(e),
            None => Ok(moved),
        }
    }

    /// Which records still use which master key: sealed secrets, current password
    /// hashes and retired password generations, per key (see [`KeyUsage::scan`], which
    /// needs no key at all).
    pub fn key_usage(&self) -> Result<KeyUsage, Error> {
        KeyUsage::scan(&*self.store)
    }

    /// Drops from every password history the retired generations peppered by key `id`
    /// (a generation whose prefix verifier alone is under `id` keeps its hash and loses
    /// the verifier), `batch` accounts at a time, each in one atomic update; answers
    /// how many generations were touched. For retiring a key whose old generations
    /// would otherwise hold it forever (`shikaku key retire --forget-history`): the
    /// history rules no longer see those passwords. Never the current key's.
    ///
    /// # Errors
    /// [`Error::InvalidKeyRing`] for the current key; [`Error::Store`].
    pub fn forget_history_under(&self, id: KeyId, batch: usize) -> Result<u64, Error> {
        if id == self.current_key_id() {
            return Err(Error::InvalidKeyRing(format!(
                "key {id} is the current key: its history is not forgotten"
            )));
        }
        let mut touched = 0;
        AccountPage::walk(&*self.store, batch, &mut |accounts| {
            for account in accounts
                .iter()
                .filter(|a| forget(&a.password, id).is_some())
            {
                let mut count = 0;
                self.store.update_account(account.id, &mut |a| {
                    count = 0;
                    match forget(&a.password, id) {
                        Some((kept, n)) => {
                            a.password = kept;
                            count = n;
                            true
                        }
                        None => false,
                    }
                })?;
                touched += count;
            }
            Ok(())
        })?;
        Ok(touched)
    }
}

/// `history` without what key `id` peppered among its retired generations, and how
/// many generations that touched; `None` when none.
fn forget(history: &PasswordHistory, id: KeyId) -> Option<(PasswordHistory, u64)> {
    let mut touched = 0;
    let mut kept = Vec::new();
    for generation in history.retired() {
        if pepper_key(generation.hash()) == Some(id) {
            touched += 1;
            continue;
        }
        match generation.prefix_verifier() {
            Some(v) if pepper_key(v.hash()) == Some(id) => {
                touched += 1;
                kept.push(RetiredGeneration::new(generation.hash().clone(), None));
            }
            _ => kept.push(generation.clone()),
        }
    }
    (touched > 0).then(|| {
        (
            PasswordHistory::from_parts(history.current().clone(), kept),
            touched,
        )
    })
}

fn sealed_of(account: &AccountRecord) -> impl Iterator<Item = &crate::SealedSecret> {
    account
        .mfa
        .iter()
        .map(|m| &m.secret)
        .chain(account.pending_mfa.iter().map(|p| &p.secret))
}
