//! Integration tests of shikaku-web, driven with `tower::ServiceExt::oneshot`:
//! the security stack on a small router, the rendered screens, and the screens and the
//! JSON API over the real facade (`app(…)` on the workspace test kit's
//! `shikaku::testing::Harness`: `MemoryStore`, `ManualClock`, seeded CSPRNG).

mod api;
mod pages;
mod screens;
mod security;

use axum::Router;
use axum::body::Body;
use axum::extract::Form;
use axum::http::{HeaderMap, Request, Response, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use shikaku_web::forms::LoginForm;
use shikaku_web::security::{
    BrowserSession, CookiePolicy, CsrfToken, WebSecurity, csp_allowing_styles,
};
use shikaku_web::views::LoginPage;
use shikaku_web::{Lang, assets};
use tower::ServiceExt;

/// A deterministic security configuration.
fn security(policy: CookiePolicy, tls: bool) -> WebSecurity {
    WebSecurity::builder(ChaCha20Rng::from_seed([42; 32]))
        .cookie_policy(policy)
        .tls(tls)
        .body_limit(1024)
        .build()
}

/// The test router: a form page, a form action, a panic, a cookie rotation
/// and the static assets, wrapped in the whole stack.
fn app(sec: &WebSecurity) -> Router {
    let rotate_sec = sec.clone();
    let router = Router::new()
        .route(
            "/page",
            get(|lang: Lang, csrf: CsrfToken| async move { LoginPage::new(lang, csrf) }),
        )
        .route(
            "/submit",
            post(|Form(form): Form<LoginForm>| async move {
                format!("ok {} {}", form.institution_code, form.login_id)
            }),
        )
        .route(
            "/session",
            get(|s: BrowserSession| async move { format!("{} {}", s.token.encode(), s.fresh) }),
        )
        .route(
            "/rotate",
            get(move |csrf: CsrfToken| {
                let sec = rotate_sec.clone();
                async move {
                    let token = sec.new_session_token();
                    let mut response = LoginPage::new(Lang::Ja, csrf).into_response();
                    response
                        .headers_mut()
                        .append(header::SET_COOKIE, sec.session_cookie(&token));
                    response
                }
            }),
        )
        .route(
            "/sheet",
            get(|| async {
                (
                    [(
                        header::CONTENT_SECURITY_POLICY,
                        csp_allowing_styles(&[SHEET_STYLE]),
                    )],
                    axum::response::Html(format!("<style>{SHEET_STYLE}</style>")),
                )
            }),
        )
        .route("/panic", get(|| async { panic_now() }))
        .route(
            "/plain-error",
            get(|| async { (StatusCode::UNPROCESSABLE_ENTITY, "raw") }),
        )
        .merge(assets::router());
    shikaku_web::protect(sec, router)
}

/// The one inline style of the stand-in print sheet.
const SHEET_STYLE: &str = "body{margin:0}";

#[allow(clippy::panic)]
fn panic_now() -> &'static str {
    panic!("deliberate test panic")
}

async fn send(app: &Router, request: Request<Body>) -> Response<Body> {
    app.clone().oneshot(request).await.unwrap()
}

async fn body_text(response: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn get_req(uri: &str) -> Request<Body> {
    Request::get(uri)
        .header("host", "127.0.0.1:8080")
        .body(Body::empty())
        .unwrap()
}

/// The `name=value` pair of the session cookie a response sets.
fn set_session_cookie(headers: &HeaderMap, policy: CookiePolicy) -> Option<String> {
    let prefix = format!("{}=", policy.session_cookie_name());
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&prefix))
        .map(str::to_owned)
}

/// The value of the hidden CSRF input in a page.
fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

/// Opens `/page` like a browser: returns (`Cookie` header value, CSRF token).
async fn open_form(app: &Router, policy: CookiePolicy) -> (String, String) {
    let response = send(app, get_req("/page")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let set = set_session_cookie(response.headers(), policy).expect("pre-session cookie");
    let cookie = set.split(';').next().unwrap().to_owned();
    let token = csrf_in(&body_text(response).await);
    (cookie, token)
}
