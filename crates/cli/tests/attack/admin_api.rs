//! Administration over the JSON API against the real binary (issue 12): a key made with
//! `shikaku api-key create --institution A --json` manages A's accounts and nothing
//! else (B's accounts are, byte for byte, absent ones), sees A's audit events only, and
//! stops working the moment `shikaku api-key revoke` runs; pages of 250 accounts return
//! each once while accounts are added; an initial password works at the first login and
//! is in no log line (`RUST_LOG=trace`) and no audit event.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};
use shikaku::testing::INSTITUTION_CODE;

use crate::api::{call, error_of};
use crate::binary::{CHEAP, Server, cli};
use crate::client::Response;
use crate::shared;

/// Another institution: its accounts do not exist for a key of [`INSTITUTION_CODE`].
const B: &str = "9876543210";
const PASSWORD: &str = "Admin#Pass2024";

/// `shikaku <args> --db … --config …` on the server's database.
fn on_db(server: &Server, args: &[&str]) -> String {
    let (db, config) = (server.db(), server.config());
    let mut all = args.to_vec();
    all.extend([
        "--db",
        db.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ]);
    cli(&all)
}

/// `shikaku api-key create --name NAME [--institution CODE] --json`: (id, key).
fn create_key(server: &Server, name: &str, institution: Option<&str>) -> (i64, String) {
    let mut args = vec!["api-key", "create", "--name", name, "--json"];
    if let Some(code) = institution {
        args.extend(["--institution", code]);
    }
    let created: Value = serde_json::from_str(on_db(server, &args).trim()).unwrap();
    let expected = institution.map_or(Value::Null, |c| json!([c]));
    assert_eq!(created["institutions"], expected, "{created}");
    assert!(created["revoked_at"].is_null());
    let key = created["key"].as_str().unwrap().to_owned();
    assert_eq!(key.len(), 64);
    (created["id"].as_i64().unwrap(), key)
}

fn account(code: &str, login_id: &str) -> String {
    format!("/api/v1/admin/accounts/{code}/{login_id}")
}

fn admin(addr: SocketAddr, method: &str, path: &str, key: &str) -> Response {
    call(addr, method, path, Some(key), None)
}

/// `POST /admin/accounts` → the initial password of the 201.
fn create_account(addr: SocketAddr, key: &str, code: &str, login_id: &str) -> String {
    let body = json!({"institution_code": code, "login_id": login_id});
    let r = call(
        addr,
        "POST",
        "/api/v1/admin/accounts",
        Some(key),
        Some(&body),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let sheet = r.json();
    assert_eq!(sheet["login_id"], login_id);
    sheet["initial_password"].as_str().unwrap().to_owned()
}

fn login(addr: SocketAddr, login_id: &str, password: &str) -> Response {
    let body =
        json!({"institution_code": INSTITUTION_CODE, "login_id": login_id, "password": password});
    call(addr, "POST", "/api/v1/login", None, Some(&body))
}

/// The first login with an initial password: accepted, registration next.
#[track_caller]
fn first_login_enrolls(addr: SocketAddr, login_id: &str, password: &str) {
    let r = login(addr, login_id, password);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["next"], "enroll");
}

#[test]
fn a_key_of_one_institution_manages_its_accounts_and_no_other() {
    let _machine = shared();
    let server = Server::prepare(CHEAP)
        .add_user("seed01", PASSWORD)
        .serve("trace");
    let addr = server.addr;
    on_db(
        &server,
        &[
            "user",
            "add",
            "--json",
            "--institution-code",
            B,
            "--login-id",
            "other01",
        ],
    );
    let (id, key) = create_key(&server, "clinic-sync", Some(INSTITUTION_CODE));
    let mut initial = Vec::new();

    // Create → 201 with an initial password that works at the first login.
    let first = create_account(addr, &key, INSTITUTION_CODE, "clerk01");
    first_login_enrolls(addr, "clerk01", &first);
    initial.push(first.clone());

    // List and get: A's accounts only.
    let listed = admin(addr, "GET", "/api/v1/admin/accounts", &key);
    assert_eq!(listed.status, 200, "{}", listed.text());
    let ids: BTreeSet<String> = listed.json()["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .inspect(|a| assert_eq!(a["institution_code"], INSTITUTION_CODE))
        .map(|a| a["login_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, BTreeSet::from(["clerk01".into(), "seed01".into()]));
    let clerk = account(INSTITUTION_CODE, "clerk01");
    let got = admin(addr, "GET", &clerk, &key);
    assert_eq!(got.status, 200, "{}", got.text());
    assert_eq!(got.json()["enrolled"], false);

    // Unlock after three wrong passwords.
    for _ in 0..3 {
        let _ = login(addr, "clerk01", "Wrong#Pass2024");
    }
    assert_eq!(login(addr, "clerk01", &first).status, 423);
    assert!(admin(addr, "GET", &clerk, &key).json()["password_locked_until"].is_string());
    assert_eq!(
        admin(addr, "POST", &format!("{clerk}/unlock"), &key).status,
        204
    );
    assert!(admin(addr, "GET", &clerk, &key).json()["password_locked_until"].is_null());
    first_login_enrolls(addr, "clerk01", &first);

    // reset-mfa, reset-password (a new initial password, the old one refused).
    assert_eq!(
        admin(addr, "POST", &format!("{clerk}/reset-mfa"), &key).status,
        204
    );
    let reset = admin(addr, "POST", &format!("{clerk}/reset-password"), &key);
    assert_eq!(reset.status, 200, "{}", reset.text());
    let second = reset.json()["initial_password"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(second, first);
    assert_eq!(
        error_of(&login(addr, "clerk01", &first), 401),
        "invalid_credentials"
    );
    first_login_enrolls(addr, "clerk01", &second);
    initial.push(second.clone());
    assert_eq!(
        admin(addr, "GET", &clerk, &key).json()["must_change_password"],
        true
    );

    // disable / enable.
    assert_eq!(
        admin(addr, "POST", &format!("{clerk}/disable"), &key).status,
        204
    );
    assert_eq!(
        error_of(&login(addr, "clerk01", &second), 403),
        "account_disabled"
    );
    assert_eq!(
        admin(addr, "POST", &format!("{clerk}/enable"), &key).status,
        204
    );
    first_login_enrolls(addr, "clerk01", &second);

    // B's account: exactly the answer of an absent account, for every call.
    let theirs = account(B, "other01");
    let absent = account(INSTITUTION_CODE, "nobody99");
    let none = admin(addr, "GET", &absent, &key);
    assert_eq!(error_of(&none, 404), "unknown_account");
    for (method, suffix) in [
        ("GET", ""),
        ("POST", "/unlock"),
        ("POST", "/reset-mfa"),
        ("POST", "/reset-password"),
        ("POST", "/disable"),
        ("POST", "/enable"),
    ] {
        let r = admin(addr, method, &format!("{theirs}{suffix}"), &key);
        assert_eq!(error_of(&r, 404), "unknown_account", "{method} {suffix}");
        assert_eq!(r.body, none.body, "{method} {suffix}: byte for byte");
        assert_eq!(r.header("content-type"), none.header("content-type"));
    }
    let body = json!({"institution_code": B, "login_id": "new01"});
    let r = call(
        addr,
        "POST",
        "/api/v1/admin/accounts",
        Some(&key),
        Some(&body),
    );
    assert_eq!(error_of(&r, 404), "unknown_account");
    let (_, vendor) = create_key(&server, "vendor", None);
    let b_now = admin(addr, "GET", &theirs, &vendor).json();
    assert_eq!(
        (
            b_now["disabled"].clone(),
            b_now["must_change_password"].clone()
        ),
        (json!(false), json!(false)),
        "B's account untouched"
    );

    // Audit: A's events only; its actions and reads name its id.
    let page = admin(addr, "GET", "/api/v1/admin/audit?limit=500", &key);
    assert_eq!(page.status, 200, "{}", page.text());
    let events = page.json()["events"].as_array().unwrap().clone();
    assert!(
        events
            .iter()
            .all(|e| e["institution_code"] == INSTITUTION_CODE)
    );
    assert!(events.iter().all(|e| e["login_id"] != "other01"));
    let by_key = format!("api_key={id}");
    let kinds: BTreeSet<&str> = events
        .iter()
        .filter(|e| e["detail"].as_str().is_some_and(|d| d.starts_with(&by_key)))
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "account_provisioned",
        "admin_account_read",
        "admin_unlocked",
        "admin_mfa_reset",
        "admin_password_reset",
        "admin_disabled",
        "admin_enabled",
    ] {
        assert!(kinds.contains(kind), "{kind} missing: {kinds:?}");
    }
    let filtered = admin(
        addr,
        "GET",
        &format!("/api/v1/admin/audit?institution_code={B}"),
        &key,
    );
    assert_eq!(filtered.json()["events"], json!([]));

    // Revoked with the CLI: 401 on the very next call, as for a key never issued.
    let never = admin(addr, "GET", &clerk, &"0".repeat(64));
    on_db(&server, &["api-key", "revoke", &id.to_string()]);
    let refused = admin(addr, "GET", &clerk, &key);
    assert_eq!(error_of(&refused, 401), "unauthenticated");
    assert_eq!(refused.body, never.body);
    assert_eq!(admin(addr, "GET", &clerk, &vendor).status, 200);

    // The stored log (`shikaku audit --json`) names the key's id for its reads, its
    // creation and revocation; no initial password and no key in it or in any log line.
    let audit = server.audit();
    let stored = serde_json::to_string(&audit).unwrap();
    for kind in [
        "api_key_created",
        "api_key_revoked",
        "admin_accounts_listed",
        "admin_audit_read",
    ] {
        assert!(
            audit.iter().any(|e| e["kind"] == kind
                && e["detail"].as_str().is_some_and(|d| d.starts_with(&by_key))),
            "no {kind} naming {by_key}"
        );
    }
    let log = server.stop();
    assert!(
        log.contains("TRACE") || log.contains("DEBUG"),
        "RUST_LOG=trace in effect"
    );
    for secret in initial.iter().chain([&key, &vendor]) {
        assert!(
            !log.contains(secret.as_str()),
            "{secret} in the server's log"
        );
        assert!(
            !stored.contains(secret.as_str()),
            "{secret} in the audit log"
        );
    }
}

#[test]
fn pages_return_each_of_250_accounts_once_while_accounts_are_added() {
    let _machine = shared();
    let server = Server::prepare(CHEAP)
        .add_user("seed01", PASSWORD)
        .serve("warn");
    let addr = server.addr;
    let (_, key) = create_key(&server, "pager", Some(INSTITUTION_CODE));
    std::thread::scope(|s| {
        for t in 0..5 {
            let key = &key;
            s.spawn(move || {
                for n in (t..250).step_by(5) {
                    create_account(addr, key, INSTITUTION_CODE, &format!("m{n:04}"));
                }
            });
        }
    });
    let existing: BTreeSet<String> = server
        .users()
        .iter()
        .map(|u| u["login_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(existing.len(), 251);

    // Meanwhile, accounts keep appearing before and after any cursor.
    let walking = AtomicBool::new(true);
    let (walked, added) = std::thread::scope(|s| {
        let adder = s.spawn(|| {
            let mut added = 0;
            while walking.load(Ordering::SeqCst) || added < 10 {
                for prefix in ["a", "n", "z"] {
                    create_account(addr, &key, INSTITUTION_CODE, &format!("{prefix}{added:04}"));
                }
                added += 1;
            }
            added * 3
        });
        let mut walked: Vec<String> = Vec::new();
        let mut after: Option<String> = None;
        for page_number in 0.. {
            assert!(page_number < 1000, "the pages never end");
            let path = match &after {
                Some(cursor) => format!("/api/v1/admin/accounts?limit=7&after={cursor}"),
                None => "/api/v1/admin/accounts?limit=7".to_owned(),
            };
            let r = admin(addr, "GET", &path, &key);
            assert_eq!(r.status, 200, "{}", r.text());
            let page = r.json();
            let accounts = page["accounts"].as_array().unwrap();
            assert!(accounts.len() <= 7);
            walked.extend(
                accounts
                    .iter()
                    .map(|a| a["login_id"].as_str().unwrap().to_owned()),
            );
            match page["next"].as_str() {
                Some(next) => after = Some(next.to_owned()),
                None => break,
            }
        }
        walking.store(false, Ordering::SeqCst);
        (walked, adder.join().unwrap())
    });
    assert!(added >= 30, "accounts were added during the walk");
    let unique: BTreeSet<&String> = walked.iter().collect();
    assert_eq!(unique.len(), walked.len(), "an account came twice");
    assert!(walked.windows(2).all(|w| w[0] < w[1]), "in key order");
    for login_id in &existing {
        assert!(unique.contains(login_id), "{login_id} was skipped");
    }
}
