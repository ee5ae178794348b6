//! The user's side: an Authenticator on the system clock, and the login flows through the
//! screens and the JSON API.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use shikaku::testing::{INSTITUTION_CODE, code_at, secret_of, wrong_code};
use time::OffsetDateTime;

use crate::client::{Browser, Response};
use crate::cluster::WINDOW;
use crate::http::call;

const STEP_SECONDS: u64 = 30;

fn now_step() -> u64 {
    let secs = OffsetDateTime::now_utc().unix_timestamp();
    u64::try_from(secs).expect("after 1970") / STEP_SECONDS
}

fn at_step(step: u64) -> OffsetDateTime {
    let secs = i64::try_from(step * STEP_SECONDS).expect("a time step in range");
    OffsetDateTime::from_unix_timestamp(secs).expect("a time step in range")
}

/// The staff member's Authenticator app: the setup key, and the last step it gave a code
/// for, so that no code is ever offered twice (the server takes each step once).
#[derive(Clone, Debug)]
pub(crate) struct Authenticator {
    pub(crate) setup_key: String,
    last: Option<u64>,
}

impl Authenticator {
    pub(crate) fn new(setup_key: &str) -> Self {
        Self {
            setup_key: setup_key.to_owned(),
            last: None,
        }
    }

    /// The code of the oldest step that is newer than every code given so far and that
    /// the server accepts now (`[totp] window` steps either side, one step of margin on
    /// the old side), so `2 × WINDOW` codes come at once; waits for the clock when every
    /// such step is used up.
    pub(crate) fn next_code(&mut self) -> String {
        loop {
            let now = now_step();
            let oldest = now - (WINDOW - 1);
            let step = self.last.map_or(oldest, |l| (l + 1).max(oldest));
            if step <= now + WINDOW {
                self.last = Some(step);
                return code_at(&secret_of(&self.setup_key), at_step(step));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// A 6-digit code that matches no step near now.
    pub(crate) fn wrong_code(&self) -> String {
        wrong_code(&secret_of(&self.setup_key), OffsetDateTime::now_utc())
    }
}

pub(crate) fn credentials(login_id: &str, password: &str) -> Value {
    json!({"institution_code": INSTITUTION_CODE, "login_id": login_id, "password": password})
}

/// `POST /api/v1/login` that must succeed: the login token, asserting `next`.
pub(crate) fn api_login(addr: SocketAddr, login_id: &str, password: &str, next: &str) -> String {
    let r = call(
        addr,
        "POST",
        "/api/v1/login",
        None,
        Some(&credentials(login_id, password)),
    );
    assert_eq!(r.status, 200, "login {login_id} on {addr}: {}", r.text());
    let body = r.json();
    assert_eq!(body["next"], next, "{login_id}: {body}");
    body["login_token"]
        .as_str()
        .expect("a login token")
        .to_owned()
}

pub(crate) fn passcode_body(login_token: &str, passcode: &str) -> Value {
    json!({"login_token": login_token, "passcode": passcode})
}

pub(crate) fn api_passcode(addr: SocketAddr, login_token: &str, passcode: &str) -> Response {
    call(
        addr,
        "POST",
        "/api/v1/passcode",
        None,
        Some(&passcode_body(login_token, passcode)),
    )
}

/// The first login through the API: password, the setup key from `GET /enrollment`, the
/// first code. Returns the Authenticator and the session token.
pub(crate) fn api_enroll(
    addr: SocketAddr,
    login_id: &str,
    password: &str,
) -> (Authenticator, String) {
    let ticket = api_login(addr, login_id, password, "enroll");
    let view = call(addr, "GET", "/api/v1/enrollment", Some(&ticket), None);
    assert_eq!(view.status, 200, "{}", view.text());
    let key = view.json()["setup_key"]
        .as_str()
        .expect("a setup key")
        .to_owned();
    let mut auth = Authenticator::new(&key);
    let r = api_passcode(addr, &ticket, &auth.next_code());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["enrolled"], true);
    (auth, session_token(&r))
}

/// Password and the next code through the API: a session token.
pub(crate) fn api_session(
    addr: SocketAddr,
    login_id: &str,
    password: &str,
    auth: &mut Authenticator,
) -> String {
    let ticket = api_login(addr, login_id, password, "passcode");
    let r = api_passcode(addr, &ticket, &auth.next_code());
    assert_eq!(r.status, 200, "{login_id}: {}", r.text());
    session_token(&r)
}

pub(crate) fn session_token(r: &Response) -> String {
    r.json()["session_token"]
        .as_str()
        .expect("a session token")
        .to_owned()
}

/// `GET /api/v1/session`.
pub(crate) fn api_whoami(addr: SocketAddr, session: &str) -> Response {
    call(addr, "GET", "/api/v1/session", Some(session), None)
}

/// [ログイン] 《ログイン》 from a fresh form.
pub(crate) fn login(b: &mut Browser, login_id: &str, password: &str) -> Response {
    let form = b.get("/login");
    assert_eq!(form.status, 200, "{}", form.text());
    b.post(
        "/login",
        &[
            ("institution_code", INSTITUTION_CODE),
            ("login_id", login_id),
            ("password", password),
        ],
    )
}

/// The browser holds a login ticket: the password was right, [パスコード入力] is open.
pub(crate) fn ticket_holder(b: &mut Browser, login_id: &str, password: &str) {
    let r = login(b, login_id, password);
    assert_eq!(r.redirect(), "/login/passcode", "{}", r.text());
    b.get("/login/passcode");
}

/// Password and passcode of a registered account; returns the answer to the passcode.
pub(crate) fn login_with_code(
    b: &mut Browser,
    login_id: &str,
    password: &str,
    code: &str,
) -> Response {
    ticket_holder(b, login_id, password);
    b.post("/login/passcode", &[("passcode", code)])
}
