//! [`Builder`]: the master keys, the configuration, the clock, the CSPRNG and the audit
//! sinks of a [`Shikaku`], checked once before the service exists.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::audit::{AuditSink, Fanout, StoreAuditSink};
use crate::clock::{Clock, SharedRng, SystemClock};
use crate::config::Config;
use crate::error::Error;
use crate::ids::AccountId;
use crate::keys::{KeyId, KeyUsage, MasterKey, MasterKeys, SealedSecret, SecretBox};
use crate::password::{HashSettings, Hasher, Pepper};
use crate::store::{AccountPage, Store};

use super::Shikaku;

/// Builds a [`Shikaku`].
pub struct Builder<S: Store> {
    store: Arc<S>,
    master_keys: Option<MasterKeys>,
    config: Config,
    clock: Arc<dyn Clock>,
    rng: Option<SharedRng>,
    sinks: Vec<Arc<dyn AuditSink>>,
    store_audit: bool,
}

impl<S: Store> Builder<S> {
    /// The master key (this or [`Self::master_keys`] is required): seals TOTP secrets
    /// and derives the argon2 pepper. The same as [`Self::master_keys`] with this key
    /// alone, as key 1.
    pub fn master_key(self, key: MasterKey) -> Self {
        self.master_keys(MasterKeys::from(key))
    }

    /// The master keys: the current one seals new TOTP secrets and peppers new password
    /// hashes; older ones open and verify what was made under them (a rotation in
    /// progress, `docs/key-rotation.md`).
    pub fn master_keys(mut self, keys: MasterKeys) -> Self {
        self.master_keys = Some(keys);
        self
    }

    /// Policy numbers; default: the manual.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// The clock; default: [`SystemClock`].
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The CSPRNG; default: the operating system's.
    pub fn rng(mut self, rng: SharedRng) -> Self {
        self.rng = Some(rng);
        self
    }

    /// Adds an audit sink (events also go to the store unless [`Self::without_store_audit`]).
    pub fn audit_sink(mut self, sink: impl AuditSink) -> Self {
        self.sinks.push(Arc::new(sink));
        self
    }

    /// Do not write audit events into the store.
    pub fn without_store_audit(mut self) -> Self {
        self.store_audit = false;
        self
    }

    /// Validates the configuration, checks that the master keys belong to the store
    /// ([`Error::MasterKeyMismatch`], [`Error::MasterKeyMissing`]) and builds the service.
    pub fn build(self) -> Result<Shikaku<S>, Error> {
        let keys = self
            .master_keys
            .ok_or_else(|| Error::InvalidConfig("a master key is required".into()))?;
        let rng = self.rng.unwrap_or_else(SharedRng::system);
        let cost = self.config.hash_cost;
        let pepper = |key: &MasterKey| {
            Pepper::new(key.pepper_bytes().to_vec())
                .map_err(|e| Error::InvalidConfig(e.to_string()))
        };
        let mut peppers =
            Hasher::builder().keyed_pepper(keys.current_id().get(), pepper(keys.current())?);
        for (id, key) in keys.iter().skip(1) {
            peppers = peppers.older_pepper(id.get(), pepper(key)?);
        }
        let hasher = peppers
            .m_cost(cost.m_cost)
            .t_cost(cost.t_cost)
            .p_cost(cost.p_cost)
            .workers(cost.workers)
            .pool_capacity(
                (cost.workers.max(1) * cost.concurrent_calls.max(1))
                    .min(crate::password::MAX_WORKERS),
            )
            .build()
            .map_err(|e| Error::InvalidConfig(e.to_string()))?;
        if self.config.issuer.trim().is_empty() {
            return Err(Error::InvalidConfig("the issuer must not be empty".into()));
        }
        if self.config.institution_code_digits == 0 || self.config.institution_code_digits > 32 {
            return Err(Error::InvalidConfig(
                "institution_code_digits must be 1..=32".into(),
            ));
        }
        if self.config.audit_retention < time::Duration::DAY {
            return Err(Error::InvalidConfig(
                "audit_retention must be at least one day".into(),
            ));
        }
        let secret_box = SecretBox::new(&keys);
        let unknown = super::unknown::UnknownIdentifiers::new(&keys);
        let stored = Stored::scan(&*self.store, &keys)?;
        recognise_master_keys(&*self.store, &keys, &secret_box, &stored)?;
        // One dummy per distinct stored setting (and the configured one), so a wrong
        // password costs the same for every identifier, known or not (timing.rs).
        let equaliser = super::timing::Equaliser::new(&hasher, &rng, stored.settings)?;
        let mut sinks = self.sinks;
        if self.store_audit {
            sinks.insert(0, Arc::new(StoreAuditSink(Arc::clone(&self.store))));
        }
        let gate = super::gate::HashGate::new(self.config.hash_cost.concurrent_calls);
        Ok(Shikaku {
            gate,
            secret_box,
            unknown,
            store: self.store,
            config: self.config,
            clock: self.clock,
            rng,
            hasher,
            equaliser,
            audit: Fanout(sinks),
        })
    }
}

impl<S: Store> Builder<S> {
    pub(super) fn new(store: Arc<S>) -> Self {
        Self {
            store,
            master_keys: None,
            config: Config::default(),
            clock: Arc::new(SystemClock),
            rng: None,
            sinks: Vec::new(),
            store_audit: true,
        }
    }
}

/// Refuses master keys that do not belong to the store, before anything is written
/// under them. The store keeps a key check value per key id
/// ([`MasterKey::check_value`]), recorded by the first node that starts with that key.
/// A node refuses to start when:
///
/// * the store knows key ids and none is among the node's, or one of its keys gives
///   another check value than the one stored for its id, or cannot open a stored
///   secret sealed under its id ([`Error::MasterKeyMismatch`]: not this database's key);
/// * a stored record names a key the node does not hold ([`Error::MasterKeyMissing`]:
///   an older key file).
///
/// Only then are the check values of its keys new to the store recorded. A database
/// from before key check values gets one only after the key has opened one of its
/// sealed secrets (when it has any), so a wrong key is never recorded as the right one.
/// Without this, a wrong key starts silently, then answers correct passwords "invalid"
/// (the pepper differs) and locks staff out.
fn recognise_master_keys<S: Store + ?Sized>(
    store: &S,
    keys: &MasterKeys,
    secret_box: &SecretBox,
    stored: &Stored,
) -> Result<(), Error> {
    let known = store.key_checks()?;
    if !known.is_empty() && !known.iter().any(|(id, _)| keys.contains(*id)) {
        return Err(Error::MasterKeyMismatch);
    }
    let candidates = keys.check_values();
    for (id, candidate) in &candidates {
        if let Some((_, stored)) = known.iter().find(|(known, _)| known == id)
            && !stored.matches(candidate)
        {
            return Err(Error::MasterKeyMismatch);
        }
    }
    // One sealed secret per key, opened.
    for (id, (account, secret)) in &stored.samples {
        if keys.contains(*id) && secret_box.open(*account, secret).is_err() {
            return Err(Error::MasterKeyMismatch);
        }
    }
    if let Some(id) = stored.usage.ids().find(|id| !keys.contains(*id)) {
        return Err(Error::MasterKeyMissing { id });
    }
    for (id, candidate) in candidates {
        if !known.iter().any(|(known, _)| *known == id)
            && !store.key_check(id, &candidate)?.matches(&candidate)
        {
            return Err(Error::MasterKeyMismatch);
        }
    }
    Ok(())
}

/// What the start-up checks need of the stored accounts, gathered a page at a time
/// (a store of 100,000 accounts is never held in memory at once).
struct Stored {
    /// The argon2 settings of current passwords, each once.
    settings: BTreeSet<HashSettings>,
    /// Which keys the records name.
    usage: KeyUsage,
    /// The first sealed secret found under each key, to open.
    samples: BTreeMap<KeyId, (AccountId, SealedSecret)>,
}

impl Stored {
    fn scan<S: Store + ?Sized>(store: &S, keys: &MasterKeys) -> Result<Self, Error> {
        let mut stored = Stored {
            settings: BTreeSet::new(),
            usage: KeyUsage::default(),
            samples: BTreeMap::new(),
        };
        AccountPage::walk(store, AccountPage::MAX_LIMIT, &mut |accounts| {
            for a in accounts {
                stored.usage.add(a);
                stored.settings.extend(a.password.current().settings().ok());
                let sealed = a.mfa.iter().map(|m| &m.secret);
                for secret in sealed.chain(a.pending_mfa.iter().map(|p| &p.secret)) {
                    if let Some(id) = secret.key_id().filter(|id| keys.contains(*id)) {
                        stored
                            .samples
                            .entry(id)
                            .or_insert_with(|| (a.id, secret.clone()));
                    }
                }
            }
            Ok(())
        })?;
        Ok(stored)
    }
}
