//! `shikaku key …` and `shikaku db …`: master key files and whole databases.

use std::path::PathBuf;

use clap::Subcommand;

use super::{ConfigArg, DbArg};

/// `shikaku key …`: master key files, and rotating the master key without downtime
/// (docs/key-rotation.md): `add`, restart every node; `use`, restart every node;
/// `rotate`; logins move the password hashes; `status`; `retire`.
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
    /// Add a new random key to the database's key file, NOT current yet (step 1 of a
    /// rotation). Then give every node this file and restart them one by one: they can
    /// open what is sealed under the new key before any node seals under it.
    Add {
        #[command(flatten)]
        db: DbArg,
    },
    /// Make key ID the current one (step 2): new TOTP secrets are sealed and new password
    /// hashes peppered under it. Every node must already hold it (step 1); then give
    /// every node this file and restart them one by one.
    Use {
        #[command(flatten)]
        db: DbArg,
        /// The key's id (see `key status`).
        id: u32,
    },
    /// Seal every TOTP secret again under the current key, in batches, while the servers
    /// run (step 3). Password hashes move at each user's next login. Safe to run again.
    Rotate {
        #[command(flatten)]
        db: DbArg,
        /// Accounts per batch (one short transaction per account).
        #[arg(long, default_value_t = 200, value_name = "N")]
        batch: usize,
        /// Pause between batches, to leave the database to live traffic.
        #[arg(long, default_value_t = 0, value_name = "MILLISECONDS")]
        pause_ms: u64,
    },
    /// Per key: in the key file or not, current or not, its check value in the database,
    /// and how many sealed secrets, password hashes and retired password generations
    /// still use it.
    Status {
        #[command(flatten)]
        db: DbArg,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Remove older key ID from the key file (the last step); refused while any record
    /// uses it, and for the current key.
    Retire {
        #[command(flatten)]
        db: DbArg,
        /// The key's id (see `key status`).
        id: u32,
        /// Drop the retired password generations still peppered by it (they cannot move:
        /// their passwords are not known). The history rules then no longer compare new
        /// passwords with those old ones.
        #[arg(long)]
        forget_history: bool,
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
