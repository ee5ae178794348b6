//! The same argon2 work for every password step, whatever the account's stored settings.
//!
//! A stored hash carries its own argon2 settings (cost, variant, output length), and
//! verifying it costs what those settings cost. Accounts made under older settings (a
//! dormant account after a cost upgrade, an account added by a tool with another
//! configuration) would otherwise answer a wrong password measurably faster or slower
//! than an unknown identifier, which is verified against a dummy — telling an attacker
//! which identifiers exist.
//!
//! The [`Equaliser`] keeps one dummy hash per distinct setting in the store (collected
//! when the service is built, extended when a verification meets a new one, recomputed
//! by [`Shikaku::prune`](super::Shikaku::prune)), the configured setting always among
//! them. Every password step runs one verification per setting, in a fixed order: the
//! real one for the account's own setting, a dummy for every other (an unknown
//! identifier: dummies for all). Rehash-at-login moves accounts to the configured
//! setting, and the next `prune` drops the settings no account uses any more.

use std::collections::BTreeSet;
use std::sync::{PoisonError, RwLock};

use crate::clock::SharedRng;
use crate::error::Error;
use crate::password::{HashSettings, Hasher, Password, PasswordHash};

/// What the dummies hold.
const DUMMY_PASSWORD: &str = "shikaku timing equaliser";

/// One dummy per distinct stored setting.
pub(super) struct Equaliser {
    /// Sorted by setting: the order of the verifications of every step.
    dummies: RwLock<Vec<Dummy>>,
    /// Verifications by setting, for the test kit (bounded by the number of settings).
    #[cfg(feature = "testing")]
    counts: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
}

#[derive(Clone)]
struct Dummy {
    settings: HashSettings,
    hash: PasswordHash,
}

fn hashing(e: impl std::fmt::Display) -> Error {
    Error::Hashing(e.to_string())
}

impl Equaliser {
    /// Dummies for the hasher's own setting and each of `stored`.
    pub(super) fn new(
        hasher: &Hasher,
        rng: &SharedRng,
        stored: impl IntoIterator<Item = HashSettings>,
    ) -> Result<Self, Error> {
        let equaliser = Self {
            dummies: RwLock::new(Vec::new()),
            #[cfg(feature = "testing")]
            counts: std::sync::Mutex::default(),
        };
        equaliser.refresh(hasher, rng, stored)?;
        Ok(equaliser)
    }

    fn snapshot(&self) -> Vec<Dummy> {
        self.dummies
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn make(hasher: &Hasher, rng: &SharedRng, settings: HashSettings) -> Result<Dummy, Error> {
        let hash = rng
            .with(|r| hasher.hash_with_settings(&Password::new(DUMMY_PASSWORD), &settings, r))
            .map_err(hashing)?;
        Ok(Dummy { settings, hash })
    }

    /// Makes the set exactly the hasher's setting plus `stored`, keeping the dummies
    /// already made.
    pub(super) fn refresh(
        &self,
        hasher: &Hasher,
        rng: &SharedRng,
        stored: impl IntoIterator<Item = HashSettings>,
    ) -> Result<(), Error> {
        let mut wanted: BTreeSet<HashSettings> = stored.into_iter().collect();
        wanted.insert(hasher.settings().map_err(hashing)?);
        let have = self.snapshot();
        let mut next = Vec::with_capacity(wanted.len());
        for settings in wanted {
            match have.iter().find(|d| d.settings == settings) {
                Some(dummy) => next.push(dummy.clone()),
                None => next.push(Self::make(hasher, rng, settings)?),
            }
        }
        *self.dummies.write().unwrap_or_else(PoisonError::into_inner) = next;
        Ok(())
    }

    /// Adds a dummy for `settings` if there is none yet.
    fn learn(
        &self,
        hasher: &Hasher,
        rng: &SharedRng,
        settings: &HashSettings,
    ) -> Result<(), Error> {
        if self.snapshot().iter().any(|d| d.settings == *settings) {
            return Ok(());
        }
        let dummy = Self::make(hasher, rng, settings.clone())?;
        let mut dummies = self.dummies.write().unwrap_or_else(PoisonError::into_inner);
        if !dummies.iter().any(|d| d.settings == *settings) {
            dummies.push(dummy);
            dummies.sort_by(|a, b| a.settings.cmp(&b.settings));
        }
        Ok(())
    }

    /// Whether `password` matches `real` (an unknown identifier has none), after one
    /// verification per known setting: `real` for its own, the dummy for every other.
    pub(super) fn verify(
        &self,
        hasher: &Hasher,
        rng: &SharedRng,
        password: &Password,
        real: Option<&PasswordHash>,
    ) -> Result<bool, Error> {
        let real = match real {
            Some(hash) => {
                let settings = hash.settings().map_err(hashing)?;
                self.learn(hasher, rng, &settings)?;
                Some((settings, hash))
            }
            None => None,
        };
        let mut matched = false;
        for dummy in self.snapshot() {
            let own = real.as_ref().filter(|(s, _)| *s == dummy.settings);
            let target = own.map_or(&dummy.hash, |(_, hash)| *hash);
            let ok = hasher.verify(password, target).map_err(hashing)?;
            if own.is_some() {
                matched = ok;
            }
            #[cfg(feature = "testing")]
            {
                let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
                *counts.entry(dummy.settings.to_string()).or_default() += 1;
            }
        }
        Ok(matched)
    }

    /// The verifications since the last call, by setting.
    #[cfg(feature = "testing")]
    pub(super) fn take_counts(&self) -> std::collections::BTreeMap<String, u64> {
        std::mem::take(&mut *self.counts.lock().unwrap_or_else(PoisonError::into_inner))
    }
}
