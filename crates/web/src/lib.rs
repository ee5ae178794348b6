//! # shikaku-web — the browser screens of shikaku
//!
//! The web adapter of the staff MFA registration and login system
//! (オンライン資格確認レセプトコンピューター連携システム). It owns:
//!
//! * [`views`] — one view-model per screen of the operations manual, each an
//!   askama template that renders Japanese (default) or English and is an
//!   axum response;
//! * [`messages`] — every user-visible string (screens and JSON API), in one
//!   reviewable place;
//! * [`security`] — the middleware stack (security headers on every
//!   response, session / pre-session cookie, CSRF, Fetch-Metadata / `Origin`
//!   checks, body limit) and 256-bit random ids; it answers what it refuses
//!   with a bare status;
//! * [`assets`] — the one stylesheet and one script, embedded;
//! * [`paths`] and [`forms`] — URLs and form bodies shared by templates and
//!   handlers.
//!
//! [`app`] puts it together: the manual's screens driven by the `shikaku`
//! facade and the JSON API ([`api`]), inside the security stack, with the
//! language negotiation and the styled error pages ([`protect`]) between them.
//! [`AppState`] is all the screens and the API share. The session cookie *is*
//! the facade's token — a random pre-session id, then the login ticket after
//! the password, then the session after the passcode (a new id at each step;
//! no web-side session store):
//!
//! ```
//! use std::sync::Arc;
//! use shikaku::{Config, MasterKey, MemoryStore, SharedRng, Shikaku};
//!
//! let rng = SharedRng::system();
//! let service = Shikaku::builder(Arc::new(MemoryStore::new()))
//!     .master_key(MasterKey::generate(&rng))
//!     .config(Config::for_tests())
//!     .build()?;
//! let router = shikaku_web::app(Arc::new(service), shikaku_web::WebOptions::default())?;
//! # drop(router);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The pieces also compose on their own: a handler takes [`Lang`],
//! [`security::CsrfToken`] and [`security::BrowserSession`] as extractors and
//! returns a view-model; [`protect`] wraps a router in the security stack with
//! this crate's language negotiation and error pages.
//!
//! ```
//! use axum::{Router, routing::get};
//! use shikaku_web::{Lang, assets, paths, security::{CsrfToken, WebSecurity}, views::LoginPage};
//! # use rand_core::SeedableRng;
//!
//! async fn login(lang: Lang, csrf_token: CsrfToken) -> LoginPage {
//!     LoginPage::new(lang, csrf_token)
//! }
//!
//! # let rng = rand_chacha::ChaCha20Rng::from_seed([0; 32]);
//! let security = WebSecurity::builder(rng).build();
//! let app: Router = shikaku_web::protect(
//!     &security,
//!     Router::new().route(paths::LOGIN, get(login)).merge(assets::router()),
//! );
//! ```
//!
//! # Modules, and who may import whom
//!
//! ```text
//!  app (composition root) ─► screens, api, views, security, state, messages, lang
//!  screens ─► state, views, security, forms, paths, messages, lang
//!  api     ─► state, messages, lang
//!  views   ─► security (CsrfToken), messages, forms, paths, encoding, lang
//!  state   ─► security, messages (Rules), error
//!  security ─► encoding, lang, error
//!  messages ─► lang
//!  lang, paths, forms, encoding, error, assets: leaves
//! ```
//!
//! No cycle: nothing imports `app`, and neither the screens nor the API import
//! each other.
//!
//! No page has inline script or style (the CSP forbids both); the script is
//! needed only for 《テキストでコピー》, to open the print dialog and for Enter on
//! \[パスワード変更\] (it opens the confirmation 《変更》 opens) — every other step
//! works without JavaScript. It also writes a full-width or spaced passcode as six
//! ASCII digits before sending, which the server would accept anyway.
//!
//! Every number a screen quotes (locks, idle timeout, password rules) is the
//! facade's configured one ([`messages::Rules`], from
//! [`Shikaku::config`](shikaku::Shikaku::config)); and the app answers only the
//! names it was told ([`WebOptions::public_origin`]) — loopback names when none.
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod api;
mod app;
pub mod assets;
mod encoding;
mod error;
pub mod forms;
mod lang;
pub mod messages;
pub mod ops;
pub mod paths;
mod screens;
pub mod security;
mod state;
pub mod views;

pub use app::{WebOptions, app, protect};
pub use error::{Error, RETRY_AFTER_SECONDS};
pub use lang::Lang;
pub use state::AppState;
