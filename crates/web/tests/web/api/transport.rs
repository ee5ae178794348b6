//! The transport: tokens only from the `Authorization` header, JSON 404/405/403s,
//! an unavailable store as 503 (`Retry-After`), an unreadable one as 500, messages in
//! the requested language.

use axum::body::Body;
use axum::http::{HeaderName, Method, StatusCode, header};
use serde_json::json;
use shikaku::testing::{INITIAL_PASSWORD, INSTITUTION_CODE};
use shikaku_web::WebOptions;
use shikaku_web::api::PREFIX;

use super::harness::{Api, Call, Reply, admin_calls};

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
    let (_, token) = api.login_token("staff01", INITIAL_PASSWORD).await;
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
    // Under /admin, reads are refused too.
    let (key, _) = api.api_key(&[]);
    for call in admin_calls(&key, INSTITUTION_CODE, "staff01") {
        api.send(call.header(header::ORIGIN, "https://evil.example"))
            .await
            .expect(StatusCode::FORBIDDEN, "forbidden");
    }
    for call in admin_calls(&key, INSTITUTION_CODE, "staff01") {
        api.send(call.header(HeaderName::from_static("sec-fetch-site"), "cross-site"))
            .await
            .expect(StatusCode::FORBIDDEN, "forbidden");
    }
    api.send(
        Call::get("/admin/accounts")
            .bearer(&key)
            .header(header::ORIGIN, "http://127.0.0.1:8080")
            .header(HeaderName::from_static("sec-fetch-site"), "same-origin"),
    )
    .await
    .ok();

    // Our own origin is fine; so is a client that sends neither header.
    api.send(
        Call::post(
            "/login",
            json!({"institution_code": INSTITUTION_CODE, "login_id": "staff01", "password": INITIAL_PASSWORD}),
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

/// DNS rebinding (issue 10, point 7): a page whose name now resolves to the server
/// (`Host: evil.example:8080`) posts a login with its own, matching `Origin`. Without a
/// configured public origin only loopback names are answered; with one, only its host
/// and port. Every documented call is refused with 421 `misdirected_request`, before
/// anything is counted: the account is not locked by such requests.
pub(super) async fn requests_for_another_host_are_421(api: &Api) {
    api.provision("staff01");
    let rebound = "evil.example:8080";
    let login = || {
        Call::post(
            "/login",
            json!({"institution_code": INSTITUTION_CODE, "login_id": "staff01", "password": "Wrong#pass1"}),
        )
    };
    for _ in 0..4 {
        api.send(
            login()
                .header(header::HOST, rebound)
                .header(header::ORIGIN, &format!("http://{rebound}"))
                .header(HeaderName::from_static("sec-fetch-site"), "same-origin"),
        )
        .await
        .expect(StatusCode::MISDIRECTED_REQUEST, "misdirected_request");
    }
    // Nothing was counted: the right password still logs in.
    api.login_token("staff01", INITIAL_PASSWORD).await;
    let token = "0".repeat(64);
    let every_call = [
        login(),
        Call::get("/enrollment").bearer(&token),
        Call::post(
            "/passcode",
            json!({"login_token": token, "passcode": "123456"}),
        ),
        Call::get("/session").bearer(&token),
        Call::post(
            "/password",
            json!({"current_password": "a", "new_password": "b", "new_password_confirm": "b"}),
        )
        .bearer(&token),
        Call::raw(Method::POST, "/logout", None, Body::empty()).bearer(&token),
        Call::post(
            "/authenticate",
            json!({"institution_code": INSTITUTION_CODE, "login_id": "staff01", "password": "x", "passcode": "123456"}),
        ),
        Call::get("/openapi.json"),
    ];
    let (key, _) = api.api_key(&[]);
    let admin = admin_calls(&key, INSTITUTION_CODE, "staff01");
    for call in every_call.into_iter().chain(admin) {
        api.send(call.header(header::HOST, rebound))
            .await
            .expect(StatusCode::MISDIRECTED_REQUEST, "misdirected_request");
    }

    // With a configured public origin: exactly its host and port.
    let origin = "https://clinic.example:8443";
    let public = Api::with_options(
        api.seen(),
        WebOptions {
            public_origin: Some(origin.to_owned()),
            ..WebOptions::default()
        },
        "clinic.example:8443",
    );
    public.provision("staff01");
    let own = || {
        Call::post(
            "/login",
            json!({"institution_code": INSTITUTION_CODE, "login_id": "staff01", "password": INITIAL_PASSWORD}),
        )
    };
    public.send(own().header(header::ORIGIN, origin)).await.ok();
    for host in [
        "evil.example:8443",
        "127.0.0.1:8443",
        "localhost:8443",
        "clinic.example",
    ] {
        public
            .send(
                own()
                    .header(header::HOST, host)
                    .header(header::ORIGIN, &format!("https://{host}")),
            )
            .await
            .expect(StatusCode::MISDIRECTED_REQUEST, "misdirected_request");
    }
    // Its own host, but another Origin: the cross-origin refusal.
    public
        .send(own().header(header::ORIGIN, "https://evil.example:8443"))
        .await
        .expect(StatusCode::FORBIDDEN, "forbidden");
    assert!(
        shikaku_web::app(
            std::sync::Arc::clone(&public.service),
            WebOptions {
                public_origin: Some("clinic.example:8443".to_owned()),
                ..WebOptions::default()
            },
        )
        .is_err(),
        "an origin without a scheme is a configuration error"
    );
}

/// One call of every documented operation that needs the store, each of which would
/// succeed (or be refused for its content) with a working store.
async fn every_store_call(api: &Api) -> Vec<Call> {
    api.provision("staff01");
    let (secret, session) = api.enroll("staff01").await;
    let (_, token) = api.login_token("staff01", INITIAL_PASSWORD).await;
    api.provision("staff02");
    let (_, enroll_token) = api.login_token("staff02", INITIAL_PASSWORD).await;
    let (key, _) = api.api_key(&[]);
    let mut calls = vec![
        Call::post(
            "/login",
            json!({"institution_code": INSTITUTION_CODE, "login_id": "staff01", "password": INITIAL_PASSWORD}),
        ),
        Call::get("/enrollment").bearer(&enroll_token),
        Call::post(
            "/passcode",
            json!({"login_token": token, "passcode": api.code(&secret)}),
        ),
        Call::get("/session").bearer(&session),
        Call::post(
            "/password",
            json!({"current_password": INITIAL_PASSWORD, "new_password": "Changed#Pw2", "new_password_confirm": "Changed#Pw2"}),
        )
        .bearer(&session),
        Call::raw(Method::POST, "/logout", None, Body::empty()).bearer(&session),
        Call::post(
            "/authenticate",
            json!({"institution_code": INSTITUTION_CODE, "login_id": "staff01", "password": INITIAL_PASSWORD, "passcode": api.code(&secret)}),
        ),
    ];
    calls.extend(admin_calls(&key, INSTITUTION_CODE, "staff01"));
    calls
}

/// The store cannot answer (a full or read-only disk: the kit's `FaultyStore`): every
/// call that needs it is 503 `unavailable` with `Retry-After`, whose text names no
/// cause; when it is back, everything works again.
pub(super) async fn an_unavailable_store_is_503_with_retry_after(api: &Api) {
    let calls = every_store_call(api).await;
    let login = api.login_token("staff02", INITIAL_PASSWORD).await.1;
    api.store_down(true);
    for call in calls {
        let reply = api.send(call).await;
        reply.expect(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
        assert_eq!(
            reply.headers[header::RETRY_AFTER],
            shikaku_web::RETRY_AFTER_SECONDS.to_string()
        );
        let text = String::from_utf8_lossy(&reply.bytes);
        assert!(!text.contains("disk") && !text.contains("I/O"), "{text}");
    }
    let en = api.send(Call::get("/enrollment").bearer(&login).en()).await;
    en.expect(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    assert_eq!(
        en.str("message"),
        "The service is temporarily unavailable. Try again shortly."
    );
    // Back up: everything works again.
    api.store_down(false);
    api.send(Call::get("/enrollment").bearer(&login)).await.ok();
}

/// A store that answers with rows it cannot understand is the server's failure: 500
/// `internal`, no detail in the answer.
pub(super) async fn a_corrupt_store_is_a_json_500(api: &Api) {
    let calls = every_store_call(api).await;
    api.store_corrupt(true);
    for call in calls {
        let reply = api.send(call).await;
        reply.expect(StatusCode::INTERNAL_SERVER_ERROR, "internal");
        assert!(reply.headers.get(header::RETRY_AFTER).is_none());
        let text = String::from_utf8_lossy(&reply.bytes);
        assert!(
            !text.contains("unreadable") && !text.contains("row"),
            "{text}"
        );
    }
    api.store_corrupt(false);
    api.send(Call::get("/admin/accounts").bearer(&api.api_key(&[]).0))
        .await
        .ok();
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
    let body = json!({"institution_code": INSTITUTION_CODE, "login_id": "staff01", "password": INITIAL_PASSWORD});
    let en = api.send(Call::post("/login", body.clone()).en()).await;
    en.expect(StatusCode::LOCKED, "locked");
    assert_eq!(en.headers[header::CONTENT_LANGUAGE], "en");
    assert!(en.str("message").contains("2026-04-01 09:30 JST"));
    assert!(en.str("message").is_ascii());
    assert_eq!(ja.json["locked_until"], en.json["locked_until"]);
    // Weighted preferences, and errors from the middleware too.
    let weighted = api
        .send(Call::post("/login", body).header(header::ACCEPT_LANGUAGE, "fr, en;q=0.8, ja;q=0.5"))
        .await;
    assert_eq!(weighted.headers[header::CONTENT_LANGUAGE], "en");
    let not_found = api.send(Call::get("/nope").en()).await;
    not_found.expect(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(not_found.str("message"), "There is no such API endpoint.");
    let not_found = api.send(Call::get("/nope")).await;
    assert_eq!(not_found.str("message"), "指定された API はありません。");
}
