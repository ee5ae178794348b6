//! \[Authenticator 登録\], 《Authenticator 登録確認に進む》, the print confirmation and
//! the print sheet, and 登録確認完了.

use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse};
use serde::Deserialize;
use shikaku::{LoginStage, PrintPrompt, Store};

use super::flow::{
    Answer, SignedIn, Ticket, incomplete, login_phase_error, login_stage, redirect, see_other,
};
use crate::lang::Lang;
use crate::paths;
use crate::security::{CsrfToken, csp_allowing_styles};
use crate::state::AppState;
use crate::views::{EnrollCompletePage, EnrollPage, PrintConfirmPage, QrImage, SetupKeyText};

/// \[管理メニュー\] with the MFA 登録完了 notice (after 登録確認完了 《OK》).
const MENU_REGISTERED: &str = "/menu?registered=1";

/// \[Authenticator 登録\]: QR code and setup key. A login whose account already has an
/// Authenticator goes to the passcode screen instead.
pub(super) async fn enroll<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    csrf_token: CsrfToken,
    ticket: Ticket,
) -> Answer {
    let token = ticket.token;
    let view = state
        .run_light(move |s| s.enrollment(&token))
        .await
        .map_err(incomplete(lang, "enrollment"))?
        .map_err(|error| login_phase_error(lang, "enrollment", error))?;
    let mut display = view.setup_key.display_form();
    let mut copy = view.setup_key.copy_form();
    // Moved, not copied: SetupKeyText zeroizes them on drop.
    let setup_key = SetupKeyText::new(std::mem::take(&mut *display), std::mem::take(&mut *copy));
    Ok(EnrollPage {
        lang,
        csrf_token,
        qr: QrImage::from_svg(&view.qr_svg),
        setup_key,
    }
    .into_response())
}

/// 《Authenticator 登録確認に進む》: the facade counts the print prompt.
pub(super) async fn proceed<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    ticket: Ticket,
) -> Answer {
    let token = ticket.token;
    let prompt = state
        .run_light(move |s| s.proceed_to_confirmation(&token))
        .await
        .map_err(incomplete(lang, "proceed_to_confirmation"))?
        .map_err(|error| login_phase_error(lang, "proceed_to_confirmation", error))?;
    let variant = match prompt {
        PrintPrompt::FirstTime => "first",
        PrintPrompt::Later => "later",
    };
    Ok(see_other(&format!(
        "{}?prompt={variant}",
        paths::ENROLL_PRINT_CONFIRM
    )))
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct PrintConfirmQuery {
    prompt: Option<String>,
}

/// \[二次元バーコードの印刷 (任意)\]: which variant the facade chose travels in the query
/// (it only picks the wording; nothing depends on it).
pub(super) async fn print_confirm<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    ticket: Ticket,
    Query(q): Query<PrintConfirmQuery>,
) -> Answer {
    match login_stage(&state, lang, &ticket).await? {
        LoginStage::Enrollment => {
            let first = q.prompt.as_deref() == Some("first");
            Ok(PrintConfirmPage::new(lang, first).into_response())
        }
        LoginStage::Passcode => Err(redirect(paths::PASSCODE)),
    }
}

/// The printable A4 sheet of `shikaku-qr`, with a CSP that allows exactly its one
/// `<style>` element, never cached.
pub(super) async fn print_sheet<S: Store>(
    State(state): State<AppState<S>>,
    lang: Lang,
    ticket: Ticket,
) -> Answer {
    let token = ticket.token;
    let mut sheet = state
        .run_light(move |s| s.enrollment_sheet(&token))
        .await
        .map_err(incomplete(lang, "enrollment_sheet"))?
        .map_err(|error| login_phase_error(lang, "enrollment_sheet", error))?;
    let mut response = Html(std::mem::take(&mut *sheet)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        csp_allowing_styles(&[shikaku::qr::SHEET_CSS]),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// 登録確認完了: 《OK》 leads to \[管理メニュー\] with the MFA 登録完了 notice.
pub(super) async fn enroll_done(lang: Lang, _: SignedIn) -> EnrollCompletePage {
    EnrollCompletePage {
        lang,
        ok_url: MENU_REGISTERED.to_owned(),
    }
}
