//! Session management: fixation, logout, ids in URLs, the idle edge, supersession.

use shikaku::AuditKind;
use shikaku::testing::{INITIAL_PASSWORD, from_base64url};
use time::Duration;

use crate::client::{Browser, COOKIE};
use crate::inproc::{InProc, login, login_with_code};
use crate::{m, shared};

/// A well-formed id (43 base64url characters, canonical) that the server never issued.
const PLANTED: &str = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY";

fn with_cookie(w: &InProc, value: &str) -> Browser {
    let mut b = w.browser();
    b.cookie = Some(value.to_owned());
    b
}

/// The pre-login id (issued or planted by an attacker) is worth nothing after login:
/// the id changes at the password and again at the passcode, and neither old id opens
/// the menu or the passcode step.
#[test]
fn the_pre_login_cookie_is_invalid_after_login() {
    let _machine = shared();
    let w = InProc::start();
    let key = w.enrolled("fix01");

    // An id the attacker planted (e.g. through a sibling sub-domain) …
    let mut victim = with_cookie(&w, PLANTED);
    // … and the one the server issued to a fresh browser.
    let mut issued = w.browser();
    issued.get("/login");
    let pre = issued.cookie.clone().expect("a pre-session cookie");

    for (b, before) in [(&mut victim, PLANTED.to_owned()), (&mut issued, pre)] {
        let r = login(b, "fix01", INITIAL_PASSWORD);
        assert_eq!(r.redirect(), "/login/passcode");
        let ticket = b.cookie.clone().unwrap();
        assert_ne!(ticket, before, "the id must change at the password");
        b.get("/login/passcode");
        let r = b.post("/login/passcode", &[("passcode", &w.code(&key))]);
        assert_eq!(r.redirect(), "/menu");
        let session = b.cookie.clone().unwrap();
        assert_ne!(session, ticket, "the id must change at the passcode");
        assert_ne!(session, before);
        b.get("/menu").assert_page("fix01");

        // The attacker holding the old ids gets nothing.
        for old in [&before, &ticket] {
            let mut attacker = with_cookie(&w, old);
            assert_eq!(attacker.get("/menu").redirect(), "/login", "{old}");
            assert_eq!(attacker.get("/password").redirect(), "/login");
            assert_eq!(attacker.get("/login/passcode").redirect(), "/login");
        }
        w.next_step();
    }
}

/// After 《ログアウト》 the session is gone on the server: the old cookie, replayed, opens
/// nothing.
#[test]
fn logout_invalidates_the_session_server_side() {
    let _machine = shared();
    let w = InProc::start();
    let key = w.enrolled("out01");
    let mut b = w.browser();
    assert_eq!(
        login_with_code(&mut b, "out01", INITIAL_PASSWORD, &w.code(&key)).redirect(),
        "/menu"
    );
    let stolen = b.cookie.clone().unwrap();
    b.get("/logout");
    let r = b.post("/logout", &[]);
    assert_eq!(r.redirect(), "/login?notice=logged-out");
    let removal = r.session_set_cookie().expect("the cookie is removed");
    assert!(removal.contains("Max-Age=0"), "{removal}");
    assert_eq!(
        w.count(AuditKind::LoggedOut),
        2,
        "the enrollment's and this one"
    );

    let mut replay = with_cookie(&w, &stolen);
    assert_eq!(replay.get("/menu").redirect(), "/login");
    assert_eq!(replay.get("/logout").redirect(), "/login");
    assert_eq!(replay.get("/password").redirect(), "/login");
    // And the facade itself: the token behind the cookie ended with the logout.
    let token = shikaku::Token::from_bytes(decode(&stolen));
    assert!(matches!(
        w.service.session(&token),
        Err(shikaku::Error::SessionEnded(_))
    ));
}

/// The 32 bytes of a session cookie's value (unpadded base64url).
fn decode(cookie: &str) -> [u8; 32] {
    from_base64url(cookie).try_into().expect("32 bytes")
}

/// A session id in the query string is never read: without the cookie it opens
/// nothing, and next to another user's cookie the cookie wins.
#[test]
fn a_session_id_in_the_query_string_is_ignored() {
    let _machine = shared();
    let w = InProc::start();
    let key1 = w.enrolled("query01");
    let key2 = w.enrolled("query02");
    let mut victim = w.browser();
    assert_eq!(
        login_with_code(&mut victim, "query01", INITIAL_PASSWORD, &w.code(&key1)).redirect(),
        "/menu"
    );
    let id = victim.cookie.clone().unwrap();
    let mut other = w.browser();
    assert_eq!(
        login_with_code(&mut other, "query02", INITIAL_PASSWORD, &w.code(&key2)).redirect(),
        "/menu"
    );
    let names = [COOKIE, "shikaku", "session", "session_id", "token", "sid"];
    for name in names {
        for path in ["/menu", "/password", "/logout"] {
            let target = format!("{path}?{name}={id}");
            let mut bare = w.browser();
            assert_eq!(bare.get(&target).redirect(), "/login", "{target}");
            let page = other.get(&target);
            page.assert_page("query02");
            assert!(!page.text().contains("query01"), "{target}");
        }
    }
    // The victim's session is untouched and was not refreshed by the attempts.
    victim.get("/menu").assert_page("query01");
}

/// 29:59 without activity: alive. 30:00: the session-ended message.
#[test]
fn idle_29_59_is_alive_and_30_00_is_dead() {
    let _machine = shared();
    let w = InProc::start();
    let key = w.enrolled("idle01");
    let mut b = w.browser();
    assert_eq!(
        login_with_code(&mut b, "idle01", INITIAL_PASSWORD, &w.code(&key)).redirect(),
        "/menu"
    );
    w.clock
        .advance(Duration::minutes(29) + Duration::seconds(59));
    b.get("/menu").assert_page("idle01");
    // That visit was activity: another 29:59 is fine too.
    w.clock
        .advance(Duration::minutes(29) + Duration::seconds(59));
    b.get("/menu").assert_page("idle01");
    w.clock.advance(Duration::minutes(30));
    let r = b.get("/menu");
    assert_eq!(r.redirect(), "/session-ended?reason=idle");
    assert!(r.session_set_cookie().unwrap().contains("Max-Age=0"));
    let page = b.follow(&r);
    // The screens quote the configured idle timeout: here the manual's 「30 分」.
    let rules = shikaku_web::messages::Rules::manual();
    page.assert_page(&rules.fill(shikaku_web::Lang::Ja, m().session_ended_idle));
    assert_eq!(w.count(AuditKind::SessionExpired), 1);
}

/// Logging in again without logging out ends the earlier session, which shows the
/// manual's message and 《閉じる》.
#[test]
fn a_second_login_ends_the_first() {
    let _machine = shared();
    let w = InProc::start();
    let key = w.enrolled("twice01");
    let mut first = w.browser();
    assert_eq!(
        login_with_code(&mut first, "twice01", INITIAL_PASSWORD, &w.code(&key)).redirect(),
        "/menu"
    );
    w.next_step();
    let mut second = w.browser();
    assert_eq!(
        login_with_code(&mut second, "twice01", INITIAL_PASSWORD, &w.code(&key)).redirect(),
        "/menu"
    );
    let r = first.get("/menu");
    assert_eq!(r.redirect(), "/session-ended?reason=elsewhere");
    let page = first.follow(&r);
    page.assert_page(m().session_ended_elsewhere);
    page.assert_page(m().close);
    // The ended session stays ended; the new one lives.
    assert_eq!(first.get("/menu").redirect(), "/login");
    second.get("/menu").assert_page("twice01");
    assert_eq!(w.count(AuditKind::SessionSuperseded), 1);
}
