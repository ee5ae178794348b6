//! [`EnrollmentSheet`]: the printable A4 page behind [二次元バーコードの印刷 (任意)].

use std::fmt;

use crate::{Error, QrCode};

/// The manual's warning (第1章 2, step 4) about not printing the QR code.
const WARNING_NOT_PRINTED: &str = "二次元バーコードを印刷して保存していないと、アプリに登録したデバイスの紛失又は故障時に、二次元バーコードを再確認することができません。";

/// The manual's note (第1章 2, step 4) about copying the setup key out of a PDF.
const WARNING_PDF: &str = "印刷設定で出力先を PDF にした場合、その PDF からセットアップキーをコピーしたものをアプリに貼り付けると、セットアップキーのテキストデータに改行が入り正しくセットアップキーが入力されない場合があります。";

/// The QR code and setup key of a registration not yet completed belong to the one login
/// that showed them (issue 10): a new login before the registration issues new ones, and
/// this sheet no longer works. In the manual's voice, like the two warnings above.
const NOTE_ONE_LOGIN: &str = "この用紙は、印刷したログインで Authenticator の登録を完了した場合に限り有効です。登録を完了する前にログインしなおした場合は新しい二次元バーコードが発行され、この用紙は使用できなくなります。";

/// The complete content of the sheet's single `<style>` element.
///
/// Exposed so that a web server with a hash-based Content-Security-Policy can allow it
/// (`style-src 'sha256-…'` over exactly these bytes); the sheet has no `style` attributes.
pub const SHEET_CSS: &str = r#"
@page { size: A4 portrait; margin: 0; }
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body {
  margin: 0; color: #1a1a1a; background: #fff;
  font-family: "BIZ UDPGothic", "Hiragino Kaku Gothic ProN", "Hiragino Sans", "Yu Gothic",
    "Meiryo", "Noto Sans CJK JP", "Noto Sans JP", sans-serif;
  font-size: 10pt; line-height: 1.55;
}
.sheet {
  width: 210mm; height: 296mm; margin: 0 auto; padding: 11mm 16mm 10mm;
  display: flex; flex-direction: column; gap: 3mm; overflow: hidden; background: #fff;
}
.screen-note { display: none; }
@media screen {
  body { background: #e6e8eb; padding: 8mm 0; }
  .sheet { box-shadow: 0 0.6mm 3mm rgba(0, 0, 0, 0.22); }
  .screen-note {
    display: block; width: 210mm; margin: 0 auto 5mm; padding: 3mm 5mm;
    background: #fff8d6; border: 0.3mm solid #d9c36a; font-size: 10pt;
  }
}
@media print { body { background: #fff; } }
h1, h2, p, ul, ol, dl, dd, figure { margin: 0; }
.head {
  display: flex; align-items: center; gap: 5mm;
  padding-bottom: 3.2mm; border-bottom: 0.7mm solid #1a1a1a;
}
.stamp {
  flex: none; border: 0.7mm solid #b3000c; color: #b3000c; border-radius: 1mm;
  padding: 1.2mm 3mm; font-size: 15pt; font-weight: 700; letter-spacing: 0.18em;
  line-height: 1.2;
}
.title { flex: 1; min-width: 0; }
.issuer { font-size: 9pt; color: #555; overflow-wrap: anywhere; }
h1 { font-size: 16.5pt; line-height: 1.3; letter-spacing: 0.02em; }
.confidential {
  border: 0.4mm solid #b3000c; border-left-width: 2mm; background: #fdf0f0;
  padding: 2.4mm 4mm; font-size: 9.5pt;
}
.confidential strong { color: #b3000c; }
.main { display: flex; gap: 7mm; align-items: center; }
.qr {
  flex: none; padding: 2mm; border: 0.3mm solid #b8b8b8; border-radius: 1.5mm;
  text-align: center;
}
.qr svg { display: block; width: 56mm; height: 56mm; }
.qr figcaption { font-size: 8pt; color: #555; margin-top: 0.8mm; }
.account {
  flex: 1; min-width: 0; display: grid; grid-template-columns: max-content 1fr;
  border-top: 0.3mm solid #c8c8c8;
}
.account dt, .account dd { padding: 2.2mm 0; border-bottom: 0.3mm solid #c8c8c8; }
.account dt { padding-right: 6mm; color: #555; font-size: 9pt; align-self: stretch; }
.account dd { font-size: 13pt; font-weight: 700; overflow-wrap: anywhere; line-height: 1.35; }
.section-title {
  font-size: 11pt; font-weight: 700; padding-left: 2.2mm; margin-bottom: 1.8mm;
  border-left: 1.2mm solid #1a1a1a; line-height: 1.25;
}
.key-row { display: flex; align-items: center; gap: 4mm; margin-top: 1.6mm; }
.key-label { flex: none; width: 36mm; font-size: 8.5pt; color: #555; line-height: 1.3; }
.key {
  font-family: "BIZ UDGothic", "Consolas", "Menlo", "DejaVu Sans Mono", "Noto Sans Mono",
    "Liberation Mono", monospace;
  font-size: 14.5pt; font-weight: 700; letter-spacing: 0.05em; line-height: 1.3;
}
.key-display { overflow-wrap: anywhere; }
.key-display.long { font-size: 12pt; }
.key-display.very-long { font-size: 9.5pt; letter-spacing: 0.02em; }
.key-copy {
  white-space: nowrap; -webkit-user-select: all; user-select: all;
  border: 0.3mm dashed #8a8a8a; background: #f4f4f4; padding: 0.8mm 2mm;
}
.key-copy.long { font-size: 10pt; letter-spacing: 0; }
.key-copy.very-long { font-size: 7.5pt; letter-spacing: 0; white-space: normal; word-break: break-all; }
.key-hint { font-size: 8.5pt; color: #555; margin-top: 1.6mm; }
.warning {
  border: 0.4mm solid #1a1a1a; border-radius: 1mm; padding: 2.4mm 4mm 2.6mm; font-size: 9.5pt;
}
.warning .section-title { border-left-color: #b3000c; }
.warning ul, .steps ol, .keep ul { padding-left: 5mm; }
.warning li + li, .steps li + li, .keep li + li { margin-top: 0.8mm; }
.warning li:first-child { font-weight: 700; }
.columns { display: flex; gap: 6mm; }
.columns > section { flex: 1; min-width: 0; font-size: 9pt; }
.foot {
  margin-top: auto; padding-top: 2.4mm; border-top: 0.3mm solid #b8b8b8;
  display: flex; gap: 4mm; justify-content: space-between; font-size: 8pt; color: #555;
}
.foot span { overflow-wrap: anywhere; }
.foot span:first-child { flex: none; white-space: nowrap; }
.foot strong { color: #b3000c; }
"#;

/// Everything printed on the enrollment sheet. Build it with a struct literal, then call
/// [`render_html`](Self::render_html).
///
/// The strings are borrowed so that secrets (the setup key, the URI) need not be copied
/// out of their zeroizing owners. `Debug` hides them.
#[derive(Clone, Copy)]
pub struct EnrollmentSheet<'a> {
    /// The otpauth issuer: the service name shown in the Authenticator app.
    pub issuer: &'a str,
    /// 機関コード.
    pub institution_code: &'a str,
    /// ログイン ID.
    pub login_id: &'a str,
    /// Setup key in display form: groups of 4 separated by spaces.
    pub setup_key_display: &'a str,
    /// Setup key in copy form: base32 without spaces (what 《テキストでコピー》 copies).
    pub setup_key_copy: &'a str,
    /// The otpauth URI the QR code encodes; its `secret` must be the setup key.
    pub otpauth_uri: &'a str,
    /// 発行日, printed as `2026年4月1日`.
    pub issued_on: time::Date,
}

impl EnrollmentSheet<'_> {
    /// Renders the sheet: a complete, self-contained HTML document (UTF-8) sized for A4
    /// portrait, one page.
    ///
    /// It holds no scripts and loads nothing (an in-document CSP meta tag says so as well),
    /// and every field is HTML-escaped. The document *contains the second factor*: serve it
    /// with `Cache-Control: no-store` and do not log it.
    ///
    /// # Errors
    ///
    /// * [`Error::NotOtpauthUri`] if `otpauth_uri` does not start with `otpauth://` or has
    ///   no `secret` parameter;
    /// * [`Error::InvalidSetupKey`] if `setup_key_copy` is empty or not base32;
    /// * [`Error::SetupKeyMismatch`] if the display form, the copy form and the URI's
    ///   `secret` are not the same key (the printout would contradict its QR code);
    /// * [`Error::DataTooLong`] if the URI does not fit in a QR code.
    pub fn render_html(&self) -> Result<String, Error> {
        check_setup_key(
            self.setup_key_display,
            self.setup_key_copy,
            self.otpauth_uri,
        )?;
        let svg = QrCode::new(self.otpauth_uri)?.to_svg();
        let date = format!(
            "{}年{}月{}日",
            self.issued_on.year(),
            u8::from(self.issued_on.month()),
            self.issued_on.day()
        );
        // Long keys (a 64-byte secret is 103 characters) get smaller type, so the sheet
        // still fits one page with every note on it.
        let display_class = match self.setup_key_copy.chars().count() {
            0..=40 => "key key-display",
            41..=72 => "key key-display long",
            _ => "key key-display very-long",
        };
        let copy_class = match self.setup_key_copy.chars().count() {
            0..=40 => "key key-copy",
            41..=72 => "key key-copy long",
            _ => "key key-copy very-long",
        };

        let mut h = Html(String::with_capacity(SHEET_CSS.len() + svg.len() + 8192));
        h.raw(concat!(
            "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n",
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ",
            "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
            "<meta name=\"color-scheme\" content=\"light\">\n",
            "<meta name=\"robots\" content=\"noindex, nofollow\">\n",
            "<meta name=\"referrer\" content=\"no-referrer\">\n",
            "<title>【取扱注意】Authenticator 登録用紙（二次元バーコード・セットアップキー）</title>\n",
            "<style>",
        ));
        h.raw(SHEET_CSS);
        h.raw(concat!(
            "</style>\n</head>\n<body>\n",
            "<p class=\"screen-note\">この用紙はブラウザーの印刷機能（Ctrl + P）で A4 用紙に印刷し、",
            "下記の「保管と廃棄」に従って保管してください。</p>\n",
            "<main class=\"sheet\">\n",
            "<header class=\"head\">\n<div class=\"stamp\">取扱注意</div>\n<div class=\"title\">\n",
            "<p class=\"issuer\">",
        ));
        h.text(self.issuer);
        h.raw(concat!(
            "</p>\n<h1>Authenticator 登録用紙</h1>\n</div>\n",
            "</header>\n",
            "<p class=\"confidential\"><strong>この用紙は多要素認証（MFA）の第二要素です。</strong>",
            "二次元バーコードとセットアップキーがあれば、誰でもこのアカウントのパスコードを生成できます。",
            "パスワードと同じように厳重に管理してください。</p>\n",
            "<section class=\"main\">\n",
            "<figure class=\"qr\" role=\"img\" aria-label=\"二次元バーコード\">",
        ));
        h.raw(&svg);
        h.raw(concat!(
            "<figcaption>Authenticator アプリで読み取ってください</figcaption></figure>\n",
            "<dl class=\"account\">\n<dt>機関コード</dt><dd>",
        ));
        h.text(self.institution_code);
        h.raw("</dd>\n<dt>ログイン ID</dt><dd>");
        h.text(self.login_id);
        h.raw("</dd>\n<dt>発行日</dt><dd>");
        h.text(&date);
        h.raw(concat!(
            "</dd>\n</dl>\n</section>\n",
            "<section class=\"setup-key\">\n<h2 class=\"section-title\">セットアップキー</h2>\n",
            "<div class=\"key-row\"><span class=\"key-label\">読み上げ・手入力用<br>（4 文字区切り）</span>",
            "<span class=\"",
        ));
        h.raw(display_class);
        h.raw("\">");
        h.text(self.setup_key_display);
        h.raw(concat!(
            "</span></div>\n",
            "<div class=\"key-row\"><span class=\"key-label\">コピー用<br>（区切りなし）</span>",
            "<span class=\"",
        ));
        h.raw(copy_class);
        h.raw("\">");
        h.text(self.setup_key_copy);
        h.raw(concat!(
            "</span></div>\n",
            "<p class=\"key-hint\">セットアップキーは英大文字 A〜Z と数字 2〜7 だけでできています",
            "（数字の 0・1・8・9 は使われません）。貼り付けた後は、空白や改行が入っていないことを確認してください。</p>\n",
            "</section>\n",
            "<section class=\"warning\">\n<h2 class=\"section-title\">注意</h2>\n<ul>\n<li>",
        ));
        h.raw(WARNING_NOT_PRINTED);
        h.raw("</li>\n<li>");
        h.raw(WARNING_PDF);
        h.raw("</li>\n<li>");
        h.raw(NOTE_ONE_LOGIN);
        h.raw(concat!(
            "</li>\n</ul>\n</section>\n",
            "<div class=\"columns\">\n",
            "<section class=\"steps\">\n<h2 class=\"section-title\">デバイスの紛失・故障・機種変更のとき</h2>\n<ol>\n",
            "<li>新しいデバイスに Authenticator アプリをインストールします。</li>\n",
            "<li>アプリのカメラでこの二次元バーコードを読み取ります。</li>\n",
            "<li>読み取れない場合は《セットアップキーを入力》から、《アカウント名》にログイン ID を、",
            "《鍵》にセットアップキーを入力します。</li>\n",
            "<li>アプリに表示される 6 桁のパスコードでログインできることを確認します。</li>\n",
            "</ol>\n</section>\n",
            "<section class=\"keep\">\n<h2 class=\"section-title\">保管と廃棄</h2>\n<ul>\n",
            "<li>パスワードを記録したものとは別に、施錠できる場所に保管してください。</li>\n",
            "<li>撮影・複写・スキャンをしたり、他人に見せたりしないでください。</li>\n",
            "<li>紛失した場合や第三者に見られたおそれがある場合は、直ちにシステム管理者に連絡し、",
            "Authenticator の再登録を依頼してください。</li>\n",
            "<li>再登録した場合、使用できなくなった場合や不要になった場合は、シュレッダー等で確実に廃棄してください。</li>\n",
            "</ul>\n</section>\n</div>\n",
            "<footer class=\"foot\"><span><strong>取扱注意</strong>　多要素認証（MFA）の第二要素</span><span>機関コード ",
        ));
        h.text(self.institution_code);
        h.raw("　ログイン ID ");
        h.text(self.login_id);
        h.raw("　発行日 ");
        h.text(&date);
        h.raw("</span></footer>\n</main>\n</body>\n</html>\n");
        Ok(h.0)
    }
}

impl fmt::Debug for EnrollmentSheet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnrollmentSheet")
            .field("issuer", &self.issuer)
            .field("institution_code", &self.institution_code)
            .field("login_id", &self.login_id)
            .field("setup_key_display", &format_args!("***"))
            .field("setup_key_copy", &format_args!("***"))
            .field("otpauth_uri", &format_args!("***"))
            .field("issued_on", &self.issued_on)
            .finish()
    }
}

/// An HTML document under construction: `raw` for markup written here, `text` for
/// everything else.
struct Html(String);

impl Html {
    fn raw(&mut self, markup: &str) {
        self.0.push_str(markup);
    }

    fn text(&mut self, text: &str) {
        escape_into(&mut self.0, text);
    }
}

/// Appends `text` with the five HTML-significant characters escaped; safe in element
/// content and in quoted attribute values.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Checks that the display form, the copy form and the URI's `secret` are one key.
fn check_setup_key(display: &str, copy: &str, uri: &str) -> Result<(), Error> {
    let scheme = uri.get(.."otpauth://".len());
    if !scheme.is_some_and(|s| s.eq_ignore_ascii_case("otpauth://")) {
        return Err(Error::NotOtpauthUri);
    }

    let unpadded = copy.trim_end_matches('=');
    if unpadded.is_empty() {
        return Err(Error::InvalidSetupKey { position: 0 });
    }
    if let Some(position) = unpadded
        .chars()
        .position(|c| !matches!(c, 'A'..='Z' | '2'..='7'))
    {
        return Err(Error::InvalidSetupKey { position });
    }

    if !display
        .chars()
        .filter(|c| !c.is_whitespace())
        .eq(copy.chars())
    {
        return Err(Error::SetupKeyMismatch);
    }

    let query = uri
        .split_once('?')
        .map_or("", |(_, q)| q.split_once('#').map_or(q, |(q, _)| q));
    let secret = query
        .split('&')
        .find_map(|param| param.strip_prefix("secret="))
        .ok_or(Error::NotOtpauthUri)?;
    let mut secret = secret;
    loop {
        if let Some(s) = secret.strip_suffix('=') {
            secret = s;
        } else if let Some(s) = secret
            .strip_suffix("%3D")
            .or_else(|| secret.strip_suffix("%3d"))
        {
            secret = s;
        } else {
            break;
        }
    }
    if secret.eq_ignore_ascii_case(unpadded) {
        Ok(())
    } else {
        Err(Error::SetupKeyMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str = "otpauth://totp/Shikaku:u1?secret=JBSWY3DPEHPK3PXP&issuer=Shikaku";

    #[test]
    fn escapes_all_html_significant_characters() {
        let mut out = String::new();
        escape_into(&mut out, r#"<a href="x" title='y'>&amp;</a> 日本語"#);
        assert_eq!(
            out,
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt; 日本語"
        );
    }

    #[test]
    fn consistent_key_passes() {
        assert_eq!(
            check_setup_key("JBSW Y3DP EHPK 3PXP", "JBSWY3DPEHPK3PXP", URI),
            Ok(())
        );
        // Padding on either side and lowercase in the URI are the same key.
        let padded = "otpauth://totp/a?issuer=b&secret=jbswy3dpehpk3pxp%3D%3D";
        assert_eq!(
            check_setup_key("JBSW Y3DP EHPK 3PXP ==", "JBSWY3DPEHPK3PXP==", padded),
            Ok(())
        );
    }

    #[test]
    fn inconsistent_key_is_refused() {
        assert_eq!(
            check_setup_key("JBSW Y3DP EHPK 3PXQ", "JBSWY3DPEHPK3PXP", URI),
            Err(Error::SetupKeyMismatch)
        );
        assert_eq!(
            check_setup_key("AAAA BBBB", "AAAABBBB", URI),
            Err(Error::SetupKeyMismatch)
        );
        assert_eq!(
            check_setup_key("JBSW", "JBSW-Y3DP", URI),
            Err(Error::InvalidSetupKey { position: 4 })
        );
        assert_eq!(
            check_setup_key("", "", URI),
            Err(Error::InvalidSetupKey { position: 0 })
        );
        assert_eq!(
            check_setup_key("JBSW", "JBSW", "https://example.com/?secret=JBSW"),
            Err(Error::NotOtpauthUri)
        );
        assert_eq!(
            check_setup_key("JBSW", "JBSW", "otpauth://totp/a?issuer=b"),
            Err(Error::NotOtpauthUri)
        );
        // A parameter merely ending in "secret" is not the secret.
        assert_eq!(
            check_setup_key("JBSW", "JBSW", "otpauth://totp/a?notsecret=JBSW"),
            Err(Error::NotOtpauthUri)
        );
    }
}
