//! The middleware stack: headers, cookies, CSRF, cross-origin, body limit,
//! methods, error pages.

use super::*;
use shikaku::testing::INSTITUTION_CODE;
use shikaku_web::security::{CONTENT_SECURITY_POLICY, STRICT_TRANSPORT_SECURITY};

fn secure() -> (WebSecurity, Router) {
    let sec = security(CookiePolicy::secure(), true);
    let app = app(&sec);
    (sec, app)
}

fn assert_security_headers(headers: &HeaderMap, hsts: bool) {
    assert_eq!(
        headers[header::CONTENT_SECURITY_POLICY],
        CONTENT_SECURITY_POLICY
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(
        headers
            .get(header::STRICT_TRANSPORT_SECURITY)
            .map(|v| v.to_str().unwrap()),
        hsts.then_some(STRICT_TRANSPORT_SECURITY)
    );
}

fn post_form(uri: &str, cookie: Option<&str>, body: &str) -> axum::http::request::Builder {
    let mut builder = Request::post(uri)
        .header("host", "127.0.0.1:8080")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::CONTENT_LENGTH, body.len());
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder
}

async fn submit(app: &Router, cookie: Option<&str>, body: String) -> Response<Body> {
    send(
        app,
        post_form("/submit", cookie, &body)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

// ---- headers on every response ------------------------------------------------

#[tokio::test]
async fn headers_on_200_404_500_and_static() {
    let (_, app) = secure();
    for (uri, status) in [
        ("/page", StatusCode::OK),
        ("/nope", StatusCode::NOT_FOUND),
        ("/panic", StatusCode::INTERNAL_SERVER_ERROR),
        ("/static/shikaku.css", StatusCode::OK),
    ] {
        let response = send(&app, get_req(uri)).await;
        assert_eq!(response.status(), status, "{uri}");
        assert_security_headers(response.headers(), true);
    }
}

#[tokio::test]
async fn a_page_specific_csp_is_kept_but_nothing_else_is_weakened() {
    let (_, app) = secure();
    let response = send(&app, get_req("/sheet")).await;
    let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert_eq!(csp, csp_allowing_styles(&[SHEET_STYLE]).to_str().unwrap());
    assert!(csp.contains("script-src 'self';") && csp.contains("'sha256-"));
    assert_eq!(
        response.headers()[header::X_CONTENT_TYPE_OPTIONS],
        "nosniff"
    );
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn favicon_ico_is_served() {
    let (_, app) = secure();
    let response = send(&app, get_req("/favicon.ico")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "image/svg+xml");
}

#[tokio::test]
async fn no_hsts_without_tls() {
    let sec = security(CookiePolicy::secure(), false);
    let response = send(&app(&sec), get_req("/page")).await;
    assert_security_headers(response.headers(), false);
}

#[tokio::test]
async fn pages_are_no_store_and_assets_revalidate() {
    let (_, app) = secure();
    for uri in ["/page", "/nope", "/panic"] {
        let response = send(&app, get_req(uri)).await;
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "no-store",
            "{uri}"
        );
    }
    let css = send(&app, get_req("/static/shikaku.css")).await;
    assert_eq!(css.headers()[header::CACHE_CONTROL], "no-cache");
    assert_eq!(
        css.headers()[header::CONTENT_TYPE],
        "text/css; charset=utf-8"
    );
    let etag = css.headers()[header::ETAG].clone();
    let again = Request::get("/static/shikaku.css")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::IF_NONE_MATCH, etag)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, again).await.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn error_statuses_get_styled_pages() {
    let (_, app) = secure();
    let response = send(&app, get_req("/panic")).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let html = body_text(response).await;
    assert!(html.contains("システムエラーが発生しました"), "{html}");
    assert!(
        !html.contains("deliberate test panic"),
        "panic text must not leak"
    );

    let response = send(&app, get_req("/nope")).await;
    assert!(body_text(response).await.contains("ページが見つかりません"));

    // A raw error response from a handler is restyled too, keeping its status.
    let response = send(&app, get_req("/plain-error")).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body_text(response).await;
    assert!(html.contains("入力内容を処理できませんでした") && !html.contains("raw"));
}

// ---- methods -------------------------------------------------------------------

#[tokio::test]
async fn get_on_a_post_route_is_405_with_allow() {
    let (_, app) = secure();
    let response = send(&app, get_req("/submit")).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()[header::ALLOW], "POST");
    assert_security_headers(response.headers(), true);
    assert!(body_text(response).await.contains("この操作はできません"));
}

// ---- cookies ---------------------------------------------------------------------

#[tokio::test]
async fn first_html_page_sets_a_host_prefixed_strict_cookie() {
    let (_, app) = secure();
    let response = send(&app, get_req("/page")).await;
    let set = set_session_cookie(response.headers(), CookiePolicy::secure()).unwrap();
    let parts: Vec<&str> = set.split(';').map(str::trim).collect();
    let (name, value) = parts[0].split_once('=').unwrap();
    assert_eq!(name, "__Host-shikaku");
    assert_eq!(value.len(), 43, "256-bit base64url id");
    for attr in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(parts.contains(&attr), "{attr} missing: {set}");
    }
    assert!(!set.to_ascii_lowercase().contains("domain="));
}

#[tokio::test]
async fn insecure_demo_cookie_drops_prefix_and_secure() {
    let policy = CookiePolicy::insecure_localhost_demo();
    let sec = security(policy, false);
    let response = send(&app(&sec), get_req("/page")).await;
    let set = set_session_cookie(response.headers(), policy).unwrap();
    assert!(set.starts_with("shikaku="), "{set}");
    assert!(!set.contains("Secure"));
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
}

#[tokio::test]
async fn known_session_is_kept_and_not_reissued() {
    let (_, app) = secure();
    let (cookie, _) = open_form(&app, CookiePolicy::secure()).await;
    let request = Request::get("/session")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let response = send(&app, request).await;
    assert!(response.headers().get(header::SET_COOKIE).is_none());
    let text = body_text(response).await;
    let (token, fresh) = text.split_once(' ').unwrap();
    assert_eq!(format!("__Host-shikaku={token}"), cookie);
    assert_eq!(fresh, "false");
}

#[tokio::test]
async fn static_assets_and_plain_responses_set_no_cookie() {
    let (_, app) = secure();
    for uri in ["/static/shikaku.js", "/session"] {
        let response = send(&app, get_req(uri)).await;
        assert!(
            response.headers().get(header::SET_COOKIE).is_none(),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn a_handlers_rotation_is_not_overwritten() {
    let (_, app) = secure();
    let response = send(&app, get_req("/rotate")).await;
    let sets: Vec<_> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .collect();
    assert_eq!(sets.len(), 1, "only the handler's cookie: {sets:?}");
}

#[tokio::test]
async fn session_ids_never_come_from_the_query() {
    let (_, app) = secure();
    let (cookie, _) = open_form(&app, CookiePolicy::secure()).await;
    let token = cookie.split_once('=').unwrap().1;
    let response = send(
        &app,
        get_req(&format!("/session?__Host-shikaku={token}&session={token}")),
    )
    .await;
    let text = body_text(response).await;
    assert!(text.ends_with(" true"), "a fresh id was drawn: {text}");
    assert!(!text.starts_with(token));
}

// ---- CSRF ------------------------------------------------------------------------

#[tokio::test]
async fn csrf_accepts_the_sessions_token() {
    let (_, app) = secure();
    let (cookie, token) = open_form(&app, CookiePolicy::secure()).await;
    let body = format!(
        "institution_code={INSTITUTION_CODE}&login_id=staff01&password=x&csrf_token={token}"
    );
    let response = submit(&app, Some(&cookie), body).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        body_text(response).await,
        format!("ok {INSTITUTION_CODE} staff01")
    );
}

#[tokio::test]
async fn csrf_header_works_for_fetch() {
    let (_, app) = secure();
    let (cookie, token) = open_form(&app, CookiePolicy::secure()).await;
    let body = "login_id=staff01".to_owned();
    let request = post_form("/submit", Some(&cookie), &body)
        .header("x-csrf-token", token)
        .body(Body::from(body))
        .unwrap();
    assert_eq!(send(&app, request).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn csrf_rejects_missing_wrong_foreign_and_query_tokens() {
    let (_, app) = secure();
    let (cookie, token) = open_form(&app, CookiePolicy::secure()).await;
    let (other_cookie, other_token) = open_form(&app, CookiePolicy::secure()).await;
    assert_ne!(cookie, other_cookie);

    let cases: Vec<(&str, Option<&str>, String, String)> = vec![
        (
            "/submit",
            Some(&cookie),
            "login_id=a".into(),
            "no token".into(),
        ),
        (
            "/submit",
            Some(&cookie),
            format!("login_id=a&csrf_token={}", "A".repeat(43)),
            "wrong token".into(),
        ),
        (
            "/submit",
            Some(&cookie),
            format!("login_id=a&csrf_token={other_token}"),
            "another session's token".into(),
        ),
        (
            "/submit",
            None,
            format!("login_id=a&csrf_token={token}"),
            "no session cookie".into(),
        ),
        (
            "/submit",
            Some(&other_cookie),
            format!("login_id=a&csrf_token={token}"),
            "token for another cookie".into(),
        ),
        (
            "/submit",
            Some(&cookie),
            format!("login_id=a&csrf_token={token}&csrf_token={token}"),
            "two tokens".into(),
        ),
    ];
    for (uri, cookie, body, why) in cases {
        let response = send(
            &app,
            post_form(uri, cookie, &body)
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{why}");
        assert_security_headers(response.headers(), true);
        assert!(
            body_text(response)
                .await
                .contains("操作を受け付けられませんでした"),
            "{why}"
        );
    }

    // A token in the URL query is never read.
    let body = "login_id=a".to_owned();
    let request = post_form(&format!("/submit?csrf_token={token}"), Some(&cookie), &body)
        .body(Body::from(body))
        .unwrap();
    assert_eq!(send(&app, request).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn cross_site_requests_are_refused_even_with_a_valid_token() {
    let (_, app) = secure();
    let (cookie, token) = open_form(&app, CookiePolicy::secure()).await;
    let body = format!("login_id=a&csrf_token={token}");
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
        ("origin", "http://127.0.0.1:8080"), // wrong scheme: we are TLS
        ("origin", "null"),
    ] {
        let request = post_form("/submit", Some(&cookie), &body)
            .header(name, value)
            .body(Body::from(body.clone()))
            .unwrap();
        let response = send(&app, request).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}: {value}");
    }
    for headers in [
        vec![
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://127.0.0.1:8080"),
        ],
        vec![("sec-fetch-site", "none")],
        // Chromium under Referrer-Policy: no-referrer.
        vec![("sec-fetch-site", "same-origin"), ("origin", "null")],
    ] {
        let mut builder = post_form("/submit", Some(&cookie), &body);
        for (k, v) in &headers {
            builder = builder.header(*k, *v);
        }
        let response = send(&app, builder.body(Body::from(body.clone())).unwrap()).await;
        assert_eq!(response.status(), StatusCode::OK, "{headers:?}");
    }
}

#[tokio::test]
async fn configured_origin_is_enforced() {
    let sec = WebSecurity::builder(ChaCha20Rng::from_seed([1; 32]))
        .origin("https://clinic.example")
        .unwrap()
        .build();
    let app = app(&sec);
    let page = Request::get("/page")
        .header(header::HOST, "clinic.example")
        .body(Body::empty())
        .unwrap();
    let response = send(&app, page).await;
    assert_eq!(response.status(), StatusCode::OK);
    let set = set_session_cookie(response.headers(), CookiePolicy::secure()).unwrap();
    let cookie = set.split(';').next().unwrap().to_owned();
    let token = csrf_in(&body_text(response).await);
    let body = format!("login_id=a&csrf_token={token}");
    for (host, origin, status) in [
        ("clinic.example", "https://clinic.example", StatusCode::OK),
        (
            "clinic.example:443",
            "https://clinic.example",
            StatusCode::OK,
        ),
        (
            "clinic.example",
            "https://127.0.0.1:8080",
            StatusCode::FORBIDDEN,
        ),
        (
            "clinic.example",
            "https://evil.example",
            StatusCode::FORBIDDEN,
        ),
        // DNS rebinding: another name, its own matching Origin.
        (
            "evil.example",
            "https://evil.example",
            StatusCode::MISDIRECTED_REQUEST,
        ),
        (
            "127.0.0.1:8080",
            "https://127.0.0.1:8080",
            StatusCode::MISDIRECTED_REQUEST,
        ),
    ] {
        let request = Request::post("/submit")
            .header(header::HOST, host)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &cookie)
            .header("origin", origin)
            .body(Body::from(body.clone()))
            .unwrap();
        assert_eq!(
            send(&app, request).await.status(),
            status,
            "{host} {origin}"
        );
    }
    // A configured origin answers only its own name, on GET too.
    let elsewhere = Request::get("/page")
        .header(header::HOST, "127.0.0.1:8080")
        .body(Body::empty())
        .unwrap();
    let response = send(&app, elsewhere).await;
    assert_eq!(response.status(), StatusCode::MISDIRECTED_REQUEST);
    assert!(response.headers().get(header::SET_COOKIE).is_none());
    assert!(
        body_text(response)
            .await
            .contains("このアドレスでは利用できません")
    );
    for bad in [
        "https://clinic.example/login",
        "https://clinic.example/?x",
        "clinic.example",
    ] {
        assert!(
            WebSecurity::builder(ChaCha20Rng::from_seed([1; 32]))
                .origin(bad)
                .is_err(),
            "{bad}"
        );
    }
    assert!(
        WebSecurity::builder(ChaCha20Rng::from_seed([1; 32]))
            .origin("https://clinic.example:8443/")
            .is_ok(),
        "one trailing slash is the same origin"
    );
}

/// Without a configured origin, only loopback names are answered: a page whose name
/// rebinds to this server (`Host: evil.example:8080`, `Origin` to match) gets 421,
/// for every method and for the static files too.
#[tokio::test]
async fn without_an_origin_only_loopback_hosts_are_answered() {
    let (_, app) = secure();
    let (cookie, token) = open_form(&app, CookiePolicy::secure()).await;
    let body = format!("login_id=a&csrf_token={token}");
    for (host, status) in [
        ("127.0.0.1:8080", StatusCode::OK),
        ("localhost:8080", StatusCode::OK),
        ("[::1]:8080", StatusCode::OK),
        ("evil.example:8080", StatusCode::MISDIRECTED_REQUEST),
        ("192.168.1.10:8080", StatusCode::MISDIRECTED_REQUEST),
    ] {
        let request = Request::post("/submit")
            .header(header::HOST, host)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &cookie)
            .header("origin", format!("https://{host}"))
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body.clone()))
            .unwrap();
        let response = send(&app, request).await;
        assert_eq!(response.status(), status, "{host}");
        assert_security_headers(response.headers(), true);
        for uri in ["/page", "/static/shikaku.css"] {
            let get = Request::get(uri)
                .header(header::HOST, host)
                .body(Body::empty())
                .unwrap();
            let expected = if status == StatusCode::OK {
                StatusCode::OK
            } else {
                status
            };
            assert_eq!(send(&app, get).await.status(), expected, "{host} {uri}");
        }
    }
    // No Host at all (HTTP/1.0), or two of them.
    let none = Request::get("/page").body(Body::empty()).unwrap();
    assert_eq!(
        send(&app, none).await.status(),
        StatusCode::MISDIRECTED_REQUEST
    );
    let two = Request::get("/page")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::HOST, "evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        send(&app, two).await.status(),
        StatusCode::MISDIRECTED_REQUEST
    );
}

// ---- body limit ------------------------------------------------------------------

#[tokio::test]
async fn oversized_bodies_are_413_before_parsing() {
    let (_, app) = secure();
    let (cookie, token) = open_form(&app, CookiePolicy::secure()).await;
    let big = format!("csrf_token={token}&login_id={}", "a".repeat(2000));

    // Declared length too big.
    let response = submit(&app, Some(&cookie), big.clone()).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_security_headers(response.headers(), true);
    assert!(body_text(response).await.contains("送信内容が大きすぎます"));

    // No Content-Length header: cut off while reading the body.
    let request = Request::post("/submit")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &cookie)
        .body(Body::from(big))
        .unwrap();
    assert!(request.headers().get(header::CONTENT_LENGTH).is_none());
    assert_eq!(
        send(&app, request).await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );

    // Just under the limit is fine.
    let fits = format!("csrf_token={token}&login_id={}", "a".repeat(900));
    assert!(fits.len() <= 1024);
    assert_eq!(
        submit(&app, Some(&cookie), fits).await.status(),
        StatusCode::OK
    );
}
