//! The printable enrollment sheet.

use shikaku_qr::{EnrollmentSheet, Error, SHEET_CSS};
use time::macros::date;

use crate::support::{URI, rqrr_decode_matrix, svg_to_matrix};

const KEY_DISPLAY: &str = "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP";
const KEY_COPY: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn sheet() -> EnrollmentSheet<'static> {
    EnrollmentSheet {
        issuer: "資格確認限定型レセコン連携機能",
        institution_code: "1312345678",
        login_id: "user01",
        setup_key_display: KEY_DISPLAY,
        setup_key_copy: KEY_COPY,
        otpauth_uri: URI,
        issued_on: date!(2026 - 04 - 01),
    }
}

/// The text between the first `open` and the following `close`.
fn between<'a>(html: &'a str, open: &str, close: &str) -> &'a str {
    let start = html.find(open).unwrap_or_else(|| panic!("{open} missing")) + open.len();
    let len = html[start..].find(close).expect("close");
    &html[start..start + len]
}

/// All attribute names in all tags (a tiny scanner; our markup quotes every value).
fn attribute_names(html: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let tag_end = rest[open..].find('>').expect("tag closes") + open;
        let tag = &rest[open + 1..tag_end];
        // Drop quoted values, then every `name=` left is an attribute name.
        let mut unquoted = String::new();
        let mut in_quote = None;
        for c in tag.chars() {
            match (in_quote, c) {
                (None, '"' | '\'') => in_quote = Some(c),
                (Some(q), c) if c == q => in_quote = None,
                (None, c) => unquoted.push(c),
                _ => {}
            }
        }
        for word in unquoted.split_whitespace().skip(1) {
            if let Some((name, _)) = word.split_once('=') {
                names.push(name.to_ascii_lowercase());
            }
        }
        rest = &rest[tag_end + 1..];
    }
    names
}

#[test]
fn sheet_shows_every_field() {
    let html = sheet().render_html().unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(r#"<html lang="ja">"#));
    for needle in [
        "資格確認限定型レセコン連携機能",
        "1312345678",
        "user01",
        "2026年4月1日",
        KEY_DISPLAY,
    ] {
        assert!(html.contains(needle), "{needle} missing");
    }
    // The copy form is one unbroken run of text in its own element, so a copy (from the
    // page) holds no spaces or line breaks.
    assert_eq!(
        between(&html, r#"<span class="key key-copy">"#, "</span>"),
        KEY_COPY
    );
    assert_eq!(
        between(&html, r#"<span class="key key-display">"#, "</span>"),
        KEY_DISPLAY
    );
}

#[test]
fn sheet_qr_decodes_to_the_uri() {
    let html = sheet().render_html().unwrap();
    let svg = format!("<svg{}</svg>", between(&html, "<svg", "</svg>"));
    assert_eq!(rqrr_decode_matrix(&svg_to_matrix(&svg)), URI);
}

#[test]
fn sheet_carries_the_manuals_warnings_and_is_marked_confidential() {
    let html = sheet().render_html().unwrap();
    assert!(html.contains(
        "二次元バーコードを印刷して保存していないと、アプリに登録したデバイスの紛失又は故障時に、二次元バーコードを再確認することができません。"
    ));
    assert!(html.contains(
        "印刷設定で出力先を PDF にした場合、その PDF からセットアップキーをコピーしたものをアプリに貼り付けると、セットアップキーのテキストデータに改行が入り正しくセットアップキーが入力されない場合があります。"
    ));
    assert!(html.contains(r#"<div class="stamp">取扱注意</div>"#));
    assert!(html.contains("<title>【取扱注意】"));
    assert!(html.contains("第二要素"));
}

/// Issue 10, point 1: the QR code of a registration not yet completed belongs to one
/// login. The sheet says so in the manual's voice: valid only if the registration is
/// completed with the login that printed it; a new login first issues a new code and
/// this sheet can no longer be used.
#[test]
fn sheet_says_it_is_valid_only_for_the_login_that_printed_it() {
    let html = sheet().render_html().unwrap();
    let warning = between(&html, "<section class=\"warning\">", "</section>");
    for needle in [
        "この用紙は、印刷したログインで Authenticator の登録を完了した場合に限り有効です",
        "登録を完了する前にログインしなおした場合は新しい二次元バーコードが発行され",
        "この用紙は使用できなくなります",
    ] {
        assert!(warning.contains(needle), "{needle:?} not in {warning}");
    }
}

#[test]
fn sheet_is_a4_and_self_contained() {
    let html = sheet().render_html().unwrap();
    assert!(SHEET_CSS.contains("@page { size: A4 portrait;"));
    // The one style element holds exactly SHEET_CSS (so a CSP hash over it matches).
    assert_eq!(html.matches("<style").count(), 1);
    assert_eq!(between(&html, "<style>", "</style>"), SHEET_CSS);

    let lower = html.to_ascii_lowercase();
    for forbidden in [
        "<script",
        "<link",
        "<img",
        "<iframe",
        "<object",
        "<embed",
        "<form",
        "@import",
        "url(",
        "javascript:",
        "src=",
        "href=",
    ] {
        assert!(!lower.contains(forbidden), "{forbidden} found");
    }
    // The only URL is the SVG namespace name, which is never fetched.
    assert_eq!(
        lower.matches("http").count(),
        lower
            .matches(r#"xmlns="http://www.w3.org/2000/svg""#)
            .count()
            + 1, // + http-equiv
    );
    let names = attribute_names(&html);
    assert!(names.iter().any(|n| n == "class"), "scanner works");
    for name in &names {
        assert!(!name.starts_with("on"), "event handler attribute {name}");
        assert_ne!(name, "style", "style attributes would need 'unsafe-inline'");
    }
    assert!(html.contains(r#"content="default-src 'none'; style-src 'unsafe-inline'"#));
}

#[test]
fn every_field_is_html_escaped() {
    let evil = EnrollmentSheet {
        issuer: "<img src=x onerror=alert(1)>",
        institution_code: "\"><b>",
        login_id: "<script>alert('x')</script>&",
        ..sheet()
    };
    let html = evil.render_html().unwrap();
    assert!(!html.contains("<script"));
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("&quot;&gt;&lt;b&gt;"));
    assert!(attribute_names(&html).iter().all(|n| !n.starts_with("on")));
}

#[test]
fn date_is_printed_in_japanese_form() {
    let html = EnrollmentSheet {
        issued_on: date!(2025 - 12 - 31),
        ..sheet()
    }
    .render_html()
    .unwrap();
    assert!(html.contains("2025年12月31日"));
    assert!(!html.contains("2026年4月1日"));
}

#[test]
fn a_sheet_contradicting_its_qr_code_is_refused() {
    let other_key = EnrollmentSheet {
        setup_key_display: "AAAA BBBB CCCC DDDD",
        setup_key_copy: "AAAABBBBCCCCDDDD",
        ..sheet()
    };
    assert_eq!(other_key.render_html(), Err(Error::SetupKeyMismatch));

    let display_differs = EnrollmentSheet {
        setup_key_display: "JBSW Y3DP EHPK 3PXP",
        ..sheet()
    };
    assert_eq!(display_differs.render_html(), Err(Error::SetupKeyMismatch));

    let not_base32 = EnrollmentSheet {
        setup_key_display: "JBSW Y3DP EHPK 3PX0",
        setup_key_copy: "JBSWY3DPEHPK3PX0",
        ..sheet()
    };
    assert_eq!(
        not_base32.render_html(),
        Err(Error::InvalidSetupKey { position: 15 })
    );

    let web_url = EnrollmentSheet {
        otpauth_uri: "https://example.com/?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        ..sheet()
    };
    assert_eq!(web_url.render_html(), Err(Error::NotOtpauthUri));
}

#[test]
fn oversized_uri_is_an_error() {
    let uri = format!(
        "otpauth://totp/a?secret={KEY_COPY}&issuer={}",
        "x".repeat(3000)
    );
    let sheet = EnrollmentSheet {
        otpauth_uri: &uri,
        ..sheet()
    };
    assert!(matches!(
        sheet.render_html(),
        Err(Error::DataTooLong { .. })
    ));
}

#[test]
fn debug_hides_the_key() {
    let debug = format!("{:?}", sheet());
    assert!(debug.contains("user01"));
    assert!(!debug.contains("JBSW"), "{debug}");
}

/// Prints the sheet with headless Chromium and checks it fits one A4 page.
/// Needs `chromium` on PATH (or `$CHROMIUM`); `bash .ci/test` installs it
/// (`apt-get install chromium`). A missing browser fails the test, it is never skipped.
#[test]
fn sheet_prints_on_exactly_one_a4_page() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".to_owned());
    let dir = tempfile::tempdir().unwrap();
    let html_path = dir.path().join("sheet.html");
    let pdf_path = dir.path().join("sheet.pdf");
    // A long login ID and a 64-byte key stress the layout.
    let long_key = "A".repeat(103);
    let long_display: String = long_key
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(" ");
    let long_uri = format!("otpauth://totp/x:y?secret={long_key}&issuer=x");
    for sheet in [
        sheet(),
        EnrollmentSheet {
            login_id: "a-very-long-login-identifier-used-by-a-clinic-0123456789",
            setup_key_display: &long_display,
            setup_key_copy: &long_key,
            otpauth_uri: &long_uri,
            ..sheet()
        },
    ] {
        let html = sheet.render_html().unwrap();
        // The sheet is one A4 box that clips what does not fit: printed as is, it is
        // one page whatever its content. Printed unclipped (height from the content),
        // it is one page only if nothing was cut off — the bottom margin included.
        let unclipped = html
            .replacen("height: 296mm;", "height: auto;", 1)
            .replacen("overflow: hidden;", "overflow: visible;", 1);
        assert_ne!(unclipped, html, "the sheet's box is set in SHEET_CSS");
        for (variant, html) in [("as served", html), ("unclipped", unclipped)] {
            assert_eq!(
                print_pages(&chromium, &html_path, &pdf_path, &html),
                1,
                "{variant}: the sheet must print on one page"
            );
        }
    }
}

/// Prints `html` with headless Chromium; the number of pages of the PDF (each checked to
/// be A4).
fn print_pages(
    chromium: &str,
    html_path: &std::path::Path,
    pdf_path: &std::path::Path,
    html: &str,
) -> usize {
    std::fs::write(html_path, html).unwrap();
    let output = match std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--print-to-pdf={}", pdf_path.display()))
        .arg(format!("file://{}", html_path.display()))
        .output()
    {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{chromium}` is not installed; this test prints the sheet with it. \
             Run `bash .ci/test` (it installs every tool the tests need) or \
             `apt-get install chromium` (Debian; `apt-get update` first on a fresh machine), \
             or set CHROMIUM to a Chromium/Chrome binary"
        ),
        Err(e) => panic!("could not run `{chromium}`: {e}"),
    };
    assert!(
        output.status.success(),
        "`{chromium}` failed to print the sheet ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let pdf = std::fs::read(pdf_path).unwrap();
    let pdf = String::from_utf8_lossy(&pdf);
    // Page objects: "/Type /Page" not followed by "s".
    let pages = pdf.matches("/Type /Page").count() - pdf.matches("/Type /Pages").count();
    // A4 is 595 × 842 points.
    assert!(pdf.contains("/MediaBox [0 0 595") || pdf.contains("/MediaBox [0 0 594"));
    pages
}
