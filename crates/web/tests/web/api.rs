//! The JSON API over the real facade (`app(…)` on a `MemoryStore` with a `ManualClock`
//! and a seeded CSPRNG), driven with `oneshot`.
//!
//! Every response any test receives goes through [`Api::send`], which checks it against
//! the OpenAPI document (`crates/web/openapi.json`): the operation and status must be
//! documented, the body must validate against the documented schema (required
//! properties, types, enums, `additionalProperties: false`, patterns, RFC 3339 instants),
//! documented headers must be present, and `Cache-Control: no-store` is on everything.
//! [`the_contract_is_exercised_in_full`] runs every scenario and then asserts that every
//! documented (operation, status, error code) was actually received.

use shikaku::testing::FaultyStore;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, Method, Request, StatusCode, header};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{Value, json};
use shikaku::password::{Password, Policy};
use shikaku::totp::{Secret, SetupKey, Verifier};
use shikaku::{AccountKey, Config, ManualClock, MasterKey, MemoryStore, SharedRng, Shikaku};
use shikaku_web::WebOptions;
use shikaku_web::api::{OPENAPI_JSON, PREFIX};
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use tower::ServiceExt;

const INSTITUTION: &str = "0123456789";
const INITIAL: &str = "Initial#Pw1";
const START: OffsetDateTime = datetime!(2026-04-01 00:00:00 UTC);
const LIMIT: usize = shikaku_web::security::DEFAULT_BODY_LIMIT;

// ===== A store that can be switched off (for the documented 500s) =====================

// ===== The OpenAPI checker ==============================================================

/// The schema keywords the checker enforces. A document using any other keyword fails
/// the tests, so the document never promises what is not checked.
const KEYWORDS: &[&str] = &[
    "$ref",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "enum",
    "const",
    "items",
    "minItems",
    "minLength",
    "pattern",
    "format",
    "description",
];

struct Contract {
    doc: Value,
}

fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| Contract {
        doc: serde_json::from_str(OPENAPI_JSON).expect("openapi.json is JSON"),
    })
}

const HTTP_METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

impl Contract {
    fn pointer(&self, reference: &str) -> &Value {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local references: {reference}"));
        self.doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("dangling $ref {reference}"))
    }

    /// Follows a `$ref` (for response, header and parameter objects).
    fn deref<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => self.deref(self.pointer(reference)),
            None => value,
        }
    }

    /// The operation a request path and method name, `None` for an undocumented path.
    fn operation(&self, method: &Method, path: &str) -> Option<(&str, Option<&Value>)> {
        let sub = path.strip_prefix(PREFIX)?;
        let (name, item) = self.doc["paths"].as_object()?.get_key_value(sub)?;
        Some((
            name.as_str(),
            item.get(method.as_str().to_ascii_lowercase()),
        ))
    }

    /// The documented response for a request and what it covers.
    fn response_for(&self, method: &Method, path: &str, status: StatusCode) -> (String, &Value) {
        match self.operation(method, path) {
            None => {
                assert_eq!(
                    status,
                    StatusCode::NOT_FOUND,
                    "{method} {path}: undocumented paths answer 404"
                );
                (
                    "any /api/ path".to_owned(),
                    self.deref(&self.doc["components"]["responses"]["NotFound"]),
                )
            }
            Some((_, None)) => {
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path}: undocumented methods answer 405"
                );
                (
                    "any method not documented".to_owned(),
                    self.deref(&self.doc["components"]["responses"]["MethodNotAllowed"]),
                )
            }
            Some((name, Some(op))) => {
                let response = op["responses"].get(status.as_str()).unwrap_or_else(|| {
                    panic!("{method} {path} answered {status}, which the document does not list")
                });
                (format!("{method} {name}"), self.deref(response))
            }
        }
    }

    /// Checks one received response; returns its coverage key.
    fn check(
        &self,
        method: &Method,
        path: &str,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
        sent: Option<&Value>,
    ) -> String {
        let (operation, spec) = self.response_for(method, path, status);
        let context = format!("{operation} → {status}");
        if let Some(documented) = spec.get("headers").and_then(Value::as_object) {
            for (name, header_spec) in documented {
                let header_spec = self.deref(header_spec);
                let value = headers.get(name.as_str());
                if header_spec["required"] == true {
                    let value = value.unwrap_or_else(|| panic!("{context}: no {name} header"));
                    let text = Value::String(value.to_str().unwrap().to_owned());
                    self.validate(&header_spec["schema"], &text, name)
                        .unwrap_or_else(|e| panic!("{context}: {e}"));
                }
            }
        }
        let code = match spec.get("content") {
            None => {
                assert!(body.is_empty(), "{context}: documented without a body");
                None
            }
            Some(content) => {
                let schema = &content["application/json"]["schema"];
                assert!(!schema.is_null(), "{context}: only JSON is documented");
                assert_eq!(
                    headers[header::CONTENT_TYPE],
                    "application/json",
                    "{context}"
                );
                let json: Value = serde_json::from_slice(body)
                    .unwrap_or_else(|e| panic!("{context}: body is not JSON: {e}"));
                self.validate(schema, &json, "body")
                    .unwrap_or_else(|e| panic!("{context}: {e}\n{json:#}"));
                json.get("error").and_then(Value::as_str).map(str::to_owned)
            }
        };
        // What a client sent and got a 2xx for must validate against the request schema.
        if let (true, Some(sent), Some((_, Some(op)))) =
            (status.is_success(), sent, self.operation(method, path))
        {
            let schema = &op["requestBody"]["content"]["application/json"]["schema"];
            assert!(
                !schema.is_null(),
                "{context}: a body was sent to an operation without one"
            );
            self.validate(schema, sent, "request").unwrap_or_else(|e| {
                panic!("{context}: the accepted request breaks its schema: {e}")
            });
        }
        coverage_key(&operation, status.as_str(), code.as_deref())
    }

    fn validate(&self, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
        let rules = schema
            .as_object()
            .unwrap_or_else(|| panic!("{at}: a schema must be an object"));
        for keyword in rules.keys() {
            assert!(
                KEYWORDS.contains(&keyword.as_str()),
                "{at}: the checker does not enforce `{keyword}`"
            );
        }
        if let Some(reference) = rules.get("$ref").and_then(Value::as_str) {
            self.validate(self.pointer(reference), value, at)?;
        }
        if let Some(types) = rules.get("type") {
            let types: Vec<&str> = match types {
                Value::String(one) => vec![one.as_str()],
                Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                other => panic!("{at}: bad type {other}"),
            };
            if !types.iter().any(|t| type_matches(t, value)) {
                return Err(format!("{at}: expected {types:?}, got {value}"));
            }
        }
        if let Some(allowed) = rules.get("enum")
            && !allowed.as_array().unwrap().contains(value)
        {
            return Err(format!("{at}: {value} is not one of {allowed}"));
        }
        if let Some(constant) = rules.get("const")
            && constant != value
        {
            return Err(format!("{at}: {value} is not {constant}"));
        }
        match value {
            Value::Object(map) => {
                let properties = rules.get("properties").and_then(Value::as_object);
                for name in rules
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let name = name.as_str().unwrap();
                    if !map.contains_key(name) {
                        return Err(format!("{at}: required property `{name}` is missing"));
                    }
                }
                for (name, item) in map {
                    let here = format!("{at}.{name}");
                    match properties.and_then(|p| p.get(name)) {
                        Some(property) => self.validate(property, item, &here)?,
                        None => match rules.get("additionalProperties") {
                            Some(Value::Bool(false)) => {
                                return Err(format!("{at}: property `{name}` is not documented"));
                            }
                            Some(extra @ Value::Object(_)) => self.validate(extra, item, &here)?,
                            _ => {}
                        },
                    }
                }
            }
            Value::Array(items) => {
                if let Some(min) = rules.get("minItems").and_then(Value::as_u64)
                    && (items.len() as u64) < min
                {
                    return Err(format!("{at}: fewer than {min} items"));
                }
                if let Some(item_schema) = rules.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.validate(item_schema, item, &format!("{at}[{i}]"))?;
                    }
                }
            }
            Value::String(text) => {
                if let Some(min) = rules.get("minLength").and_then(Value::as_u64)
                    && (text.chars().count() as u64) < min
                {
                    return Err(format!("{at}: shorter than {min}"));
                }
                if let Some(pattern) = rules.get("pattern").and_then(Value::as_str) {
                    let re = regex::Regex::new(pattern)
                        .unwrap_or_else(|e| panic!("{at}: bad pattern {pattern}: {e}"));
                    if !re.is_match(text) {
                        return Err(format!("{at}: {text:?} does not match {pattern}"));
                    }
                }
                match rules.get("format").and_then(Value::as_str) {
                    None | Some("password") => {}
                    Some("date-time") => {
                        OffsetDateTime::parse(text, &Rfc3339)
                            .map_err(|e| format!("{at}: {text:?} is not RFC 3339: {e}"))?;
                    }
                    Some(other) => panic!("{at}: the checker does not know format {other}"),
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Every (operation, status, error code) the document promises.
    fn promised(&self) -> BTreeSet<String> {
        let mut all = BTreeSet::new();
        let mut add = |operation: &str, status: &str, response: &Value| {
            let schema = response
                .pointer("/content/application~1json/schema")
                .map(|s| self.deref(s));
            let codes = schema
                .and_then(|s| s.pointer("/properties/error/enum"))
                .and_then(Value::as_array);
            match codes {
                Some(codes) => {
                    for code in codes {
                        all.insert(coverage_key(operation, status, code.as_str()));
                    }
                }
                None => {
                    all.insert(coverage_key(operation, status, None));
                }
            }
        };
        for (path, item) in self.doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                assert!(HTTP_METHODS.contains(&method.as_str()), "{path}: {method}");
                let operation = format!("{} {path}", method.to_ascii_uppercase());
                for (status, response) in op["responses"].as_object().unwrap() {
                    add(&operation, status, self.deref(response));
                }
            }
        }
        let responses = &self.doc["components"]["responses"];
        add("any /api/ path", "404", self.deref(&responses["NotFound"]));
        add(
            "any method not documented",
            "405",
            self.deref(&responses["MethodNotAllowed"]),
        );
        all
    }
}

fn type_matches(kind: &str, value: &Value) -> bool {
    match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "null" => value.is_null(),
        other => panic!("unknown type {other}"),
    }
}

fn coverage_key(operation: &str, status: &str, code: Option<&str>) -> String {
    match code {
        Some(code) => format!("{operation} {status} {code}"),
        None => format!("{operation} {status}"),
    }
}

// ===== The harness ======================================================================

type Seen = Arc<Mutex<BTreeSet<String>>>;

/// One app over a fresh store.
struct Api {
    app: Router,
    service: Arc<Shikaku<FaultyStore>>,
    store: Arc<FaultyStore>,
    clock: ManualClock,
    seen: Seen,
}

/// A request to send.
struct Call {
    method: Method,
    uri: String,
    headers: Vec<(HeaderName, String)>,
    body: Body,
    json: Option<Value>,
}

impl Call {
    fn get(path: &str) -> Self {
        Self {
            method: Method::GET,
            uri: format!("{PREFIX}{path}"),
            headers: Vec::new(),
            body: Body::empty(),
            json: None,
        }
    }

    fn post(path: &str, json: Value) -> Self {
        Self::raw(
            Method::POST,
            path,
            Some("application/json"),
            serde_json::to_vec(&json).unwrap(),
        )
        .json(json)
    }

    fn raw(method: Method, path: &str, content_type: Option<&str>, body: impl Into<Body>) -> Self {
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

    fn json(mut self, json: Value) -> Self {
        self.json = Some(json);
        self
    }

    fn header(mut self, name: HeaderName, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    fn bearer(self, token: &str) -> Self {
        self.header(header::AUTHORIZATION, &format!("Bearer {token}"))
    }

    fn en(self) -> Self {
        self.header(header::ACCEPT_LANGUAGE, "en")
    }

    fn at(mut self, uri: &str) -> Self {
        self.uri = uri.to_owned();
        self
    }
}

/// A received response.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    bytes: Vec<u8>,
    json: Value,
}

impl Reply {
    fn error(&self) -> &str {
        self.json["error"].as_str().unwrap_or("")
    }

    #[track_caller]
    fn expect(&self, status: StatusCode, error: &str) -> &Self {
        assert_eq!(
            (self.status, self.error()),
            (status, error),
            "{}",
            String::from_utf8_lossy(&self.bytes)
        );
        self
    }

    #[track_caller]
    fn ok(&self) -> &Value {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&self.bytes)
        );
        &self.json
    }

    #[track_caller]
    fn no_content(&self) {
        assert_eq!(
            self.status,
            StatusCode::NO_CONTENT,
            "{}",
            String::from_utf8_lossy(&self.bytes)
        );
    }

    fn str(&self, name: &str) -> String {
        self.json[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} in {}", self.json))
            .to_owned()
    }
}

impl Api {
    fn new(seen: Seen) -> Self {
        let store = Arc::new(FaultyStore::new(MemoryStore::new()));
        let clock = ManualClock::new(START);
        let rng = SharedRng::new(ChaCha20Rng::seed_from_u64(0x4150_4931));
        let service = Arc::new(
            Shikaku::builder(Arc::clone(&store))
                .master_key(MasterKey::generate(&rng))
                .config(Config::for_tests())
                .clock(clock.clone())
                .rng(rng)
                .build()
                .unwrap(),
        );
        let app = shikaku_web::app(Arc::clone(&service), WebOptions::default()).unwrap();
        Self {
            app,
            service,
            store,
            clock,
            seen,
        }
    }

    fn now(&self) -> OffsetDateTime {
        shikaku::Clock::now(&self.clock)
    }

    fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    fn provision(&self, login_id: &str) {
        self.service
            .provision(INSTITUTION, login_id, Some(Password::new(INITIAL)))
            .unwrap();
    }

    fn key(&self, login_id: &str) -> AccountKey {
        self.service.account_key(INSTITUTION, login_id).unwrap()
    }

    fn store_down(&self, down: bool) {
        self.store.set_broken(down);
    }

    /// Sends, checks the response against the contract and the invariants, records it.
    async fn send(&self, call: Call) -> Reply {
        let mut builder = Request::builder()
            .method(call.method.clone())
            .uri(&call.uri)
            .header(header::HOST, "127.0.0.1:8080");
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
        let path = call.uri.split('?').next().unwrap();
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

    async fn login(&self, login_id: &str, password: &str) -> Reply {
        self.send(Call::post(
            "/login",
            json!({"institution_code": INSTITUTION, "login_id": login_id, "password": password}),
        ))
        .await
    }

    /// A login that must succeed: (next, login token).
    async fn login_token(&self, login_id: &str, password: &str) -> (String, String) {
        let reply = self.login(login_id, password).await;
        reply.ok();
        (reply.str("next"), reply.str("login_token"))
    }

    async fn passcode(&self, login_token: &str, passcode: &str) -> Reply {
        self.send(Call::post(
            "/passcode",
            json!({"login_token": login_token, "passcode": passcode}),
        ))
        .await
    }

    async fn enrollment(&self, login_token: &str) -> Reply {
        self.send(Call::get("/enrollment").bearer(login_token))
            .await
    }

    async fn session(&self, token: &str) -> Reply {
        self.send(Call::get("/session").bearer(token)).await
    }

    async fn change_password(&self, token: &str, current: &str, new: &str, again: &str) -> Reply {
        self.send(
            Call::post(
                "/password",
                json!({"current_password": current, "new_password": new, "new_password_confirm": again}),
            )
            .bearer(token),
        )
        .await
    }

    async fn logout(&self, token: &str) -> Reply {
        self.send(Call::raw(Method::POST, "/logout", None, Body::empty()).bearer(token))
            .await
    }

    async fn authenticate(&self, login_id: &str, password: &str, passcode: &str) -> Reply {
        self.send(Call::post(
            "/authenticate",
            json!({"institution_code": INSTITUTION, "login_id": login_id, "password": password, "passcode": passcode}),
        ))
        .await
    }

    /// The passcode for `secret`, now.
    fn code(&self, secret: &Secret) -> String {
        Verifier::default()
            .generate(secret, self.now())
            .as_str()
            .to_owned()
    }

    /// A 6-digit code that is not the current one (nor a neighbour in the window).
    fn wrong_code(&self, secret: &Secret) -> String {
        let near: Vec<String> = (-2..=2)
            .map(|s| {
                Verifier::default()
                    .generate(secret, self.now() + Duration::seconds(30 * s))
                    .as_str()
                    .to_owned()
            })
            .collect();
        (0..)
            .map(|n: u32| format!("{:06}", (n * 7919) % 1_000_000))
            .find(|c| !near.contains(c))
            .unwrap()
    }

    /// The full JSON enrollment of a fresh account: (secret, session token).
    async fn enroll(&self, login_id: &str) -> (Secret, String) {
        let (next, token) = self.login_token(login_id, INITIAL).await;
        assert_eq!(next, "enroll");
        let view = self.enrollment(&token).await;
        let secret = SetupKey::parse(&view.str("setup_key")).unwrap();
        let grant = self.passcode(&token, &self.code(&secret)).await;
        assert_eq!(grant.ok()["enrolled"], true);
        (secret, grant.str("session_token"))
    }

    /// A later login (next time step, so the passcode is fresh): the session token.
    async fn sign_in(&self, login_id: &str, password: &str, secret: &Secret) -> String {
        self.advance(Duration::seconds(30));
        let (next, token) = self.login_token(login_id, password).await;
        assert_eq!(next, "passcode");
        let grant = self.passcode(&token, &self.code(secret)).await;
        assert_eq!(grant.ok()["enrolled"], false);
        grant.str("session_token")
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap()
}

// ===== Scenarios ========================================================================

macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                scenario::$name(&Api::new(Seen::default())).await;
            }
        )*

        /// Runs every scenario, then checks that every documented (operation, status,
        /// error code) was received — and nothing undocumented (checked per response).
        #[tokio::test]
        async fn the_contract_is_exercised_in_full() {
            let seen = Seen::default();
            $( scenario::$name(&Api::new(Arc::clone(&seen))).await; )*
            let seen = seen.lock().unwrap().clone();
            let missing: Vec<_> = contract().promised().difference(&seen).cloned().collect();
            assert!(missing.is_empty(), "documented but never exercised: {missing:#?}");
            let extra: Vec<_> = seen.difference(&contract().promised()).cloned().collect();
            assert!(extra.is_empty(), "received but not promised: {extra:#?}");
        }
    };
}

scenarios! {
    enrollment_then_later_logins,
    a_replayed_passcode_is_refused,
    three_wrong_passwords_lock_for_30_minutes,
    unknown_account_and_wrong_password_are_identical,
    passcode_step_errors_and_lock,
    password_change_lists_every_violation,
    password_change_locks_on_wrong_current_passwords,
    sessions_expire_after_30_idle_minutes,
    a_later_login_supersedes_the_session,
    logout_ends_the_session,
    authenticate_in_one_call,
    administrator_states,
    bad_input_is_400_never_500,
    bodies_over_the_limit_are_413_before_parsing,
    tokens_come_only_from_the_authorization_header,
    transport_errors_are_json,
    store_failures_are_json_500s,
    messages_follow_accept_language,
    the_document_is_served,
}

mod scenario {
    use super::*;

    pub(super) async fn enrollment_then_later_logins(api: &Api) {
        api.provision("staff01");
        let (next, token) = api.login_token("staff01", INITIAL).await;
        assert_eq!(next, "enroll");

        let view = api.enrollment(&token).await;
        let setup_key = view.str("setup_key");
        let uri = view.str("otpauth_uri");
        assert!(!setup_key.contains(' '), "copy form");
        assert!(uri.contains(&format!("secret={setup_key}&")), "{uri}");
        assert!(uri.contains("staff01"));
        assert!(view.str("qr_svg").ends_with("</svg>"));
        // The pending secret stays the same until confirmed.
        assert_eq!(api.enrollment(&token).await.str("setup_key"), setup_key);

        let secret = SetupKey::parse(&setup_key).unwrap();
        let wrong = api.wrong_code(&secret);
        api.passcode(&token, &wrong)
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
        let grant = api.passcode(&token, &api.code(&secret)).await;
        assert_eq!(grant.ok()["enrolled"], true);
        let session = grant.str("session_token");
        // The login token is used up.
        api.passcode(&token, &api.code(&secret))
            .await
            .expect(StatusCode::UNAUTHORIZED, "unauthenticated");

        let info = api.session(&session).await;
        assert_eq!(
            info.ok(),
            &json!({
                "institution_code": INSTITUTION,
                "login_id": "staff01",
                "expires_at": rfc3339(START + Duration::minutes(30)),
            })
        );

        // Later logins ask for the passcode; enrollment is refused.
        api.advance(Duration::minutes(1));
        let (next, token) = api.login_token("staff01", INITIAL).await;
        assert_eq!(next, "passcode");
        api.enrollment(&token)
            .await
            .expect(StatusCode::CONFLICT, "already_enrolled");
        let grant = api.passcode(&token, &api.code(&secret)).await;
        assert_eq!(grant.ok()["enrolled"], false);
        assert_ne!(grant.str("session_token"), session);
        api.session(&grant.str("session_token")).await.ok();
    }

    pub(super) async fn a_replayed_passcode_is_refused(api: &Api) {
        api.provision("staff01");
        let (secret, _) = api.enroll("staff01").await;
        // The code that confirmed the registration cannot open another session.
        let code = api.code(&secret);
        let (_, token) = api.login_token("staff01", INITIAL).await;
        api.passcode(&token, &code)
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
        // Nor through the one-call authentication.
        api.authenticate("staff01", INITIAL, &code)
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
        // The next time step's code works, once.
        api.advance(Duration::seconds(30));
        let fresh = api.code(&secret);
        api.passcode(&token, &fresh).await.ok();
        api.authenticate("staff01", INITIAL, &fresh)
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
    }

    pub(super) async fn three_wrong_passwords_lock_for_30_minutes(api: &Api) {
        api.provision("staff01");
        for _ in 0..2 {
            api.login("staff01", "Wrong#Pw1")
                .await
                .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
        }
        let locked = api.login("staff01", "Wrong#Pw1").await;
        locked.expect(StatusCode::LOCKED, "locked");
        let until = rfc3339(START + Duration::minutes(30));
        assert_eq!(locked.json["locked_until"], until.as_str());
        // The right password does not open a lock.
        api.advance(Duration::minutes(29) + Duration::seconds(59));
        let still = api.login("staff01", INITIAL).await;
        still.expect(StatusCode::LOCKED, "locked");
        assert_eq!(still.json["locked_until"], until.as_str());
        api.advance(Duration::seconds(1));
        api.login_token("staff01", INITIAL).await;

        // An unknown account locks exactly the same way.
        for _ in 0..2 {
            api.login("ghost", "Wrong#Pw1")
                .await
                .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
        }
        api.login("ghost", "Wrong#Pw1")
            .await
            .expect(StatusCode::LOCKED, "locked");
    }

    pub(super) async fn unknown_account_and_wrong_password_are_identical(api: &Api) {
        api.provision("staff01");
        api.provision("staff02");
        let (secret, _) = api.enroll("staff02").await;
        for lang in [None, Some("en")] {
            let with_lang = |call: Call| match lang {
                Some(l) => call.header(header::ACCEPT_LANGUAGE, l),
                None => call,
            };
            let body = |id: &str, pw: &str| json!({"institution_code": INSTITUTION, "login_id": id, "password": pw});
            let wrong = api
                .send(with_lang(Call::post(
                    "/login",
                    body("staff01", "Wrong#Pw1"),
                )))
                .await;
            let unknown = api
                .send(with_lang(Call::post("/login", body("nobody", "Wrong#Pw1"))))
                .await;
            wrong.expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
            assert_eq!(wrong.status, unknown.status);
            assert_eq!(wrong.bytes, unknown.bytes, "byte-identical bodies");
            assert_eq!(wrong.headers, unknown.headers, "identical headers");

            // The same for the one-call authentication, even with a valid passcode.
            let body = |id: &str| json!({"institution_code": INSTITUTION, "login_id": id, "password": "Wrong#Pw1", "passcode": api.code(&secret)});
            let wrong = api
                .send(with_lang(Call::post("/authenticate", body("staff02"))))
                .await;
            let unknown = api
                .send(with_lang(Call::post("/authenticate", body("nobody2"))))
                .await;
            wrong.expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
            assert_eq!(wrong.bytes, unknown.bytes);
            assert_eq!(wrong.headers, unknown.headers);
        }
    }

    pub(super) async fn passcode_step_errors_and_lock(api: &Api) {
        // No GET /enrollment yet: there is no secret to confirm.
        api.provision("staff00");
        let (_, token) = api.login_token("staff00", INITIAL).await;
        api.passcode(&token, "123456")
            .await
            .expect(StatusCode::CONFLICT, "enrollment_required");

        api.provision("staff01");
        let (_, token) = api.login_token("staff01", INITIAL).await;
        let secret = SetupKey::parse(&api.enrollment(&token).await.str("setup_key")).unwrap();

        // Malformed passcodes are 400 and do not count toward the lock.
        for bad in ["12345", "1234567", "12345a", "１２３４５"] {
            api.passcode(&token, bad)
                .await
                .expect(StatusCode::BAD_REQUEST, "malformed");
        }
        // Full-width digits are a well-formed (here wrong) passcode.
        let wrong = api.wrong_code(&secret);
        let full_width: String = wrong
            .chars()
            .map(|c| char::from_u32(u32::from(c) - u32::from('0') + u32::from('０')).unwrap())
            .collect();
        api.passcode(&token, &full_width)
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
        api.passcode(&token, &wrong)
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
        let locked = api.passcode(&token, &wrong).await;
        locked.expect(StatusCode::LOCKED, "locked");
        assert_eq!(
            locked.json["locked_until"],
            rfc3339(START + Duration::minutes(30)).as_str()
        );
        // The lock voids the login token…
        api.passcode(&token, &api.code(&secret))
            .await
            .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
        // …and stops the next login at the password step.
        api.login("staff01", INITIAL)
            .await
            .expect(StatusCode::LOCKED, "locked");
        api.advance(Duration::minutes(30));
        let (_, token) = api.login_token("staff01", INITIAL).await;
        api.passcode(&token, &api.code(&secret)).await.ok();

        // Login tokens that were never issued.
        for token in ["", "0", &"g".repeat(64), &"A".repeat(64), &"a".repeat(65)] {
            let reply = api.passcode(token, "123456").await;
            if token.is_empty() {
                reply.expect(StatusCode::BAD_REQUEST, "malformed");
            } else {
                reply.expect(StatusCode::UNAUTHORIZED, "unauthenticated");
            }
        }
        api.passcode(&"a".repeat(64), "123456")
            .await
            .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
    }

    pub(super) async fn password_change_lists_every_violation(api: &Api) {
        api.provision("staff01");
        let (secret, session) = api.enroll("staff01").await;
        let policy = Policy::default();

        let short = api
            .change_password(&session, INITIAL, "short", "short")
            .await;
        short.expect(StatusCode::UNPROCESSABLE_ENTITY, "password_policy");
        let expected: Vec<Value> = policy
            .check("short")
            .unwrap_err()
            .iter()
            .map(|v| json!({"code": v.code().as_str(), "message": v.message_ja()}))
            .collect();
        assert_eq!(short.json["violations"], Value::Array(expected));
        let codes: Vec<&str> = short.json["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["code"].as_str().unwrap())
            .collect();
        for code in [
            "too_short",
            "missing_digit",
            "missing_uppercase",
            "missing_special",
        ] {
            assert!(codes.contains(&code), "{codes:?}");
        }

        // English, plus a confirmation mismatch and an empty password: all listed.
        let en = api
            .send(
                Call::post(
                    "/password",
                    json!({"current_password": INITIAL, "new_password": "", "new_password_confirm": "x"}),
                )
                .bearer(&session)
                .en(),
            )
            .await;
        en.expect(StatusCode::UNPROCESSABLE_ENTITY, "password_policy");
        let violations = en.json["violations"].as_array().unwrap();
        assert_eq!(violations[0]["code"], "confirmation_mismatch");
        let mut expected = vec![json!({
            "code": "confirmation_mismatch",
            "message": shikaku::password::Violation::confirmation_mismatch().message_en(),
        })];
        expected.extend(
            policy
                .check("")
                .unwrap_err()
                .iter()
                .map(|v| json!({"code": v.code().as_str(), "message": v.message_en()})),
        );
        assert_eq!(violations, &expected);

        // A wrong current password.
        api.change_password(&session, "Wrong#Pw1", "Changed#Pw22", "Changed#Pw22")
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");

        // Success: the new password logs in, the old one does not.
        api.change_password(&session, INITIAL, "Changed#Pw2", "Changed#Pw2")
            .await
            .no_content();
        api.login("staff01", INITIAL)
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
        let session = api.sign_in("staff01", "Changed#Pw2", &secret).await;

        // History: back to the previous (short) password, or one sharing its first 5.
        let reused = api
            .change_password(&session, "Changed#Pw2", INITIAL, INITIAL)
            .await;
        reused.expect(StatusCode::UNPROCESSABLE_ENTITY, "password_policy");
        assert_eq!(reused.json["violations"][0]["code"], "reused_generation");
        let similar = api
            .change_password(&session, "Changed#Pw2", "Initi#Other9", "Initi#Other9")
            .await;
        similar.expect(StatusCode::UNPROCESSABLE_ENTITY, "password_policy");
        assert_eq!(
            similar.json["violations"][0]["code"],
            "similar_to_generation"
        );
    }

    pub(super) async fn password_change_locks_on_wrong_current_passwords(api: &Api) {
        api.provision("staff01");
        let (_, session) = api.enroll("staff01").await;
        for _ in 0..2 {
            api.change_password(&session, "Wrong#Pw1", "Changed#Pw2", "Changed#Pw2")
                .await
                .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
        }
        let locked = api
            .change_password(&session, "Wrong#Pw1", "Changed#Pw2", "Changed#Pw2")
            .await;
        locked.expect(StatusCode::LOCKED, "locked");
        let until = locked.str("locked_until");
        // The right current password during the lock: still locked, same instant.
        let again = api
            .change_password(&session, INITIAL, "Changed#Pw2", "Changed#Pw2")
            .await;
        again.expect(StatusCode::LOCKED, "locked");
        assert_eq!(again.str("locked_until"), until);
    }

    pub(super) async fn sessions_expire_after_30_idle_minutes(api: &Api) {
        api.provision("staff01");
        let (secret, session) = api.enroll("staff01").await;
        // 29:59 of inactivity: still active, and this use extends it.
        api.advance(Duration::minutes(29) + Duration::seconds(59));
        let info = api.session(&session).await;
        assert_eq!(
            info.ok()["expires_at"],
            rfc3339(api.now() + Duration::minutes(30)).as_str()
        );
        // 30:00 after that use: over.
        api.advance(Duration::minutes(30));
        api.session(&session)
            .await
            .expect(StatusCode::UNAUTHORIZED, "session_expired");
        api.session(&session)
            .await
            .expect(StatusCode::UNAUTHORIZED, "unauthenticated");

        // The same for a password change on an idle session.
        let session = api.sign_in("staff01", INITIAL, &secret).await;
        api.advance(Duration::minutes(30));
        api.change_password(&session, INITIAL, "Changed#Pw2", "Changed#Pw2")
            .await
            .expect(StatusCode::UNAUTHORIZED, "session_expired");

        // A login token lives 30 minutes too.
        let (_, token) = api.login_token("staff01", INITIAL).await;
        api.advance(Duration::minutes(30));
        api.passcode(&token, &api.code(&secret))
            .await
            .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
        api.provision("staff02");
        let (_, token) = api.login_token("staff02", INITIAL).await;
        api.advance(Duration::minutes(30));
        api.enrollment(&token)
            .await
            .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
    }

    pub(super) async fn a_later_login_supersedes_the_session(api: &Api) {
        api.provision("staff01");
        let (secret, first) = api.enroll("staff01").await;
        let second = api.sign_in("staff01", INITIAL, &secret).await;
        api.session(&first)
            .await
            .expect(StatusCode::UNAUTHORIZED, "session_superseded");
        api.session(&second).await.ok();
        let third = api.sign_in("staff01", INITIAL, &secret).await;
        api.change_password(&second, INITIAL, "Changed#Pw2", "Changed#Pw2")
            .await
            .expect(StatusCode::UNAUTHORIZED, "session_superseded");
        api.session(&third).await.ok();
        // Logging in with a password alone (no passcode yet) does not end the session.
        api.advance(Duration::seconds(30));
        api.login_token("staff01", INITIAL).await;
        api.session(&third).await.ok();
    }

    pub(super) async fn logout_ends_the_session(api: &Api) {
        api.provision("staff01");
        let (_, session) = api.enroll("staff01").await;
        api.logout(&session).await.no_content();
        api.session(&session)
            .await
            .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
        api.logout(&session)
            .await
            .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
        api.change_password(&session, INITIAL, "Changed#Pw2", "Changed#Pw2")
            .await
            .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
        // A login token is not a session token.
        let (_, token) = api.login_token("staff01", INITIAL).await;
        api.session(&token)
            .await
            .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
        api.logout(&token)
            .await
            .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
        // Nor the other way round.
        api.enrollment(&session)
            .await
            .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
    }

    pub(super) async fn authenticate_in_one_call(api: &Api) {
        api.provision("staff01");
        api.authenticate("staff01", INITIAL, "123456")
            .await
            .expect(StatusCode::CONFLICT, "enrollment_required");
        let (secret, _) = api.enroll("staff01").await;
        api.advance(Duration::seconds(30));
        let code = api.code(&secret);
        // Identifiers typed in full-width are normalised.
        let verified = api
            .send(Call::post(
                "/authenticate",
                json!({"institution_code": "０１２３４５６７８９", "login_id": "ｓｔａｆｆ01", "password": INITIAL, "passcode": code}),
            ))
            .await;
        assert_eq!(
            verified.ok(),
            &json!({
                "institution_code": INSTITUTION,
                "login_id": "staff01",
                "authenticated_at": rfc3339(api.now()),
            })
        );
        // No session was created: the password login still needs a passcode.
        api.authenticate("staff01", INITIAL, &code)
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
        api.authenticate("staff01", "Wrong#Pw1", &code)
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
        // Passcode lock: the replay above was the first failure.
        let wrong = api.wrong_code(&secret);
        api.authenticate("staff01", INITIAL, &wrong)
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
        let locked = api.authenticate("staff01", INITIAL, &wrong).await;
        locked.expect(StatusCode::LOCKED, "locked");
        api.advance(Duration::seconds(30));
        api.authenticate("staff01", INITIAL, &api.code(&secret))
            .await
            .expect(StatusCode::LOCKED, "locked");
        // Password lock.
        api.provision("staff02");
        for _ in 0..2 {
            api.authenticate("staff02", "Wrong#Pw1", "123456")
                .await
                .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
        }
        api.authenticate("staff02", "Wrong#Pw1", "123456")
            .await
            .expect(StatusCode::LOCKED, "locked");
    }

    pub(super) async fn administrator_states(api: &Api) {
        api.provision("staff01");
        let (secret, session) = api.enroll("staff01").await;

        // An administrator's password reset: the session ends, and the new session must
        // change the password before anything else.
        let settings = api.service.reset_password(&api.key("staff01")).unwrap();
        let issued = settings.initial_password.as_str().to_owned();
        api.session(&session)
            .await
            .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
        api.advance(Duration::seconds(30));
        api.authenticate("staff01", &issued, &api.code(&secret))
            .await
            .expect(StatusCode::FORBIDDEN, "password_change_required");
        let session = api.sign_in("staff01", &issued, &secret).await;
        api.session(&session)
            .await
            .expect(StatusCode::FORBIDDEN, "password_change_required");
        api.change_password(&session, &issued, "Changed#Pw2", "Changed#Pw2")
            .await
            .no_content();
        api.session(&session).await.ok();
        api.advance(Duration::seconds(30));
        api.authenticate("staff01", "Changed#Pw2", &api.code(&secret))
            .await
            .ok();

        // Disabled: refused after the right password only.
        api.service.set_disabled(&api.key("staff01"), true).unwrap();
        api.session(&session)
            .await
            .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
        api.login("staff01", "Changed#Pw2")
            .await
            .expect(StatusCode::FORBIDDEN, "account_disabled");
        api.login("staff01", "Wrong#Pw1")
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
        api.advance(Duration::seconds(30));
        api.authenticate("staff01", "Changed#Pw2", &api.code(&secret))
            .await
            .expect(StatusCode::FORBIDDEN, "account_disabled");
    }

    /// Every field of every body: empty, wrong type, NUL and other controls, lone
    /// surrogate, emoji, full-width; and every way a body can be broken. Never a 500,
    /// never a secret in the answer, never counted toward a lock.
    pub(super) async fn bad_input_is_400_never_500(api: &Api) {
        api.provision("staff01");
        let (secret, session) = api.enroll("staff01").await;
        let (_, login_token) = api.login_token("staff01", INITIAL).await;
        let wrong_code = api.wrong_code(&secret);

        // Well-formed bodies with the right password, so that the well-formed control
        // request at the end of each round is predictable: /login and /password succeed,
        // /passcode and /authenticate are one wrong passcode each (2 of the 3 allowed).
        // /password goes last: it changes the password to NEW.
        const NEW: &str = "Secret#Pw8";
        let bodies: [(&'static str, Value); 4] = [
            (
                "/login",
                json!({"institution_code": INSTITUTION, "login_id": "staff01", "password": INITIAL}),
            ),
            (
                "/passcode",
                json!({"login_token": login_token, "passcode": wrong_code}),
            ),
            (
                "/authenticate",
                json!({"institution_code": INSTITUTION, "login_id": "staff01", "password": INITIAL, "passcode": wrong_code}),
            ),
            (
                "/password",
                json!({"current_password": INITIAL, "new_password": NEW, "new_password_confirm": NEW}),
            ),
        ];
        let auth = |call: Call, path: &str| {
            if path == "/password" {
                call.bearer(&session)
            } else {
                call
            }
        };

        for (path, valid) in &bodies {
            let path: &'static str = path;
            let text = serde_json::to_string(valid).unwrap();
            let fields: Vec<String> = valid.as_object().unwrap().keys().cloned().collect();
            for field in &fields {
                // Wrong JSON types.
                for wrong in [
                    json!(1),
                    json!(null),
                    json!(true),
                    json!([]),
                    json!({}),
                    json!(1.5),
                ] {
                    let mut body = valid.clone();
                    body[field] = wrong;
                    api.send(auth(Call::post(path, body), path))
                        .await
                        .expect(StatusCode::BAD_REQUEST, "malformed");
                }
                // Missing.
                let mut body = valid.clone();
                body.as_object_mut().unwrap().remove(field);
                api.send(auth(Call::post(path, body), path))
                    .await
                    .expect(StatusCode::BAD_REQUEST, "malformed");
                // Control characters (C0, DEL, C1) anywhere in the value.
                for control in ["\u{0}", "\n", "\u{1b}", "\u{7f}", "\u{85}"] {
                    let mut body = valid.clone();
                    let value = format!("{}{control}", body[field].as_str().unwrap());
                    body[field] = json!(value);
                    let reply = api.send(auth(Call::post(path, body), path)).await;
                    reply.expect(StatusCode::BAD_REQUEST, "malformed");
                    assert!(reply.str("message").contains(field.as_str()));
                }
                // A raw NUL byte inside the JSON string.
                let mut bytes = text.clone().into_bytes();
                let at = find(&bytes, format!("\"{field}\":\"").as_bytes()) + field.len() + 4;
                bytes.insert(at, 0);
                api.send(auth(
                    Call::raw(Method::POST, path, Some("application/json"), bytes),
                    path,
                ))
                .await
                .expect(StatusCode::BAD_REQUEST, "malformed");
                // A lone surrogate (valid JSON text, not a Unicode string).
                let lone = text.replacen(
                    &format!("\"{field}\":\""),
                    &format!("\"{field}\":\"\\ud800"),
                    1,
                );
                assert!(lone.contains("\\ud800"));
                api.send(auth(
                    Call::raw(Method::POST, path, Some("application/json"), lone),
                    path,
                ))
                .await
                .expect(StatusCode::BAD_REQUEST, "malformed");
                // Invalid UTF-8 inside the string.
                let mut bytes = text.clone().into_bytes();
                bytes.insert(at, 0xff);
                api.send(auth(
                    Call::raw(Method::POST, path, Some("application/json"), bytes),
                    path,
                ))
                .await
                .expect(StatusCode::BAD_REQUEST, "malformed");
                // Empty: 400, except the new password, which the policy answers (422).
                let mut body = valid.clone();
                body[field] = json!("");
                let reply = api.send(auth(Call::post(path, body), path)).await;
                if field.starts_with("new_password") {
                    reply.expect(StatusCode::UNPROCESSABLE_ENTITY, "password_policy");
                } else {
                    reply.expect(StatusCode::BAD_REQUEST, "malformed");
                }
            }
            // Unknown and repeated fields.
            let mut body = valid.clone();
            body["extra"] = json!("x");
            api.send(auth(Call::post(path, body), path))
                .await
                .expect(StatusCode::BAD_REQUEST, "malformed");
            let (first, value) = valid.as_object().unwrap().iter().next().unwrap();
            let repeated = format!("{},\"{first}\":{value}}}", &text[..text.len() - 1]);
            api.send(auth(
                Call::raw(Method::POST, path, Some("application/json"), repeated),
                path,
            ))
            .await
            .expect(StatusCode::BAD_REQUEST, "malformed");
            // Not one JSON object.
            let nested = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
            let trailing = format!("{text} trailing");
            for broken in [
                "",
                " ",
                "{}",
                "[]",
                "null",
                "\"text\"",
                "{\"institution_code\":",
                "{}{}",
                &trailing,
                &nested,
                "{'single': 'quotes'}",
            ] {
                let call = Call::raw(
                    Method::POST,
                    path,
                    Some("application/json"),
                    broken.to_owned(),
                );
                let reply = api.send(auth(call, path)).await;
                reply.expect(StatusCode::BAD_REQUEST, "malformed");
                assert!(
                    !reply.str("message").contains(INITIAL),
                    "never echoes a value"
                );
            }
            // The right JSON with the wrong (or no) content type.
            for content_type in [
                None,
                Some("text/plain"),
                Some("application/x-www-form-urlencoded"),
                Some("multipart/form-data; boundary=x"),
                Some("application/jsonp"),
            ] {
                let call = Call::raw(Method::POST, path, content_type, text.clone());
                api.send(auth(call, path))
                    .await
                    .expect(StatusCode::BAD_REQUEST, "malformed");
            }
            // With a charset parameter it is accepted.
            let call = Call::raw(
                Method::POST,
                path,
                Some("application/json; charset=utf-8"),
                text.clone(),
            )
            .json(valid.clone());
            let reply = api.send(auth(call, path)).await;
            match path {
                "/login" => assert_eq!(reply.ok()["next"], "passcode"),
                "/password" => reply.no_content(),
                _ => {
                    reply.expect(StatusCode::UNAUTHORIZED, "invalid_passcode");
                }
            }
        }

        // Identifiers: emoji, other scripts and wrong lengths are refused before any
        // password is checked.
        for (code, id) in [
            (INSTITUTION, "staff😀"),
            (INSTITUTION, "職員01"),
            ("012345678😀", "staff01"),
            ("012345678", "staff01"),
            ("٠١٢٣٤٥٦٧٨٩", "staff01"),
            (INSTITUTION, &"a".repeat(65)),
            (INSTITUTION, "staff 01"),
            (INSTITUTION, "staff/01"),
        ] {
            api.send(Call::post(
                "/login",
                json!({"institution_code": code, "login_id": id, "password": NEW}),
            ))
            .await
            .expect(StatusCode::BAD_REQUEST, "malformed");
        }
        // Emoji in a password is just a wrong password; in a passcode it is malformed.
        api.login("staff01", "Pass😀word1#")
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
        api.passcode(&login_token, "12345😀")
            .await
            .expect(StatusCode::BAD_REQUEST, "malformed");

        // Nothing above counted toward a lock beyond what the facade saw: one wrong
        // password (the emoji) and two wrong passcodes. A third wrong password would lock,
        // so one more is still answered 401, and the passcode still works.
        api.login("staff01", "Wrong#Pw1")
            .await
            .expect(StatusCode::UNAUTHORIZED, "invalid_credentials");
        api.advance(Duration::seconds(30));
        let (next, token) = api.login_token(" ｓｔａｆｆ01 ", NEW).await;
        assert_eq!(next, "passcode");
        api.passcode(&token, &api.code(&secret)).await.ok();
    }

    pub(super) async fn bodies_over_the_limit_are_413_before_parsing(api: &Api) {
        api.provision("staff01");
        let (_, session) = api.enroll("staff01").await;
        let posts = [
            "/login",
            "/passcode",
            "/password",
            "/logout",
            "/authenticate",
        ];
        let huge = vec![b'{'; 10 * 1024 * 1024];
        for path in posts {
            // Declared length, and no declared length (the body is read up to the limit).
            for declare in [true, false] {
                let mut call =
                    Call::raw(Method::POST, path, Some("application/json"), huge.clone())
                        .bearer(&session);
                if declare {
                    call = call.header(header::CONTENT_LENGTH, &huge.len().to_string());
                }
                api.send(call)
                    .await
                    .expect(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
            }
        }
        // A 1 MB string inside otherwise valid JSON.
        let mb = "a".repeat(1024 * 1024);
        api.login("staff01", &mb)
            .await
            .expect(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
        // The limit is exactly 16 KiB: padding with white space up to it is fine.
        let text = serde_json::to_string(
            &json!({"institution_code": INSTITUTION, "login_id": "staff01", "password": INITIAL}),
        )
        .unwrap();
        let at_limit = format!("{text}{}", " ".repeat(LIMIT - text.len()));
        assert_eq!(at_limit.len(), LIMIT);
        api.send(Call::raw(
            Method::POST,
            "/login",
            Some("application/json"),
            at_limit.clone(),
        ))
        .await
        .ok();
        let over = format!("{at_limit} ");
        api.send(Call::raw(
            Method::POST,
            "/login",
            Some("application/json"),
            over,
        ))
        .await
        .expect(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    }

    pub(super) async fn tokens_come_only_from_the_authorization_header(api: &Api) {
        api.provision("staff01");
        let (_, session) = api.enroll("staff01").await;
        // Accepted: the header, scheme in any case.
        api.session(&session).await.ok();
        api.send(Call::get("/session").header(header::AUTHORIZATION, &format!("bearer {session}")))
            .await
            .ok();
        // Refused: anywhere else, or any other form.
        let refused = [
            Call::get("/session").at(&format!("{PREFIX}/session?token={session}")),
            Call::get("/session").at(&format!("{PREFIX}/session?access_token={session}")),
            Call::get("/session").header(header::COOKIE, &format!("session={session}")),
            Call::get("/session").header(header::AUTHORIZATION, &session),
            Call::get("/session").header(header::AUTHORIZATION, &format!("Basic {session}")),
            Call::get("/session").header(
                header::AUTHORIZATION,
                &format!("Bearer {}", session.to_uppercase()),
            ),
            Call::get("/session").header(header::AUTHORIZATION, &format!("Bearer {session} ")),
            Call::get("/session").header(header::AUTHORIZATION, &format!("Bearer {session}x")),
            Call::get("/session").bearer(&session).bearer(&session),
            Call::get("/session"),
        ];
        for call in refused {
            api.send(call)
                .await
                .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
        }
        // The login token of POST /passcode is read from the body only.
        let (_, token) = api.login_token("staff01", INITIAL).await;
        api.send(
            Call::post(
                "/passcode",
                json!({"login_token": "", "passcode": "123456"}),
            )
            .at(&format!("{PREFIX}/passcode?login_token={token}"))
            .bearer(&token),
        )
        .await
        .expect(StatusCode::BAD_REQUEST, "malformed");
        // GET /enrollment reads the login token from the header only.
        api.send(Call::get("/enrollment").at(&format!("{PREFIX}/enrollment?login_token={token}")))
            .await
            .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
        // 401s say how to authenticate.
        let reply = api.session(&"0".repeat(64)).await;
        assert_eq!(
            reply.headers[header::WWW_AUTHENTICATE],
            "Bearer realm=\"shikaku\""
        );
    }

    pub(super) async fn transport_errors_are_json(api: &Api) {
        api.provision("staff01");
        let (_, session) = api.enroll("staff01").await;
        for uri in [
            "/api/v1/nope",
            "/api/v1",
            "/api/v1/",
            "/api/v2/login",
            "/api/v1/login/extra",
            "/api/v1/LOGIN",
        ] {
            api.send(Call::get("/x").at(uri))
                .await
                .expect(StatusCode::NOT_FOUND, "not_found");
        }
        let allow = |reply: &Reply| reply.headers[header::ALLOW].to_str().unwrap().to_owned();
        let get_login = api.send(Call::get("/login")).await;
        get_login.expect(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        assert_eq!(allow(&get_login), "POST");
        let post_session = api
            .send(Call::raw(Method::POST, "/session", None, Body::empty()).bearer(&session))
            .await;
        post_session.expect(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        assert!(allow(&post_session).contains("GET"));
        api.send(Call::raw(Method::DELETE, "/logout", None, Body::empty()))
            .await
            .expect(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");

        // A browser on another origin cannot POST, whatever the path.
        let posts = [
            "/login",
            "/passcode",
            "/password",
            "/logout",
            "/authenticate",
        ];
        for path in posts {
            for (name, value) in [
                (header::ORIGIN, "https://evil.example"),
                (HeaderName::from_static("sec-fetch-site"), "cross-site"),
                (HeaderName::from_static("sec-fetch-site"), "same-site"),
            ] {
                api.send(
                    Call::post(path, json!({}))
                        .bearer(&session)
                        .header(name, value),
                )
                .await
                .expect(StatusCode::FORBIDDEN, "forbidden");
            }
        }
        // Our own origin is fine; so is a client that sends neither header.
        api.send(
            Call::post(
                "/login",
                json!({"institution_code": INSTITUTION, "login_id": "staff01", "password": INITIAL}),
            )
            .header(header::ORIGIN, "http://127.0.0.1:8080")
            .header(HeaderName::from_static("sec-fetch-site"), "same-origin"),
        )
        .await
        .ok();
        // GET is never refused for its origin.
        api.send(
            Call::get("/session")
                .bearer(&session)
                .header(header::ORIGIN, "https://evil.example"),
        )
        .await
        .ok();
    }

    pub(super) async fn store_failures_are_json_500s(api: &Api) {
        api.provision("staff01");
        let (secret, session) = api.enroll("staff01").await;
        let (_, token) = api.login_token("staff01", INITIAL).await;
        api.provision("staff02");
        let (_, enroll_token) = api.login_token("staff02", INITIAL).await;
        api.store_down(true);
        let calls = [
            Call::post(
                "/login",
                json!({"institution_code": INSTITUTION, "login_id": "staff01", "password": INITIAL}),
            ),
            Call::get("/enrollment").bearer(&enroll_token),
            Call::post(
                "/passcode",
                json!({"login_token": token, "passcode": api.code(&secret)}),
            ),
            Call::get("/session").bearer(&session),
            Call::post(
                "/password",
                json!({"current_password": INITIAL, "new_password": "Changed#Pw2", "new_password_confirm": "Changed#Pw2"}),
            )
            .bearer(&session),
            Call::raw(Method::POST, "/logout", None, Body::empty()).bearer(&session),
            Call::post(
                "/authenticate",
                json!({"institution_code": INSTITUTION, "login_id": "staff01", "password": INITIAL, "passcode": api.code(&secret)}),
            ),
        ];
        for call in calls {
            let reply = api.send(call).await;
            reply.expect(StatusCode::INTERNAL_SERVER_ERROR, "internal");
            let text = String::from_utf8_lossy(&reply.bytes);
            assert!(
                !text.contains("fire") && !text.contains("unavailable"),
                "{text}"
            );
        }
        // Back up: everything works again.
        api.store_down(false);
        api.session(&session).await.ok();
    }

    pub(super) async fn messages_follow_accept_language(api: &Api) {
        api.provision("staff01");
        for _ in 0..2 {
            api.login("staff01", "Wrong#Pw1").await;
        }
        let ja = api.login("staff01", "Wrong#Pw1").await;
        ja.expect(StatusCode::LOCKED, "locked");
        assert_eq!(ja.headers[header::CONTENT_LANGUAGE], "ja");
        // The lock time in JST (09:30 JST = 00:30 UTC).
        assert!(
            ja.str("message").contains("2026-04-01 09:30"),
            "{}",
            ja.str("message")
        );
        assert!(!ja.str("message").is_ascii());
        let body =
            json!({"institution_code": INSTITUTION, "login_id": "staff01", "password": INITIAL});
        let en = api.send(Call::post("/login", body.clone()).en()).await;
        en.expect(StatusCode::LOCKED, "locked");
        assert_eq!(en.headers[header::CONTENT_LANGUAGE], "en");
        assert!(en.str("message").contains("2026-04-01 09:30 JST"));
        assert!(en.str("message").is_ascii());
        assert_eq!(ja.json["locked_until"], en.json["locked_until"]);
        // Weighted preferences, and errors from the middleware too.
        let weighted = api
            .send(
                Call::post("/login", body)
                    .header(header::ACCEPT_LANGUAGE, "fr, en;q=0.8, ja;q=0.5"),
            )
            .await;
        assert_eq!(weighted.headers[header::CONTENT_LANGUAGE], "en");
        let not_found = api.send(Call::get("/nope").en()).await;
        not_found.expect(StatusCode::NOT_FOUND, "not_found");
        assert_eq!(not_found.str("message"), "There is no such API endpoint.");
        let not_found = api.send(Call::get("/nope")).await;
        assert_eq!(not_found.str("message"), "指定された API はありません。");
    }

    pub(super) async fn the_document_is_served(api: &Api) {
        let reply = api.send(Call::get("/openapi.json")).await;
        assert_eq!(reply.bytes, OPENAPI_JSON.as_bytes());
        // Every schema in the document uses only keywords the checker enforces, and
        // every reference resolves (validating `{}`-like values walks them all).
        fn walk(contract: &Contract, value: &Value) {
            match value {
                Value::Object(map) => {
                    if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                        contract.pointer(reference);
                    }
                    map.values().for_each(|v| walk(contract, v));
                }
                Value::Array(items) => items.iter().for_each(|v| walk(contract, v)),
                _ => {}
            }
        }
        walk(contract(), &contract().doc);
        // Every schema object, however deep, uses only keywords the checker enforces.
        fn keywords(schema: &Value, at: &str) {
            let map = schema
                .as_object()
                .unwrap_or_else(|| panic!("{at}: not a schema"));
            for (keyword, value) in map {
                assert!(
                    KEYWORDS.contains(&keyword.as_str()),
                    "{at}: `{keyword}` is not checked"
                );
                match keyword.as_str() {
                    "properties" => {
                        for (name, property) in value.as_object().unwrap() {
                            keywords(property, &format!("{at}.{name}"));
                        }
                    }
                    "items" => keywords(value, &format!("{at}[]")),
                    "additionalProperties" if value.is_object() => keywords(value, at),
                    _ => {}
                }
            }
        }
        fn schemas(value: &Value, at: &str) {
            match value {
                Value::Object(map) => {
                    for (key, inner) in map {
                        if key == "schema" {
                            keywords(inner, at);
                        } else {
                            schemas(inner, &format!("{at}/{key}"));
                        }
                    }
                }
                Value::Array(items) => items.iter().for_each(|v| schemas(v, at)),
                _ => {}
            }
        }
        schemas(&contract().doc["paths"], "paths");
        schemas(&contract().doc["components"]["responses"], "responses");
        schemas(&contract().doc["components"]["headers"], "headers");
        for (name, schema) in contract().doc["components"]["schemas"].as_object().unwrap() {
            keywords(schema, name);
        }
    }
}

/// The first position of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
}
