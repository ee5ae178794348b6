//! The administration API's edges: the initial password of a 201 opens the first
//! login and is in no log and no audit event; every refusal (the request's form, the
//! key, another origin, the body limit, a wrong method or path) is the documented JSON.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use axum::http::{HeaderName, Method, StatusCode, header};
use serde_json::json;
use shikaku::testing::INSTITUTION_CODE;

use super::administration::{account, create};
use super::harness::{Api, Call, admin_calls};

/// Collects everything any test logs, at every level, from every thread.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn global_logs() -> &'static Logs {
    static LOGS: OnceLock<Logs> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        logs
    })
}

/// The initial password of a 201 opens the first login, and is in no log line (of any
/// level, from any thread) and no audit event; nor is the API key.
pub(super) async fn the_initial_password_works_and_is_never_logged(api: &Api) {
    let logs = global_logs();
    let (key, _) = api.api_key(&[INSTITUTION_CODE]);
    let mut shown = Vec::new();
    for login_id in ["first01", "first02"] {
        let reply = api
            .send(create(
                &key,
                json!({"institution_code": INSTITUTION_CODE, "login_id": login_id}),
            ))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        let password = reply.str("initial_password");
        let (next, _) = api.login_token(login_id, &password).await;
        assert_eq!(next, "enroll");
        shown.push(password);
    }
    let reset = api
        .send(
            Call::post_empty(&format!(
                "{}/reset-password",
                account(INSTITUTION_CODE, "first01")
            ))
            .bearer(&key),
        )
        .await;
    shown.push(reset.str("initial_password"));
    // Failures log too: a store failure on the way.
    api.store_down(true);
    api.send(create(&key, json!({"institution_code": INSTITUTION_CODE, "login_id": "first03", "initial_password": "Secret#Pw99"})))
        .await;
    api.store_down(false);
    shown.push("Secret#Pw99".to_owned());

    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        text.contains("store is unavailable"),
        "the logs were captured"
    );
    let audit = format!(
        "{:?}{:?}",
        api.harness.audit.events(),
        api.service.recent_audit(usize::MAX).unwrap()
    );
    let api_audit = api
        .send(Call::get("/admin/audit?limit=500").bearer(&key))
        .await;
    let api_audit = String::from_utf8_lossy(&api_audit.bytes).into_owned();
    for secret in shown.iter().chain([&key]) {
        assert!(!text.contains(secret.as_str()), "{secret} in the log");
        assert!(
            !audit.contains(secret.as_str()),
            "{secret} in the audit log"
        );
        assert!(
            !api_audit.contains(secret.as_str()),
            "{secret} in the audit API"
        );
    }
}

/// Every refusal of the administration API, in JSON: the request's form (400), the
/// key (401), another origin (403, reads too), the body limit (413), a wrong method
/// (405), an unknown path (404).
pub(super) async fn administration_refuses_what_is_not_its_form(api: &Api) {
    api.provision("staff01");
    let (key, _) = api.api_key(&[]);
    let staff = account(INSTITUTION_CODE, "staff01");
    let malformed = [
        Call::get(&account("123", "staff01")),
        Call::get(&account(INSTITUTION_CODE, "staff%2001")),
        Call::get(&account(INSTITUTION_CODE, "%FF")),
        Call::get(&account("0123456789%00", "staff01")),
        Call::post_empty(&account("x", "staff01/unlock")),
        Call::get("/admin/accounts?institution_code=1"),
        Call::get("/admin/accounts?institution=0123456789"),
        Call::get("/admin/accounts?limit=0"),
        Call::get("/admin/accounts?limit=501"),
        Call::get("/admin/accounts?limit=ten"),
        Call::get("/admin/accounts?limit=1&limit=2"),
        Call::get("/admin/accounts?after=staff01"),
        Call::get("/admin/audit?kind=everything"),
        Call::get("/admin/audit?since=yesterday"),
        Call::get("/admin/audit?until=2026-04-01T09:00:00%2B09:00"),
        Call::get("/admin/audit?after=0"),
        Call::get("/admin/audit?login_id=%0A"),
        Call::post(
            "/admin/accounts",
            json!({"institution_code": INSTITUTION_CODE}),
        ),
        Call::post(
            "/admin/accounts",
            json!({"institution_code": INSTITUTION_CODE, "login_id": "a", "extra": 1}),
        ),
        Call::post(
            "/admin/accounts",
            json!({"institution_code": INSTITUTION_CODE, "login_id": "a", "initial_password": 5}),
        ),
        Call::post(
            "/admin/accounts",
            json!({"institution_code": INSTITUTION_CODE, "login_id": "a\u{0}"}),
        ),
        Call::post(
            "/admin/accounts",
            json!({"institution_code": INSTITUTION_CODE, "login_id": "a", "initial_password": "Ok#Passw0rd\n"}),
        ),
        Call::raw(Method::POST, "/admin/accounts", Some("text/plain"), "{}"),
    ];
    for call in malformed {
        let reply = api.send(call.bearer(&key)).await;
        reply.expect(StatusCode::BAD_REQUEST, "malformed");
    }
    let big = format!(
        r#"{{"institution_code":"{INSTITUTION_CODE}","login_id":"big01","initial_password":"{}"}}"#,
        "A".repeat(shikaku_web::security::DEFAULT_BODY_LIMIT)
    );
    api.send(
        Call::raw(
            Method::POST,
            "/admin/accounts",
            Some("application/json"),
            big.clone(),
        )
        .bearer(&key),
    )
    .await
    .expect(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    for action in ["unlock", "reset-mfa", "reset-password", "disable", "enable"] {
        api.send(
            Call::raw(
                Method::POST,
                &format!("{staff}/{action}"),
                Some("application/json"),
                big.clone(),
            )
            .bearer(&key),
        )
        .await
        .expect(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    }
    for action in ["unlock", "reset-mfa", "reset-password", "disable", "enable"] {
        for bad in [
            account("１２３", "staff01"),
            account(INSTITUTION_CODE, "staff%E3%80%8001"),
        ] {
            api.send(Call::post_empty(&format!("{bad}/{action}")).bearer(&key))
                .await
                .expect(StatusCode::BAD_REQUEST, "malformed");
        }
    }
    // Every call without a usable key: 401, before anything else.
    for wrong in ["", "not-a-key", &"0".repeat(64)] {
        for call in admin_calls(wrong, INSTITUTION_CODE, "staff01") {
            api.send(call)
                .await
                .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
        }
    }
    // 401 comes first: a request without a usable key learns nothing of its form.
    api.send(Call::get(&account("123", "staff01")))
        .await
        .expect(StatusCode::UNAUTHORIZED, "unauthenticated");
    for (method, path) in [
        (Method::DELETE, staff.clone()),
        (Method::GET, format!("{staff}/unlock")),
        (Method::PUT, "/admin/accounts".to_owned()),
        (Method::POST, "/admin/audit".to_owned()),
    ] {
        let reply = api
            .send(Call::raw(method, &path, None, "").bearer(&key))
            .await;
        reply.expect(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        assert!(reply.headers.contains_key(header::ALLOW));
    }
    for path in [
        "/admin",
        "/admin/keys",
        &format!("{staff}/delete"),
        "/admin/accounts/0123456789",
    ] {
        api.send(Call::get(path).bearer(&key))
            .await
            .expect(StatusCode::NOT_FOUND, "not_found");
    }
    // A same-origin browser (our own console, say) is fine.
    api.send(
        Call::get(&staff)
            .bearer(&key)
            .header(HeaderName::from_static("sec-fetch-site"), "same-origin"),
    )
    .await
    .ok();
    // Messages in English too.
    let en = api
        .send(
            Call::get(&account(INSTITUTION_CODE, "nobody"))
                .bearer(&key)
                .en(),
        )
        .await;
    assert_eq!(en.str("message"), "There is no such account.");
}
