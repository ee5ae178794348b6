//! Guess storms over three nodes: however many guesses arrive at once, on whichever node
//! and through whichever door, at most 3 are verified, then every node answers the lock.

use serde_json::json;
use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};

use crate::client::{Browser, Response};
use crate::cluster::{CHEAP, Cluster, MANUAL_COST, NODES, account_login_id, config, count};
use crate::flows::{api_enroll, api_login, credentials, login, passcode_body, ticket_holder};
use crate::http::{Shot, all_at_once, call, call_bytes, code_of, error_of};
use crate::{m, says_passcode_locked, says_password_locked};

const PASSWORD_GUESSES: usize = 60;
const PASSCODE_GUESSES: usize = 50;

/// The three doors a password goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Door {
    Screen,
    ApiLogin,
    ApiAuthenticate,
}

const DOORS: [Door; 3] = [Door::Screen, Door::ApiLogin, Door::ApiAuthenticate];

/// One password attempt through `door` on node `node`, ready to send.
fn password_shot(
    cluster: &Cluster,
    node: usize,
    door: Door,
    login_id: &str,
    password: &str,
) -> Shot {
    let addr = cluster.addr(node);
    match door {
        Door::Screen => {
            let mut b = cluster.browser(node);
            let form = b.get("/login");
            assert_eq!(form.status, 200, "{}", form.text());
            let bytes = b.form_bytes(
                "/login",
                &[
                    ("institution_code", INSTITUTION_CODE),
                    ("login_id", login_id),
                    ("password", password),
                ],
            );
            (b, bytes)
        }
        Door::ApiLogin => {
            let body = credentials(login_id, password);
            (
                Browser::new(addr),
                call_bytes(addr, "POST", "/api/v1/login", None, Some(&body)),
            )
        }
        Door::ApiAuthenticate => {
            let body = json!({
                "institution_code": INSTITUTION_CODE, "login_id": login_id,
                "password": password, "passcode": "123456",
            });
            (
                Browser::new(addr),
                call_bytes(addr, "POST", "/api/v1/authenticate", None, Some(&body)),
            )
        }
    }
}

/// Whether an answer said "locked"; panics on anything but "wrong" or "locked".
fn locked_answer(door: Door, r: &Response) -> bool {
    match door {
        Door::Screen => {
            if says_password_locked(r) {
                return true;
            }
            r.assert_page(m().err_invalid_credentials);
            false
        }
        Door::ApiLogin | Door::ApiAuthenticate => match code_of(r).as_str() {
            "locked" => {
                assert_eq!(r.status, 423);
                assert!(r.json()["locked_until"].is_string(), "{}", r.text());
                true
            }
            "invalid_credentials" => {
                assert_eq!(r.status, 401);
                false
            }
            other => panic!("{door:?}: unexpected answer {other:?}: {}", r.text()),
        },
    }
}

/// The refusals of the lock in the audit trail: one per `kind` event, or the `count=N`
/// its detail reports for a lock period.
fn refusals(events: &[serde_json::Value], kind: &str, login_id: &str) -> usize {
    events
        .iter()
        .filter(|e| e["kind"] == kind && account_login_id(e).as_deref() == Some(login_id))
        .map(|e| {
            let detail = e["detail"].as_str().unwrap_or("");
            detail
                .split_whitespace()
                .find_map(|w| w.strip_prefix("count=")?.parse().ok())
                .unwrap_or(1)
        })
        .sum()
}

/// 60 wrong passwords for one account, released together by a barrier, spread over the
/// three nodes and over [ログイン], `POST /api/v1/login` and `POST /api/v1/authenticate`,
/// with the manual's argon2 cost: at most 3 are verified (the audit log's
/// `password_failed`), every other one meets the lock, and afterwards every node and
/// every door answers the lock — to the right password too.
#[test]
fn sixty_wrong_passwords_over_three_nodes_get_three_verifications_then_the_lock() {
    let id = "pwstorm01";
    let cluster = Cluster::start(&config("", MANUAL_COST), &[id], INITIAL_PASSWORD);
    let shots: Vec<(Door, Shot)> = (0..PASSWORD_GUESSES)
        .map(|i| {
            let node = i % NODES;
            let door = DOORS[(i / NODES) % DOORS.len()];
            let shot = password_shot(&cluster, node, door, id, &format!("Wrong#Pass{i:02}"));
            (door, shot)
        })
        .collect();
    let doors: Vec<Door> = shots.iter().map(|(d, _)| *d).collect();
    let answers = all_at_once(shots.into_iter().map(|(_, s)| s).collect());
    let mut said_wrong = 0;
    for (door, (_, r)) in doors.iter().zip(&answers) {
        if !locked_answer(*door, r) {
            said_wrong += 1;
        }
    }

    // The lock on every node, through every door, for the right password.
    for node in 0..NODES {
        for door in DOORS {
            let (mut b, bytes) = password_shot(&cluster, node, door, id, INITIAL_PASSWORD);
            let r = crate::client::send(b.addr, &bytes);
            b.absorb(&r);
            assert!(
                locked_answer(door, &r),
                "node {node}, {door:?}: the right password was not met by the lock: {}",
                r.text()
            );
        }
    }

    let events = cluster.audit();
    let verified = count(&events, "password_failed", id);
    let refused = refusals(&events, "password_attempt_while_locked", id);
    let locked_answers = PASSWORD_GUESSES - said_wrong;
    println!(
        "password storm (3 nodes, argon2 19 MiB t=2): {PASSWORD_GUESSES} sent at once → \
         {verified} verified, {locked_answers} answered 'locked', {said_wrong} 'wrong'; \
         audit: {refused} refusal(s) recorded so far"
    );
    assert!(verified <= 3, "{verified} wrong passwords were verified");
    assert_eq!(verified, 3, "the lock needs exactly 3 failures");
    assert!(
        said_wrong <= 2,
        "{said_wrong} answers said 'wrong password': the third failure must lock"
    );
    // Every refusal is in the trail: one event per request, or (once the facade
    // records one per lock period) at least the period's first.
    let every = PASSWORD_GUESSES - 3 + NODES * DOORS.len();
    assert!(
        (1..=every).contains(&refused),
        "{refused} refusals recorded, of {every}"
    );
    assert_eq!(count(&events, "password_locked", id), 1);
    assert_eq!(count(&events, "password_accepted", id), 0);
    let users = cluster.users();
    let row = users
        .iter()
        .find(|u| u["login_id"] == id)
        .expect("the account in `user list`");
    assert!(row["password_locked_until"].is_string(), "{row}");
    cluster.assert_no_panic();
}

/// A registered account; 12 logins half-way (a screen browser and an API login token per
/// node, twice), then 50 wrong passcodes released together over the three nodes — the
/// API's login tokens on any node, the screens' on their own: at most 3 are verified
/// (`passcode_failed`), the lock voids every pending login, and the right passcode
/// opens no session anywhere.
#[test]
fn fifty_wrong_passcodes_over_three_nodes_get_three_verifications_then_the_lock() {
    let id = "pcstorm01";
    let cluster = Cluster::start(&config("", CHEAP), &[id], INITIAL_PASSWORD);
    let (mut auth, _session) = api_enroll(cluster.addr(0), id, INITIAL_PASSWORD);

    let mut screens: Vec<Browser> = Vec::new();
    let mut tokens: Vec<String> = Vec::new();
    for round in 0..2 {
        for node in 0..NODES {
            let mut b = cluster.browser(node);
            ticket_holder(&mut b, id, INITIAL_PASSWORD);
            screens.push(b);
            tokens.push(api_login(
                cluster.addr(node + round),
                id,
                INITIAL_PASSWORD,
                "passcode",
            ));
        }
    }
    let wrong = auth.wrong_code();
    let shots: Vec<(bool, Shot)> = (0..PASSCODE_GUESSES)
        .map(|i| {
            if i % 2 == 0 {
                let b = screens[(i / 2) % screens.len()].clone();
                let bytes = b.form_bytes("/login/passcode", &[("passcode", &wrong)]);
                (true, (b, bytes))
            } else {
                // A login token works on any node: send it to the next one round.
                let addr = cluster.addr(i);
                let body = passcode_body(&tokens[(i / 2) % tokens.len()], &wrong);
                let bytes = call_bytes(addr, "POST", "/api/v1/passcode", None, Some(&body));
                (false, (Browser::new(addr), bytes))
            }
        })
        .collect();
    let kinds: Vec<bool> = shots.iter().map(|(s, _)| *s).collect();
    let answers = all_at_once(shots.into_iter().map(|(_, s)| s).collect());
    let mut said_wrong = 0;
    for (screen, (_, r)) in kinds.iter().zip(&answers) {
        if *screen {
            if r.status == 303 {
                // The ticket this browser held was voided by the lock.
                assert_eq!(r.location(), "/login", "{r:?}");
            } else if !says_passcode_locked(r) {
                r.assert_page(m().err_passcode_wrong);
                said_wrong += 1;
            }
        } else {
            match code_of(r).as_str() {
                "invalid_passcode" => said_wrong += 1,
                "locked" | "unauthenticated" => {}
                other => panic!("unexpected answer {other:?}: {}", r.text()),
            }
        }
    }

    // The right passcode, on every held login and every node: no session.
    let right = auth.next_code();
    for (i, b) in screens.iter_mut().enumerate() {
        let r = b.post("/login/passcode", &[("passcode", &right)]);
        assert_eq!(r.redirect(), "/login", "screen login {i} survived the lock");
    }
    for (i, t) in tokens.iter().enumerate() {
        let r = call(
            cluster.addr(i + 2),
            "POST",
            "/api/v1/passcode",
            None,
            Some(&passcode_body(t, &right)),
        );
        let code = error_of(&r, r.status);
        assert!(
            code == "unauthenticated" || code == "locked",
            "API login token {i} after the lock: {code}"
        );
    }
    // A new login meets the lock at the password, on every node.
    for node in 0..NODES {
        let mut b = cluster.browser(node);
        let r = login(&mut b, id, INITIAL_PASSWORD);
        assert!(says_password_locked(&r), "node {node}: {r:?}");
        let r = call(
            cluster.addr(node),
            "POST",
            "/api/v1/login",
            None,
            Some(&credentials(id, INITIAL_PASSWORD)),
        );
        assert_eq!(error_of(&r, 423), "locked", "node {node}");
    }

    let events = cluster.audit();
    let verified = count(&events, "passcode_failed", id) + count(&events, "replay_refused", id);
    let refused = refusals(&events, "passcode_attempt_while_locked", id);
    println!(
        "passcode storm (3 nodes): {PASSCODE_GUESSES} sent at once over 12 logins → \
         {verified} verified, {refused} refused by the lock, {said_wrong} answered 'wrong'"
    );
    assert!(verified <= 3, "{verified} wrong passcodes were verified");
    assert_eq!(verified, 3, "the lock needs exactly 3 failures");
    assert!(
        said_wrong <= 2,
        "{said_wrong} answers said 'wrong passcode'"
    );
    assert_eq!(count(&events, "passcode_locked", id), 1);
    // One session: the registration's.
    assert_eq!(count(&events, "session_started", id), 1);
    cluster.assert_no_panic();
}
