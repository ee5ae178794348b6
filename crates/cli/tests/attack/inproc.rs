//! Target (a): `shikaku_web::app` served in this process on a real loopback socket, over
//! the real facade with a [`ManualClock`] (so 29:59 and 30:00 are exact) and a
//! [`MemoryAuditSink`] (so every verified guess is counted exactly). argon2 is the
//! cheap test setting (these tests are about rules, not cost), except for the guess
//! storms, whose race window is as wide as a real verification.

use std::net::SocketAddr;
use std::sync::Arc;

use shikaku::password::Password;
use shikaku::totp::{SetupKey, Verifier};
use shikaku::{
    AuditKind, Clock, Config, ManualClock, MasterKey, MemoryAuditSink, MemoryStore, SharedRng,
    Shikaku, Store,
};
use shikaku_web::WebOptions;
use time::{Duration, OffsetDateTime};

use crate::client::{Browser, Response};

pub(crate) const CODE: &str = "0123456789";
pub(crate) const PASSWORD: &str = "Start#2024x";

/// 2026-04-01 09:00:05 JST: 5 seconds into a 30-second step.
pub(crate) fn start_time() -> OffsetDateTime {
    time::macros::datetime!(2026-04-01 00:00:05 UTC)
}

pub(crate) struct InProc<S: Store = MemoryStore> {
    pub(crate) addr: SocketAddr,
    pub(crate) clock: ManualClock,
    pub(crate) audit: MemoryAuditSink,
    pub(crate) service: Arc<Shikaku<S>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl InProc<MemoryStore> {
    pub(crate) fn start() -> Self {
        Self::start_on(Arc::new(MemoryStore::new()))
    }

    /// With the manual's argon2 cost (19 MiB, t=2): for races, where a verification
    /// must take as long as it does in production.
    pub(crate) fn start_with_real_cost() -> Self {
        Self::start_with(Arc::new(MemoryStore::new()), Config::default())
    }
}

impl<S: Store> InProc<S> {
    pub(crate) fn start_on(store: Arc<S>) -> Self {
        Self::start_with(store, Config::for_tests())
    }

    pub(crate) fn start_with(store: Arc<S>, config: Config) -> Self {
        let clock = ManualClock::new(start_time());
        let audit = MemoryAuditSink::default();
        let rng = SharedRng::system();
        let service = Arc::new(
            Shikaku::builder(store)
                .master_key(MasterKey::generate(&rng))
                .config(config)
                .clock(clock.clone())
                .rng(rng)
                .audit_sink(audit.clone())
                .build()
                .unwrap(),
        );
        let app = shikaku_web::app(
            Arc::clone(&service),
            WebOptions {
                insecure_cookies: false,
                tls: false,
                hashing_threads: 2,
            },
        )
        .unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        runtime.spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
        });
        Self {
            addr,
            clock,
            audit,
            service,
            runtime: Some(runtime),
        }
    }

    pub(crate) fn provision(&self, login_id: &str) {
        self.service
            .provision(CODE, login_id, Some(Password::new(PASSWORD)))
            .unwrap();
    }

    pub(crate) fn browser(&self) -> Browser {
        Browser::new(self.addr)
    }

    pub(crate) fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The passcode an Authenticator with `setup_key` shows now.
    pub(crate) fn code(&self, setup_key: &str) -> String {
        code_at(setup_key, self.now())
    }

    /// Moves to the next 30-second step.
    pub(crate) fn next_step(&self) {
        self.clock.advance(Duration::seconds(30));
    }

    pub(crate) fn count(&self, kind: AuditKind) -> usize {
        self.audit.kinds().iter().filter(|k| **k == kind).count()
    }

    /// A registered account: provisioned, enrolled through the screens, logged out, and
    /// the clock moved past the step of the enrollment passcode. Returns the setup key.
    pub(crate) fn enrolled(&self, login_id: &str) -> String {
        self.provision(login_id);
        let mut b = self.browser();
        let key = enroll(&mut b, login_id, PASSWORD, |k| self.code(k));
        logout(&mut b);
        self.next_step();
        key
    }
}

impl<S: Store> Drop for InProc<S> {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// The passcode of `setup_key` at `at`.
pub(crate) fn code_at(setup_key: &str, at: OffsetDateTime) -> String {
    let secret = SetupKey::parse(setup_key).unwrap();
    Verifier::default()
        .generate(&secret, at)
        .as_str()
        .to_owned()
}

/// A 6-digit code that matches no step within ±3 of `at`.
pub(crate) fn wrong_code(setup_key: &str, at: OffsetDateTime) -> String {
    let near: Vec<String> = (-3..=3)
        .map(|s| code_at(setup_key, at + Duration::seconds(30 * s)))
        .collect();
    (0..)
        .map(|n: u32| format!("{:06}", (n * 104_729 + 13) % 1_000_000))
        .find(|c| !near.contains(c))
        .unwrap()
}

/// [ログイン] 《ログイン》 from a fresh form.
pub(crate) fn login(b: &mut Browser, login_id: &str, password: &str) -> Response {
    login_at(b, CODE, login_id, password)
}

pub(crate) fn login_at(b: &mut Browser, code: &str, login_id: &str, password: &str) -> Response {
    let form = b.get("/login");
    assert_eq!(form.status, 200, "{}", form.text());
    b.post(
        "/login",
        &[
            ("institution_code", code),
            ("login_id", login_id),
            ("password", password),
        ],
    )
}

/// The whole first-time flow through the screens; returns the setup key.
pub(crate) fn enroll(
    b: &mut Browser,
    login_id: &str,
    password: &str,
    code: impl Fn(&str) -> String,
) -> String {
    let r = login(b, login_id, password);
    assert_eq!(r.redirect(), "/enroll", "{}", r.text());
    let page = b.get("/enroll");
    let key = page.setup_key().expect("setup key on [Authenticator 登録]");
    let r = b.post("/enroll/proceed", &[]);
    assert!(r.redirect().starts_with("/enroll/print-confirm"));
    b.get("/login/passcode");
    let r = b.post("/login/passcode", &[("passcode", &code(&key))]);
    assert_eq!(r.redirect(), "/enroll/done", "{}", r.text());
    key
}

/// Password and passcode of a registered account; returns the answer to the passcode.
pub(crate) fn login_with_code(
    b: &mut Browser,
    login_id: &str,
    password: &str,
    code: &str,
) -> Response {
    let r = login(b, login_id, password);
    assert_eq!(r.redirect(), "/login/passcode", "{}", r.text());
    b.get("/login/passcode");
    b.post("/login/passcode", &[("passcode", code)])
}

/// 《ログアウト》 → 《OK》.
pub(crate) fn logout(b: &mut Browser) {
    let confirm = b.get("/logout");
    assert_eq!(confirm.status, 200, "{}", confirm.text());
    let r = b.post("/logout", &[]);
    assert!(r.redirect().starts_with("/login"));
}
