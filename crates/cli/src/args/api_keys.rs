//! `shikaku api-key …`: the keys of the JSON API's administration calls.

use clap::Subcommand;

use super::DbArg;

/// `shikaku api-key …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ApiKeyCommand {
    /// Create a key and print it once (256 random bits; the store keeps its SHA-256).
    Create {
        #[command(flatten)]
        db: DbArg,
        /// A name for people ("clinic-sync").
        #[arg(long)]
        name: String,
        /// An institution code the key may administer (repeat for several); without
        /// it, every institution.
        #[arg(long, value_name = "CODE")]
        institution: Vec<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// List the keys (ids, names, scopes; never the keys).
    List {
        #[command(flatten)]
        db: DbArg,
        /// Machine-readable output (one JSON object per line).
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key: every node refuses it from the next request.
    Revoke {
        #[command(flatten)]
        db: DbArg,
        /// The key's id (see `api-key list`).
        id: i64,
    },
}
