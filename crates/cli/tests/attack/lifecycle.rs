//! The lifecycles of the records behind a login (issue 10, items 1 and 3–6), attacked
//! over real HTTP: the pending Authenticator secret belongs to one login and dies with
//! it; a login ticket dies with a passcode lock (whatever the entry point) and with a
//! password change; a session superseded by a login elsewhere cannot "log out"; and no
//! screen drops a cookie while the record behind it lives on.

use serde_json::json;
use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE, from_base64url};
use shikaku::{AuditKind, Error, Token};

use crate::api::{api_enroll, api_login, api_passcode, api_session, call, credentials, error_of};
use crate::binary::{self, CHEAP, Server};
use crate::client::Browser;
use crate::inproc::{InProc, code_at, login, login_with_code, wrong_code};
use crate::{m, shared};

/// `GET /api/v1/enrollment` with a login token: the setup key it shows.
fn setup_key(w: &InProc, ticket: &str) -> String {
    let view = call(w.addr, "GET", "/api/v1/enrollment", Some(ticket), None);
    assert_eq!(view.status, 200, "{}", view.text());
    view.json()["setup_key"].as_str().unwrap().to_owned()
}

/// `POST /api/v1/authenticate` with the account's password and `passcode`.
fn authenticate(
    w: &InProc,
    login_id: &str,
    password: &str,
    passcode: &str,
) -> crate::client::Response {
    call(
        w.addr,
        "POST",
        "/api/v1/authenticate",
        None,
        Some(&json!({
            "institution_code": INSTITUTION_CODE, "login_id": login_id,
            "password": password, "passcode": passcode,
        })),
    )
}

/// Item 1. An attacker who has the initial password logs in before the staff member and
/// fetches the pending Authenticator secret. The staff member's own login gets another
/// secret; once they register, the attacker's Authenticator opens nothing — neither
/// `/authenticate` nor the attacker's own half-finished login.
#[test]
fn a_pending_secret_seen_by_an_earlier_login_never_becomes_the_registration() {
    let _machine = shared();
    let w = InProc::start();
    w.provision("seed01");
    let attacker = api_login(&w, "seed01", "enroll");
    let stolen = setup_key(&w, &attacker);

    let user = api_login(&w, "seed01", "enroll");
    let own = setup_key(&w, &user);
    assert_ne!(own, stolen, "a new login must get a new pending secret");
    let r = api_passcode(&w, &user, &w.code(&own));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["enrolled"], true);

    w.next_step();
    let r = authenticate(&w, "seed01", INITIAL_PASSWORD, &w.code(&stolen));
    assert_eq!(
        error_of(&r, 401),
        "invalid_passcode",
        "the attacker's Authenticator passed /authenticate"
    );
    let r = api_passcode(&w, &attacker, &w.code(&stolen));
    assert!(r.status == 401 || r.status == 409, "{}", r.text());
    assert_ne!(r.status, 200);
    // The staff member's Authenticator is the registration.
    w.next_step();
    let r = authenticate(&w, "seed01", INITIAL_PASSWORD, &w.code(&own));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(w.count(AuditKind::Authenticated), 1);
}

/// Item 1. The administrator's reactions to a leaked initial password — `reset-password`,
/// `reset-mfa`, `disable` (+ `enable`) — drop the pending registration the attacker
/// fetched: the attacker's login token cannot confirm it afterwards, and the staff
/// member's next login shows another secret.
#[test]
fn administration_drops_a_pending_registration() {
    let _machine = shared();
    let w = InProc::start();
    type Action = fn(&InProc, &str) -> String;
    let actions: [(&str, Action); 3] = [
        ("reset-password", |w, id| {
            let s = w.service.reset_password(&w.key(id)).unwrap();
            s.initial_password.as_str().to_owned()
        }),
        ("reset-mfa", |w, id| {
            w.service.reset_mfa(&w.key(id)).unwrap();
            INITIAL_PASSWORD.to_owned()
        }),
        ("disable", |w, id| {
            w.service.set_disabled(&w.key(id), true).unwrap();
            w.service.set_disabled(&w.key(id), false).unwrap();
            INITIAL_PASSWORD.to_owned()
        }),
    ];
    for (i, (what, action)) in actions.iter().enumerate() {
        let id = format!("drop0{i}");
        w.provision(&id);
        let attacker = api_login(&w, &id, "enroll");
        let stolen = setup_key(&w, &attacker);
        let password = action(&w, &id);
        let r = api_passcode(&w, &attacker, &w.code(&stolen));
        assert_eq!(
            error_of(&r, 401),
            "unauthenticated",
            "{what}: the attacker confirmed the pending registration"
        );
        let r = call(
            w.addr,
            "POST",
            "/api/v1/login",
            None,
            Some(&credentials(&id, &password)),
        );
        assert_eq!(r.status, 200, "{what}: {}", r.text());
        let user = r.json()["login_token"].as_str().unwrap().to_owned();
        assert_ne!(
            setup_key(&w, &user),
            stolen,
            "{what}: the pending secret survived"
        );
        w.next_step();
    }
}

/// Item 1 on the real binary, administered as an operator would: `shikaku user
/// reset-password` while the server runs voids the attacker's pending registration.
#[test]
fn reset_password_on_the_cli_drops_the_pending_registration() {
    let _machine = shared();
    let server = Server::prepare(CHEAP)
        .add_user("seed02", INITIAL_PASSWORD)
        .serve("info");
    let addr = server.addr;
    let login = |password: &str| {
        let r = call(
            addr,
            "POST",
            "/api/v1/login",
            None,
            Some(&credentials("seed02", password)),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()["login_token"].as_str().unwrap().to_owned()
    };
    let enrollment = |ticket: &str| {
        let r = call(addr, "GET", "/api/v1/enrollment", Some(ticket), None);
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()["setup_key"].as_str().unwrap().to_owned()
    };
    let attacker = login(INITIAL_PASSWORD);
    let stolen = enrollment(&attacker);

    let out = binary::cli(&[
        "user",
        "reset-password",
        "--json",
        "--db",
        server.db().to_str().unwrap(),
        "--config",
        server.config().to_str().unwrap(),
        "--institution-code",
        INSTITUTION_CODE,
        "--login-id",
        "seed02",
    ]);
    let settings: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let password = settings["initial_password"].as_str().unwrap().to_owned();

    let now = system_now();
    let r = call(
        addr,
        "POST",
        "/api/v1/passcode",
        None,
        Some(&json!({"login_token": attacker, "passcode": code_at(&stolen, now)})),
    );
    assert_eq!(
        error_of(&r, 401),
        "unauthenticated",
        "the attacker registered"
    );
    let user = login(&password);
    let own = enrollment(&user);
    assert_ne!(own, stolen);
    let r = call(
        addr,
        "POST",
        "/api/v1/passcode",
        None,
        Some(&json!({"login_token": user, "passcode": code_at(&own, now)})),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["enrolled"], true);
    let events = server.audit();
    assert_eq!(
        binary::count(&events, "enrolled", "seed02"),
        1,
        "{events:#?}"
    );
}

#[allow(clippy::disallowed_methods)] // the real binary runs on the system clock
fn system_now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// Item 3. A session superseded by a login elsewhere cannot log out: its logout form
/// (opened before the second login) gets the manual's "ended by a login elsewhere"
/// answer, not "logged out"; the API answers `session_superseded`, not 204. The later
/// session lives on.
#[test]
fn a_superseded_session_is_told_so_when_it_logs_out() {
    let _machine = shared();
    let w = InProc::start();
    let key = w.enrolled("super01");
    let mut first = w.browser();
    assert_eq!(
        login_with_code(&mut first, "super01", INITIAL_PASSWORD, &w.code(&key)).redirect(),
        "/menu"
    );
    first
        .get("/logout")
        .assert_page(m().logout_confirm_question);
    w.next_step();
    let mut second = w.browser();
    assert_eq!(
        login_with_code(&mut second, "super01", INITIAL_PASSWORD, &w.code(&key)).redirect(),
        "/menu"
    );
    let r = first.post("/logout", &[]);
    assert_eq!(r.redirect(), "/session-ended?reason=elsewhere");
    assert!(r.session_set_cookie().unwrap().contains("Max-Age=0"));
    first.follow(&r).assert_page(m().session_ended_elsewhere);
    second.get("/menu").assert_page("super01");
    assert_eq!(w.count(AuditKind::LoggedOut), 1, "the enrollment's only");

    // The API.
    let (key, _) = api_enroll(&w, "super02");
    let old = api_session(&w, "super02", &key);
    let new = api_session(&w, "super02", &key);
    let r = call(w.addr, "POST", "/api/v1/logout", Some(&old), None);
    assert_eq!(error_of(&r, 401), "session_superseded");
    let r = call(w.addr, "GET", "/api/v1/session", Some(&new), None);
    assert_eq!(r.status, 200, "{}", r.text());
}

/// Item 4. A passcode lock reached through `/api/v1/authenticate` voids the account's
/// pending logins, as one reached on the passcode screen does: during the lock the
/// login token is unknown (401 `unauthenticated`), not merely locked (423).
#[test]
fn a_passcode_lock_through_authenticate_voids_pending_logins() {
    let _machine = shared();
    let w = InProc::start();
    let (key, _) = api_enroll(&w, "void02");
    w.next_step();
    let pending = api_login(&w, "void02", "passcode");
    let mut browser = w.browser();
    assert_eq!(
        login(&mut browser, "void02", INITIAL_PASSWORD).redirect(),
        "/login/passcode"
    );
    browser.get("/login/passcode");
    let wrong = wrong_code(&key, w.now());
    for attempt in 1..=3 {
        let r = authenticate(&w, "void02", INITIAL_PASSWORD, &wrong);
        let expected = if attempt < 3 { 401 } else { 423 };
        error_of(&r, expected);
    }
    assert_eq!(w.count(AuditKind::PasscodeLocked), 1);
    let r = api_passcode(&w, &pending, &w.code(&key));
    assert_eq!(
        error_of(&r, 401),
        "unauthenticated",
        "the login token survived the lock"
    );
    let r = browser.post("/login/passcode", &[("passcode", &w.code(&key))]);
    assert_eq!(
        r.redirect(),
        "/login",
        "the screen's login survived the lock"
    );
    assert_eq!(
        w.count(AuditKind::SessionStarted),
        1,
        "the enrollment's only"
    );
}

/// Item 5. A login token obtained with the old password cannot complete the login after
/// the password was changed (`/api/v1/password`), nor can a screen's half-finished login.
#[test]
fn a_password_change_voids_pending_logins() {
    let _machine = shared();
    let w = InProc::start();
    let (key, _) = api_enroll(&w, "change01");
    let session = api_session(&w, "change01", &key);
    w.next_step();
    let stale = api_login(&w, "change01", "passcode");
    let mut browser = w.browser();
    assert_eq!(
        login(&mut browser, "change01", INITIAL_PASSWORD).redirect(),
        "/login/passcode"
    );
    browser.get("/login/passcode");
    let new_password = "Changed#Pw2x";
    let r = call(
        w.addr,
        "POST",
        "/api/v1/password",
        Some(&session),
        Some(&json!({
            "current_password": INITIAL_PASSWORD,
            "new_password": new_password,
            "new_password_confirm": new_password,
        })),
    );
    assert_eq!(r.status, 204, "{}", r.text());
    w.next_step();
    let r = api_passcode(&w, &stale, &w.code(&key));
    assert_eq!(
        error_of(&r, 401),
        "unauthenticated",
        "a ticket of the old password logged in"
    );
    let r = browser.post("/login/passcode", &[("passcode", &w.code(&key))]);
    assert_eq!(r.redirect(), "/login");
    // The new password works.
    w.next_step();
    let r = call(
        w.addr,
        "POST",
        "/api/v1/login",
        None,
        Some(&credentials("change01", new_password)),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        w.count(AuditKind::SessionStarted),
        2,
        "enrollment + api_session"
    );
}

/// The token behind a cookie value (unpadded base64url of 32 bytes).
fn token_of(cookie: &str) -> Token {
    Token::from_bytes(from_base64url(cookie).try_into().expect("32 bytes"))
}

/// Item 6. 《戻る》 (`POST /login/cancel`) posted with a session cookie (a stale form in
/// another tab) ends that session; 《ログアウト》 (`POST /logout`) posted with a login
/// ticket's cookie voids the ticket. A cookie is never dropped with a live record
/// behind it: the old value, replayed, opens nothing.
#[test]
fn cancel_and_logout_end_whatever_the_cookie_holds() {
    let _machine = shared();
    let w = InProc::start();
    let key = w.enrolled("drop01");

    // A session cookie on 《戻る》.
    let mut b = w.browser();
    assert_eq!(
        login_with_code(&mut b, "drop01", INITIAL_PASSWORD, &w.code(&key)).redirect(),
        "/menu"
    );
    // A page with a form, so the browser holds the session's CSRF token.
    b.get("/logout").assert_page(m().logout_confirm_question);
    let session = b.cookie.clone().unwrap();
    let r = b.post("/login/cancel", &[]);
    assert_eq!(r.redirect(), "/login");
    assert!(matches!(
        w.service.session(&token_of(&session)),
        Err(Error::SessionEnded(_))
    ));
    let mut replay = Browser::new(w.addr);
    replay.cookie = Some(session);
    assert_eq!(replay.get("/menu").redirect(), "/login");

    // A login ticket's cookie on 《ログアウト》.
    w.next_step();
    let mut b = w.browser();
    assert_eq!(
        login(&mut b, "drop01", INITIAL_PASSWORD).redirect(),
        "/login/passcode"
    );
    b.get("/login/passcode");
    let (ticket, csrf) = (b.cookie.clone().unwrap(), b.csrf.clone());
    let r = b.post("/logout", &[]);
    assert!(r.redirect().starts_with("/login"), "{}", r.location());
    let mut replay = Browser::new(w.addr);
    replay.cookie = Some(ticket);
    replay.csrf = csrf;
    let r = replay.post("/login/passcode", &[("passcode", &w.code(&key))]);
    assert_eq!(r.redirect(), "/login", "the ticket outlived the logout");
    assert_eq!(
        w.count(AuditKind::SessionStarted),
        2,
        "the enrollment's and the first browser's"
    );
}
