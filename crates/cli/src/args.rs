//! The command line: every subcommand and option (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod api_keys;
mod keys;
mod ops;

pub(crate) use api_keys::ApiKeyCommand;
pub(crate) use keys::{DbCommand, KeyCommand};
pub(crate) use ops::{AuditCommand, BackupArgs, ExportArgs};

/// 資格確認限定型レセコン連携機能 — staff MFA registration and login.
#[derive(Debug, Parser)]
#[command(name = "shikaku", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Serve the screens and the JSON API.
    Serve(ServeArgs),
    /// Administer staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Show recent audit events (`audit export`: stream them for a SIEM).
    Audit(AuditArgs),
    /// API keys of the JSON API's administration calls.
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
    /// Master key files.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Whole databases.
    #[command(subcommand)]
    Db(DbCommand),
    /// Copy the SQLite database, consistently, while the server runs (the master key
    /// is not in the copy: keep its file apart).
    Backup(BackupArgs),
}

/// The database and the master key, found the same way by every command that opens a
/// store (see `backend.rs`).
#[derive(Debug, Args)]
pub(crate) struct StoreArgs {
    /// PostgreSQL instead of SQLite (`postgres://user@host/db?sslmode=require`)
    /// [default: `[database] url`].
    #[arg(long, env = crate::backend::DATABASE_URL_ENV, value_name = "URL", hide_env_values = true)]
    pub(crate) database_url: Option<String>,
    /// The master key file [default: `[keys] master_key_file`, else `<db>.key` beside a
    /// SQLite database]. Required with PostgreSQL.
    #[arg(long, env = crate::backend::MASTER_KEY_FILE_ENV, value_name = "FILE")]
    pub(crate) master_key_file: Option<PathBuf>,
}

/// The configuration file, found the same way by every command (`serve`, `user …`,
/// `audit`): `--config`, else the `SHIKAKU_CONFIG` environment variable, else none (the
/// manual's numbers). The `user` commands must hash with the server's `[argon2]`
/// settings, so they read the same file.
#[derive(Debug, Args)]
pub(crate) struct ConfigArg {
    /// TOML configuration file (see the README's configuration reference); the same
    /// file the server reads.
    #[arg(long, env = crate::config::CONFIG_ENV, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
}

/// Options of `shikaku serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long)]
    pub(crate) bind: Option<std::net::SocketAddr>,
    /// SQLite database (created with its key file `<db>.key` on first run)
    /// [default: `[database] path`, else shikaku.db].
    #[arg(long)]
    pub(crate) db: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    #[command(flatten)]
    pub(crate) config: ConfigArg,
    /// The origin browsers use to reach this server (`https://host[:port]`); requests
    /// whose `Host` or `Origin` differ are refused. Required outside --demo (or
    /// `[server] public_origin`).
    #[arg(long, value_name = "ORIGIN")]
    pub(crate) public_origin: Option<String>,
    /// Demo mode: a demo institution and user are created and printed; plain-http
    /// cookies on loopback only; database `shikaku-demo.db` unless --db is given. Refuses
    /// a database it did not create and any non-loopback bind.
    #[arg(long)]
    pub(crate) demo: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DbArg {
    /// SQLite database [default: `[database] path` of the configuration, else shikaku.db].
    /// It must exist (see `user add --create`).
    #[arg(long)]
    pub(crate) db: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    #[command(flatten)]
    pub(crate) config: ConfigArg,
}

impl DbArg {
    pub(crate) fn choice(&self) -> crate::backend::Choice<'_> {
        crate::backend::Choice {
            db: self.db.as_deref(),
            database_url: self.store.database_url.as_deref(),
            master_key_file: self.store.master_key_file.as_deref(),
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct AccountArgs {
    #[command(flatten)]
    pub(crate) db: DbArg,
    /// 機関コード.
    #[arg(long)]
    pub(crate) institution_code: String,
    /// ログイン ID.
    #[arg(long)]
    pub(crate) login_id: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Issue an account and print its ユーザ設定情報 (initial settings).
    Add {
        #[command(flatten)]
        account: AccountArgs,
        /// Initial password (generated when absent). Visible to other local users via
        /// the process list: prefer generation.
        #[arg(long)]
        password: Option<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Create the database and its key file if they do not exist yet (first run).
        /// Without it a missing database is an error, so a mistyped --db creates nothing.
        #[arg(long)]
        create: bool,
    },
    /// List accounts with their lock, MFA and drift state.
    List {
        #[command(flatten)]
        db: DbArg,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Clear the password and passcode lock counters.
    Unlock(AccountArgs),
    /// Device lost: remove the Authenticator registration (the next login enrolls again).
    ResetMfa(AccountArgs),
    /// Issue a new initial password (the user must change it after the next login).
    ResetPassword {
        #[command(flatten)]
        account: AccountArgs,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Disable an account (ends its sessions).
    Disable(AccountArgs),
    /// Enable a disabled account.
    Enable(AccountArgs),
}

/// `shikaku audit [--limit N] [--json]`, or `shikaku audit export …`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct AuditArgs {
    #[command(subcommand)]
    pub(crate) command: Option<AuditCommand>,
    #[command(flatten)]
    pub(crate) db: DbArg,
    /// How many events, newest first.
    #[arg(long, default_value_t = 50)]
    pub(crate) limit: usize,
    /// Machine-readable output (one JSON object per line).
    #[arg(long)]
    pub(crate) json: bool,
}
