//! [`Builder`]: the master key, the configuration, the clock, the CSPRNG and the audit
//! sinks of a [`Shikaku`], checked once before the service exists.

use std::sync::Arc;

use crate::audit::{AuditSink, Fanout, StoreAuditSink};
use crate::clock::{Clock, SharedRng, SystemClock};
use crate::config::Config;
use crate::error::Error;
use crate::keys::{MasterKey, SecretBox};
use crate::password::{Hasher, Pepper};
use crate::store::{AccountPage, Store};

use super::Shikaku;

/// Builds a [`Shikaku`].
pub struct Builder<S: Store> {
    store: Arc<S>,
    master_key: Option<MasterKey>,
    config: Config,
    clock: Arc<dyn Clock>,
    rng: Option<SharedRng>,
    sinks: Vec<Arc<dyn AuditSink>>,
    store_audit: bool,
}

impl<S: Store> Builder<S> {
    /// The master key (required): seals TOTP secrets and derives the argon2 pepper.
    pub fn master_key(mut self, key: MasterKey) -> Self {
        self.master_key = Some(key);
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

    /// Validates the configuration and builds the service.
    pub fn build(self) -> Result<Shikaku<S>, Error> {
        let master = self
            .master_key
            .ok_or_else(|| Error::InvalidConfig("a master key is required".into()))?;
        let rng = self.rng.unwrap_or_else(SharedRng::system);
        let cost = self.config.hash_cost;
        let pepper = Pepper::new(master.pepper_bytes().to_vec())
            .map_err(|e| Error::InvalidConfig(e.to_string()))?;
        let hasher = Hasher::builder()
            .m_cost(cost.m_cost)
            .t_cost(cost.t_cost)
            .p_cost(cost.p_cost)
            .workers(cost.workers)
            .pool_capacity(
                (cost.workers.max(1) * cost.concurrent_calls.max(1))
                    .min(crate::password::MAX_WORKERS),
            )
            .pepper(pepper)
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
        let secret_box = SecretBox::new(&master);
        recognise_master_key(&*self.store, &master, &secret_box)?;
        // One dummy per distinct stored setting (and the configured one), so a wrong
        // password costs the same for every identifier, known or not (timing.rs).
        let stored = self
            .store
            .accounts()?
            .iter()
            .filter_map(|a| a.password.current().settings().ok())
            .collect::<Vec<_>>();
        let equaliser = super::timing::Equaliser::new(&hasher, &rng, stored)?;
        let mut sinks = self.sinks;
        if self.store_audit {
            sinks.insert(0, Arc::new(StoreAuditSink(Arc::clone(&self.store))));
        }
        let gate = super::gate::HashGate::new(self.config.hash_cost.concurrent_calls);
        Ok(Shikaku {
            gate,
            secret_box,
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
            master_key: None,
            config: Config::default(),
            clock: Arc::new(SystemClock),
            rng: None,
            sinks: Vec::new(),
            store_audit: true,
        }
    }
}

/// Refuses a master key that does not belong to the store: the store keeps a key check
/// value ([`MasterKey::check_value`]), recorded by the first node that starts on it.
/// A database from before key check values existed gets one only after the key has
/// opened one of its sealed secrets (when it has any), so a wrong key is never recorded
/// as the right one. Without this, a wrong key starts silently, then answers correct
/// passwords "invalid" (the pepper differs) and locks staff out.
fn recognise_master_key<S: Store + ?Sized>(
    store: &S,
    master: &MasterKey,
    secret_box: &SecretBox,
) -> Result<(), Error> {
    let page = store.accounts_page(&AccountPage {
        institution: None,
        after: None,
        limit: 100,
    })?;
    let sealed = page.iter().find_map(|a| {
        a.mfa
            .as_ref()
            .map(|m| &m.secret)
            .or(a.pending_mfa.as_ref().map(|p| &p.secret))
            .map(|s| (a.id, s))
    });
    if let Some((id, secret)) = sealed
        && secret_box.open(id, secret).is_err()
    {
        return Err(Error::MasterKeyMismatch);
    }
    let candidate = master.check_value();
    if store.key_check(&candidate)?.matches(&candidate) {
        Ok(())
    } else {
        Err(Error::MasterKeyMismatch)
    }
}
