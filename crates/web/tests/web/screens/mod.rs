//! The screens over the real facade: `app(…)` on a [`Harness`] (the workspace test kit's
//! world: `MemoryStore`, a `ManualClock` at the kit's start, the manual's rules with cheap
//! argon2), driven request by request like a browser with one cookie jar.
//!
//! | file | what |
//! |---|---|
//! | `flows.rs` | the manual's flows: registration, later logins, CSRF, idle end, supersession, logout |
//! | `locks.rs` | locks and messages: passwords, passcodes, malformed input, disabled accounts, language |
//! | `password.rs` | [パスワード変更]: rules and history, its lock, the forced change after a reset |
//! | `numbers.rs` | a server configured with other numbers: every screen quotes those |
//! | `failures.rs` | a store failure: the 500 page and a log line without secrets |

mod failures;
mod flows;
mod locks;
mod numbers;
mod password;

use std::ops::Deref;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use shikaku::testing::{Harness, INITIAL_PASSWORD, INSTITUTION_CODE};
use shikaku::{MemoryStore, Store};
use shikaku_web::security::CookiePolicy;
use shikaku_web::{WebOptions, app};

use super::*;

const HOST: &str = "127.0.0.1:8080";
const COOKIE_NAME: &str = CookiePolicy::SECURE_NAME;

// ---- the world: the kit's harness, served ------------------------------------------

/// The app over a [`Harness`]; derefs to the harness (service, clock, audit, helpers).
struct World<S: Store> {
    harness: Harness<S>,
    app: Router,
}

impl<S: Store> Deref for World<S> {
    type Target = Harness<S>;

    fn deref(&self) -> &Harness<S> {
        &self.harness
    }
}

fn world_on<S: Store>(store: Arc<S>) -> World<S> {
    let harness = Harness::new(store);
    let app = app(Arc::clone(&harness.service), WebOptions::default()).unwrap();
    World { harness, app }
}

fn world() -> World<MemoryStore> {
    world_on(Arc::new(MemoryStore::new()))
}

/// The app over a harness with other policy numbers.
fn world_with(config: shikaku::Config) -> World<MemoryStore> {
    let harness = Harness::with_config(Arc::new(MemoryStore::new()), config);
    let app = app(Arc::clone(&harness.service), WebOptions::default()).unwrap();
    World { harness, app }
}

impl<S: Store> World<S> {
    fn browser(&self) -> Browser<'_, S> {
        Browser {
            world: self,
            cookie: None,
        }
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
                ("institution_code", INSTITUTION_CODE),
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
        self.password(login_id, INITIAL_PASSWORD)
            .await
            .assert_redirect("/enroll");
        let enroll = self.get("/enroll").await;
        enroll.assert_page("Authenticator 登録");
        let key = attribute(&enroll.body, "data-copy");
        let code = self.world.code_for_key(&key);
        self.passcode(&code).await.assert_redirect("/enroll/done");
        key
    }

    /// A later login (password, then passcode) to [管理メニュー].
    async fn log_in(&mut self, login_id: &str, password: &str, key: &str) {
        self.world.next_step();
        self.password(login_id, password)
            .await
            .assert_redirect("/login/passcode");
        let code = self.world.code_for_key(key);
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
