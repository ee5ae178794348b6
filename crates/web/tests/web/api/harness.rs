//! The client side of the API tests: [`Api`] (the app over the kit's [`Harness`]),
//! [`Call`] (a request to build) and [`Reply`] (a received response). Every response
//! goes through [`Api::send`], which checks it against the contract and the invariants
//! and records its coverage key.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, Method, Request, StatusCode, header};
use serde_json::{Value, json};
use shikaku::testing::{
    FaultyStore, Harness, INITIAL_PASSWORD, INSTITUTION_CODE, code_at, wrong_code,
};
use shikaku::totp::{Secret, SetupKey};
use shikaku::{AccountKey, ApiKeyScope, InstitutionCode, MemoryStore, Shikaku};
use shikaku_web::WebOptions;
use shikaku_web::api::PREFIX;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use tower::ServiceExt;

use super::contract::contract;
use super::corrupt::Corrupting;

pub(super) type Seen = Arc<Mutex<BTreeSet<String>>>;

/// The store of every API test: the kit's [`FaultyStore`] (unavailable on demand: 503)
/// inside [`Corrupting`] (unreadable on demand: 500).
pub(super) type TestStore = Corrupting<FaultyStore>;

/// One app over a fresh store: the kit's [`Harness`] (over a [`TestStore`], the clock
/// at the kit's start), served with `shikaku_web::app`.
pub(super) struct Api {
    app: Router,
    /// The world behind the app (clock, audit sink, helpers).
    pub(super) harness: Harness<TestStore>,
    /// The facade the app serves (for the administrator's operations).
    pub(super) service: Arc<Shikaku<TestStore>>,
    store: Arc<TestStore>,
    seen: Seen,
    /// The `Host` every call is sent with, unless it sets its own.
    host: String,
}

/// A request to send.
pub(super) struct Call {
    method: Method,
    uri: String,
    headers: Vec<(HeaderName, String)>,
    body: Body,
    json: Option<Value>,
}

impl Call {
    pub(super) fn get(path: &str) -> Self {
        Self {
            method: Method::GET,
            uri: format!("{PREFIX}{path}"),
            headers: Vec::new(),
            body: Body::empty(),
            json: None,
        }
    }

    pub(super) fn post(path: &str, json: Value) -> Self {
        Self::raw(
            Method::POST,
            path,
            Some("application/json"),
            serde_json::to_vec(&json).unwrap(),
        )
        .json(json)
    }

    pub(super) fn raw(
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<Body>,
    ) -> Self {
        let mut call = Self {
            method,
            uri: format!("{PREFIX}{path}"),
            headers: Vec::new(),
            body: body.into(),
            json: None,
        };
        if let Some(content_type) = content_type {
            call = call.header(header::CONTENT_TYPE, content_type);
        }
        call
    }

    /// A POST without a body (the `/admin` actions, `/logout`).
    pub(super) fn post_empty(path: &str) -> Self {
        Self::raw(Method::POST, path, None, Body::empty())
    }

    pub(super) fn json(mut self, json: Value) -> Self {
        self.json = Some(json);
        self
    }

    pub(super) fn header(mut self, name: HeaderName, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    pub(super) fn bearer(self, token: &str) -> Self {
        self.header(header::AUTHORIZATION, &format!("Bearer {token}"))
    }

    pub(super) fn en(self) -> Self {
        self.header(header::ACCEPT_LANGUAGE, "en")
    }

    pub(super) fn at(mut self, uri: &str) -> Self {
        self.uri = uri.to_owned();
        self
    }
}

/// A received response.
pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) bytes: Vec<u8>,
    pub(super) json: Value,
}

impl Reply {
    pub(super) fn error(&self) -> &str {
        self.json["error"].as_str().unwrap_or("")
    }

    #[track_caller]
    pub(super) fn expect(&self, status: StatusCode, error: &str) -> &Self {
        assert_eq!(
            (self.status, self.error()),
            (status, error),
            "{}",
            String::from_utf8_lossy(&self.bytes)
        );
        self
    }

    #[track_caller]
    pub(super) fn ok(&self) -> &Value {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&self.bytes)
        );
        &self.json
    }

    #[track_caller]
    pub(super) fn no_content(&self) {
        assert_eq!(
            self.status,
            StatusCode::NO_CONTENT,
            "{}",
            String::from_utf8_lossy(&self.bytes)
        );
    }

    pub(super) fn str(&self, name: &str) -> String {
        self.json[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} in {}", self.json))
            .to_owned()
    }
}

impl Api {
    pub(super) fn new(seen: Seen) -> Self {
        Self::with_options(seen, WebOptions::default(), "127.0.0.1:8080")
    }

    /// An app served with `options`, called with `Host: host`.
    pub(super) fn with_options(seen: Seen, options: WebOptions, host: &str) -> Self {
        let store = Arc::new(Corrupting::new(FaultyStore::new(MemoryStore::new())));
        let harness = Harness::new(Arc::clone(&store));
        let service = Arc::clone(&harness.service);
        let app = shikaku_web::app(Arc::clone(&service), options).unwrap();
        Self {
            app,
            harness,
            service,
            store,
            seen,
            host: host.to_owned(),
        }
    }

    /// Where this app records the responses it received (for another app of the same
    /// scenario).
    pub(super) fn seen(&self) -> Seen {
        Arc::clone(&self.seen)
    }

    pub(super) fn now(&self) -> OffsetDateTime {
        self.harness.now()
    }

    pub(super) fn advance(&self, by: Duration) {
        self.harness.advance(by);
    }

    /// Issues `login_id` with the kit's initial password.
    pub(super) fn provision(&self, login_id: &str) {
        self.harness.provision(login_id);
    }

    pub(super) fn key(&self, login_id: &str) -> AccountKey {
        self.harness.key(login_id)
    }

    /// The store cannot answer (`StoreError::Unavailable`, the kit's `FaultyStore`).
    pub(super) fn store_down(&self, down: bool) {
        self.store.inner.set_broken(down);
    }

    /// The store answers with rows it cannot understand (`StoreError::Corrupt`).
    pub(super) fn store_corrupt(&self, corrupt: bool) {
        self.store.set_corrupt(corrupt);
    }

    /// A new API key (as `shikaku api-key create` issues one) for `institutions`, or
    /// every institution when empty: its 64 hex digits and its id.
    pub(super) fn api_key(&self, institutions: &[&str]) -> (String, i64) {
        let scope = if institutions.is_empty() {
            ApiKeyScope::All
        } else {
            ApiKeyScope::Institutions(
                institutions
                    .iter()
                    .map(|code| InstitutionCode::parse(code, code.len()).unwrap())
                    .collect(),
            )
        };
        let issued = self.service.create_api_key("test", scope).unwrap();
        (
            shikaku::testing::hex(issued.key.as_bytes()),
            issued.record.id.0,
        )
    }

    /// Sends, checks the response against the contract and the invariants, records it.
    pub(super) async fn send(&self, call: Call) -> Reply {
        let mut builder = Request::builder()
            .method(call.method.clone())
            .uri(&call.uri);
        if !call.headers.iter().any(|(name, _)| name == header::HOST) {
            builder = builder.header(header::HOST, &self.host);
        }
        for (name, value) in &call.headers {
            builder = builder.header(name, value);
        }
        let response = self
            .app
            .clone()
            .oneshot(builder.body(call.body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        let (path, query) = match call.uri.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (call.uri.as_str(), None),
        };
        assert_eq!(
            headers[header::CACHE_CONTROL],
            "no-store",
            "{} {path}",
            call.method
        );
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(
            headers.get(header::SET_COOKIE).is_none(),
            "the API never sets cookies"
        );
        if !status.is_success() {
            assert_eq!(
                headers[header::CONTENT_TYPE],
                "application/json",
                "{} {path} → {status}: errors are JSON",
                call.method
            );
            assert!(headers.contains_key(header::CONTENT_LANGUAGE));
        }
        assert_ne!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "a wrong content type is 400"
        );
        let key = contract().check(
            &call.method,
            path,
            query,
            status,
            &headers,
            &bytes,
            call.json.as_ref(),
        );
        self.seen.lock().unwrap().insert(key);
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        Reply {
            status,
            headers,
            bytes,
            json,
        }
    }

    pub(super) async fn login(&self, login_id: &str, password: &str) -> Reply {
        self.send(Call::post(
            "/login",
            json!({"institution_code": INSTITUTION_CODE, "login_id": login_id, "password": password}),
        ))
        .await
    }

    /// A login that must succeed: (next, login token).
    pub(super) async fn login_token(&self, login_id: &str, password: &str) -> (String, String) {
        let reply = self.login(login_id, password).await;
        reply.ok();
        (reply.str("next"), reply.str("login_token"))
    }

    pub(super) async fn passcode(&self, login_token: &str, passcode: &str) -> Reply {
        self.send(Call::post(
            "/passcode",
            json!({"login_token": login_token, "passcode": passcode}),
        ))
        .await
    }

    pub(super) async fn enrollment(&self, login_token: &str) -> Reply {
        self.send(Call::get("/enrollment").bearer(login_token))
            .await
    }

    pub(super) async fn session(&self, token: &str) -> Reply {
        self.send(Call::get("/session").bearer(token)).await
    }

    pub(super) async fn change_password(
        &self,
        token: &str,
        current: &str,
        new: &str,
        again: &str,
    ) -> Reply {
        self.send(
            Call::post(
                "/password",
                json!({"current_password": current, "new_password": new, "new_password_confirm": again}),
            )
            .bearer(token),
        )
        .await
    }

    pub(super) async fn logout(&self, token: &str) -> Reply {
        self.send(Call::raw(Method::POST, "/logout", None, Body::empty()).bearer(token))
            .await
    }

    pub(super) async fn authenticate(
        &self,
        login_id: &str,
        password: &str,
        passcode: &str,
    ) -> Reply {
        self.send(Call::post(
            "/authenticate",
            json!({"institution_code": INSTITUTION_CODE, "login_id": login_id, "password": password, "passcode": passcode}),
        ))
        .await
    }

    /// The passcode for `secret`, now.
    pub(super) fn code(&self, secret: &Secret) -> String {
        code_at(secret, self.now())
    }

    /// A 6-digit code that is not the current one (nor a neighbour in the window).
    pub(super) fn wrong_code(&self, secret: &Secret) -> String {
        wrong_code(secret, self.now())
    }

    /// The full JSON enrollment of a fresh account: (secret, session token).
    pub(super) async fn enroll(&self, login_id: &str) -> (Secret, String) {
        let (next, token) = self.login_token(login_id, INITIAL_PASSWORD).await;
        assert_eq!(next, "enroll");
        let view = self.enrollment(&token).await;
        let secret = SetupKey::parse(&view.str("setup_key")).unwrap();
        let grant = self.passcode(&token, &self.code(&secret)).await;
        assert_eq!(grant.ok()["enrolled"], true);
        (secret, grant.str("session_token"))
    }

    /// A later login (next time step, so the passcode is fresh): the session token.
    pub(super) async fn sign_in(&self, login_id: &str, password: &str, secret: &Secret) -> String {
        self.advance(Duration::seconds(30));
        let (next, token) = self.login_token(login_id, password).await;
        assert_eq!(next, "passcode");
        let grant = self.passcode(&token, &self.code(secret)).await;
        assert_eq!(grant.ok()["enrolled"], false);
        grant.str("session_token")
    }
}

pub(super) fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap()
}

/// One call of every administration operation, with `key`, on the account
/// `institution`/`login_id` (`POST /admin/accounts` creates `login_id` + `x`).
pub(super) fn admin_calls(key: &str, institution: &str, login_id: &str) -> Vec<Call> {
    let account = format!("/admin/accounts/{institution}/{login_id}");
    let mut calls = vec![
        Call::post(
            "/admin/accounts",
            json!({"institution_code": institution, "login_id": format!("{login_id}x")}),
        ),
        Call::get("/admin/accounts"),
        Call::get(&account),
    ];
    for action in ["unlock", "reset-mfa", "reset-password", "disable", "enable"] {
        calls.push(Call::post_empty(&format!("{account}/{action}")));
    }
    calls.push(Call::get("/admin/audit"));
    calls.into_iter().map(|call| call.bearer(key)).collect()
}
