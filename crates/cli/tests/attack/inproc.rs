//! Target (a): `shikaku_web::app` served in this process on a real loopback socket, over
//! the workspace test kit's [`Harness`]: the real facade with a `ManualClock` at the
//! kit's start (so 29:59 and 30:00 are exact) and a `MemoryAuditSink` (so every verified
//! guess is counted exactly). argon2 is the cheap test setting (these tests are about
//! rules, not cost), except for the guess storms, whose race window is as wide as a real
//! verification. The CSPRNG is the operating system's, as in production.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;

use shikaku::testing::{Harness, INITIAL_PASSWORD, INSTITUTION_CODE, secret_of};
use shikaku::{MemoryStore, Store};
use shikaku_web::WebOptions;
use time::OffsetDateTime;

use crate::client::{Browser, Response};

/// The app over the workspace test kit's [`Harness`] (its clock at the kit's start, its
/// audit sink, its helpers — reached through `Deref`), served on a loopback socket.
pub(crate) struct InProc<S: Store = MemoryStore> {
    pub(crate) addr: SocketAddr,
    harness: Harness<S>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl<S: Store> Deref for InProc<S> {
    type Target = Harness<S>;

    fn deref(&self) -> &Harness<S> {
        &self.harness
    }
}

impl InProc<MemoryStore> {
    pub(crate) fn start() -> Self {
        Self::start_on(Arc::new(MemoryStore::new()))
    }

    /// With the manual's argon2 cost (19 MiB, t=2): for races, where a verification
    /// must take as long as it does in production.
    pub(crate) fn start_with_real_cost() -> Self {
        Self::serve(
            Harness::builder(Arc::new(MemoryStore::new()))
                .real_cost()
                .system_rng()
                .build(),
        )
    }
}

impl<S: Store> InProc<S> {
    /// The kit's harness over `store` (cheap argon2); the operating system's CSPRNG, as in
    /// production.
    pub(crate) fn start_on(store: Arc<S>) -> Self {
        Self::serve(Harness::builder(store).system_rng().build())
    }

    /// Serves `harness` with `shikaku_web::app` on `127.0.0.1:0`. At most
    /// `config().hash_cost.concurrent_calls` (2, as the binary's default) hash at once.
    /// No public origin: only a loopback `Host` is accepted (as `serve --demo`).
    pub(crate) fn serve(harness: Harness<S>) -> Self {
        let app = shikaku_web::app(Arc::clone(&harness.service), WebOptions::default()).unwrap();
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
            harness,
            runtime: Some(runtime),
        }
    }

    pub(crate) fn browser(&self) -> Browser {
        Browser::new(self.addr)
    }

    /// The passcode an Authenticator with `setup_key` shows now.
    pub(crate) fn code(&self, setup_key: &str) -> String {
        self.code_for_key(setup_key)
    }

    /// A registered account: provisioned, enrolled through the screens, logged out, and
    /// the clock moved past the step of the enrollment passcode. Returns the setup key.
    pub(crate) fn enrolled(&self, login_id: &str) -> String {
        self.provision(login_id);
        let mut b = self.browser();
        let key = enroll(&mut b, login_id, INITIAL_PASSWORD, |k| self.code(k));
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
    shikaku::testing::code_at(&secret_of(setup_key), at)
}

/// A 6-digit code that matches no step within ±3 of `at`.
pub(crate) fn wrong_code(setup_key: &str, at: OffsetDateTime) -> String {
    shikaku::testing::wrong_code(&secret_of(setup_key), at)
}

/// [ログイン] 《ログイン》 from a fresh form.
pub(crate) fn login(b: &mut Browser, login_id: &str, password: &str) -> Response {
    login_at(b, INSTITUTION_CODE, login_id, password)
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
