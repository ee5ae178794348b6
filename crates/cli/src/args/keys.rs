//! `shikaku key …` and `shikaku db …`: master key files and whole databases.

use std::path::PathBuf;

use clap::Subcommand;

use super::ConfigArg;

/// `shikaku key …`.
#[derive(Debug, Subcommand)]
pub(crate) enum KeyCommand {
    /// Write a new random master key (64 hex digits) to a new file, mode 0600. Every
    /// node of one database must be started with the same key file; keep a copy apart
    /// from the database's backups.
    Generate {
        /// The file to create (an existing file is never replaced).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// `shikaku db …`.
#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Copy a SQLite database into a new, empty PostgreSQL database under the same master
    /// key: accounts, MFA registrations, password histories, lock counters, the audit
    /// log and API keys (not login tickets or sessions: everyone logs in again).
    Copy {
        /// The SQLite database to copy.
        #[arg(long, value_name = "SQLITE_PATH")]
        from: PathBuf,
        /// The PostgreSQL database to fill (`postgres://…`); it must be empty.
        #[arg(long, value_name = "POSTGRES_URL")]
        to: String,
        /// The master key of the SQLite database [default: `<from>.key`]; the PostgreSQL
        /// nodes must then be started with this same key file.
        #[arg(long, env = crate::backend::MASTER_KEY_FILE_ENV, value_name = "FILE")]
        master_key_file: Option<PathBuf>,
        #[command(flatten)]
        config: ConfigArg,
    },
}
