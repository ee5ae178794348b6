//! Failures: a store that cannot answer (the kit's `FaultyStore`: a full or read-only
//! disk) gives the 503 page — 一時的に利用できません, with `Retry-After` — and an error
//! line in the log that names the operation and the cause but holds no secret.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use shikaku::MemoryStore;
use shikaku::testing::{FaultyStore, INITIAL_PASSWORD, INSTITUTION_CODE, from_base64url, hex};

use super::*;

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
async fn an_unavailable_store_is_the_503_page_and_an_error_line_without_secrets() {
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
    assert_eq!(menu.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        menu.body.contains("一時的に利用できません"),
        "{}",
        menu.body
    );
    assert!(!menu.body.contains("システムエラー"));
    assert_eq!(
        menu.headers[axum::http::header::RETRY_AFTER],
        shikaku_web::RETRY_AFTER_SECONDS.to_string()
    );
    let mut c = w.browser();
    let form = c.get("/login").await;
    let login = c
        .post(
            "/login",
            &form,
            &[
                ("institution_code", INSTITUTION_CODE),
                ("login_id", "staff01"),
                ("password", INITIAL_PASSWORD),
            ],
        )
        .await;
    assert_eq!(login.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(login.body.contains("一時的に利用できません"));
    assert!(!login.body.contains("disk I/O"), "no internals in the page");
    // In English too.
    let en = c.get("/login?lang=en").await;
    assert_eq!(en.status, StatusCode::OK, "the login page needs no store");
    let en = c
        .post(
            "/login?lang=en",
            &en,
            &[
                ("institution_code", INSTITUTION_CODE),
                ("login_id", "staff01"),
                ("password", INITIAL_PASSWORD),
            ],
        )
        .await;
    assert_eq!(en.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(en.body.contains("Temporarily unavailable"), "{}", en.body);

    let text = logs.text();
    assert!(text.contains("ERROR"), "{text}");
    assert!(text.contains("operation=\"session\"") || text.contains("operation=session"));
    assert!(text.contains("password_login") && text.contains("disk I/O error"));
    for secret in [INITIAL_PASSWORD, key.as_str(), session.as_str()] {
        assert!(!text.contains(secret), "a secret in the log: {text}");
    }
    // Nor the session's token in the JSON API's spelling (hex of the cookie's 32 bytes).
    let token = hex(&from_base64url(&session));
    assert_eq!(token.len(), 64);
    assert!(!text.contains(&token));

    // Recovered: the same session works again.
    store.set_broken(false);
    b.get("/menu").await.assert_page("管理メニュー");
}
