//! `shikaku key generate` and `shikaku db copy`: the master key file and moving a whole
//! database from SQLite to PostgreSQL; and the dispatch of every `shikaku key` command
//! (the rotation's are in `rotation.rs`).

use std::path::Path;

use shikaku::SharedRng;

use crate::args::KeyCommand;
use crate::backend::{Choice, Missing, read_key};
use crate::config::Settings;
use crate::rotation;

/// `shikaku key …`.
pub(crate) fn run(command: KeyCommand) -> Result<(), String> {
    match command {
        KeyCommand::Generate { out } => generate(&out),
        KeyCommand::Add { db } => rotation::add(&db),
        KeyCommand::Use { db, id } => rotation::make_current(&db, id),
        KeyCommand::Rotate {
            db,
            batch,
            pause_ms,
        } => rotation::rotate(&db, batch, pause_ms),
        KeyCommand::Status { db, json } => rotation::status(&db, json),
        KeyCommand::Retire {
            db,
            id,
            forget_history,
        } => rotation::retire(&db, id, forget_history),
    }
}

/// `shikaku key generate --out FILE`: a new random key in a new owner-only file.
pub(crate) fn generate(out: &Path) -> Result<(), String> {
    if out.exists() {
        return Err(format!(
            "{} exists: `key generate` never replaces a key (data sealed with it would be \
             lost). Choose another file.",
            out.display()
        ));
    }
    let keys = shikaku_store_sqlite::create_key_file(out, &SharedRng::system())
        .map_err(|e| e.to_string())?;
    let check = keys.current().check_value();
    println!(
        "wrote a new master key to {} (mode 0600; key check value {check:?})",
        out.display()
    );
    println!("Start every node of one database with this same file ([keys] master_key_file).");
    Ok(())
}

/// `shikaku db copy --from SQLITE --to POSTGRES_URL`.
pub(crate) fn copy(
    from: &Path,
    to: &str,
    master_key_file: Option<&Path>,
    settings: &Settings,
) -> Result<(), String> {
    if !from.exists() {
        return Err(format!("no SQLite database at {}", from.display()));
    }
    let key_file = master_key_file.map_or_else(
        || shikaku_store_sqlite::key_file_path(from),
        Path::to_path_buf,
    );
    let keys = read_key(&key_file)?;
    let source = shikaku_store_sqlite::SqliteStore::open(from)
        .map_err(|e| format!("cannot open {}: {e}", from.display()))?;
    // The source must really be under this key (its key check value, its sealed
    // secrets) before anything is written.
    let source_service = shikaku::Shikaku::builder(std::sync::Arc::new(source))
        .master_keys(keys.clone())
        .config(settings.config.clone())
        .without_store_audit()
        .build();
    let source = match source_service {
        Ok(service) => std::sync::Arc::clone(service.store()),
        Err(e) => return Err(format!("{}: {e}", from.display())),
    };
    let (target, _, database) = settings.open_store(
        Choice {
            database_url: Some(to),
            master_key_file: Some(&key_file),
            db: None,
        },
        Missing::Refuse,
    )?;
    let report = shikaku::copy_store(&*source, &*target, &keys)
        .map_err(|e| format!("copy into {} failed: {e}", database.describe()))?;
    println!(
        "copied {} accounts, {} lock counters, {} audit events and {} API keys from {} into {}",
        report.accounts,
        report.counters,
        report.audit_events,
        report.api_keys,
        from.display(),
        database.describe()
    );
    println!(
        "Start the PostgreSQL nodes with [keys] master_key_file = {:?}.",
        key_file.display().to_string()
    );
    Ok(())
}
