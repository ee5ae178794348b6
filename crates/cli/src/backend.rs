//! Which database and which master key every command uses, found the same way by all.
//!
//! The database: `--database-url`, else `SHIKAKU_DATABASE_URL`, else `[database] url`
//! (PostgreSQL: several nodes share it); otherwise the SQLite file of `--db`, else
//! `[database] path`, else `shikaku.db`.
//!
//! The master key file: `--master-key-file`, else `SHIKAKU_MASTER_KEY_FILE`, else
//! `[keys] master_key_file`. PostgreSQL requires one (every node must hold the same keys);
//! SQLite falls back to the key file beside the database (`<db>.key`), created with the
//! database on first use. It holds one key, or during a key rotation several (`ID HEX`
//! lines, the current one first: `shikaku key add | use | retire`). Whatever the source,
//! the facade refuses keys that do not belong to the database (their key check values).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use shikaku::{MasterKeys, Shikaku, Store};
use shikaku_store_postgres::{PostgresOptions, PostgresStore};

use crate::config::{CONFIG_ENV, Settings};

/// The store every command works on, chosen at run time.
pub(crate) type AnyStore = Arc<dyn Store>;
/// The facade over it.
pub(crate) type Service = Shikaku<AnyStore>;

/// The environment variable naming the PostgreSQL database.
pub(crate) const DATABASE_URL_ENV: &str = "SHIKAKU_DATABASE_URL";
/// The environment variable naming the master key file.
pub(crate) const MASTER_KEY_FILE_ENV: &str = "SHIKAKU_MASTER_KEY_FILE";

/// Whether a command may create a missing SQLite database (`user add --create`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Missing {
    Refuse,
    Create,
}

/// Where the data lives.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Database {
    /// For messages and logs: the path, or the URL without its password.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("SQLite {}", path.display()),
            Self::Postgres(url) => format!("PostgreSQL {}", redact_url(url)),
        }
    }
}

/// A `postgres://user:secret@host/db` URL with the password replaced by `***`.
pub(crate) fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "(not a URL)".to_owned();
    };
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info
                .split_once(':')
                .map_or(user_info, |(user, _)| user);
            let hidden = if user_info.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{hidden}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

/// What the command line says about the database and the key (each may be absent).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Choice<'a> {
    pub(crate) db: Option<&'a Path>,
    pub(crate) database_url: Option<&'a str>,
    pub(crate) master_key_file: Option<&'a Path>,
}

impl Settings {
    /// The database, by the rule in the module docs (clap already merged the
    /// environment variables into the flags).
    pub(crate) fn choose_database(&self, choice: Choice<'_>) -> Database {
        let url = choice
            .database_url
            .map(str::to_owned)
            .or_else(|| self.file.database.url.clone());
        match url {
            Some(url) => Database::Postgres(url),
            None => Database::Sqlite(self.database(choice.db)),
        }
    }

    fn master_key_file(&self, choice: Choice<'_>) -> Option<PathBuf> {
        choice
            .master_key_file
            .map(Path::to_path_buf)
            .or_else(|| self.file.keys.master_key_file.clone())
    }

    fn postgres_options(&self, url: &str) -> PostgresOptions {
        let section = &self.file.database;
        let mut options = PostgresOptions::new(url);
        if let Some(size) = section.pool_size {
            options.pool_size = size;
        }
        if let Some(secs) = section.connect_timeout_seconds {
            options.connect_timeout = Duration::from_secs(secs);
        }
        if let Some(secs) = section.pool_timeout_seconds {
            options.pool_timeout = Duration::from_secs(secs);
        }
        if let Some(secs) = section.statement_timeout_seconds {
            options.statement_timeout = Duration::from_secs(secs);
        }
        options
    }

    /// The master key file the chosen database is opened with (see the module docs).
    pub(crate) fn key_file(&self, choice: Choice<'_>) -> Result<PathBuf, String> {
        match (self.master_key_file(choice), self.choose_database(choice)) {
            (Some(file), _) => Ok(file),
            (None, Database::Sqlite(path)) => Ok(shikaku_store_sqlite::key_file_path(path)),
            (None, database @ Database::Postgres(_)) => Err(format!(
                "{} needs its master key file: give [keys] master_key_file, \
                 {MASTER_KEY_FILE_ENV} or --master-key-file",
                database.describe()
            )),
        }
    }

    /// Opens the chosen database with the chosen keys. A missing SQLite file is refused
    /// unless `missing` says create (a mistyped `--db` must not make a new database).
    pub(crate) fn open_store(
        &self,
        choice: Choice<'_>,
        missing: Missing,
    ) -> Result<(AnyStore, MasterKeys, Database), String> {
        let database = self.choose_database(choice);
        let key_file = self.master_key_file(choice);
        match &database {
            Database::Postgres(url) => {
                let Some(key_file) = key_file else {
                    return Err(format!(
                        "{} needs the master key every node shares: give [keys] \
                         master_key_file, {MASTER_KEY_FILE_ENV} or --master-key-file \
                         (`shikaku key generate --out FILE` makes one). ({})",
                        database.describe(),
                        self.describe_source()
                    ));
                };
                let key = read_key(&key_file)?;
                let store = PostgresStore::connect(&self.postgres_options(url))
                    .map_err(|e| format!("cannot open {}: {e}", database.describe()))?;
                Ok((Arc::new(store), key, database))
            }
            Database::Sqlite(path) => {
                if missing == Missing::Refuse && !path.exists() {
                    return Err(format!(
                        "no database at {} ({}): check --db, [database] path and --config / \
                         {CONFIG_ENV}. Nothing was created; `shikaku user add --create` \
                         creates a new database and its key file.",
                        path.display(),
                        self.describe_source()
                    ));
                }
                let opened = match key_file {
                    Some(key_file) => read_key(&key_file).and_then(|key| {
                        shikaku_store_sqlite::SqliteStore::open(path)
                            .map(|store| (store, key))
                            .map_err(|e| e.to_string())
                    }),
                    None => shikaku_store_sqlite::open_or_create(path).map_err(|e| e.to_string()),
                };
                let (store, key) =
                    opened.map_err(|e| format!("cannot open database {}: {e}", path.display()))?;
                Ok((Arc::new(store), key, database))
            }
        }
    }

    /// Opens the database and builds the facade over it (the audit log in the store).
    pub(crate) fn open_service(
        self,
        choice: Choice<'_>,
        missing: Missing,
    ) -> Result<(Service, Database), String> {
        let (store, keys, database) = self.open_store(choice, missing)?;
        let service = Shikaku::builder(Arc::new(store))
            .master_keys(keys)
            .config(self.config)
            .build()
            .map_err(|e| format!("{}: {e}", database.describe()))?;
        Ok((service, database))
    }
}

/// Reads a master key file (64 hex digits, or `ID HEX` lines; owner-only permissions on
/// Unix).
pub(crate) fn read_key(path: &Path) -> Result<MasterKeys, String> {
    shikaku_store_sqlite::read_key_file(path)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!(
                "no master key file at {} (`shikaku key generate --out {}` makes one)",
                path.display(),
                path.display()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_password_in_messages() {
        assert_eq!(
            redact_url("postgres://shikaku:s3cret@db.example:5432/shikaku?sslmode=require"),
            "postgres://shikaku:***@db.example:5432/shikaku?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://shikaku@localhost/db"),
            "postgres://shikaku@localhost/db"
        );
        assert_eq!(
            redact_url("postgres://p:a@ss@h/db"),
            "postgres://p:***@h/db"
        );
        assert_eq!(redact_url("nonsense"), "(not a URL)");
    }
}
