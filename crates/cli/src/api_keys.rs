//! `shikaku api-key create|list|revoke`: the keys of the JSON API's administration
//! calls (`Authorization: Bearer <key>` on `/api/v1/admin/…`).
//!
//! A key is printed once, at creation: the store keeps its SHA-256 only. Every node of
//! a PostgreSQL deployment knows a key as soon as it is created, and stops accepting it
//! as soon as it is revoked.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;
use shikaku::{ApiKeyId, ApiKeyRecord, ApiKeyScope, InstitutionCode};

use crate::admin::open;
use crate::args::ApiKeyCommand;
use crate::backend::Missing;

#[derive(Serialize)]
struct KeyJson<'a> {
    id: i64,
    name: &'a str,
    /// `null`: every institution.
    institutions: Option<Vec<&'a str>>,
    created_at: String,
    revoked_at: Option<String>,
    /// Only at creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
}

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn json<'a>(record: &'a ApiKeyRecord, key: Option<&'a str>) -> KeyJson<'a> {
    KeyJson {
        id: record.id.0,
        name: &record.name,
        institutions: match &record.scope {
            ApiKeyScope::All => None,
            ApiKeyScope::Institutions(codes) => {
                Some(codes.iter().map(InstitutionCode::as_str).collect())
            }
        },
        created_at: rfc3339(record.created_at),
        revoked_at: record.revoked_at.map(rfc3339),
        key,
    }
}

fn scope_text(scope: &ApiKeyScope) -> String {
    match scope {
        ApiKeyScope::All => "all institutions".to_owned(),
        ApiKeyScope::Institutions(codes) => codes
            .iter()
            .map(InstitutionCode::as_str)
            .collect::<Vec<_>>()
            .join(","),
    }
}

fn hex(bytes: &[u8]) -> zeroize::Zeroizing<String> {
    let mut out = zeroize::Zeroizing::new(String::with_capacity(bytes.len() * 2));
    for b in bytes {
        // Writing into a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

pub(crate) fn run(command: ApiKeyCommand) -> Result<(), String> {
    match command {
        ApiKeyCommand::Create {
            db,
            name,
            institution,
            json: as_json,
        } => {
            let service = open(&db, Missing::Refuse)?;
            let digits = service.config().institution_code_digits;
            let scope = if institution.is_empty() {
                ApiKeyScope::All
            } else {
                let codes = institution
                    .iter()
                    .map(|c| InstitutionCode::parse(c, digits).map_err(|e| e.to_string()))
                    .collect::<Result<BTreeSet<_>, _>>()?;
                ApiKeyScope::Institutions(codes)
            };
            let issued = service
                .create_api_key(&name, scope)
                .map_err(|e| e.to_string())?;
            let key = hex(issued.key.as_bytes());
            if as_json {
                let out = json(&issued.record, Some(key.as_str()));
                println!(
                    "{}",
                    serde_json::to_string(&out).map_err(|e| e.to_string())?
                );
            } else {
                println!(
                    "API key {} \"{}\" for {}:",
                    issued.record.id,
                    issued.record.name,
                    scope_text(&issued.record.scope)
                );
                println!("  {}", key.as_str());
                println!("  Shown once: only its SHA-256 is stored. Send it as");
                println!("  `Authorization: Bearer <key>` to /api/v1/admin/….");
            }
            Ok(())
        }
        ApiKeyCommand::List { db, json: as_json } => {
            let service = open(&db, Missing::Refuse)?;
            let keys = service.api_keys().map_err(|e| e.to_string())?;
            for record in &keys {
                if as_json {
                    let out = json(record, None);
                    println!(
                        "{}",
                        serde_json::to_string(&out).map_err(|e| e.to_string())?
                    );
                } else {
                    println!(
                        "{:>5}  {:<24} {:<8} created {}  {}",
                        record.id,
                        record.name,
                        if record.revoked_at.is_some() {
                            "revoked"
                        } else {
                            "active"
                        },
                        rfc3339(record.created_at),
                        scope_text(&record.scope)
                    );
                }
            }
            if !as_json {
                println!("{} key(s)", keys.len());
            }
            Ok(())
        }
        ApiKeyCommand::Revoke { db, id } => {
            let service = open(&db, Missing::Refuse)?;
            if service
                .revoke_api_key(ApiKeyId(id))
                .map_err(|e| e.to_string())?
            {
                println!("revoked API key {id}: every node refuses it from now on");
                Ok(())
            } else {
                Err(format!(
                    "no active API key {id} (see `shikaku api-key list`)"
                ))
            }
        }
    }
}
