//! Display language: Japanese (the manual's language, the default) or English.
//!
//! Chosen per request, first match wins:
//!
//! 1. `?lang=ja` / `?lang=en` in the URL (the switch link in every page's
//!    header); the choice is then remembered in the `lang` cookie;
//! 2. the language cookie;
//! 3. `Accept-Language`, highest `q` first (`ja*` or `en*`);
//! 4. Japanese.
//!
//! The [`security`](crate::security) middleware negotiates once per request
//! and stores the result in the request extensions, so handlers simply take a
//! [`Lang`] argument.

use std::convert::Infallible;
use std::fmt;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::messages::{self, Messages};

/// A display language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Lang {
    /// 日本語 — the manual's language and the default.
    #[default]
    Ja,
    /// English.
    En,
}

impl Lang {
    /// Every supported language, default first.
    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];

    /// The BCP 47 tag, as used in `<html lang>` and `?lang=`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// Parses a `?lang=` / cookie value (`ja` or `en`, exactly).
    #[must_use]
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, for the header's switch link.
    #[must_use]
    pub const fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }

    /// All user-visible strings in this language.
    #[must_use]
    pub const fn t(self) -> &'static Messages {
        match self {
            Lang::Ja => &messages::JA,
            Lang::En => &messages::EN,
        }
    }

    /// Negotiates the language of a request (see the module docs).
    ///
    /// `cookie_name` is the language cookie's name (see
    /// [`CookiePolicy::lang_cookie_name`](crate::security::CookiePolicy::lang_cookie_name)).
    #[must_use]
    pub fn negotiate(query: Option<&str>, headers: &HeaderMap, cookie_name: &str) -> Lang {
        if let Some(lang) = query.and_then(Lang::from_query) {
            return lang;
        }
        if let Some(lang) =
            crate::security::cookie::cookie_values(headers, cookie_name).find_map(Lang::from_code)
        {
            return lang;
        }
        headers
            .get_all(axum::http::header::ACCEPT_LANGUAGE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(Lang::from_accept_language)
            .unwrap_or_default()
    }

    /// The `lang` parameter of a query string, if it names a supported language.
    #[must_use]
    pub fn from_query(query: &str) -> Option<Lang> {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Lang::from_code(v))
    }

    /// The preferred supported language of an `Accept-Language` value
    /// (RFC 9110 §12.5.4): highest `q` wins, ties go to the earlier entry,
    /// `q=0` means "not acceptable".
    #[must_use]
    pub fn from_accept_language(value: &str) -> Option<Lang> {
        let mut best: Option<(u16, Lang)> = None;
        for item in value.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .map(parse_qvalue)
                .next()
                .unwrap_or(Some(1000));
            let Some(q) = q else { continue };
            let primary = tag.split('-').next().unwrap_or("");
            let Some(lang) = Lang::from_code(primary) else {
                continue;
            };
            if q > 0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }
}

/// A qvalue as thousandths (`"0.8"` → 800); `None` if malformed.
fn parse_qvalue(s: &str) -> Option<u16> {
    let s = s.trim();
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: u16 = 0;
    for i in 0..3 {
        let digit = frac.as_bytes().get(i).map_or(0, |b| u16::from(b - b'0'));
        thousandths = thousandths * 10 + digit;
    }
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(lang) = parts.extensions.get::<Lang>() {
            return Ok(*lang);
        }
        // Not behind the security middleware (e.g. a bare test router):
        // negotiate with the default cookie name.
        Ok(Lang::negotiate(
            parts.uri.query(),
            &parts.headers,
            crate::security::CookiePolicy::LANG_COOKIE,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn default_is_japanese() {
        assert_eq!(Lang::negotiate(None, &HeaderMap::new(), "lang"), Lang::Ja);
    }

    #[test]
    fn query_beats_cookie_beats_accept_language() {
        let h = headers(&[("cookie", "lang=ja"), ("accept-language", "en")]);
        assert_eq!(Lang::negotiate(Some("x=1&lang=en"), &h, "lang"), Lang::En);
        assert_eq!(Lang::negotiate(None, &h, "lang"), Lang::Ja);
        let h = headers(&[("accept-language", "en-GB,en;q=0.9")]);
        assert_eq!(Lang::negotiate(None, &h, "lang"), Lang::En);
    }

    #[test]
    fn unknown_values_are_ignored() {
        let h = headers(&[("cookie", "lang=fr"), ("accept-language", "fr, de")]);
        assert_eq!(Lang::negotiate(Some("lang=xx"), &h, "lang"), Lang::Ja);
        assert_eq!(Lang::from_query("language=en"), None);
    }

    #[test]
    fn accept_language_weights() {
        assert_eq!(
            Lang::from_accept_language("fr;q=1, en;q=0.5, ja;q=0.8"),
            Some(Lang::Ja)
        );
        assert_eq!(
            Lang::from_accept_language("en-US, ja;q=0.9"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("ja-JP;q=0.2, EN;q=0.3"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("en;q=0, ja;q=0.1"),
            Some(Lang::Ja)
        );
        assert_eq!(Lang::from_accept_language("en;q=0"), None);
        assert_eq!(Lang::from_accept_language("en;q=2, ja;q=abc"), None);
        assert_eq!(Lang::from_accept_language("*"), None);
    }

    #[test]
    fn qvalue_parsing() {
        assert_eq!(parse_qvalue("1"), Some(1000));
        assert_eq!(parse_qvalue("1.000"), Some(1000));
        assert_eq!(parse_qvalue("0.8"), Some(800));
        assert_eq!(parse_qvalue("0.125"), Some(125));
        assert_eq!(parse_qvalue("0.1234"), None);
        assert_eq!(parse_qvalue("1.5"), None);
        assert_eq!(parse_qvalue("-1"), None);
    }

    #[test]
    fn every_language_has_messages_in_that_language() {
        assert!(Lang::Ja.t().login_button.contains("ログイン"));
        assert_eq!(Lang::En.t().login_button, "Log in");
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
            assert_ne!(lang.other(), lang);
        }
    }
}
