//! The administration API (`/admin`, API keys): a key scoped to one institution
//! manages that institution's accounts and sees only its audit events; another
//! institution's account is, for it, byte for byte an absent one; a revoked key stops
//! at once; paging returns each account once while accounts are added.

use std::collections::BTreeSet;

use axum::http::{StatusCode, header};
use serde_json::{Value, json};
use shikaku::ApiKeyId;
use shikaku::testing::INSTITUTION_CODE;
use time::Duration;

use super::harness::{Api, Call, Reply, rfc3339};

const THEIRS: &str = "9876543210";

pub(super) fn account(institution: &str, login_id: &str) -> String {
    format!("/admin/accounts/{institution}/{login_id}")
}

pub(super) fn create(key: &str, body: Value) -> Call {
    Call::post("/admin/accounts", body).bearer(key)
}

fn logins(reply: &Reply) -> Vec<String> {
    reply.ok()["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            format!(
                "{}/{}",
                a["institution_code"].as_str().unwrap(),
                a["login_id"].as_str().unwrap()
            )
        })
        .collect()
}

fn events(reply: &Reply) -> Vec<Value> {
    reply.ok()["events"].as_array().unwrap().clone()
}

/// `GET path` is 404 `unknown_account`: its bytes.
async fn absent(api: &Api, key: &str, path: &str) -> Vec<u8> {
    let reply = api.send(Call::get(path).bearer(key)).await;
    reply.expect(StatusCode::NOT_FOUND, "unknown_account");
    reply.bytes
}

/// A key scoped to the kit's institution: creates, lists, reads, unlocks, resets,
/// disables and enables its accounts, every action an audit event naming its id; its
/// audit pages hold only its institution. Another institution's account answers
/// exactly as an absent one, for every call.
pub(super) async fn a_scoped_key_manages_its_institution_only(api: &Api) {
    let (key, key_id) = api.api_key(&[INSTITUTION_CODE]);
    let (vendor, _) = api.api_key(&[]);

    // ユーザ設定情報の発行: given and generated initial passwords, normalised identifiers.
    let given = api
        .send(create(
            &key,
            json!({"institution_code": INSTITUTION_CODE, "login_id": "clerk01", "initial_password": "Given#Pw12"}),
        ))
        .await;
    assert_eq!(given.status, StatusCode::CREATED);
    assert_eq!(given.json["initial_password"], "Given#Pw12");
    let generated = api
        .send(create(
            &key,
            json!({"institution_code": "０１２３４５６７８９", "login_id": "\u{3000}ｃｌｅｒｋ02 ", "initial_password": null}),
        ))
        .await;
    assert_eq!(generated.status, StatusCode::CREATED);
    assert_eq!(
        (generated.str("institution_code"), generated.str("login_id")),
        (INSTITUTION_CODE.to_owned(), "clerk02".to_owned())
    );
    api.send(create(
        &key,
        json!({"institution_code": INSTITUTION_CODE, "login_id": "clerk01"}),
    ))
    .await
    .expect(StatusCode::CONFLICT, "account_exists");
    let weak = api
        .send(create(
            &key,
            json!({"institution_code": INSTITUTION_CODE, "login_id": "clerk03", "initial_password": "weak"}),
        ))
        .await;
    weak.expect(StatusCode::UNPROCESSABLE_ENTITY, "password_policy");
    assert!(weak.json["violations"].as_array().unwrap().len() >= 3);
    api.send(create(
        &vendor,
        json!({"institution_code": THEIRS, "login_id": "other01"}),
    ))
    .await;

    // Listing: its institution only, however it asks.
    let mine = logins(&api.send(Call::get("/admin/accounts").bearer(&key)).await);
    assert_eq!(
        mine,
        [
            format!("{INSTITUTION_CODE}/clerk01"),
            format!("{INSTITUTION_CODE}/clerk02")
        ]
    );
    let filtered = api
        .send(Call::get(&format!("/admin/accounts?institution_code={THEIRS}")).bearer(&key))
        .await;
    assert!(logins(&filtered).is_empty());
    let all = logins(&api.send(Call::get("/admin/accounts").bearer(&vendor)).await);
    assert_eq!(all.len(), 3);

    // Another institution's account is an absent one, for every call, byte for byte.
    let theirs = absent(api, &key, &account(THEIRS, "other01")).await;
    assert_eq!(
        theirs,
        absent(api, &key, &account(INSTITUTION_CODE, "nobody01")).await
    );
    for action in ["reset-mfa", "reset-password", "disable", "enable"] {
        for target in [
            account(THEIRS, "other01"),
            account(INSTITUTION_CODE, "nobody01"),
        ] {
            let reply = api
                .send(Call::post_empty(&format!("{target}/{action}")).bearer(&key))
                .await;
            reply.expect(StatusCode::NOT_FOUND, "unknown_account");
            assert_eq!(reply.bytes, theirs, "{target}/{action}");
        }
    }
    let reply = api
        .send(Call::post_empty(&format!("{}/unlock", account(THEIRS, "other01"))).bearer(&key))
        .await;
    assert_eq!(
        (reply.status, &reply.bytes),
        (StatusCode::NOT_FOUND, &theirs)
    );
    let reply = api
        .send(create(
            &key,
            json!({"institution_code": THEIRS, "login_id": "new01"}),
        ))
        .await;
    assert_eq!(
        (reply.status, &reply.bytes),
        (StatusCode::NOT_FOUND, &theirs)
    );
    let other = api
        .send(Call::get(&account(THEIRS, "other01")).bearer(&vendor))
        .await;
    assert_eq!(other.ok()["disabled"], false, "nothing happened to it");

    // Its own accounts: lock, read, unlock, reset, disable, enable.
    for _ in 0..3 {
        api.login("clerk01", "Wrong#Pw1").await;
    }
    let clerk = account(INSTITUTION_CODE, "clerk01");
    let state = api.send(Call::get(&clerk).bearer(&key)).await;
    let until = rfc3339(api.now() + Duration::minutes(30));
    assert_eq!(state.ok()["password_locked_until"], until.as_str());
    assert_eq!(state.json["enrolled"], false);
    assert_eq!(state.json["passcode_locked_until"], Value::Null);
    api.send(Call::post_empty(&format!("{clerk}/unlock")).bearer(&key))
        .await
        .no_content();
    let state = api.send(Call::get(&clerk).bearer(&key)).await;
    assert_eq!(state.ok()["password_locked_until"], Value::Null);
    api.login_token("clerk01", "Given#Pw12").await;
    api.send(Call::post_empty(&format!("{clerk}/reset-mfa")).bearer(&key))
        .await
        .no_content();
    let reset = api
        .send(Call::post_empty(&format!("{clerk}/reset-password")).bearer(&key))
        .await;
    let new_password = reset.ok()["initial_password"].as_str().unwrap().to_owned();
    assert_ne!(new_password, "Given#Pw12");
    assert_eq!(
        api.send(Call::get(&clerk).bearer(&key)).await.ok()["must_change_password"],
        true
    );
    api.login_token("clerk01", &new_password).await;
    api.send(Call::post_empty(&format!("{clerk}/disable")).bearer(&key))
        .await
        .no_content();
    api.login("clerk01", &new_password)
        .await
        .expect(StatusCode::FORBIDDEN, "account_disabled");
    api.send(Call::post_empty(&format!("{clerk}/enable")).bearer(&key))
        .await
        .no_content();
    api.login_token("clerk01", &new_password).await;
    // An identifier of its institution without an account: its counters are cleared.
    api.send(
        Call::post_empty(&format!("{}/unlock", account(INSTITUTION_CODE, "nobody01"))).bearer(&key),
    )
    .await
    .no_content();

    // Audit: its institution's events only, newest first; its actions name its id.
    let seen = events(
        &api.send(Call::get("/admin/audit?limit=500").bearer(&key))
            .await,
    );
    assert!(
        seen.iter()
            .all(|e| e["institution_code"] == INSTITUTION_CODE),
        "{seen:#?}"
    );
    assert!(
        seen.windows(2)
            .all(|w| w[0]["seq"].as_i64() > w[1]["seq"].as_i64())
    );
    let by_key = format!("api_key={key_id}");
    let admin_kinds: BTreeSet<&str> = seen
        .iter()
        .filter(|e| e["detail"] == by_key.as_str())
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        admin_kinds,
        BTreeSet::from([
            "account_provisioned",
            "admin_unlocked",
            "admin_mfa_reset",
            "admin_password_reset",
            "admin_disabled",
            "admin_enabled"
        ])
    );
    // Its reads of one account are events too (pages name no account: not shown here).
    let read = format!("{by_key} account");
    assert!(
        seen.iter()
            .any(|e| e["kind"] == "admin_account_read" && e["detail"] == read.as_str())
    );
    assert!(seen.iter().all(|e| e["channel"] != "admin"
        || e["detail"] == by_key.as_str()
        || (e["kind"] == "admin_account_read" && e["detail"] == read.as_str())));
    let vendor_saw = events(
        &api.send(Call::get("/admin/audit?kind=admin_accounts_listed").bearer(&vendor))
            .await,
    );
    assert!(vendor_saw.iter().any(|e| {
        e["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with(&format!("{by_key} accounts institution=")))
    }));
    let theirs_too = events(
        &api.send(Call::get("/admin/audit?limit=500").bearer(&vendor))
            .await,
    );
    assert!(theirs_too.iter().any(|e| e["institution_code"] == THEIRS));
    assert!(
        events(
            &api.send(Call::get(&format!("/admin/audit?institution_code={THEIRS}")).bearer(&key))
                .await
        )
        .is_empty()
    );
    // Filters.
    let unlocks = events(
        &api.send(Call::get("/admin/audit?kind=admin_unlocked&login_id=clerk01").bearer(&key))
            .await,
    );
    assert_eq!(unlocks.len(), 1);
    let now = rfc3339(api.now());
    let later = rfc3339(api.now() + Duration::seconds(1));
    assert!(
        events(
            &api.send(Call::get(&format!("/admin/audit?since={later}")).bearer(&key))
                .await
        )
        .is_empty()
    );
    assert_eq!(
        events(
            &api.send(
                Call::get(&format!("/admin/audit?until={later}&since={now}&limit=500"))
                    .bearer(&key)
            )
            .await
        )
        .len(),
        seen.len()
    );
    // Paging the audit log: each event once.
    let mut paged = Vec::new();
    let mut uri = "/admin/audit?limit=4".to_owned();
    for page_number in 0.. {
        assert!(page_number < 500, "the pages never end");
        let reply = api.send(Call::get(&uri).bearer(&key)).await;
        paged.extend(events(&reply).iter().map(|e| e["seq"].as_i64().unwrap()));
        match reply.json["next"].as_i64() {
            Some(next) => uri = format!("/admin/audit?limit=4&after={next}"),
            None => break,
        }
    }
    let all_seqs: Vec<i64> = seen.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(paged, all_seqs);
}

/// Wrong, revoked and missing keys are one answer, and a revocation holds from the
/// very next call.
pub(super) async fn a_revoked_key_stops_at_once(api: &Api) {
    let (key, id) = api.api_key(&[INSTITUTION_CODE]);
    api.send(Call::get("/admin/accounts").bearer(&key))
        .await
        .ok();
    let unknown = api
        .send(Call::get("/admin/accounts").bearer(&"5".repeat(64)))
        .await;
    unknown.expect(StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(
        unknown.headers[header::WWW_AUTHENTICATE],
        "Bearer realm=\"shikaku\""
    );
    assert!(api.service.revoke_api_key(ApiKeyId(id)).unwrap());
    let revoked = api.send(Call::get("/admin/accounts").bearer(&key)).await;
    assert_eq!(
        (revoked.status, &revoked.bytes),
        (unknown.status, &unknown.bytes)
    );
    for call in [
        Call::get("/admin/accounts"),
        Call::get("/admin/accounts").header(header::AUTHORIZATION, &key),
        Call::get("/admin/accounts").bearer(&key.to_uppercase()),
        Call::get("/admin/accounts").bearer(&key[1..]),
        Call::get(&format!("/admin/accounts?api_key={key}")),
        Call::post_empty(&format!("{}/unlock", account(INSTITUTION_CODE, "staff01"))).bearer(&key),
    ] {
        let reply = api.send(call).await;
        assert_eq!(
            (reply.status, &reply.bytes),
            (unknown.status, &unknown.bytes)
        );
    }
    // A session token is not an API key either.
    api.provision("staff01");
    let (_, session) = api.enroll("staff01").await;
    let reply = api
        .send(Call::get("/admin/accounts").bearer(&session))
        .await;
    assert_eq!(reply.bytes, unknown.bytes);
}

/// Paging through 250 accounts while accounts are added before and after the cursor:
/// every one of the 250 exactly once, in order.
pub(super) async fn paging_returns_each_account_once_while_accounts_are_added(api: &Api) {
    let (key, _) = api.api_key(&[INSTITUTION_CODE]);
    let (other, _) = api.api_key(&[THEIRS]);
    let mut existing = BTreeSet::new();
    for n in 0..250 {
        let id = format!("m{n:03}");
        api.service.provision(&api.key(&id), None).unwrap();
        existing.insert(format!("{INSTITUTION_CODE}/{id}"));
    }
    let mut walked = Vec::new();
    let mut uri = "/admin/accounts?limit=7".to_owned();
    let mut added = 0;
    for page_number in 0.. {
        assert!(page_number < 500, "the pages never end");
        let reply = api.send(Call::get(&uri).bearer(&key)).await;
        let page = logins(&reply);
        assert!(page.len() <= 7);
        walked.extend(page);
        // Meanwhile: before the cursor, after it, and in another institution.
        for login_id in [format!("a{added:03}"), format!("z{added:03}")] {
            api.send(create(
                &key,
                json!({"institution_code": INSTITUTION_CODE, "login_id": login_id}),
            ))
            .await;
        }
        api.send(create(
            &other,
            json!({"institution_code": THEIRS, "login_id": format!("t{added:03}")}),
        ))
        .await;
        added += 1;
        match reply.json["next"].as_str() {
            Some(next) => uri = format!("/admin/accounts?limit=7&after={next}"),
            None => break,
        }
    }
    let unique: BTreeSet<String> = walked.iter().cloned().collect();
    assert_eq!(unique.len(), walked.len(), "an account came twice");
    assert!(walked.windows(2).all(|w| w[0] < w[1]), "in order");
    assert!(existing.is_subset(&unique), "an account was skipped");
    assert!(walked.iter().all(|k| k.starts_with(INSTITUTION_CODE)));
    assert!(added >= 36, "{added} pages");
}
