//! The `shikaku` binary: serve the staff MFA screens and JSON API, and administer accounts.
//!
//! ```text
//! shikaku serve --demo                      # demo institution + user, prints the URL
//! shikaku serve --db shikaku.db --config shikaku.toml --bind 127.0.0.1:8080
//! shikaku user add --db shikaku.db --institution-code 0123456789 --login-id staff01
//! shikaku user list|unlock|reset-mfa|reset-password|disable|enable …
//! shikaku audit --db shikaku.db --limit 50
//! ```

mod admin;
mod args;
mod config;
mod serve;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::run(&args),
        Command::User(cmd) => admin::user(cmd),
        Command::Audit(args) => admin::audit(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("shikaku: {message}");
            ExitCode::FAILURE
        }
    }
}
