//! One passcode, one session — also when the same code reaches every node at once.

use shikaku::testing::{INITIAL_PASSWORD, full_width};

use crate::client::{Browser, Response};
use crate::cluster::{CHEAP, Cluster, NODES, config, count};
use crate::flows::{api_enroll, api_login, api_whoami, passcode_body, ticket_holder};
use crate::http::{Shot, all_at_once, call_bytes, code_of};
use crate::{m, says_passcode_locked};

/// One login half-way per node and door (a screen browser, an API login token) for
/// `login_id`; each sends `passcode` to its own node, all at the same moment. Returns
/// the successes (the browser or the session token) and the answers.
fn race(cluster: &Cluster, login_id: &str, passcode: &str) -> (Vec<Success>, Vec<Response>) {
    let mut shots: Vec<(bool, Shot)> = Vec::new();
    for node in 0..NODES {
        let mut b = cluster.browser(node);
        ticket_holder(&mut b, login_id, INITIAL_PASSWORD);
        let bytes = b.form_bytes("/login/passcode", &[("passcode", passcode)]);
        shots.push((true, (b, bytes)));
        let addr = cluster.addr(node);
        let token = api_login(addr, login_id, INITIAL_PASSWORD, "passcode");
        let body = passcode_body(&token, passcode);
        let bytes = call_bytes(addr, "POST", "/api/v1/passcode", None, Some(&body));
        shots.push((false, (Browser::new(addr), bytes)));
    }
    let screens: Vec<bool> = shots.iter().map(|(s, _)| *s).collect();
    let answers = all_at_once(shots.into_iter().map(|(_, s)| s).collect());
    let mut successes = Vec::new();
    let mut responses = Vec::new();
    for (screen, (b, r)) in screens.into_iter().zip(answers) {
        if screen {
            if r.status == 303 && r.location() == "/menu" {
                successes.push(Success::Screen(b));
            } else if r.status == 303 {
                // The lock (the losers' replays count as failures) voided this login.
                assert_eq!(r.location(), "/login", "{r:?}");
            } else if !says_passcode_locked(&r) {
                r.assert_page(m().err_passcode_wrong);
            }
        } else if r.status == 200 {
            successes.push(Success::Api(crate::flows::session_token(&r)));
        } else {
            let code = code_of(&r);
            assert!(
                ["invalid_passcode", "locked", "unauthenticated"].contains(&code.as_str()),
                "unexpected answer {code:?}: {}",
                r.text()
            );
        }
        responses.push(r);
    }
    (successes, responses)
}

/// Who got in.
enum Success {
    Screen(Browser),
    Api(String),
}

impl Success {
    /// The session opens [メニュー] / `GET /session` on every node.
    fn assert_alive(&mut self, cluster: &Cluster, login_id: &str) {
        for node in 0..NODES {
            match self {
                Self::Screen(b) => {
                    let mut there = cluster.browser(node);
                    there.cookie = b.cookie.clone();
                    there.get("/menu").assert_page(login_id);
                }
                Self::Api(token) => {
                    let r = api_whoami(cluster.addr(node), token);
                    assert_eq!(r.status, 200, "node {node}: {}", r.text());
                }
            }
        }
    }
}

/// A registered account. One valid passcode is sent at the same moment to all three
/// nodes, through the screens and the API (six logins half-way): exactly one answer
/// opens a session, and the audit log has one more `session_started`. Then (after an
/// administrator's unlock: the five losers' replays count as wrong passcodes, and the
/// third locks) the same race with the next code in its full-width spelling
/// `１２３４５６`: again one session.
#[test]
fn one_passcode_sent_to_three_nodes_at_once_opens_one_session() {
    let id = "replay01";
    let cluster = Cluster::start(&config("", CHEAP), &[id], INITIAL_PASSWORD);
    let (mut auth, _) = api_enroll(cluster.addr(0), id, INITIAL_PASSWORD);
    let mut figures = Vec::new();
    for (round, spelling) in ["ASCII", "full-width"].into_iter().enumerate() {
        let before = count(&cluster.audit(), "session_started", id);
        let code = auth.next_code();
        let code = if round == 0 { code } else { full_width(&code) };
        let (mut successes, answers) = race(&cluster, id, &code);
        let events = cluster.audit();
        let started = count(&events, "session_started", id) - before;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        println!(
            "one {spelling} passcode ({code}) to {NODES} nodes × 2 doors at once → \
             {} success answer(s), {started} session(s) started; statuses {statuses:?}",
            successes.len()
        );
        assert_eq!(successes.len(), 1, "{spelling}: {answers:#?}");
        assert_eq!(started, 1, "{spelling}: sessions started by one code");
        successes[0].assert_alive(&cluster, id);
        figures.push(started);
        cluster.unlock(id);
    }
    assert_eq!(figures, [1, 1]);
    cluster.assert_no_panic();
}
