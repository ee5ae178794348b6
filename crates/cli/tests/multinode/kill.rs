//! SIGKILL of one node in the middle of logins, registrations and password changes.
//!
//! ```text
//!  setup: 4 accounts registered (a session each), 18 only provisioned, "counted"
//!         (2 wrong passwords on B), "locked" (3 wrong passwords on B)
//!  4 change threads: change the password / log in with it, on A, B, C in turn
//!  3 registration threads: 6 first logins each (password, setup key, first code), the
//!         three calls of one registration on three different nodes
//!  after a random number of registrations (3–9): SIGKILL to B
//!  a call B never answered is in doubt: resolved on A or C once B is dead (exactly one
//!         of the old and the new password logs in; the registration did or did not
//!         happen), then the thread carries on on A and C
//!  end: every confirmed password logs in and its predecessors are refused as reuse
//!       (the history survived), every registration logs in with its Authenticator,
//!       "counted" locks at its third failure, "locked" is still locked, and
//!       `user list --json` agrees
//! ```

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, sleep};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use shikaku::testing::INITIAL_PASSWORD;

use crate::client::Response;
use crate::cluster::{CHEAP, Cluster, config};
use crate::flows::{Authenticator, api_enroll, api_session, credentials, passcode_body};
use crate::http::{call, call_bytes, error_of, try_send};

const VICTIM: usize = 1;
const LIVE: [usize; 2] = [0, 2];
const CHANGERS: usize = 4;
const REGISTRARS: usize = 3;
const REGISTRATIONS_EACH: usize = 6;
/// Successful operations each change thread performs after the kill.
const AFTER_KILL: usize = 6;
const TIMEOUT: Duration = Duration::from_secs(15);
const WORDS: [&str; 7] = [
    "Alpha", "Bravo", "Charl", "Delta", "Echoo", "Foxtr", "Golfy",
];

/// Password generation `g` of change account `index` (0: the initial password). All
/// under 13 characters with different first 5 characters, so every change passes the
/// history rules and a reused one is refused.
fn password(index: usize, g: usize) -> String {
    match g {
        0 => INITIAL_PASSWORD.to_owned(),
        _ => format!("{}#7{index:02}", WORDS[(g - 1) % WORDS.len()]),
    }
}

/// What the threads share.
struct Shared {
    addrs: Vec<SocketAddr>,
    killed: AtomicBool,
    registered: AtomicUsize,
    in_doubt: AtomicUsize,
    answered_after_kill: [AtomicUsize; 3],
}

impl Shared {
    /// Sends `bytes` to node `node`. An answer; or, from the victim only, `None` once the
    /// kill is confirmed (and the dead node's last transactions have ended).
    fn send(&self, node: usize, bytes: &[u8]) -> Option<Response> {
        let killed_before = self.killed.load(Ordering::SeqCst);
        match try_send(self.addrs[node], bytes, TIMEOUT) {
            Ok(r) => {
                if killed_before {
                    self.answered_after_kill[node].fetch_add(1, Ordering::Relaxed);
                }
                Some(r)
            }
            Err(e) => {
                assert_eq!(node, VICTIM, "node {node} failed without being killed: {e}");
                let since = Instant::now();
                while !self.killed.load(Ordering::SeqCst) {
                    assert!(since.elapsed() < TIMEOUT, "B failed before the kill: {e}");
                    sleep(Duration::from_millis(5));
                }
                // Its connections are closed: PostgreSQL rolls back what it had not
                // committed. A moment for that before anyone reads.
                sleep(Duration::from_millis(300));
                self.in_doubt.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// The next node to use: all three in turn until the kill, then A and C.
    fn pick(&self, turn: usize) -> usize {
        if self.killed.load(Ordering::SeqCst) {
            LIVE[turn % LIVE.len()]
        } else {
            turn % 3
        }
    }

    fn addr(&self, node: usize) -> SocketAddr {
        self.addrs[node]
    }

    /// One JSON call through [`Shared::send`].
    fn request(
        &self,
        node: usize,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<&Value>,
    ) -> Option<Response> {
        self.send(
            node,
            &call_bytes(self.addr(node), method, path, bearer, body),
        )
    }

    /// One JSON call to a live node, which must answer.
    fn call(
        &self,
        node: usize,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        call(self.addr(node), method, path, bearer, body)
    }
}

/// A change account as its thread knows it.
struct Changer {
    index: usize,
    session: String,
    /// The generation in force (the server confirmed it, or a doubt was resolved).
    current: usize,
}

impl Changer {
    fn id(&self) -> String {
        format!("chg{:02}", self.index)
    }

    fn password(&self, g: usize) -> String {
        password(self.index, g)
    }

    /// `POST /api/v1/login` with generation `g` on a live node: whether it logged in.
    fn logs_in(&self, shared: &Shared, node: usize, g: usize) -> bool {
        let body = credentials(&self.id(), &self.password(g));
        let r = shared.call(node, "POST", "/api/v1/login", None, Some(&body));
        match r.status {
            200 => true,
            _ => {
                assert_eq!(error_of(&r, 401), "invalid_credentials", "{}", self.id());
                false
            }
        }
    }

    /// A change B never answered: exactly one of the two passwords logs in.
    fn resolve(&mut self, shared: &Shared, turn: usize) {
        let node = LIVE[turn % LIVE.len()];
        let new = self.logs_in(shared, node, self.current + 1);
        let old = self.logs_in(shared, LIVE[(turn + 1) % LIVE.len()], self.current);
        assert!(
            new != old,
            "{}: after the kill, old password logs in: {old}, new: {new}",
            self.id()
        );
        if new {
            self.current += 1;
        }
    }

    fn run(&mut self, shared: &Shared) {
        let mut after_kill = 0;
        for turn in self.index.. {
            if shared.killed.load(Ordering::SeqCst) && after_kill >= AFTER_KILL {
                return;
            }
            let killed_before = shared.killed.load(Ordering::SeqCst);
            let node = shared.pick(turn);
            let ok = if turn % 3 == 2 {
                let body = credentials(&self.id(), &self.password(self.current));
                let answer = shared.request(node, "POST", "/api/v1/login", None, Some(&body));
                answer.map(|r| {
                    assert_eq!(
                        r.status,
                        200,
                        "{}: login on {node}: {}",
                        self.id(),
                        r.text()
                    );
                })
            } else {
                let next = self.password(self.current + 1);
                let body = json!({
                    "current_password": self.password(self.current),
                    "new_password": next, "new_password_confirm": next,
                });
                let session = Some(self.session.as_str());
                match shared.request(node, "POST", "/api/v1/password", session, Some(&body)) {
                    Some(r) => {
                        assert_eq!(
                            r.status,
                            204,
                            "{}: change on {node}: {}",
                            self.id(),
                            r.text()
                        );
                        self.current += 1;
                        Some(())
                    }
                    None => {
                        self.resolve(shared, turn);
                        None
                    }
                }
            };
            if ok.is_some() && killed_before {
                after_kill += 1;
            }
        }
    }

    /// The password in force logs in on A and C; every earlier one still in the history
    /// (up to 4) is refused as a reuse; the next change works.
    fn check(&mut self, shared: &Shared) {
        let session = Some(self.session.as_str());
        for node in LIVE {
            assert!(self.logs_in(shared, node, self.current), "{}", self.id());
        }
        for back in 1..=self.current.min(4) {
            let old = self.password(self.current - back);
            let body = json!({
                "current_password": self.password(self.current),
                "new_password": old, "new_password_confirm": old,
            });
            let r = shared.call(
                LIVE[back % 2],
                "POST",
                "/api/v1/password",
                session,
                Some(&body),
            );
            assert_eq!(
                error_of(&r, 422),
                "password_policy",
                "{}: generation {} of {} was accepted again: the history lost it",
                self.id(),
                self.current - back,
                self.current
            );
        }
        let next = self.password(self.current + 1);
        let body = json!({
            "current_password": self.password(self.current),
            "new_password": next, "new_password_confirm": next,
        });
        let r = shared.call(LIVE[0], "POST", "/api/v1/password", session, Some(&body));
        assert_eq!(r.status, 204, "{}: {}", self.id(), r.text());
        self.current += 1;
        assert!(self.logs_in(shared, LIVE[1], self.current), "{}", self.id());
    }
}

/// One first login (password, setup key, first code), its calls on three nodes in turn;
/// retried from the start on the live nodes when B dies under it.
fn register(shared: &Shared, login_id: &str, mut turn: usize) -> Authenticator {
    loop {
        turn += 1;
        let body = credentials(login_id, INITIAL_PASSWORD);
        let node = shared.pick(turn);
        let Some(r) = shared.request(node, "POST", "/api/v1/login", None, Some(&body)) else {
            continue;
        };
        assert_eq!(r.status, 200, "{login_id}: {}", r.text());
        assert_eq!(r.json()["next"], "enroll", "{login_id}");
        let ticket = r.json()["login_token"]
            .as_str()
            .expect("a login token")
            .to_owned();
        let node = shared.pick(turn + 1);
        let Some(r) = shared.request(node, "GET", "/api/v1/enrollment", Some(&ticket), None) else {
            continue;
        };
        assert_eq!(r.status, 200, "{login_id}: {}", r.text());
        let mut auth = Authenticator::new(r.json()["setup_key"].as_str().expect("a setup key"));
        let node = shared.pick(turn + 2);
        let code = passcode_body(&ticket, &auth.next_code());
        match shared.request(node, "POST", "/api/v1/passcode", None, Some(&code)) {
            Some(r) => {
                assert_eq!(r.status, 200, "{login_id}: {}", r.text());
                assert_eq!(r.json()["enrolled"], true);
                return auth;
            }
            None => {
                // Did the registration happen before B died? The next login says.
                let r = shared.call(LIVE[0], "POST", "/api/v1/login", None, Some(&body));
                assert_eq!(r.status, 200, "{login_id}: {}", r.text());
                if r.json()["next"] == "passcode" {
                    return auth;
                }
                assert_eq!(r.json()["next"], "enroll", "{login_id}");
            }
        }
    }
}

fn seed() -> usize {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    usize::try_from(nanos).unwrap_or(0)
}

#[test]
fn a_node_killed_mid_flight_loses_nothing_and_the_others_carry_on() {
    let changers: Vec<String> = (0..CHANGERS).map(|i| format!("chg{i:02}")).collect();
    let registrants: Vec<String> = (0..REGISTRARS * REGISTRATIONS_EACH)
        .map(|i| format!("reg{i:02}"))
        .collect();
    let mut ids: Vec<&str> = changers
        .iter()
        .chain(&registrants)
        .map(String::as_str)
        .collect();
    ids.extend(["counted", "locked"]);
    let mut cluster = Cluster::start(&config("", CHEAP), &ids, INITIAL_PASSWORD);
    let shared = Shared {
        addrs: (0..3).map(|i| cluster.addr(i)).collect(),
        killed: AtomicBool::new(false),
        registered: AtomicUsize::new(0),
        in_doubt: AtomicUsize::new(0),
        answered_after_kill: Default::default(),
    };
    // Counters written by B: 2 failures for "counted", the lock for "locked".
    for (id, wrong) in [("counted", 2), ("locked", 3)] {
        for i in 0..wrong {
            let body = credentials(id, &format!("Wrong#{i}"));
            let r = shared.call(VICTIM, "POST", "/api/v1/login", None, Some(&body));
            assert_eq!(
                r.status,
                if i == 2 { 423 } else { 401 },
                "{id}: {}",
                r.text()
            );
        }
    }
    let mut accounts: Vec<Changer> = (0..CHANGERS)
        .map(|index| {
            let (_, session) =
                api_enroll(shared.addr(index % 3), &changers[index], INITIAL_PASSWORD);
            Changer {
                index,
                session,
                current: 0,
            }
        })
        .collect();

    let kill_after = 3 + seed() % 7;
    let mut registered: Vec<(String, Authenticator)> = Vec::new();
    let mut killed_at = 0;
    thread::scope(|s| {
        let shared = &shared;
        for a in &mut accounts {
            s.spawn(move || a.run(shared));
        }
        let workers: Vec<_> = registrants
            .chunks(REGISTRATIONS_EACH)
            .enumerate()
            .map(|(t, chunk)| {
                s.spawn(move || {
                    let mut done = Vec::new();
                    for (i, id) in chunk.iter().enumerate() {
                        let auth = register(shared, id, t + i * 3);
                        shared.registered.fetch_add(1, Ordering::SeqCst);
                        done.push((id.clone(), auth));
                    }
                    done
                })
            })
            .collect();
        // (Killed anyway after a minute, so that a failed thread cannot hang the test.)
        let since = Instant::now();
        while shared.registered.load(Ordering::SeqCst) < kill_after
            && since.elapsed() < Duration::from_secs(60)
        {
            sleep(Duration::from_millis(2));
        }
        killed_at = shared.registered.load(Ordering::SeqCst);
        cluster.nodes[VICTIM].kill();
        shared.killed.store(true, Ordering::SeqCst);
        for w in workers {
            registered.extend(w.join().expect("a registration thread panicked"));
        }
    });

    let in_doubt = shared.in_doubt.load(Ordering::Relaxed);
    let after: Vec<usize> = shared
        .answered_after_kill
        .iter()
        .map(|n| n.load(Ordering::Relaxed))
        .collect();
    let generations: Vec<usize> = accounts.iter().map(|a| a.current).collect();
    println!(
        "SIGKILL to B after {killed_at} registrations: {in_doubt} call(s) in flight on B \
         resolved on A/C; answers after the kill A/B/C: {after:?}; password generations \
         {generations:?}; {} registrations",
        registered.len()
    );
    assert!(killed_at >= kill_after, "no progress before the kill");
    assert!(
        killed_at < registrants.len(),
        "the kill came after the registrations"
    );
    assert_eq!(after[VICTIM], 0);
    assert!(after[LIVE[0]] > 0 && after[LIVE[1]] > 0, "{after:?}");
    assert!(cluster.nodes[VICTIM].exited().is_some());

    for a in &mut accounts {
        a.check(&shared);
    }
    assert_eq!(registered.len(), registrants.len());
    for (i, (id, auth)) in registered.iter_mut().enumerate() {
        api_session(shared.addr(LIVE[i % 2]), id, INITIAL_PASSWORD, auth);
    }
    // The counters written on B before it died hold.
    let body = credentials("counted", "Wrong#9");
    let r = shared.call(LIVE[0], "POST", "/api/v1/login", None, Some(&body));
    assert_eq!(
        error_of(&r, 423),
        "locked",
        "counted: its 2 failures were lost"
    );
    let body = credentials("locked", INITIAL_PASSWORD);
    let r = shared.call(LIVE[1], "POST", "/api/v1/login", None, Some(&body));
    assert_eq!(error_of(&r, 423), "locked", "locked: the lock was lost");

    let users = cluster.users();
    assert_eq!(users.len(), ids.len(), "{users:#?}");
    for u in &users {
        let id = u["login_id"].as_str().expect("a login id");
        let locked = id == "counted" || id == "locked";
        assert_eq!(u["enrolled"], !locked, "{u}");
        assert_eq!(u["password_locked_until"].is_string(), locked, "{u}");
        assert!(u["passcode_locked_until"].is_null(), "{u}");
        assert_eq!(u["disabled"], false, "{u}");
        assert_eq!(u["must_change_password"], false, "{u}");
    }
    cluster.assert_no_panic();
}
