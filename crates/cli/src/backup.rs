//! `shikaku backup --to FILE`: a consistent copy of the SQLite database while the
//! server runs (`SqliteStore::backup_to`: one read snapshot, the server goes on
//! writing). PostgreSQL is backed up with its own tools, which the refusal names.

use shikaku_store_sqlite::SqliteStore;

use crate::args::BackupArgs;
use crate::backend::Database;
use crate::config::Settings;

pub(crate) fn run(args: &BackupArgs) -> Result<(), String> {
    let settings = Settings::discover(args.db.config.config.as_deref())?;
    let path = match settings.choose_database(args.db.choice()) {
        Database::Sqlite(path) => path,
        database @ Database::Postgres(_) => {
            return Err(format!(
                "shikaku backup copies a SQLite database; {} is backed up with \
                 PostgreSQL's own tools: `pg_dump --format=custom` for a logical copy, or \
                 a base backup (`pg_basebackup`) with WAL archiving for point-in-time \
                 recovery (docs/operations.md). Keep the master key file apart from them.",
                database.describe()
            ));
        }
    };
    if !path.exists() {
        return Err(format!(
            "no database at {} ({}): check --db, [database] path and --config",
            path.display(),
            settings.describe_source()
        ));
    }
    // Read-only: nothing is migrated or created, and no key is needed to copy.
    let store = SqliteStore::open_read_only(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    store
        .backup_to(&args.to)
        .map_err(|e| format!("backup of {} failed: {e}", path.display()))?;
    let bytes = std::fs::metadata(&args.to).map(|m| m.len()).unwrap_or(0);
    let key = args
        .db
        .store
        .master_key_file
        .clone()
        .or_else(|| settings.file.keys.master_key_file.clone())
        .unwrap_or_else(|| shikaku_store_sqlite::key_file_path(&path));
    println!(
        "backed up {} to {} ({bytes} bytes, one consistent snapshot)",
        path.display(),
        args.to.display()
    );
    println!(
        "the master key is not in the backup: keep {} apart from it (a restore needs \
         both; a key beside its backups protects nothing)",
        key.display()
    );
    Ok(())
}
