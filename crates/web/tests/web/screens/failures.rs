//! Failures: a store that fails every call gives the 500 page, and an error line in
//! the log that names the operation and the cause but holds no secret.

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
                ("institution_code", INSTITUTION_CODE),
                ("login_id", "staff01"),
                ("password", INITIAL_PASSWORD),
            ],
        )
        .await;
    assert_eq!(login.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!login.body.contains("disk I/O"), "no internals in the page");

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
