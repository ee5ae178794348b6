//! `shikaku key add | use | rotate | status | retire`: rotating the master key without
//! downtime (docs/key-rotation.md).
//!
//! Every command finds the database and its key file as `serve` does (`backend.rs`) and
//! checks that the file's keys belong to the database before it changes anything. A
//! key file is only ever replaced whole ([`shikaku_store_sqlite::replace_key_file`]),
//! and only if it still holds what the command read. No key is ever printed.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use shikaku::{KeyCheck, KeyId, KeyUsage, MasterKey, MasterKeys, SharedRng, Shikaku, Store};

use crate::args::DbArg;
use crate::backend::{AnyStore, Database, Missing, Service};
use crate::config::Settings;

/// The database, its key file and the keys it holds.
struct Opened {
    settings: Settings,
    key_file: PathBuf,
    store: AnyStore,
    keys: MasterKeys,
    database: Database,
}

fn open(db: &DbArg) -> Result<Opened, String> {
    let settings = Settings::discover(db.config.config.as_deref())?;
    let key_file = settings.key_file(db.choice())?;
    let (store, keys, database) = settings.open_store(db.choice(), Missing::Refuse)?;
    Ok(Opened {
        settings,
        key_file,
        store,
        keys,
        database,
    })
}

impl Opened {
    /// The service under `keys`: refused unless they belong to the database (which
    /// records the check value of any key it has none for).
    fn service(&self, keys: &MasterKeys) -> Result<Service, String> {
        Shikaku::builder(Arc::new(Arc::clone(&self.store)))
            .master_keys(keys.clone())
            .config(self.settings.config.clone())
            .build()
            .map_err(|e| format!("{} with {}: {e}", self.database.describe(), self.file()))
    }

    fn file(&self) -> String {
        format!("key file {}", self.key_file.display())
    }

    /// Writes `next` over the key file, which must still hold what was read.
    fn replace(&self, next: &MasterKeys) -> Result<(), String> {
        shikaku_store_sqlite::replace_key_file(&self.key_file, &self.keys, next)
            .map_err(|e| e.to_string())
    }

    fn known(&self) -> Result<Vec<(KeyId, KeyCheck)>, String> {
        self.store.key_checks().map_err(|e| e.to_string())
    }
}

fn key_id(id: u32) -> Result<KeyId, String> {
    KeyId::new(id).ok_or_else(|| "a key id is 1 or more (see `shikaku key status`)".to_owned())
}

/// `shikaku key add`: a new random key, not current, under an id the database has never
/// seen.
pub(crate) fn add(db: &DbArg) -> Result<(), String> {
    let o = open(db)?;
    o.service(&o.keys)?;
    let taken = o.known()?.into_iter().map(|(id, _)| id);
    let id = o.keys.next_id(taken);
    let next = o
        .keys
        .with_added(id, MasterKey::generate(&SharedRng::system()))
        .map_err(|e| e.to_string())?;
    o.service(&next)?;
    o.replace(&next)?;
    println!(
        "added master key {id} to {} (not current: key {} stays current)",
        o.key_file.display(),
        o.keys.current_id()
    );
    println!(
        "Next: give every node this file and restart them one by one; then \
         `shikaku key use {id}`."
    );
    Ok(())
}

/// `shikaku key use ID`: key ID becomes current.
pub(crate) fn make_current(db: &DbArg, id: u32) -> Result<(), String> {
    let o = open(db)?;
    let id = key_id(id)?;
    if o.keys.current_id() == id {
        println!(
            "master key {id} is already current in {}",
            o.key_file.display()
        );
        return Ok(());
    }
    let next = o.keys.with_current(id).map_err(|e| e.to_string())?;
    o.service(&next)?;
    o.replace(&next)?;
    println!(
        "master key {id} is now current in {} (key {} stays, to open what is under it)",
        o.key_file.display(),
        o.keys.current_id()
    );
    println!(
        "Next: give every node this file and restart them one by one; then \
         `shikaku key rotate`."
    );
    Ok(())
}

/// `shikaku key rotate`: every sealed TOTP secret under the current key, online.
pub(crate) fn rotate(db: &DbArg, batch: usize, pause_ms: u64) -> Result<(), String> {
    let o = open(db)?;
    let service = o.service(&o.keys)?;
    let current = service.current_key_id();
    eprintln!(
        "sealing every TOTP secret of {} under master key {current}, {batch} accounts a batch",
        o.database.describe()
    );
    let report = service
        .rotate_secrets_with_progress(batch, &mut |so_far| {
            eprintln!(
                "  batch {}: {} accounts, {} secrets sealed again",
                so_far.batches, so_far.accounts, so_far.resealed
            );
            if pause_ms > 0 {
                // The operator asked for room between batches: a sanctioned sleep.
                #[allow(clippy::disallowed_methods)]
                std::thread::sleep(Duration::from_millis(pause_ms));
            }
        })
        .map_err(|e| format!("{}: {e}", o.database.describe()))?;
    println!(
        "rotated: {} accounts, {} TOTP secrets sealed again under master key {current}",
        report.accounts, report.resealed
    );
    let usage = service.key_usage().map_err(|e| e.to_string())?;
    for id in o.keys.ids().into_iter().filter(|id| *id != current) {
        let left = usage.of(id);
        println!(
            "key {id}: {} sealed secrets, {} password hashes (each moves at its user's next \
             login), {} retired password generations left",
            left.sealed_secrets, left.password_hashes, left.retired_generations
        );
    }
    println!("`shikaku key status` shows when an older key can be retired.");
    Ok(())
}

#[derive(Serialize)]
struct KeyJson {
    id: u32,
    in_file: bool,
    current: bool,
    check_value: &'static str,
    sealed_secrets: u64,
    password_hashes: u64,
    retired_generations: u64,
    retirable: bool,
}

#[derive(Serialize)]
struct StatusJson {
    database: String,
    key_file: String,
    current: u32,
    accounts: u64,
    unreadable: u64,
    keys: Vec<KeyJson>,
}

/// What the database says of key `id` against the file's key.
fn check_state(keys: &MasterKeys, known: &[(KeyId, KeyCheck)], id: KeyId) -> &'static str {
    let stored = known.iter().find(|(k, _)| *k == id).map(|(_, c)| c);
    match (keys.get(id), stored) {
        (Some(key), Some(stored)) if stored.matches(&key.check_value()) => "matches",
        (Some(_), Some(_)) => "DIFFERS",
        (Some(_), None) => "not recorded yet",
        (None, Some(_)) => "recorded",
        (None, None) => "none",
    }
}

/// `shikaku key status`: needs no key to count (a node that would refuse to start can
/// still be looked at).
pub(crate) fn status(db: &DbArg, json: bool) -> Result<(), String> {
    let o = open(db)?;
    let usage = KeyUsage::scan(&*o.store).map_err(|e| e.to_string())?;
    let known = o.known()?;
    let ids: BTreeSet<KeyId> = o
        .keys
        .ids()
        .into_iter()
        .chain(usage.ids())
        .chain(known.iter().map(|(id, _)| *id))
        .collect();
    let current = o.keys.current_id();
    let rows: Vec<KeyJson> = ids
        .iter()
        .rev()
        .map(|id| {
            let counts = usage.of(*id);
            KeyJson {
                id: id.get(),
                in_file: o.keys.contains(*id),
                current: *id == current,
                check_value: check_state(&o.keys, &known, *id),
                sealed_secrets: counts.sealed_secrets,
                password_hashes: counts.password_hashes,
                retired_generations: counts.retired_generations,
                retirable: *id != current
                    && o.keys.contains(*id)
                    && usage.check_retirable(*id, false).is_ok(),
            }
        })
        .collect();
    if json {
        let out = StatusJson {
            database: o.database.describe(),
            key_file: o.key_file.display().to_string(),
            current: current.get(),
            accounts: usage.accounts,
            unreadable: usage.unreadable,
            keys: rows,
        };
        println!(
            "{}",
            serde_json::to_string(&out).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    println!(
        "master keys of {} ({}), {} accounts",
        o.database.describe(),
        o.file(),
        usage.accounts
    );
    println!(
        "  key  in file  check value       sealed secrets  password hashes  retired generations"
    );
    for row in &rows {
        let place = match (row.in_file, row.current) {
            (true, true) => "current",
            (true, false) => "older",
            (false, _) => "absent",
        };
        println!(
            "  {:<4} {:<8} {:<17} {:>14}  {:>15}  {:>19}",
            row.id,
            place,
            row.check_value,
            row.sealed_secrets,
            row.password_hashes,
            row.retired_generations
        );
    }
    for row in rows.iter().filter(|r| !r.current) {
        let total = row.sealed_secrets + row.password_hashes + row.retired_generations;
        let verdict = match (row.in_file, total) {
            (false, 0) => continue,
            (false, _) => "used by records but ABSENT from the key file: a node with this file \
                           refuses to start"
                .to_owned(),
            (true, 0) => format!("unused: `shikaku key retire {}` removes it", row.id),
            (true, _) if row.sealed_secrets + row.password_hashes == 0 => format!(
                "only retired password generations use it: they age out with password \
                 changes, or `shikaku key retire {} --forget-history` drops them",
                row.id
            ),
            (true, _) => "still in use: `shikaku key rotate` moves the sealed secrets; each \
                          password hash moves at its user's next login"
                .to_owned(),
        };
        println!("key {}: {verdict}", row.id);
    }
    if usage.unreadable > 0 {
        println!(
            "{} records name no key this build can read",
            usage.unreadable
        );
    }
    Ok(())
}

/// `shikaku key retire ID`: removes an older key no record uses.
pub(crate) fn retire(db: &DbArg, id: u32, forget_history: bool) -> Result<(), String> {
    let o = open(db)?;
    let id = key_id(id)?;
    let next = o.keys.without(id).map_err(|e| e.to_string())?;
    let service = o.service(&o.keys)?;
    let usage = service.key_usage().map_err(|e| e.to_string())?;
    let refused = |e: shikaku::Error| format!("nothing was changed: {e}");
    if forget_history {
        usage.check_retirable(id, true).map_err(refused)?;
        let dropped = service
            .forget_history_under(id, 200)
            .map_err(|e| e.to_string())?;
        println!("dropped {dropped} retired password generations peppered by master key {id}");
        service
            .key_usage()
            .map_err(|e| e.to_string())?
            .check_retirable(id, false)
            .map_err(refused)?;
    } else {
        usage.check_retirable(id, false).map_err(refused)?;
    }
    o.service(&next)?;
    o.replace(&next)?;
    println!(
        "retired master key {id}: removed from {} (no record uses it)",
        o.key_file.display()
    );
    println!(
        "Next: give every node this file and restart them one by one; then destroy every \
         other copy of the old file, backups included, as your key policy says."
    );
    Ok(())
}
