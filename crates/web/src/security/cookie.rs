//! The session / pre-session cookie and the language cookie.
//!
//! | mode                         | session cookie                                                        |
//! |------------------------------|-----------------------------------------------------------------------|
//! | [`CookiePolicy::secure`]     | `__Host-shikaku=<token>; Path=/; Secure; HttpOnly; SameSite=Strict`   |
//! | [`CookiePolicy::insecure_localhost_demo`] | `shikaku=<token>; Path=/; HttpOnly; SameSite=Strict` |
//!
//! No `Domain`, no `Max-Age`/`Expires`: the cookie lives as long as the
//! browser session; the server ends sessions itself (30 idle minutes). The
//! `__Host-` prefix makes the browser refuse the cookie unless it is `Secure`,
//! host-only and `Path=/`, so no sibling sub-domain can plant one.

use std::sync::Once;

use axum::http::{HeaderMap, HeaderValue, header};

use super::token::RandomToken;
use crate::lang::Lang;

/// How cookies are named and flagged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CookiePolicy {
    secure: bool,
}

static INSECURE_WARNING: Once = Once::new();

impl CookiePolicy {
    /// Session cookie name over HTTPS.
    pub const SECURE_NAME: &'static str = "__Host-shikaku";
    /// Session cookie name in the insecure localhost demo.
    pub const INSECURE_NAME: &'static str = "shikaku";
    /// Language cookie name (not a secret; same in both modes).
    pub const LANG_COOKIE: &'static str = "lang";

    /// Production: `__Host-` prefix and `Secure` (requires HTTPS).
    #[must_use]
    pub const fn secure() -> Self {
        CookiePolicy { secure: true }
    }

    /// For a plain-HTTP demo on loopback only: drops `Secure` and the
    /// `__Host-` prefix (browsers would refuse both without TLS). Logs a
    /// warning the first time it is used in the process.
    #[must_use]
    pub fn insecure_localhost_demo() -> Self {
        INSECURE_WARNING.call_once(|| {
            tracing::warn!(
                "insecure localhost demo mode: session cookie is sent without `Secure` \
                 and without the `__Host-` prefix; never expose this server beyond loopback"
            );
        });
        CookiePolicy { secure: false }
    }

    /// Whether cookies carry `Secure` and the `__Host-` prefix.
    #[must_use]
    pub const fn is_secure(self) -> bool {
        self.secure
    }

    /// The session cookie's name.
    #[must_use]
    pub const fn session_cookie_name(self) -> &'static str {
        if self.secure {
            Self::SECURE_NAME
        } else {
            Self::INSECURE_NAME
        }
    }

    /// The language cookie's name.
    #[must_use]
    pub const fn lang_cookie_name(self) -> &'static str {
        Self::LANG_COOKIE
    }

    fn attributes(self) -> &'static str {
        if self.secure {
            "; Path=/; Secure; HttpOnly; SameSite=Strict"
        } else {
            "; Path=/; HttpOnly; SameSite=Strict"
        }
    }

    /// `Set-Cookie` value that stores `token` as the session cookie.
    #[must_use]
    pub fn session_cookie(self, token: &RandomToken) -> HeaderValue {
        let value = format!(
            "{}={}{}",
            self.session_cookie_name(),
            token.encode(),
            self.attributes()
        );
        header_value(&value)
    }

    /// `Set-Cookie` value that deletes the session cookie (logout).
    #[must_use]
    pub fn removal_cookie(self) -> HeaderValue {
        let value = format!(
            "{}=; Max-Age=0{}",
            self.session_cookie_name(),
            self.attributes()
        );
        header_value(&value)
    }

    /// `Set-Cookie` value that remembers the display language for a year.
    #[must_use]
    pub fn lang_cookie(self, lang: Lang) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let value = format!(
            "{}={}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{secure}",
            Self::LANG_COOKIE,
            lang.code()
        );
        header_value(&value)
    }

    /// The session token sent by the browser, if there is exactly one
    /// well-formed session cookie. Two cookies of the same name (cookie
    /// tossing) or a malformed value count as none.
    #[must_use]
    pub fn read_session(self, headers: &HeaderMap) -> Option<RandomToken> {
        let mut values = cookie_values(headers, self.session_cookie_name());
        let first = values.next()?;
        if values.next().is_some() {
            return None;
        }
        RandomToken::parse(first)
    }

    /// Whether a response already sets the session cookie (so middleware
    /// must not overwrite a handler's rotation or removal).
    #[must_use]
    pub fn response_sets_session(self, headers: &HeaderMap) -> bool {
        let prefix = format!("{}=", self.session_cookie_name());
        headers
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|v| v.as_bytes().starts_with(prefix.as_bytes()))
    }
}

/// Builds a header value from text we composed ourselves (cookie names,
/// base64url tokens and fixed attributes — always visible ASCII).
fn header_value(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Every value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn cookie_values<'a>(
    headers: &'a HeaderMap,
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(move |pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k.trim() == name).then(|| v.trim())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> RandomToken {
        RandomToken::from_bytes([0x42; 32])
    }

    fn attrs(v: &HeaderValue) -> Vec<String> {
        v.to_str()
            .unwrap()
            .split(';')
            .map(|s| s.trim().to_owned())
            .collect()
    }

    #[test]
    fn secure_cookie_has_every_attribute() {
        let v = CookiePolicy::secure().session_cookie(&token());
        let a = attrs(&v);
        assert_eq!(a[0], format!("__Host-shikaku={}", token().encode()));
        for want in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
            assert!(a.iter().any(|x| x == want), "{want} missing in {a:?}");
        }
        assert!(
            !a.iter()
                .any(|x| x.to_ascii_lowercase().starts_with("domain"))
        );
        assert!(
            !a.iter()
                .any(|x| x.to_ascii_lowercase().starts_with("max-age"))
        );
    }

    #[test]
    fn insecure_demo_drops_secure_and_prefix_only() {
        let p = CookiePolicy::insecure_localhost_demo();
        assert!(!p.is_secure());
        let a = attrs(&p.session_cookie(&token()));
        assert_eq!(a[0], format!("shikaku={}", token().encode()));
        assert!(!a.iter().any(|x| x == "Secure"));
        for want in ["Path=/", "HttpOnly", "SameSite=Strict"] {
            assert!(a.iter().any(|x| x == want), "{want} missing in {a:?}");
        }
    }

    #[test]
    fn removal_cookie_expires_immediately() {
        let a = attrs(&CookiePolicy::secure().removal_cookie());
        assert_eq!(a[0], "__Host-shikaku=");
        assert!(a.iter().any(|x| x == "Max-Age=0"));
        assert!(a.iter().any(|x| x == "Secure"));
    }

    #[test]
    fn reads_exactly_one_well_formed_session_cookie() {
        let p = CookiePolicy::secure();
        let t = token().encode();
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=b; __Host-shikaku={t}; lang=en")).unwrap(),
        );
        assert_eq!(p.read_session(&h), Some(token()));
        // The insecure name is a different cookie.
        assert_eq!(
            CookiePolicy::insecure_localhost_demo().read_session(&h),
            None
        );
        // Duplicates (cookie tossing) are refused.
        h.append(
            header::COOKIE,
            HeaderValue::from_str(&format!("__Host-shikaku={t}")).unwrap(),
        );
        assert_eq!(p.read_session(&h), None);
        // Malformed values are refused.
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("__Host-shikaku=abc"),
        );
        assert_eq!(p.read_session(&h), None);
    }

    #[test]
    fn detects_a_handler_set_session_cookie() {
        let p = CookiePolicy::secure();
        let mut h = HeaderMap::new();
        h.append(header::SET_COOKIE, p.lang_cookie(Lang::En));
        assert!(!p.response_sets_session(&h));
        h.append(header::SET_COOKIE, p.removal_cookie());
        assert!(p.response_sets_session(&h));
    }

    #[test]
    fn lang_cookie_is_lax_and_long_lived() {
        let a = attrs(&CookiePolicy::secure().lang_cookie(Lang::En));
        assert_eq!(a[0], "lang=en");
        assert!(a.iter().any(|x| x == "SameSite=Lax"));
        assert!(a.iter().any(|x| x == "Max-Age=31536000"));
        assert!(a.iter().any(|x| x == "Secure"));
    }
}
