//! The `shikaku` binary: serve the staff MFA screens and JSON API, and administer accounts.
//!
//! ```text
//! shikaku serve --demo                      # demo institution + user, prints the URL
//! shikaku serve --db shikaku.db --config shikaku.toml --bind 127.0.0.1:8080
//! shikaku user add --db shikaku.db --institution-code 0123456789 --login-id staff01
//! shikaku user list|unlock|reset-mfa|reset-password|disable|enable …
//! shikaku audit --db shikaku.db --limit 50
//! shikaku audit export --db shikaku.db --since 2026-04-01T00:00:00+09:00 --json   # for a SIEM
//! shikaku backup --db shikaku.db --to /backup/shikaku-2026-04-01.db   # while serving
//! shikaku key generate --out /etc/shikaku/master.key
//! shikaku key add|use|rotate|status|retire … # master-key rotation (docs/key-rotation.md)
//! shikaku serve --database-url postgres://shikaku@db/shikaku --master-key-file /etc/shikaku/master.key
//! shikaku db copy --from shikaku.db --to postgres://shikaku@db/shikaku
//! ```

mod admin;
mod api_keys;
mod args;
mod audit;
mod backend;
mod backup;
mod config;
mod keys;
mod rotation;
mod serve;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{AuditCommand, Cli, Command, DbCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::run(&args),
        Command::User(cmd) => admin::user(cmd),
        Command::Audit(args) => match &args.command {
            Some(AuditCommand::Export(export)) => audit::export(export),
            Some(AuditCommand::Identifier(account)) => admin::audit_identifier(account),
            None => admin::audit(&args),
        },
        Command::ApiKey(cmd) => api_keys::run(cmd),
        Command::Key(command) => keys::run(command),
        Command::Db(DbCommand::Copy {
            from,
            to,
            master_key_file,
            config,
        }) => config::Settings::discover(config.config.as_deref())
            .and_then(|settings| keys::copy(&from, &to, master_key_file.as_deref(), &settings)),
        Command::Backup(args) => backup::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("shikaku: {message}");
            ExitCode::FAILURE
        }
    }
}
