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
//! This module only names the languages and parses their spellings; it imports
//! nothing from the rest of the crate. The negotiation itself ([`Lang::negotiate`],
//! which reads the language cookie) and the [`Lang`] extractor belong to the
//! composition root (`app.rs`), which negotiates once per request and stores the
//! result in the request extensions, so handlers simply take a [`Lang`] argument.
//! The strings of a language are [`Lang::t`] (in [`crate::messages`]).

use std::fmt;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_values_are_ignored() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
            assert_ne!(lang.other(), lang);
        }
        assert_eq!(Lang::from_code("fr"), None);
        assert_eq!(Lang::from_query("x=1&lang=en"), Some(Lang::En));
        assert_eq!(Lang::from_query("lang=xx"), None);
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
        assert_eq!(Lang::from_accept_language("fr, de"), None);
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
}
