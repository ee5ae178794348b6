//! Serves every screen with sample data on loopback, behind the real security
//! stack, for design review and the browser harness in `e2e/`.
//!
//! ```sh
//! cargo run -p shikaku-web --example preview            # http://127.0.0.1:8765/preview
//! SHIKAKU_PREVIEW_PORT=9000 cargo run -p shikaku-web --example preview
//! ```
//!
//! The real paths (`/login`, `/enroll`, …) show each screen's main state and
//! their forms post to small stand-in handlers, so the screens can be clicked
//! through (CSRF and cookies are real). `/preview/<name>` shows the other
//! states; `/preview/screens.json` lists them all.
//!
//! Nothing here talks to the shikaku facade: sign-in state is not checked.

use std::net::{Ipv4Addr, SocketAddr};

use axum::extract::Form;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use qrcode::QrCode;
use qrcode::render::svg;
use rand::rngs::SysRng;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use shikaku_web::forms::{LoginForm, PasscodeForm, PasswordChangeForm};
use shikaku_web::messages::Rules;
use shikaku_web::security::{CookiePolicy, CsrfToken, WebSecurity, csp_allowing_styles};
use shikaku_web::views::{
    EnrollCompletePage, EnrollPage, ErrorKind, ErrorPage, FieldError, LoginError, LoginNotice,
    LoginPage, LogoutConfirmPage, MenuNotice, MenuPage, PasscodeError, PasscodePage,
    PasscodePurpose, PasswordChangePage, PasswordChangedPage, PasswordField, PasswordProblem,
    PrintConfirmPage, QrImage, SessionEndReason, SessionEndedPage, SetupKeyText, SignedInUser,
    StartPage,
};
use shikaku_web::{Lang, assets, paths};
use time::OffsetDateTime;
use time::macros::datetime;

/// A fixed sample setup key (base32, 160 bits) — sample data only.
const SETUP_KEY: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// When the sample lock lifts: 2026-11-24 10:30 JST.
const LOCKED_UNTIL: OffsetDateTime = datetime!(2026-11-24 01:30 UTC);

/// Screens the harness photographs: (name, path).
const SCREENS: &[(&str, &str)] = &[
    ("01-start", "/"),
    ("02-login", "/login"),
    ("03-login-invalid", "/preview/login-invalid"),
    ("04-login-locked", "/preview/login-locked"),
    ("05-login-logged-out", "/preview/login-logged-out"),
    ("06-enroll", "/enroll"),
    ("07-print-confirm-first", "/enroll/print-confirm"),
    ("08-print-confirm-again", "/preview/print-confirm-again"),
    ("09-print-page", "/enroll/print"),
    ("10-passcode-enroll", "/login/passcode"),
    ("11-passcode-wrong", "/preview/passcode-wrong"),
    ("12-passcode-locked", "/preview/passcode-locked"),
    ("13-passcode-login", "/preview/passcode-login"),
    ("14-enroll-done", "/enroll/done"),
    ("15-menu-registered", "/preview/menu-registered"),
    ("16-menu", "/menu"),
    ("17-logout-confirm", "/logout"),
    ("18-password-change", "/password"),
    ("19-password-errors", "/preview/password-errors"),
    ("20-password-done", "/password/done"),
    ("21-session-ended-idle", "/session-ended"),
    (
        "22-session-ended-elsewhere",
        "/preview/session-ended-elsewhere",
    ),
    ("23-error-404", "/preview/no-such-page"),
    ("24-error-403", "/preview/error-403"),
    ("25-error-413", "/preview/error-413"),
    ("26-error-500", "/preview/error-500"),
    ("27-login-hostile", "/preview/login-hostile"),
];

fn user() -> SignedInUser {
    SignedInUser {
        institution_code: "1312345678".to_owned(),
        login_id: "staff01".to_owned(),
    }
}

fn qr() -> QrImage {
    let uri = format!(
        "otpauth://totp/shikaku:staff01?secret={SETUP_KEY}&issuer=shikaku&algorithm=SHA1&digits=6&period=30"
    );
    let svg = QrCode::new(uri.as_bytes())
        .map(|code| {
            code.render::<svg::Color<'_>>()
                .min_dimensions(232, 232)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default();
    QrImage::from_svg(&svg)
}

fn setup_key() -> SetupKeyText {
    let display = SETUP_KEY
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    SetupKeyText::new(display, SETUP_KEY.to_owned())
}

fn login(lang: Lang, csrf_token: CsrfToken, error: Option<LoginError>) -> LoginPage {
    LoginPage {
        institution_code: if error.is_some() {
            "1312345678".to_owned()
        } else {
            String::new()
        },
        login_id: if error.is_some() {
            "staff01".to_owned()
        } else {
            String::new()
        },
        error,
        ..LoginPage::new(lang, csrf_token)
    }
}

fn password_errors(lang: Lang) -> Vec<FieldError> {
    vec![
        FieldError::new(
            PasswordField::Current,
            PasswordProblem::CurrentWrong,
            lang,
            Rules::manual(),
        ),
        FieldError::new(
            PasswordField::New,
            PasswordProblem::MissingUppercase,
            lang,
            Rules::manual(),
        ),
        FieldError::new(
            PasswordField::New,
            PasswordProblem::InvalidCharacter('¥'),
            lang,
            Rules::manual(),
        ),
        FieldError::new(
            PasswordField::New,
            PasswordProblem::Similar,
            lang,
            Rules::manual(),
        ),
        FieldError::new(
            PasswordField::Confirm,
            PasswordProblem::Mismatch,
            lang,
            Rules::manual(),
        ),
    ]
}

/// The one `<style>` of the stand-in print page.
const PRINT_CSS: &str = "body{margin:0;font-family:sans-serif;background:#e6e8eb}\
.sheet{width:210mm;min-height:140mm;margin:8mm auto;padding:12mm 16mm;background:#fff}\
h1{font-size:16pt}img{width:60mm;height:60mm}code{font-size:14pt;letter-spacing:.1em}";

/// A stand-in for the print page `shikaku-qr` makes (`EnrollmentSheet`): a
/// full HTML page with one `<style>` element and no script, served with a CSP
/// that allows exactly that style by hash.
fn print_page(lang: Lang) -> Response {
    let m = lang.t();
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <title>{title}</title><style>{PRINT_CSS}</style></head><body><div class=\"sheet\">\
         <h1>{title}</h1><img src=\"{qr}\" alt=\"{alt}\"><p><code>{key}</code></p>\
         <p>{warning}</p></div></body></html>",
        title = m.print_title,
        qr = qr().data_uri(),
        alt = m.qr_alt,
        key = setup_key().display(),
        warning = m.print_warning,
    );
    let mut response = Html(html).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_SECURITY_POLICY,
        csp_allowing_styles(&[PRINT_CSS]),
    );
    response
}

fn index() -> Html<String> {
    let items: String = SCREENS
        .iter()
        .map(|(name, path)| {
            format!(
                "<li><a href=\"{path}\">{name}</a> · <a href=\"{path}{sep}lang=en\">en</a></li>",
                sep = if path.contains('?') { '&' } else { '?' }
            )
        })
        .collect();
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>shikaku-web preview</title>\
         <link rel=\"stylesheet\" href=\"{css}\"></head><body class=\"page\"><main class=\"main\">\
         <div class=\"screen\"><h1 class=\"screen__title\">shikaku-web preview</h1>\
         <ul class=\"rules__list\">{items}</ul></div></main></body></html>",
        css = paths::STYLESHEET
    ))
}

async fn panic_handler() -> Response {
    // Demonstrates that a panicking handler still yields the styled 500 page
    // with every security header. Example code only.
    #[allow(clippy::panic)]
    {
        panic!("preview: deliberate panic to show the 500 page")
    }
}

fn app(security: &WebSecurity) -> Router {
    let screens = Router::new()
        .route("/", get(|lang: Lang| async move { StartPage { lang } }))
        .route(
            paths::LOGIN,
            get(|lang: Lang, csrf: CsrfToken| async move { login(lang, csrf, None) }).post(
                |lang: Lang, csrf: CsrfToken, Form(form): Form<LoginForm>| async move {
                    if form.institution_code.is_empty()
                        || form.login_id.is_empty()
                        || form.password.is_empty()
                    {
                        return login(lang, csrf, Some(LoginError::MissingFields)).into_response();
                    }
                    Redirect::to(paths::ENROLL).into_response()
                },
            ),
        )
        .route(
            paths::LOGIN_CANCEL,
            post(|| async { Redirect::to(paths::LOGIN) }),
        )
        .route(
            paths::ENROLL,
            get(|lang: Lang, csrf_token: CsrfToken| async move {
                EnrollPage { lang, csrf_token, qr: qr(), setup_key: setup_key() }
            }),
        )
        .route(
            paths::ENROLL_PROCEED,
            post(|| async { Redirect::to(paths::ENROLL_PRINT_CONFIRM) }),
        )
        .route(
            paths::ENROLL_PRINT_CONFIRM,
            get(|lang: Lang| async move { PrintConfirmPage::new(lang, true) }),
        )
        .route(paths::ENROLL_PRINT, get(|lang: Lang| async move { print_page(lang) }))
        .route(
            paths::PASSCODE,
            get(|lang: Lang, csrf: CsrfToken| async move {
                PasscodePage::new(lang, csrf, PasscodePurpose::Enrollment)
            })
            .post(
                |lang: Lang, csrf: CsrfToken, Form(form): Form<PasscodeForm>| async move {
                    let digits = form.passcode.len() == 6
                        && form.passcode.bytes().all(|b| b.is_ascii_digit());
                    if digits {
                        Redirect::to(paths::ENROLL_DONE).into_response()
                    } else {
                        PasscodePage {
                            error: Some(PasscodeError::Malformed),
                            ..PasscodePage::new(lang, csrf, PasscodePurpose::Enrollment)
                        }
                        .into_response()
                    }
                },
            ),
        )
        .route(
            paths::ENROLL_DONE,
            get(|lang: Lang| async move { EnrollCompletePage::new(lang) }),
        )
        .route(
            paths::MENU,
            get(|lang: Lang| async move { MenuPage { lang, user: user(), notice: None } }),
        )
        .route(
            paths::LOGOUT,
            get(|lang: Lang, csrf_token: CsrfToken| async move {
                LogoutConfirmPage { lang, csrf_token, user: user() }
            })
            .post(|lang: Lang, csrf: CsrfToken| async move {
                LoginPage { notice: Some(LoginNotice::LoggedOut), ..LoginPage::new(lang, csrf) }
            }),
        )
        .route(
            paths::PASSWORD,
            get(|lang: Lang, csrf_token: CsrfToken| async move {
                PasswordChangePage { lang, csrf_token, user: user(), errors: Vec::new(), must_change: false, rules: Default::default() }
            })
            .post(
                |lang: Lang, csrf_token: CsrfToken, Form(form): Form<PasswordChangeForm>| async move {
                    if form.new_password.is_empty() || form.new_password != form.new_password_confirm {
                        let mut errors = Vec::new();
                        if form.new_password.is_empty() {
                            errors.push(FieldError::new(PasswordField::New, PasswordProblem::Required, lang, Rules::manual()));
                        } else {
                            errors.push(FieldError::new(PasswordField::Confirm, PasswordProblem::Mismatch, lang, Rules::manual()));
                        }
                        return PasswordChangePage { lang, csrf_token, user: user(), errors, must_change: false, rules: Default::default() }.into_response();
                    }
                    Redirect::to(paths::PASSWORD_DONE).into_response()
                },
            ),
        )
        .route(
            paths::PASSWORD_DONE,
            get(|lang: Lang| async move { PasswordChangedPage { lang, user: user() } }),
        )
        .route(
            paths::SESSION_ENDED,
            get(|lang: Lang| async move {
                SessionEndedPage { lang, reason: SessionEndReason::IdleTimeout, rules: Default::default() }
            }),
        );

    let variants = Router::new()
        .route("/preview", get(|| async { index() }))
        .route(
            "/preview/screens.json",
            get(|| async {
                Json(
                    SCREENS
                        .iter()
                        .map(|(name, path)| serde_json::json!({ "name": name, "path": path }))
                        .collect::<Vec<_>>(),
                )
            }),
        )
        .route(
            "/preview/login-invalid",
            get(|lang: Lang, csrf: CsrfToken| async move {
                login(lang, csrf, Some(LoginError::InvalidCredentials))
            }),
        )
        .route(
            "/preview/login-locked",
            get(|lang: Lang, csrf: CsrfToken| async move {
                login(
                    lang,
                    csrf,
                    Some(LoginError::Locked {
                        until: LOCKED_UNTIL,
                    }),
                )
            }),
        )
        .route(
            "/preview/login-logged-out",
            get(|lang: Lang, csrf: CsrfToken| async move {
                LoginPage {
                    notice: Some(LoginNotice::LoggedOut),
                    ..LoginPage::new(lang, csrf)
                }
            }),
        )
        .route(
            "/preview/login-hostile",
            get(|lang: Lang, csrf: CsrfToken| async move {
                LoginPage {
                    institution_code: "\"><script>alert(1)</script>".to_owned(),
                    login_id: "<img src=x onerror=alert(1)>".to_owned(),
                    error: Some(LoginError::InvalidCredentials),
                    ..LoginPage::new(lang, csrf)
                }
            }),
        )
        .route(
            "/preview/print-confirm-again",
            get(|lang: Lang| async move { PrintConfirmPage::new(lang, false) }),
        )
        .route(
            "/preview/passcode-wrong",
            get(|lang: Lang, csrf: CsrfToken| async move {
                PasscodePage {
                    error: Some(PasscodeError::Wrong),
                    ..PasscodePage::new(lang, csrf, PasscodePurpose::Enrollment)
                }
            }),
        )
        .route(
            "/preview/passcode-locked",
            get(|lang: Lang, csrf: CsrfToken| async move {
                PasscodePage {
                    error: Some(PasscodeError::Locked {
                        until: LOCKED_UNTIL,
                    }),
                    ..PasscodePage::new(lang, csrf, PasscodePurpose::Login)
                }
            }),
        )
        .route(
            "/preview/passcode-login",
            get(|lang: Lang, csrf: CsrfToken| async move {
                PasscodePage::new(lang, csrf, PasscodePurpose::Login)
            }),
        )
        .route(
            "/preview/menu-registered",
            get(|lang: Lang| async move {
                MenuPage {
                    lang,
                    user: user(),
                    notice: Some(MenuNotice::MfaRegistered),
                }
            }),
        )
        .route(
            "/preview/password-errors",
            get(|lang: Lang, csrf_token: CsrfToken| async move {
                PasswordChangePage {
                    lang,
                    csrf_token,
                    user: user(),
                    errors: password_errors(lang),
                    must_change: false,
                    rules: Default::default(),
                }
            }),
        )
        .route(
            "/preview/session-ended-elsewhere",
            get(|lang: Lang| async move {
                SessionEndedPage {
                    lang,
                    reason: SessionEndReason::LoggedInElsewhere,
                    rules: Default::default(),
                }
            }),
        )
        .route(
            "/preview/error-403",
            get(|lang: Lang| async move { ErrorPage::new(lang, ErrorKind::Forbidden) }),
        )
        .route(
            "/preview/error-413",
            get(|lang: Lang| async move { ErrorPage::new(lang, ErrorKind::PayloadTooLarge) }),
        )
        .route("/preview/error-500", get(panic_handler))
        .route(
            "/preview/status/{code}",
            get(
                |axum::extract::Path(code): axum::extract::Path<u16>| async move {
                    StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST)
                },
            ),
        );

    // The whole stack as `app` has it: security checks, language, styled error pages.
    shikaku_web::protect(security, screens.merge(variants).merge(assets::router()))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();

    // The web layer takes any CryptoRng; here a ChaCha20 generator seeded
    // from the operating system.
    let rng = ChaCha20Rng::try_from_rng(&mut SysRng)?;
    let security = WebSecurity::builder(rng)
        .cookie_policy(CookiePolicy::insecure_localhost_demo())
        .build();

    let port: u16 = std::env::var("SHIKAKU_PREVIEW_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8765);
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("shikaku-web preview on http://{addr}/preview");
    axum::serve(listener, app(&security)).await?;
    Ok(())
}
