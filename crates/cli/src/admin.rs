//! `shikaku user …` and `shikaku audit`.

use serde::Serialize;
use shikaku::InitialSettings;
use shikaku::lockout::LockStatus;
use shikaku::password::Password;
use shikaku_web::messages::LockEnd;

use crate::args::{AccountArgs, AuditArgs, DbArg, UserCommand};
use crate::backend::{Missing, Service};
use crate::config::{CONFIG_ENV, Settings};

/// Finds the configuration, the database and the master key as `serve` does
/// ([`Settings`], `backend.rs`), opens the database and builds the service. A SQLite
/// database that does not exist is refused (nothing is created: a mistyped `--db` must
/// not make a new database and key file) unless `missing` is [`Missing::Create`].
pub(crate) fn open(db: &DbArg, missing: Missing) -> Result<Service, String> {
    let settings = Settings::discover(db.config.config.as_deref())?;
    if settings.source.is_none() {
        eprintln!(
            "shikaku: note: {}; the manual's settings apply (hashing included). Give the \
             server's file with --config or {CONFIG_ENV}.",
            settings.describe_source()
        );
    }
    settings
        .open_service(db.choice(), missing)
        .map(|(service, _)| service)
}

#[derive(Serialize)]
struct SettingsJson<'a> {
    institution_code: &'a str,
    login_id: &'a str,
    initial_password: &'a str,
}

/// The initial-settings sheet, as printed for the staff member.
pub(crate) fn print_settings(settings: &InitialSettings, json: bool) -> Result<(), String> {
    if json {
        let out = SettingsJson {
            institution_code: settings.institution_code.as_str(),
            login_id: settings.login_id.as_str(),
            initial_password: settings.initial_password.as_str(),
        };
        println!(
            "{}",
            serde_json::to_string(&out).map_err(|e| e.to_string())?
        );
    } else {
        println!("資格確認限定型レセコン連携機能 ユーザ設定情報 (initial settings)");
        println!(
            "  機関コード   (institution code): {}",
            settings.institution_code
        );
        println!("  ログイン ID  (login ID):         {}", settings.login_id);
        println!(
            "  パスワード   (initial password): {}",
            settings.initial_password.as_str()
        );
        println!("  ※ 取扱注意: 本人以外に見せないでください。 Hand to the staff member only.");
    }
    Ok(())
}

/// 機関コード + ログイン ID as typed, parsed once with the configuration's rules.
fn key(service: &Service, a: &AccountArgs) -> Result<shikaku::AccountKey, String> {
    service
        .config()
        .account_key(&a.institution_code, &a.login_id)
        .map_err(|e| e.to_string())
}

/// A lock's state, with the time it lifts as the screens and the API show it
/// (JST, rounded up to the minute: the workspace's one lock-time formatter).
fn lock_text(status: &LockStatus) -> String {
    match status {
        LockStatus::Locked { until } => {
            format!("locked until {} JST", LockEnd::new(*until).numeric())
        }
        LockStatus::Open { attempts_left } => format!("open ({attempts_left} left)"),
    }
}

#[derive(Serialize)]
struct AccountJson {
    institution_code: String,
    login_id: String,
    enrolled: bool,
    drift_steps: Option<i64>,
    disabled: bool,
    must_change_password: bool,
    password_locked_until: Option<String>,
    passcode_locked_until: Option<String>,
}

fn locked_until(status: &LockStatus) -> Option<String> {
    match status {
        LockStatus::Locked { until } => until
            .format(&time::format_description::well_known::Rfc3339)
            .ok(),
        LockStatus::Open { .. } => None,
    }
}

pub(crate) fn user(command: UserCommand) -> Result<(), String> {
    match command {
        UserCommand::Add {
            account,
            password,
            json,
            create,
        } => {
            let missing = if create {
                Missing::Create
            } else {
                Missing::Refuse
            };
            let service = open(&account.db, missing)?;
            let settings = service
                .provision(&key(&service, &account)?, password.map(Password::new))
                .map_err(|e| e.to_string())?;
            print_settings(&settings, json)
        }
        UserCommand::List { db, json } => {
            let service = open(&db, Missing::Refuse)?;
            let accounts = service.accounts().map_err(|e| e.to_string())?;
            if json {
                for a in &accounts {
                    let row = AccountJson {
                        institution_code: a.key.institution_code.to_string(),
                        login_id: a.key.login_id.to_string(),
                        enrolled: a.enrolled,
                        drift_steps: a.drift,
                        disabled: a.disabled,
                        must_change_password: a.must_change_password,
                        password_locked_until: locked_until(&a.password_lock),
                        passcode_locked_until: locked_until(&a.passcode_lock),
                    };
                    println!(
                        "{}",
                        serde_json::to_string(&row).map_err(|e| e.to_string())?
                    );
                }
            } else {
                println!(
                    "{:<12} {:<20} {:<4} {:<6} {:<9} {:<28} {:<28}",
                    "機関コード", "ログインID", "MFA", "drift", "state", "password", "passcode"
                );
                for a in &accounts {
                    let state = if a.disabled {
                        "disabled"
                    } else if a.must_change_password {
                        "must-chg"
                    } else {
                        "active"
                    };
                    println!(
                        "{:<12} {:<20} {:<4} {:<6} {:<9} {:<28} {:<28}",
                        a.key.institution_code.as_str(),
                        a.key.login_id.as_str(),
                        if a.enrolled { "yes" } else { "no" },
                        a.drift.map_or_else(|| "-".to_owned(), |d| format!("{d:+}")),
                        state,
                        lock_text(&a.password_lock),
                        lock_text(&a.passcode_lock),
                    );
                }
                println!("{} account(s)", accounts.len());
            }
            Ok(())
        }
        UserCommand::Unlock(a) => {
            let service = open(&a.db, Missing::Refuse)?;
            service
                .unlock(&key(&service, &a)?)
                .map_err(|e| e.to_string())?;
            println!("unlocked {}/{}", a.institution_code, a.login_id);
            Ok(())
        }
        UserCommand::ResetMfa(a) => {
            let service = open(&a.db, Missing::Refuse)?;
            service
                .reset_mfa(&key(&service, &a)?)
                .map_err(|e| e.to_string())?;
            println!("Authenticator registration removed; the next login registers again");
            Ok(())
        }
        UserCommand::ResetPassword { account, json } => {
            let service = open(&account.db, Missing::Refuse)?;
            let settings = service
                .reset_password(&key(&service, &account)?)
                .map_err(|e| e.to_string())?;
            print_settings(&settings, json)
        }
        UserCommand::Disable(a) => {
            let service = open(&a.db, Missing::Refuse)?;
            service
                .set_disabled(&key(&service, &a)?, true)
                .map_err(|e| e.to_string())?;
            println!("disabled {}/{}", a.institution_code, a.login_id);
            Ok(())
        }
        UserCommand::Enable(a) => {
            let service = open(&a.db, Missing::Refuse)?;
            service
                .set_disabled(&key(&service, &a)?, false)
                .map_err(|e| e.to_string())?;
            println!("enabled {}/{}", a.institution_code, a.login_id);
            Ok(())
        }
    }
}

/// `shikaku audit identifier`: what the audit log records for an identifier.
pub(crate) fn audit_identifier(a: &AccountArgs) -> Result<(), String> {
    let service = open(&a.db, Missing::Refuse)?;
    let recorded = service
        .audit_identifier(&key(&service, a)?)
        .map_err(|e| e.to_string())?;
    println!("{recorded}");
    Ok(())
}

pub(crate) fn audit(args: &AuditArgs) -> Result<(), String> {
    let service = open(&args.db, Missing::Refuse)?;
    let events = service
        .recent_audit(args.limit)
        .map_err(|e| e.to_string())?;
    for e in &events {
        if args.json {
            println!("{}", serde_json::to_string(e).map_err(|e| e.to_string())?);
        } else {
            println!("{}", crate::audit::human(e));
        }
    }
    Ok(())
}
