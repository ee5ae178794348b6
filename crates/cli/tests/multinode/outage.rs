//! PostgreSQL stopped under traffic, then started again: every answer comes within a
//! bound, the outage is a 503 (the API's `unavailable` with `Retry-After`, a Japanese
//! page on the screens), no node dies, and service resumes by itself.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::thread::{self, sleep};
use std::time::{Duration, Instant};

use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};
use shikaku_store_postgres::testing::{TempPostgres, TempPostgresOptions};

use crate::client::{Browser, Response};
use crate::cluster::{CHEAP, Cluster, NODES, config};
use crate::flows::{credentials, login};
use crate::http::{call, call_bytes, error_of, try_send};
use crate::says_password_locked;

/// The correctness bound on one answer (the store's timeouts are 1–2 s).
const BOUND: Duration = Duration::from_secs(5);
/// How long PostgreSQL stays down.
const DOWN: Duration = Duration::from_secs(4);
/// The error page's title (`Messages::err_unavailable`).
const UNAVAILABLE_PAGE: &str = "一時的に利用できません";

/// Where the database is when a request starts or ends.
const UP: u8 = 0;
const STOPPING: u8 = 1;
const DOWN_PHASE: u8 = 2;
const STARTING: u8 = 3;
const UP_AGAIN: u8 = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Door {
    Api,
    Screen,
}

#[derive(Debug)]
struct Answer {
    node: usize,
    door: Door,
    /// The phase when the request started and when its answer was complete.
    phases: (u8, u8),
    status: u16,
    elapsed: Duration,
}

/// The answer is the outage's: 503 and, on the API, `unavailable` with `Retry-After`;
/// on the screens, the Japanese page.
#[track_caller]
fn assert_unavailable(door: Door, r: &Response) {
    match door {
        Door::Api => {
            assert_eq!(error_of(r, 503), "unavailable");
            let retry = r.header("retry-after").unwrap_or("");
            assert!(
                retry.parse::<u32>().is_ok_and(|s| s > 0),
                "Retry-After {retry:?}: {:?}",
                r.headers
            );
        }
        Door::Screen => {
            assert_eq!(r.status, 503, "{r:?}");
            assert!(
                r.header("content-type")
                    .is_some_and(|c| c.starts_with("text/html")),
                "{:?}",
                r.headers
            );
            assert!(
                r.text().contains(UNAVAILABLE_PAGE),
                "no Japanese explanation: {}",
                r.text()
            );
        }
    }
}

/// The account the traffic through `door` on `node` logs in to: one per thread, since
/// more than 3 simultaneous logins of one account meet the lock by design (each holds
/// one of the 3 slots while it is verified: docs/lockout.md).
fn steady(node: usize, door: Door) -> String {
    format!("steady{node}{}", door as u8)
}

/// One request through `door` on `node`, answered within the bound (a refused
/// connection — a dead node — or a hang fails the test).
fn one(cluster: &Cluster, node: usize, door: Door, phase: &AtomicU8) -> (Response, Answer) {
    let addr = cluster.addr(node);
    let id = steady(node, door);
    let started = Instant::now();
    let first = phase.load(Ordering::SeqCst);
    let send = |bytes: &[u8]| {
        try_send(addr, bytes, BOUND * 2)
            .unwrap_or_else(|e| panic!("node {node} ({door:?}) did not answer: {e}"))
    };
    let r = match door {
        Door::Api => {
            let body = credentials(&id, INITIAL_PASSWORD);
            send(&call_bytes(
                addr,
                "POST",
                "/api/v1/login",
                None,
                Some(&body),
            ))
        }
        Door::Screen => {
            let mut b = Browser::new(addr);
            let form = send(&crate::client::request_bytes(
                addr,
                "GET",
                "/login",
                &[("Sec-Fetch-Site", "same-origin")],
                b"",
            ));
            b.absorb(&form);
            if form.status == 200 {
                let fields = [
                    ("institution_code", INSTITUTION_CODE),
                    ("login_id", &id),
                    ("password", INITIAL_PASSWORD),
                ];
                send(&b.form_bytes("/login", &fields))
            } else {
                form
            }
        }
    };
    let answer = Answer {
        node,
        door,
        phases: (first, phase.load(Ordering::SeqCst)),
        status: r.status,
        elapsed: started.elapsed(),
    };
    (r, answer)
}

/// The normal answer to the steady traffic.
#[track_caller]
fn assert_served(door: Door, r: &Response, answer: &Answer) {
    match door {
        Door::Api => assert_eq!(r.status, 200, "{answer:?}: {}", r.text()),
        Door::Screen => assert_eq!(r.location(), "/enroll", "{answer:?}: {r:?}"),
    }
}

/// Ends the traffic however the main thread leaves the scope.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn postgres_down_under_traffic_is_a_bounded_503_and_service_resumes() {
    let pg = TempPostgres::start_new(TempPostgresOptions::default());
    let url = pg.create_database("outage");
    let database = "connect_timeout_seconds = 1\npool_timeout_seconds = 1\n\
                    statement_timeout_seconds = 2\n";
    let mut ids: Vec<String> = (0..NODES)
        .flat_map(|n| [steady(n, Door::Api), steady(n, Door::Screen)])
        .collect();
    ids.push("locked".to_owned());
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut cluster = Cluster::start_on(url, &config(database, CHEAP), &ids, INITIAL_PASSWORD);
    // A lock engaged before the outage.
    for i in 0..3 {
        let body = credentials("locked", &format!("Wrong#{i}"));
        let r = call(cluster.addr(i), "POST", "/api/v1/login", None, Some(&body));
        assert_eq!(r.status, if i == 2 { 423 } else { 401 }, "{}", r.text());
    }

    let phase = AtomicU8::new(UP);
    let stop = AtomicBool::new(false);
    let answers = Mutex::new(Vec::new());
    let mut resumed_after = Duration::ZERO;
    thread::scope(|s| {
        let _stop = StopOnDrop(&stop);
        for node in 0..NODES {
            for door in [Door::Api, Door::Screen] {
                let (cluster, phase, stop, answers) = (&cluster, &phase, &stop, &answers);
                s.spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        let (r, answer) = one(cluster, node, door, phase);
                        assert!(
                            answer.elapsed < BOUND,
                            "{answer:?}: answered after {:?}",
                            answer.elapsed
                        );
                        match answer.phases {
                            (DOWN_PHASE, DOWN_PHASE) => assert_unavailable(door, &r),
                            _ if r.status == 503 => assert_unavailable(door, &r),
                            _ => assert_served(door, &r, &answer),
                        }
                        answers
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .push(answer);
                        sleep(Duration::from_millis(50));
                    }
                });
            }
        }
        sleep(Duration::from_secs(1));
        phase.store(STOPPING, Ordering::SeqCst);
        pg.stop();
        phase.store(DOWN_PHASE, Ordering::SeqCst);
        sleep(DOWN);
        phase.store(STARTING, Ordering::SeqCst);
        pg.start();
        phase.store(UP_AGAIN, Ordering::SeqCst);
        // Every node serves again, without a restart.
        let up = Instant::now();
        for node in 0..NODES {
            loop {
                let body = credentials(&steady(node, Door::Api), INITIAL_PASSWORD);
                let r = call(
                    cluster.addr(node),
                    "POST",
                    "/api/v1/login",
                    None,
                    Some(&body),
                );
                if r.status == 200 {
                    break;
                }
                assert_unavailable(Door::Api, &r);
                assert!(up.elapsed() < BOUND * 2, "node {node} did not resume");
                sleep(Duration::from_millis(100));
            }
        }
        resumed_after = up.elapsed();
        sleep(Duration::from_secs(1));
    });

    let answers = answers
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let during: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.phases == (DOWN_PHASE, DOWN_PHASE))
        .collect();
    let unavailable = answers.iter().filter(|a| a.status == 503).count();
    let slowest = answers.iter().map(|a| a.elapsed).max().unwrap_or_default();
    let slowest_during = during.iter().map(|a| a.elapsed).max().unwrap_or_default();
    println!(
        "PostgreSQL down {DOWN:?} under traffic: {} answers, {} while down (all 503), {unavailable} \
         503s in all; slowest answer {slowest:?} (while down {slowest_during:?}); every node \
         served again {resumed_after:?} after the restart",
        answers.len(),
        during.len(),
    );
    for node in 0..NODES {
        for door in [Door::Api, Door::Screen] {
            let n = during
                .iter()
                .filter(|a| a.node == node && a.door == door)
                .count();
            assert!(
                n > 0,
                "no {door:?} answer from node {node} during the outage"
            );
        }
    }
    let served_after = answers
        .iter()
        .filter(|a| a.phases.0 == UP_AGAIN && a.status != 503)
        .count();
    assert!(served_after > 0, "no traffic served after the restart");

    // No node died or was restarted; the lock engaged before the outage holds.
    for (i, node) in cluster.nodes.iter_mut().enumerate() {
        assert!(node.exited().is_none(), "node {i} died: {}", node.output());
    }
    for node in 0..NODES {
        let body = credentials("locked", INITIAL_PASSWORD);
        let r = call(
            cluster.addr(node),
            "POST",
            "/api/v1/login",
            None,
            Some(&body),
        );
        assert_eq!(error_of(&r, 423), "locked", "node {node}");
        let mut b = cluster.browser(node);
        let r = login(&mut b, "locked", INITIAL_PASSWORD);
        assert!(says_password_locked(&r), "node {node}: {r:?}");
    }
    cluster.assert_no_panic();
}
