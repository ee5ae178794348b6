//! Administration over the JSON API on three nodes: an API key created with the CLI works
//! on every node at once, and a revocation with the CLI holds on every node from the very
//! next request (nodes keep no copy of a key: each call asks the shared database).

use serde_json::Value;
use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};

use crate::cluster::{CHEAP, Cluster, NODES, config};
use crate::http::{call, error_of};

/// `shikaku api-key create --institution <ours> --json` against the database: (id, key).
fn create_key(cluster: &Cluster, name: &str) -> (i64, String) {
    let out = cluster.cli(&[
        "api-key",
        "create",
        "--name",
        name,
        "--institution",
        INSTITUTION_CODE,
        "--json",
    ]);
    let created: Value = serde_json::from_str(out.trim()).expect("`api-key create --json`");
    let id = created["id"].as_i64().expect("an id");
    let key = created["key"].as_str().expect("the key").to_owned();
    assert_eq!(key.len(), 64, "{created}");
    (id, key)
}

fn account_path(login_id: &str) -> String {
    format!("/api/v1/admin/accounts/{INSTITUTION_CODE}/{login_id}")
}

#[test]
fn a_revoked_key_stops_working_at_once_on_every_node() {
    let cluster = Cluster::start(&config("", CHEAP), &["admin01"], INITIAL_PASSWORD);
    let (id, key) = create_key(&cluster, "clinic-sync");
    let (_, other) = create_key(&cluster, "other-sync");

    // Known at once on every node (none of them was restarted).
    for node in 0..NODES {
        let r = call(
            cluster.addr(node),
            "GET",
            &account_path("admin01"),
            Some(&key),
            None,
        );
        assert_eq!(r.status, 200, "node {node}: {}", r.text());
        assert_eq!(r.json()["login_id"], "admin01");
        let r = call(
            cluster.addr(node),
            "POST",
            &format!("{}/unlock", account_path("admin01")),
            Some(&key),
            None,
        );
        assert_eq!(r.status, 204, "node {node}: {}", r.text());
    }

    // Revoked with the CLI against the database…
    let out = cluster.cli(&["api-key", "revoke", &id.to_string()]);
    assert!(out.contains("revoked"), "{out}");

    // …and refused by every node on its very next request, reads and changes alike,
    // with the answer of a key never issued.
    let unknown = call(
        cluster.addr(0),
        "GET",
        &account_path("admin01"),
        Some(&"0".repeat(64)),
        None,
    );
    assert_eq!(error_of(&unknown, 401), "unauthenticated");
    for node in 0..NODES {
        let addr = cluster.addr(node);
        let read = call(addr, "GET", &account_path("admin01"), Some(&key), None);
        assert_eq!(error_of(&read, 401), "unauthenticated", "node {node}");
        assert_eq!(read.body, unknown.body, "node {node}");
        let unlock = format!("{}/unlock", account_path("admin01"));
        let change = call(addr, "POST", &unlock, Some(&key), None);
        assert_eq!(error_of(&change, 401), "unauthenticated", "node {node}");
        let list = call(addr, "GET", "/api/v1/admin/accounts", Some(&key), None);
        assert_eq!(error_of(&list, 401), "unauthenticated", "node {node}");
        // Another key is not affected.
        let r = call(addr, "GET", &account_path("admin01"), Some(&other), None);
        assert_eq!(r.status, 200, "node {node}: {}", r.text());
    }

    // The list says so; the audit log names the key's id for its calls and its
    // revocation, and never holds the key.
    let listed: Vec<Value> =
        crate::cluster::json_lines(&cluster.cli(&["api-key", "list", "--json"]));
    let revoked = listed
        .iter()
        .find(|k| k["id"] == id)
        .expect("the key is listed");
    assert!(revoked["revoked_at"].is_string(), "{revoked}");
    assert!(revoked.get("key").is_none(), "{revoked}");
    let audit = cluster.audit();
    let by_key = format!("api_key={id}");
    let named = |kind: &str| {
        audit
            .iter()
            .filter(|e| {
                e["kind"] == kind
                    && e["detail"]
                        .as_str()
                        .is_some_and(|d| d.split(' ').next() == Some(by_key.as_str()))
            })
            .count()
    };
    assert_eq!(named("admin_unlocked"), NODES);
    assert_eq!(named("admin_account_read"), NODES);
    assert_eq!(named("api_key_created"), 1);
    assert_eq!(named("api_key_revoked"), 1);
    let text = serde_json::to_string(&audit).expect("JSON");
    assert!(!text.contains(&key), "the key is in the audit log");
    cluster.assert_no_panic();
}
