//! The screens over the real facade: `app(…)` with a `MemoryStore`, a `ManualClock`
//! and the manual's rules (cheap argon2), driven request by request like a browser
//! with one cookie jar.

use shikaku::testing::FaultyStore;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use shikaku::totp::{SetupKey, Verifier};
use shikaku::{Clock, Config, ManualClock, MasterKey, MemoryStore, SharedRng, Shikaku, Store};
use shikaku_web::security::{CookiePolicy, csp_allowing_styles};
use shikaku_web::{WebOptions, app};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;

const CODE: &str = "0123456789";
const PASSWORD: &str = "Start#2024x";
const HOST: &str = "127.0.0.1:8080";
const COOKIE_NAME: &str = CookiePolicy::SECURE_NAME;

// ---- the world: facade, clock, app ---------------------------------------------

struct World<S: Store> {
    app: Router,
    service: Arc<Shikaku<S>>,
    clock: ManualClock,
}

fn start() -> OffsetDateTime {
    datetime!(2026-11-24 01:00:00 UTC)
}

fn world_on<S: Store>(store: Arc<S>) -> World<S> {
    let clock = ManualClock::new(start());
    let rng = SharedRng::new(ChaCha20Rng::from_seed([7; 32]));
    let master = MasterKey::generate(&rng);
    let service = Arc::new(
        Shikaku::builder(store)
            .master_key(master)
            .config(Config::for_tests())
            .clock(clock.clone())
            .rng(rng)
            .build()
            .unwrap(),
    );
    let app = app(Arc::clone(&service), WebOptions::default()).unwrap();
    World {
        app,
        service,
        clock,
    }
}

fn world() -> World<MemoryStore> {
    world_on(Arc::new(MemoryStore::new()))
}

impl<S: Store> World<S> {
    fn provision(&self, login_id: &str) {
        self.service
            .provision(
                CODE,
                login_id,
                Some(shikaku::password::Password::new(PASSWORD)),
            )
            .unwrap();
    }

    fn browser(&self) -> Browser<'_, S> {
        Browser {
            world: self,
            cookie: None,
        }
    }

    /// The passcode the Authenticator shows now.
    fn code(&self, setup_key: &str) -> String {
        let secret = SetupKey::parse(setup_key).unwrap();
        Verifier::default()
            .generate(&secret, self.clock.now())
            .as_str()
            .to_owned()
    }

    /// Moves to the next 30-second step (a code is good for one login only).
    fn next_step(&self) {
        self.clock.advance(Duration::seconds(30));
    }
}

// ---- a browser with one cookie --------------------------------------------------

struct Browser<'w, S: Store> {
    world: &'w World<S>,
    /// The session cookie's value as the browser holds it.
    cookie: Option<String>,
}

#[derive(Debug)]
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .map_or("", |v| v.to_str().unwrap())
    }

    #[track_caller]
    fn assert_redirect(&self, to: &str) {
        assert_eq!(
            (self.status, self.location()),
            (StatusCode::SEE_OTHER, to),
            "{}",
            self.body
        );
    }

    #[track_caller]
    fn assert_page(&self, needle: &str) {
        assert_eq!(self.status, StatusCode::OK, "{}", self.location());
        assert!(
            self.body.contains(needle),
            "{needle:?} not in {}",
            self.body
        );
    }

    fn csrf(&self) -> String {
        csrf_in(&self.body)
    }
}

/// `application/x-www-form-urlencoded`, as browsers write it.
fn form_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            let enc: String = v
                .bytes()
                .map(|b| match b {
                    b' ' => "+".to_owned(),
                    b if b.is_ascii_alphanumeric() || b"*-._".contains(&b) => {
                        (b as char).to_string()
                    }
                    b => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

impl<S: Store> Browser<'_, S> {
    async fn send(&mut self, request: axum::http::request::Builder, body: Body) -> Reply {
        let request = match &self.cookie {
            Some(value) => request.header(header::COOKIE, format!("{COOKIE_NAME}={value}")),
            None => request,
        };
        let response = send(&self.world.app, request.body(body).unwrap()).await;
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(set) = set_session_cookie(&headers, CookiePolicy::secure()) {
            let value = set.split(';').next().unwrap()[COOKIE_NAME.len() + 1..].to_owned();
            self.cookie = if set.contains("Max-Age=0") {
                None
            } else {
                Some(value)
            };
        }
        Reply {
            status,
            headers,
            body: body_text(response).await,
        }
    }

    async fn get(&mut self, uri: &str) -> Reply {
        self.send(Request::get(uri).header(header::HOST, HOST), Body::empty())
            .await
    }

    /// A same-origin form post, as Chromium sends it (no token added here).
    async fn post_raw(&mut self, uri: &str, body: String) -> Reply {
        let request = Request::post(uri)
            .header(header::HOST, HOST)
            .header(header::ORIGIN, format!("http://{HOST}"))
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(request, Body::from(body)).await
    }

    async fn post(&mut self, uri: &str, page: &Reply, fields: &[(&str, &str)]) -> Reply {
        let mut all = fields.to_vec();
        let csrf = page.csrf();
        all.push(("csrf_token", &csrf));
        self.post_raw(uri, form_encode(&all)).await
    }

    /// [ログイン] with the given password; returns the answer to 《ログイン》.
    async fn password(&mut self, login_id: &str, password: &str) -> Reply {
        let form = self.get("/login").await;
        form.assert_page("ログイン");
        self.post(
            "/login",
            &form,
            &[
                ("institution_code", CODE),
                ("login_id", login_id),
                ("password", password),
            ],
        )
        .await
    }

    /// 《パスコードを送信》 on the passcode screen.
    async fn passcode(&mut self, code: &str) -> Reply {
        let form = self.get("/login/passcode").await;
        form.assert_page("パスコードを送信");
        self.post("/login/passcode", &form, &[("passcode", code)])
            .await
    }

    /// The first-time flow up to [管理メニュー]; returns the setup key.
    async fn register(&mut self, login_id: &str) -> String {
        self.password(login_id, PASSWORD)
            .await
            .assert_redirect("/enroll");
        let enroll = self.get("/enroll").await;
        enroll.assert_page("Authenticator 登録");
        let key = attribute(&enroll.body, "data-copy");
        let code = self.world.code(&key);
        self.passcode(&code).await.assert_redirect("/enroll/done");
        key
    }

    /// A later login (password, then passcode) to [管理メニュー].
    async fn log_in(&mut self, login_id: &str, password: &str, key: &str) {
        self.world.next_step();
        self.password(login_id, password)
            .await
            .assert_redirect("/login/passcode");
        let code = self.world.code(key);
        self.passcode(&code).await.assert_redirect("/menu");
    }
}

/// The value of the first `name="…"` attribute in a page.
fn attribute(html: &str, name: &str) -> String {
    let marker = format!("{name}=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

// ---- the manual's flows ---------------------------------------------------------

#[tokio::test]
async fn first_time_registration_through_http_rotating_the_cookie_at_each_step() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();

    b.get("/").await.assert_page("システムの利用を始める");
    let form = b.get("/login").await;
    form.assert_page("機関コード");
    let pre_login = b.cookie.clone().expect("a pre-session cookie");

    // 《ログイン》: the cookie becomes the facade's login ticket.
    let reply = b
        .post(
            "/login",
            &form,
            &[
                ("institution_code", CODE),
                ("login_id", "staff01"),
                ("password", PASSWORD),
            ],
        )
        .await;
    reply.assert_redirect("/enroll");
    let ticket = b.cookie.clone().unwrap();
    assert_ne!(ticket, pre_login, "rotated at login");

    // [Authenticator 登録]: QR code and setup key.
    let enroll = b.get("/enroll").await;
    enroll.assert_page("<img class=\"qr\" src=\"data:image/svg+xml;base64,");
    let key = attribute(&enroll.body, "data-copy");
    assert!(key.len() >= 32 && key.bytes().all(|c| c.is_ascii_alphanumeric()));
    assert!(enroll.body.contains("テキストでコピー"));

    // The pre-login id opens nothing.
    let mut stale = w.browser();
    stale.cookie = Some(pre_login.clone());
    stale.get("/enroll").await.assert_redirect("/login");
    stale.get("/login/passcode").await.assert_redirect("/login");

    // 《Authenticator 登録確認に進む》: first the first-time prompt, then the later one.
    let proceed = b.post("/enroll/proceed", &enroll, &[]).await;
    proceed.assert_redirect("/enroll/print-confirm?prompt=first");
    let first = b.get(proceed.location()).await;
    first.assert_page("印刷せずに確認へ進む");
    assert!(first.body.contains("href=\"/enroll/print\""));
    let again = b.post("/enroll/proceed", &enroll, &[]).await;
    again.assert_redirect("/enroll/print-confirm?prompt=later");
    let later = b.get(again.location()).await;
    later.assert_page("確認へ進む");
    assert!(!later.body.contains("印刷せずに確認へ進む"));

    // The print sheet: its own style allowed by hash, never cached, holds the key.
    let sheet = b.get("/enroll/print").await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert_eq!(
        sheet.headers[header::CONTENT_SECURITY_POLICY],
        csp_allowing_styles(&[shikaku::qr::SHEET_CSS])
    );
    assert_eq!(sheet.headers[header::CACHE_CONTROL], "no-store");
    assert!(sheet.body.contains(&key[..4]) && sheet.body.contains("取扱注意"));

    // 《パスコードを送信》: the cookie becomes the session.
    let passcode = b.get("/login/passcode").await;
    passcode.assert_page("送信すると Authenticator の登録確認が行われます");
    let reply = b
        .post("/login/passcode", &passcode, &[("passcode", &w.code(&key))])
        .await;
    reply.assert_redirect("/enroll/done");
    let session = b.cookie.clone().unwrap();
    assert_ne!(session, ticket, "rotated at the passcode");

    // 登録確認完了 → 《OK》 → [管理メニュー] with MFA 登録完了.
    let done = b.get("/enroll/done").await;
    done.assert_page("登録確認完了");
    let ok = attribute(
        &done.body[done.body.find("dialog__actions").unwrap()..],
        "href",
    );
    assert_eq!(ok, "/menu?registered=1");
    let menu = b.get(&ok).await;
    menu.assert_page("MFA 登録が完了しました");
    assert!(menu.body.contains("staff01") && menu.body.contains(CODE));
    let plain = b.get("/menu").await;
    plain.assert_page("パスワード変更");
    assert!(!plain.body.contains("MFA 登録が完了しました"));

    // Neither earlier id is a session.
    for old in [pre_login, ticket] {
        let mut stale = w.browser();
        stale.cookie = Some(old);
        stale.get("/menu").await.assert_redirect("/login");
        stale.get("/enroll").await.assert_redirect("/login");
    }
}

#[tokio::test]
async fn a_later_login_asks_for_the_passcode_and_the_enrollment_code_is_not_reusable() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    let key = b.register("staff01").await;
    let used = w.code(&key);

    let mut other = w.browser();
    other
        .password("staff01", PASSWORD)
        .await
        .assert_redirect("/login/passcode");
    // The passcode screen, not the registration.
    other
        .get("/enroll")
        .await
        .assert_redirect("/login/passcode");
    other
        .get("/login/passcode")
        .await
        .assert_page("6 桁のパスコードを入力し、《パスコードを送信》をクリックしてください。</p>");
    // Same time step: the code that confirmed the registration is refused.
    other
        .passcode(&used)
        .await
        .assert_page("パスコードが正しくありません");
    w.next_step();
    other.passcode(&w.code(&key)).await.assert_redirect("/menu");
    other.get("/menu").await.assert_page("管理メニュー");
}

#[tokio::test]
async fn a_form_post_without_the_csrf_token_is_refused() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    b.get("/login").await;
    let body = form_encode(&[
        ("institution_code", CODE),
        ("login_id", "staff01"),
        ("password", PASSWORD),
    ]);
    let reply = b.post_raw("/login", body.clone()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.body.contains("操作を受け付けられませんでした"));
    let wrong = b
        .post_raw("/login", format!("{body}&csrf_token=AAAA"))
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);

    // Signed in: logout without the token is refused and the session stays.
    b.register("staff01").await;
    let reply = b.post_raw("/logout", String::new()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    b.get("/menu").await.assert_page("管理メニュー");
    // A token of another cookie is refused too.
    let mut other = w.browser();
    let foreign = other.get("/login").await;
    let reply = b
        .post_raw("/logout", format!("csrf_token={}", foreign.csrf()))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    b.get("/menu").await.assert_page("管理メニュー");
}

#[tokio::test]
async fn thirty_idle_minutes_end_the_session_exactly() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    b.register("staff01").await;
    let session = b.cookie.clone().unwrap();

    w.clock
        .advance(Duration::minutes(30) - Duration::milliseconds(1));
    b.get("/menu").await.assert_page("管理メニュー");
    // 30:00 after that last activity: over.
    w.clock.advance(Duration::minutes(30));
    let reply = b.get("/menu").await;
    reply.assert_redirect("/session-ended?reason=idle");
    assert!(b.cookie.is_none(), "the cookie is removed");
    let ended = b.get(reply.location()).await;
    ended.assert_page("ログインしたまま 30 分間操作がなかったため");
    assert!(ended.body.contains("href=\"/login\" autofocus>閉じる</a>"));
    // The language switch keeps the message.
    assert!(
        ended
            .body
            .contains("href=\"/session-ended?reason=idle&#38;lang=en\"")
    );
    let english = b.get("/session-ended?reason=idle&lang=en").await;
    english.assert_page("no activity for 30 minutes");

    // The dead session cookie, presented again, is just unknown.
    let mut stale = w.browser();
    stale.cookie = Some(session);
    stale.get("/menu").await.assert_redirect("/login");
}

#[tokio::test]
async fn logging_in_again_elsewhere_ends_the_first_session() {
    let w = world();
    w.provision("staff01");
    let mut first = w.browser();
    let key = first.register("staff01").await;
    first.get("/menu").await.assert_page("管理メニュー");

    let mut second = w.browser();
    second.log_in("staff01", PASSWORD, &key).await;

    let reply = first.get("/menu").await;
    reply.assert_redirect("/session-ended?reason=elsewhere");
    first
        .get(reply.location())
        .await
        .assert_page("ログアウトせずに再ログインされたため");
    second.get("/menu").await.assert_page("管理メニュー");
}

#[tokio::test]
async fn logout_confirms_then_the_old_cookie_leads_to_login() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    b.register("staff01").await;
    let session = b.cookie.clone().unwrap();

    let confirm = b.get("/logout").await;
    confirm.assert_page("ログアウトしますか。");
    let reply = b.post("/logout", &confirm, &[]).await;
    reply.assert_redirect("/login?notice=logged-out");
    assert!(b.cookie.is_none(), "removal cookie");
    let login = b.get(reply.location()).await;
    login.assert_page("ログアウトしました。");
    assert!(b.cookie.is_some(), "a fresh pre-session id");
    assert_ne!(b.cookie.as_deref(), Some(session.as_str()));

    let mut stale = w.browser();
    stale.cookie = Some(session);
    stale.get("/menu").await.assert_redirect("/login");
    stale.get("/password").await.assert_redirect("/login");
    stale.get("/logout").await.assert_redirect("/login");
}

#[tokio::test]
async fn signed_in_pages_without_a_session_lead_to_login() {
    let w = world();
    let mut b = w.browser();
    for path in [
        "/menu",
        "/password",
        "/password/done",
        "/logout",
        "/enroll/done",
        "/enroll",
        "/enroll/print",
        "/enroll/print-confirm",
        "/login/passcode",
        "/session-ended",
        "/session-ended?reason=bogus",
    ] {
        b.get(path).await.assert_redirect("/login");
    }
}

// ---- locks and messages -----------------------------------------------------------

#[tokio::test]
async fn three_wrong_passwords_lock_the_login() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    for _ in 0..2 {
        b.password("staff01", "Wrong#pass1")
            .await
            .assert_page("機関コード、ログイン ID 又はパスワードが正しくありません。");
    }
    let locked = b.password("staff01", "Wrong#pass1").await;
    // 10:00 JST + 30 minutes.
    locked.assert_page(
        "アカウントがロックされているため、ログインできません。2026年11月24日 10:30 以降",
    );
    // The form keeps what was typed, except the password.
    assert!(locked.body.contains("value=\"staff01\""));
    assert!(!locked.body.contains("Wrong#pass1"));
    // Even the right password is refused while locked…
    b.password("staff01", PASSWORD)
        .await
        .assert_page("ロックされている");
    // …and accepted once the lock lifts.
    w.clock.advance(Duration::minutes(30));
    b.password("staff01", PASSWORD)
        .await
        .assert_redirect("/enroll");
}

#[tokio::test]
async fn malformed_identifiers_name_the_field_and_are_not_counted() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    for _ in 0..3 {
        let form = b.get("/login").await;
        let reply = b
            .post(
                "/login",
                &form,
                &[
                    ("institution_code", "12345"),
                    ("login_id", "staff01"),
                    ("password", "x"),
                ],
            )
            .await;
        reply.assert_page("機関コードは 10 桁の数字で入力してください。");
    }
    let form = b.get("/login").await;
    b.post(
        "/login",
        &form,
        &[
            ("institution_code", CODE),
            ("login_id", "staff 01"),
            ("password", "x"),
        ],
    )
    .await
    .assert_page("ログイン ID は 64 文字以内の半角英数字");
    let form = b.get("/login").await;
    b.post("/login", &form, &[("institution_code", CODE)])
        .await
        .assert_page("機関コード、ログイン ID、パスワードを入力してください。");
    // None of that counted toward the lock.
    b.password("staff01", PASSWORD)
        .await
        .assert_redirect("/enroll");
}

#[tokio::test]
async fn a_disabled_account_is_told_so_after_the_right_password() {
    let w = world();
    w.provision("staff01");
    let key = w.service.account_key(CODE, "staff01").unwrap();
    w.service.set_disabled(&key, true).unwrap();
    let mut b = w.browser();
    b.password("staff01", PASSWORD)
        .await
        .assert_page("利用が停止されている");
    b.password("staff01", "Wrong#pass1")
        .await
        .assert_page("正しくありません");
}

#[tokio::test]
async fn three_wrong_passcodes_lock_and_void_the_login() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    let key = b.register("staff01").await;
    w.next_step();

    let mut c = w.browser();
    c.password("staff01", PASSWORD)
        .await
        .assert_redirect("/login/passcode");
    // Not six digits: a clear message, not counted.
    c.passcode("12a456")
        .await
        .assert_page("パスコードは 6 桁の数字で入力してください。");
    let right = w.code(&key);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    c.passcode(wrong)
        .await
        .assert_page("パスコードが正しくありません");
    c.passcode(wrong)
        .await
        .assert_page("パスコードが正しくありません");
    let locked = c.passcode(wrong).await;
    locked.assert_page("アカウントがロックされているため、ログインできません。");
    assert!(locked.body.contains("disabled>パスコードを送信"));
    // The login is void: back to the password.
    c.get("/login/passcode").await.assert_redirect("/login");
    // 《戻る》 still works (and gives a fresh id).
    let before = c.cookie.clone();
    c.post("/login/cancel", &locked, &[])
        .await
        .assert_redirect("/login");
    assert_ne!(c.cookie, before);
    // While the passcode lock lasts, the right password does not open a login.
    c.password("staff01", PASSWORD)
        .await
        .assert_page("ロックされている");
}

#[tokio::test]
async fn back_on_the_registration_screen_drops_the_login() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    b.password("staff01", PASSWORD)
        .await
        .assert_redirect("/enroll");
    let ticket = b.cookie.clone();
    let enroll = b.get("/enroll").await;
    b.post("/login/cancel", &enroll, &[])
        .await
        .assert_redirect("/login");
    assert!(
        b.cookie.is_some() && b.cookie != ticket,
        "fresh pre-session id"
    );
    let mut stale = w.browser();
    stale.cookie = ticket;
    stale.get("/enroll").await.assert_redirect("/login");
}

// ---- [パスワード変更] -------------------------------------------------------------

async fn change<S: Store>(b: &mut Browser<'_, S>, current: &str, new: &str, again: &str) -> Reply {
    let form = b.get("/password").await;
    form.assert_page("パスワードのルール");
    b.post(
        "/password",
        &form,
        &[
            ("current_password", current),
            ("new_password", new),
            ("new_password_confirm", again),
        ],
    )
    .await
}

/// The messages shown next to one field of [パスワード変更].
fn field_errors(html: &str, field: &str) -> Vec<String> {
    let marker = format!("<ul class=\"field__errors\" id=\"{field}-error\">");
    let Some(start) = html.find(&marker) else {
        return Vec::new();
    };
    let list = &html[start + marker.len()..];
    let list = &list[..list.find("</ul>").unwrap()];
    list.split("<li>")
        .skip(1)
        .map(|item| item[..item.find("</li>").unwrap()].to_owned())
        .collect()
}

#[tokio::test]
async fn password_change_refuses_history_and_rule_breaks_then_accepts() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    let key = b.register("staff01").await;

    // Same first 5 characters as the current password (rule (2)).
    let reply = change(&mut b, PASSWORD, "Start#9999", "Start#9999").await;
    reply.assert_page("入力内容を確認してください。");
    assert_eq!(
        field_errors(&reply.body, "new_password"),
        ["5世代前までのパスワードと先頭5文字が同じになる類似のパスワードは使用できません。"]
    );
    // The current password itself (rule (1)).
    let reply = change(&mut b, PASSWORD, PASSWORD, PASSWORD).await;
    assert!(
        field_errors(&reply.body, "new_password")
            .contains(&"5世代前までのパスワードと同じパスワードは使用できません。".to_owned())
    );
    // Several rules at once, and the mismatch next to ③.
    let reply = change(&mut b, PASSWORD, "abc", "abd").await;
    assert_eq!(
        field_errors(&reply.body, "new_password_confirm"),
        ["新しいパスワードと再度入力したパスワードが一致しません。"]
    );
    let new_errors = field_errors(&reply.body, "new_password");
    assert!(
        new_errors.contains(&"8文字以上で入力してください。".to_owned()),
        "{new_errors:?}"
    );
    assert!(new_errors.contains(&"英字大文字を1つ以上含めてください。".to_owned()));
    // An invisible character is named by code point.
    let reply = change(&mut b, PASSWORD, "Fresh#12\u{200B}ab", "Fresh#12\u{200B}ab").await;
    assert_eq!(
        field_errors(&reply.body, "new_password"),
        ["使用できない文字「U+200B」が含まれています。"]
    );
    // Empty fields.
    let reply = change(&mut b, "", "", "").await;
    for field in ["current_password", "new_password", "new_password_confirm"] {
        assert_eq!(field_errors(&reply.body, field), ["入力してください。"]);
    }
    // A wrong current password.
    let reply = change(&mut b, "Wrong#pass1", "Fresh#2025", "Fresh#2025").await;
    assert_eq!(
        field_errors(&reply.body, "current_password"),
        ["現在のパスワードが正しくありません。"]
    );
    assert!(
        !reply.body.contains("Fresh#2025"),
        "passwords are never echoed"
    );

    // Accepted.
    change(&mut b, PASSWORD, "Fresh#2025", "Fresh#2025")
        .await
        .assert_redirect("/password/done");
    b.get("/password/done")
        .await
        .assert_page("パスワードを変更しました。");

    // The new password logs in; the old one no longer does.
    let mut other = w.browser();
    other
        .password("staff01", PASSWORD)
        .await
        .assert_page("正しくありません");
    other.log_in("staff01", "Fresh#2025", &key).await;
}

#[tokio::test]
async fn wrong_current_passwords_lock_password_changes() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    b.register("staff01").await;
    for _ in 0..2 {
        let reply = change(&mut b, "Wrong#pass1", "Fresh#2025", "Fresh#2025").await;
        assert_eq!(field_errors(&reply.body, "current_password").len(), 1);
    }
    let reply = change(&mut b, "Wrong#pass1", "Fresh#2025", "Fresh#2025").await;
    let errors = field_errors(&reply.body, "current_password");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[1].contains("アカウントがロックされています"),
        "{errors:?}"
    );
    let reply = change(&mut b, PASSWORD, "Fresh#2025", "Fresh#2025").await;
    let errors = field_errors(&reply.body, "current_password");
    assert_eq!(errors.len(), 1);
    assert!(errors[0].contains("以降に再度操作してください"));
    // The session itself goes on.
    b.get("/menu").await.assert_page("管理メニュー");
}

#[tokio::test]
async fn after_an_administrators_reset_the_password_must_change_first() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    let key = b.register("staff01").await;
    let account = w.service.account_key(CODE, "staff01").unwrap();
    let initial = w.service.reset_password(&account).unwrap().initial_password;

    // The reset ended the session.
    b.get("/menu").await.assert_redirect("/login");

    w.next_step();
    b.password("staff01", initial.as_str())
        .await
        .assert_redirect("/login/passcode");
    b.passcode(&w.code(&key)).await.assert_redirect("/password");
    b.get("/menu").await.assert_redirect("/password");
    b.get("/password")
        .await
        .assert_page("パスワードが初期化されています。");
    change(&mut b, initial.as_str(), "Fresh#2025", "Fresh#2025")
        .await
        .assert_redirect("/password/done");
    let menu = b.get("/menu").await;
    menu.assert_page("管理メニュー");
}

#[tokio::test]
async fn english_screens_follow_the_lang_switch() {
    let w = world();
    w.provision("staff01");
    let mut b = w.browser();
    b.get("/login?lang=en")
        .await
        .assert_page("Institution code");
    // The language cookie is separate: no cookie jar here, so ask explicitly.
    let form = b.get("/login?lang=en").await;
    let reply = b
        .post(
            "/login?lang=en",
            &form,
            &[
                ("institution_code", "1"),
                ("login_id", "staff01"),
                ("password", "x"),
            ],
        )
        .await;
    reply.assert_page("Enter the institution code as 10 digits.");
}

// ---- failures -----------------------------------------------------------------------

/// Collects what the `tracing` subscriber writes.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogBuffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn a_store_failure_is_the_500_page_and_an_error_line_without_secrets() {
    let store = Arc::new(FaultyStore::new(MemoryStore::new()));
    let w = world_on(Arc::clone(&store));
    w.provision("staff01");
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut b = w.browser();
    let key = b.register("staff01").await;
    let session = b.cookie.clone().unwrap();
    store.set_broken(true);

    let menu = b.get("/menu").await;
    assert_eq!(menu.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(menu.body.contains("システムエラーが発生しました"));
    let mut c = w.browser();
    let form = c.get("/login").await;
    let login = c
        .post(
            "/login",
            &form,
            &[
                ("institution_code", CODE),
                ("login_id", "staff01"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(login.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!login.body.contains("disk I/O"), "no internals in the page");

    let text = logs.text();
    assert!(text.contains("ERROR"), "{text}");
    assert!(text.contains("operation=\"session\"") || text.contains("operation=session"));
    assert!(text.contains("password_login") && text.contains("disk I/O error"));
    for secret in [PASSWORD, key.as_str(), session.as_str()] {
        assert!(!text.contains(secret), "a secret in the log: {text}");
    }
    let hex = shikaku_web::security::RandomToken::parse(&session)
        .unwrap()
        .to_facade();
    assert!(!text.contains(hex.expose()));

    // Recovered: the same session works again.
    store.set_broken(false);
    b.get("/menu").await.assert_page("管理メニュー");
}
