//! One session per account and the idle rule, whichever node a request reaches.

use std::thread::sleep;
use std::time::{Duration, Instant};

use shikaku::testing::INITIAL_PASSWORD;

use crate::client::Browser;
use crate::cluster::{CHEAP, Cluster, NODES, config};
use crate::flows::{api_enroll, api_session, api_whoami, login_with_code};
use crate::http::{call, error_of};
use crate::m;

/// The idle timeout of these nodes (`[session] idle_timeout_seconds`).
const IDLE: Duration = Duration::from_secs(4);
const A: usize = 0;
const B: usize = 1;
const C: usize = 2;

/// `browser`'s cookie, presented to node `node` (a load balancer's next pick).
fn on(cluster: &Cluster, node: usize, browser: &Browser) -> Browser {
    let mut there = cluster.browser(node);
    there.cookie = browser.cookie.clone();
    there
}

/// Where [メニュー] sends a browser whose session is gone (not the menu itself).
#[track_caller]
fn menu_is_closed(cluster: &Cluster, node: usize, browser: &Browser) -> String {
    let r = on(cluster, node, browser).get("/menu");
    assert_eq!(r.status, 303, "node {node} still shows the menu: {r:?}");
    r.location().to_owned()
}

/// The idle message's fixed part (after the configured duration).
fn idle_wording() -> &'static str {
    m().session_ended_idle
        .split("{idle}")
        .nth(1)
        .unwrap_or(m().session_ended_idle)
}

#[test]
fn sessions_are_one_per_account_and_end_on_every_node() {
    let ids = ["sess01", "sess02", "sess03", "sess04"];
    let rest = format!(
        "{CHEAP}[session]\nidle_timeout_seconds = {}\n",
        IDLE.as_secs()
    );
    let cluster = Cluster::start(&config("", &rest), &ids, INITIAL_PASSWORD);
    let [superseded, logout, idle_screen, idle_api] = ids;

    // A login on A ends the API session opened on C; a login on B ends A's: the manual's
    // message on A's screen, `session_superseded` for the API.
    let (mut auth, first) = api_enroll(cluster.addr(C), superseded, INITIAL_PASSWORD);
    let mut a = cluster.browser(A);
    let r = login_with_code(&mut a, superseded, INITIAL_PASSWORD, &auth.next_code());
    assert_eq!(r.redirect(), "/menu");
    let r = api_whoami(cluster.addr(B), &first);
    assert_eq!(error_of(&r, 401), "session_superseded");
    for node in [A, C] {
        let code = error_of(&api_whoami(cluster.addr(node), &first), 401);
        assert!(
            code == "session_superseded" || code == "unauthenticated",
            "node {node}: {code}"
        );
    }
    let mut b = cluster.browser(B);
    let r = login_with_code(&mut b, superseded, INITIAL_PASSWORD, &auth.next_code());
    assert_eq!(r.redirect(), "/menu");
    let ended = a.clone();
    let r = a.get("/menu");
    assert_eq!(r.redirect(), "/session-ended?reason=elsewhere");
    let page = a.follow(&r);
    page.assert_page(m().session_ended_elsewhere);
    page.assert_page(m().close);
    for node in 0..NODES {
        on(&cluster, node, &b).get("/menu").assert_page(superseded);
        assert_eq!(
            menu_is_closed(&cluster, node, &ended),
            "/login",
            "node {node}"
        );
    }

    // Logout on A ends the session on every node: the screens, then the API.
    let (mut auth, _) = api_enroll(cluster.addr(A), logout, INITIAL_PASSWORD);
    let mut x = cluster.browser(A);
    let r = login_with_code(&mut x, logout, INITIAL_PASSWORD, &auth.next_code());
    assert_eq!(r.redirect(), "/menu");
    for node in 0..NODES {
        on(&cluster, node, &x).get("/menu").assert_page(logout);
    }
    let stolen = x.clone();
    let confirm = x.get("/logout");
    assert_eq!(confirm.status, 200, "{}", confirm.text());
    let r = x.post("/logout", &[]);
    assert_eq!(r.redirect(), "/login?notice=logged-out");
    for node in 0..NODES {
        assert_eq!(
            menu_is_closed(&cluster, node, &stolen),
            "/login",
            "node {node}"
        );
    }
    let token = api_session(cluster.addr(B), logout, INITIAL_PASSWORD, &mut auth);
    for node in 0..NODES {
        assert_eq!(api_whoami(cluster.addr(node), &token).status, 200);
    }
    let r = call(
        cluster.addr(A),
        "POST",
        "/api/v1/logout",
        Some(&token),
        None,
    );
    assert_eq!(r.status, 204, "{}", r.text());
    for node in 0..NODES {
        let r = api_whoami(cluster.addr(node), &token);
        assert_eq!(error_of(&r, 401), "unauthenticated", "node {node}");
    }

    // The idle rule: activity on B (a screen session and an API session opened on A)
    // keeps both alive on A past the timeout; silence past it ends them on every node.
    let (mut auth, _) = api_enroll(cluster.addr(A), idle_screen, INITIAL_PASSWORD);
    let mut s = cluster.browser(A);
    let r = login_with_code(&mut s, idle_screen, INITIAL_PASSWORD, &auth.next_code());
    assert_eq!(r.redirect(), "/menu");
    let (_, token) = api_enroll(cluster.addr(A), idle_api, INITIAL_PASSWORD);
    let opened = Instant::now();
    while opened.elapsed() < IDLE * 2 {
        sleep(IDLE / 4);
        on(&cluster, B, &s).get("/menu").assert_page(idle_screen);
        assert_eq!(api_whoami(cluster.addr(B), &token).status, 200);
    }
    assert!(opened.elapsed() > IDLE + IDLE / 2);
    s.get("/menu").assert_page(idle_screen);
    assert_eq!(api_whoami(cluster.addr(A), &token).status, 200);
    println!(
        "idle rule: sessions kept alive on A for {:.1} s by activity on B (timeout {} s)",
        opened.elapsed().as_secs_f64(),
        IDLE.as_secs()
    );

    sleep(IDLE + IDLE / 2);
    // C, which never saw these sessions, ends them; then they are gone on A and B too.
    let r = on(&cluster, C, &s).get("/menu");
    assert_eq!(r.redirect(), "/session-ended?reason=idle");
    let page = cluster.browser(C).follow(&r);
    page.assert_page(idle_wording());
    assert_eq!(
        error_of(&api_whoami(cluster.addr(C), &token), 401),
        "session_expired"
    );
    for node in [A, B] {
        assert_ne!(menu_is_closed(&cluster, node, &s), "/menu");
        let code = error_of(&api_whoami(cluster.addr(node), &token), 401);
        assert!(
            code == "session_expired" || code == "unauthenticated",
            "node {node}: {code}"
        );
    }
    cluster.assert_no_panic();
}
